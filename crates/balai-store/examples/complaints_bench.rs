//! Complaints benchmark (not a test): report submissions (without and with a 200 KB photo) and
//! Open311 filings at 64
//! concurrent clients next to the same database's raw durable single-row insert rate in the same run,
//! then public-list reads (first page, a deep keyset page, a category) at 1,000 and at 1,000,000
//! public reports, to show a page costs the same however many reports there are.
//!
//! ```sh
//! cargo run --release -p balai-store --example complaints_bench -- 5        # SQLite, 5 s a phase
//! BALAI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres \
//!   cargo run --release -p balai-store --example complaints_bench -- 5      # PostgreSQL
//! ```
//!
//! The million reports are written by one bulk statement (no audit leaves, no events): the read path
//! is what is measured, and it reads only `complaints`, `cases` and `complaint_categories`.

use balai_domain::complaints::{Channel, ReportKind};
use balai_store::complaints::{self, NewReport, PublicFilter, Reporter, StoredPhoto};
use balai_store::identity::Vault;
use balai_store::{Db, dynamic_query, query, seed};
use chrono::Utc;
use std::sync::Arc;
use std::time::Instant;

#[path = "support/bench.rs"]
mod bench;
use bench::{CLIENTS, Phase, photo, run};

fn report<'a>(government_id: i64, text: &'a str, key: &'a str, photos: &'a [StoredPhoto]) -> NewReport<'a> {
    NewReport {
        government_id,
        kind: ReportKind::Complaint,
        channel: Channel::Web,
        category_code: "JALAN-RUSAK",
        title: "Jalan berlubang",
        text,
        lat: "-10.1772",
        lon: "123.6070",
        address: "Jl. Frans Seda",
        region_code: "",
        anonymous: true,
        confidential: false,
        reporter: Reporter::Guest { name: "", email: "", phone: "" },
        photos,
        open311_client_id: None,
        idempotency_key: key,
    }
}

/// Public reports of the government until it holds `total`, written in one statement.
async fn fill(db: &Db, government_id: i64, total: i64) {
    let (have,): (i64,) = db
        .fetch_one(
            query("SELECT COUNT(*) FROM complaints WHERE government_id = $1 AND public = TRUE").bind(government_id),
        )
        .await
        .unwrap();
    let missing = total - have;
    if missing <= 0 {
        return;
    }
    let (max_id,): (i64,) = db.fetch_one(query("SELECT COALESCE(MAX(id), 0) FROM cases")).await.unwrap();
    let (agency, unit, rules): (i64, i64, i64) = db
        .fetch_one(
            query(
                "SELECT u.agency_id, u.id, r.id FROM complaint_rules r JOIN units u ON u.id = r.desk_unit_id \
                 WHERE r.government_id = $1 ORDER BY r.version DESC LIMIT 1",
            )
            .bind(government_id),
        )
        .await
        .unwrap();
    let categories: Vec<(i64,)> = db
        .fetch_all(
            query("SELECT id FROM complaint_categories WHERE government_id = $1 ORDER BY id").bind(government_id),
        )
        .await
        .unwrap();
    let (first, count) = (categories[0].0, categories.len() as i64);
    let now = Utc::now();
    let series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)";
    db.execute(
        dynamic_query(format!(
            "{series} INSERT INTO cases (id, government_id, kind, agency_id, unit_id, title, opened_at, tracking_number, \
             status, current_step, due_at, version) SELECT $2 + i, $3, 'complaint', $4, $5, 'Laporan', $6, \
             'BENCH-' || CAST($2 + i AS TEXT), 'submitted', 0, $6, 1 FROM n"
        ))
        .bind(missing)
        .bind(max_id)
        .bind(government_id)
        .bind(agency)
        .bind(unit)
        .bind(now),
    )
    .await
    .unwrap();
    db.execute(
        dynamic_query(format!(
            "{series} INSERT INTO complaints (case_id, government_id, report_kind, channel, category_id, text, public_title, \
             public_text, lat_e6, lon_e6, address, anonymous, confidential, public, secret_hash, rules_id, reopen_count, \
             supporters, submitted_at) SELECT $2 + i, $3, 'pengaduan', 'web', $4 + (i % $5), 'Teks', 'Laporan', 'Teks', \
             -10177200 + (i % 1000) * 50, 123607000 + (i % 997) * 50, '', TRUE, FALSE, TRUE, 'x', $6, 0, 0, $7 FROM n"
        ))
        .bind(missing)
        .bind(max_id)
        .bind(government_id)
        .bind(first)
        .bind(count)
        .bind(rules)
        .bind(now),
    )
    .await
    .unwrap();
    if db.backend() == balai_store::Backend::Postgres {
        db.execute(dynamic_query("ANALYZE cases".into())).await.unwrap();
        db.execute(dynamic_query("ANALYZE complaints".into())).await.unwrap();
    }
}

