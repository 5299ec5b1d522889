//! Filing a report: `/pengaduan/baru`. Posted as `multipart/form-data` so photos from a phone's
//! camera come along. Everything is checked — fields, location, every photo cleaned in memory —
//! before anything is kept; similar open reports nearby are offered before a new one is filed.

use super::{L, government_of, texts};
use crate::AppState;
use crate::applications::{MAX_FORM_REQUEST, read_bounded};
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::complaints::{
    Channel, GeoPoint, MAX_ADDRESS_CHARS, MAX_PHOTOS, MAX_TEXT_CHARS, MAX_TITLE_CHARS, ReportKind,
};
use balai_domain::validation::{FieldErrors, Rule};
use balai_files::{Cleaned, FileKind, Limits};
use balai_store::complaints::{self, Category, NewReport, Reporter, StoredPhoto};
use balai_store::org::Government;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/pengaduan/baru", get(form).post(submit).layer(DefaultBodyLimit::max(MAX_FORM_REQUEST)))
}

/// What the form holds, as posted (kept when the form comes back).
#[derive(Default, Clone)]
struct Values {
    pemda: String,
    kind: String,
    category: String,
    title: String,
    text: String,
    lat: String,
    long: String,
    address: String,
    region_code: String,
    anonymous: bool,
    confidential: bool,
    name: String,
    email: String,
    phone: String,
    idempotency_key: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct Similar {
    tracking: String,
    title: String,
    status: String,
    supporters: String,
    distance: String,
}

#[derive(askama::Template)]
#[template(path = "complaints/new.html")]
struct NewPage {
    chrome: Chrome,
    l: L,
    intro: String,
    csrf: String,
    v: Values,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    signed_in: bool,
    errors: Vec<(String, String)>,
    similar: Vec<Similar>,
    photos_again: bool,
    max_text: usize,
    max_title: usize,
    max_address: usize,
}

impl NewPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(askama::Template)]
#[template(path = "complaints/filed.html")]
struct FiledPage {
    chrome: Chrome,
    l: L,
    tracking: String,
    secret: Option<String>,
    due: String,
    public: bool,
}

