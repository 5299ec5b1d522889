//! Payments API: a citizen's invoice (with its QRIS payload and virtual account), and the signed
//! notification a payment gateway sends when a bill is paid.

use super::{answers, with_body_checks};
use crate::AppState;
use crate::applications::ApiCitizen;
use crate::error::{ApiError, AppError, Problem, Refusal};
use crate::i18n::RequestLang;
use crate::texts::common as texts;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use balai_domain::payments::{Channel, InvoiceStatus, qris};
use balai_domain::{Lang, Rupiah};
use balai_gateway::callback::{self, CallbackAuthError, Notification, NotificationStatus};
use balai_store::payments::{self, IncomingPayment, Invoice, Mismatch, Settlement};
use serde::Serialize;
use utoipa::ToSchema;

/// A gateway's notification is small; anything larger is not one.
const MAX_CALLBACK_BYTES: usize = 16 * 1024;

/// The path of the generic gateway callback.
pub const CALLBACK_PATH: &str = "/api/v1/payments/callback/generic";

pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new().route("/v1/invoices/{id}", get(invoice)).route(
        "/v1/payments/callback/generic",
        with_body_checks(post(generic_callback), state).layer(DefaultBodyLimit::max(MAX_CALLBACK_BYTES)),
    )
}

/// An invoice as a citizen's app reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceDoc {
    /// The invoice's id in links and this API.
    id: String,
    /// Digits with a check digit: on the QR, as the virtual account's customer number, on the bill.
    bill_number: String,
    /// Whole rupiah: the fee of the service standard the case was opened under, no surcharge.
    amount: i64,
    /// e.g. `Rp150.000`.
    amount_display: String,
    /// created, started, submitted, success, failed, cancelled, expired or refunded.
    status: String,
    created_at: String,
    /// Until when the invoice can be paid (by virtual account; the QR's own time may be shorter).
    expires_at: String,
    /// Until when the QR is shown (default 24 hours after issue).
    qris_expires_at: Option<String>,
    paid_at: Option<String>,
    /// How it was paid: `qris`, `va` or `counter`.
    channel: Option<String>,
    /// The merchant name the QR carries (the regional treasury).
    merchant_name: Option<String>,
    /// The dynamic QRIS payload to show as a QR code, until `qris_expires_at`.
    qris: Option<String>,
    /// The virtual account number (the bank's partner service id + the bill number), while the
    /// invoice can be paid and virtual accounts are configured.
    virtual_account: Option<String>,
}

/// An invoice in an application's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoiceSummary {
    id: String,
    bill_number: String,
    amount: i64,
    status: String,
    expires_at: String,
}

impl From<&Invoice> for InvoiceSummary {
    fn from(i: &Invoice) -> Self {
        InvoiceSummary {
            id: i.public_id.clone(),
            bill_number: i.bill_number.clone(),
            amount: i.amount,
            status: i.status.clone(),
            expires_at: i.expires_at.to_rfc3339(),
        }
    }
}

/// What a page or the API shows of an invoice: the QR payload and the virtual account only while
/// it can be paid.
pub async fn invoice_doc(state: &AppState, invoice: &Invoice) -> Result<InvoiceDoc, AppError> {
    let now = state.config.clock.now();
    let settings = payments::settings(&state.db, invoice.government_id).await?;
    let open = invoice.is_open(now);
    let qris_until = settings.as_ref().map(|s| s.qris_until(invoice));
    let qris = match (&settings, open && qris_until.is_some_and(|until| until > now)) {
        (Some(s), true) => Some(
            qris::encode_dynamic(&s.merchant(), Rupiah(invoice.amount), &invoice.bill_number)
                .map_err(|e| AppError::Internal(format!("QRIS for invoice {}: {e}", invoice.id)))?,
        ),
        _ => None,
    };
    let virtual_account = match (&state.config.payments.partner_service_id, open) {
        (Some(prefix), true) => Some(balai_gateway::snap::virtual_account_number(prefix, &invoice.bill_number)),
        _ => None,
    };
    Ok(InvoiceDoc {
        id: invoice.public_id.clone(),
        bill_number: invoice.bill_number.clone(),
        amount: invoice.amount,
        amount_display: Rupiah(invoice.amount).to_string(),
        status: invoice.status.clone(),
        created_at: invoice.created_at.to_rfc3339(),
        expires_at: invoice.expires_at.to_rfc3339(),
        qris_expires_at: qris_until.map(|t| t.to_rfc3339()),
        paid_at: invoice.paid_at.map(|t| t.to_rfc3339()),
        channel: invoice.channel.clone(),
        merchant_name: settings.map(|s| s.merchant_name),
        qris,
        virtual_account,
    })
}

