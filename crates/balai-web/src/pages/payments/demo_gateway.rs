//! The demo's payment gateway: a mock that speaks the real callback protocol over HTTP. When the
//! demo citizen presses "pay", it writes the notification a gateway would (a fresh transaction id,
//! the invoice's bill number and exact amount, paid now), signs it with the shared secret and posts
//! it to the server's own generic callback, so the payment arrives the way a real one does.
//!
//! It only ever calls a loopback origin: it exists for `balai demo` and the tests, and must not be
//! a way to make the server send requests elsewhere.

use super::pay::texts;
use crate::AppState;
use crate::api::payments::CALLBACK_PATH;
use crate::error::{AppError, Refusal};
use crate::pages::error_page;
use crate::posted::CitizenPost;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use balai_domain::Lang;
use balai_gateway::callback::{self, Channel, Notification, NotificationStatus};
use balai_store::payments;
use serde::Deserialize;
use std::time::Duration;

/// How long the mock waits for the server's answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Why an origin is not one the mock calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotLoopback;

/// The origin as `http://host[:port]`, when its host is this machine (127.0.0.1, localhost, [::1])
/// and it has nothing but a scheme, a host and a port.
pub fn loopback_origin(origin: &str) -> Result<String, NotLoopback> {
    let authority = origin.strip_prefix("http://").ok_or(NotLoopback)?.trim_end_matches('/');
    if authority.is_empty() || authority.contains(['/', '@', '?', '#', '\\', ' ']) {
        return Err(NotLoopback);
    }
    // The host, and what follows it: nothing, or `:` and the port's digits.
    let (host, rest) = match authority.strip_prefix('[') {
        Some(inner) => {
            let end = inner.find(']').ok_or(NotLoopback)?;
            (&authority[..end + 2], &inner[end + 1..])
        }
        None => authority.split_at(authority.find(':').unwrap_or(authority.len())),
    };
    if !matches!(host.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "[::1]") {
        return Err(NotLoopback);
    }
    match rest.strip_prefix(':') {
        None if rest.is_empty() => {}
        Some(digits) if (1..=5).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) => {}
        _ => return Err(NotLoopback),
    }
    Ok(format!("http://{authority}"))
}

/// Signs `notification` at `unix_seconds` under `secret` and posts it to `{origin}` + the generic
/// callback's path. Returns the HTTP status the server answered. Blocking: call it off the async
/// runtime's threads.
pub fn send_callback_at(
    origin: &str,
    secret: &[u8],
    notification: &Notification,
    unix_seconds: i64,
) -> Result<u16, String> {
    let origin = loopback_origin(origin).map_err(|_| format!("not a loopback origin: {origin}"))?;
    let body = serde_json::to_vec(notification).map_err(|e| format!("writing the notification: {e}"))?;
    let signature = callback::sign(secret, unix_seconds, &body);
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .max_redirects(0)
        // Straight to this machine, never through a proxy from the environment.
        .proxy(None)
        .build()
        .new_agent();
    let response = agent
        .post(&format!("{origin}{CALLBACK_PATH}"))
        .header("content-type", "application/json")
        .header(callback::SIGNATURE_HEADER, &signature)
        .send(&body[..])
        .map_err(|e| format!("sending the callback: {e}"))?;
    Ok(response.status().as_u16())
}

/// [`send_callback_at`] signed at the system clock's now.
pub fn send_callback(origin: &str, secret: &[u8], notification: &Notification) -> Result<u16, String> {
    send_callback_at(origin, secret, notification, chrono::Utc::now().timestamp())
}

/// A fresh transaction id, as a gateway makes one per payment.
fn transaction_id() -> String {
    let token = crate::auth::random_token();
    format!("demo-{}", token.chars().filter(char::is_ascii_alphanumeric).take(24).collect::<String>())
}

#[derive(Deserialize)]
pub(super) struct PayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    channel: String,
}
crate::posted::csrf_form!(PayForm);

fn gateway_failed(lang: Lang, detail: String) -> AppError {
    tracing::warn!(reason = %detail, "the demo gateway's callback did not go through");
    AppError::from(Refusal {
        status: StatusCode::BAD_GATEWAY,
        problem_type: "/problems/demo-gateway",
        title: texts::DEMO_FAILED_TITLE.get(lang),
        field: None,
        rule: "demo_gateway",
        message: texts::DEMO_FAILED.get(lang).to_owned(),
        retry_after: None,
        attempts_left: None,
    })
}

/// `POST /demo/gateway/bayar/{id}`: the demo citizen pays their own open invoice through the mock.
pub(super) async fn pay(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CitizenPost { citizen, lang, uri, form }: CitizenPost<PayForm>,
) -> Response {
    let (Some(origin), Some(secret)) =
        (state.config.payments.demo_gateway_origin.clone(), state.config.payments.callback_secret.clone())
    else {
        return error_page(lang, &uri, AppError::NotFound);
    };
    let invoice = match payments::invoice_for_citizen(&state.db, citizen.citizen_id, &id).await {
        Ok(i) => i,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let back = format!("/bayar/{}{}", invoice.public_id, if lang == Lang::En { "?lang=en" } else { "" });
    let now = state.config.clock.now();
    if !invoice.is_open(now) {
        // Nothing to pay: the page says why (paid, expired, failed).
        return Redirect::to(&back).into_response();
    }
    let channel = match form.channel.as_str() {
        "va" => Channel::Va,
        _ => Channel::Qris,
    };
    let notification = Notification {
        transaction_id: transaction_id(),
        bill_number: invoice.bill_number.clone(),
        amount: invoice.amount,
        status: NotificationStatus::Paid,
        paid_at: now.fixed_offset(),
        channel,
    };
    let unix = now.timestamp();
    let sent = tokio::task::spawn_blocking(move || send_callback_at(&origin, &secret, &notification, unix)).await;
    match sent {
        Ok(Ok(200)) => Redirect::to(&back).into_response(),
        Ok(Ok(status)) => error_page(lang, &uri, gateway_failed(lang, format!("the callback answered {status}"))),
        Ok(Err(e)) => error_page(lang, &uri, gateway_failed(lang, e)),
        Err(e) => error_page(lang, &uri, AppError::Internal(format!("demo gateway task: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_called() {
        for ok in ["http://127.0.0.1:8080", "http://127.0.0.1", "http://localhost:3000/", "http://[::1]:8080"] {
            assert!(loopback_origin(ok).is_ok(), "{ok}");
        }
        for refused in [
            "https://127.0.0.1:8080",
            "http://10.0.0.1:8080",
            "http://127.0.0.1.evil.example",
            "http://127.0.0.1:8080@evil.example",
            "http://evil.example/127.0.0.1",
            "http://127.0.0.1:80a",
            "http://127.0.0.1:8080/path",
            "http://[::2]:8080",
            "http://[::1]x",
            "ftp://127.0.0.1",
            "",
        ] {
            assert_eq!(loopback_origin(refused), Err(NotLoopback), "{refused}");
        }
    }

    #[test]
    fn a_refused_origin_sends_nothing() {
        let n = Notification {
            transaction_id: "t-1".into(),
            bill_number: "537100000012".into(),
            amount: 150_000,
            status: NotificationStatus::Paid,
            paid_at: chrono::Utc::now().fixed_offset(),
            channel: Channel::Qris,
        };
        let e = send_callback("http://example.org", b"secret", &n).unwrap_err();
        assert!(e.contains("not a loopback origin"), "{e}");
    }
}