#[derive(Deserialize)]
struct FormQuery {
    pemda: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    government: &Government,
    categories: &[Category],
    v: Values,
    signed_in: bool,
    errors: &FieldErrors,
    extra_errors: Vec<(String, String)>,
    similar: Vec<Similar>,
    photos_again: bool,
) -> Response {
    let l = L(lang);
    let (csrf, cookie) = crate::auth::issue_login_csrf(state);
    let mut summary: Vec<(String, String)> = errors.0.iter().map(|e| (e.field.clone(), e.rule.message(lang))).collect();
    summary.extend(extra_errors);
    let kinds = ReportKind::ALL
        .iter()
        .map(|k| Choice { value: k.code().to_owned(), label: k.label(lang).to_owned(), selected: v.kind == k.code() })
        .collect();
    let categories = categories
        .iter()
        .filter(|c| c.active)
        .map(|c| Choice { value: c.code.clone(), label: c.name(lang).to_owned(), selected: v.category == c.code })
        .collect();
    let page = NewPage {
        chrome: Chrome::new(lang, l.t("NEW_HEADING"), uri),
        l,
        intro: texts::NEW_INTRO.fill(lang, &[("government", &government.name)]),
        csrf,
        v,
        kinds,
        categories,
        signed_in,
        errors: summary,
        similar,
        photos_again,
        max_text: MAX_TEXT_CHARS,
        max_title: MAX_TITLE_CHARS,
        max_address: MAX_ADDRESS_CHARS,
    };
    let mut response = no_store(render(&page));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

async fn form(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<FormQuery>,
) -> Response {
    let government = match government_of(&state, q.pemda.as_deref()).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let categories = match complaints::categories(&state.db, government.id).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let signed_in = super::citizen_of(&state, &headers).await.is_some();
    let v = Values {
        pemda: government.region_code.clone(),
        kind: ReportKind::Complaint.code().to_owned(),
        idempotency_key: crate::auth::random_token(),
        ..Values::default()
    };
    page(&state, lang, &uri, &government, &categories, v, signed_in, &FieldErrors::default(), vec![], vec![], false)
}

/// The most parts a report may carry: its fields and photos (and a few extra photos, refused by name).
const MAX_PARTS: usize = 40;
/// The most bytes a text part may carry (the report's text is the longest: 4,000 characters).
const MAX_TEXT_PART: usize = 24 * 1024;

/// Checks what can be checked without the store, every problem named by its field.
fn check(values: &Values, categories: &[Category], area: Option<&balai_domain::complaints::GeoBox>) -> FieldErrors {
    let mut e = FieldErrors::default();
    if ReportKind::parse(values.kind.trim()).is_none() {
        e.push("kind", Rule::Required);
    }
    let category = values.category.trim();
    if category.is_empty() {
        e.push("category", Rule::Required);
    } else if !categories.iter().any(|c| c.active && c.code == category) {
        e.push("category", Rule::Unknown);
    }
    e.text("title", &values.title, MAX_TITLE_CHARS);
    e.text("text", &values.text, MAX_TEXT_CHARS);
    if !(values.lat.trim().is_empty() && values.long.trim().is_empty())
        && let Err(found) = GeoPoint::parse(&values.lat, &values.long, area)
    {
        e.0.extend(found.0);
    }
    e.optional_text("address", &values.address, MAX_ADDRESS_CHARS);
    let region = values.region_code.trim();
    if !region.is_empty() && !balai_domain::region::is_known_region(region) {
        e.push("region_code", Rule::Unknown);
    }
    e.optional_text("name", &values.name, 120);
    let email = values.email.trim();
    if !email.is_empty() && (email.len() > 254 || !email.contains('@') || email.contains(char::is_whitespace)) {
        e.push("email", Rule::Format { expected: "nama@contoh.id" });
    }
    let digits = values.phone.chars().filter(char::is_ascii_digit).count();
    if !values.phone.trim().is_empty() && !(8..=15).contains(&digits) {
        e.push("phone", Rule::Format { expected: "081234567890" });
    }
    e
}

async fn submit(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let bad_body = || AppError::BadParameter { param: "body", expected: crate::error::Expected::ApplicationBody };
    let mut text: Vec<(String, String)> = Vec::new();
    let mut photos: Vec<Vec<u8>> = Vec::new();
    let mut photo_errors: Vec<(String, String)> = Vec::new();
    let mut photos_sent = 0usize;
    let mut parts = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return error_page(lang, &uri, bad_body()),
        };
        parts += 1;
        if parts > MAX_PARTS {
            return error_page(lang, &uri, bad_body());
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photos" {
            let has_name = field.file_name().is_some_and(|n| !n.is_empty());
            match read_bounded(field, state.config.max_upload_bytes).await {
                Ok(bytes) if bytes.is_empty() && !has_name => {}
                Ok(bytes) => {
                    photos_sent += 1;
                    // A sixth photo is not even read into the list: it is refused by count below.
                    if photos.len() < MAX_PHOTOS {
                        photos.push(bytes);
                    }
                }
                Err(e) => {
                    photos_sent += 1;
                    let n = photos_sent.to_string();
                    photo_errors.push((
                        "photos".into(),
                        texts::PHOTO_NUMBERED.fill(lang, &[("n", &n), ("reason", &e.message(lang))]),
                    ));
                }
            }
        } else {
            match read_bounded(field, MAX_TEXT_PART).await {
                Ok(bytes) => text.push((name, String::from_utf8_lossy(&bytes).into_owned())),
                Err(_) => return error_page(lang, &uri, bad_body()),
            }
        }
    }
    let get = |name: &str| text.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    // The form has no session to carry a token: a signed double-submit token, checked before
    // anything is read from the store or kept.
    if !crate::auth::login_csrf_ok(&state, &headers, &get("csrf")) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let values = Values {
        pemda: get("pemda"),
        kind: get("kind"),
        category: get("category"),
        title: get("title"),
        text: get("text"),
        lat: get("lat"),
        long: get("long"),
        address: get("address"),
        region_code: get("region_code"),
        anonymous: !get("anonymous").is_empty(),
        confidential: !get("confidential").is_empty(),
        name: get("name"),
        email: get("email"),
        phone: get("phone"),
        idempotency_key: get("idempotency_key").chars().take(100).collect(),
    };
    let government = match government_of(&state, Some(&values.pemda)).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let categories = match complaints::categories(&state.db, government.id).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let rules = match complaints::rules::current(&state.db, government.id).await {
        Ok(Some(rules)) => rules,
        Ok(None) => return error_page(lang, &uri, AppError::NotFound),
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let citizen = super::citizen_of(&state, &headers).await;
    let errors = check(&values, &categories, rules.area.as_ref());
    if photos_sent > MAX_PHOTOS {
        let max = MAX_PHOTOS.to_string();
        photo_errors.push(("photos".into(), texts::TOO_MANY_PHOTOS.fill(lang, &[("max", &max)])));
    }
    // Every photo is cleaned in memory (recognised by its bytes, re-encoded without its metadata);
    // none is kept until the whole report is in order.
    let limits = Limits { max_bytes: state.config.max_upload_bytes, ..Limits::default() };
    let mut cleaned: Vec<Cleaned> = Vec::new();
    for (i, bytes) in photos.into_iter().enumerate() {
        let limits = limits.clone();
        let result = tokio::task::spawn_blocking(move || balai_files::clean(&bytes, &limits)).await;
        let n = (i + 1).to_string();
        let reason = match result {
            Ok(Ok(c)) if matches!(c.kind, FileKind::Jpeg | FileKind::Png) => {
                cleaned.push(c);
                continue;
            }
            Ok(Ok(_)) => texts::NOT_AN_IMAGE.get(lang).to_owned(),
            Ok(Err(e)) => e.message(lang),
            Err(e) => return error_page(lang, &uri, AppError::Internal(format!("photo cleaning task: {e}"))),
        };
        photo_errors.push(("photos".into(), texts::PHOTO_NUMBERED.fill(lang, &[("n", &n), ("reason", &reason)])));
    }
    if !errors.is_empty() || !photo_errors.is_empty() {
        let page = page(
            &state,
            lang,
            &uri,
            &government,
            &categories,
            values,
            citizen.is_some(),
            &errors,
            photo_errors,
            vec![],
            photos_sent > 0,
        );
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    // Before a new report: the open ones nearby in the same category, unless the reporter has seen
    // them and chose to send a new one.
    let now = state.config.clock.now();
    if get("action") != "new"
        && let Ok(point) = GeoPoint::parse(&values.lat, &values.long, rules.area.as_ref())
    {
        let near = match complaints::similar_open(&state.db, government.id, values.category.trim(), point, now).await {
            Ok(near) => near,
            Err(e) => return error_page(lang, &uri, e.into()),
        };
        if !near.is_empty() {
            let similar = near
                .into_iter()
                .map(|(line, metres)| Similar {
                    tracking: line.tracking_number.clone(),
                    title: line.title.clone(),
                    status: line.status.label(lang).to_owned(),
                    supporters: texts::SUPPORTERS.fill(lang, &[("count", &line.supporters.to_string())]),
                    distance: texts::METRES_AWAY.fill(lang, &[("metres", &format!("{metres:.0}"))]),
                })
                .collect();
            return page(
                &state,
                lang,
                &uri,
                &government,
                &categories,
                values,
                citizen.is_some(),
                &FieldErrors::default(),
                vec![],
                similar,
                photos_sent > 0,
            );
        }
    }
    let mut stored = Vec::new();
    for photo in &cleaned {
        match state.config.files.put(government.id, photo).await {
            Ok(key) => stored.push(StoredPhoto {
                object_key: key,
                content_type: photo.kind.content_type().to_owned(),
                size: i64::try_from(photo.bytes.len()).unwrap_or(i64::MAX),
                sha256: photo.sha256_hex.clone(),
            }),
            Err(e) => return error_page(lang, &uri, AppError::Internal(format!("keeping a photo: {e}"))),
        }
    }
    let kind = ReportKind::parse(values.kind.trim()).unwrap_or(ReportKind::Complaint);
    let reporter = match citizen {
        Some(id) => Reporter::Citizen(id),
        None => Reporter::Guest { name: &values.name, email: &values.email, phone: &values.phone },
    };
    let new = NewReport {
        government_id: government.id,
        kind,
        channel: Channel::Web,
        category_code: values.category.trim(),
        title: &values.title,
        text: &values.text,
        lat: &values.lat,
        lon: &values.long,
        address: &values.address,
        region_code: &values.region_code,
        anonymous: values.anonymous,
        confidential: values.confidential,
        reporter,
        photos: &stored,
        open311_client_id: None,
        idempotency_key: &values.idempotency_key,
    };
    match complaints::file_report(&state.db, &state.vault, &new, now).await {
        Ok(filed) => {
            let l = L(lang);
            let zone = government.zone();
            let page = FiledPage {
                chrome: Chrome::new(lang, l.t("FILED_HEADING"), &uri),
                l,
                tracking: filed.tracking_number.as_str().to_owned(),
                secret: filed.secret,
                due: super::when(zone, filed.due_at),
                public: !values.confidential,
            };
            // The secret is on this page only: never kept by a browser or a proxy.
            no_store(render(&page))
        }
        Err(balai_store::StoreError::Invalid(found)) => {
            let signed_in = citizen.is_some();
            let page =
                page(&state, lang, &uri, &government, &categories, values, signed_in, &found, vec![], vec![], true);
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