async fn reads(db: &Db, government_id: i64, size: &str, seconds: u64) -> Vec<Phase> {
    let mut phases = Vec::new();
    let (middle,): (i64,) = db
        .fetch_one(
            query("SELECT CAST(AVG(case_id) AS BIGINT) FROM complaints WHERE government_id = $1").bind(government_id),
        )
        .await
        .unwrap();
    let (category,): (i64,) = db
        .fetch_one(query("SELECT MIN(id) FROM complaint_categories WHERE government_id = $1").bind(government_id))
        .await
        .unwrap();
    for (what, filter) in [
        ("first page", PublicFilter::default()),
        ("a page in the middle (keyset)", PublicFilter { before: Some(middle), ..PublicFilter::default() }),
        ("one category, first page", PublicFilter { category_id: Some(category), ..PublicFilter::default() }),
    ] {
        let db = db.clone();
        let filter = Arc::new(filter);
        phases.push(
            run(format!("public list, 20 lines: {what} at {size} reports"), seconds, move |_, _| {
                let (db, filter) = (db.clone(), filter.clone());
                async move { complaints::public_list(&db, government_id, &filter, 20).await.is_ok_and(|l| l.len() == 20) }
            })
            .await,
        );
    }
    phases
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5).clamp(1, 60);
    let dir = tempfile::tempdir().unwrap();
    let (db, engine) = match std::env::var("BALAI_BENCH_POSTGRES_URL") {
        Ok(admin_url) => {
            let admin = Db::connect(&admin_url).await.unwrap();
            admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_complaints_bench".into())).await.unwrap();
            admin.execute(dynamic_query("CREATE DATABASE balai_complaints_bench".into())).await.unwrap();
            let mut url = url::Url::parse(&admin_url).unwrap();
            url.set_path("/balai_complaints_bench");
            (Db::connect(url.as_str()).await.unwrap(), "PostgreSQL")
        }
        Err(_) => {
            (Db::connect(&format!("sqlite://{}", dir.path().join("bench.db").display())).await.unwrap(), "SQLite")
        }
    };
    db.migrate().await.unwrap();
    seed::seed_demo(&db).await.unwrap();
    let government_id = balai_store::org::government_by_region(&db, "53.71").await.unwrap().id;
    let id_column = match db.backend() {
        balai_store::Backend::Sqlite => "id INTEGER PRIMARY KEY",
        balai_store::Backend::Postgres => "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    db.execute(dynamic_query(format!(
        "CREATE TABLE bench_raw ({id_column}, client BIGINT NOT NULL, n BIGINT NOT NULL)"
    )))
    .await
    .unwrap();
    let vault = Vault::from_master(&[7; 32]);
    let files = Arc::new(balai_files::FileStore::local(&dir.path().join("files")).unwrap());
    let photo = Arc::new(photo());

    let raw = {
        let db = db.clone();
        run("raw durable single-row insert (ceiling)", seconds, move |client, n| {
            let db = db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                tx.execute(
                    query("INSERT INTO bench_raw (client, n) VALUES ($1, $2)").bind(client as i64).bind(n as i64),
                )
                .await
                .unwrap();
                tx.commit().await.is_ok()
            }
        })
        .await
    };
    let plain = {
        let (db, vault) = (db.clone(), vault.clone());
        run("report without a photo", seconds, move |_, n| {
            let (db, vault) = (db.clone(), vault.clone());
            async move {
                let (text, key) = (format!("Lubang besar nomor {n}"), format!("k-{n}"));
                complaints::file_report(&db, &vault, &report(government_id, &text, &key, &[]), Utc::now()).await.is_ok()
            }
        })
        .await
    };
    let with_photo = {
        let (db, vault, files, photo) = (db.clone(), vault.clone(), files.clone(), photo.clone());
        run("report with a 200 KB photo (clean, store, file)", seconds, move |_, n| {
            let (db, vault, files, photo) = (db.clone(), vault.clone(), files.clone(), photo.clone());
            async move {
                let bytes = photo.to_vec();
                let cleaned =
                    tokio::task::spawn_blocking(move || balai_files::clean(&bytes, &balai_files::Limits::default()))
                        .await
                        .unwrap()
                        .unwrap();
                let object_key = files.put(government_id, &cleaned).await.unwrap();
                let stored = [StoredPhoto {
                    object_key,
                    content_type: cleaned.kind.content_type().into(),
                    size: cleaned.bytes.len() as i64,
                    sha256: cleaned.sha256_hex.clone(),
                }];
                let (text, key) = (format!("Sampah menumpuk nomor {n}"), format!("p-{n}"));
                complaints::file_report(&db, &vault, &report(government_id, &text, &key, &stored), Utc::now())
                    .await
                    .is_ok()
            }
        })
        .await
    };
    // An Open311 POST as the API files it: the client's key looked up by its hash, then the report
    // (the HTTP form parsing in front of it is not in this figure).
    let open311_key = {
        let mut tx = db.begin().await.unwrap();
        let (_, key) = complaints::open311::create_client_in(
            &mut tx,
            &balai_store::audit::Actor::system("bench"),
            Some(government_id),
            "Bench",
            None,
            Utc::now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        Arc::new(key)
    };
    let open311 = {
        let (db, vault, key) = (db.clone(), vault.clone(), open311_key.clone());
        run("Open311 POST requests (key lookup, file)", seconds, move |_, n| {
            let (db, vault, key) = (db.clone(), vault.clone(), key.clone());
            async move {
                let Ok(Some(client)) = complaints::open311::client_by_key(&db, &key).await else { return false };
                let (text, idem) = (format!("Lampu jalan mati nomor {n}"), format!("o-{n}"));
                let mut new = report(government_id, &text, &idem, &[]);
                new.channel = Channel::Open311;
                new.open311_client_id = Some(client.id);
                complaints::file_report(&db, &vault, &new, Utc::now()).await.is_ok()
            }
        })
        .await
    };
    let mut phases = vec![raw, plain, with_photo, open311];
    // Reads on the province, which the submissions above did not touch, so the sizes are exact.
    let province = balai_store::org::government_by_region(&db, "53").await.unwrap().id;
    for (size, total) in [("1,000", 1_000i64), ("1,000,000", 1_000_000)] {
        let started = Instant::now();
        fill(&db, province, total).await;
        eprintln!("filled to {size} public reports in {:.1} s", started.elapsed().as_secs_f64());
        phases.extend(reads(&db, province, size, seconds).await);
    }
    println!(
        "engine: {engine}; {CLIENTS} concurrent clients; {seconds} s a phase; {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!("{:<72} {:>9} {:>10} {:>9} {:>9} {:>8}", "phase", "ops", "ops/s", "p50 ms", "p99 ms", "× raw");
    let raw_rate = phases[0].rate();
    for phase in &phases {
        println!(
            "{:<72} {:>9} {:>10.1} {:>9.2} {:>9.2} {:>8.3}",
            phase.name,
            phase.ops,
            phase.rate(),
            phase.p50_ms,
            phase.p99_ms,
            phase.rate() / raw_rate
        );
    }
}
