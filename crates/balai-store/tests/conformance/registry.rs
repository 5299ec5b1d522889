//! The audited-table registry: every table of the schema is either registered by its context as
//! audited (with a reader of its rows' state) or listed below as unaudited with the reason, and the
//! registered readers answer for every table. A context that writes an audited table without a leaf
//! is caught by `verify`: see `audit::a_row_written_around_the_log_is_named` (a row inserted with raw
//! SQL is named), and the coverage test here (the demo and each context's writes leave no row uncovered).

use crate::schema::table_names;
use balai_domain::Lang;
use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::identity::Role;
use balai_domain::notify::MessageKind;
use balai_store::audit::{self, Actor, Subject};
use balai_store::identity::citizens::{self, HeldDocument};
use balai_store::identity::{self, NewOfficer, Vault, officers};
use balai_store::notify::templates;
use balai_store::{Db, Paging, calendar, catalogue, org, query, seed};
use chrono::{NaiveDate, Utc};
use std::collections::BTreeSet;

crate::conformance!(
    every_table_is_registered_as_audited_or_listed_as_unaudited_with_a_reason,
    every_registered_reader_answers_for_a_stored_row_and_none_for_a_missing_one,
    the_demo_and_a_write_of_each_context_leave_every_audited_row_covered_by_a_leaf,
);

/// Tables the log does not vouch for row by row, each with why. A table in neither this list nor the
/// registry fails the test below.
const UNAUDITED: &[(&str, &str)] = &[
    ("audit_head", "the log itself: its head, verified against the leaves"),
    ("audit_tail", "the log itself: leaves of the bundle being filled"),
    ("audit_bundles", "the log itself: sealed leaves"),
    ("audit_tiles", "the log itself: tree hashes, recomputed by verify"),
    ("audit_checkpoints", "the log itself: signed heads, recomputed by verify"),
    ("service_requirements", "part of its service version's audited state"),
    ("invoice_events", "the history of an invoice: each move also writes the invoice's own leaf"),
    ("bank_statement_lines", "part of its bank statement's audited state; never changed once imported"),
    ("service_steps", "part of its service version's audited state"),
    ("holidays", "part of its government's audited calendar year"),
    ("citizen_documents", "part of its citizen's audited state"),
    ("sessions", "sign-in sessions: short-lived; the sign-in itself is a leaf"),
    ("oidc_logins", "identity-provider sign-ins in progress: minutes-lived; the sign-in is a leaf"),
    ("one_time_codes", "pending one-time codes (hashed): minutes-lived; what they grant is a leaf"),
    ("contact_changes", "pending proofs of a new contact; the change itself is a leaf on the citizen"),
    ("sign_in_failures", "rate-limit counters: change on every attempt, purged"),
    ("outbox", "messages waiting to be delivered: delivery state, not a record"),
    ("jobs", "work queued by commands: what a job changes goes through a command, which leaves its own leaf"),
    ("server_leases", "which server runs the scheduled jobs"),
    ("key_guard", "one lock row serialising lease taking and key rotation"),
    ("dashboard_daily", "sums of cases, written with each case event (a leaf) and recomputed from the cases"),
    ("dashboard_durations", "sums of closed cases by working days, written with each event and recomputable"),
    ("dashboard_open", "open cases per place, written with each case event and recomputable"),
    (
        "case_steps",
        "a case's route: every change to it is made by a transition whose event row and case row are leaves",
    ),
    ("uploads", "files a citizen sent: a record of storage, audited once attached through its application"),
    ("application_documents", "what an application attaches: written with the application, whose submission is a leaf"),
    ("submission_keys", "idempotency keys: which case a client's retry maps to, not a record"),
    ("application_drafts", "a citizen's unsent answers: nothing official until they are submitted"),
    ("complaint_supporters", "\"me too\" marks: a public count, not a record; nobody's identity"),
    ("complaint_submission_keys", "idempotency keys: which report a client's retry maps to, not a record"),
    ("complaint_followers", "who asked for news of a report: a mailing list, sealed, not a record of the case"),
    ("complaint_subscriptions", "who asked for news of an area or category: a mailing list, sealed"),
    ("survey_invitations", "one-time survey links (hashed): delivery state; the response they lead to is a leaf"),
    ("snap_tokens", "SNAP Bearer tokens (hashed): short-lived protocol state; the payment itself is audited by settle"),
    (
        "snap_requests",
        "SNAP calls' X-EXTERNAL-ID per day: short-lived protocol state; the payment is audited by settle",
    ),
    ("survey_tallies", "day sums of survey_responses, written with each response (a leaf) and recomputable"),
];

fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

