//! Export and import (`balai_store::transfer`): every table of the schema is carried, a deployment
//! moves to a new database of either engine with its audit log intact, and an import refuses a
//! database that holds data and a file that is cut or altered, writing nothing.

use crate::schema::table_names;
use crate::support::TestDb;
use balai_store::transfer::{self, Contents, TransferError};
use balai_store::{Backend, Db, audit, dynamic_query, query, seed};
use std::collections::BTreeSet;

crate::conformance!(
    an_export_carries_every_table_of_the_schema_but_the_listed_ones,
    a_deployment_moves_to_a_new_database_of_either_engine_with_its_log_intact,
    an_import_refuses_a_database_that_holds_data_or_is_not_balais,
    a_cut_or_altered_file_is_refused_by_line_and_leaves_the_target_empty,
    dropping_balais_tables_leaves_everyone_elses,
);

async fn export(db: &Db) -> (transfer::Exported, Vec<u8>) {
    let mut out = Vec::new();
    let exported = transfer::export(db, &mut out).await.expect("the export runs");
    (exported, out)
}

async fn fresh(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await.expect("PostgreSQL is configured"),
    }
}

/// Rows per carried table.
async fn counts(db: &Db) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in transfer::carried_tables(db).await.unwrap() {
        let (n,): (i64,) = db.fetch_one(dynamic_query(format!("SELECT COUNT(*) FROM \"{table}\""))).await.unwrap();
        counts.push((table, n));
    }
    counts.sort();
    counts
}

