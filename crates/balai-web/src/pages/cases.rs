//! An officer's cases, and the one way staff open a citizen's record: from a case they may work,
//! naming the purpose. The record is shown in answer to that POST and never under a GET address,
//! so every view of it has passed the check and left its read in the log.

use super::{Chrome, error_page, no_store, render};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::contact::mask_recipient;
use balai_domain::identity::{Action, Purpose};
use balai_store::cases::{self, Case};
use balai_store::identity::access::{self, AccessRefused};
use balai_store::identity::citizens::{Citizen, mask_digits};
use balai_store::org;
use serde::Deserialize;

/// The cases pages' fixed texts.
pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Kasus saya"
            / "My cases";
        INTRO = "Permohonan dan pengaduan di unit Anda. Data warga hanya dibuka dari sebuah kasus, dengan menyebut tujuannya."
            / "Applications and complaints of your unit. A citizen's record opens only from a case, naming the purpose.";
        EMPTY = "Belum ada kasus."
            / "No cases yet.";
        REFERENCE = "Nomor"
            / "Reference";
        SUBJECT = "Perihal"
            / "Subject";
        RECEIVED = "Diterima"
            / "Received";
        NO_CITIZEN = "Kasus ini tidak menyebut warga (misalnya pengaduan tanpa nama)."
            / "This case names no citizen (an anonymous complaint, for example).";
        READ_HEADING = "Buka data warga"
            / "Open the citizen's record";
        READ_INTRO = "Setiap pembukaan dicatat di log audit dan diperlihatkan kepada warga: kapan, perangkat daerah, peran Anda, kasus dan tujuan."
            / "Every opening is written to the audit log and shown to the citizen: when, the agency, your role, the case and the purpose.";
        PURPOSE = "Tujuan"
            / "Purpose";
        PURPOSE_HINT = "Contoh: Verifikasi berkas permohonan. Jangan tulis NIK atau nomor telepon."
            / "For example: Checking the application's documents. Do not write a NIK or phone number.";
        READ = "Buka data"
            / "Open record";
        RECORD_HEADING = "Data warga"
            / "Citizen's record";
        LOGGED_NOTE = "Pembukaan ini sudah dicatat. Jangan salin data ini ke luar sistem."
            / "This opening has been recorded. Do not copy this record outside the system.";
        NAME = "Nama"
            / "Name";
        BIRTH = "Tempat, tanggal lahir"
            / "Place and date of birth";
        ADDRESS = "Alamat"
            / "Address";
        FAMILY_CARD = "Nomor KK"
            / "Family card number";
        MOBILE = "Ponsel"
            / "Mobile";
        EMAIL = "Surel"
            / "E-mail";
        DOCUMENT = "Dokumen"
            / "Document";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/kasus", get(list))
        .route("/admin/kasus/{id}", get(show))
        .route("/admin/kasus/{id}/data-warga", post(read_citizen))
}

struct CaseRow {
    href: String,
    reference: String,
    title: String,
    opened: String,
}

#[derive(askama::Template)]
#[template(path = "admin_cases.html")]
struct CasesPage {
    chrome: Chrome,
    intro: &'static str,
    empty: &'static str,
    reference_label: &'static str,
    title_label: &'static str,
    opened_label: &'static str,
    cases: Vec<CaseRow>,
}

