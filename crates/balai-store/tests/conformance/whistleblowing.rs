//! Whistleblowing: text and identity are sealed to the inspectorate's public key before they reach
//! the database; only an inspector with the private key opens them, each opening is an audit leaf,
//! and nobody else — government admin, agency officer, a non-inspector at the inspectorate, auditor —
//! reaches them through any store function.

use crate::support::{Fixture, fixture};
use balai_domain::complaints::{ComplaintEvent, ComplaintStatus, DeadlineRules};
use balai_domain::identity::Role;
use balai_store::audit::{self, Actor};
use balai_store::complaints::whistleblowing::{self, KeyRefused, NewWhistleblowing, Registrar};
use balai_store::complaints::{self, Instruction, ReporterKey, RulesEdit};
use balai_store::identity::Vault;
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::org::{self, NewAgency};
use balai_store::{Backend, Db, StoreError, calendar, dynamic_query, query};
use chrono::{DateTime, TimeZone, Utc};

crate::conformance!(
    only_the_inspectors_key_opens_a_report_and_each_opening_is_a_leaf,
    nobody_but_an_inspector_reaches_a_whistleblowing_report,
    the_database_holds_no_plaintext_of_a_whistleblowing_report,
    bad_whistleblowing_reports_are_refused_and_nothing_is_written,
    a_new_key_retires_the_old_one_and_older_reports_open_with_the_old_key,
);

const TEXT_MARKER: &str = "PENANDA-TEKS-7Q4Z";
const NAME_MARKER: &str = "PENANDA-NAMA-9K2W";
const CONTACT_MARKER: &str = "penanda-kontak-3x8v@contoh.id";

fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

struct World {
    f: Fixture,
    admin: i64,
    agency_officer: i64,
    inspectorate_officer: i64,
    auditor: i64,
    inspector: i64,
    private_key: String,
}

async fn world(db: &Db) -> World {
    let f = fixture(db).await;
    let mut tx = db.begin().await.unwrap();
    let actor = Actor::system("test");
    for year in [2026, 2027] {
        calendar::replace_year(&mut tx, &actor, f.government.id, year, &[]).await.unwrap();
    }
    let edit = RulesEdit {
        deadlines: DeadlineRules::DEFAULT,
        desk_unit_id: f.front_desk.id,
        area: None,
        similar_radius_m: 200,
        similar_days: 30,
        note: "Ketentuan awal",
    };
    complaints::rules::publish_in(&mut tx, &actor, None, f.government.id, &edit, monday()).await.unwrap();
    let inspectorate = org::create_agency(
        &mut tx,
        &actor,
        f.government.id,
        &NewAgency {
            code: "inspektorat".into(),
            name: "Inspektorat Daerah".into(),
            short_name: "Inspektorat".into(),
            address: "Jl. El Tari, Kupang".into(),
            phone: "(0380) 654321".into(),
            email: "inspektorat@example.go.id".into(),
            maklumat: "Kami mengawasi dengan jujur.".into(),
        },
    )
    .await
    .unwrap();
    org::create_unit(&mut tx, &actor, &inspectorate, None, "inspektorat-irban-khusus", "Irban Khusus").await.unwrap();
    let mut ids = Vec::new();
    for (role, agency, name) in [
        (Role::GovernmentAdmin, None, "admin"),
        (Role::Officer, Some(f.agency.id), "petugas"),
        (Role::Officer, Some(inspectorate.id), "staf-inspektorat"),
        (Role::Auditor, None, "auditor"),
        (Role::Inspector, None, "inspektur"),
    ] {
        let id = officers::create_officer(
            &mut tx,
            &actor,
            &NewOfficer {
                government_id: Some(f.government.id),
                agency_id: agency,
                unit_id: None,
                role,
                username: name,
                display_name: name,
                password_hash: "!",
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    let pair = whistleblowing::generate_key_pair();
    whistleblowing::register_key(
        db,
        Registrar::Officer(ids[0]),
        f.government.id,
        "inspektorat-irban-khusus",
        &pair.public_key,
        monday(),
    )
    .await
    .unwrap();
    World {
        f,
        admin: ids[0],
        agency_officer: ids[1],
        inspectorate_officer: ids[2],
        auditor: ids[3],
        inspector: ids[4],
        private_key: pair.private_key,
    }
}

fn report<'a>(w: &World, key: &'a str, text: &'a str) -> NewWhistleblowing<'a> {
    NewWhistleblowing {
        government_id: w.f.government.id,
        text,
        when: "Setiap akhir bulan",
        place: "Kantor dinas",
        people: "Bendahara",
        name: NAME_MARKER,
        contact: CONTACT_MARKER,
        idempotency_key: key,
    }
}

fn marked_text() -> String {
    format!("Uang perjalanan dinas dipotong. {TEXT_MARKER}")
}

async fn count(db: &Db, table: &str) -> i64 {
    let (n,): (i64,) = db.fetch_one(dynamic_query(format!("SELECT COUNT(*) FROM {table}"))).await.unwrap();
    n
}

/// Every TEXT column of every table, on either engine.
async fn text_columns(db: &Db) -> Vec<(String, String)> {
    let sql = match db.backend() {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND upper(p.type) = 'TEXT'"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type = 'text'"
        }
    };
    let rows = db.fetch_text_rows(dynamic_query(sql.to_owned())).await.unwrap();
    rows.into_iter().map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap())).collect()
}

