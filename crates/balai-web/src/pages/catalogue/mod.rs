//! The catalogue's pages: the public standards of service, and the officers' forms that publish them.

mod maklumat;
mod public;
mod service_form;
pub(crate) mod texts;

use crate::AppState;
use axum::Router;

pub use public::*;

pub fn routes() -> Router<AppState> {
    Router::new().merge(public::routes()).merge(service_form::routes()).merge(maklumat::routes())
}