async fn list(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    let (Some(government_id), Some(agency_id)) = (admin.principal.government_id, admin.principal.agency_id) else {
        return error_page(lang, &uri, AppError::Forbidden);
    };
    let loaded = async {
        let government = org::government(&state.db, government_id).await?;
        let cases = cases::agency_cases(&state.db, government_id, agency_id, 200).await?;
        Ok::<_, balai_store::StoreError>((government, cases))
    }
    .await;
    let (government, found) = match loaded {
        Ok(l) => l,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let zone = government.zone();
    let rows = found
        .into_iter()
        .filter(|c| admin.may(Action::WorkCase, &c.target()))
        .map(|c| CaseRow {
            href: format!("/admin/kasus/{}", c.id),
            reference: c.reference(),
            title: c.title.clone(),
            opened: zone.format(c.opened_at),
        })
        .collect();
    let mut chrome = Chrome::new(lang, texts::HEADING.get(lang), &uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let page = CasesPage {
        chrome,
        intro: texts::INTRO.get(lang),
        empty: texts::EMPTY.get(lang),
        reference_label: texts::REFERENCE.get(lang),
        title_label: texts::SUBJECT.get(lang),
        opened_label: texts::RECEIVED.get(lang),
        cases: rows,
    };
    no_store(render(&page))
}

#[derive(askama::Template)]
#[template(path = "admin_case.html")]
struct CasePage {
    chrome: Chrome,
    case_href: String,
    reference: String,
    case_title: String,
    opened_label: &'static str,
    opened: String,
    has_citizen: bool,
    no_citizen: &'static str,
    csrf: String,
    read_heading: &'static str,
    read_intro: &'static str,
    purpose_label: &'static str,
    purpose_hint: &'static str,
    purpose: String,
    error: Option<String>,
    read_label: &'static str,
    record_heading: &'static str,
    record: Option<Vec<(&'static str, String)>>,
    logged_note: &'static str,
}

/// The purpose as typed, and what is wrong with it.
#[derive(Default)]
struct PurposeForm {
    purpose: String,
    error: Option<String>,
}

/// The case, if it exists and this officer may work it. Others learn nothing more than "not found".
async fn workable_case(state: &AppState, admin: &Admin, id: &str) -> Result<Case, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let case = cases::case(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !admin.may(Action::WorkCase, &case.target()) || cases::is_sealed(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(case)
}

async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    admin: &Admin,
    case: &Case,
    form: PurposeForm,
    record: Option<&Citizen>,
) -> Response {
    let PurposeForm { purpose, error } = form;
    let zone = match org::government(&state.db, case.government_id).await {
        Ok(g) => g.zone(),
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let mut chrome = Chrome::new(lang, format!("{} — {}", case.reference(), case.title), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = CasePage {
        chrome,
        case_href: format!("/admin/kasus/{}", case.id),
        reference: case.reference(),
        case_title: case.title.clone(),
        opened_label: texts::RECEIVED.get(lang),
        opened: zone.format(case.opened_at),
        has_citizen: case.citizen_id.is_some(),
        no_citizen: texts::NO_CITIZEN.get(lang),
        csrf: admin.csrf_token.clone(),
        read_heading: texts::READ_HEADING.get(lang),
        read_intro: texts::READ_INTRO.get(lang),
        purpose_label: texts::PURPOSE.get(lang),
        purpose_hint: texts::PURPOSE_HINT.get(lang),
        purpose,
        error,
        read_label: texts::READ.get(lang),
        record_heading: texts::RECORD_HEADING.get(lang),
        record: record.map(|c| facts(lang, c)),
        logged_note: texts::LOGGED_NOTE.get(lang),
    };
    no_store((status, render(&page)).into_response())
}

/// The record as staff see it: identifiers masked, what the case needs in full.
fn facts(lang: Lang, c: &Citizen) -> Vec<(&'static str, String)> {
    let mut facts = vec![("NIK", c.masked_nik()), (texts::NAME.get(lang), c.full_name.clone())];
    if let Some(birth) = super::identity::citizen::birth_line(lang, c) {
        facts.push((texts::BIRTH.get(lang), birth));
    }
    if let Some(address) = &c.address {
        facts.push((texts::ADDRESS.get(lang), address.clone()));
    }
    if let Some(kk) = &c.kk {
        facts.push((texts::FAMILY_CARD.get(lang), mask_digits(kk)));
    }
    if let Some(phone) = &c.phone {
        facts.push((texts::MOBILE.get(lang), mask_recipient(phone)));
    }
    if let Some(email) = &c.email {
        facts.push((texts::EMAIL.get(lang), mask_recipient(email)));
    }
    for d in &c.documents {
        facts.push((texts::DOCUMENT.get(lang), super::identity::citizen::document_line(lang, d)));
    }
    facts
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(id): Path<String>,
) -> Response {
    match workable_case(&state, &admin, &id).await {
        Ok(case) => case_page(&state, lang, &uri, &admin, &case, PurposeForm::default(), None).await,
        Err(e) => error_page(lang, &uri, e),
    }
}

#[derive(Deserialize)]
struct ReadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    purpose: String,
}

async fn read_citizen(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(id): Path<String>,
    Form(form): Form<ReadForm>,
) -> Response {
    if !admin.check_csrf(&form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let case = match workable_case(&state, &admin, &id).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &uri, e),
    };
    let purpose = match Purpose::parse(&form.purpose) {
        Ok(p) => p,
        Err(rule) => {
            let message = rule.message(lang);
            let form = PurposeForm { purpose: form.purpose, error: Some(message) };
            return case_page(&state, lang, &uri, &admin, &case, form, None).await;
        }
    };
    let read = access::read_citizen_for_case(&state.db, &state.vault, admin.admin_id, case.id, &purpose).await;
    match read {
        Ok(Ok(citizen)) => {
            tracing::info!(case = case.id, "citizen record opened for a case");
            let form = PurposeForm { purpose: purpose.as_str().to_owned(), error: None };
            case_page(&state, lang, &uri, &admin, &case, form, Some(&citizen)).await
        }
        Ok(Err(AccessRefused::NoCitizenOnCase)) => error_page(lang, &uri, AppError::NotFound),
        Ok(Err(refused)) => {
            tracing::warn!(case = case.id, reason = ?refused, "citizen record refused");
            error_page(lang, &uri, AppError::Forbidden)
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