async fn an_export_carries_every_table_of_the_schema_but_the_listed_ones(db: Db) {
    let carried: BTreeSet<String> = transfer::carried_tables(&db).await.unwrap().into_iter().collect();
    let mut expected = table_names(&db).await;
    expected.insert("_sqlx_migrations".into());
    for (table, reason) in transfer::NOT_CARRIED {
        assert!(expected.remove(*table), "{table} is listed as not carried but is not in the schema");
        assert!(!reason.is_empty());
    }
    assert_eq!(carried, expected, "every other table of the schema is carried");
    let (exported, bytes) = export(&db).await;
    let header: transfer::Header = serde_json::from_slice(bytes.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(header.tables.len(), carried.len());
    assert_eq!(exported.lines as usize, bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count());
    // Parents come before the tables that refer to them.
    let order: Vec<&str> = header.tables.iter().map(|t| t.name.as_str()).collect();
    let position = |name: &str| order.iter().position(|t| *t == name).unwrap();
    assert!(position("governments") < position("agencies") && position("agencies") < position("cases"));
}

async fn a_deployment_moves_to_a_new_database_of_either_engine_with_its_log_intact(db: Db) {
    assert!(seed::seed_demo(&db).await.unwrap());
    let (exported, bytes) = export(&db).await;
    let (size, root) = audit::head(&db).await.unwrap();
    assert_eq!(exported.header.audit.size, size);
    let before = counts(&db).await;
    let mut targets = vec![TestDb::sqlite().await];
    if let Some(pg) = TestDb::postgres().await {
        targets.push(pg);
    }
    for target in &targets {
        let imported = transfer::import(&target.db, &mut &bytes[..]).await.expect("the import runs");
        let engine = format!("{:?} to {:?}", db.backend(), target.db.backend());
        let (verified, _) = audit::verify(&target.db, &[]).await.unwrap().unwrap_or_else(|f| panic!("{engine}: {f}"));
        assert_eq!(verified.size, size + imported.rerecorded, "{engine}");
        assert_eq!(audit::root_at(&target.db, size).await.unwrap(), root, "{engine}: the source's log is a prefix");
        if target.db.backend() == Backend::Sqlite {
            assert_eq!(imported.rounded_timestamps, 0, "SQLite keeps every digit");
        }
        let after = counts(&target.db).await;
        for ((table, n), (_, m)) in before.iter().zip(&after) {
            if !table.starts_with("audit_") {
                assert_eq!(n, m, "{engine}: rows of {table}");
            }
        }
        // New rows take new ids on the target (PostgreSQL's sequences were moved past the imported ids).
        let mut tx = target.db.begin().await.unwrap();
        let actor = audit::Actor::system("test");
        balai_store::catalogue::create_category(&mut tx, &actor, 1, "baru", "Baru", "New").await.unwrap();
        tx.commit().await.unwrap();
        // And the move back gives the same rows again.
        let (_, again) = export(&target.db).await;
        let back = fresh(db.backend()).await;
        transfer::import(&back.db, &mut &again[..]).await.unwrap();
        audit::verify(&back.db, &[]).await.unwrap().unwrap_or_else(|f| panic!("{engine} and back: {f}"));
    }
}

async fn an_import_refuses_a_database_that_holds_data_or_is_not_balais(db: Db) {
    let empty = fresh(db.backend()).await;
    let (_, bytes) = export(&empty.db).await;
    assert!(seed::seed_demo(&db).await.unwrap());
    let (size, _) = audit::head(&db).await.unwrap();
    let refused = transfer::import(&db, &mut &bytes[..]).await.unwrap_err();
    assert!(matches!(refused, TransferError::NotEmpty { .. }), "{refused}");
    assert_eq!(audit::head(&db).await.unwrap().0, size, "nothing changed");

    // A database with someone else's tables is refused before Balai migrates anything into it.
    let theirs = fresh(db.backend()).await;
    transfer::drop_own_tables(&theirs.db).await.unwrap();
    theirs.db.execute(query("CREATE TABLE customers (id BIGINT PRIMARY KEY)")).await.unwrap();
    let refused = transfer::import(&theirs.db, &mut &bytes[..]).await.unwrap_err();
    assert!(matches!(&refused, TransferError::NotBalai { table } if table == "customers"), "{refused}");
    assert_eq!(transfer::contents(&theirs.db).await.unwrap(), Contents::Foreign("customers".into()));
}

async fn a_cut_or_altered_file_is_refused_by_line_and_leaves_the_target_empty(db: Db) {
    assert!(seed::seed_demo(&db).await.unwrap());
    let (_, bytes) = export(&db).await;
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let row = lines.iter().position(|l| l.starts_with("{\"table\":\"services\"")).unwrap() + 2;
    let joined = |lines: &[String]| lines.join("\n") + "\n";
    let mut cut_row: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    cut_row[row] = cut_row[row][..cut_row[row].len() / 2].to_owned();
    // The row's id, an integer, given as text.
    let mut wrong_type: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    wrong_type[row] = format!("[\"satu\"{}", &lines[row][lines[row].find(',').unwrap()..]);
    // The same values, written differently: only the trailer notices.
    let mut altered: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    altered[row] = altered[row].replacen('[', "[ ", 1);
    let truncated = lines[..=row].join("\n");
    let files = [
        (joined(&cut_row), row + 1),
        (joined(&wrong_type), row + 1),
        (joined(&altered), lines.len()),
        (truncated, row + 1),
        (joined(&lines[..row].iter().map(|l| l.to_string()).collect::<Vec<_>>()), row),
    ];
    let target = fresh(db.backend()).await;
    for (file, line) in files {
        let refused = transfer::import(&target.db, &mut file.as_bytes()).await.unwrap_err();
        let message = refused.to_string();
        assert!(message.contains(&format!("line {line}")), "line {line}: {message}");
        for (table, n) in counts(&target.db).await {
            let seeded_by_migrations = table == "audit_head" || table == "key_guard";
            assert!(n == 0 || seeded_by_migrations, "{table} holds {n} rows after a refused import");
        }
        assert_eq!(audit::head(&target.db).await.unwrap().0, 0);
    }
    transfer::import(&target.db, &mut text.as_bytes()).await.expect("the whole file still loads");
}

async fn dropping_balais_tables_leaves_everyone_elses(db: Db) {
    db.execute(query("CREATE TABLE notes (id BIGINT PRIMARY KEY)")).await.unwrap();
    db.execute(query("INSERT INTO notes (id) VALUES (7)")).await.unwrap();
    assert_eq!(transfer::contents(&db).await.unwrap(), Contents::Balai);
    let dropped = transfer::drop_own_tables(&db).await.unwrap();
    assert!(dropped.contains(&"cases".to_owned()) && dropped.contains(&"_sqlx_migrations".to_owned()));
    assert_eq!(transfer::contents(&db).await.unwrap(), Contents::Foreign("notes".into()));
    let (id,): (i64,) = db.fetch_one(query("SELECT id FROM notes")).await.unwrap();
    assert_eq!(id, 7);
    db.migrate().await.expect("Balai's schema comes back");
    assert_eq!(transfer::contents(&db).await.unwrap(), Contents::Balai);
}
