# Every argument of aws_cognito_user_pool (seed 002) across three pools, and every pool-scoped
# configuration resource hanging off them. full_update.tf changes arguments in place.

locals {
  lambda = "arn:aws:lambda:us-east-1:123456789012:function"
}

# Defaults only: a name, nothing else, must not drift.
resource "aws_cognito_user_pool" "minimal" {
  name = "tf-minimal"
}

# username_attributes, verification_message_template, SMS + TOTP MFA, every trigger.
resource "aws_cognito_user_pool" "full" {
  name                       = "tf-full"
  username_attributes        = ["email"]
  auto_verified_attributes   = ["email"]
  deletion_protection        = "INACTIVE"
  mfa_configuration          = "ON"
  sms_authentication_message = "Your code is {####}"
  user_pool_tier             = "PLUS"

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
    recovery_mechanism {
      name     = "verified_phone_number"
      priority = 2
    }
  }

  admin_create_user_config {
    allow_admin_create_user_only = true
    invite_message_template {
      email_message = "Hello {username}, your temporary password is {####}"
      email_subject = "Welcome"
      sms_message   = "Hi {username}, password {####}"
    }
  }

  device_configuration {
    challenge_required_on_new_device      = true
    device_only_remembered_on_user_prompt = true
  }

  email_configuration {
    email_sending_account  = "DEVELOPER"
    from_email_address     = "John Smith <noreply@example.com>"
    reply_to_email_address = "help@example.com"
    source_arn             = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    configuration_set      = "tf-set"
  }

  lambda_config {
    create_auth_challenge          = "${local.lambda}:create-auth"
    custom_message                 = "${local.lambda}:custom-message"
    define_auth_challenge          = "${local.lambda}:define-auth"
    post_authentication            = "${local.lambda}:post-auth"
    post_confirmation              = "${local.lambda}:post-confirm"
    pre_authentication             = "${local.lambda}:pre-auth"
    pre_sign_up                    = "${local.lambda}:pre-sign-up"
    pre_token_generation           = "${local.lambda}:pre-token"
    user_migration                 = "${local.lambda}:migrate"
    verify_auth_challenge_response = "${local.lambda}:verify-auth"
    kms_key_id                     = "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012"
    pre_token_generation_config {
      lambda_arn     = "${local.lambda}:pre-token"
      lambda_version = "V2_0"
    }
    custom_email_sender {
      lambda_arn     = "${local.lambda}:email-sender"
      lambda_version = "V1_0"
    }
    custom_sms_sender {
      lambda_arn     = "${local.lambda}:sms-sender"
      lambda_version = "V1_0"
    }
  }

  password_policy {
    minimum_length                   = 10
    require_lowercase                = true
    require_numbers                  = true
    require_symbols                  = false
    require_uppercase                = true
    temporary_password_validity_days = 3
    password_history_size            = 5
  }

  schema {
    name                     = "email"
    attribute_data_type      = "String"
    mutable                  = true
    required                 = true
    developer_only_attribute = false
    string_attribute_constraints {
      min_length = 5
      max_length = 200
    }
  }
  # A standard attribute left at its defaults is not imported (seed 002), so this one differs.
  schema {
    name                     = "nickname"
    attribute_data_type      = "String"
    mutable                  = true
    required                 = false
    developer_only_attribute = false
    string_attribute_constraints {
      min_length = 0
      max_length = 100
    }
  }
  schema {
    name                     = "team"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }
  schema {
    name                     = "level"
    attribute_data_type      = "Number"
    mutable                  = false
    developer_only_attribute = true
    number_attribute_constraints {
      min_value = 1
      max_value = 99
    }
  }
  schema {
    name                = "vip"
    attribute_data_type = "Boolean"
    mutable             = true
  }

  sms_configuration {
    external_id    = "tf-external"
    sns_caller_arn = "arn:aws:iam::123456789012:role/cognito-sns"
    sns_region     = "us-east-1"
  }

  software_token_mfa_configuration {
    enabled = true
  }

  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  user_pool_add_ons {
    advanced_security_mode = "ENFORCED"
  }

  username_configuration {
    case_sensitive = false
  }

  verification_message_template {
    default_email_option  = "CONFIRM_WITH_LINK"
    email_message         = "Your code is {####}"
    email_subject         = "Your code"
    email_message_by_link = "Please {##Click Here##}"
    email_subject_by_link = "Your link"
    sms_message           = "SMS code {####}"
  }

  tags = {
    team = "identity"
    env  = "test"
  }
}

