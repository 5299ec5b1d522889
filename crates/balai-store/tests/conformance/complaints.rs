//! Complaints: a report is a case at the government's complaint desk, verified and disposed to an
//! agency under working-day deadlines, answered, and accepted or reopened by its reporter; anonim and
//! rahasia hold everywhere; every move is one transaction with its event and audit leaves.

use crate::support::{Fixture, fixture};
use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::complaints::{
    Channel, ComplaintClass, ComplaintEvent, ComplaintStatus, DeadlineRules, Rating, ReportKind,
};
use balai_domain::identity::Role;
use balai_store::audit::{self, Actor};
use balai_store::complaints::{
    self, Instruction, NewCategory, NewReport, Reporter, ReporterKey, RulesEdit, StoredPhoto,
};
use balai_store::identity::Vault;
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::{Db, StoreError, calendar, query};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

crate::conformance!(
    a_report_goes_from_the_desk_to_the_agency_and_its_reporter_accepts_the_answer,
    a_reopened_report_goes_back_to_the_agency_with_a_new_deadline_and_its_head_is_told,
    an_answer_nobody_responds_to_lapses_after_the_reporters_days,
    the_desk_misses_its_three_working_days_and_the_breach_is_recorded_once,
    bad_reports_are_refused_by_field_and_nothing_is_written,
    the_same_key_returns_the_same_report_and_another_body_is_refused,
    officers_act_only_where_they_may_and_the_flow_refuses_the_rest,
    anonymous_and_confidential_reports_keep_their_secrets,
    a_wrong_secret_is_answered_like_an_unknown_number,
    a_duplicate_is_merged_and_its_supporters_join_the_other_report,
    the_rules_are_versioned_and_a_report_keeps_the_version_it_came_under,
    the_public_list_pages_by_id_and_finds_similar_reports_nearby,
);

pub(crate) fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

/// Monday 7 December 2026, 09:00 WITA.
pub(crate) fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0).unwrap()
}

/// `hour` WITA on `day` December 2026.
pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap() - chrono::Duration::hours(8)
}

pub(crate) struct World {
    pub(crate) f: Fixture,
    pub(crate) desk_officer: i64,
    pub(crate) agency_officer: i64,
    pub(crate) head: i64,
    pub(crate) admin: i64,
}

const KUPANG: (&str, &str) = ("-10.1772", "123.6070");

