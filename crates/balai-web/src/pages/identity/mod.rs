//! Identity's pages: citizens' and officers' sign-in, citizens' contacts, the counter, officer accounts.

pub mod citizen;
mod citizen_idp;
mod contacts;
mod counter;
mod officer_oidc;
mod officer_sign_in;
mod officers;
pub(crate) mod oidc_flow;
pub(crate) mod texts;

pub use citizen_idp::CitizenIdp;
pub use officer_oidc::OidcSignIn;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(citizen::routes())
        .merge(citizen_idp::routes())
        .merge(contacts::routes())
        .merge(counter::routes())
        .merge(officer_sign_in::routes())
        .merge(officer_oidc::routes())
        .merge(officers::routes())
}
