//! The dashboard context's pages: the administration's front page (`admin`) and the public
//! performance dashboard (`public`, `/dasbor`), read from aggregates.

pub mod admin;
pub mod agency;
pub mod open_data;
pub mod public;
pub mod stream;

pub(crate) use admin::texts;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    admin::routes().merge(public::routes()).merge(stream::routes()).merge(agency::routes()).merge(open_data::routes())
}
