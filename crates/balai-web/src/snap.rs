//! SNAP (Standar Nasional Open API Pembayaran, Bank Indonesia) for virtual-account payments: the
//! doors a bank calls when a citizen pays a bill at its teller, app or ATM.
//!
//! - `POST /v1.0/access-token/b2b`: the bank signs `X-CLIENT-KEY|X-TIMESTAMP` with its RSA key; a
//!   Bearer token valid 15 minutes comes back.
//! - `POST /v1.0/transfer-va/inquiry`: what is this virtual account for, and how much?
//! - `POST /v1.0/transfer-va/payment`: the citizen paid; the invoice is settled through the same
//!   command as every other payment ([`payments::settle_in`] inside [`snap::pay`]), refused (not held)
//!   when it does not pay the bill, since the bank asks before it moves the money.
//!
//! Transaction calls carry `X-SIGNATURE`, base64 HMAC-SHA512 under the client secret over
//! `POST:<path>:<token>:<hex SHA-256 of the minified body>:<X-TIMESTAMP>`, and an `X-EXTERNAL-ID` the
//! bank may use once a day. Every answer is SNAP's `responseCode` (HTTP status, service, case) and
//! `responseMessage`. The account name a bank shows is the service's name, never the citizen's.
//!
//! Not configured (no client id), the routes are not there: 404.

use crate::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use balai_domain::Rupiah;
use balai_domain::payments::{Channel, InvoiceStatus};
use balai_gateway::snap::{
    self, AccessTokenRequest, AccessTokenResponse, Amount, ErrorResponse, InquiryData, InquiryRequest, InquiryResponse,
    PaymentData, PaymentRequest, PaymentResponse, Reason, Service, SnapError, SnapOutcome,
};
use balai_store::payments::snap::{self as store, Bill, Call};
use balai_store::payments::{self, IncomingPayment, Settlement};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::Serialize;

/// The largest body a SNAP call may carry.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The paths as routed (literal in [`routes`] too, where the route guard reads them).
pub const TOKEN_PATH: &str = "/v1.0/access-token/b2b";
pub const INQUIRY_PATH: &str = "/v1.0/transfer-va/inquiry";
pub const PAYMENT_PATH: &str = "/v1.0/transfer-va/payment";
/// Longest `X-EXTERNAL-ID` (SNAP: 36 characters).
const MAX_EXTERNAL_ID: usize = 36;
/// Longest `paymentRequestId` / `inquiryRequestId` (SNAP: 128 characters).
const MAX_REQUEST_ID: usize = 128;
/// Longest account name sent back (banks show it on a small screen).
const MAX_ACCOUNT_NAME: usize = 64;

/// What the bank and Balai agreed on for SNAP.
#[derive(Clone)]
pub struct SnapConfig {
    /// The bank's client id (`X-CLIENT-KEY`, and `X-PARTNER-ID` on transaction calls).
    pub client_id: String,
    /// The key of the transaction calls' HMAC-SHA512.
    pub client_secret: Vec<u8>,
    /// The bank's public key, checking its token requests.
    pub partner_public_key: snap::RsaPublicKey,
    /// The government's prefix at the bank (`partnerServiceId`), unpadded.
    pub partner_service_id: String,
}

impl std::fmt::Debug for SnapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is never printed.
        f.debug_struct("SnapConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<set>")
            .field("partner_service_id", &self.partner_service_id)
            .finish()
    }
}

