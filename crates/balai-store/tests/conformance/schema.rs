//! Schema parity: the SQLite and PostgreSQL migrations are written twice, by hand, and must stay
//! identical in shape — one code path runs on both, so a column or index present on one engine only
//! is a query that fails (or a lookup that crawls) on the other. Both databases are migrated fresh and
//! their schemas are read back from the engines' own catalogues, then compared: the same tables, the
//! same columns per table with the same NOT NULL-ness, the same primary keys, the same named indexes
//! (columns in order, uniqueness) and the same unique constraints. Column types are not compared:
//! they differ by design (TEXT vs TIMESTAMPTZ, INTEGER vs BIGINT). Nor are foreign keys, CHECK
//! constraints or the text of partial-index predicates (only that an index is partial); extend the
//! reading when one of them matters.
//!
//! Left out, because they belong to the engine or the migration runner and not to Balai's schema:
//! `sqlite_sequence` and `sqlite_stat*` (SQLite's own bookkeeping for AUTOINCREMENT and ANALYZE),
//! `_sqlx_migrations` (the runner's ledger, whose shape sqlx chooses per engine), and every schema
//! but `public` on PostgreSQL (`pg_catalog`, `information_schema`).

use crate::support::TestDb;
use balai_store::{Backend, Db, dynamic_query};
use std::collections::{BTreeMap, BTreeSet};

/// An index as both engines can describe it: the table, its columns in order (`(expr)` for an
/// expression) and whether it is unique.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Index {
    table: String,
    columns: Vec<String>,
    unique: bool,
    /// Whether the index covers only the rows of a `WHERE` clause (the clause itself is not compared:
    /// each engine prints it its own way).
    partial: bool,
}

#[derive(Debug, Default)]
struct Schema {
    /// Table → column → NOT NULL.
    columns: BTreeMap<String, BTreeMap<String, bool>>,
    /// Table → primary-key columns in key order.
    primary_keys: BTreeMap<String, Vec<String>>,
    /// Indexes created by name (`CREATE INDEX`), by that name.
    named_indexes: BTreeMap<String, Index>,
    /// Indexes the engine creates for `UNIQUE` constraints: their names are engine-made
    /// (`sqlite_autoindex_t_1` vs `t_col_key`), so they are compared by table and columns only.
    unique_constraints: BTreeSet<Index>,
}

fn text(cell: &Option<String>) -> String {
    cell.clone().unwrap_or_else(|| "(expr)".to_owned())
}

/// The names of the tables of a migrated database, on either engine, with the same exclusions as the
/// comparison below (engine bookkeeping and the migration ledger).
pub async fn table_names(db: &Db) -> BTreeSet<String> {
    match db.backend() {
        Backend::Sqlite => sqlite_schema(db).await.columns.into_keys().collect(),
        Backend::Postgres => postgres_schema(db).await.columns.into_keys().collect(),
    }
}

async fn sqlite_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let tables = "SELECT name FROM sqlite_master WHERE type = 'table' \
                  AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'";
    let columns = db
        .fetch_text_rows(dynamic_query(format!(
            "SELECT m.name, p.name, CAST(p.\"notnull\" AS TEXT), CAST(p.pk AS TEXT) \
             FROM ({tables}) m, pragma_table_info(m.name) p ORDER BY m.name, p.pk, p.cid"
        )))
        .await
        .expect("sqlite columns");
    for row in &columns {
        let (table, column, not_null, pk) = (text(&row[0]), text(&row[1]), text(&row[2]), text(&row[3]));
        // An INTEGER PRIMARY KEY is the rowid: never NULL, though SQLite reports notnull = 0.
        let not_null = not_null == "1" || pk != "0";
        schema.columns.entry(table.clone()).or_default().insert(column.clone(), not_null);
        if pk != "0" {
            schema.primary_keys.entry(table).or_default().push(column);
        }
    }
    let indexes = db
        .fetch_text_rows(dynamic_query(format!(
            "SELECT m.name, il.name, CAST(il.\"unique\" AS TEXT), il.origin, ii.name, CAST(il.partial AS TEXT) \
             FROM ({tables}) m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
             ORDER BY m.name, il.name, ii.seqno"
        )))
        .await
        .expect("sqlite indexes");
    collect_indexes(
        &mut schema,
        indexes.iter().map(|row| {
            let origin = text(&row[3]);
            IndexColumn {
                table: text(&row[0]),
                name: text(&row[1]),
                unique: text(&row[2]) == "1",
                // "pk": the primary key's own index, compared through `primary_keys` instead.
                primary: origin == "pk",
                constraint: origin == "u",
                column: text(&row[4]),
                partial: text(&row[5]) == "1",
            }
        }),
    );
    schema
}

