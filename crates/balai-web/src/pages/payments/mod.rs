//! Payment pages: the receiving treasurer's day, statements, held payments and refunds
//! (`/admin/pembayaran…`); the citizen paying an invoice (`/bayar/{id}`), the demo's mock gateway,
//! and the receipt.

pub mod demo_gateway;
pub(crate) mod pay;
mod receipt;
pub mod treasury;
pub(crate) mod treasury_texts;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(treasury::routes())
        .route("/bayar/{id}", get(pay::show))
        .route("/bayar/{id}/baru", post(pay::renew))
        .route("/bayar/{id}/bukti.pdf", get(receipt::download))
        .route("/demo/gateway/bayar/{id}", post(demo_gateway::pay))
}
