use balai_store::catalogue::{self, ServiceFilter};
use balai_store::org;
use balai_store::{Db, Paging, calendar, seed};
use chrono::NaiveDate;

crate::conformance!(
    the_demo_seeds_two_governments_once,
    the_demo_applications_show_every_state_and_the_officer_a_queue_due_first
);

async fn the_demo_seeds_two_governments_once(db: Db) {
    assert!(seed::seed_demo(&db).await.unwrap(), "first run seeds");
    assert!(!seed::seed_demo(&db).await.unwrap(), "second run reuses the data");

    let governments = org::governments(&db).await.unwrap();
    let codes: Vec<&str> = governments.iter().map(|g| g.region_code.as_str()).collect();
    assert_eq!(codes, vec!["53", "53.71"]);

    let city = org::agencies(&db, Some("53.71"), Paging::new(1, 100)).await.unwrap();
    assert!(city.total >= 10, "the city has at least 10 agencies, got {}", city.total);
    let services = ServiceFilter { region_code: Some("53.71".into()), ..Default::default() };
    let total = catalogue::search_services(&db, &services, Paging::default()).await.unwrap().total;
    assert!(total >= 40, "the city has at least 40 services, got {total}");

    let birth = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!((birth.standard.fee.0, birth.standard.sla_days), (0, 5));
    assert!(!birth.standard.requirements.is_empty());

    // Idul Fitri 2025 is in the seeded calendar of both governments.
    for g in &governments {
        let cal = calendar::working_calendar(&db, g.id).await.unwrap();
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(cal.add_working_days(d("2025-03-27"), 1).unwrap(), d("2025-04-08"));
    }
}