impl SnapConfig {
    /// Checks the settings together: each is needed once a client id is given. The error names the
    /// setting.
    pub fn new(
        client_id: &str,
        client_secret: &str,
        partner_public_key_pem: &str,
        partner_service_id: &str,
    ) -> Result<SnapConfig, String> {
        let client_id = client_id.trim();
        if client_id.is_empty() || client_id.len() > 64 || !client_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("snap_client_id must be 1 to 64 printable ASCII characters".into());
        }
        if client_secret.trim().len() < 16 {
            return Err("snap_client_secret must be set (at least 16 characters) when snap_client_id is".into());
        }
        let partner_public_key = snap::parse_public_key_pem(partner_public_key_pem).map_err(|_| {
            "snap_partner_public_key_file must hold the bank's RSA public key (PEM, 2048 bits or more)".to_owned()
        })?;
        let psid = partner_service_id.trim();
        if psid.is_empty() || psid.len() > snap::PARTNER_SERVICE_ID_LEN || !psid.bytes().all(|b| b.is_ascii_digit()) {
            return Err("snap_partner_service_id must be 1 to 8 digits".into());
        }
        Ok(SnapConfig {
            client_id: client_id.to_owned(),
            client_secret: client_secret.trim().as_bytes().to_vec(),
            partner_public_key,
            partner_service_id: psid.to_owned(),
        })
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/access-token/b2b", post(access_token))
        .route("/v1.0/transfer-va/inquiry", post(inquiry))
        .route("/v1.0/transfer-va/payment", post(payment))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

// ---- answers ------------------------------------------------------------------------------------

fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

fn wib_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&wib()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A SNAP answer: its HTTP status from the response code, the JSON body and SNAP's `X-TIMESTAMP`.
fn answer(outcome: SnapOutcome, body: &impl Serialize, now: DateTime<Utc>) -> Response {
    let status = StatusCode::from_u16(outcome.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&wib_time(now)) {
        response.headers_mut().insert("x-timestamp", value);
    }
    response
}

fn refuse(outcome: SnapOutcome, service: Service, now: DateTime<Utc>) -> Response {
    answer(outcome, &ErrorResponse::new(outcome, service), now)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The checks every call shares: the time (format, then within five minutes).
fn check_timestamp(timestamp: &str, now: DateTime<Utc>) -> Result<(), SnapOutcome> {
    let at = snap::parse_timestamp(timestamp).map_err(|_| SnapOutcome::InvalidFieldFormat)?;
    if !snap::timestamp_is_fresh(at, now.timestamp()) {
        return Err(SnapOutcome::UnauthorizedTimestamp);
    }
    Ok(())
}

fn body_error(error: &serde_json::Error) -> SnapOutcome {
    // A missing field is SNAP's "mandatory" case; anything else is a field's format.
    if error.to_string().starts_with("missing field") {
        SnapOutcome::InvalidMandatoryField
    } else {
        SnapOutcome::InvalidFieldFormat
    }
}

// ---- the access token ---------------------------------------------------------------------------

async fn access_token(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let now = state.config.clock.now();
    let Some(config) = state.config.snap.as_ref() else { return StatusCode::NOT_FOUND.into_response() };
    let refused = |outcome: SnapOutcome| {
        tracing::warn!(code = %outcome.code(Service::Token), "SNAP token request refused");
        answer(outcome, &AccessTokenResponse::refused(outcome), now)
    };
    let (Some(client_key), Some(timestamp), Some(signature)) =
        (header(&headers, "x-client-key"), header(&headers, "x-timestamp"), header(&headers, "x-signature"))
    else {
        return refused(SnapOutcome::InvalidMandatoryField);
    };
    if client_key != config.client_id {
        return refused(SnapOutcome::UnauthorizedClient);
    }
    if let Err(outcome) = check_timestamp(timestamp, now) {
        return refused(outcome);
    }
    if snap::verify_access_token_signature(&config.partner_public_key, client_key, timestamp, signature).is_err() {
        return refused(SnapOutcome::UnauthorizedSignature);
    }
    let request: AccessTokenRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return refused(body_error(&e)),
    };
    if request.grant_type != snap::GRANT_TYPE {
        return refused(SnapOutcome::InvalidFieldFormat);
    }
    match store::issue_token(&state.db, &config.client_id, now).await {
        Ok(issued) => answer(SnapOutcome::Successful, &AccessTokenResponse::granted(issued.token), now),
        Err(e) => {
            tracing::error!(error = %e, "SNAP token could not be issued");
            refused(SnapOutcome::GeneralError)
        }
    }
}

// ---- transaction calls --------------------------------------------------------------------------

/// A transaction call that passed its checks: the partner, its call id and the body.
struct Checked {
    partner_id: String,
    external_id: String,
}

/// Headers, time, signature and token of a transaction call, in that order (the database is asked
/// last, only for a signed call).
async fn check_call(
    state: &AppState,
    config: &SnapConfig,
    headers: &HeaderMap,
    path: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Checked, SnapOutcome> {
    let authorization = header(headers, "authorization");
    let (Some(authorization), Some(timestamp), Some(signature), Some(partner_id), Some(external_id), Some(channel)) = (
        authorization,
        header(headers, "x-timestamp"),
        header(headers, "x-signature"),
        header(headers, "x-partner-id"),
        header(headers, "x-external-id"),
        header(headers, "channel-id"),
    ) else {
        return Err(SnapOutcome::InvalidMandatoryField);
    };
    let token = authorization
        .strip_prefix("Bearer ")
        .or_else(|| authorization.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(SnapOutcome::UnauthorizedToken)?;
    let id_like = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !id_like(external_id, MAX_EXTERNAL_ID) || !id_like(channel, 16) {
        return Err(SnapOutcome::InvalidFieldFormat);
    }
    if partner_id != config.client_id {
        return Err(SnapOutcome::UnauthorizedClient);
    }
    check_timestamp(timestamp, now)?;
    match snap::verify_transaction_signature(&config.client_secret, "POST", path, token, body, timestamp, signature) {
        Ok(()) => {}
        Err(SnapError::InvalidJson) => return Err(SnapOutcome::InvalidFieldFormat),
        Err(_) => return Err(SnapOutcome::UnauthorizedSignature),
    }
    match store::token_is_valid(&state.db, &config.client_id, token, now).await {
        Ok(true) => {}
        Ok(false) => return Err(SnapOutcome::UnauthorizedToken),
        Err(e) => {
            tracing::error!(error = %e, "SNAP token could not be checked");
            return Err(SnapOutcome::GeneralError);
        }
    }
    Ok(Checked { partner_id: partner_id.to_owned(), external_id: external_id.to_owned() })
}

/// The bill number a call names: `partnerServiceId` is ours, and `virtualAccountNo` is it followed
/// by `customerNo`. Anything else is an account Balai does not have.
fn bill_number<'a>(
    config: &SnapConfig,
    partner_service_id: &str,
    customer_no: &'a str,
    virtual_account_no: &str,
) -> Result<&'a str, SnapOutcome> {
    let ours = partner_service_id.trim() == config.partner_service_id;
    let named = snap::bill_number_of_virtual_account(&config.partner_service_id, virtual_account_no);
    match named {
        Ok(bill) if ours && bill == customer_no.trim() => Ok(customer_no.trim()),
        _ => Err(SnapOutcome::BillNotFound),
    }
}

/// Why a bill that exists cannot be paid now, if it cannot.
fn unpayable(invoice: &payments::Invoice, now: DateTime<Utc>) -> Option<SnapOutcome> {
    match invoice.status() {
        Ok(InvoiceStatus::Success | InvoiceStatus::Refunded) => Some(SnapOutcome::PaidBill),
        Ok(status) if status.is_payable() && invoice.expires_at > now => None,
        _ => Some(SnapOutcome::BillExpired),
    }
}

fn account_name(bill: &Bill) -> String {
    let name: String = bill.service_name.chars().take(MAX_ACCOUNT_NAME).collect();
    name.trim_end().to_owned()
}

async fn inquiry(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let now = state.config.clock.now();
    let Some(config) = state.config.snap.as_ref() else { return StatusCode::NOT_FOUND.into_response() };
    let refused = |outcome: SnapOutcome| {
        tracing::info!(code = %outcome.code(Service::Inquiry), "SNAP inquiry refused");
        refuse(outcome, Service::Inquiry, now)
    };
    let checked = match check_call(&state, config, &headers, INQUIRY_PATH, &body, now).await {
        Ok(checked) => checked,
        Err(outcome) => return refused(outcome),
    };
    let request: InquiryRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return refused(body_error(&e)),
    };
    if request.inquiry_request_id.is_empty() || request.inquiry_request_id.len() > MAX_REQUEST_ID {
        return refused(SnapOutcome::InvalidFieldFormat);
    }
    // The call's id is taken even for an account Balai does not have: the bank may not reuse it.
    let bill = bill_number(config, &request.partner_service_id, &request.customer_no, &request.virtual_account_no);
    let asked = bill.unwrap_or("");
    let found = match store::inquire(&state.db, &checked.partner_id, &checked.external_id, asked, now).await {
        Ok(Call::ExternalIdReused) => return refused(SnapOutcome::Conflict),
        Ok(Call::Taken(found)) => found,
        Err(e) => {
            tracing::error!(error = %e, "SNAP inquiry failed");
            return refused(SnapOutcome::GeneralError);
        }
    };
    let Some(found) = found.filter(|_| bill.is_ok()) else { return refused(SnapOutcome::BillNotFound) };
    if let Some(outcome) = unpayable(&found.invoice, now) {
        return refused(outcome);
    }
    let data = InquiryData {
        inquiry_status: "00".into(),
        inquiry_reason: Reason::new("Success", "Sukses"),
        partner_service_id: snap::padded_partner_service_id(&config.partner_service_id),
        customer_no: found.invoice.bill_number.clone(),
        virtual_account_no: snap::virtual_account_number(&config.partner_service_id, &found.invoice.bill_number),
        virtual_account_name: account_name(&found),
        inquiry_request_id: request.inquiry_request_id,
        total_amount: Amount::idr(found.invoice.amount),
        virtual_account_trx_type: "C".into(),
        expired_date: Some(wib_time(found.invoice.expires_at)),
    };
    let outcome = SnapOutcome::Successful;
    let body = InquiryResponse {
        response_code: outcome.code(Service::Inquiry),
        response_message: outcome.message().into(),
        virtual_account_data: Some(data),
    };
    answer(outcome, &body, now)
}