pub(crate) async fn world(db: &Db) -> World {
    let f = fixture(db).await;
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
    let edit = RulesEdit {
        deadlines: DeadlineRules::DEFAULT,
        desk_unit_id: f.front_desk.id,
        area: Some(balai_domain::complaints::GeoBox { min_lat: -10.3, min_lon: 123.4, max_lat: -10.0, max_lon: 123.8 }),
        similar_radius_m: 200,
        similar_days: 30,
        note: "Ketentuan awal",
    };
    complaints::rules::publish_in(&mut tx, &actor, None, f.government.id, &edit, monday()).await.unwrap();
    for code in ["JALAN-RUSAK", "SAMPAH"] {
        let new = NewCategory {
            code,
            name_id: code,
            name_en: code,
            description: "",
            agency_id: Some(f.agency.id),
            keywords: "",
            attributes: "[]",
        };
        complaints::add_category_in(&mut tx, &actor, f.government.id, &new).await.unwrap();
    }
    let mut ids = Vec::new();
    for (role, unit, name) in [
        (Role::Officer, Some(f.front_desk.id), "meja-pengaduan"),
        (Role::Officer, Some(f.records.id), "bidang"),
        (Role::AgencyHead, None, "kepala"),
        (Role::GovernmentAdmin, None, "admin"),
    ] {
        let created = officers::create_officer(
            &mut tx,
            &actor,
            &NewOfficer {
                government_id: Some(f.government.id),
                agency_id: (role != Role::GovernmentAdmin).then_some(f.agency.id),
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
    tx.execute(query("UPDATE officers SET email = 'kepala@example.go.id' WHERE id = $1").bind(ids[2])).await.unwrap();
    tx.commit().await.unwrap();
    World { f, desk_officer: ids[0], agency_officer: ids[1], head: ids[2], admin: ids[3] }
}

pub(crate) fn report<'a>(w: &World, key: &'a str, text: &'a str) -> NewReport<'a> {
    NewReport {
        government_id: w.f.government.id,
        kind: ReportKind::Complaint,
        channel: Channel::Web,
        category_code: "JALAN-RUSAK",
        title: "Jalan berlubang di depan SD Inpres Oebobo",
        text,
        lat: KUPANG.0,
        lon: KUPANG.1,
        address: "Jl. Frans Seda",
        region_code: "",
        anonymous: false,
        confidential: false,
        reporter: Reporter::Guest { name: "", email: "pelapor@contoh.id", phone: "" },
        photos: &[],
        open311_client_id: None,
        idempotency_key: key,
    }
}

async fn act(
    db: &Db,
    officer: i64,
    case_id: i64,
    event: ComplaintEvent,
    i: &Instruction<'_>,
    now: DateTime<Utc>,
) -> Result<balai_store::cases::Case, StoreError> {
    complaints::act_as_officer(db, &vault(), officer, case_id, event, i, now).await
}

fn reason(text: &str) -> Instruction<'_> {
    Instruction { reason: text, ..Instruction::default() }
}

async fn audit_size(db: &Db) -> u64 {
    audit::size(db).await.unwrap()
}

async fn a_report_goes_from_the_desk_to_the_agency_and_its_reporter_accepts_the_answer(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let filed =
        complaints::file_report(&db, &vault, &report(&w, "k1", "Lubang besar, berbahaya bagi anak sekolah."), monday())
            .await
            .unwrap();
    let secret = filed.secret.clone().expect("the secret is shown once");
    assert_eq!(filed.status, ComplaintStatus::Submitted);
    // Verification within 3 working days: Monday → due at the end of Thursday (local midnight).
    assert_eq!(filed.due_at, Some(at(11, 0)));

    act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Verify, &Instruction::default(), at(7, 10)).await.unwrap();
    let dispose = Instruction {
        to_unit_id: Some(w.f.records.id),
        class: Some(ComplaintClass::Information),
        ..Instruction::default()
    };
    let disposed = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Dispose, &dispose, at(7, 11)).await.unwrap();
    assert_eq!(disposed.status, "disposed");
    assert_eq!(disposed.unit_id, Some(w.f.records.id), "the report now sits with the unit");
    // Information class: 5 working days from Monday 7 → Monday 14 ends; due at the start of Tuesday 15.
    assert_eq!(disposed.due_at, Some(at(15, 0)));

    let photo = StoredPhoto {
        object_key: "complaints/1/a".into(),
        content_type: "image/jpeg".into(),
        size: 10,
        sha256: "ab".into(),
    };
    let answer = Instruction {
        reason: "Lubang sudah ditambal pada 9 Desember.",
        photos: std::slice::from_ref(&photo),
        ..Instruction::default()
    };
    let answered = act(&db, w.agency_officer, filed.case_id, ComplaintEvent::Answer, &answer, at(9, 10)).await.unwrap();
    assert_eq!(answered.status, "answered");
    assert!(answered.paused_since.is_some(), "the agency's clock stops while the reporter reads the answer");

    let key = ReporterKey::Secret { tracking_number: &filed.tracking_number.to_string(), secret: &secret };
    let view = complaints::reporter_view(&db, &vault, &key).await.unwrap();
    assert!(view.may_respond && view.may_rate);
    let answer_event = view.report.events.iter().find(|e| e.event == "answer").unwrap();
    assert_eq!(answer_event.photo_ids.len(), 1, "the resolution photo hangs on the answer");

    let closed = complaints::act_as_reporter(&db, &vault, &key, ComplaintEvent::Accept, "", at(10, 9)).await.unwrap();
    assert_eq!(closed.status, "resolved");
    assert!(closed.closed_at.is_some());
    complaints::rate(&db, &vault, &key, &Rating::parse("5", "Cepat, terima kasih").unwrap(), at(10, 9)).await.unwrap();
    let public = complaints::public_report(&db, filed.tracking_number.as_str()).await.unwrap().unwrap();
    assert_eq!(public.rating, Some((5, "Cepat, terima kasih".into())));
    let timeline: Vec<&str> = public.events.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(timeline, ["verify", "dispose", "answer", "accept"]);
    assert!(public.events.iter().all(|e| e.actor != "citizen"), "the public timeline names roles, never people");
    let (mails,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM outbox WHERE template = 'case-update'")).await.unwrap();
    assert_eq!(mails, 4, "the guest reporter is told of each move by e-mail");
}

async fn filed_and_answered(db: &Db, w: &World) -> (complaints::Filed, String) {
    let vault = vault();
    let filed =
        complaints::file_report(db, &vault, &report(w, "", "Lampu padam sejak seminggu."), monday()).await.unwrap();
    act(db, w.desk_officer, filed.case_id, ComplaintEvent::Verify, &Instruction::default(), monday()).await.unwrap();
    let dispose = Instruction { to_unit_id: Some(w.f.records.id), ..Instruction::default() };
    act(db, w.desk_officer, filed.case_id, ComplaintEvent::Dispose, &dispose, monday()).await.unwrap();
    act(db, w.agency_officer, filed.case_id, ComplaintEvent::Answer, &reason("Sudah diperbaiki."), at(8, 10))
        .await
        .unwrap();
    let secret = filed.secret.clone().unwrap();
    (filed, secret)
}

async fn a_reopened_report_goes_back_to_the_agency_with_a_new_deadline_and_its_head_is_told(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let (filed, secret) = filed_and_answered(&db, &w).await;
    let key = ReporterKey::Secret { tracking_number: filed.tracking_number.as_str(), secret: &secret };
    let refused = complaints::act_as_reporter(&db, &vault, &key, ComplaintEvent::Reopen, "  ", at(9, 9)).await;
    assert!(matches!(refused, Err(StoreError::Invalid(ref e)) if e.for_field("reason").is_some()), "{refused:?}");
    let reopened =
        complaints::act_as_reporter(&db, &vault, &key, ComplaintEvent::Reopen, "Lampu masih mati.", at(9, 9))
            .await
            .unwrap();
    assert_eq!(reopened.status, "disposed");
    assert_eq!(reopened.unit_id, Some(w.f.records.id), "back to the unit that answered");
    // Five working days from Wednesday 9: Wed 16 ends; due at the start of Thursday 17.
    assert_eq!(reopened.due_at, Some(at(17, 0)));
    assert!(reopened.paused_since.is_none());
    let (alerts,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM outbox WHERE template = 'sla-breach'")).await.unwrap();
    assert_eq!(alerts, 1, "the escalation reaches the head of the agency");
    let public = complaints::public_report(&db, filed.tracking_number.as_str()).await.unwrap().unwrap();
    assert_eq!(public.reopen_count, 1);
    let _ = w.head;
}

async fn an_answer_nobody_responds_to_lapses_after_the_reporters_days(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let (filed, _) = filed_and_answered(&db, &w).await;
    assert_eq!(balai_store::jobs::pending_count(&db, complaints::LAPSE_CHECK).await.unwrap(), 1);
    // Answered Tuesday 8: ten working days (Christmas is a holiday) end on Tuesday 22.
    let early = complaints::work_lapses(&db, &vault, at(22, 23), 10).await.unwrap();
    assert_eq!(early.lapsed, 0, "the reporter still has Tuesday evening");
    let round = complaints::work_lapses(&db, &vault, at(23, 8), 10).await.unwrap();
    assert_eq!(round.lapsed, 1);
    let case = balai_store::cases::case(&db, filed.case_id).await.unwrap().unwrap();
    assert_eq!(case.status, "resolved");
    let events = balai_store::cases::events(&db, filed.case_id).await.unwrap();
    assert_eq!(events.last().unwrap().event, "lapse", "the timeline says it closed for want of a reply");
    assert_eq!(complaints::work_lapses(&db, &vault, at(24, 8), 10).await.unwrap().lapsed, 0, "once only");
}

async fn the_desk_misses_its_three_working_days_and_the_breach_is_recorded_once(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let filed = complaints::file_report(&db, &vault, &report(&w, "", "Sampah menumpuk."), monday()).await.unwrap();
    assert_eq!(balai_store::applications::work_sla(&db, &vault, at(10, 23), 10).await.unwrap().breached, 0);
    let round = balai_store::applications::work_sla(&db, &vault, at(11, 8), 10).await.unwrap();
    assert_eq!(round.breached, 1, "the desk's three working days ran out on Thursday");
    assert_eq!(balai_store::applications::work_sla(&db, &vault, at(11, 9), 10).await.unwrap().breached, 0);
    let events = balai_store::cases::events(&db, filed.case_id).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.event == "breach").count(), 1);
    let queue = complaints::queue_for_officer(&db, w.desk_officer, at(11, 8)).await.unwrap();
    assert!(queue.iter().any(|l| l.case_id == filed.case_id && l.late));
}