async fn the_demo_applications_show_every_state_and_the_officer_a_queue_due_first(db: Db) {
    use balai_domain::applications::ApplicationStatus;
    use balai_domain::identity::Role;
    use balai_store::applications::{self, QueueFilter};
    use balai_store::audit::Actor;
    use balai_store::identity::{self, NewOfficer, Vault};
    use balai_store::query;
    use chrono::Utc;

    let vault = Vault::from_master(&[7; 32]);
    assert!(seed::seed_demo(&db).await.unwrap());
    assert!(seed::seed_demo_citizens(&db, &vault).await.unwrap());
    let government = org::government_by_region(&db, "53.71").await.unwrap();
    let agency = org::agencies(&db, Some("53.71"), Paging::new(1, 100))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.code == "disdukcapil")
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let officer = identity::create_officer(
        &mut tx,
        &Actor::system("test"),
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
    let now = Utc::now();
    let started = std::time::Instant::now();
    assert!(seed::seed_demo_cases(&db, &vault, officer, &crate::support::FakeIssuer, now).await.unwrap());
    eprintln!("the demo applications were seeded in {} ms", started.elapsed().as_millis());
    assert!(!seed::seed_demo_cases(&db, &vault, officer, &crate::support::FakeIssuer, now).await.unwrap(), "once");

    let (applications_count,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM applications")).await.unwrap();
    assert!(applications_count > seed::DEMO_APPLICATIONS as i64, "{applications_count} applications");
    let statuses: Vec<(String, i64)> = db
        .fetch_all(query(
            "SELECT status, COUNT(*) FROM cases WHERE kind = 'application' GROUP BY status ORDER BY status",
        ))
        .await
        .unwrap();
    let (late_steps,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM case_steps WHERE breached_at IS NOT NULL")).await.unwrap();
    eprintln!("seeded applications by status: {statuses:?}; late steps: {late_steps}");
    for status in ApplicationStatus::ALL {
        let n = statuses.iter().find(|(s, _)| s == status.code()).map_or(0, |(_, n)| *n);
        assert!(n > 0, "no application is {}: {statuses:?}", status.code());
    }
    // Late steps are marked, with their event, at the moment they fell due.
    let (late,): (i64,) = db
        .fetch_one(query(
            "SELECT COUNT(*) FROM case_steps st JOIN case_events e ON e.case_id = st.case_id AND e.event = 'breach' \
             AND e.at = st.breached_at WHERE st.breached_at IS NOT NULL AND st.breached_at = st.due_at",
        ))
        .await
        .unwrap();
    assert!(late > 0, "some steps are late");
    let (unmarked,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM case_steps WHERE breached_at IS NULL AND done_at IS NULL AND due_at < $1 AND case_id IN (SELECT id FROM cases WHERE closed_at IS NULL AND paused_since IS NULL)").bind(now)).await.unwrap();
    assert_eq!(unmarked, 0, "every open step past its deadline is marked late");
    assert!(applications::overdue_steps(&db, now, 10).await.unwrap().is_empty());
    // Every completed application has its document, and nothing else has one.
    let (completed, documented): (i64, i64) = db
        .fetch_one(query(
            "SELECT COUNT(*), COUNT(d.id) FROM cases c LEFT JOIN issued_documents d ON d.case_id = c.id \
             WHERE c.status = 'completed'",
        ))
        .await
        .unwrap();
    assert!(completed > 0 && completed == documented, "{completed} completed, {documented} with a document");
    let (issued,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM issued_documents")).await.unwrap();
    assert_eq!(issued, completed);
    // Nothing happened after `now`, and each case's history runs forward in time.
    let (future,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM case_events WHERE at > $1").bind(now)).await.unwrap();
    assert_eq!(future, 0);
    let (backwards,): (i64,) = db
        .fetch_one(query(
            "SELECT COUNT(*) FROM case_events a JOIN case_events b ON a.case_id = b.case_id AND b.id > a.id \
             WHERE b.at < a.at",
        ))
        .await
        .unwrap();
    assert_eq!(backwards, 0, "a case's events are in time order");
    // Rejections say why.
    let (silent,): (i64,) =
        db.fetch_one(query("SELECT COUNT(*) FROM case_events WHERE event = 'reject' AND reason = ''")).await.unwrap();
    assert_eq!(silent, 0);

    // The demo officer's queue: Disdukcapil's open cases, what is due first on top.
    let queue = applications::queue_for_officer(&db, officer, &QueueFilter::default(), now).await.unwrap();
    assert!(queue.len() > 10, "the demo officer has work: {}", queue.len());
    assert!(queue.iter().all(|l| l.closed_at.is_none()));
    // Running cases first, nearest step deadline first; then those waiting on the citizen.
    let dues: Vec<_> =
        queue.iter().map(|l| (l.paused_since.is_some(), l.step_due_at.is_none(), l.step_due_at)).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "sorted by the step's due time: {dues:?}");
    assert!(queue.iter().any(|l| l.paused_since.is_some()) && queue[0].paused_since.is_none());
    assert!(queue.iter().any(|l| l.breached), "late cases are in the queue");
    // Maria's birth-certificate application waits at its first step, where the officer can work it.
    let maria = balai_store::identity::citizens::citizen_id_by_nik(
        &mut db.begin_read().await.unwrap(),
        &vault,
        &balai_domain::nik::Nik::parse(seed::DEMO_CITIZEN_NIK, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    let mine = applications::citizen_applications(&db, maria).await.unwrap();
    let birth = mine.iter().find(|l| l.service.contains("Akta Kelahiran")).expect("Maria's birth certificate");
    assert_eq!((birth.status(), birth.current_step), (Some(ApplicationStatus::InProgress), 0));
    assert!(queue.iter().any(|l| l.case_id == birth.case_id));
    let file = applications::case_file_for_officer(&db, &vault, officer, birth.case_id).await.unwrap();
    assert_eq!(file.fields["alamat_orang_tua"]["region"], "5371041001");
    assert!(file.allowed.contains(&balai_domain::applications::ApplicationEvent::Verify));

    // Maria can apply at once: the family-card form, her documents on file, an upload for the rest.
    let terms = applications::form_terms(&db, government.id, "KK", Some(maria)).await.unwrap();
    assert!(terms.terms.form.iter().any(|f| f.key == "alasan"), "the service has its form");
    assert!(terms.on_file.iter().any(|(code, _)| code == "kk"), "her family card is on file");
    let mut documents = Vec::new();
    for document in &terms.documents {
        let source = match terms.on_file.iter().find(|(code, _)| *code == document.code) {
            Some((_, id)) => applications::DocumentSource::OnFile(*id),
            None => {
                let key = format!("uploads/{}/{:032x}", government.id, rand::random::<u128>());
                let upload = applications::record_upload(&db, maria, government.id, &key, "image/png", 900, "aa", now)
                    .await
                    .unwrap();
                applications::DocumentSource::Upload(upload.id)
            }
        };
        documents.push(applications::DocumentChoice { code: document.code.clone(), source });
    }
    let fields = serde_json::json!({"alasan": "tambah_anggota", "nama_anggota_baru": "Kristofel Lado"});
    let submitted = applications::submit(
        &db,
        &vault,
        maria,
        &applications::Application {
            government_id: government.id,
            service_code: "KK",
            fields: fields.as_object().unwrap(),
            documents: &documents,
            idempotency_key: "maria-kk-1",
            lang: balai_domain::Lang::Id,
        },
        now,
    )
    .await
    .unwrap();
    assert_eq!(submitted.application.status, ApplicationStatus::InProgress);
}
