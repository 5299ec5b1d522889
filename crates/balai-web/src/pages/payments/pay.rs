//! `/bayar/{id}`: the citizen pays their own invoice. The page shows what is owed and to whom, the
//! dynamic QRIS code (as an SVG and as text to copy), the virtual account when a bank is configured,
//! and in the demo a button that pays through the mock gateway. An invoice past its time offers a
//! new one; a paid one shows when and how, and links its receipt. No JavaScript is needed.

use crate::AppState;
use crate::auth::Citizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use crate::posted::CitizenPost;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use balai_domain::payments::{Channel, InvoiceStatus, qris};
use balai_domain::{Lang, Rupiah};
use balai_store::payments::{self, Invoice};
use serde::Deserialize;

/// The payment page's texts.
pub(crate) mod texts {
    crate::texts::texts! {
        PAY_HEADING = "Bayar retribusi"
            / "Pay the fee";
        AMOUNT = "Jumlah"
            / "Amount";
        MERCHANT = "Dibayar kepada"
            / "Paid to";
        BILL_NUMBER = "Nomor tagihan"
            / "Bill number";
        STATUS = "Status"
            / "Status";
        PAY_BEFORE = "Bayar sebelum"
            / "Pay before";
        SERVICE = "Layanan"
            / "Service";
        TRACKING = "Nomor pelacakan"
            / "Tracking number";
        QRIS_HEADING = "Bayar dengan QRIS"
            / "Pay with QRIS";
        QRIS_HOW = "Pindai dengan aplikasi bank atau dompet digital apa pun. Jumlah dan penerima sudah terisi; periksa lalu konfirmasi."
            / "Scan with any bank or e-wallet app. The amount and the payee are filled in; check them, then confirm.";
        QR_LABEL = "Kode QRIS untuk membayar {amount} kepada {merchant}"
            / "QRIS code to pay {amount} to {merchant}";
        PAYLOAD_LABEL = "Kode QRIS sebagai teks, untuk disalin ke aplikasi yang menerima teks QRIS"
            / "The QRIS code as text, to copy into an app that accepts QRIS text";
        VA_HEADING = "Bayar dengan transfer virtual account"
            / "Pay by virtual account transfer";
        VA_HOW = "Di aplikasi, ATM, atau teller bank, pilih pembayaran virtual account dan masukkan nomor ini. Jumlah tagihan akan tampil; bayar tepat sejumlah itu."
            / "In your bank's app, ATM or at a teller, choose virtual account payment and enter this number. The bill's amount is shown; pay exactly that.";
        VA_NUMBER = "Nomor virtual account"
            / "Virtual account number";
        AFTER_PAYING = "Setelah membayar, halaman ini dan permohonan Anda diperbarui sendiri begitu bank memberi tahu kami. Muat ulang halaman untuk melihatnya."
            / "Once you have paid, this page and your application are updated as soon as the bank tells us. Reload the page to see it.";
        DEMO_HEADING = "Gateway demo"
            / "Demo gateway";
        DEMO_HOW = "Hanya pada demo: gateway tiruan mengirim pemberitahuan pembayaran yang ditandatangani, seperti gateway sungguhan. Tidak ada uang yang berpindah."
            / "Demo only: a mock gateway sends a signed payment notification, as a real gateway does. No money moves.";
        DEMO_CHANNEL = "Cara bayar"
            / "How to pay";
        DEMO_PAY = "Bayar dengan gateway demo"
            / "Pay with the demo gateway";
        DEMO_FAILED_TITLE = "Gateway demo tidak menjawab"
            / "The demo gateway did not answer";
        DEMO_FAILED = "Pemberitahuan pembayaran tidak sampai. Tagihan belum dibayar; coba lagi sebentar lagi."
            / "The payment notification did not arrive. The bill is not paid; try again in a moment.";
        PAID_HEADING = "Lunas"
            / "Paid";
        PAID_AT = "Dibayar pada"
            / "Paid at";
        PAID_WITH = "Dibayar dengan"
            / "Paid with";
        RECEIPT = "Unduh bukti bayar (PDF)"
            / "Download the receipt (PDF)";
        EXPIRED_HOW = "Tagihan ini tidak dapat dibayar lagi. Buat tagihan baru dengan jumlah yang sama untuk membayar."
            / "This bill can no longer be paid. Make a new bill for the same amount to pay.";
        RENEW = "Buat tagihan baru"
            / "Make a new bill";
        NEWER = "Ada tagihan yang lebih baru untuk permohonan ini."
            / "There is a newer bill for this application.";
        NEWER_LINK = "Buka tagihan terbaru"
            / "Open the newest bill";
        BACK_TO_CASE = "Kembali ke permohonan"
            / "Back to the application";
    }
}

/// The texts of this page, by name, for its template: `{{ p.t("AMOUNT") }}`.
#[derive(Debug, Clone, Copy)]
pub struct P(pub Lang);

impl P {
    pub fn t(&self, name: &str) -> &'static str {
        texts::ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }
}

#[derive(askama::Template)]
#[template(path = "payments/pay.html")]
struct PayPage {
    chrome: Chrome,
    p: P,
    id: String,
    csrf: String,
    service: String,
    tracking: String,
    case_href: String,
    amount: String,
    merchant: String,
    bill_number: String,
    status: String,
    expires: String,
    /// The QR code (SVG) and its payload text, while the invoice can be paid.
    qris: Option<(String, String)>,
    virtual_account: Option<String>,
    demo_gateway: bool,
    /// When paid: (paid at, channel).
    paid: Option<(String, String)>,
    /// Past its time or failed, and the newest of its case: a new one may be asked for.
    renewable: bool,
    /// A newer invoice of the same case.
    newer_href: Option<String>,
}

