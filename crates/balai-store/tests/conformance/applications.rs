//! Applications: a citizen applies once; the case moves from unit to unit under working-day deadlines;
//! every move is one transaction with its event and audit leaves; nothing is written by a refusal.

use crate::support::{Fixture, birth_certificate, fixture};
use balai_domain::Lang;
use balai_domain::applications::{ApplicationEvent, ApplicationStatus, TrackingNumber, WorkflowError};
use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::identity::Role;
use balai_domain::nik::{Nik, Sex};
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource, Instruction, IssuedDocument};
use balai_store::audit::{self, Actor};
use balai_store::identity::Vault;
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::{Db, StoreError, calendar, catalogue, query};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

crate::conformance!(
    a_case_goes_from_submission_through_correction_to_a_document_on_file,
    the_same_idempotency_key_returns_the_same_case_and_another_body_is_refused,
    an_officer_of_another_unit_may_not_act_and_nothing_is_written,
    the_workflow_refuses_what_it_does_not_allow,
    a_missing_document_or_someone_elses_upload_is_named_and_nothing_is_saved,
    a_deadline_beyond_the_calendar_is_refused_with_the_year,
    a_step_past_its_deadline_is_marked_late_once_with_an_event,
    a_fee_holds_the_last_step_until_an_authorised_officer_records_payment,
    the_unit_report_counts_received_completed_backlog_and_breaches,
    a_form_refuses_wrong_answers_by_name_and_survives_a_revision_of_the_standard,
    a_draft_is_kept_sealed_until_the_application_is_sent,
);

fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

/// Monday 7 December 2026, 09:00 WITA.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

struct World {
    f: Fixture,
    citizen: i64,
    front_desk_officer: i64,
    records_officer: i64,
    verifier: i64,
    kk_on_file: i64,
}

async fn world(db: &Db, fee: i64) -> World {
    let f = fixture(db).await;
    let vault = vault();
    let mut tx = db.begin().await.unwrap();
    let actor = Actor::system("test");
    for year in [2026, 2027] {
        let christmas = Holiday {
            date: NaiveDate::from_ymd_opt(year, 12, 25).unwrap(),
            name: "Hari Raya Natal".into(),
            kind: HolidayKind::LiburNasional,
        };
        calendar::replace_year(&mut tx, &actor, f.government.id, year, &[christmas]).await.unwrap();
    }
    let mut standard = birth_certificate(f.front_desk.id, f.records.id);
    standard.fee = balai_domain::money::Rupiah(fee);
    catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &actor).await.unwrap();
    let nik = Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let new = NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        birth_place: "Kupang".into(),
        birth_date: NaiveDate::from_ymd_opt(1990, 3, 12),
        sex: Some(Sex::Female),
        email: Some("maria@contoh.id".into()),
        ..NewCitizen::default()
    };
    let citizen = citizens::create_citizen(&mut tx, &actor, &vault, &nik, &new).await.unwrap();
    citizens::hold_document(
        &mut tx,
        &actor,
        &vault,
        citizen,
        &HeldDocument {
            doc_type: "kk".into(),
            number: Some("5371010101010001".into()),
            issuer: "Disdukcapil".into(),
            issued_on: None,
        },
    )
    .await
    .unwrap();
    let officer = |role: Role, unit: Option<i64>, name: &'static str| {
        let agency_id = Some(f.agency.id);
        let government_id = Some(f.government.id);
        async move { (role, unit, name, agency_id, government_id) }
    };
    let mut ids = Vec::new();
    for (role, unit, name) in [
        (Role::Officer, Some(f.front_desk.id), "loket"),
        (Role::Officer, Some(f.records.id), "arsip"),
        (Role::Verifier, None, "verifikator"),
    ] {
        let (role, unit, name, agency_id, government_id) = officer(role, unit, name).await;
        let created = officers::create_officer(
            &mut tx,
            &actor,
            &NewOfficer {
                government_id,
                agency_id,
                unit_id: unit,
                role,
                username: name,
                display_name: name,
                password_hash: "!",
            },
        )
        .await
        .unwrap();
        ids.push(created);
    }
    let (kk_on_file,): (i64,) = tx
        .fetch_one(query("SELECT id FROM citizen_documents WHERE citizen_id = $1 AND doc_type = 'kk'").bind(citizen))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    World { f, citizen, front_desk_officer: ids[0], records_officer: ids[1], verifier: ids[2], kk_on_file }
}