async fn bad_reports_are_refused_by_field_and_nothing_is_written(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let before = audit_size(&db).await;
    let long = "a".repeat(4001);
    let photos: Vec<StoredPhoto> = (0..6)
        .map(|i| StoredPhoto {
            object_key: format!("k{i}"),
            content_type: "image/jpeg".into(),
            size: 1,
            sha256: "ab".into(),
        })
        .collect();
    let mut bad = report(&w, "", &long);
    bad.photos = &photos;
    bad.lat = "91";
    bad.category_code = "TIDAK-ADA";
    let Err(StoreError::Invalid(errors)) = complaints::file_report(&db, &vault, &bad, monday()).await else {
        panic!("refused");
    };
    for field in ["text", "photos", "lat", "category"] {
        assert!(errors.for_field(field).is_some(), "{field}: {errors:?}");
    }
    let mut sydney = report(&w, "", "Teks");
    (sydney.lat, sydney.lon) = ("-33.86", "151.2");
    let Err(StoreError::Invalid(errors)) = complaints::file_report(&db, &vault, &sydney, monday()).await else {
        panic!("outside Indonesia is refused");
    };
    assert!(errors.for_field("location").is_some());
    let mut jakarta = report(&w, "", "Teks");
    (jakarta.lat, jakarta.lon) = ("-6.2", "106.8");
    let Err(StoreError::Invalid(errors)) = complaints::file_report(&db, &vault, &jakarta, monday()).await else {
        panic!("outside the government's area is refused");
    };
    assert_eq!(errors.for_field("location"), Some(&balai_domain::validation::Rule::OutsideArea { area: "government" }));
    assert_eq!(audit_size(&db).await, before, "nothing was written");
    let (count,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM complaints")).await.unwrap();
    assert_eq!(count, 0);
}

async fn the_same_key_returns_the_same_report_and_another_body_is_refused(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let first = complaints::file_report(&db, &vault, &report(&w, "kunci-1", "Teks yang sama"), monday()).await.unwrap();
    let again = complaints::file_report(&db, &vault, &report(&w, "kunci-1", "Teks yang sama"), monday()).await.unwrap();
    assert_eq!(again.case_id, first.case_id);
    assert!(again.replayed && again.secret.is_none(), "a replay does not reveal the secret again");
    let other = complaints::file_report(&db, &vault, &report(&w, "kunci-1", "Teks lain"), monday()).await;
    assert!(matches!(other, Err(StoreError::IdempotencyConflict)));
}

async fn officers_act_only_where_they_may_and_the_flow_refuses_the_rest(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let filed = complaints::file_report(&db, &vault, &report(&w, "", "Teks"), monday()).await.unwrap();
    let before = audit_size(&db).await;
    // The agency's unit may not verify at the desk; the desk may not answer for the agency.
    let refused =
        act(&db, w.agency_officer, filed.case_id, ComplaintEvent::Verify, &Instruction::default(), monday()).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let early = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Answer, &reason("x"), monday()).await;
    assert!(matches!(early, Err(StoreError::Forbidden) | Err(StoreError::ComplaintFlow(_))), "{early:?}");
    let by_admin = act(&db, w.admin, filed.case_id, ComplaintEvent::Verify, &Instruction::default(), monday()).await;
    assert!(matches!(by_admin, Err(StoreError::Forbidden)), "an admin does not work cases");
    // Reporters' and the system's events are not an officer's to cause.
    let accept =
        act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Accept, &Instruction::default(), monday()).await;
    assert!(matches!(accept, Err(StoreError::Forbidden)));
    assert_eq!(audit_size(&db).await, before, "refusals write nothing");

    let dispose = Instruction { to_unit_id: Some(w.f.records.id), ..Instruction::default() };
    let not_yet = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Dispose, &dispose, monday()).await;
    assert!(matches!(not_yet, Err(StoreError::ComplaintFlow(_))), "verify first: {not_yet:?}");
    let hold = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Hold, &Instruction::default(), monday()).await;
    assert!(matches!(hold, Err(StoreError::Invalid(ref e)) if e.for_field("reason").is_some()));
    let held = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Hold, &reason("Lokasi kurang jelas."), monday())
        .await
        .unwrap();
    assert_eq!(held.status, "on_hold");
    let stale = Instruction { expected_version: Some(held.version - 1), ..Instruction::default() };
    let raced = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Resume, &stale, monday()).await;
    assert!(matches!(raced, Err(StoreError::StaleVersion { .. })));
    // On hold Monday to Wednesday: the verification deadline moves by the two working days it waited.
    let resumed = act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Resume, &Instruction::default(), at(9, 9))
        .await
        .unwrap();
    assert_eq!(resumed.due_at, Some(at(15, 0)));
    let closed = act(
        &db,
        w.desk_officer,
        filed.case_id,
        ComplaintEvent::CloseUnresolved,
        &reason("Pelapor tidak dapat dihubungi."),
        at(9, 10),
    )
    .await
    .unwrap();
    assert_eq!(closed.status, "unresolved");
    let after =
        act(&db, w.desk_officer, filed.case_id, ComplaintEvent::Verify, &Instruction::default(), at(9, 11)).await;
    assert!(matches!(after, Err(StoreError::ComplaintFlow(balai_domain::cases::TransitionError::Closed { .. }))));
}

