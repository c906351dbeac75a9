//! Email through a real SMTP server (aiosmtpd from the test venv, writing a Maildir): the
//! verification, invitation and reset emails arrive with the pool's sender, subject and body,
//! and a server that never answers delays no API call. Skipped without the venv, unless
//! IRONPOOL_REQUIRE_CLIENTS=1.

use crate::harness::{client_with, pool_with, venv_python, TestServer};
use crate::users::{attr, PW};
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, DeliveryMediumType, EmailConfigurationType, EmailSendingAccountType,
    MessageTemplateType, VerifiedAttributeType,
};
use ironpool_server::smtp::SmtpConfig;
use ironpool_server::Config;
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// aiosmtpd listening on a free loopback port, storing what it receives in a Maildir.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start(python: &Path) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("mail");
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits until `n` messages have arrived; their headers (lowercase names) and bodies.
    pub async fn wait_for(&self, n: usize) -> Vec<Email> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut mails: Vec<Email> = std::fs::read_dir(self.maildir.join("new"))
                .map(|d| {
                    d.filter_map(Result::ok)
                        .map(|e| Email::parse(&std::fs::read_to_string(e.path()).unwrap()))
                        .collect()
                })
                .unwrap_or_default();
            if mails.len() >= n || Instant::now() > deadline {
                mails.sort_by(|a, b| a.header("to").cmp(b.header("to")));
                return mails;
            }
            // Delivery runs on this runtime: wait without blocking it.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
pub struct Email {
    headers: BTreeMap<String, String>,
    pub body: String,
}

impl Email {
    fn parse(text: &str) -> Self {
        let text = text.replace("\r\n", "\n");
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut headers = BTreeMap::new();
        let mut last = String::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = headers.get_mut(&last) {
                    *v = format!("{v} {}", line.trim());
                }
            } else if let Some((k, v)) = line.split_once(':') {
                last = k.to_ascii_lowercase();
                headers.insert(last.clone(), v.trim().to_owned());
            }
        }
        Self {
            headers,
            body: body.trim_end().to_owned(),
        }
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

fn config(url: String) -> Config {
    Config {
        smtp: SmtpConfig {
            smtp_url: Some(url.parse().unwrap()),
            smtp_password_file: None,
            smtp_from: "Ironpool <no-reply@ironpool.test>".into(),
        },
        ..crate::harness::test_config()
    }
}

#[tokio::test]
async fn sign_up_invitation_and_reset_emails_arrive_by_smtp() {
    let Some(python) = venv_python("aiosmtpd") else {
        return;
    };
    let smtp = SmtpServer::start(&python);
    let s = TestServer::with_config(config(smtp.url())).await;
    let c = s.client();
    let p = pool_with(&c, |b| {
        b.auto_verified_attributes(VerifiedAttributeType::Email)
            .email_configuration(
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::Developer)
                    .source_arn("arn:aws:ses:us-east-1:000000000000:identity/auth@example.com")
                    .from("Example Team <team@example.com>")
                    .reply_to_email_address("help@example.com")
                    .build(),
            )
            .admin_create_user_config(
                AdminCreateUserConfigType::builder()
                    .invite_message_template(
                        MessageTemplateType::builder()
                            .email_subject("Welcome to Example")
                            .email_message("Hello {username}, your temporary password is {####}")
                            .build(),
                    )
                    .build(),
            )
    })
    .await;
    let plain = pool_with(&c, |b| b).await;
    let cid = client_with(&c, &p, |b| b).await;

    c.sign_up()
        .client_id(&cid)
        .username("sam")
        .password(PW)
        .user_attributes(attr("email", "sam@example.com"))
        .send()
        .await
        .unwrap();
    let sign_up_code = s.server.app().outbox.list(Some(&p), Some("sam"))[0]
        .code
        .clone();
    c.confirm_sign_up()
        .client_id(&cid)
        .username("sam")
        .confirmation_code(&sign_up_code)
        .send()
        .await
        .unwrap();
    c.forgot_password()
        .client_id(&cid)
        .username("sam")
        .send()
        .await
        .unwrap();
    for (pool, name) in [(&p, "dave"), (&plain, "erin")] {
        c.admin_create_user()
            .user_pool_id(pool)
            .username(name)
            .user_attributes(attr("email", &format!("{name}@example.com")))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .unwrap();
    }
    let outbox = |pool: &str, user: &str| s.server.app().outbox.list(Some(pool), Some(user));
    let reset_code = outbox(&p, "sam")[1].code.clone();
    let dave_password = outbox(&p, "dave")[0].code.clone();
    let erin_password = outbox(&plain, "erin")[0].code.clone();

    let mails = smtp.wait_for(4).await;
    assert_eq!(mails.len(), 4, "{mails:?}");
    let [dave, erin, sam1, sam2] = &mails[..] else {
        unreachable!()
    };
    assert_eq!(dave.header("to"), "dave@example.com");
    assert_eq!(dave.header("from"), "\"Example Team\" <team@example.com>");
    assert_eq!(dave.header("reply-to"), "help@example.com");
    assert_eq!(dave.header("subject"), "Welcome to Example");
    assert_eq!(
        dave.body,
        format!("Hello dave, your temporary password is {dave_password}")
    );
    // A pool without EmailConfiguration sends from --smtp-from, Cognito's default text.
    assert_eq!(erin.header("to"), "erin@example.com");
    assert_eq!(erin.header("from"), "Ironpool <no-reply@ironpool.test>");
    assert_eq!(erin.header("subject"), "Your temporary password");
    assert!(erin.body.contains(&erin_password), "{erin:?}");
    // Sign-up code first, then the reset code, both Cognito's default verification email.
    let mut sam = [sam1, sam2];
    sam.sort_by_key(|m| !m.body.contains(&sign_up_code));
    for (mail, code) in sam.iter().zip([&sign_up_code, &reset_code]) {
        assert_eq!(mail.header("to"), "sam@example.com");
        assert_eq!(mail.header("from"), "\"Example Team\" <team@example.com>");
        assert_eq!(mail.header("subject"), "Your verification code");
        assert_eq!(mail.body, format!("Your verification code is {code}."));
    }
    assert_ne!(sign_up_code, reset_code);
}

#[tokio::test]
async fn an_smtp_server_that_never_answers_delays_no_call() {
    // Accepts connections (the kernel's backlog) and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", silent.local_addr().unwrap());
    let s = TestServer::with_config(config(url)).await;
    let c = s.client();
    let p = pool_with(&c, |b| b).await;
    let started = Instant::now();
    for i in 0..3 {
        c.admin_create_user()
            .user_pool_id(&p)
            .username(format!("u{i}"))
            .user_attributes(attr("email", &format!("u{i}@example.com")))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.server.app().outbox.list(Some(&p), None).len(), 3);
}
