//! SKM: a completed application or a closed report invites its citizen once; the link keeps exactly
//! one response; the kiosk records once per key and only where the officer may; an import writes
//! every row or none; the day sums always equal the responses they add up.

use crate::support::{Fixture, birth_certificate, fixture};
use balai_domain::Lang;
use balai_domain::applications::ApplicationEvent;
use balai_domain::calendar::{Holiday, HolidayKind};
use balai_domain::complaints::ComplaintEvent;
use balai_domain::identity::Role;
use balai_domain::nik::Nik;
use balai_domain::org::Place;
use balai_domain::surveys::{Period, Response, ResponseFields};
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource, Instruction, IssuedDocument};
use balai_store::audit::{self, Actor};
use balai_store::complaints::{self, Reporter};
use balai_store::identity::Vault;
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::surveys::{self, LinkRefused, Scope};
use balai_store::{Db, StoreError, calendar, catalogue, dynamic_query, notify, query};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

crate::conformance!(
    a_completed_application_invites_its_citizen_once_and_the_link_keeps_one_response,
    an_expired_or_unknown_link_writes_nothing,
    a_report_closed_unresolved_invites_a_reporter_with_a_contact_and_no_one_else,
    the_kiosk_records_once_per_key_and_a_refused_officer_writes_nothing,
    an_import_writes_every_row_or_none_and_the_day_sums_equal_the_responses,
);

fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

/// `hour` WITA on `day` December 2026.
fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap() - Duration::hours(8)
}

fn answers(scores: [&str; 9], suggestion: &str) -> Response {
    ResponseFields {
        scores: scores.map(Some),
        sex: Some("P"),
        age: Some("34"),
        education: Some("s1"),
        occupation: Some("swasta"),
        suggestion: Some(suggestion),
    }
    .validate()
    .expect("valid answers")
}

struct World {
    f: Fixture,
    service_id: i64,
    citizen: i64,
    kk_on_file: i64,
    front_desk_officer: i64,
    records_officer: i64,
    verifier: i64,
    auditor: i64,
}