async fn anonymous_and_confidential_reports_keep_their_secrets(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let citizen = {
        let mut tx = db.begin().await.unwrap();
        let nik =
            balai_domain::nik::Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
        let new = balai_store::identity::citizens::NewCitizen { full_name: "Maria".into(), ..Default::default() };
        let id = balai_store::identity::citizens::create_citizen(&mut tx, &Actor::system("test"), &vault, &nik, &new)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let text =
        "Petugas meminta uang Rp500.000; hubungi saya di 0812-3456-7890 atau maria@contoh.id, NIK 5371045203900003.";
    let mut anonymous = report(&w, "", text);
    anonymous.reporter = Reporter::Citizen(citizen);
    anonymous.anonymous = true;
    let filed = complaints::file_report(&db, &vault, &anonymous, monday()).await.unwrap();
    let case = balai_store::cases::case(&db, filed.case_id).await.unwrap().unwrap();
    assert_eq!(case.citizen_id, None, "an anonymous report keeps no citizen on its case");
    let public = complaints::public_report(&db, filed.tracking_number.as_str()).await.unwrap().unwrap();
    assert!(public.text.contains("Rp500.000"), "amounts stay: {}", public.text);
    for leak in ["0812", "maria@contoh.id", "5371045203900003"] {
        assert!(!public.text.contains(leak), "{leak} is redacted: {}", public.text);
    }
    let officer_view = complaints::case_for_officer(&db, w.desk_officer, filed.case_id).await.unwrap();
    assert!(officer_view.anonymous && officer_view.case.citizen_id.is_none());
    let mine = complaints::reports_of_citizen(&db, &vault, citizen).await.unwrap();
    assert_eq!(mine.len(), 1, "the reporter still finds their anonymous report");
    let key = ReporterKey::Citizen { citizen_id: citizen, case_id: filed.case_id };
    complaints::reporter_view(&db, &vault, &key).await.unwrap();

    let mut secret_report = report(&w, "", "Rahasia");
    secret_report.confidential = true;
    let confidential = complaints::file_report(&db, &vault, &secret_report, monday()).await.unwrap();
    assert!(complaints::public_report(&db, confidential.tracking_number.as_str()).await.unwrap().is_none());
    let list = complaints::public_list(&db, w.f.government.id, &Default::default(), 50).await.unwrap();
    assert!(list.iter().all(|l| l.case_id != confidential.case_id), "rahasia never reaches the public list");
    let (plain,): (Option<String>,) = db
        .fetch_one(query("SELECT public_text FROM complaints WHERE case_id = $1").bind(confidential.case_id))
        .await
        .unwrap();
    assert_eq!(plain, None, "no public copy is even kept");
}

async fn a_wrong_secret_is_answered_like_an_unknown_number(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let filed = complaints::file_report(&db, &vault, &report(&w, "", "Teks"), monday()).await.unwrap();
    let wrong =
        ReporterKey::Secret { tracking_number: filed.tracking_number.as_str(), secret: "AAAAA-AAAAA-AAAAA-AAAAA" };
    let unknown = ReporterKey::Secret { tracking_number: "K7QX-4M9P-2", secret: "AAAAA-AAAAA-AAAAA-AAAAA" };
    assert!(matches!(complaints::reporter_view(&db, &vault, &wrong).await, Err(StoreError::NotFound)));
    assert!(matches!(complaints::reporter_view(&db, &vault, &unknown).await, Err(StoreError::NotFound)));
    let secret = filed.secret.unwrap();
    let spaced = secret.to_lowercase().replace('-', " ");
    let right = ReporterKey::Secret { tracking_number: filed.tracking_number.as_str(), secret: &spaced };
    complaints::reporter_view(&db, &vault, &right).await.unwrap();
}

async fn a_duplicate_is_merged_and_its_supporters_join_the_other_report(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let first =
        complaints::file_report(&db, &vault, &report(&w, "", "Lubang di Jl. Frans Seda"), monday()).await.unwrap();
    let second = complaints::file_report(&db, &vault, &report(&w, "", "Lubang lagi"), monday()).await.unwrap();
    assert_eq!(complaints::support(&db, second.case_id, "browser:a", monday()).await.unwrap(), 1);
    assert_eq!(complaints::support(&db, second.case_id, "browser:a", monday()).await.unwrap(), 1, "once per supporter");
    complaints::support(&db, first.case_id, "browser:b", monday()).await.unwrap();
    let unknown = Instruction { duplicate_of: Some("K7QX-4M9P-2"), ..Instruction::default() };
    let refused = act(&db, w.desk_officer, second.case_id, ComplaintEvent::MarkDuplicate, &unknown, monday()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(ref e)) if e.for_field("duplicate_of").is_some()));
    let merge = Instruction { duplicate_of: Some(first.tracking_number.as_str()), ..Instruction::default() };
    let merged =
        act(&db, w.desk_officer, second.case_id, ComplaintEvent::MarkDuplicate, &merge, monday()).await.unwrap();
    assert_eq!(merged.status, "duplicate");
    let public = complaints::public_report(&db, second.tracking_number.as_str()).await.unwrap().unwrap();
    assert_eq!(public.duplicate_of.as_deref(), Some(first.tracking_number.as_str()));
    let other = complaints::public_report(&db, first.tracking_number.as_str()).await.unwrap().unwrap();
    assert_eq!(other.line.supporters, 2, "the duplicate's supporter now supports the other report");
}