async fn upload(db: &Db, w: &World, citizen: i64) -> i64 {
    let key = format!("uploads/{}/{}", w.f.government.id, rand_hex());
    applications::record_upload(db, citizen, w.f.government.id, &key, "image/jpeg", 1234, "ab", monday())
        .await
        .unwrap()
        .id
}

fn rand_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn documents(upload: i64, kk: i64) -> Vec<DocumentChoice> {
    vec![
        DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(upload) },
        DocumentChoice { code: "kk".into(), source: DocumentSource::OnFile(kk) },
    ]
}

async fn apply(db: &Db, w: &World, key: &str, docs: &[DocumentChoice]) -> Result<applications::Submitted, StoreError> {
    let fields = serde_json::Map::new();
    let application = Application {
        government_id: w.f.government.id,
        service_code: "AKTA-LAHIR",
        fields: &fields,
        documents: docs,
        idempotency_key: key,
        lang: Lang::Id,
    };
    applications::submit(db, &vault(), w.citizen, &application, monday()).await
}

async fn count(db: &Db, table: &str) -> i64 {
    let (n,): (i64,) = db.fetch_one(balai_store::dynamic_query(format!("SELECT COUNT(*) FROM {table}"))).await.unwrap();
    n
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    // Hours in WITA (UTC+8).
    Utc.with_ymd_and_hms(2026, 12, day, hour - 8, 0, 0).unwrap()
}

fn issued(id: &str) -> IssuedDocument {
    IssuedDocument {
        id: id.into(),
        number: "AKTA-LAHIR/X/2026".into(),
        product: "Kutipan akta kelahiran".into(),
        issuer: "Disdukcapil".into(),
        issued_on: NaiveDate::from_ymd_opt(2026, 12, 16).unwrap(),
        doc_type: "akta_kelahiran".into(),
        sha256: "00".repeat(32),
        signature: "sig".into(),
        object_key: "documents/x".into(),
    }
}

