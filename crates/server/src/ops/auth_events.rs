//! The auth event trail: [`record`], which every sign-in, sign-up and forgot-password path
//! calls, and AdminListUserAuthEvents, UpdateAuthEventFeedback, AdminUpdateAuthEventFeedback.
//!
//! As Cognito, events are kept only in pools with threat protection (AdvancedSecurityMode
//! AUDIT or ENFORCED), and only there do these operations answer. No risk is scored here: an
//! event's risk is NoRisk, its credentials not found compromised. The end user's IP address
//! and device come from the request (its connection and User-Agent, or the admin operations'
//! ContextData). A FeedbackToken is a keyed hash of the event: nothing of it is stored.

use super::auth::decoy_write;
use super::risk_configuration::{require_threat_protection, threat_protection};
use super::user_pools::get_pool;
use super::users::load_user;
use super::{decode_token, encode_token};
use crate::app::{App, OrInternal};
use crate::request_context::RequestContext;
use ironpool_api::types::*;
use ironpool_api::{ApiError, ErrorCode};
use ironpool_core::ids;
use ironpool_store::{AuthEvent, User};
use std::future::Future;
use subtle::ConstantTimeEq;

/// How many events are kept per user: the newest.
const KEEP: u32 = 1000;
/// A page of AdminListUserAuthEvents when MaxResults is 0 or absent (also its maximum).
const DEFAULT_PAGE: u32 = 60;

/// What happened, as an event records it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    /// A sign-in that ended with tokens (`mfa`: after a second factor).
    SignedIn {
        mfa: bool,
    },
    /// A wrong password.
    WrongPassword,
    /// The right password, then a wrong MFA code.
    WrongMfaCode,
    SignedUp,
    ForgotPassword,
    ResendCode,
}

impl Event {
    fn parts(
        self,
    ) -> (
        EventType,
        EventResponseType,
        Vec<(ChallengeName, ChallengeResponse)>,
    ) {
        use ChallengeName::{Mfa, Password};
        use ChallengeResponse::{Failure, Success};
        use EventResponseType::{Fail, Pass};
        match self {
            Event::SignedIn { mfa: false } => (EventType::SignIn, Pass, vec![(Password, Success)]),
            Event::SignedIn { mfa: true } => (
                EventType::SignIn,
                Pass,
                vec![(Password, Success), (Mfa, Success)],
            ),
            Event::WrongPassword => (EventType::SignIn, Fail, vec![(Password, Failure)]),
            Event::WrongMfaCode => (
                EventType::SignIn,
                Fail,
                vec![(Password, Success), (Mfa, Failure)],
            ),
            Event::SignedUp => (EventType::SignUp, Pass, vec![]),
            Event::ForgotPassword => (EventType::ForgotPassword, Pass, vec![]),
            Event::ResendCode => (EventType::ResendCode, Pass, vec![]),
        }
    }
}

/// Records `event` of `user` (in a pool with threat protection), with the request's address
/// and device. The request's context is taken when this is called, so the returned future may
/// run alongside the request's own writes. A failure is logged, never the request's.
pub(crate) fn record<'a>(app: &'a App, user: &User, event: Event) -> impl Future<Output = ()> + 'a {
    let write = write_event(app, user, event);
    let pool_id = user.pool_id.clone();
    async move {
        let pool = get_pool(app, &pool_id).await;
        if pool.is_ok_and(|p| threat_protection(&p)) {
            write.await;
        }
    }
}

/// As [`record`], for a caller that holds the user's pool (no read of it).
pub(crate) fn record_in<'a>(
    app: &'a App,
    pool: &UserPoolType,
    user: &User,
    event: Event,
) -> impl Future<Output = ()> + 'a {
    let write = threat_protection(pool).then(|| write_event(app, user, event));
    async move {
        if let Some(write) = write {
            write.await;
        }
    }
}

/// The event's write, with the request's context and time taken now.
fn write_event<'a>(app: &'a App, user: &User, event: Event) -> impl Future<Output = ()> + 'a {
    let (pool_id, sub) = (user.pool_id.clone(), user.sub.clone());
    let context = RequestContext::current();
    let now = app.now();
    async move {
        // Errors are logged where they arise (`or_internal`).
        let _ = store_event(app, &pool_id, &sub, event, context, now).await;
    }
}