# alias_attributes, the top-level verification messages, email MFA, passkeys, choice-based
# sign-in, and deletion protection.
resource "aws_cognito_user_pool" "alias" {
  name                       = "tf-alias"
  alias_attributes           = ["email", "preferred_username"]
  auto_verified_attributes   = ["email"]
  deletion_protection        = "ACTIVE"
  mfa_configuration          = "OPTIONAL"
  email_verification_message = "Verify with {####}"
  email_verification_subject = "Verify"
  sms_verification_message   = "Verify by SMS {####}"
  user_pool_tier             = "ESSENTIALS"

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
    from_email_address    = "noreply@example.com"
  }

  email_mfa_configuration {
    message = "Sign in with {####}"
    subject = "Sign-in code"
  }

  software_token_mfa_configuration {
    enabled = true
  }

  sign_in_policy {
    allowed_first_auth_factors = ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
  }

  web_authn_configuration {
    relying_party_id  = "auth.example.com"
    user_verification = "required"
  }

  username_configuration {
    case_sensitive = true
  }

  password_policy {
    minimum_length                   = 8
    require_lowercase                = false
    require_numbers                  = false
    require_symbols                  = false
    require_uppercase                = false
    temporary_password_validity_days = 7
  }
}

resource "aws_cognito_user_pool_domain" "prefix" {
  domain       = "tf-full-${lower(substr(aws_cognito_user_pool.full.id, 10, 9))}"
  user_pool_id = aws_cognito_user_pool.full.id
}

resource "aws_cognito_user_pool_domain" "custom" {
  domain          = "auth.example.com"
  certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  user_pool_id    = aws_cognito_user_pool.alias.id
}

resource "aws_cognito_resource_server" "api" {
  identifier   = "https://api.example.com"
  name         = "api"
  user_pool_id = aws_cognito_user_pool.full.id
  scope {
    scope_name        = "read"
    scope_description = "Read things"
  }
  scope {
    scope_name        = "write"
    scope_description = "Write things"
  }
}

resource "aws_cognito_identity_provider" "google" {
  user_pool_id  = aws_cognito_user_pool.full.id
  provider_name = "Google"
  provider_type = "Google"
  # Cognito adds Google's endpoints to provider_details; provider 5.100.0 diffs unless they
  # are configured (its acceptance tests list them the same way).
  provider_details = {
    attributes_url                = "https://people.googleapis.com/v1/people/me?personFields="
    attributes_url_add_attributes = "true"
    authorize_scopes              = "email profile openid"
    authorize_url                 = "https://accounts.google.com/o/oauth2/v2/auth"
    client_id                     = "google-client"
    client_secret                 = "google-secret"
    oidc_issuer                   = "https://accounts.google.com"
    token_request_method          = "POST"
    token_url                     = "https://www.googleapis.com/oauth2/v4/token"
  }
  attribute_mapping = {
    email    = "email"
    username = "sub"
  }
}

resource "aws_cognito_identity_provider" "saml" {
  user_pool_id    = aws_cognito_user_pool.full.id
  provider_name   = "Corp"
  provider_type   = "SAML"
  idp_identifiers = ["corp"]
  provider_details = {
    MetadataFile          = file("${path.module}/saml-metadata.xml")
    IDPSignout            = "true"
    SSORedirectBindingURI = "https://idp.example.com/saml/sso"
    SLORedirectBindingURI = "https://idp.example.com/saml/logout"
  }
  attribute_mapping = {
    email = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
  }
}

resource "aws_cognito_user_group" "admins" {
  name         = "admins"
  user_pool_id = aws_cognito_user_pool.full.id
  description  = "Administrators"
  precedence   = 1
  role_arn     = "arn:aws:iam::123456789012:role/admins"
}

