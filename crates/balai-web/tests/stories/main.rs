//! User stories through the whole web stack (router, store, SQLite), one request at a time.

mod support;

mod access;
mod admin;
mod api;
mod applications;
mod audit;
mod catalogue;
mod citizen_oidc;
mod complaints;
mod complaints_work;
mod counter;
mod dashboard;
mod dashboard_live;
mod hardening;
mod identity;
mod officers;
mod oidc;
mod oidc_provider;
mod open311;
mod open_data;
mod ops;
mod payment_callback;
mod payments;
mod register;
mod routes;
mod snap;
mod surveys;
mod templates;
mod treasury;
mod whistleblowing;