/// The columns that hold `needle` anywhere, as `table.column`.
async fn holding(db: &Db, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (table, column) in text_columns(db).await {
        let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" LIKE $1");
        let (n,): (i64,) = db.fetch_one(dynamic_query(sql).bind(format!("%{needle}%"))).await.unwrap();
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

async fn only_the_inspectors_key_opens_a_report_and_each_opening_is_a_leaf(db: Db) {
    let w = world(&db).await;
    let text = marked_text();
    let filed = whistleblowing::file(&db, &vault(), &report(&w, "k1", &text), monday()).await.unwrap();
    assert_eq!(filed.status, ComplaintStatus::Submitted);
    let secret = filed.secret.clone().expect("the secret is shown once");

    // A wrong key and a malformed one open nothing and write nothing.
    let other = whistleblowing::generate_key_pair();
    let refused =
        whistleblowing::open_as_inspector(&db, w.inspector, filed.case_id, &other.private_key, monday()).await.unwrap();
    assert_eq!(refused.err(), Some(KeyRefused::WrongKey));
    let refused = whistleblowing::open_as_inspector(&db, w.inspector, filed.case_id, "kunci", monday()).await.unwrap();
    assert_eq!(refused.err(), Some(KeyRefused::Malformed));
    assert_eq!(count(&db, "whistleblowing_openings").await, 0);

    let leaves_before = audit::size(&db).await.unwrap();
    let opened = whistleblowing::open_as_inspector(&db, w.inspector, filed.case_id, &w.private_key, monday())
        .await
        .unwrap()
        .expect("the right key opens the report");
    assert_eq!(opened.report.text, text);
    assert_eq!(opened.report.people, "Bendahara");
    assert_eq!(opened.identity.name, NAME_MARKER);
    assert_eq!(opened.identity.contact, CONTACT_MARKER);
    whistleblowing::open_as_inspector(&db, w.inspector, filed.case_id, &w.private_key, monday())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(audit::size(&db).await.unwrap(), leaves_before + 2, "each opening is one leaf");
    let leaf = audit::leaves(&db, opened.audit_seq, opened.audit_seq + 1).await.unwrap().remove(0);
    assert_eq!(leaf.action, "complaints.whistleblowing.open");
    assert_eq!((leaf.actor_role.as_str(), leaf.actor_id.clone()), ("officer", w.inspector.to_string()));
    assert_eq!(leaf.subject_table, "whistleblowing_openings");
    assert_eq!(leaf.purpose.as_deref(), Some(whistleblowing::OPENING_PURPOSE));
    let seen = whistleblowing::case_for_inspector(&db, w.inspector, filed.case_id).await.unwrap();
    assert_eq!(seen.openings.len(), 2);
    assert_eq!(seen.openings[0].officer_name, "inspektur");

    // The inspector works the report through the complaint flow; the reporter follows it by secret.
    assert!(seen.events.contains(&ComplaintEvent::Verify));
    let instruction = Instruction { reason: "Ditelaah oleh Irban Khusus", ..Instruction::default() };
    complaints::act_as_officer(
        &db,
        &vault(),
        w.inspector,
        filed.case_id,
        ComplaintEvent::Verify,
        &instruction,
        monday(),
    )
    .await
    .unwrap();
    let key = ReporterKey::Secret { tracking_number: filed.tracking_number.as_str(), secret: &secret };
    let view = complaints::reporter_view(&db, &vault(), &key).await.unwrap();
    assert_eq!(view.report.line.status, ComplaintStatus::Verified);
    assert!(!view.report.text.contains(TEXT_MARKER));
    let wrong = ReporterKey::Secret { tracking_number: filed.tracking_number.as_str(), secret: "AAAAA-BBBBB" };
    assert!(matches!(complaints::reporter_view(&db, &vault(), &wrong).await, Err(StoreError::NotFound)));
}

async fn nobody_but_an_inspector_reaches_a_whistleblowing_report(db: Db) {
    let w = world(&db).await;
    let text = marked_text();
    let filed = whistleblowing::file(&db, &vault(), &report(&w, "k1", &text), monday()).await.unwrap();
    assert_eq!(whistleblowing::queue(&db, w.inspector, monday()).await.unwrap().len(), 1);
    for officer in [w.admin, w.agency_officer, w.inspectorate_officer, w.auditor] {
        assert!(matches!(whistleblowing::queue(&db, officer, monday()).await, Err(StoreError::Forbidden)));
        assert!(matches!(
            whistleblowing::case_for_inspector(&db, officer, filed.case_id).await,
            Err(StoreError::Forbidden)
        ));
        // Even holding the right key, only an inspector's session opens it.
        assert!(matches!(
            whistleblowing::open_as_inspector(&db, officer, filed.case_id, &w.private_key, monday()).await,
            Err(StoreError::Forbidden)
        ));
        let queue = complaints::queue_for_officer(&db, officer, monday()).await.unwrap_or_default();
        assert!(queue.iter().all(|line| line.case_id != filed.case_id), "officer {officer} sees it queued");
        assert!(complaints::case_for_officer(&db, officer, filed.case_id).await.is_err());
        assert!(complaints::events_for_officer(&db, officer, filed.case_id).await.unwrap().is_empty());
        let verify = complaints::act_as_officer(
            &db,
            &vault(),
            officer,
            filed.case_id,
            ComplaintEvent::Verify,
            &Instruction::default(),
            monday(),
        )
        .await;
        assert!(matches!(verify, Err(StoreError::Forbidden)), "officer {officer} moved it");
    }
    assert_eq!(count(&db, "whistleblowing_openings").await, 0);
    // The public neither lists nor finds it.
    assert!(complaints::public_report(&db, filed.tracking_number.as_str()).await.unwrap().is_none());
    // Only an inspector may register a key? No: the admin does; an agency officer may not.
    let pair = whistleblowing::generate_key_pair();
    let refused = whistleblowing::register_key(
        &db,
        Registrar::Officer(w.agency_officer),
        w.f.government.id,
        "inspektorat-irban-khusus",
        &pair.public_key,
        monday(),
    )
    .await;
    assert!(matches!(refused, Err(StoreError::Forbidden)));
}

async fn the_database_holds_no_plaintext_of_a_whistleblowing_report(db: Db) {
    let w = world(&db).await;
    let text = marked_text();
    let filed = whistleblowing::file(&db, &vault(), &report(&w, "k1", &text), monday()).await.unwrap();
    let opened = whistleblowing::open_as_inspector(&db, w.inspector, filed.case_id, &w.private_key, monday())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened.report.text, text, "the report is there to be found");
    let columns = text_columns(&db).await;
    assert!(columns.iter().any(|(t, c)| t == "complaints" && c == "sealed_text"), "the scan reads every table");
    for marker in [TEXT_MARKER, NAME_MARKER, CONTACT_MARKER, "Bendahara", "Kantor dinas"] {
        assert_eq!(holding(&db, marker).await, Vec::<String>::new(), "{marker} is stored readable");
    }
    assert!(!w.private_key.is_empty());
    let key_body = w.private_key.trim_start_matches(whistleblowing::PRIVATE_KEY_PREFIX);
    assert_eq!(holding(&db, key_body).await, Vec::<String>::new(), "the private key is stored");
    // The scan does see plaintext where there is some: the inspectorate unit's name.
    assert_eq!(holding(&db, "Irban Khusus").await, vec!["units.name".to_owned()]);
}