async fn a_case_goes_from_submission_through_correction_to_a_document_on_file(db: Db) {
    let w = world(&db, 0).await;
    let vault = vault();
    let photo = upload(&db, &w, w.citizen).await;
    let submitted = apply(&db, &w, "key-1", &documents(photo, w.kk_on_file)).await.unwrap();
    let public = &submitted.application;
    assert!(TrackingNumber::parse(&public.tracking_number).is_ok(), "{}", public.tracking_number);
    assert_eq!(public.status, ApplicationStatus::InProgress);
    // Two working days for the first step from Monday: due at the end of Wednesday 9 December (WITA).
    assert_eq!(public.steps[0].due_at, Some(Utc.with_ymd_and_hms(2026, 12, 9, 16, 0, 0).unwrap()));
    assert_eq!(public.steps[0].unit, "Seksi Loket");
    assert_eq!(public.steps[1].due_at, None, "the second step has not started");
    // Five working days overall: Monday 14 December.
    assert_eq!(public.due_at, Some(Utc.with_ymd_and_hms(2026, 12, 14, 16, 0, 0).unwrap()));
    let case_id = submitted.case_id;

    // The front desk verifies: the case moves to the records unit with its own deadline.
    let verified = applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Verify,
        &Instruction::default(),
        at(8, 10),
    )
    .await
    .unwrap();
    assert_eq!(verified.unit_id, Some(w.f.records.id));
    assert_eq!(verified.current_step, 1);

    // The records unit forwards (disposisi) the step back to the front desk, with a reason.
    let forwarded = applications::act_as_officer(
        &db,
        &vault,
        w.records_officer,
        case_id,
        ApplicationEvent::Forward,
        &Instruction {
            reason: "Perlu dicek ulang di loket",
            to_unit_id: Some(w.f.front_desk.id),
            ..Instruction::default()
        },
        at(8, 11),
    )
    .await
    .unwrap();
    assert_eq!(forwarded.unit_id, Some(w.f.front_desk.id));

    // The front desk asks the citizen for a correction: the clock pauses.
    let asked = applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::RequestCorrection,
        &Instruction { reason: "Foto surat keterangan lahir buram", ..Instruction::default() },
        at(8, 12),
    )
    .await
    .unwrap();
    assert_eq!(asked.status, "awaiting_correction");
    assert!(asked.paused_since.is_some());

    // The citizen resubmits two working days later (Thursday): both deadlines move two working days.
    let new_photo = upload(&db, &w, w.citizen).await;
    let resubmitted = applications::resubmit_as_citizen(
        &db,
        &vault,
        w.citizen,
        case_id,
        None,
        &[DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(new_photo) }],
        Lang::Id,
        at(10, 9),
    )
    .await
    .unwrap();
    assert_eq!(resubmitted.status, "in_progress");
    assert_eq!(resubmitted.paused_since, None);
    assert_eq!(resubmitted.due_at, Some(Utc.with_ymd_and_hms(2026, 12, 16, 16, 0, 0).unwrap()));

    // Back at the records unit (the front desk forwards it there), then complete with the document.
    applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Forward,
        &Instruction { reason: "Sudah lengkap", to_unit_id: Some(w.f.records.id), ..Instruction::default() },
        at(10, 10),
    )
    .await
    .unwrap();
    let document = issued("doc-public-id-1");
    let completed = applications::act_as_officer(
        &db,
        &vault,
        w.records_officer,
        case_id,
        ApplicationEvent::Complete,
        &Instruction { issued: Some(&document), ..Instruction::default() },
        at(10, 11),
    )
    .await
    .unwrap();
    assert_eq!(completed.status, "completed");
    assert!(completed.closed_at.is_some());

    // The history names every move, the public view names no one, the document is on file.
    let events = balai_store::cases::events(&db, case_id).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(kinds, ["submitted", "verify", "forward", "request_correction", "resubmit", "forward", "complete"]);
    assert_eq!(events[3].reason, "Foto surat keterangan lahir buram");
    let tracking = TrackingNumber::parse(&public.tracking_number).unwrap();
    let seen = applications::public_application(&db, &tracking).await.unwrap().unwrap();
    assert_eq!(seen.status, ApplicationStatus::Completed);
    assert_eq!(seen.document_id.as_deref(), Some("doc-public-id-1"));
    let json = serde_json::to_string(&seen).unwrap();
    assert!(!json.contains("Maria") && !json.contains("5371045203900003"), "{json}");
    let record = citizens::citizen(&db, &vault, w.citizen).await.unwrap().unwrap();
    assert!(record.documents.iter().any(|d| d.doc_type == "akta_kelahiran"), "the document is on file");
    let verified = audit::verify(&db, &[]).await.unwrap();
    assert!(verified.is_ok(), "the log vouches for every row: {:?}", verified.err());
    // A citizen was told at each step.
    let (messages,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM outbox WHERE template = 'case-update'")).await.unwrap();
    assert_eq!(messages, 7);
}

async fn the_same_idempotency_key_returns_the_same_case_and_another_body_is_refused(db: Db) {
    let w = world(&db, 0).await;
    let photo = upload(&db, &w, w.citizen).await;
    let first = apply(&db, &w, "same-key", &documents(photo, w.kk_on_file)).await.unwrap();
    let again = apply(&db, &w, "same-key", &documents(photo, w.kk_on_file)).await.unwrap();
    assert!(again.replayed && !first.replayed);
    assert_eq!(first.case_id, again.case_id);
    assert_eq!(first.application.tracking_number, again.application.tracking_number);
    assert_eq!(count(&db, "cases").await, 1);
    let other = upload(&db, &w, w.citizen).await;
    let refused = apply(&db, &w, "same-key", &documents(other, w.kk_on_file)).await;
    assert!(matches!(refused, Err(StoreError::IdempotencyConflict)), "{refused:?}");
    assert_eq!(count(&db, "cases").await, 1);
}