/// The citizen's own invoice. Another citizen's, or a malformed id, is 404.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "payments",
    params(("id" = String, Path, description = "The invoice's id (20 letters and digits)")),
    responses((status = 200, body = InvoiceDoc),
        (status = 401, response = answers::Unauthorized),
        (status = 404, description = "No such invoice of this citizen", body = Problem,
            content_type = "application/problem+json")))]
pub async fn invoice(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    citizen: ApiCitizen,
    Path(id): Path<String>,
) -> Result<Json<InvoiceDoc>, ApiError> {
    let found = payments::invoice_for_citizen(&state.db, citizen.citizen_id, &id)
        .await
        .map_err(|e| ApiError(e.into(), lang))?;
    invoice_doc(&state, &found).await.map(Json).map_err(|e| ApiError(e, lang))
}

/// What Balai answers a gateway.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallbackAnswer {
    /// `paid`; `duplicate` (this transaction was reported before, nothing changed); `held` (money
    /// that does not pay its invoice — a different amount, an invoice already paid or expired — kept
    /// for the treasurer); `failed` (the failure was recorded).
    result: &'static str,
    /// The invoice's status after this notification.
    invoice_status: Option<String>,
}

fn unauthorized(lang: Lang, rule: &'static str) -> Response {
    ApiError(
        AppError::from(Refusal {
            status: StatusCode::UNAUTHORIZED,
            problem_type: "/problems/bad-signature",
            title: texts::BAD_SIGNATURE_TITLE.get(lang),
            field: Some("Balai-Signature"),
            rule,
            message: match rule {
                "stale_timestamp" => texts::STALE_SIGNATURE_DETAIL,
                _ => texts::BAD_SIGNATURE_DETAIL,
            }
            .get(lang)
            .to_owned(),
            retry_after: None,
            attempts_left: None,
        }),
        lang,
    )
    .into_response()
}

