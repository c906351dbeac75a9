//! Email delivery through an SMTP server (`--smtp-url`). Cognito answers the API call before
//! the message is delivered, so each email is sent by a background task: a slow or failing
//! server never delays or fails a sign-up, and a failure is logged without the message's code.
//! SMS messages stay in the outbox.

use crate::messages::{Message, MessageSender};
use clap::Args;
use ironpool_api::types::EmailConfigurationType;
use ironpool_store::Store;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

/// The sender address of Cognito's own email (EmailSendingAccount COGNITO_DEFAULT).
pub const COGNITO_DEFAULT_FROM: &str = "no-reply@verificationemail.com";

/// How long one delivery may take before it is given up (and logged).
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, Args)]
pub struct SmtpConfig {
    /// Send EMAIL messages through this SMTP server as well as to the outbox:
    /// smtp://[user[:password]@]host[:port] (plain, port 25), add ?tls=required for STARTTLS
    /// (port 587), or smtps://... for TLS from the start (port 465).
    #[arg(long, env = "IRONPOOL_SMTP_URL")]
    pub smtp_url: Option<SmtpUrl>,

    /// File holding the SMTP password (its first line), instead of putting it in the URL.
    #[arg(long, env = "IRONPOOL_SMTP_PASSWORD_FILE")]
    pub smtp_password_file: Option<PathBuf>,

    /// Sender of pools whose EmailConfiguration names none (neither From nor SourceArn).
    #[arg(long, env = "IRONPOOL_SMTP_FROM", default_value = COGNITO_DEFAULT_FROM)]
    pub smtp_from: String,
}

/// An SMTP URL; shown without its user and password wherever it is printed.
#[derive(Clone)]
pub struct SmtpUrl(String);

impl FromStr for SmtpUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.starts_with("smtp://") || s.starts_with("smtps://") {
            Ok(Self(s.to_owned()))
        } else {
            Err("an SMTP URL starts with smtp:// or smtps://".into())
        }
    }
}

impl SmtpUrl {
    /// `scheme://host:port`, what logs may show.
    pub fn redacted(&self) -> String {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("smtp", &self.0));
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        format!("{scheme}://{host}")
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({})", self.redacted())
    }
}

/// Sends EMAIL messages through SMTP, from the address the message's pool configures.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    default_from: Mailbox,
    store: Arc<dyn Store>,
}

impl SmtpSender {
    /// The sender `config` asks for; None without `--smtp-url`.
    pub fn from_config(config: &SmtpConfig, store: Arc<dyn Store>) -> Result<Option<Self>, String> {
        let Some(url) = &config.smtp_url else {
            return Ok(None);
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0)
            .map_err(|e| format!("--smtp-url {}: {e}", url.redacted()))?
            .timeout(Some(TIMEOUT));
        if let Some(path) = &config.smtp_password_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let password = text.lines().next().unwrap_or_default().to_owned();
            builder = builder.credentials(Credentials::new(user_of(&url.0), password));
        }
        let default_from = config
            .smtp_from
            .parse()
            .map_err(|e| format!("--smtp-from {:?}: {e}", config.smtp_from))?;
        Ok(Some(Self {
            transport: builder.build(),
            default_from,
            store,
        }))
    }

    async fn deliver(&self, message: &Message) -> Result<(), String> {
        let email_config = self
            .store
            .get_user_pool(&message.pool_id)
            .await
            .map_err(|e| e.to_string())?
            .and_then(|p| p.email_configuration);
        let (from, reply_to) = addresses(email_config.as_ref(), &self.default_from);
        let to: Mailbox = message
            .destination
            .parse()
            .map_err(|e| format!("invalid destination: {e}"))?;
        let mut email = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(message.subject.clone().unwrap_or_default())
            .header(ContentType::TEXT_HTML);
        if let Some(reply_to) = reply_to {
            email = email.reply_to(reply_to);
        }
        let email = email
            .body(message.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The user name of an SMTP URL, percent-decoded.
fn user_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let user = authority
        .rsplit_once('@')
        .map_or("", |(u, _)| u.split(':').next().unwrap_or_default());
    percent_encoding::percent_decode_str(user)
        .decode_utf8_lossy()
        .into_owned()
}

/// From and Reply-To as the pool's EmailConfiguration sets them: From, else the address of
/// the SES identity SourceArn names, else the default sender.
fn addresses(
    config: Option<&EmailConfigurationType>,
    default_from: &Mailbox,
) -> (Mailbox, Option<Mailbox>) {
    let configured = config.and_then(|c| {
        c.from.as_deref().and_then(|f| f.parse().ok()).or_else(|| {
            c.source_arn
                .as_deref()
                .and_then(|arn| arn.rsplit_once(":identity/"))
                .and_then(|(_, identity)| identity.parse().ok())
        })
    });
    let reply_to = config
        .and_then(|c| c.reply_to_email_address.as_deref())
        .and_then(|r| r.parse().ok());
    (configured.unwrap_or_else(|| default_from.clone()), reply_to)
}

/// Hands each EMAIL message to a background task, so the API answers at once.
pub struct Background(pub Arc<SmtpSender>);

impl MessageSender for Background {
    fn send(&self, message: &Message) {
        if message.medium != "EMAIL" {
            crate::metrics::message(&message.medium, "sent");
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!(pool = %message.pool_id, "no runtime to send email from");
            crate::metrics::message(&message.medium, "failed");
            return;
        };
        let sender = self.0.clone();
        let message = message.clone();
        let delivery = async move {
            let delivered = sender.deliver(&message).await;
            let outcome = if delivered.is_ok() { "sent" } else { "failed" };
            crate::metrics::message(&message.medium, outcome);
            match delivered {
                Ok(()) => tracing::info!(
                    pool = %message.pool_id,
                    username = %message.username,
                    purpose = %message.purpose,
                    "email sent"
                ),
                Err(error) => tracing::warn!(
                    pool = %message.pool_id,
                    username = %message.username,
                    purpose = %message.purpose,
                    %error,
                    "email delivery failed"
                ),
            }
        };
        runtime.spawn(delivery.in_current_span());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_printed_without_credentials() {
        let url: SmtpUrl = "smtp://me%40x.org:s3cret@mail.example.com:587?tls=required"
            .parse()
            .unwrap();
        assert_eq!(url.redacted(), "smtp://mail.example.com:587");
        assert_eq!(format!("{url:?}"), "SmtpUrl(smtp://mail.example.com:587)");
        assert_eq!(user_of(&url.0), "me@x.org");
        assert!("http://x".parse::<SmtpUrl>().is_err());
    }

    #[test]
    fn the_sender_follows_the_pool_email_configuration() {
        let default: Mailbox = COGNITO_DEFAULT_FROM.parse().unwrap();
        let (from, reply) = addresses(None, &default);
        assert_eq!(
            (from.to_string(), reply),
            (COGNITO_DEFAULT_FROM.into(), None)
        );
        let arn = EmailConfigurationType {
            source_arn: Some("arn:aws:ses:us-east-1:123456789012:identity/ops@example.com".into()),
            reply_to_email_address: Some("help@example.com".into()),
            ..Default::default()
        };
        let (from, reply) = addresses(Some(&arn), &default);
        assert_eq!(from.to_string(), "ops@example.com");
        assert_eq!(reply.unwrap().to_string(), "help@example.com");
        let named = EmailConfigurationType {
            from: Some("Example <team@example.com>".into()),
            ..arn
        };
        let (from, _) = addresses(Some(&named), &default);
        assert_eq!(from.to_string(), "Example <team@example.com>");
    }
}