async fn an_officer_of_another_unit_may_not_act_and_nothing_is_written(db: Db) {
    let w = world(&db, 0).await;
    let photo = upload(&db, &w, w.citizen).await;
    let case_id = apply(&db, &w, "k", &documents(photo, w.kk_on_file)).await.unwrap().case_id;
    let events_before = count(&db, "case_events").await;
    let leaves_before = audit::size(&db).await.unwrap();
    // The case sits at the front desk: the records unit's officer may not verify it.
    let refused = applications::act_as_officer(
        &db,
        &vault(),
        w.records_officer,
        case_id,
        ApplicationEvent::Verify,
        &Instruction::default(),
        monday(),
    )
    .await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    assert_eq!(count(&db, "case_events").await, events_before);
    assert_eq!(audit::size(&db).await.unwrap(), leaves_before);
    // A citizen cannot be impersonated through the officer command.
    let resubmit = applications::act_as_officer(
        &db,
        &vault(),
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Resubmit,
        &Instruction::default(),
        monday(),
    )
    .await;
    assert!(matches!(resubmit, Err(StoreError::Forbidden)));
    // The agency-wide verifier may.
    applications::act_as_officer(
        &db,
        &vault(),
        w.verifier,
        case_id,
        ApplicationEvent::Verify,
        &Instruction::default(),
        monday(),
    )
    .await
    .unwrap();
}

async fn the_workflow_refuses_what_it_does_not_allow(db: Db) {
    let w = world(&db, 0).await;
    let photo = upload(&db, &w, w.citizen).await;
    let case_id = apply(&db, &w, "k", &documents(photo, w.kk_on_file)).await.unwrap().case_id;
    let vault = vault();
    let complete_early = applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Complete,
        &Instruction::default(),
        monday(),
    )
    .await;
    assert!(matches!(complete_early, Err(StoreError::Workflow(WorkflowError::NotLastStep))), "{complete_early:?}");
    let no_reason = applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Reject,
        &Instruction::default(),
        monday(),
    )
    .await;
    match no_reason {
        Err(StoreError::Invalid(errors)) => assert!(errors.for_field("reason").is_some()),
        other => panic!("{other:?}"),
    }
    applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Reject,
        &Instruction { reason: "Bukan warga wilayah ini", ..Instruction::default() },
        monday(),
    )
    .await
    .unwrap();
    let after_close = applications::act_as_officer(
        &db,
        &vault,
        w.verifier,
        case_id,
        ApplicationEvent::Verify,
        &Instruction::default(),
        monday(),
    )
    .await;
    assert!(matches!(after_close, Err(StoreError::Workflow(WorkflowError::Closed { .. }))), "{after_close:?}");
    // Someone else's stale view loses.
    let stale = applications::act_as_officer(
        &db,
        &vault,
        w.verifier,
        case_id,
        ApplicationEvent::Verify,
        &Instruction { expected_version: Some(1), ..Instruction::default() },
        monday(),
    )
    .await;
    assert!(matches!(stale, Err(StoreError::StaleVersion { .. })), "{stale:?}");
}

