//! `/bayar/{id}/bukti.pdf`: the receipt of the citizen's own paid invoice. The first request renders
//! and seals it (off the request thread), keeps the file and records it where `/verifikasi/{id}`
//! looks; every later request serves the kept file.

use super::pay::context_of;
use crate::AppState;
use crate::auth::Citizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{error_page, no_store};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use balai_domain::payments::{Channel, InvoiceStatus};
use balai_domain::{Lang, Rupiah};
use balai_files::{Cleaned, FileKind};
use balai_store::applications::IssuedRecord;
use balai_store::payments::receipts::{self, NewReceipt};
use balai_store::payments::{self, Invoice};

pub(super) async fn download(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
    citizen: Citizen,
) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_owned);
    match receipt(&state, host.as_deref(), &citizen, &id).await {
        Ok((record, bytes)) => no_store(
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"bukti-bayar-{}.pdf\"", record.id)),
                ],
                bytes,
            )
                .into_response(),
        ),
        Err(e) => error_page(lang, &uri, e),
    }
}

async fn receipt(
    state: &AppState,
    host: Option<&str>,
    citizen: &Citizen,
    id: &str,
) -> Result<(IssuedRecord, Vec<u8>), AppError> {
    let invoice = payments::invoice_for_citizen(&state.db, citizen.citizen_id, id).await?;
    if invoice.status()? != InvoiceStatus::Success {
        return Err(AppError::NotFound);
    }
    let record = match receipts::receipt_of(&state.db, &invoice).await? {
        Some(record) => record,
        None => issue(state, host, citizen, &invoice).await?,
    };
    let bytes = state
        .config
        .files
        .get(&record.object_key)
        .await
        .map_err(|e| AppError::Internal(format!("reading a receipt: {e}")))?;
    Ok((record, bytes))
}

/// Renders, seals and keeps the receipt, then records it once.
async fn issue(
    state: &AppState,
    host: Option<&str>,
    citizen: &Citizen,
    invoice: &Invoice,
) -> Result<IssuedRecord, AppError> {
    let context = context_of(state, citizen.citizen_id, invoice).await?;
    let zone = context.government.zone();
    let now = state.config.clock.now();
    let issued_on = zone.local_date(now);
    let receipt_id =
        crate::auth::random_token().chars().filter(char::is_ascii_alphanumeric).take(22).collect::<String>();
    let number = receipts::receipt_number(&invoice.bill_number, issued_on);
    let paid_at = invoice.paid_at.ok_or_else(|| AppError::Internal("a paid invoice without its time".into()))?;
    let local = paid_at.with_timezone(&zone.offset());
    // The receipt is in Bahasa Indonesia, as the government's documents are.
    let channel =
        invoice.channel.as_deref().and_then(Channel::parse).map(|c| c.label(Lang::Id).to_owned()).unwrap_or_default();
    let owned = OwnedReceipt {
        government: context.government.name.clone(),
        agency: context.agency.name.clone(),
        number: number.clone(),
        bill_number: invoice.bill_number.clone(),
        service: context.service.clone(),
        amount: Rupiah(invoice.amount).to_string(),
        channel,
        merchant: context.merchant.clone(),
        paid_at: format!(
            "{} {} {}",
            balai_documents::indonesian_date(local.date_naive()),
            local.format("%H.%M"),
            zone.code()
        ),
        issued_on: balai_documents::indonesian_date(issued_on),
        tracking: context.tracking.clone(),
        url: crate::applications::verify_url(state, host, &receipt_id),
    };
    let key = state.config.document_keys.signing_key(&context.government.region_code);
    let (pdf, seal) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, balai_documents::Seal), String> {
        let pdf = balai_documents::render_receipt(&owned.borrowed()).map_err(|e| e.to_string())?;
        let seal = balai_documents::seal(&pdf, &key);
        Ok((pdf, seal))
    })
    .await
    .map_err(|e| AppError::Internal(format!("receipt task: {e}")))?
    .map_err(|e| AppError::Internal(format!("rendering a receipt: {e}")))?;
    let cleaned = Cleaned { kind: FileKind::Pdf, bytes: pdf, sha256_hex: seal.sha256_hex.clone() };
    let object_key = state
        .config
        .files
        .put(invoice.government_id, &cleaned)
        .await
        .map_err(|e| AppError::Internal(format!("keeping a receipt: {e}")))?;
    let new = NewReceipt {
        id: receipt_id,
        number,
        product: balai_documents::RECEIPT_TITLE.to_owned(),
        issuer: context.agency.name.clone(),
        issued_on,
        sha256: seal.sha256_hex,
        signature: seal.signature_b64,
        object_key,
    };
    let recorded =
        receipts::record_receipt_as_citizen(&state.db, citizen.citizen_id, &invoice.public_id, &new, now).await?;
    Ok(recorded.record().clone())
}

/// What a receipt is made of, owned, so it can be rendered off the request thread.
struct OwnedReceipt {
    government: String,
    agency: String,
    number: String,
    bill_number: String,
    service: String,
    amount: String,
    channel: String,
    merchant: String,
    paid_at: String,
    issued_on: String,
    tracking: String,
    url: String,
}

impl OwnedReceipt {
    fn borrowed(&self) -> balai_documents::PaymentReceipt<'_> {
        balai_documents::PaymentReceipt {
            government: &self.government,
            agency: &self.agency,
            receipt_number: &self.number,
            bill_number: &self.bill_number,
            service: &self.service,
            amount: &self.amount,
            channel: &self.channel,
            merchant: &self.merchant,
            paid_at: &self.paid_at,
            issued_on: &self.issued_on,
            tracking_number: &self.tracking,
            verify_url: &self.url,
        }
    }
}
