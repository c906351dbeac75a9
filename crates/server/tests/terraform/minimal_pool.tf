resource "aws_cognito_user_pool" "pool" {
  name = "tf-minimal"
}

output "id" {
  value = aws_cognito_user_pool.pool.id
}
