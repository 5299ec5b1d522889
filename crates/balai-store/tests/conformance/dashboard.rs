//! The dashboard's aggregates: kept by every case event in its own transaction, they equal a full
//! recomputation from the cases after any workload (applications submitted, verified, forwarded,
//! paused for corrections, completed and rejected; complaints filed, held, verified, disposed,
//! answered, reopened, lapsed, closed and re-routed to another government), row for row.

use crate::complaints::{World, report, vault, world};
use crate::support::{birth_certificate, fixture_in};
use balai_domain::Lang;
use balai_domain::applications::ApplicationEvent;
use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::complaints::{ComplaintEvent, DeadlineRules};
use balai_domain::dashboard::{DashboardFilter, FilterInput};
use balai_domain::identity::Role;
use balai_domain::nik::{Nik, Sex};
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource, IssuedDocument};
use balai_store::audit::Actor;
use balai_store::complaints::{self, ReporterKey, RulesEdit};
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::{Db, StoreError, calendar, catalogue, dashboard, query};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

crate::conformance!(
    the_aggregates_equal_a_recomputation_after_a_random_workload,
    a_completed_application_and_a_verified_complaint_are_counted_where_they_closed,
);

#[derive(Debug, Clone)]
enum Op {
    Apply,
    File { confidential: bool },
    Application { which: usize, event: u8 },
    Complaint { which: usize, event: u8 },
    Wait { hours: u16 },
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Apply),
        3 => any::<bool>().prop_map(|confidential| Op::File { confidential }),
        6 => (0..12usize, 0..6u8).prop_map(|(which, event)| Op::Application { which, event }),
        6 => (0..12usize, 0..10u8).prop_map(|(which, event)| Op::Complaint { which, event }),
        3 => (1..80u16).prop_map(|hours| Op::Wait { hours }),
        1 => Just(Op::Sweep),
    ]
}

struct Scene {
    w: World,
    head: i64,
    citizen: i64,
    kk: i64,
    other_government: i64,
    applications: Vec<i64>,
    complaints: Vec<(i64, String, String)>,
    issued: u32,
    now: DateTime<Utc>,
}