async fn every_table_is_registered_as_audited_or_listed_as_unaudited_with_a_reason(db: Db) {
    let tables = table_names(&db).await;
    assert!(tables.contains("cases") && tables.contains("audit_head"), "the schema's tables are read back");
    let registered: Vec<&str> = audit::registered_tables().map(|t| t.name).collect();
    let unique: BTreeSet<&str> = registered.iter().copied().collect();
    assert_eq!(unique.len(), registered.len(), "a table is registered twice: {registered:?}");
    let unaudited: BTreeSet<&str> = UNAUDITED.iter().map(|(table, _)| *table).collect();
    assert_eq!(unaudited.len(), UNAUDITED.len(), "a table is listed twice as unaudited");

    let unclassified: Vec<&String> =
        tables.iter().filter(|t| !unique.contains(t.as_str()) && !unaudited.contains(t.as_str())).collect();
    assert!(
        unclassified.is_empty(),
        "tables neither audited nor listed as unaudited: {unclassified:?}. Register an audited table in its \
         context's `AUDITED` entries (collected in balai-store's src/registry.rs), or list it in UNAUDITED in \
         tests/conformance/registry.rs with the reason"
    );
    for (table, reason) in UNAUDITED {
        assert!(!unique.contains(table), "{table} is both registered as audited and listed as unaudited ({reason})");
        assert!(tables.contains(*table), "{table} is listed as unaudited but no longer exists: remove it");
    }
    for table in &registered {
        assert!(tables.contains(*table), "{table} is registered as audited but the schema has no such table");
    }
}

