//! Payment pages: the receiving treasurer's day, statements, held payments and refunds
//! (`/admin/pembayaran…`).

pub mod treasury;
pub(crate) mod treasury_texts;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(treasury::routes())
}