async fn the_rules_are_versioned_and_a_report_keeps_the_version_it_came_under(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let before = complaints::file_report(&db, &vault, &report(&w, "", "Sebelum revisi"), monday()).await.unwrap();
    let revised = RulesEdit {
        deadlines: DeadlineRules { verify_days: 5, ..DeadlineRules::DEFAULT },
        desk_unit_id: w.f.front_desk.id,
        area: None,
        similar_radius_m: 300,
        similar_days: 14,
        note: "Revisi 2025",
    };
    let refused =
        complaints::rules::publish_as_officer(&db, w.desk_officer, w.f.government.id, &revised, monday()).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "only an admin sets the rules");
    let bad = RulesEdit { deadlines: DeadlineRules { ordinary_days: 0, ..DeadlineRules::DEFAULT }, ..revised.clone() };
    let invalid = complaints::rules::publish_as_officer(&db, w.admin, w.f.government.id, &bad, monday()).await;
    assert!(matches!(invalid, Err(StoreError::Invalid(ref e)) if e.for_field("ordinary_days").is_some()));
    let v2 = complaints::rules::publish_as_officer(&db, w.admin, w.f.government.id, &revised, monday()).await.unwrap();
    assert_eq!(v2.version, 2);
    let after = complaints::file_report(&db, &vault, &report(&w, "", "Sesudah revisi"), monday()).await.unwrap();
    assert_eq!(before.due_at, Some(at(11, 0)), "three working days under version 1");
    assert_eq!(after.due_at, Some(at(15, 0)), "five under version 2");
    let view = complaints::case_for_officer(&db, w.desk_officer, before.case_id).await.unwrap();
    assert_eq!(view.rules_version, 1, "the report keeps the rules it came under");
    assert_eq!(complaints::rules::history(&db, w.f.government.id).await.unwrap().len(), 2);
}