/// The demo data, an officer, the demo cases (with a read of a citizen's record) and one further
/// write of each context: every registered table then has rows.
async fn populated(db: &Db) {
    let vault = vault();
    assert!(seed::seed_demo(db).await.unwrap());
    assert!(seed::seed_demo_citizens(db, &vault).await.unwrap());
    let government = org::government_by_region(db, "53.71").await.unwrap();
    let agency = org::agencies(db, Some("53.71"), Paging::new(1, 100))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.code == "disdukcapil")
        .expect("the demo agency");
    let actor = Actor::system("test");
    let mut tx = db.begin().await.unwrap();
    let officer = identity::create_officer(
        &mut tx,
        &actor,
        &NewOfficer {
            government_id: Some(government.id),
            agency_id: Some(agency.id),
            unit_id: None,
            role: Role::Officer,
            username: "petugas",
            display_name: "Petugas",
            password_hash: "!",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(seed::seed_demo_cases(db, &vault, officer, &crate::support::FakeIssuer, Utc::now()).await.unwrap());

    let mut tx = db.begin().await.unwrap();
    catalogue::update_maklumat(&mut tx, &actor, agency.id, "Kami siap melayani.").await.unwrap();
    let day = NaiveDate::from_ymd_opt(2031, 8, 17).unwrap();
    let holiday = Holiday { date: day, name: "Hari Kemerdekaan".into(), kind: HolidayKind::LiburNasional };
    calendar::replace_year(&mut tx, &actor, government.id, 2031, &[holiday]).await.unwrap();
    officers::reset_password(&mut tx, &actor, officer, "!!").await.unwrap();
    let maria = citizens::citizen_id_by_nik(
        &mut tx,
        &vault,
        &balai_domain::nik::Nik::parse(seed::DEMO_CITIZEN_NIK, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap(),
    )
    .await
    .unwrap()
    .expect("the demo citizen");
    let document = HeldDocument {
        doc_type: "akta_lahir".into(),
        number: Some("5371-LT-01012000-0001".into()),
        issuer: "Disdukcapil Kota Kupang".into(),
        issued_on: NaiveDate::from_ymd_opt(2000, 1, 1),
    };
    citizens::hold_document(&mut tx, &actor, &vault, maria, &document).await.unwrap();
    let text = templates::check_text(
        MessageKind::SignInCode,
        Lang::Id,
        "Kode masuk",
        "{{ code }} adalah kode masuk Anda ({{ minutes }} menit).",
    )
    .unwrap();
    templates::save_text(&mut tx, &Actor::officer(officer), &text).await.unwrap();
    tx.commit().await.unwrap();
    assert!(seed::seed_demo_complaints(db, &vault, Utc::now()).await.unwrap());
    let photo = balai_store::complaints::StoredPhoto {
        object_key: "complaints/test/photo".into(),
        content_type: "image/jpeg".into(),
        size: 10,
        sha256: "ab".into(),
    };
    let report = balai_store::complaints::NewReport {
        government_id: government.id,
        kind: balai_domain::complaints::ReportKind::Complaint,
        channel: balai_domain::complaints::Channel::Web,
        category_code: "SAMPAH",
        title: "Sampah menumpuk",
        text: "Sampah di TPS belum diangkut.",
        lat: "-10.17",
        lon: "123.60",
        address: "",
        region_code: "",
        anonymous: true,
        confidential: false,
        reporter: balai_store::complaints::Reporter::Guest { name: "", email: "", phone: "" },
        photos: std::slice::from_ref(&photo),
        open311_client_id: None,
        idempotency_key: "",
    };
    balai_store::complaints::file_report(db, &vault, &report, Utc::now()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    balai_store::complaints::open311::create_client_in(&mut tx, &actor, None, "Aplikasi", None, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Whistleblowing: a key, a report sealed to it, and an inspector's opening.
    use balai_store::complaints::whistleblowing::{self, NewWhistleblowing, Registrar};
    let pair = whistleblowing::generate_key_pair();
    whistleblowing::register_key(
        db,
        Registrar::CommandLine,
        government.id,
        "inspektorat-irban-khusus",
        &pair.public_key,
        Utc::now(),
    )
    .await
    .unwrap();
    let sealed = NewWhistleblowing {
        government_id: government.id,
        text: "Pungutan liar di loket.",
        when: "",
        place: "",
        people: "",
        name: "",
        contact: "",
        idempotency_key: "",
    };
    let filed = whistleblowing::file(db, &vault, &sealed, Utc::now()).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let inspector = identity::create_officer(
        &mut tx,
        &actor,
        &NewOfficer {
            government_id: Some(government.id),
            agency_id: None,
            unit_id: None,
            role: Role::Inspector,
            username: "inspektur",
            display_name: "Inspektur",
            password_hash: "!",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    whistleblowing::open_as_inspector(db, inspector, filed.case_id, &pair.private_key, Utc::now())
        .await
        .unwrap()
        .unwrap();
    crate::reconcile::populate(db).await;
}

/// An id of the same shape as `id` that names no row: every number in it made huge.
fn missing_like(id: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in id.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push_str("999999999");
            }
            in_number = true;
        } else {
            out.push(c);
            in_number = false;
        }
    }
    out
}

async fn every_registered_reader_answers_for_a_stored_row_and_none_for_a_missing_one(db: Db) {
    populated(&db).await;
    let mut tx = db.begin_read().await.unwrap();
    let mut checked = 0;
    for table in audit::registered_tables() {
        let ids = table.existing_ids(&mut tx).await.unwrap();
        let Some(id) = ids.first() else { panic!("the populated database has no {} rows", table.name) };
        let state = (table.state)(&mut tx, id).await.unwrap();
        assert!(state.as_deref().is_some_and(|s| s.starts_with(['{', '['])), "{} {id}: {state:?}", table.name);
        let through_lookup = audit::state_json(&mut tx, &Subject::new(table.name, id)).await.unwrap();
        assert_eq!(through_lookup, state, "{}: the log reads the registered reader", table.name);
        let missing = missing_like(id);
        assert_ne!(&missing, id);
        assert_eq!((table.state)(&mut tx, &missing).await.unwrap(), None, "{} {missing} does not exist", table.name);
        // A row named by another id in older or newer leaves reads the same.
        if let Some(aliases) = table.aliases {
            let aliases = aliases(&mut tx).await.unwrap();
            assert!(!aliases.is_empty(), "{} has aliased rows", table.name);
            for (alias, id) in aliases {
                let by_alias = (table.state)(&mut tx, &alias).await.unwrap();
                assert_eq!(by_alias, (table.state)(&mut tx, &id).await.unwrap(), "{} {alias} is {id}", table.name);
            }
        }
        checked += 1;
    }
    assert!(checked >= 12, "the registry lists the audited tables ({checked})");
    let unknown = audit::state_json(&mut tx, &Subject::new("sessions", 1)).await;
    assert!(unknown.is_err(), "an unregistered table has no audited state");
}

async fn the_demo_and_a_write_of_each_context_leave_every_audited_row_covered_by_a_leaf(db: Db) {
    populated(&db).await;
    let mut tx = db.begin_read().await.unwrap();
    for table in audit::registered_tables() {
        let ids = table.existing_ids(&mut tx).await.unwrap();
        assert!(!ids.is_empty(), "the populated database has {} rows to cover", table.name);
    }
    drop(tx);
    if let Err(finding) = audit::verify(&db, &[]).await.unwrap() {
        panic!("a context wrote an audited row without its leaf: {finding}");
    }
    // The same check fails for a row written around the log, whichever context's table it is in.
    db.execute(
        query(
            "INSERT INTO calendar_years (government_id, year, updated_at) \
             SELECT id, 2099, $1 FROM governments WHERE region_code = '53'",
        )
        .bind(Utc::now()),
    )
    .await
    .unwrap();
    match audit::verify(&db, &[]).await.unwrap() {
        Err(audit::Finding::UnrecordedRecord { table, id }) => {
            assert_eq!(table, "calendar_years");
            assert!(id.ends_with("/2099"), "{id}");
        }
        other => panic!("expected an unrecorded calendar year, got {other:?}"),
    }
}
