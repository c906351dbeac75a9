//! ListUsers' `Filter` parser. A finding is a panic.

pub fn run(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ironpool_server::ops::fuzzing::list_users_filter(text);
    }
}

pub fn seeds() -> Vec<(String, Vec<u8>)> {
    [
        ("equals", r#"email = "fuzz@example.com""#),
        ("prefix", r#"given_name ^= "Jo""#),
        ("escaped", r#"name = "a \"quoted\" \\ name""#),
        ("status", r#"cognito:user_status = "CONFIRMED""#),
        ("blank", "   "),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_owned(), text.as_bytes().to_vec()))
    .collect()
}
