//! Complaints pages (pengaduan, aspirasi, permintaan informasi). The officers' side: the queue, a
//! report's page with its actions, and the rules editor.

mod rules;
mod work;
pub(crate) mod work_texts;

use crate::AppState;
use axum::Router;

/// The officers' complaint pages.
pub fn officer_routes() -> Router<AppState> {
    Router::new().merge(work::routes()).merge(rules::routes())
}