async fn postgres_schema(db: &Db) -> Schema {
    let mut schema = Schema::default();
    let columns = db
        .fetch_text_rows(dynamic_query(
            "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text \
             FROM information_schema.columns c \
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> '_sqlx_migrations' \
             ORDER BY c.table_name, c.ordinal_position"
                .to_owned(),
        ))
        .await
        .expect("postgres columns");
    for row in &columns {
        let not_null = text(&row[2]) == "NO";
        schema.columns.entry(text(&row[0])).or_default().insert(text(&row[1]), not_null);
    }
    let indexes = db
        .fetch_text_rows(dynamic_query(
            "SELECT t.relname::text, i.relname::text, ix.indisunique::text, ix.indisprimary::text, \
                    (con.oid IS NOT NULL)::text, a.attname::text, (ix.indpred IS NOT NULL)::text \
             FROM pg_index ix \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
             LEFT JOIN pg_constraint con ON con.conindid = ix.indexrelid AND con.contype = 'u' \
             WHERE n.nspname = 'public' AND t.relname <> '_sqlx_migrations' \
             ORDER BY t.relname, i.relname, k.ord"
                .to_owned(),
        ))
        .await
        .expect("postgres indexes");
    let mut columns_of_index: Vec<IndexColumn> = Vec::new();
    for row in &indexes {
        let primary = text(&row[3]) == "true";
        if primary {
            schema.primary_keys.entry(text(&row[0])).or_default().push(text(&row[5]));
        }
        columns_of_index.push(IndexColumn {
            table: text(&row[0]),
            name: text(&row[1]),
            unique: text(&row[2]) == "true",
            primary,
            constraint: text(&row[4]) == "true",
            column: text(&row[5]),
            partial: text(&row[6]) == "true",
        });
    }
    collect_indexes(&mut schema, columns_of_index.into_iter());
    schema
}

/// One row of an index listing: one column of one index.
struct IndexColumn {
    table: String,
    name: String,
    unique: bool,
    primary: bool,
    constraint: bool,
    column: String,
    partial: bool,
}

fn collect_indexes(schema: &mut Schema, rows: impl Iterator<Item = IndexColumn>) {
    let mut constraints: BTreeMap<String, Index> = BTreeMap::new();
    for row in rows {
        if row.primary {
            continue;
        }
        let target = if row.constraint { &mut constraints } else { &mut schema.named_indexes };
        target
            .entry(row.name)
            .or_insert_with(|| Index {
                table: row.table,
                columns: Vec::new(),
                unique: row.unique,
                partial: row.partial,
            })
            .columns
            .push(row.column);
    }
    schema.unique_constraints.extend(constraints.into_values());
}

/// Every way the two schemas differ, one line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let tables: BTreeSet<&String> = sqlite.columns.keys().chain(postgres.columns.keys()).collect();
    for table in tables {
        match (sqlite.columns.get(table), postgres.columns.get(table)) {
            (Some(_), None) => out.push(format!("table {table}: only on SQLite")),
            (None, Some(_)) => out.push(format!("table {table}: only on PostgreSQL")),
            (Some(s), Some(p)) => {
                let columns: BTreeSet<&String> = s.keys().chain(p.keys()).collect();
                for column in columns {
                    match (s.get(column), p.get(column)) {
                        (Some(_), None) => out.push(format!("column {table}.{column}: only on SQLite")),
                        (None, Some(_)) => out.push(format!("column {table}.{column}: only on PostgreSQL")),
                        (Some(a), Some(b)) if a != b => out.push(format!(
                            "column {table}.{column}: NOT NULL on {} only",
                            if *a { "SQLite" } else { "PostgreSQL" }
                        )),
                        _ => {}
                    }
                }
                if sqlite.primary_keys.get(table) != postgres.primary_keys.get(table) {
                    out.push(format!(
                        "primary key of {table}: {:?} on SQLite, {:?} on PostgreSQL",
                        sqlite.primary_keys.get(table),
                        postgres.primary_keys.get(table)
                    ));
                }
            }
            (None, None) => unreachable!("the table came from one of the two"),
        }
    }
    let names: BTreeSet<&String> = sqlite.named_indexes.keys().chain(postgres.named_indexes.keys()).collect();
    for name in names {
        match (sqlite.named_indexes.get(name), postgres.named_indexes.get(name)) {
            (Some(_), None) => out.push(format!("index {name}: only on SQLite")),
            (None, Some(_)) => out.push(format!("index {name}: only on PostgreSQL")),
            (Some(a), Some(b)) if a != b => out.push(format!("index {name}: {a:?} on SQLite, {b:?} on PostgreSQL")),
            _ => {}
        }
    }
    for index in sqlite.unique_constraints.difference(&postgres.unique_constraints) {
        out.push(format!("unique constraint {index:?}: only on SQLite"));
    }
    for index in postgres.unique_constraints.difference(&sqlite.unique_constraints) {
        out.push(format!("unique constraint {index:?}: only on PostgreSQL"));
    }
    out
}