/// For a request naming nobody (or a user it must not reveal) where a user's request records
/// an event: the same pool read and, with threat protection, a write like the event's (a
/// decoy row, see `auth::decoy_write`), so that both take as long.
pub(crate) fn decoy<'a>(app: &'a App, pool_id: &str, name: &str) -> impl Future<Output = ()> + 'a {
    let (pool_id, name) = (pool_id.to_owned(), name.to_owned());
    async move {
        let Ok(pool) = get_pool(app, &pool_id).await else {
            return;
        };
        if threat_protection(&pool) {
            let _ = decoy_write(app, &pool_id, &format!("auth-event:{name}"), false).await;
        }
    }
}

async fn store_event(
    app: &App,
    pool_id: &str,
    sub: &str,
    event: Event,
    context: RequestContext,
    now: f64,
) -> Result<(), ApiError> {
    let (event_type, response, challenges) = event.parts();
    let event_id = ids::uuid_v4(app.rng.as_ref());
    let doc = AuthEventType {
        event_id: Some(event_id.clone()),
        event_type: Some(event_type),
        creation_date: Some(now),
        event_response: Some(response),
        event_risk: Some(EventRiskType {
            risk_decision: Some(RiskDecisionType::NoRisk),
            risk_level: None,
            compromised_credentials_detected: Some(false),
        }),
        challenge_responses: Some(
            challenges
                .into_iter()
                .map(|(name, r)| ChallengeResponseType {
                    challenge_name: Some(name),
                    challenge_response: Some(r),
                })
                .collect(),
        ),
        event_context_data: Some(EventContextDataType {
            ip_address: context.ip_address,
            device_name: context.user_agent.as_deref().and_then(device_name),
            ..Default::default()
        }),
        event_feedback: None,
    };
    let event = AuthEvent {
        pool_id: pool_id.to_owned(),
        sub: sub.to_owned(),
        event_id,
        created: now,
        doc: serde_json::to_string(&doc).or_internal()?,
    };
    app.store.add_auth_event(&event, KEEP).await.or_internal()
}