async fn payment(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let now = state.config.clock.now();
    let Some(config) = state.config.snap.as_ref() else { return StatusCode::NOT_FOUND.into_response() };
    let refused = |outcome: SnapOutcome| {
        tracing::info!(code = %outcome.code(Service::Payment), "SNAP payment refused");
        refuse(outcome, Service::Payment, now)
    };
    let checked = match check_call(&state, config, &headers, PAYMENT_PATH, &body, now).await {
        Ok(checked) => checked,
        Err(outcome) => return refused(outcome),
    };
    let request: PaymentRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return refused(body_error(&e)),
    };
    let id = &request.payment_request_id;
    if id.is_empty() || id.len() > MAX_REQUEST_ID || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return refused(SnapOutcome::InvalidFieldFormat);
    }
    // The bank's time of the payment, never later than now (an expiry is judged at the earlier).
    let paid_at = match request.trx_date_time.as_deref().map(snap::parse_timestamp) {
        None => now,
        Some(Ok(at)) => at.with_timezone(&Utc).min(now),
        Some(Err(_)) => return refused(SnapOutcome::InvalidFieldFormat),
    };
    let bill = bill_number(config, &request.partner_service_id, &request.customer_no, &request.virtual_account_no);
    let amount = request.paid_amount.rupiah();
    // An account Balai does not have, or an amount that is no amount of rupiah, pays nothing; the
    // call's id is still taken through the same command, which finds no bill for an empty number.
    let payment = IncomingPayment {
        source: "snap",
        transaction_id: id,
        bill_number: if amount.is_ok() { bill.unwrap_or("") } else { "" },
        amount: Rupiah(amount.unwrap_or(0)),
        channel: Channel::VirtualAccount,
        paid_at,
        failed: false,
    };
    let settled =
        match store::pay(&state.db, &state.vault, &checked.partner_id, &checked.external_id, &payment, now).await {
            Ok(Call::ExternalIdReused) => return refused(SnapOutcome::Conflict),
            Ok(Call::Taken(settled)) => settled,
            Err(e) => {
                tracing::error!(error = %e, "SNAP payment failed");
                return refused(SnapOutcome::GeneralError);
            }
        };
    if bill.is_err() {
        return refused(SnapOutcome::BillNotFound);
    }
    if amount.is_err() {
        return refused(SnapOutcome::InvalidAmount);
    }
    let store::Paid { settlement, bill: found, repeat_of_paid } = settled;
    let paid = match (settlement, found) {
        (Settlement::Paid { .. }, Some(found)) => {
            tracing::info!(invoice = found.invoice.id, "SNAP payment settled: invoice paid");
            found
        }
        // The same payment of this bill again (a retry with a new call id): taken once; say so again.
        (Settlement::Duplicate, Some(found)) if repeat_of_paid => found,
        // The bank's id of a payment already taken, for another bill: a conflict, nothing paid.
        (Settlement::Duplicate, Some(_)) => return refused(SnapOutcome::Conflict),
        (Settlement::WrongAmount { .. }, _) => return refused(SnapOutcome::InvalidAmount),
        (Settlement::AlreadyPaid { .. }, _) => return refused(SnapOutcome::PaidBill),
        (Settlement::NotPayable { invoice, .. }, _) => {
            return refused(unpayable(&invoice, now).unwrap_or(SnapOutcome::BillExpired));
        }
        (Settlement::UnknownBill, _) | (_, None) => return refused(SnapOutcome::BillNotFound),
        (other, Some(_)) => {
            tracing::error!(settlement = ?std::mem::discriminant(&other), "SNAP payment: unexpected settlement");
            return refused(SnapOutcome::GeneralError);
        }
    };
    let outcome = SnapOutcome::Successful;
    let data = PaymentData {
        payment_flag_status: "00".into(),
        payment_flag_reason: Reason::new("Success", "Sukses"),
        partner_service_id: snap::padded_partner_service_id(&config.partner_service_id),
        customer_no: paid.invoice.bill_number.clone(),
        virtual_account_no: snap::virtual_account_number(&config.partner_service_id, &paid.invoice.bill_number),
        virtual_account_name: account_name(&paid),
        payment_request_id: request.payment_request_id.clone(),
        paid_amount: Amount::idr(paid.invoice.paid_amount),
        trx_date_time: request.trx_date_time.clone(),
        reference_no: request.reference_no.clone(),
    };
    let body = PaymentResponse {
        response_code: outcome.code(Service::Payment),
        response_message: outcome.message().into(),
        virtual_account_data: Some(data),
    };
    answer(outcome, &body, now)
}
