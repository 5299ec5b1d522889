//! The demo's message inbox: what the outbox sent, so a newcomer can sign in without a real phone.
//! Mounted only when `demo_inbox` is on; a real deployment answers 404 here.

use super::texts;
use crate::AppState;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use balai_domain::contact::mask_recipient;
use balai_store::notify;

pub fn routes() -> Router<AppState> {
    Router::new().route("/demo/pesan", get(inbox))
}

struct InboxItem {
    when: String,
    channel: &'static str,
    to: String,
    status: &'static str,
    subject: String,
    body: String,
}

#[derive(askama::Template)]
#[template(path = "demo_inbox.html")]
struct InboxPage {
    chrome: Chrome,
    intro: &'static str,
    empty: &'static str,
    messages: Vec<InboxItem>,
}

async fn inbox(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri) -> Response {
    if !state.config.demo_inbox {
        return error_page(lang, &uri, AppError::NotFound);
    }
    let messages = match notify::recent(&state.db, &state.vault, 50).await {
        Ok(m) => m,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let zone = balai_domain::IndonesianTimeZone::Wita;
    let page = InboxPage {
        chrome: Chrome::new(lang, texts::INBOX_HEADING.get(lang), &uri),
        intro: texts::INBOX_INTRO.get(lang),
        empty: texts::INBOX_EMPTY.get(lang),
        messages: messages
            .into_iter()
            .map(|m| InboxItem {
                when: zone.format(m.created_at),
                channel: m.channel.label(lang),
                to: mask_recipient(&m.recipient),
                status: match m.status.as_str() {
                    "sent" => texts::INBOX_SENT,
                    "dead" => texts::INBOX_DEAD,
                    _ => texts::INBOX_WAITING,
                }
                .get(lang),
                subject: m.subject,
                body: m.body,
            })
            .collect(),
    };
    no_store(render(&page))
}