/// A payment gateway reports a payment. The `Balai-Signature` header (`t=<unix seconds>,v1=<hex
/// HMAC-SHA256 of "<t>.<raw body>">` under the shared secret) is checked over the exact bytes, in
/// constant time; a time more than 5 minutes away is refused. The same `transaction_id` again is
/// answered 200 and changes nothing. An amount that differs from the invoice is held for review,
/// never marked paid. A paid invoice moves its case on in the same transaction.
#[utoipa::path(post, path = "/api/v1/payments/callback/generic", tag = "payments",
    request_body(content = inline(NotificationDoc), description = "The gateway's notification"),
    params(("Balai-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256>")),
    responses((status = 200, body = CallbackAnswer),
        (status = 400, response = answers::BadRequest),
        (status = 401, description = "A missing or wrong signature, or a stale time: nothing changed", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No invoice has this bill number: nothing kept", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, response = answers::Unprocessable)))]
pub async fn generic_callback(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let Some(secret) = state.config.payments.callback_secret.as_deref() else {
        // Without a secret no notification can be believed: the endpoint is not there.
        return ApiError(AppError::NotFound, lang).into_response();
    };
    let now = state.config.clock.now();
    let header = headers.get(callback::SIGNATURE_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match callback::verify(secret, header, &body, now.timestamp()) {
        Ok(()) => {}
        Err(CallbackAuthError::Stale) => {
            tracing::warn!("payment callback refused: stale timestamp");
            return unauthorized(lang, "stale_timestamp");
        }
        Err(e) => {
            tracing::warn!(reason = ?e, "payment callback refused: bad signature");
            return unauthorized(lang, "signature");
        }
    }
    let notification: Notification = match serde_json::from_slice(&body) {
        Ok(n) => n,
        Err(_) => {
            return ApiError(
                AppError::BadParameter { param: "body", expected: crate::error::Expected::PaymentNotification },
                lang,
            )
            .into_response();
        }
    };
    if let Err(problems) = notification.validate() {
        let mut e = balai_domain::validation::FieldErrors::default();
        for (field, _) in problems {
            e.push(field, balai_domain::validation::Rule::Format { expected: field_rule(field) });
        }
        return ApiError(AppError::Invalid(e), lang).into_response();
    }
    let payment = IncomingPayment {
        source: "generic",
        transaction_id: &notification.transaction_id,
        bill_number: &notification.bill_number,
        amount: Rupiah(notification.amount),
        channel: match notification.channel {
            callback::Channel::Qris => Channel::Qris,
            callback::Channel::Va => Channel::VirtualAccount,
        },
        paid_at: notification.paid_at.with_timezone(&chrono::Utc),
        failed: notification.status == NotificationStatus::Failed,
    };
    let answer = |result: &'static str, invoice: Option<&Invoice>| {
        Json(CallbackAnswer { result, invoice_status: invoice.map(|i| i.status.clone()) }).into_response()
    };
    match payments::settle(&state.db, &state.vault, &payment, Mismatch::Hold, now).await {
        Ok(Settlement::Paid { invoice }) => {
            tracing::info!(invoice = invoice.id, "payment settled: invoice paid");
            answer("paid", Some(&invoice))
        }
        Ok(Settlement::Duplicate) => answer("duplicate", None),
        Ok(Settlement::Failed { invoice }) => answer("failed", Some(&invoice)),
        Ok(Settlement::WrongAmount { invoice, .. }) => {
            tracing::warn!(invoice = invoice.id, "payment held: the amount differs from the invoice");
            answer("held", Some(&invoice))
        }
        Ok(Settlement::AlreadyPaid { invoice, .. }) => {
            tracing::warn!(invoice = invoice.id, "payment held: the invoice was already paid");
            answer("held", Some(&invoice))
        }
        Ok(Settlement::NotPayable { invoice, .. }) => {
            tracing::warn!(invoice = invoice.id, "payment held: the invoice can no longer be paid");
            answer("held", Some(&invoice))
        }
        Ok(Settlement::UnknownBill) => {
            tracing::warn!("payment callback for an unknown bill number");
            ApiError(AppError::NotFound, lang).into_response()
        }
        Err(e) => ApiError(e.into(), lang).into_response(),
    }
}

fn field_rule(field: &str) -> &'static str {
    match field {
        "transaction_id" => "1 to 64 printable ASCII characters without spaces",
        "bill_number" => "1 to 20 digits",
        "amount" => "a whole number of rupiah from 1",
        _ => "a valid value",
    }
}

/// The notification's body, for the API description.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct NotificationDoc {
    /// The gateway's id for the payment: the same id again is the same payment.
    transaction_id: String,
    /// The invoice's bill number.
    bill_number: String,
    /// Whole rupiah.
    amount: i64,
    /// `paid` or `failed`.
    status: String,
    /// RFC 3339 with an offset.
    paid_at: String,
    /// `qris` or `va`.
    channel: String,
}

/// Whether an invoice's status lets the citizen pay it now.
pub fn payable(invoice: &Invoice, now: chrono::DateTime<chrono::Utc>) -> bool {
    invoice.is_open(now) && invoice.status().is_ok_and(InvoiceStatus::is_payable)
}