/// A device's name from its User-Agent: "Chrome 120, Windows 10" for a browser, otherwise the
/// agent's first product ("aws-sdk-rust/1.3.9").
fn device_name(agent: &str) -> Option<String> {
    let version = |marker: &str| {
        agent.split(marker).nth(1).map(|rest| {
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or_default()
                .to_owned()
        })
    };
    let browser = [
        ("Edg/", "Edge", "Edg/"),
        ("OPR/", "Opera", "OPR/"),
        ("Firefox/", "Firefox", "Firefox/"),
        ("Chrome/", "Chrome", "Chrome/"),
        ("Safari/", "Safari", "Version/"),
    ]
    .into_iter()
    .find(|(marker, _, _)| agent.contains(marker))
    .map(|(_, name, at)| format!("{name} {}", version(at).unwrap_or_default()));
    let Some(browser) = browser else {
        return agent
            .split_whitespace()
            .next()
            .map(|product| product.chars().take(256).collect());
    };
    let os = [
        ("Windows NT 10.0", "Windows 10"),
        ("Windows", "Windows"),
        ("iPhone", "iOS"),
        ("iPad", "iOS"),
        ("Mac OS X", "Mac OS X"),
        ("Android", "Android"),
        ("CrOS", "Chrome OS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| agent.contains(marker))
    .map_or("Other", |(_, name)| name);
    Some(format!("{}, {os}", browser.trim_end()))
}

/// What UpdateAuthEventFeedback must be given for the event (the value a notification's
/// one-click link carries).
pub(crate) fn feedback_token(app: &App, pool_id: &str, event_id: &str) -> String {
    app.master_key.mac(
        &format!("auth-event-feedback:{pool_id}"),
        event_id.as_bytes(),
    )
}

fn page_token(event: &AuthEvent) -> String {
    encode_token(&format!("{}|{}", event.created, event.event_id))
}

fn page_start(token: &str) -> Result<(f64, String), ApiError> {
    let text = decode_token(token)?;
    text.split_once('|')
        .and_then(|(created, id)| Some((created.parse().ok()?, id.to_owned())))
        .filter(|(_, id)| !id.is_empty())
        .ok_or_else(|| ApiError::invalid_parameter("Invalid pagination token."))
}

/// The user's events, newest first, MaxResults (60 when 0 or absent) a page. A pool without
/// threat protection answers UserPoolAddOnNotEnabledException; the user may be named by
/// username, alias or sub.
pub async fn admin_list_user_auth_events(
    app: &App,
    input: AdminListUserAuthEventsRequest,
) -> Result<AdminListUserAuthEventsResponse, ApiError> {
    let pool = get_pool(app, &input.user_pool_id).await?;
    require_threat_protection(&pool)?;
    let user = load_user(app, &pool, input.username.expose()).await?;
    let limit = match input.max_results {
        Some(n) if n > 0 => n as u32,
        _ => DEFAULT_PAGE,
    };
    let start = input.next_token.as_deref().map(page_start).transpose()?;
    let mut events = app
        .store
        .list_auth_events(&user.pool_id, &user.sub, start, limit + 1)
        .await
        .or_internal()?;
    let next_token = (events.len() > limit as usize).then(|| {
        events.truncate(limit as usize);
        page_token(&events[events.len() - 1])
    });
    let auth_events = events
        .iter()
        .map(|e| serde_json::from_str::<AuthEventType>(&e.doc))
        .collect::<Result<Vec<_>, _>>()
        .or_internal()?;
    Ok(AdminListUserAuthEventsResponse {
        auth_events: Some(auth_events),
        next_token,
    })
}

/// Sets the event's feedback (a second one replaces the first). With `token`, the user's own
/// feedback: the token must be the event's, compared in constant time.
async fn give_feedback(
    app: &App,
    pool_id: &str,
    username: &str,
    event_id: &str,
    value: FeedbackValueType,
    token: Option<&str>,
) -> Result<(), ApiError> {
    let pool = get_pool(app, pool_id).await?;
    require_threat_protection(&pool)?;
    let user = load_user(app, &pool, username).await?;
    if let Some(token) = token {
        let expected = feedback_token(app, pool_id, event_id);
        if !bool::from(token.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(ApiError::not_authorized("Invalid feedback token."));
        }
    }
    let mut event = app
        .store
        .get_auth_event(pool_id, &user.sub, event_id)
        .await
        .or_internal()?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::ResourceNotFoundException,
                "Auth event not found.",
            )
        })?;
    let mut doc: AuthEventType = serde_json::from_str(&event.doc).or_internal()?;
    doc.event_feedback = Some(EventFeedbackType {
        feedback_value: value,
        provider: if token.is_some() { "User" } else { "Admin" }.into(),
        feedback_date: Some(app.now()),
    });
    event.doc = serde_json::to_string(&doc).or_internal()?;
    app.store.put_auth_event(&event).await.or_internal()?;
    Ok(())
}

/// The user's verdict on an event (Valid: it was them; Invalid: it was not), authorized by
/// the event's FeedbackToken instead of credentials.
pub async fn update_auth_event_feedback(
    app: &App,
    input: UpdateAuthEventFeedbackRequest,
) -> Result<UpdateAuthEventFeedbackResponse, ApiError> {
    give_feedback(
        app,
        &input.user_pool_id,
        input.username.expose(),
        &input.event_id,
        input.feedback_value,
        Some(input.feedback_token.expose()),
    )
    .await?;
    Ok(UpdateAuthEventFeedbackResponse::default())
}

/// An administrator's verdict on an event; its Provider reads "Admin".
pub async fn admin_update_auth_event_feedback(
    app: &App,
    input: AdminUpdateAuthEventFeedbackRequest,
) -> Result<AdminUpdateAuthEventFeedbackResponse, ApiError> {
    give_feedback(
        app,
        &input.user_pool_id,
        input.username.expose(),
        &input.event_id,
        input.feedback_value,
        None,
    )
    .await?;
    Ok(AdminUpdateAuthEventFeedbackResponse::default())
}

#[cfg(test)]
mod tests {
    use super::device_name;

    #[test]
    fn devices_are_named_by_browser_and_system_or_by_product() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(device_name(chrome).unwrap(), "Chrome 120, Windows 10");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(device_name(safari).unwrap(), "Safari 17, iOS");
        let sdk = "aws-sdk-rust/1.3.9 os/linux lang/rust/1.80.0";
        assert_eq!(device_name(sdk).unwrap(), "aws-sdk-rust/1.3.9");
        assert_eq!(device_name(""), None);
    }
}
