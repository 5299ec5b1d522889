//! Server-rendered pages: mobile first, Bahasa Indonesia first, usable without JavaScript.

pub mod applications;
pub mod calendar;
pub mod cases;
pub mod catalogue;
pub mod complaints;
pub mod dashboard;
pub mod identity;
pub mod notify;
pub mod open311;
pub mod payments;
pub mod surveys;
pub mod whistleblowing;

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
        .merge(applications::routes())
        .merge(catalogue::routes())
        .merge(complaints::officer_routes())
        .merge(complaints::routes())
        .merge(dashboard::routes())
        .merge(calendar::routes())
        .merge(cases::routes())
        .merge(identity::routes())
        .merge(notify::routes())
        .merge(open311::routes())
        .merge(payments::routes())
        .merge(surveys::routes())
        .merge(whistleblowing::routes())
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
    let mut response = (error.status(), render(&page)).into_response();
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds.max(1)));
    }
    response
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Every page module (by path under `pages`, `mod.rs` naming its folder) and its source.
    fn page_modules() -> BTreeMap<Vec<String>, String> {
        fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, String>) {
            for entry in std::fs::read_dir(dir).expect("pages folder is readable") {
                let path = entry.expect("pages entry").path();
                let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
                if path.is_dir() {
                    walk(&path, &[prefix, &[name]].concat(), out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let module = if name == "mod" { prefix.to_vec() } else { [prefix, &[name]].concat() };
                    out.insert(module, std::fs::read_to_string(&path).expect("page source is readable"));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages"), &[], &mut out);
        out
    }

    /// The page modules a module's source names, through `super::` or `crate::pages::` paths.
    fn references(module: &[String], source: &str, known: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
        let is_folder = |m: &[String]| known.iter().any(|k| k.len() > m.len() && k.starts_with(m));
        // `super::` in `a/b.rs` is `a`; in `a/mod.rs` (module `a`) it is the root.
        let parent: Vec<String> = if is_folder(module) {
            module[..module.len().saturating_sub(1)].to_vec()
        } else {
            module[..module.len() - 1].to_vec()
        };
        let mut found = BTreeSet::new();
        for (marker, base) in [("super::", parent.clone()), ("crate::pages::", Vec::new())] {
            for (at, _) in source.match_indices(marker) {
                let path: Vec<String> = source[at + marker.len()..]
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or_default()
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                let mut target = base.clone();
                let mut longest = None;
                for part in path {
                    target.push(part);
                    if known.contains(&target) {
                        longest = Some(target.clone());
                    }
                }
                if let Some(target) = longest
                    && !target.starts_with(module)
                    && !module.starts_with(&target)
                {
                    found.insert(target);
                }
            }
        }
        found
    }

    #[test]
    fn no_two_page_modules_import_each_other() {
        let modules = page_modules();
        let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
        let edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> =
            modules.iter().map(|(m, source)| (m.clone(), references(m, source, &known))).collect();
        assert!(
            edges[&vec!["cases".to_owned()]].contains(&vec!["identity".to_owned(), "citizen".to_owned()]),
            "the scan must see the one-way imports that exist (cases → identity::citizen): {edges:?}"
        );
        // Any cycle, not only a pair: depth-first search with the path kept.
        fn visit(
            at: &Vec<String>,
            edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
            path: &mut Vec<Vec<String>>,
            done: &mut BTreeSet<Vec<String>>,
        ) -> Option<Vec<Vec<String>>> {
            if let Some(start) = path.iter().position(|m| m == at) {
                return Some([&path[start..], std::slice::from_ref(at)].concat());
            }
            if !done.insert(at.clone()) {
                return None;
            }
            path.push(at.clone());
            for next in edges.get(at).into_iter().flatten() {
                if let Some(cycle) = visit(next, edges, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        for module in edges.keys() {
            if let Some(cycle) = visit(module, &edges, &mut Vec::new(), &mut done) {
                let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
                panic!("page modules import each other: {}", names.join(" → "));
            }
        }
    }
}
