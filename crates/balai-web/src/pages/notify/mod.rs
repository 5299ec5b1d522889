//! Notification pages: the demo inbox and the texts of the messages.

mod inbox;
mod templates;
pub(crate) mod texts;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(inbox::routes()).merge(templates::routes())
}