async fn the_public_list_pages_by_id_and_finds_similar_reports_nearby(db: Db) {
    let w = world(&db).await;
    let vault = vault();
    let mut ids = Vec::new();
    for i in 0..5 {
        let text = format!("Laporan {i}");
        let mut r = report(&w, "", &text);
        // 0.0005° of latitude is about 55 m: the first three are near each other, the rest 1 km apart.
        let lat = format!("{:.4}", -10.1772 + if i < 3 { 0.0005 * f64::from(i) } else { 0.01 * f64::from(i) });
        r.lat = &lat;
        ids.push(complaints::file_report(&db, &vault, &r, monday()).await.unwrap().case_id);
    }
    let page1 = complaints::public_list(&db, w.f.government.id, &Default::default(), 2).await.unwrap();
    assert_eq!(page1.iter().map(|l| l.case_id).collect::<Vec<_>>(), vec![ids[4], ids[3]]);
    let next = complaints::PublicFilter { before: Some(page1[1].case_id), ..Default::default() };
    let page2 = complaints::public_list(&db, w.f.government.id, &next, 2).await.unwrap();
    assert_eq!(page2.iter().map(|l| l.case_id).collect::<Vec<_>>(), vec![ids[2], ids[1]]);
    let point = balai_domain::complaints::GeoPoint { lat: -10.1772, lon: 123.6070 };
    let similar = complaints::similar_open(&db, w.f.government.id, "JALAN-RUSAK", point, monday()).await.unwrap();
    assert_eq!(
        similar.iter().map(|(l, _)| l.case_id).collect::<Vec<_>>(),
        vec![ids[0], ids[1], ids[2]],
        "nearest first, within 200 m"
    );
    assert!(
        complaints::similar_open(&db, w.f.government.id, "SAMPAH", point, monday()).await.unwrap().is_empty(),
        "same category only"
    );
    let later = monday() + chrono::Duration::days(31);
    assert!(
        complaints::similar_open(&db, w.f.government.id, "JALAN-RUSAK", point, later).await.unwrap().is_empty(),
        "within the window only"
    );
}