/// The government's facts a payment page and a receipt show.
pub(crate) struct Context {
    pub government: balai_store::org::Government,
    pub agency: balai_store::org::Agency,
    pub service: String,
    pub tracking: String,
    pub merchant: String,
}

pub(crate) async fn context_of(state: &AppState, citizen_id: i64, invoice: &Invoice) -> Result<Context, AppError> {
    let file =
        balai_store::applications::case_file_for_citizen(&state.db, &state.vault, citizen_id, invoice.case_id).await?;
    let government = balai_store::org::government(&state.db, invoice.government_id).await?;
    let agency = balai_store::org::agency(&state.db, invoice.agency_id).await?;
    let merchant = payments::settings(&state.db, invoice.government_id)
        .await?
        .map(|s| s.merchant_name)
        .unwrap_or_else(|| government.name.clone());
    Ok(Context {
        government,
        agency,
        service: file.public.service.clone(),
        tracking: file.public.tracking_number.clone(),
        merchant,
    })
}

fn lang_query(lang: Lang) -> &'static str {
    if lang == Lang::En { "?lang=en" } else { "" }
}

/// `GET /bayar/{id}`: opening the page starts the invoice (created → started).
pub(super) async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
    citizen: Citizen,
) -> Response {
    match page(&state, lang, &uri, &citizen, &id).await {
        Ok(r) => r,
        Err(e) => error_page(lang, &uri, e),
    }
}

async fn page(state: &AppState, lang: Lang, uri: &Uri, citizen: &Citizen, id: &str) -> Result<Response, AppError> {
    let now = state.config.clock.now();
    let invoice = payments::open_as_citizen(&state.db, citizen.citizen_id, id, now).await?;
    let context = context_of(state, citizen.citizen_id, &invoice).await?;
    let zone = context.government.zone();
    let status = invoice.status()?;
    let open = invoice.is_open(now);
    let amount = Rupiah(invoice.amount).to_string();
    let qris = if open {
        match payments::settings(&state.db, invoice.government_id).await? {
            Some(settings) => {
                let payload = qris::encode_dynamic(&settings.merchant(), Rupiah(invoice.amount), &invoice.bill_number)
                    .map_err(|e| AppError::Internal(format!("QRIS for invoice {}: {e}", invoice.id)))?;
                let label = texts::QR_LABEL.fill(lang, &[("amount", &amount), ("merchant", &context.merchant)]);
                let svg = balai_documents::try_qr_svg_labelled(&payload, &label)
                    .map_err(|e| AppError::Internal(format!("QR for invoice {}: {e}", invoice.id)))?;
                Some((svg, payload))
            }
            None => None,
        }
    } else {
        None
    };
    let virtual_account = match (&state.config.payments.partner_service_id, open) {
        (Some(prefix), true) => {
            Some(balai_gateway::snap::virtual_account_number(prefix, &invoice.bill_number).trim().to_owned())
        }
        _ => None,
    };
    // A payable invoice past its time is expired to the citizen, whether or not the expiry round
    // has marked it yet.
    let shown_status = if status.is_payable() && !open { InvoiceStatus::Expired } else { status };
    let latest = payments::latest_invoice_of_case(&state.db, invoice.case_id).await?;
    let newer_href =
        latest.filter(|l| l.id != invoice.id).map(|l| format!("/bayar/{}{}", l.public_id, lang_query(lang)));
    let renewable = newer_href.is_none() && matches!(shown_status, InvoiceStatus::Expired | InvoiceStatus::Failed);
    let paid = (status == InvoiceStatus::Success).then(|| {
        (
            invoice.paid_at.map(|t| zone.format(t)).unwrap_or_default(),
            invoice.channel.as_deref().and_then(Channel::parse).map(|c| c.label(lang).to_owned()).unwrap_or_default(),
        )
    });
    let page = PayPage {
        chrome: Chrome::new(lang, texts::PAY_HEADING.get(lang), uri),
        p: P(lang),
        id: invoice.public_id.clone(),
        csrf: citizen.csrf_token.clone(),
        service: context.service,
        tracking: context.tracking,
        case_href: format!("/akun/permohonan/{}{}", invoice.case_id, lang_query(lang)),
        amount,
        merchant: context.merchant,
        bill_number: invoice.bill_number.clone(),
        status: shown_status.label(lang).to_owned(),
        expires: zone.format(invoice.expires_at),
        qris,
        virtual_account,
        demo_gateway: open
            && state.config.payments.demo_gateway_origin.is_some()
            && state.config.payments.callback_secret.is_some(),
        paid,
        renewable,
        newer_href,
    };
    Ok(no_store(render(&page)))
}

#[derive(Deserialize)]
pub(super) struct RenewForm {
    #[serde(default)]
    csrf: String,
}
crate::posted::csrf_form!(RenewForm);

/// `POST /bayar/{id}/baru`: a new invoice for a case whose invoice expired or failed while it still
/// waits for payment; the citizen goes to the new one.
pub(super) async fn renew(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CitizenPost { citizen, lang, uri, form: _ }: CitizenPost<RenewForm>,
) -> Response {
    let invoice = match payments::invoice_for_citizen(&state.db, citizen.citizen_id, &id).await {
        Ok(i) => i,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    match payments::renew_as_citizen(&state.db, citizen.citizen_id, invoice.case_id, state.config.clock.now()).await {
        Ok(new) => Redirect::to(&format!("/bayar/{}{}", new.public_id, lang_query(lang))).into_response(),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