async fn a_missing_document_or_someone_elses_upload_is_named_and_nothing_is_saved(db: Db) {
    let w = world(&db, 0).await;
    let stranger_upload = {
        let vault = vault();
        let nik = Nik::parse("5371011708850002", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
        let mut tx = db.begin().await.unwrap();
        let new = NewCitizen { full_name: "Yohanes".into(), birth_place: "Kupang".into(), ..NewCitizen::default() };
        let stranger = citizens::create_citizen(&mut tx, &Actor::system("t"), &vault, &nik, &new).await.unwrap();
        tx.commit().await.unwrap();
        upload(&db, &w, stranger).await
    };
    let refused = apply(
        &db,
        &w,
        "k",
        &[DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(stranger_upload) }],
    )
    .await;
    match refused {
        Err(StoreError::Invalid(errors)) => {
            assert!(errors.for_field("documents[0].upload").is_some(), "{errors:?}");
            assert!(errors.for_field("documents.kk").is_some(), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&db, "cases").await, 0);
    assert_eq!(count(&db, "submission_keys").await, 0);
}

async fn a_deadline_beyond_the_calendar_is_refused_with_the_year(db: Db) {
    let w = world(&db, 0).await;
    db.execute(query("DELETE FROM holidays WHERE government_id = $1").bind(w.f.government.id)).await.unwrap();
    db.execute(query("DELETE FROM calendar_years WHERE government_id = $1").bind(w.f.government.id)).await.unwrap();
    let photo = upload(&db, &w, w.citizen).await;
    let refused = apply(&db, &w, "k", &documents(photo, w.kk_on_file)).await;
    assert!(
        matches!(refused, Err(StoreError::Calendar(balai_domain::calendar::CalendarError::YearNotCovered(2026)))),
        "{refused:?}"
    );
    assert_eq!(count(&db, "cases").await, 0);
}

async fn a_step_past_its_deadline_is_marked_late_once_with_an_event(db: Db) {
    let w = world(&db, 0).await;
    db.execute(query("UPDATE officers SET email = 'kepala@example.go.id' WHERE id = $1").bind(w.verifier))
        .await
        .unwrap();
    db.execute(query("UPDATE officers SET role = 'agency_head' WHERE id = $1").bind(w.verifier)).await.unwrap();
    let photo = upload(&db, &w, w.citizen).await;
    let case_id = apply(&db, &w, "k", &documents(photo, w.kk_on_file)).await.unwrap().case_id;
    let vault = vault();
    assert_eq!(
        balai_store::jobs::pending_count(&db, applications::BREACH_CHECK).await.unwrap(),
        1,
        "a check waits for the deadline"
    );
    let early = applications::work_sla(&db, &vault, at(9, 23), 10).await.unwrap();
    assert_eq!(early.breached, 0, "nothing is late on Wednesday evening");
    // Wednesday evening is still on time; Thursday morning is late.
    assert!(applications::overdue_steps(&db, at(9, 23), 10).await.unwrap().is_empty());
    let thursday = at(10, 8);
    assert_eq!(applications::overdue_steps(&db, thursday, 10).await.unwrap(), vec![(case_id, 0)]);
    let round = applications::work_sla(&db, &vault, thursday, 10).await.unwrap();
    assert_eq!(round.breached, 1, "the queued check finds the step late");
    assert_eq!(balai_store::jobs::pending_count(&db, applications::BREACH_CHECK).await.unwrap(), 0);
    assert!(!applications::check_step_breach(&db, &vault, case_id, 0, thursday).await.unwrap(), "once only");
    assert_eq!(applications::work_sla(&db, &vault, thursday, 10).await.unwrap().breached, 0, "once only");
    let events = balai_store::cases::events(&db, case_id).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event == "breach").count(), 1);
    let (alerts,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM outbox WHERE template = 'sla-breach'")).await.unwrap();
    assert_eq!(alerts, 1, "the head of the agency is alerted");
    let lines =
        applications::queue_for_officer(&db, w.front_desk_officer, &Default::default(), thursday).await.unwrap();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].breached);
    let _ = Role::AgencyHead;
}

async fn a_fee_holds_the_last_step_until_an_authorised_officer_records_payment(db: Db) {
    let w = world(&db, 50_000).await;
    let photo = upload(&db, &w, w.citizen).await;
    let case_id = apply(&db, &w, "k", &documents(photo, w.kk_on_file)).await.unwrap().case_id;
    let vault = vault();
    let verified = applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Verify,
        &Instruction::default(),
        monday(),
    )
    .await
    .unwrap();
    assert_eq!(verified.status, "awaiting_payment");
    // An officer of the unit may not record money; a verifier may, with the receipt number.
    let officer = applications::act_as_officer(
        &db,
        &vault,
        w.records_officer,
        case_id,
        ApplicationEvent::RecordPayment,
        &Instruction { receipt_number: Some("KW-2026-0001"), ..Instruction::default() },
        monday(),
    )
    .await;
    assert!(matches!(officer, Err(StoreError::Forbidden)), "{officer:?}");
    let paid = applications::act_as_officer(
        &db,
        &vault,
        w.verifier,
        case_id,
        ApplicationEvent::RecordPayment,
        &Instruction { receipt_number: Some("KW-2026-0001"), ..Instruction::default() },
        monday(),
    )
    .await
    .unwrap();
    assert_eq!(paid.status, "in_progress");
    let events = balai_store::cases::events(&db, case_id).await.unwrap();
    assert_eq!(events.last().unwrap().reason, "KW-2026-0001");
}

