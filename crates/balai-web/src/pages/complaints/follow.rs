//! Following a report and subscribing to new reports by e-mail. The forms only record the wish and
//! send a confirmation link; the link opens a page whose button confirms (a mail scanner that
//! fetches links does not confirm anything), and the same token ends it.

use super::{L, government_of, texts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use balai_domain::Lang;
use balai_domain::complaints::GeoBox;
use balai_domain::validation::{FieldErrors, Rule};
use balai_store::complaints::{self, follow::Interest};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pengaduan/{number}/ikuti", post(follow_report))
        .route("/pengaduan/langganan", post(subscribe))
        .route("/pengaduan/konfirmasi", get(confirm_page).post(confirm))
        .route("/pengaduan/berhenti", get(stop_page).post(stop))
}

/// The address a confirmation link points to.
fn link_base(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = state
        .config
        .public_origin
        .clone()
        .or_else(|| host.map(|h| format!("http://{h}")))
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    format!("{}/pengaduan/konfirmasi?token=", origin.trim_end_matches('/'))
}

#[derive(askama::Template)]
#[template(path = "complaints/message.html")]
struct MessagePage {
    chrome: Chrome,
    l: L,
    message: String,
    error: bool,
    /// A form to confirm or stop: its action, the token, the button.
    form: Option<(String, String, String)>,
    csrf: String,
}

fn message(lang: Lang, uri: &Uri, status: StatusCode, text: String, error: bool) -> Response {
    let l = L(lang);
    let page = MessagePage {
        chrome: Chrome::new(lang, l.t("FOLLOW_HEADING"), uri),
        l,
        message: text,
        error,
        form: None,
        csrf: String::new(),
    };
    (status, no_store(render(&page))).into_response()
}

fn field_message(lang: Lang, errors: &FieldErrors) -> String {
    errors.0.iter().map(|e| format!("{}: {}", e.field, e.rule.message(lang))).collect::<Vec<_>>().join(" ")
}

#[derive(Deserialize)]
struct FollowForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

async fn follow_report(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Path(number): Path<String>,
    Form(form): Form<FollowForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let interest = Interest::Report { tracking_number: &number };
    ask_to_confirm(&state, &headers, lang, &uri, &interest, &form.email).await
}

#[derive(Deserialize)]
struct SubscribeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    pemda: String,
    #[serde(default)]
    kategori: String,
    #[serde(default)]
    min_lat: String,
    #[serde(default)]
    min_lon: String,
    #[serde(default)]
    max_lat: String,
    #[serde(default)]
    max_lon: String,
}

/// The box typed into the subscription form: all four corners, or none.
fn area_of(form: &SubscribeForm) -> Result<Option<GeoBox>, FieldErrors> {
    let corners = [&form.min_lat, &form.min_lon, &form.max_lat, &form.max_lon];
    if corners.iter().all(|c| c.trim().is_empty()) {
        return Ok(None);
    }
    let mut errors = FieldErrors::default();
    let mut values = [0.0f64; 4];
    for (i, (name, value)) in ["min_lat", "min_lon", "max_lat", "max_lon"].iter().zip(corners).enumerate() {
        match value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => values[i] = v,
            _ => errors.push(*name, Rule::Format { expected: "-10.1772" }),
        }
    }
    errors.clone().into_result()?;
    let area = GeoBox { min_lat: values[0], min_lon: values[1], max_lat: values[2], max_lon: values[3] };
    if !area.is_valid() {
        errors.push("area", Rule::OutsideArea { area: "Indonesia" });
        return Err(errors);
    }
    Ok(Some(area))
}

async fn subscribe(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<SubscribeForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let government = match government_of(&state, Some(&form.pemda)).await {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e),
    };
    let category = match form.kategori.trim() {
        "" => None,
        code => match complaints::category_by_code(&state.db, government.id, code).await {
            Ok(Some(c)) => Some(c.id),
            Ok(None) => {
                let mut e = FieldErrors::default();
                e.push("kategori", Rule::Unknown);
                return message(lang, &uri, StatusCode::UNPROCESSABLE_ENTITY, field_message(lang, &e), true);
            }
            Err(e) => return error_page(lang, &uri, e.into()),
        },
    };
    let area = match area_of(&form) {
        Ok(area) => area,
        Err(e) => {
            return message(lang, &uri, StatusCode::UNPROCESSABLE_ENTITY, field_message(lang, &e), true);
        }
    };
    let interest = Interest::News { government_id: government.id, category_id: category, area };
    ask_to_confirm(&state, &headers, lang, &uri, &interest, &form.email).await
}

/// Records the wish to follow (a report, or news of an area or category) and mails the confirmation
/// link; the page says a link was sent, or names what is wrong with the address.
async fn ask_to_confirm(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    uri: &Uri,
    interest: &Interest<'_>,
    email: &str,
) -> Response {
    let base = link_base(state, headers);
    let link = move |token: &str| format!("{base}{token}");
    match complaints::follow::follow(&state.db, &state.vault, interest, email, &link, state.config.clock.now()).await {
        Ok(()) => message(lang, uri, StatusCode::OK, texts::FOLLOW_SENT.get(lang).to_owned(), false),
        Err(balai_store::StoreError::Invalid(e)) => {
            message(lang, uri, StatusCode::UNPROCESSABLE_ENTITY, field_message(lang, &e), true)
        }
        Err(e) => error_page(lang, uri, e.into()),
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn token_page(state: &AppState, lang: Lang, uri: &Uri, action: &str, token: String, button: &str) -> Response {
    let l = L(lang);
    let (csrf, cookie) = crate::auth::issue_login_csrf(state);
    let page = MessagePage {
        chrome: Chrome::new(lang, l.t("FOLLOW_HEADING"), uri),
        l,
        message: String::new(),
        error: false,
        form: Some((action.to_owned(), token, button.to_owned())),
        csrf,
    };
    let mut response = no_store(render(&page));
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

async fn confirm_page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token: String = q.token.unwrap_or_default().chars().take(100).collect();
    token_page(&state, lang, &uri, "/pengaduan/konfirmasi", token, texts::CONFIRM.get(lang))
}

async fn stop_page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(q): Query<TokenQuery>,
) -> Response {
    let token: String = q.token.unwrap_or_default().chars().take(100).collect();
    token_page(&state, lang, &uri, "/pengaduan/berhenti", token, texts::STOP.get(lang))
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

async fn confirm(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    match complaints::follow::confirm(&state.db, &form.token, state.config.clock.now()).await {
        Ok(true) => message(lang, &uri, StatusCode::OK, texts::FOLLOW_CONFIRMED.get(lang).to_owned(), false),
        Ok(false) => message(lang, &uri, StatusCode::GONE, texts::FOLLOW_UNKNOWN.get(lang).to_owned(), true),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

async fn stop(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    if !crate::auth::login_csrf_ok(&state, &headers, &form.csrf) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    match complaints::follow::unsubscribe(&state.db, &form.token).await {
        Ok(true) => message(lang, &uri, StatusCode::OK, texts::FOLLOW_STOPPED.get(lang).to_owned(), false),
        Ok(false) => message(lang, &uri, StatusCode::GONE, texts::FOLLOW_UNKNOWN.get(lang).to_owned(), true),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