async fn bad_whistleblowing_reports_are_refused_and_nothing_is_written(db: Db) {
    let w = world(&db).await;
    let cases_before = count(&db, "cases").await;
    let long = "a".repeat(4001);
    for (text, field) in [("   ", "text"), (long.as_str(), "text")] {
        match whistleblowing::file(&db, &vault(), &report(&w, "", text), monday()).await {
            Err(StoreError::Invalid(errors)) => assert!(errors.0.iter().any(|e| e.field == field), "{errors:?}"),
            other => panic!("expected a refusal naming {field}, got {other:?}"),
        }
    }
    let mut too_long_name = report(&w, "", "Isi laporan");
    let name = "n".repeat(121);
    too_long_name.name = &name;
    match whistleblowing::file(&db, &vault(), &too_long_name, monday()).await {
        Err(StoreError::Invalid(errors)) => assert!(errors.0.iter().any(|e| e.field == "name")),
        other => panic!("expected a refusal naming name, got {other:?}"),
    }
    let exactly = "b".repeat(4000);
    whistleblowing::file(&db, &vault(), &report(&w, "", &exactly), monday()).await.unwrap();
    assert_eq!(count(&db, "cases").await, cases_before + 1);

    // A government without a key takes no whistleblowing reports.
    let mut tx = db.begin().await.unwrap();
    let other = crate::support::fixture_in(&mut tx, "53.01", "dinas-lain").await;
    tx.commit().await.unwrap();
    let mut elsewhere = report(&w, "", "Isi laporan");
    elsewhere.government_id = other.government.id;
    assert!(matches!(whistleblowing::file(&db, &vault(), &elsewhere, monday()).await, Err(StoreError::NotFound)));
    assert_eq!(count(&db, "cases").await, cases_before + 1);
}