/// Differences that are meant, each with its reason. Empty while the engines agree in full.
const DELIBERATE: &[(&str, &str)] = &[];

#[tokio::test]
async fn sqlite_and_postgres_migrate_to_the_same_tables_columns_and_indexes() {
    let Some(postgres) = TestDb::postgres().await else {
        eprintln!("BALAI_TEST_POSTGRES_URL is not set: schema parity skipped");
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let sqlite_schema = sqlite_schema(&sqlite.db).await;
    let postgres_schema = postgres_schema(&postgres.db).await;

    // The reading itself must see the schema, or an empty comparison would pass.
    for schema in [&sqlite_schema, &postgres_schema] {
        for table in ["governments", "services", "cases", "audit_tiles", "citizens"] {
            assert!(schema.columns.contains_key(table), "the {table} table is read back");
        }
        assert!(!schema.named_indexes.is_empty(), "named indexes are read back");
        assert!(!schema.unique_constraints.is_empty(), "unique constraints are read back");
        assert!(schema.named_indexes.get("jobs_due").is_some_and(|i| i.partial), "partial indexes are read back");
        assert!(schema.named_indexes.get("jobs_finished").is_some_and(|i| !i.partial), "full indexes are read back");
        assert!(!schema.columns.contains_key("_sqlx_migrations"), "the migration ledger is left out");
    }
    assert!(!sqlite_schema.columns.contains_key("sqlite_sequence"), "SQLite bookkeeping is left out");

    let deliberate: BTreeSet<&str> = DELIBERATE.iter().map(|(difference, _)| *difference).collect();
    let found = differences(&sqlite_schema, &postgres_schema);
    let unexpected: Vec<&String> = found.iter().filter(|d| !deliberate.contains(d.as_str())).collect();
    assert!(unexpected.is_empty(), "the SQLite and PostgreSQL schemas differ:\n{}", join_lines(&unexpected));
    // A listed exception that no longer occurs is stale: remove it so it cannot hide a future one.
    for (difference, reason) in DELIBERATE {
        assert!(
            found.iter().any(|d| d == difference),
            "deliberate difference no longer found: {difference} ({reason})"
        );
    }
}

fn join_lines(lines: &[&String]) -> String {
    lines.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n")
}

/// The guard can fail: a schema read from a migrated database, changed the ways a hand-written
/// migration drifts, is told apart from the original in each of those ways. Runs without PostgreSQL.
#[tokio::test]
async fn a_drifted_schema_is_reported_line_by_line() {
    let sqlite = TestDb::sqlite().await;
    let original = sqlite_schema(&sqlite.db).await;
    assert!(differences(&original, &sqlite_schema(&sqlite.db).await).is_empty(), "a schema equals itself");

    let mut drifted = sqlite_schema(&sqlite.db).await;
    drifted.columns.get_mut("cases").expect("cases").remove("title");
    drifted.columns.get_mut("cases").expect("cases").insert("unit_id".into(), true);
    drifted.columns.insert("only_here".into(), BTreeMap::new());
    drifted.primary_keys.insert("cases".into(), vec!["kind".into()]);
    let (name, index) = original.named_indexes.iter().next().expect("a named index");
    drifted.named_indexes.get_mut(name).expect("index").columns.reverse();
    drifted.named_indexes.get_mut(name).expect("index").columns.push("extra".into());
    drifted.named_indexes.get_mut(name).expect("index").unique = !index.unique;
    drifted.named_indexes.insert("only_here_idx".into(), index.clone());
    drifted.named_indexes.get_mut("jobs_dedupe").expect("a partial index").partial = false;
    let constraint = original.unique_constraints.iter().next().expect("a unique constraint").clone();
    drifted.unique_constraints.remove(&constraint);

    let found = differences(&original, &drifted);
    let expected = [
        "table only_here: only on PostgreSQL".to_owned(),
        "column cases.title: only on SQLite".to_owned(),
        "column cases.unit_id: NOT NULL on PostgreSQL only".to_owned(),
        format!("primary key of cases: {:?} on SQLite, {:?} on PostgreSQL", Some(vec!["id"]), Some(vec!["kind"])),
        "index only_here_idx: only on PostgreSQL".to_owned(),
        format!("unique constraint {constraint:?}: only on SQLite"),
    ];
    for line in &expected {
        assert!(found.contains(line), "{line} missing from {found:#?}");
    }
    assert!(found.iter().any(|d| d.starts_with(&format!("index {name}: "))), "a changed index is reported");
    assert!(found.iter().any(|d| d.starts_with("index jobs_dedupe: ")), "an index no longer partial is reported");
    assert_eq!(found.len(), expected.len() + 2, "{found:#?}");
}
