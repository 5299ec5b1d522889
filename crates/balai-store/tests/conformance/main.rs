//! The storage conformance suite: every store function, run against SQLite always and against
//! PostgreSQL when `BALAI_TEST_POSTGRES_URL` is set (CI sets it). Each test gets its own database,
//! dropped afterwards.

mod support;

mod access;
mod applications;
mod audit;
mod billing;
mod calendar;
mod catalogue;
mod citizens;
mod complaints;
mod contacts;
mod counter;
mod dashboard;
mod identity;
mod jobs;
mod notify;
mod oidc;
mod open311;
mod org;
mod payments;
mod reconcile;
mod registry;
mod rotation;
mod schema;
mod seed;
mod surveys;
mod templates;
mod transfer;
mod whistleblowing;

/// Declares each test once and runs it on both engines: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let test_db = $crate::support::TestDb::sqlite().await;
                    super::$name(test_db.db.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(test_db) = $crate::support::TestDb::postgres().await else {
                        eprintln!("BALAI_TEST_POSTGRES_URL is not set: PostgreSQL conformance skipped");
                        return;
                    };
                    super::$name(test_db.db.clone()).await;
                }
            )*
        }
    };
}