async fn the_unit_report_counts_received_completed_backlog_and_breaches(db: Db) {
    let w = world(&db, 0).await;
    let vault = vault();
    db.execute(query("UPDATE officers SET role = 'agency_head' WHERE id = $1").bind(w.verifier)).await.unwrap();
    let first = apply(&db, &w, "a", &documents(upload(&db, &w, w.citizen).await, w.kk_on_file)).await.unwrap().case_id;
    let second = apply(&db, &w, "b", &documents(upload(&db, &w, w.citizen).await, w.kk_on_file)).await.unwrap().case_id;
    // The first is verified on Tuesday and completed on Wednesday: two working days, on time.
    applications::act_as_officer(
        &db,
        &vault,
        w.front_desk_officer,
        first,
        ApplicationEvent::Verify,
        &Instruction::default(),
        at(8, 10),
    )
    .await
    .unwrap();
    let document = issued("report-doc");
    applications::act_as_officer(
        &db,
        &vault,
        w.records_officer,
        first,
        ApplicationEvent::Complete,
        &Instruction { issued: Some(&document), ..Instruction::default() },
        at(9, 10),
    )
    .await
    .unwrap();
    // The second is left at the front desk past its deadline.
    applications::work_sla(&db, &vault, at(10, 9), 10).await.unwrap();
    let days = |d: u32| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let report = applications::report_for_officer(&db, w.verifier, w.f.government.id, days(1), days(31)).await.unwrap();
    let service = &report.by_service[0];
    assert_eq!(service.name, "Penerbitan Akta Kelahiran");
    let f = &service.figures;
    assert_eq!((f.received, f.completed, f.backlog), (2, 1, 1));
    assert_eq!(f.sla_compliance_percent, Some(100.0));
    assert_eq!(f.p90_working_days, Some(2));
    let front_desk = report.by_unit.iter().find(|l| l.name == "Seksi Loket").unwrap();
    assert_eq!((front_desk.figures.received, front_desk.figures.completed, front_desk.figures.backlog), (2, 1, 1));
    assert_eq!(report.breaches.len(), 1);
    assert_eq!((report.breaches[0].step.as_str(), report.breaches[0].breaches), ("Verifikasi berkas", 1));
    let csv = report.to_csv();
    assert!(csv.contains("service,Penerbitan Akta Kelahiran,2,1,1,100.0,2.0,2"), "{csv}");
    // A plain officer sees no report; a period of more than a year is refused by name.
    let refused =
        applications::report_for_officer(&db, w.front_desk_officer, w.f.government.id, days(1), days(31)).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let too_long = applications::report_for_officer(
        &db,
        w.verifier,
        w.f.government.id,
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        days(31),
    )
    .await;
    assert!(matches!(too_long, Err(StoreError::Invalid(_))), "{too_long:?}");
    let _ = second;
}

