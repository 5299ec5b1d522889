//! The demo on a database the operator names (`balai demo --database-url …` or `BALAI_DATABASE_URL`),
//! usually PostgreSQL.
//!
//! The demo writes governments, officers with published passwords and citizens into the database it
//! runs on, and `--reset` clears it; so it runs only on a database that holds nothing, or one the demo
//! itself made: its administrator `admin` was created by `system:demo`, as the audit log shows.
//! Anything else is refused before a single statement writes: a database with tables that are not
//! Balai's, or a Balai deployment the demo did not make. `--reset` drops only Balai's own tables
//! (the ones its migrations create), so a table of someone else's in the same database stays.

use crate::RunError;
use crate::config::Config;
use balai_store::transfer::{self, Contents};
use balai_store::{Db, audit, db::redact_url, identity, query};

/// Checks (and on `--reset` clears) the database the demo was pointed at; nothing to do on the demo's
/// own SQLite file in the data directory.
pub async fn prepare(config: &Config, reset: bool) -> Result<(), RunError> {
    let Some(url) = &config.database_url else { return Ok(()) };
    let db = Db::connect(url).await?;
    let result = check(&db, url, reset).await;
    db.close().await;
    result
}

async fn check(db: &Db, url: &str, reset: bool) -> Result<(), RunError> {
    let named = redact_url(url);
    match transfer::contents(db).await? {
        Contents::Nothing => return Ok(()),
        Contents::Foreign(table) => {
            return Err(RunError::Io(format!(
                "the database {named} holds tables that are not Balai's (e.g. {table}): the demo runs only on an \
                 empty database or one it made, and never drops anyone else's tables. Give it a database of its \
                 own (e.g. createdb balai_demo)"
            )));
        }
        Contents::Balai => {}
    }
    let (size,): (i64,) = db.fetch_one(query("SELECT size FROM audit_head WHERE id = 1")).await?;
    if size > 0 {
        if !db.schema_is_current().await? {
            return Err(RunError::Io(format!(
                "the database {named} holds Balai data written by an older version: run `balai migrate` on it \
                 first if it is the demo's, or give the demo a database of its own"
            )));
        }
        if !made_by_demo(db).await? {
            return Err(RunError::Io(format!(
                "the database {named} holds a Balai deployment the demo did not make: the demo would add its \
                 governments, officers with published passwords and citizens to it{}. Give the demo a database of \
                 its own (e.g. createdb balai_demo)",
                if reset { ", and --reset would delete everything in it" } else { "" }
            )));
        }
    }
    if reset {
        let dropped = transfer::drop_own_tables(db).await.map_err(|e| RunError::Io(e.to_string()))?;
        println!("Cleared the demo database {named} ({} of Balai's tables dropped)", dropped.len());
    }
    Ok(())
}

/// Whether the demo's administrator exists and its first leaf was written by the demo.
async fn made_by_demo(db: &Db) -> Result<bool, RunError> {
    let Some(admin) = identity::officer_by_username(db, crate::demo::DEMO_ADMIN).await? else { return Ok(false) };
    let leaves = audit::leaves_about(db, &audit::Subject::new("officers", admin.id)).await?;
    Ok(leaves.first().is_some_and(|l| l.actor_role == "system" && l.actor_id == "demo"))
}
