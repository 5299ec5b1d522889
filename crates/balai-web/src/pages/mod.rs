//! Server-rendered pages: mobile first, Bahasa Indonesia first, usable without JavaScript.

pub mod calendar;
pub mod cases;
pub mod catalogue;
pub mod dashboard;
pub mod identity;
pub mod notify;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::{RequestLang, Texts, texts};
use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(catalogue::routes())
        .merge(dashboard::routes())
        .merge(calendar::routes())
        .merge(cases::routes())
        .merge(identity::routes())
        .merge(notify::routes())
        .route("/static/balai.css", get(stylesheet))
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/balai.css"),
    )
        .into_response()
}

/// What every page shares: language texts, title, the language switch, the signed-in admin.
pub struct Chrome {
    pub t: &'static Texts,
    pub title: String,
    pub lang_switch_href: String,
    /// `?lang=en` when the page is in English, so links keep the language; empty otherwise.
    pub lang_query: &'static str,
    /// `&lang=en` for links that already have a query string.
    pub lang_amp: &'static str,
    pub admin_name: Option<String>,
}

impl Chrome {
    pub fn new(lang: Lang, title: impl Into<String>, uri: &Uri) -> Chrome {
        let t = texts(lang);
        let (lang_query, lang_amp) = match lang {
            Lang::Id => ("", ""),
            Lang::En => ("?lang=en", "&lang=en"),
        };
        Chrome {
            t,
            title: title.into(),
            lang_switch_href: switch_href(uri, t.other_lang),
            lang_query,
            lang_amp,
            admin_name: None,
        }
    }
}

/// The current URL with `lang` set to the other language, other parameters kept.
fn switch_href(uri: &Uri, other: &str) -> String {
    let mut params: Vec<&str> =
        uri.query().unwrap_or_default().split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    let lang_param = format!("lang={other}");
    params.push(&lang_param);
    format!("{}?{}", uri.path(), params.join("&"))
}

/// Pages with personal data or a session's forms must not be kept by browsers or proxies.
/// A form page whose refusals stand next to their fields (and in the summary, `error_summary.html`).
pub(crate) trait FieldErrors {
    fn field_errors(&self) -> &[(&'static str, String)];

    /// The message for one field, if it was refused.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.field_errors().iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    response
}

/// Renders a template, turning a (programming) template error into a 500 page.
pub fn render<T: askama::Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: String,
    pub body: String,
}

/// An error shown to a person, as a page in their language.
pub fn error_page(lang: Lang, uri: &Uri, error: AppError) -> Response {
    error.log();
    let t = texts(lang);
    let (heading, body) = match &error {
        AppError::NotFound => (t.not_found_title.to_owned(), t.not_found_body.to_owned()),
        AppError::Internal(_) => (t.error_title.to_owned(), t.error_body.to_owned()),
        other => (other.title(lang).to_owned(), other.detail(lang)),
    };
    let page = ErrorPage { chrome: Chrome::new(lang, heading.clone(), uri), heading, body };
    (error.status(), render(&page)).into_response()
}

/// Fallback for unknown paths: problem+json under /api, a page elsewhere.
pub async fn not_found(RequestLang(lang): RequestLang, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(AppError::NotFound, lang).into_response();
    }
    error_page(lang, &uri, AppError::NotFound)
}

/// Everything but RFC 3986 unreserved characters is percent-encoded.
const COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// One input on the form, with its value and error already resolved.
pub(crate) struct FieldView {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) kind: &'static str,
    pub(crate) value: String,
    pub(crate) hint: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) described_by: String,
    pub(crate) options: Vec<(String, String)>,
}