async fn world(db: &Db) -> World {
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
    let standard = birth_certificate(f.front_desk.id, f.records.id);
    let service_id =
        catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &actor).await.unwrap();
    let nik = Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let new = NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        email: Some("maria@contoh.id".into()),
        ..NewCitizen::default()
    };
    let citizen = citizens::create_citizen(&mut tx, &actor, &vault, &nik, &new).await.unwrap();
    let kk = HeldDocument {
        doc_type: "kk".into(),
        number: Some("5371010101010001".into()),
        issuer: "Disdukcapil".into(),
        issued_on: None,
    };
    citizens::hold_document(&mut tx, &actor, &vault, citizen, &kk).await.unwrap();
    let (kk_on_file,): (i64,) = tx
        .fetch_one(query("SELECT id FROM citizen_documents WHERE citizen_id = $1 AND doc_type = 'kk'").bind(citizen))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (role, unit, name) in [
        (Role::Officer, Some(f.front_desk.id), "loket"),
        (Role::Officer, Some(f.records.id), "arsip"),
        (Role::Verifier, None, "verifikator"),
        (Role::Auditor, None, "auditor"),
    ] {
        let created = officers::create_officer(
            &mut tx,
            &actor,
            &NewOfficer {
                government_id: Some(f.government.id),
                agency_id: role.is_agency_bound().then_some(f.agency.id),
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
    tx.commit().await.unwrap();
    World {
        f,
        service_id,
        citizen,
        kk_on_file,
        front_desk_officer: ids[0],
        records_officer: ids[1],
        verifier: ids[2],
        auditor: ids[3],
    }
}

/// Submits, verifies and completes an application; returns its case id.
async fn completed(db: &Db, w: &World, key: &str) -> i64 {
    let vault = vault();
    let fields = serde_json::Map::new();
    let key_name = format!("uploads/{}/{key}", w.f.government.id);
    let upload =
        applications::record_upload(db, w.citizen, w.f.government.id, &key_name, "image/jpeg", 1234, "ab", at(7, 8))
            .await
            .unwrap()
            .id;
    let documents = [
        DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(upload) },
        DocumentChoice { code: "kk".into(), source: DocumentSource::OnFile(w.kk_on_file) },
    ];
    let application = Application {
        government_id: w.f.government.id,
        service_code: "AKTA-LAHIR",
        fields: &fields,
        documents: &documents,
        idempotency_key: key,
        lang: Lang::Id,
    };
    let submitted = applications::submit(db, &vault, w.citizen, &application, at(7, 9)).await.unwrap();
    let case_id = submitted.case_id;
    applications::act_as_officer(
        db,
        &vault,
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Verify,
        &Instruction::default(),
        at(7, 10),
    )
    .await
    .unwrap();
    let document = IssuedDocument {
        id: format!("doc-{key}"),
        number: format!("AKTA/{key}/2026"),
        product: "Kutipan akta kelahiran".into(),
        issuer: "Disdukcapil".into(),
        issued_on: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
        doc_type: format!("akta_{key}"),
        sha256: "00".repeat(32),
        signature: "sig".into(),
        object_key: "documents/x".into(),
    };
    applications::act_as_officer(
        db,
        &vault,
        w.records_officer,
        case_id,
        ApplicationEvent::Complete,
        &Instruction { issued: Some(&document), ..Instruction::default() },
        at(8, 11),
    )
    .await
    .unwrap();
    case_id
}

/// The invitations in the outbox: (recipient, token read off the link in the body).
async fn invitations(db: &Db) -> Vec<(String, String)> {
    let messages = notify::recent(db, &vault(), 100).await.unwrap();
    messages
        .into_iter()
        .filter(|m| m.template == "survey-invitation")
        .map(|m| {
            let at = m.body.find("/survei/").expect("the body carries the link") + "/survei/".len();
            (m.recipient.clone(), m.body[at..at + 43].to_owned())
        })
        .collect()
}

async fn count(db: &Db, table: &str) -> i64 {
    let (n,): (i64,) = db.fetch_one(dynamic_query(format!("SELECT COUNT(*) FROM {table}"))).await.unwrap();
    n
}

async fn a_completed_application_invites_its_citizen_once_and_the_link_keeps_one_response(db: Db) {
    let w = world(&db).await;
    let case_id = completed(&db, &w, "a1").await;
    let sent = invitations(&db).await;
    assert_eq!(sent.len(), 1, "one invitation, with the completion");
    let (recipient, token) = &sent[0];
    assert_eq!(recipient, "maria@contoh.id", "to the contact on record");

    let shown = surveys::invitation(&db, token, at(9, 8)).await.unwrap().expect("the link opens");
    assert_eq!(shown.unit, "Subseksi Arsip", "the unit that delivered the service");
    assert!(shown.service.is_some());

    let first = answers(["4", "3", "3", "4", "3", "4", "4", "3", "2"], "Ruang tunggu panas; hubungi 081234567890");
    let id = surveys::respond_by_invitation(&db, token, &first, at(9, 9)).await.unwrap().expect("recorded");
    let again = answers(["1"; 9], "");
    assert_eq!(
        surveys::respond_by_invitation(&db, token, &again, at(9, 10)).await.unwrap(),
        Err(LinkRefused::AlreadyAnswered)
    );
    assert_eq!(surveys::invitation(&db, token, at(9, 10)).await.unwrap(), Err(LinkRefused::AlreadyAnswered));
    assert_eq!(count(&db, "survey_responses").await, 1, "the first response is the one kept");
    let (u1, channel, kept_case, suggestion): (i64, String, Option<i64>, String) = db
        .fetch_one(query("SELECT u1, channel, case_id, suggestion FROM survey_responses WHERE id = $1").bind(id))
        .await
        .unwrap();
    assert_eq!((u1, channel.as_str(), kept_case), (4, "link", Some(case_id)));
    assert!(!suggestion.contains("081234567890"), "a phone number in a suggestion is masked: {suggestion}");

    // The service was delivered once this quarter and answered once: the sample is met.
    let period = Period::parse("2026-Q4").unwrap();
    let scope = Scope { government_id: w.f.government.id, agency_id: w.f.agency.id, unit_id: None, service_id: None };
    let results = surveys::results(&db, scope, period).await.unwrap();
    assert_eq!(results.tally.respondents, 1);
    assert_eq!(results.population, 1);
    assert!(results.sample_met());
    let index = results.tally.index(Default::default()).unwrap();
    // (4+3+3+4+3+4+4+3+2) = 30 → 30/9 × 25 = 83,33: grade B.
    assert_eq!(index.ikm.display(Lang::Id), "83,33");
    let breakdown = surveys::breakdown(&db, w.f.government.id, w.f.agency.id, period).await.unwrap();
    assert_eq!(breakdown.units.len(), 1);
    assert_eq!(breakdown.units[0].id, Some(w.f.records.id));
    assert_eq!(breakdown.services[0].id, Some(w.service_id));
    assert_eq!(breakdown.services[0].results.population, 1);
    let earlier = surveys::results(&db, scope, Period::parse("2026-Q3").unwrap()).await.unwrap();
    assert_eq!((earlier.tally.respondents, earlier.population), (0, 0), "another quarter is empty");

    let verified = audit::verify(&db, &[]).await.unwrap();
    assert!(verified.is_ok(), "the log vouches for the response: {:?}", verified.err());
}

async fn an_expired_or_unknown_link_writes_nothing(db: Db) {
    let w = world(&db).await;
    completed(&db, &w, "a2").await;
    let (_, token) = invitations(&db).await.remove(0);
    let before = audit::size(&db).await.unwrap();
    let response = answers(["3"; 9], "");
    let late = at(8, 11) + Duration::days(surveys::INVITATION_DAYS) + Duration::seconds(1);
    assert_eq!(surveys::respond_by_invitation(&db, &token, &response, late).await.unwrap(), Err(LinkRefused::Expired));
    assert_eq!(surveys::invitation(&db, &token, late).await.unwrap(), Err(LinkRefused::Expired));
    let unknown = "A".repeat(43);
    for bad in [unknown.as_str(), "bukan-token", ""] {
        assert_eq!(
            surveys::respond_by_invitation(&db, bad, &response, at(9, 9)).await.unwrap(),
            Err(LinkRefused::NotFound),
            "{bad:?}"
        );
    }
    assert_eq!(count(&db, "survey_responses").await, 0);
    assert_eq!(count(&db, "survey_tallies").await, 0);
    assert_eq!(audit::size(&db).await.unwrap(), before, "no leaf either");
}

async fn a_report_closed_unresolved_invites_a_reporter_with_a_contact_and_no_one_else(db: Db) {
    let w = crate::complaints::world(&db).await;
    let vault = crate::complaints::vault();
    let with_contact = crate::complaints::report(&w, "r1", "Lampu jalan padam.");
    let mut without = crate::complaints::report(&w, "r2", "Sampah menumpuk.");
    without.reporter = Reporter::Guest { name: "", email: "", phone: "" };
    for new in [&with_contact, &without] {
        let filed = complaints::file_report(&db, &vault, new, crate::complaints::monday()).await.unwrap();
        let case_id = filed.case_id;
        let verify = complaints::Instruction::default();
        let now = crate::complaints::monday();
        complaints::act_as_officer(&db, &vault, w.desk_officer, case_id, ComplaintEvent::Verify, &verify, now)
            .await
            .unwrap();
        let close = complaints::Instruction { reason: "Di luar jangkauan kami.", ..Default::default() };
        let closed = complaints::act_as_officer(
            &db,
            &vault,
            w.desk_officer,
            case_id,
            ComplaintEvent::CloseUnresolved,
            &close,
            now,
        )
        .await
        .unwrap();
        assert_eq!(closed.status, "unresolved");
    }
    let sent = invitations(&db).await;
    assert_eq!(sent.len(), 1, "only the reporter who left an address is invited");
    assert_eq!(sent[0].0, "pelapor@contoh.id");
    let response = answers(["2"; 9], "");
    surveys::respond_by_invitation(&db, &sent[0].1, &response, crate::complaints::monday()).await.unwrap().unwrap();
    let (service,): (Option<i64>,) = db.fetch_one(query("SELECT service_id FROM survey_responses")).await.unwrap();
    assert_eq!(service, None, "a report is about no service");
}

async fn the_kiosk_records_once_per_key_and_a_refused_officer_writes_nothing(db: Db) {
    let w = world(&db).await;
    let g = w.f.government.id;
    let front_desk = Place::unit(g, w.f.agency.id, w.f.front_desk.id);
    let response = answers(["4"; 9], "Pelayanan cepat");
    let tap = surveys::respond_at_kiosk_as_officer(
        &db,
        w.front_desk_officer,
        front_desk,
        Some(w.service_id),
        &response,
        "k-1",
        at(9, 9),
    )
    .await
    .unwrap();
    assert!(!tap.replayed);
    let double = surveys::respond_at_kiosk_as_officer(
        &db,
        w.front_desk_officer,
        front_desk,
        Some(w.service_id),
        &response,
        "k-1",
        at(9, 9),
    )
    .await
    .unwrap();
    assert_eq!((double.response_id, double.replayed), (tap.response_id, true), "a double tap records once");
    assert_eq!(count(&db, "survey_responses").await, 1);

    let before = audit::size(&db).await.unwrap();
    for officer in [w.records_officer, w.auditor] {
        let refused =
            surveys::respond_at_kiosk_as_officer(&db, officer, front_desk, None, &response, "k-2", at(9, 9)).await;
        assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    }
    let no_unit = Place::agency(g, w.f.agency.id);
    let refused =
        surveys::respond_at_kiosk_as_officer(&db, w.verifier, no_unit, None, &response, "k-3", at(9, 9)).await;
    assert!(matches!(refused, Err(StoreError::Invalid(ref e)) if e.for_field("unit").is_some()), "{refused:?}");
    assert_eq!(count(&db, "survey_responses").await, 1, "refusals write nothing");
    assert_eq!(audit::size(&db).await.unwrap(), before);

    // A verifier works the whole agency: the records unit's kiosk too.
    let records = Place::unit(g, w.f.agency.id, w.f.records.id);
    surveys::respond_at_kiosk_as_officer(&db, w.verifier, records, None, &response, "k-4", at(9, 9)).await.unwrap();
    let (actor_leaves,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM survey_responses WHERE channel = 'kiosk'")).await.unwrap();
    assert_eq!(actor_leaves, 2);
}

async fn an_import_writes_every_row_or_none_and_the_day_sums_equal_the_responses(db: Db) {
    let w = world(&db).await;
    let g = w.f.government.id;
    let records = Place::unit(g, w.f.agency.id, w.f.records.id);
    let rows = vec![
        answers(["4", "4", "3", "4", "3", "3", "4", "4", "3"], ""),
        answers(["3", "3", "3", "3", "3", "3", "3", "3", "3"], "Tambah kursi"),
        answers(["2", "3", "2", "4", "3", "3", "3", "2", "2"], ""),
    ];
    let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let tomorrow = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    let before = audit::size(&db).await.unwrap();
    let refused =
        surveys::import_as_officer(&db, w.records_officer, records, Some(w.service_id), &rows, tomorrow, at(9, 9))
            .await;
    assert!(matches!(refused, Err(StoreError::Invalid(ref e)) if e.for_field("answered_on").is_some()), "{refused:?}");
    let elsewhere = Place::unit(g, w.f.agency.id, w.f.front_desk.id);
    let refused = surveys::import_as_officer(&db, w.records_officer, elsewhere, None, &rows, day, at(9, 9)).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    assert_eq!(count(&db, "survey_responses").await, 0, "nothing of a refused import is kept");
    assert_eq!(audit::size(&db).await.unwrap(), before);

    let written = surveys::import_as_officer(&db, w.records_officer, records, Some(w.service_id), &rows, day, at(9, 9))
        .await
        .unwrap();
    assert_eq!(written, 3);
    surveys::respond_at_kiosk_as_officer(&db, w.front_desk_officer, elsewhere, None, &rows[0], "k", at(9, 9))
        .await
        .unwrap();

    // The day sums add up to exactly what the responses hold, per unit, service and day.
    let from_responses: Vec<(i64, i64, String, i64, i64, i64)> = db
        .fetch_all(query(
            "SELECT unit_id, COALESCE(service_id, 0), CAST(answered_on AS TEXT), COUNT(*), \
             CAST(SUM(u1) AS BIGINT), CAST(SUM(u9) AS BIGINT) FROM survey_responses \
             GROUP BY unit_id, COALESCE(service_id, 0), CAST(answered_on AS TEXT) ORDER BY 1, 2, 3",
        ))
        .await
        .unwrap();
    let from_tallies: Vec<(i64, i64, String, i64, i64, i64)> = db
        .fetch_all(query(
            "SELECT unit_id, service_id, CAST(day AS TEXT), respondents, sum_u1, sum_u9 FROM survey_tallies \
             ORDER BY 1, 2, 3",
        ))
        .await
        .unwrap();
    assert_eq!(from_tallies, from_responses);
    assert_eq!(from_tallies.len(), 2);

    let q4 = Period::parse("2026-Q4").unwrap();
    let breakdown = surveys::breakdown(&db, g, w.f.agency.id, q4).await.unwrap();
    assert_eq!(breakdown.whole.tally.respondents, 4);
    let records_part = breakdown.units.iter().find(|u| u.id == Some(w.f.records.id)).unwrap();
    assert_eq!(records_part.results.tally.respondents, 3);
    assert_eq!(records_part.results.tally.sum(balai_domain::surveys::Element::U1), 9);
    let general = breakdown.services.iter().find(|s| s.id.is_none()).expect("the kiosk's general answers");
    assert_eq!(general.results.tally.respondents, 1);
    let unit_only =
        Scope { government_id: g, agency_id: w.f.agency.id, unit_id: Some(w.f.records.id), service_id: None };
    assert_eq!(surveys::results(&db, unit_only, q4).await.unwrap().tally.respondents, 3);
    // Who answered, counted per profile question (every test row said "P", "34", "s1", "swasta").
    let profile = surveys::profile_counts(&db, unit_only, q4).await.unwrap();
    assert_eq!(profile.sex, [(Some("P".to_owned()), 3)]);
    assert_eq!(profile.age_band, [(Some("30-39".to_owned()), 3)]);
    // Each row may carry its own day; one outside 2000..today refuses the whole file.
    let r = &rows[0];
    let dated =
        [(r, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()), (r, NaiveDate::from_ymd_opt(1999, 12, 31).unwrap())];
    let refused = surveys::import_dated_as_officer(&db, w.records_officer, records, None, &dated, at(9, 9)).await;
    assert!(matches!(refused, Err(StoreError::Invalid(ref e)) if e.for_field("answered_on").is_some()), "{refused:?}");
    assert_eq!(count(&db, "survey_responses").await, 4);
    let verified = audit::verify(&db, &[]).await.unwrap();
    assert!(verified.is_ok(), "{:?}", verified.err());
}
