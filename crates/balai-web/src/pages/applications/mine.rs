//! "Permohonan saya": a signed-in citizen's applications and issued documents, each case's steps and
//! history, the correction an officer asked for, and the download of an issued document.

use super::track::{StepLine, step_lines};
use super::{L, due_day, when};
use crate::AppState;
use crate::applications::MAX_FORM_REQUEST;
use crate::applications::{clean_and_store, read_bounded};
use crate::auth::Citizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::applications::ApplicationStatus;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::identity::Action;
use balai_store::applications::{self, DocumentChoice, DocumentSource};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/akun/permohonan", get(list))
        .route("/akun/permohonan/{id}", get(show))
        .route("/akun/permohonan/{id}/perbaikan", post(correct).layer(DefaultBodyLimit::max(MAX_FORM_REQUEST)))
        .route("/akun/dokumen/{id}", get(download))
}

struct Line {
    href: String,
    tracking: String,
    service: String,
    status: String,
    due: String,
}

struct DocumentLine {
    title: String,
    number: String,
    href: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "my_applications.html")]
struct ListPage {
    chrome: Chrome,
    l: L,
    lines: Vec<Line>,
    documents: Vec<DocumentLine>,
    may_download: bool,
    drafts: Vec<(String, String, String)>,
    draft_saved: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    draf: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(q): Query<ListQuery>,
    citizen: Citizen,
) -> Response {
    let l = L(lang);
    let lines = match applications::citizen_applications(&state.db, citizen.citizen_id).await {
        Ok(lines) => lines,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let issued = match applications::issued_documents_of(&state.db, citizen.citizen_id).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    // Every government of the demo and of a province shares one zone per region; the first line's
    // government's zone is the one the citizen deals with.
    let zone = IndonesianTimeZone::Wita;
    let lines = lines
        .into_iter()
        .map(|c| Line {
            href: format!("/akun/permohonan/{}", c.case_id),
            tracking: c.tracking_number.clone().unwrap_or_default(),
            service: c.service.clone(),
            status: c.status().map(|s| s.label(lang)).unwrap_or_default().to_owned(),
            due: if c.closed_at.is_some() { String::new() } else { due_day(zone, c.due_at) },
        })
        .collect();
    let drafts = match applications::drafts_of(&state.db, citizen.citizen_id).await {
        Ok(d) => d
            .into_iter()
            .map(|d| {
                (d.service, format!("/layanan/{}/{}/ajukan", d.region_code, d.service_code), zone.format(d.updated_at))
            })
            .collect(),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let may_download = citizen.may(Action::ReceiveOwnDocument);
    let documents = issued
        .into_iter()
        .map(|d| DocumentLine {
            title: d.product.clone(),
            number: d.number.clone(),
            href: may_download.then(|| format!("/akun/dokumen/{}", d.id)),
        })
        .collect();
    no_store(render(&ListPage {
        chrome: Chrome::new(lang, l.t("MINE_HEADING"), &uri),
        l,
        lines,
        documents,
        may_download,
        drafts,
        draft_saved: q.draf.is_some(),
    }))
}

#[derive(askama::Template)]
#[template(path = "my_application.html")]
struct CasePage {
    chrome: Chrome,
    l: L,
    fresh: bool,
    tracking: String,
    track_href: String,
    service: String,
    status: ApplicationStatus,
    due: String,
    steps: Vec<StepLine>,
    events: Vec<super::EventLine>,
    correction: bool,
    action: String,
    csrf: String,
    documents: Vec<(String, String)>,
    download_href: Option<String>,
    /// The fee's invoice: (href, label), to pay it or, once paid, its receipt.
    payment: Option<(String, String)>,
    errors: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct ShowQuery {
    baru: Option<String>,
}

async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    citizen: &Citizen,
    id: i64,
    fresh: bool,
    errors: Vec<(String, String)>,
) -> Response {
    let l = L(lang);
    let file = match applications::case_file_for_citizen(&state.db, &state.vault, citizen.citizen_id, id).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let zone = IndonesianTimeZone::parse(&file.public.time_zone).unwrap_or(IndonesianTimeZone::Wib);
    let events = super::history(lang, zone, &file.events);
    // The correction form offers each attached document by its name in the standard.
    let documents = file
        .documents
        .iter()
        .map(|d| {
            let name =
                file.document_names.iter().find(|(c, _)| *c == d.code).map_or(d.code.clone(), |(_, n)| n.clone());
            (d.code.clone(), name)
        })
        .collect();
    let download_href = file
        .public
        .document_id
        .as_ref()
        .filter(|_| citizen.may(Action::ReceiveOwnDocument))
        .map(|d| format!("/akun/dokumen/{d}"));
    let payment = match balai_store::payments::latest_invoice_of_case(&state.db, id).await {
        Ok(invoice) => invoice.and_then(|i| payment_link(lang, &i, file.public.closed_at.is_some())),
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let page = CasePage {
        chrome: Chrome::new(
            lang,
            super::texts::CASE_HEADING.fill(lang, &[("tracking", &file.public.tracking_number)]),
            uri,
        ),
        l,
        fresh,
        tracking: file.public.tracking_number.clone(),
        track_href: format!("/lacak/{}", file.public.tracking_number),
        service: file.public.service.clone(),
        status: file.public.status,
        due: due_day(zone, file.public.due_at),
        steps: step_lines(l, zone, &file.public),
        events,
        correction: file.public.status == ApplicationStatus::AwaitingCorrection,
        action: format!("/akun/permohonan/{id}/perbaikan"),
        csrf: citizen.csrf_token.clone(),
        documents,
        download_href,
        payment,
        errors,
    };
    let _ = when;
    no_store(render(&page))
}

/// "Bayar Rp…" while the case's invoice is to be paid (or a new one can be asked for), "Bukti
/// bayar" once it is paid.
fn payment_link(lang: Lang, invoice: &balai_store::payments::Invoice, closed: bool) -> Option<(String, String)> {
    use balai_domain::payments::InvoiceStatus;
    let query = if lang == Lang::En { "?lang=en" } else { "" };
    match invoice.status().ok()? {
        InvoiceStatus::Success => Some((
            format!("/bayar/{}/bukti.pdf", invoice.public_id),
            super::texts::PAYMENT_RECEIPT.get(lang).to_owned(),
        )),
        InvoiceStatus::Created
        | InvoiceStatus::Started
        | InvoiceStatus::Submitted
        | InvoiceStatus::Expired
        | InvoiceStatus::Failed
            if !closed =>
        {
            let amount = balai_domain::Rupiah(invoice.amount).to_string();
            Some((
                format!("/bayar/{}{query}", invoice.public_id),
                super::texts::PAY_INVOICE.fill(lang, &[("amount", &amount)]),
            ))
        }
        _ => None,
    }
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
    citizen: Citizen,
) -> Response {
    case_page(&state, lang, &uri, &citizen, id, q.baru.is_some(), Vec::new()).await
}

async fn correct(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<i64>,
    citizen: Citizen,
    mut multipart: Multipart,
) -> Response {
    let file = match applications::case_file_for_citizen(&state.db, &state.vault, citizen.citizen_id, id).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let mut csrf = String::new();
    let mut sent: Vec<(String, Vec<u8>)> = Vec::new();
    let mut errors = Vec::new();
    let mut parts = 0;
    while let Ok(Some(field)) = multipart.next_field().await {
        parts += 1;
        if parts > 100 {
            break;
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csrf" {
            csrf = read_bounded(field, 256).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        } else if let Some(code) = name.strip_prefix("file_") {
            let code = code.to_owned();
            match read_bounded(field, state.config.max_upload_bytes).await {
                Ok(bytes) if bytes.is_empty() => {}
                Ok(bytes) => sent.push((code, bytes)),
                Err(e) => errors.push((format!("file_{code}"), e.message(lang))),
            }
        }
    }
    if !citizen.check_csrf(&csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    if errors.is_empty() && sent.is_empty() {
        errors.push(("file".to_owned(), balai_domain::validation::Rule::Required.message(lang)));
    }
    let mut documents = Vec::new();
    if errors.is_empty() {
        for (code, bytes) in sent {
            if !file.documents.iter().any(|d| d.code == code) {
                continue;
            }
            match clean_and_store(&state, lang, citizen.citizen_id, file.case.government_id, bytes).await {
                Ok(upload) => documents.push(DocumentChoice { code, source: DocumentSource::Upload(upload.id) }),
                Err(AppError::Refused(r)) => errors.push((format!("file_{code}"), r.message.clone())),
                Err(e) => return error_page(lang, &uri, e),
            }
        }
    }
    if !errors.is_empty() {
        let response = case_page(&state, lang, &uri, &citizen, id, false, errors).await;
        return (StatusCode::UNPROCESSABLE_ENTITY, response).into_response();
    }
    match applications::resubmit_as_citizen(
        &state.db,
        &state.vault,
        citizen.citizen_id,
        id,
        None,
        &documents,
        lang,
        state.config.clock.now(),
    )
    .await
    {
        Ok(_) => {
            let query = if lang == Lang::En { "?lang=en" } else { "" };
            Redirect::to(&format!("/akun/permohonan/{id}{query}")).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

/// An issued document, to its own citizen at the substantial level only (it names them in full).
async fn download(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
    citizen: Citizen,
) -> Response {
    if !citizen.may(Action::ReceiveOwnDocument) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let record = match applications::issued_document(&state.db, &id).await {
        Ok(Some(r)) if r.citizen_id == citizen.citizen_id => r,
        Ok(_) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    match state.config.files.get(&record.object_key).await {
        Ok(bytes) => no_store(
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (header::CONTENT_DISPOSITION, format!("attachment; filename=\"dokumen-{}.pdf\"", record.id)),
                ],
                bytes,
            )
                .into_response(),
        ),
        Err(e) => error_page(lang, &uri, AppError::Internal(format!("reading a document: {e}"))),
    }
}