resource "aws_cognito_user_pool_client" "web" {
  name                                 = "web"
  user_pool_id                         = aws_cognito_user_pool.full.id
  generate_secret                      = true
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "${aws_cognito_resource_server.api.identifier}/read"]
  callback_urls                        = ["https://app.example.com/callback"]
  logout_urls                          = ["https://app.example.com/logout"]
  default_redirect_uri                 = "https://app.example.com/callback"
  supported_identity_providers         = ["COGNITO", aws_cognito_identity_provider.google.provider_name, aws_cognito_identity_provider.saml.provider_name]
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  access_token_validity                = 2
  id_token_validity                    = 90
  refresh_token_validity               = 7
  token_validity_units {
    access_token  = "hours"
    id_token      = "minutes"
    refresh_token = "days"
  }
  read_attributes               = ["email", "custom:team"]
  write_attributes              = ["email"]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  auth_session_validity         = 5
}

resource "aws_cognito_user_pool_client" "spa" {
  name                = "spa"
  user_pool_id        = aws_cognito_user_pool.full.id
  explicit_auth_flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  refresh_token_rotation {
    feature                    = "ENABLED"
    retry_grace_period_seconds = 10
  }
}

resource "aws_cognito_user_pool_ui_customization" "all" {
  user_pool_id = aws_cognito_user_pool_domain.prefix.user_pool_id
  css          = ".label-customizable {font-weight: 400;}"
  image_file   = filebase64("${path.module}/logo.png")
}

resource "aws_cognito_user_pool_ui_customization" "web" {
  user_pool_id = aws_cognito_user_pool_domain.prefix.user_pool_id
  client_id    = aws_cognito_user_pool_client.web.id
  css          = ".banner-customizable {padding: 25px 0px 25px 0px;}"
}

resource "aws_cognito_risk_configuration" "all" {
  user_pool_id = aws_cognito_user_pool.full.id
  risk_exception_configuration {
    blocked_ip_range_list = ["10.10.10.10/32"]
  }
}

resource "aws_cognito_risk_configuration" "web" {
  user_pool_id = aws_cognito_user_pool.full.id
  client_id    = aws_cognito_user_pool_client.web.id
  account_takeover_risk_configuration {
    notify_configuration {
      from       = "security@example.com"
      reply_to   = "help@example.com"
      source_arn = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
      block_email {
        subject   = "Blocked"
        html_body = "<p>We blocked a sign-in</p>"
        text_body = "We blocked a sign-in"
      }
      mfa_email {
        subject   = "MFA"
        html_body = "<p>We asked for MFA</p>"
        text_body = "We asked for MFA"
      }
      no_action_email {
        subject   = "Sign-in"
        html_body = "<p>A sign-in happened</p>"
        text_body = "A sign-in happened"
      }
    }
    actions {
      high_action {
        event_action = "BLOCK"
        notify       = false
      }
      medium_action {
        event_action = "MFA_IF_CONFIGURED"
        notify       = false
      }
      low_action {
        event_action = "NO_ACTION"
        notify       = false
      }
    }
  }
  compromised_credentials_risk_configuration {
    event_filter = ["SIGN_IN"]
    actions {
      event_action = "BLOCK"
    }
  }
}

output "minimal_id" {
  value = aws_cognito_user_pool.minimal.id
}
output "full_id" {
  value = aws_cognito_user_pool.full.id
}
output "alias_id" {
  value = aws_cognito_user_pool.alias.id
}
output "full_arn" {
  value = aws_cognito_user_pool.full.arn
}
output "full_endpoint" {
  value = aws_cognito_user_pool.full.endpoint
}
output "full_creation_date" {
  value = aws_cognito_user_pool.full.creation_date
}
output "full_last_modified_date" {
  value = aws_cognito_user_pool.full.last_modified_date
}
output "full_estimated_number_of_users" {
  value = aws_cognito_user_pool.full.estimated_number_of_users
}
output "full_tags_all" {
  value = jsonencode(aws_cognito_user_pool.full.tags_all)
}
output "web_client_id" {
  value = aws_cognito_user_pool_client.web.id
}
output "web_client_secret" {
  value     = aws_cognito_user_pool_client.web.client_secret
  sensitive = true
}
output "spa_client_id" {
  value = aws_cognito_user_pool_client.spa.id
}