async fn a_form_refuses_wrong_answers_by_name_and_survives_a_revision_of_the_standard(db: Db) {
    use balai_domain::applications::{FieldKind, FormField};
    let w = world(&db, 0).await;
    let form = vec![
        FormField {
            key: "nama_anak".into(),
            label: "Nama anak".into(),
            label_en: "Child's name".into(),
            kind: FieldKind::Text { max_chars: 100 },
            required: true,
            prefill: None,
        },
        FormField {
            key: "anak_ke".into(),
            label: "Anak ke".into(),
            label_en: "Birth order".into(),
            kind: FieldKind::Number { min: 1, max: 20 },
            required: true,
            prefill: None,
        },
    ];
    let service = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    let mut tx = db.begin().await.unwrap();
    catalogue::set_form_fields(&mut tx, &Actor::system("test"), service.service.id, &form).await.unwrap();
    tx.commit().await.unwrap();
    // A revision of the standard keeps the form.
    let mut tx = db.begin().await.unwrap();
    catalogue::revise_service(
        &mut tx,
        service.service.id,
        1,
        "kependudukan",
        &service.standard,
        &Actor::officer(1),
        "Revisi",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let photo = upload(&db, &w, w.citizen).await;
    let mut fields = serde_json::Map::new();
    fields.insert("anak_ke".into(), serde_json::json!(99));
    fields.insert("warna".into(), serde_json::json!("biru"));
    let docs = documents(photo, w.kk_on_file);
    let application = Application {
        government_id: w.f.government.id,
        service_code: "AKTA-LAHIR",
        fields: &fields,
        documents: &docs,
        idempotency_key: "form",
        lang: Lang::Id,
    };
    match applications::submit(&db, &vault(), w.citizen, &application, monday()).await {
        Err(StoreError::Invalid(errors)) => {
            assert!(errors.for_field("nama_anak").is_some(), "{errors:?}");
            assert!(errors.for_field("anak_ke").is_some(), "{errors:?}");
            assert!(errors.for_field("warna").is_some(), "{errors:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(&db, "cases").await, 0);
    let mut good = serde_json::Map::new();
    good.insert("nama_anak".into(), serde_json::json!("Yosefina"));
    good.insert("anak_ke".into(), serde_json::json!("2"));
    let application = Application { fields: &good, ..application };
    let submitted = applications::submit(&db, &vault(), w.citizen, &application, monday()).await.unwrap();
    let file = applications::case_file_for_citizen(&db, &vault(), w.citizen, submitted.case_id).await.unwrap();
    assert_eq!(file.fields.get("anak_ke"), Some(&serde_json::json!(2)), "a number sent as text is kept as a number");
}

async fn a_draft_is_kept_sealed_until_the_application_is_sent(db: Db) {
    use balai_domain::applications::{FieldKind, FormField};
    let w = world(&db, 0).await;
    let vault = vault();
    let form = vec![FormField {
        key: "nama_anak".into(),
        label: "Nama anak".into(),
        label_en: "Child's name".into(),
        kind: FieldKind::Text { max_chars: 100 },
        required: true,
        prefill: None,
    }];
    let service = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    let mut tx = db.begin().await.unwrap();
    catalogue::set_form_fields(&mut tx, &Actor::system("test"), service.service.id, &form).await.unwrap();
    tx.commit().await.unwrap();
    let mut fields = serde_json::Map::new();
    fields.insert("nama_anak".into(), serde_json::json!("Yosefina Lado"));
    fields.insert("bukan_isian".into(), serde_json::json!("x"));
    applications::save_draft(&db, &vault, w.citizen, w.f.government.id, "AKTA-LAHIR", &fields, monday()).await.unwrap();
    let kept = applications::draft(&db, &vault, w.citizen, w.f.government.id, "AKTA-LAHIR").await.unwrap().unwrap();
    assert_eq!(kept.get("nama_anak"), Some(&serde_json::json!("Yosefina Lado")));
    assert!(kept.get("bukan_isian").is_none(), "only the form's keys are kept");
    let (sealed,): (String,) = db.fetch_one(query("SELECT fields_enc FROM application_drafts")).await.unwrap();
    assert!(!sealed.contains("Yosefina"), "a draft is sealed at rest");
    assert_eq!(applications::drafts_of(&db, w.citizen).await.unwrap().len(), 1);
    let big = serde_json::Map::from_iter([("nama_anak".to_owned(), serde_json::json!("x".repeat(70_000)))]);
    let refused =
        applications::save_draft(&db, &vault, w.citizen, w.f.government.id, "AKTA-LAHIR", &big, monday()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
    // Sending the application ends the draft.
    let photo = upload(&db, &w, w.citizen).await;
    let docs = documents(photo, w.kk_on_file);
    let application = Application {
        government_id: w.f.government.id,
        service_code: "AKTA-LAHIR",
        fields: &kept,
        documents: &docs,
        idempotency_key: "draft",
        lang: Lang::Id,
    };
    applications::submit(&db, &vault, w.citizen, &application, monday()).await.unwrap();
    assert!(applications::draft(&db, &vault, w.citizen, w.f.government.id, "AKTA-LAHIR").await.unwrap().is_none());
    assert!(applications::drafts_of(&db, w.citizen).await.unwrap().is_empty());
}