async fn scene(db: &Db) -> Scene {
    let w = world(db).await;
    let vault = vault();
    let actor = Actor::system("test");
    let mut tx = db.begin().await.unwrap();
    let standard = birth_certificate(w.f.front_desk.id, w.f.records.id);
    catalogue::create_service(&mut tx, &w.f.agency, "kependudukan", "AKTA-LAHIR", &standard, &actor).await.unwrap();
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
    let (kk,): (i64,) = tx
        .fetch_one(query("SELECT id FROM citizen_documents WHERE citizen_id = $1 AND doc_type = 'kk'").bind(citizen))
        .await
        .unwrap();
    // A second government on the platform, with its own desk, for re-routed reports.
    let other = fixture_in(&mut tx, "53.01", "dukcapil-kupang-kab").await;
    for year in [2025, 2026, 2027, 2028] {
        let christmas = Holiday {
            date: NaiveDate::from_ymd_opt(year, 12, 25).unwrap(),
            name: "Hari Raya Natal".into(),
            kind: HolidayKind::LiburNasional,
        };
        calendar::replace_year(&mut tx, &actor, other.government.id, year, &[christmas]).await.unwrap();
    }
    let edit = RulesEdit {
        deadlines: DeadlineRules::DEFAULT,
        desk_unit_id: other.front_desk.id,
        area: None,
        similar_radius_m: 200,
        similar_days: 30,
        note: "Ketentuan awal",
    };
    complaints::rules::publish_in(&mut tx, &actor, None, other.government.id, &edit, crate::complaints::monday())
        .await
        .unwrap();
    let head = w.head;
    // The head works every case of the agency; a verifier is not needed (no fee).
    let _ = officers::create_officer(
        &mut tx,
        &actor,
        &NewOfficer {
            government_id: Some(w.f.government.id),
            agency_id: Some(w.f.agency.id),
            unit_id: None,
            role: Role::Verifier,
            username: "verifikator-dasbor",
            display_name: "verifikator",
            password_hash: "!",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Scene {
        w,
        head,
        citizen,
        kk,
        other_government: other.government.id,
        applications: Vec::new(),
        complaints: Vec::new(),
        issued: 0,
        now: crate::complaints::monday(),
    }
}

fn issued(n: u32, on: DateTime<Utc>) -> IssuedDocument {
    IssuedDocument {
        id: format!("dok-{n:08}"),
        number: format!("AKTA-LAHIR/{n}/2026"),
        product: "Kutipan akta kelahiran".into(),
        issuer: "Disdukcapil".into(),
        issued_on: on.date_naive(),
        doc_type: "akta_kelahiran".into(),
        sha256: "00".repeat(32),
        signature: "sig".into(),
        object_key: format!("documents/{n}"),
    }
}

async fn run(db: &Db, s: &mut Scene, op: &Op) {
    let vault = vault();
    match op {
        Op::Wait { hours } => s.now += Duration::hours(i64::from(*hours)),
        Op::Sweep => {
            complaints::work_lapses(db, &vault, s.now, 50).await.unwrap();
        }
        Op::Apply => {
            let key = format!("uploads/{}/{:032x}", s.w.f.government.id, rand::random::<u128>());
            let upload =
                applications::record_upload(db, s.citizen, s.w.f.government.id, &key, "image/jpeg", 1234, "ab", s.now)
                    .await
                    .unwrap()
                    .id;
            let docs = vec![
                DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(upload) },
                DocumentChoice { code: "kk".into(), source: DocumentSource::OnFile(s.kk) },
            ];
            let fields = serde_json::Map::new();
            let idempotency = format!("k-{}", rand::random::<u64>());
            let application = Application {
                government_id: s.w.f.government.id,
                service_code: "AKTA-LAHIR",
                fields: &fields,
                documents: &docs,
                idempotency_key: &idempotency,
                lang: Lang::Id,
            };
            let submitted = applications::submit(db, &vault, s.citizen, &application, s.now).await.unwrap();
            s.applications.push(submitted.case_id);
        }
        Op::File { confidential } => {
            let key = format!("f-{}", rand::random::<u64>());
            let mut new = report(&s.w, &key, "Jalan berlubang sejak bulan lalu, mohon diperbaiki.");
            new.confidential = *confidential;
            let filed = complaints::file_report(db, &vault, &new, s.now).await.unwrap();
            s.complaints.push((filed.case_id, filed.tracking_number.as_str().to_owned(), filed.secret.unwrap()));
        }
        Op::Application { which, event } => {
            let Some(&case_id) = s.applications.get(which % s.applications.len().max(1)) else { return };
            let event = [
                ApplicationEvent::Verify,
                ApplicationEvent::RequestCorrection,
                ApplicationEvent::Resubmit,
                ApplicationEvent::Complete,
                ApplicationEvent::Reject,
                ApplicationEvent::Forward,
            ][usize::from(*event)];
            s.issued += 1;
            let document = issued(s.issued, s.now);
            let instruction = applications::Instruction {
                reason: "Mohon lengkapi berkas",
                to_unit_id: Some(s.w.f.front_desk.id),
                receipt_number: None,
                expected_version: None,
                issued: Some(&document),
            };
            let _ = if event == ApplicationEvent::Resubmit {
                applications::resubmit_as_citizen(db, &vault, s.citizen, case_id, None, &[], Lang::Id, s.now).await
            } else {
                applications::act_as_officer(db, &vault, s.head, case_id, event, &instruction, s.now).await
            };
        }
        Op::Complaint { which, event } => {
            let Some((case_id, tracking, secret)) = s.complaints.get(which % s.complaints.len().max(1)).cloned() else {
                return;
            };
            let event = [
                ComplaintEvent::Verify,
                ComplaintEvent::Hold,
                ComplaintEvent::Resume,
                ComplaintEvent::Dispose,
                ComplaintEvent::Answer,
                ComplaintEvent::Accept,
                ComplaintEvent::Reopen,
                ComplaintEvent::Return,
                ComplaintEvent::CloseUnresolved,
                ComplaintEvent::Reroute,
            ][usize::from(*event)];
            let instruction = complaints::Instruction {
                reason: "Sudah ditindaklanjuti oleh petugas",
                to_unit_id: Some(s.w.f.records.id),
                to_government_id: Some(s.other_government),
                ..complaints::Instruction::default()
            };
            let _ = if matches!(event, ComplaintEvent::Accept | ComplaintEvent::Reopen) {
                let key = ReporterKey::Secret { tracking_number: &tracking, secret: &secret };
                complaints::act_as_reporter(db, &vault, &key, event, "Belum selesai", s.now).await
            } else {
                complaints::act_as_officer(db, &vault, s.head, case_id, event, &instruction, s.now).await
            };
        }
    }
}

async fn assert_recomputed(db: &Db, government_ids: &[i64], context: &str) {
    for &government_id in government_ids {
        let kept = dashboard::snapshot(db, government_id).await.unwrap();
        dashboard::recompute(db, government_id).await.unwrap();
        let recomputed = dashboard::snapshot(db, government_id).await.unwrap();
        assert_eq!(kept.daily, recomputed.daily, "daily rows of government {government_id} after {context}");
        assert_eq!(kept.durations, recomputed.durations, "durations of government {government_id} after {context}");
        assert_eq!(kept.open, recomputed.open, "open cases of government {government_id} after {context}");
    }
}

async fn the_aggregates_equal_a_recomputation_after_a_random_workload(db: Db) {
    let mut s = scene(&db).await;
    let governments = [s.w.f.government.id, s.other_government];
    let mut runner = TestRunner::new(Config { cases: 5, ..Config::default() });
    let workload = proptest::collection::vec(op(), 20..60);
    for round in 0..5 {
        let ops = workload.new_tree(&mut runner).unwrap().current();
        for op in &ops {
            run(&db, &mut s, op).await;
        }
        assert_recomputed(&db, &governments, &format!("round {round}: {ops:?}")).await;
    }
    // The workload is not idle: cases were opened and some closed.
    let kept = dashboard::snapshot(&db, s.w.f.government.id).await.unwrap();
    assert!(kept.daily.iter().map(|r| r.received).sum::<i64>() > 0);
}

async fn a_completed_application_and_a_verified_complaint_are_counted_where_they_closed(db: Db) {
    let mut s = scene(&db).await;
    // Monday: one application and one report.
    run(&db, &mut s, &Op::Apply).await;
    run(&db, &mut s, &Op::File { confidential: false }).await;
    let g = s.w.f.government.id;
    let kept = dashboard::snapshot(&db, g).await.unwrap();
    assert_eq!(kept.daily.iter().map(|r| r.received).sum::<i64>(), 2);
    assert_eq!(kept.open.iter().map(|r| r.4).sum::<i64>(), 2, "both are open");
    // Tuesday: the front desk verifies (the case moves to the records unit), Wednesday it is completed.
    s.now += Duration::days(1);
    run(&db, &mut s, &Op::Application { which: 0, event: 0 }).await;
    s.now += Duration::days(1);
    run(&db, &mut s, &Op::Application { which: 0, event: 3 }).await;
    // The desk verifies and disposes the report on Tuesday of the next week: four working days, late.
    s.now += Duration::days(6);
    run(&db, &mut s, &Op::Complaint { which: 0, event: 0 }).await;
    run(&db, &mut s, &Op::Complaint { which: 0, event: 3 }).await;
    let kept = dashboard::snapshot(&db, g).await.unwrap();
    let application: Vec<_> = kept.daily.iter().filter(|r| r.kind == "application").collect();
    assert_eq!(application.len(), 2, "{application:?}");
    assert!(application.iter().all(|r| r.unit_id == s.w.f.records.id), "counted where it closed: {application:?}");
    let wednesday = application.iter().find(|r| r.closed == 1).unwrap();
    assert_eq!(wednesday.day, NaiveDate::from_ymd_opt(2026, 12, 9).unwrap());
    assert_eq!((wednesday.closed_on_time, wednesday.resolved, wednesday.closed_working_days_sum), (1, 1, 2));
    let complaint: Vec<_> = kept.daily.iter().filter(|r| r.kind == "complaint").collect();
    let verified = complaint.iter().find(|r| r.verified == 1).unwrap();
    assert_eq!(verified.day, NaiveDate::from_ymd_opt(2026, 12, 15).unwrap());
    assert_eq!(verified.verified_on_time, 0, "three working days were allowed");
    assert_eq!(verified.unit_id, s.w.f.records.id, "the report now sits with the records unit");
    assert_eq!(
        kept.durations,
        vec![("application".into(), s.w.f.agency.id, s.w.f.records.id, application[0].service_id, wednesday.day, 2, 1)]
    );
    assert_eq!(kept.open.iter().map(|r| r.4).sum::<i64>(), 1, "the report is still open");
    assert_recomputed(&db, &[g], "the story").await;

    // The panels read those rows.
    let today = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
    let input = FilterInput { from: Some("2026-12-01"), to: Some("2026-12-15"), ..FilterInput::default() };
    let filter = DashboardFilter::parse(input, today).unwrap();
    let scope = dashboard::scope(&db, g, &filter).await.unwrap();
    let overview = dashboard::overview(&db, &scope, today).await.unwrap();
    let a = &overview.applications;
    assert_eq!((a.received, a.completed, a.closed, a.backlog), (1, 1, 1, 0));
    assert_eq!(
        (a.sla_compliance_permille, a.average_working_days_tenths, a.p90_working_days),
        (Some(1000), Some(20), Some(2))
    );
    let c = &overview.complaints;
    assert_eq!((c.received, c.verified, c.verified_on_time, c.resolved, c.backlog), (1, 1, 0, 0, 1));
    // A period that ended on Tuesday the 8th: the application was still open then.
    let earlier =
        DashboardFilter::parse(FilterInput { to: Some("2026-12-08"), ..FilterInput::default() }, today).unwrap();
    let earlier = dashboard::scope(&db, g, &earlier).await.unwrap();
    assert_eq!(dashboard::applications(&db, &earlier, today).await.unwrap().backlog, 1);
    let weeks = dashboard::trend(&db, &scope).await.unwrap();
    assert_eq!(weeks.len(), 3, "{weeks:?}");
    assert_eq!(
        (weeks[1].applications_received, weeks[1].applications_completed, weeks[1].complaints_received),
        (1, 1, 1)
    );
    let ranking = dashboard::ranking(&db, &scope).await.unwrap();
    assert_eq!(ranking[0].code, s.w.f.agency.code);
    assert_eq!(ranking[0].compliance_permille(), Some(1000), "the one closed case was on time: {ranking:?}");
    let points = dashboard::map(&db, &scope).await.unwrap();
    assert_eq!(points.len(), 1);
    let lines = dashboard::open_data(&db, &scope).await.unwrap();
    assert_eq!(lines.iter().map(|l| l.applications_received).sum::<i64>(), 1);
    assert!(lines.iter().any(|l| l.service_code.as_deref() == Some("AKTA-LAHIR")));
    // An unknown agency or service is refused by name.
    let unknown = DashboardFilter::parse(
        FilterInput { agency: Some("TIDAK-ADA"), service: Some("TIDAK-ADA"), ..FilterInput::default() },
        today,
    )
    .unwrap();
    match dashboard::scope(&db, g, &unknown).await {
        Err(StoreError::Invalid(e)) => assert!(e.for_field("agency").is_some() && e.for_field("service").is_some()),
        other => panic!("{other:?}"),
    }
}
