//! Applications benchmark (not a test): submissions (without and with a 200 KB photo) and officer
//! transitions at 64 concurrent clients, next to the same database's raw durable single-row insert
//! rate measured in the same run with the same clients and settings.
//!
//! ```sh
//! cargo run --release -p balai-store --example applications_bench -- 5        # SQLite, 5 s a phase
//! BALAI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres \
//!   cargo run --release -p balai-store --example applications_bench -- 5      # PostgreSQL
//! ```

use balai_domain::Lang;
use balai_domain::applications::ApplicationEvent;
use balai_domain::calendar::{Holiday, HolidayKind, IndonesianTimeZone};
use balai_domain::identity::Role;
use balai_domain::nik::Nik;
use balai_domain::region::RegionCode;
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource, Instruction};
use balai_store::audit::Actor;
use balai_store::identity::Vault;
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::org::{self, NewAgency};
use balai_store::{Db, calendar, catalogue, dynamic_query, query};
use chrono::{NaiveDate, Utc};
use std::sync::Arc;
use std::time::Duration;

#[path = "support/bench.rs"]
mod bench;
use bench::{CLIENTS, photo, run};

struct World {
    government_id: i64,
    citizens: Vec<i64>,
    officer: i64,
}

async fn world(db: &Db, vault: &Vault) -> World {
    let actor = Actor::system("bench");
    let mut tx = db.begin().await.unwrap();
    let government = org::create_government(
        &mut tx,
        &actor,
        &RegionCode::parse("53.71").unwrap(),
        "Kota Kupang",
        IndonesianTimeZone::Wita,
    )
    .await
    .unwrap();
    catalogue::create_category(&mut tx, &actor, government.id, "kependudukan", "Kependudukan", "Civil registration")
        .await
        .unwrap();
    let agency = org::create_agency(
        &mut tx,
        &actor,
        government.id,
        &NewAgency {
            code: "disdukcapil".into(),
            name: "Dinas Kependudukan dan Pencatatan Sipil".into(),
            short_name: "Disdukcapil".into(),
            address: "Jl. Timor Raya".into(),
            phone: "(0380) 1".into(),
            email: "d@example.go.id".into(),
            maklumat: "Kami sanggup.".into(),
        },
    )
    .await
    .unwrap();
    let desk = org::create_unit(&mut tx, &actor, &agency, None, "loket", "Seksi Loket").await.unwrap();
    let records = org::create_unit(&mut tx, &actor, &agency, None, "arsip", "Seksi Arsip").await.unwrap();
    for year in [2026, 2027] {
        let christmas = Holiday {
            date: NaiveDate::from_ymd_opt(year, 12, 25).unwrap(),
            name: "Natal".into(),
            kind: HolidayKind::LiburNasional,
        };
        calendar::replace_year(&mut tx, &actor, government.id, year, &[christmas]).await.unwrap();
    }
    let standard = balai_store::seed::bulk::birth_certificate_standard(desk.id, records.id);
    catalogue::create_service(&mut tx, &agency, "kependudukan", "AKTA-LAHIR", &standard, &actor).await.unwrap();
    let officer = officers::create_officer(
        &mut tx,
        &actor,
        &NewOfficer {
            government_id: Some(government.id),
            agency_id: Some(agency.id),
            unit_id: None,
            role: Role::Verifier,
            username: "verifikator",
            display_name: "Verifikator",
            password_hash: "!",
        },
    )
    .await
    .unwrap();
    let mut citizens_ids = Vec::new();
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    for i in 0..CLIENTS {
        // Kota Kupang district 537101, born 1 January 1990, serial i+1.
        let nik = Nik::parse(&format!("5371010101900{:03}", i + 1), today).unwrap();
        let new = NewCitizen { full_name: format!("Warga {i}"), birth_place: "Kupang".into(), ..NewCitizen::default() };
        citizens_ids.push(citizens::create_citizen(&mut tx, &actor, vault, &nik, &new).await.unwrap());
    }
    tx.commit().await.unwrap();
    World { government_id: government.id, citizens: citizens_ids, officer }
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5).clamp(1, 60);
    let dir = tempfile::tempdir().unwrap();
    let (db, engine) = match std::env::var("BALAI_BENCH_POSTGRES_URL") {
        Ok(admin_url) => {
            let admin = Db::connect(&admin_url).await.unwrap();
            admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_apps_bench".into())).await.unwrap();
            admin.execute(dynamic_query("CREATE DATABASE balai_apps_bench".into())).await.unwrap();
            let mut url = url::Url::parse(&admin_url).unwrap();
            url.set_path("/balai_apps_bench");
            (Db::connect(url.as_str()).await.unwrap(), "PostgreSQL")
        }
        Err(_) => {
            (Db::connect(&format!("sqlite://{}", dir.path().join("bench.db").display())).await.unwrap(), "SQLite")
        }
    };
    db.migrate().await.unwrap();
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
    let w = Arc::new(world(&db, &vault).await);
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

    // One upload per client, reused: submissions without a photo upload nothing in the measured part.
    let mut uploads = Vec::new();
    for citizen in &w.citizens {
        let key = format!("uploads/{}/{:032x}", w.government_id, rand::random::<u128>());
        let up = applications::record_upload(
            &db,
            *citizen,
            w.government_id,
            &key,
            "application/pdf",
            1000,
            "00",
            Utc::now(),
        )
        .await
        .unwrap();
        uploads.push(up.id);
    }
    let uploads = Arc::new(uploads);
    let submit = {
        let (db, vault, w, uploads) = (db.clone(), vault.clone(), w.clone(), uploads.clone());
        run("submission without a photo", seconds, move |client, n| {
            let (db, vault, w, uploads) = (db.clone(), vault.clone(), w.clone(), uploads.clone());
            async move {
                let fields = serde_json::Map::new();
                let docs = [DocumentChoice {
                    code: "surat_keterangan".into(),
                    source: DocumentSource::Upload(uploads[client]),
                }];
                let key = format!("k-{n}");
                let application = Application {
                    government_id: w.government_id,
                    service_code: "AKTA-LAHIR",
                    fields: &fields,
                    documents: &docs,
                    idempotency_key: &key,
                    lang: Lang::Id,
                };
                applications::submit(&db, &vault, w.citizens[client], &application, Utc::now()).await.is_ok()
            }
        })
        .await
    };
    let with_photo = {
        let (db, vault, w, files, photo) = (db.clone(), vault.clone(), w.clone(), files.clone(), photo.clone());
        run("submission with a 200 KB photo (clean, store, record, submit)", seconds, move |client, n| {
            let (db, vault, w, files, photo) = (db.clone(), vault.clone(), w.clone(), files.clone(), photo.clone());
            async move {
                let bytes = photo.to_vec();
                let cleaned =
                    tokio::task::spawn_blocking(move || balai_files::clean(&bytes, &balai_files::Limits::default()))
                        .await
                        .unwrap()
                        .unwrap();
                let key = files.put(w.government_id, &cleaned).await.unwrap();
                let citizen = w.citizens[client];
                let Ok(up) = applications::record_upload(
                    &db,
                    citizen,
                    w.government_id,
                    &key,
                    cleaned.kind.content_type(),
                    cleaned.bytes.len() as i64,
                    &cleaned.sha256_hex,
                    Utc::now(),
                )
                .await
                else {
                    return false;
                };
                let fields = serde_json::Map::new();
                let docs = [DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(up.id) }];
                let idem = format!("p-{n}");
                let application = Application {
                    government_id: w.government_id,
                    service_code: "AKTA-LAHIR",
                    fields: &fields,
                    documents: &docs,
                    idempotency_key: &idem,
                    lang: Lang::Id,
                };
                applications::submit(&db, &vault, citizen, &application, Utc::now()).await.is_ok()
            }
        })
        .await
    };
    // Officer transitions: verify the submitted cases, each once.
    let open: Vec<(i64,)> = db
        .fetch_all(query("SELECT id FROM cases WHERE status = 'in_progress' AND current_step = 0 ORDER BY id"))
        .await
        .unwrap();
    let open = Arc::new(open.into_iter().map(|(id,)| id).collect::<Vec<_>>());
    let transition = {
        let (db, vault, w, open) = (db.clone(), vault.clone(), w.clone(), open.clone());
        run("officer transition (verify)", seconds, move |_client, n| {
            let (db, vault, w, open) = (db.clone(), vault.clone(), w.clone(), open.clone());
            async move {
                let Some(case) = open.get(n as usize) else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    return false;
                };
                applications::act_as_officer(
                    &db,
                    &vault,
                    w.officer,
                    *case,
                    ApplicationEvent::Verify,
                    &Instruction::default(),
                    Utc::now(),
                )
                .await
                .is_ok()
            }
        })
        .await
    };
    println!(
        "engine: {engine}; {CLIENTS} concurrent clients; {seconds} s a phase; {}",
        Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    println!("{:<64} {:>9} {:>10} {:>9} {:>9} {:>8}", "phase", "ops", "ops/s", "p50 ms", "p99 ms", "× raw");
    for phase in [&raw, &submit, &with_photo, &transition] {
        println!(
            "{:<64} {:>9} {:>10.1} {:>9.2} {:>9.2} {:>8.3}",
            phase.name,
            phase.ops,
            phase.rate(),
            phase.p50_ms,
            phase.p99_ms,
            phase.rate() / raw.rate()
        );
    }
    if open.len() as u64 <= transition.ops {
        println!("note: the transition phase ran out of submitted cases ({}); its rate is a lower bound", open.len());
    }
}