async fn a_new_key_retires_the_old_one_and_older_reports_open_with_the_old_key(db: Db) {
    let w = world(&db).await;
    let before = whistleblowing::file(&db, &vault(), &report(&w, "", "Laporan pertama"), monday()).await.unwrap();
    let next = whistleblowing::generate_key_pair();
    let key = whistleblowing::register_key(
        &db,
        Registrar::CommandLine,
        w.f.government.id,
        "inspektorat-irban-khusus",
        &next.public_key,
        monday(),
    )
    .await
    .unwrap();
    assert_eq!(whistleblowing::active_key(&db, w.f.government.id).await.unwrap(), Some(key));
    let (retired,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM whistleblowing_keys WHERE retired_at IS NOT NULL")).await.unwrap();
    assert_eq!(retired, 1);
    let after = whistleblowing::file(&db, &vault(), &report(&w, "", "Laporan kedua"), monday()).await.unwrap();
    let open = |case_id: i64, key: String| {
        let db = db.clone();
        async move { whistleblowing::open_as_inspector(&db, w.inspector, case_id, &key, monday()).await.unwrap() }
    };
    assert_eq!(open(before.case_id, next.private_key.clone()).await.err(), Some(KeyRefused::WrongKey));
    assert_eq!(open(before.case_id, w.private_key.clone()).await.unwrap().report.text, "Laporan pertama");
    assert_eq!(open(after.case_id, next.private_key.clone()).await.unwrap().report.text, "Laporan kedua");
    // A key that is not 32 bytes of base64, or a unit that is not the government's, is refused.
    let bad =
        whistleblowing::register_key(&db, Registrar::CommandLine, w.f.government.id, "tidak-ada", "abc", monday())
            .await;
    match bad {
        Err(StoreError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["public_key", "unit"]);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
