use crate::support::{birth_certificate, fixture, fixture_in};
use balai_domain::money::Rupiah;
use balai_domain::validation::Rule;
use balai_store::audit::Actor;
use balai_store::catalogue::{self, ServiceFilter};
use balai_store::org;
use balai_store::{Db, Paging, StoreError, query};

crate::conformance!(
    maklumat_is_updated_and_validated,
    a_new_service_is_readable_with_all_fourteen_components,
    an_invalid_service_writes_nothing_and_names_each_field,
    service_codes_are_unique_within_a_government,
    revising_a_service_creates_a_version_and_keeps_the_old_one,
    a_stale_editor_cannot_overwrite_a_newer_version,
    search_matches_every_word_in_names_and_keywords,
    search_filters_by_category_government_and_agency_and_pages,
    categories_are_counted_for_the_home_page,
    a_failed_transaction_leaves_nothing_behind,
    a_published_version_is_read_at_once_by_the_next_reader,
    an_agency_change_committed_here_shows_at_once,
    a_change_made_by_another_node_shows_within_a_second,
    reading_a_service_twice_gives_the_same_detail,
);

async fn maklumat_is_updated_and_validated(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    catalogue::update_maklumat(&mut tx, &Actor::system("test"), f.agency.id, "  Dengan ini kami sanggup.  ")
        .await
        .unwrap();
    let empty = catalogue::update_maklumat(&mut tx, &Actor::system("test"), f.agency.id, "   ").await;
    assert!(matches!(empty, Err(StoreError::Invalid(e)) if e.for_field("maklumat") == Some(&Rule::Required)));
    assert!(matches!(
        catalogue::update_maklumat(&mut tx, &Actor::system("test"), 9999, "x").await,
        Err(StoreError::NotFound)
    ));
    tx.commit().await.unwrap();
    assert_eq!(org::agency(&db, f.agency.id).await.unwrap().maklumat, "Dengan ini kami sanggup.");
}

async fn a_new_service_is_readable_with_all_fourteen_components(db: Db) {
    let f = fixture(&db).await;
    let standard = birth_certificate(f.front_desk.id, f.records.id);
    let mut tx = db.begin().await.unwrap();
    let id = catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &Actor::officer(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let detail = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!(detail.service.id, id);
    assert_eq!(detail.standard, standard, "every component round-trips exactly");
    assert_eq!(detail.step_unit_names, vec!["Seksi Loket", "Subseksi Arsip"]);
    assert_eq!(detail.version.version, 1);
    assert_eq!(detail.version.created_by, "officer:1");
    assert_eq!(detail.service.agency_name, "Dinas Kependudukan dan Pencatatan Sipil");
    assert_eq!(detail.service.category_code, "kependudukan");
    assert_eq!(Rupiah(detail.service.fee).to_string(), "Rp0");
    assert_eq!(catalogue::service_by_id(&db, id).await.unwrap().standard, standard);
    assert!(matches!(catalogue::service_by_code(&db, "53.71", "NOPE").await, Err(StoreError::NotFound)));
    assert!(matches!(catalogue::service_by_code(&db, "53", "AKTA-LAHIR").await, Err(StoreError::NotFound)));
}

async fn an_invalid_service_writes_nothing_and_names_each_field(db: Db) {
    let f = fixture(&db).await;
    let other = {
        let mut tx = db.begin().await.unwrap();
        let other = fixture_in(&mut tx, "53", "dinkes-prov").await;
        tx.commit().await.unwrap();
        other
    };
    let mut standard = birth_certificate(f.front_desk.id, other.records.id);
    standard.name = String::new();
    standard.fee = Rupiah(-1);
    let mut tx = db.begin().await.unwrap();
    let result =
        catalogue::create_service(&mut tx, &f.agency, "no-such-category", "akta lahir", &standard, &Actor::officer(1))
            .await;
    let Err(StoreError::Invalid(errors)) = result else { panic!("expected field errors, got {result:?}") };
    assert_eq!(errors.for_field("name"), Some(&Rule::Required));
    assert!(matches!(errors.for_field("fee"), Some(Rule::OutOfRange { .. })));
    assert_eq!(errors.for_field("category"), Some(&Rule::Unknown));
    assert!(matches!(errors.for_field("code"), Some(Rule::Format { .. })));
    assert_eq!(errors.for_field("steps[1].unit"), Some(&Rule::Unknown), "a unit of another agency is refused");
    drop(tx);
    let all = catalogue::search_services(&db, &ServiceFilter::default(), Paging::default()).await.unwrap();
    assert_eq!(all.total, 0);
}

async fn service_codes_are_unique_within_a_government(db: Db) {
    let f = fixture(&db).await;
    let standard = birth_certificate(f.front_desk.id, f.records.id);
    let mut tx = db.begin().await.unwrap();
    catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &Actor::officer(1))
        .await
        .unwrap();
    let again =
        catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &Actor::officer(1))
            .await;
    assert!(matches!(again, Err(StoreError::Invalid(e)) if e.for_field("code") == Some(&Rule::Duplicate)));
    // The same code in another government is fine.
    let province = fixture_in(&mut tx, "53", "disdukcapil-prov").await;
    let standard = birth_certificate(province.front_desk.id, province.records.id);
    catalogue::create_service(&mut tx, &province.agency, "kependudukan", "AKTA-LAHIR", &standard, &Actor::officer(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn revising_a_service_creates_a_version_and_keeps_the_old_one(db: Db) {
    let f = fixture(&db).await;
    let v1 = birth_certificate(f.front_desk.id, f.records.id);
    let mut tx = db.begin().await.unwrap();
    let id = catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &v1, &Actor::officer(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut v2 = v1.clone();
    v2.sla_days = 3;
    v2.steps[1].sla_days = 1;
    v2.sk_number = "470/2/2026".into();
    v2.requirements.pop();
    let mut tx = db.begin().await.unwrap();
    let version =
        catalogue::revise_service(&mut tx, id, 1, "perizinan", &v2, &Actor::officer(7), "Dipercepat").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(version, 2);

    let current = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!(current.standard, v2);
    assert_eq!(current.service.category_code, "perizinan");
    assert_eq!(current.version.change_note, "Dipercepat");
    let old = catalogue::service_version(&db, "53.71", "AKTA-LAHIR", 1).await.unwrap();
    assert_eq!(old.standard, v1, "the old version stays readable, unchanged");
    let versions = catalogue::service_versions(&db, id).await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(versions[0].created_by, "officer:7");
    assert!(matches!(catalogue::service_version(&db, "53.71", "AKTA-LAHIR", 3).await, Err(StoreError::NotFound)));
}

async fn a_stale_editor_cannot_overwrite_a_newer_version(db: Db) {
    let f = fixture(&db).await;
    let v1 = birth_certificate(f.front_desk.id, f.records.id);
    let mut tx = db.begin().await.unwrap();
    let id = catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &v1, &Actor::officer(1))
        .await
        .unwrap();
    catalogue::revise_service(&mut tx, id, 1, "kependudukan", &v1, &Actor::officer(1), "first edit").await.unwrap();
    let stale = catalogue::revise_service(&mut tx, id, 1, "kependudukan", &v1, &Actor::officer(2), "second edit").await;
    assert!(matches!(stale, Err(StoreError::StaleVersion { current: 2 })));
    let no_note = catalogue::revise_service(&mut tx, id, 2, "kependudukan", &v1, &Actor::officer(2), " ").await;
    assert!(matches!(no_note, Err(StoreError::Invalid(e)) if e.for_field("change_note") == Some(&Rule::Required)));
    tx.commit().await.unwrap();
    assert_eq!(catalogue::service_versions(&db, id).await.unwrap().len(), 2);
}

async fn create_two_services(db: &Db) -> crate::support::Fixture {
    let f = fixture(db).await;
    let mut tx = db.begin().await.unwrap();
    let birth = birth_certificate(f.front_desk.id, f.records.id);
    catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &birth, &Actor::officer(1))
        .await
        .unwrap();
    let mut permit = birth.clone();
    permit.name = "Persetujuan Bangunan Gedung (PBG)".into();
    permit.name_en = "Building approval".into();
    permit.keywords = vec!["pbg".into(), "imb".into(), "bangunan".into(), "100%_siap".into()];
    permit.fee = Rupiah(1_250_000);
    catalogue::create_service(&mut tx, &f.agency, "perizinan", "PBG", &permit, &Actor::officer(1)).await.unwrap();
    tx.commit().await.unwrap();
    f
}

async fn search_matches_every_word_in_names_and_keywords(db: Db) {
    create_two_services(&db).await;
    let search = |text: &str| {
        let filter = ServiceFilter { text: Some(text.into()), ..Default::default() };
        let db = db.clone();
        async move {
            catalogue::search_services(&db, &filter, Paging::default())
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|s| s.code)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("akta").await, vec!["AKTA-LAHIR"]);
    assert_eq!(search("AKTA Kelahiran").await, vec!["AKTA-LAHIR"], "case-insensitive, all words");
    assert_eq!(search("birth").await, vec!["AKTA-LAHIR"], "English names match too");
    assert_eq!(search("imb").await, vec!["PBG"], "keywords match");
    assert_eq!(search("akta pbg").await, Vec::<String>::new(), "every word must match");
    assert_eq!(search("100%").await, vec!["PBG"]);
    assert_eq!(search("%").await.len(), 2, "an empty word list matches everything");
    assert_eq!(search("_").await.len(), 2);
    assert_eq!(search("zzz").await, Vec::<String>::new());
}

async fn search_filters_by_category_government_and_agency_and_pages(db: Db) {
    let f = create_two_services(&db).await;
    let by_category = ServiceFilter { category_code: Some("perizinan".into()), ..Default::default() };
    let page = catalogue::search_services(&db, &by_category, Paging::default()).await.unwrap();
    assert_eq!(page.items.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(), vec!["PBG"]);
    assert_eq!(page.items[0].fee, 1_250_000);

    let by_region = ServiceFilter { region_code: Some("53".into()), ..Default::default() };
    assert_eq!(catalogue::search_services(&db, &by_region, Paging::default()).await.unwrap().total, 0);
    let by_agency = ServiceFilter { agency_id: Some(f.agency.id), ..Default::default() };
    assert_eq!(catalogue::search_services(&db, &by_agency, Paging::default()).await.unwrap().total, 2);

    let first = catalogue::search_services(&db, &ServiceFilter::default(), Paging::new(1, 1)).await.unwrap();
    let second = catalogue::search_services(&db, &ServiceFilter::default(), Paging::new(2, 1)).await.unwrap();
    assert_eq!((first.total, first.items.len(), second.items.len()), (2, 1, 1));
    assert_ne!(first.items[0].code, second.items[0].code);
    assert_eq!(first.items[0].code, "AKTA-LAHIR", "ordered by name: Penerbitan before Persetujuan");
}

async fn categories_are_counted_for_the_home_page(db: Db) {
    let f = create_two_services(&db).await;
    let counts = catalogue::category_counts(&db, None).await.unwrap();
    let pairs: Vec<(String, i64)> = counts.iter().map(|c| (c.code.clone(), c.services)).collect();
    assert_eq!(pairs, vec![("kependudukan".into(), 1), ("perizinan".into(), 1)]);
    assert_eq!(catalogue::category_counts(&db, Some("11")).await.unwrap().len(), 0);
    let list = catalogue::categories(&db, f.government.id).await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].name_en, "Civil registration");
}

async fn a_failed_transaction_leaves_nothing_behind(db: Db) {
    {
        let mut tx = db.begin().await.unwrap();
        crate::support::fixture_in(&mut tx, "53.71", "disdukcapil").await;
        // Dropped without commit.
    }
    assert!(org::governments(&db).await.unwrap().is_empty());
    assert!(org::agencies(&db, None, Paging::default()).await.unwrap().items.is_empty());
    db.ping().await.unwrap();
}

/// A service whose public reads have been made, so anything that follows meets what was kept of them.
async fn a_read_service(db: &Db) -> (crate::support::Fixture, i64) {
    let f = fixture(db).await;
    let standard = birth_certificate(f.front_desk.id, f.records.id);
    let mut tx = db.begin().await.unwrap();
    let id = catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &Actor::officer(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    catalogue::service_by_code(db, "53.71", "AKTA-LAHIR").await.unwrap();
    catalogue::published_service(db, "53.71", "AKTA-LAHIR", None).await.unwrap();
    (f, id)
}

async fn a_published_version_is_read_at_once_by_the_next_reader(db: Db) {
    let (f, id) = a_read_service(&db).await;
    let v1 = birth_certificate(f.front_desk.id, f.records.id);
    let mut v2 = v1.clone();
    v2.name = "Penerbitan Akta Kelahiran (baru)".into();
    v2.sla_days = 4;
    v2.steps[1].sla_days = 2;
    let mut tx = db.begin().await.unwrap();
    catalogue::revise_service(&mut tx, id, 1, "perizinan", &v2, &Actor::officer(7), "Dipercepat").await.unwrap();
    tx.commit().await.unwrap();

    let current = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!(current.service.current_version, 2);
    assert_eq!(current.version.version, 2);
    assert_eq!(current.standard, v2);
    assert_eq!(current.service.name, v2.name, "the summary is the new version's");
    assert_eq!(current.service.category_code, "perizinan");
    let page = catalogue::published_service(&db, "53.71", "AKTA-LAHIR", None).await.unwrap();
    assert_eq!(page.detail.version.version, 2);
    assert_eq!(page.versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    let old = catalogue::service_version(&db, "53.71", "AKTA-LAHIR", 1).await.unwrap();
    assert_eq!((old.version.version, old.service.current_version), (1, 2));
    assert_eq!(old.standard, v1);

    // A service created a moment after it was looked for in vain is found.
    assert!(matches!(catalogue::service_by_code(&db, "53.71", "KK").await, Err(StoreError::NotFound)));
    let mut tx = db.begin().await.unwrap();
    catalogue::create_service(&mut tx, &f.agency, "kependudukan", "KK", &v1, &Actor::officer(1)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(catalogue::service_by_code(&db, "53.71", "KK").await.unwrap().service.code, "KK");
}

async fn an_agency_change_committed_here_shows_at_once(db: Db) {
    let (f, _) = a_read_service(&db).await;
    // There is no rename command yet; a command that renames does what this transaction does: it
    // writes the row and records the change in the audit log, which is what tells the cache.
    let mut tx = db.begin().await.unwrap();
    tx.execute(query("UPDATE agencies SET name = $1 WHERE id = $2").bind("Dinas Dukcapil Kota").bind(f.agency.id))
        .await
        .unwrap();
    tx.execute(query("UPDATE units SET name = $1 WHERE id = $2").bind("Loket Terpadu").bind(f.front_desk.id))
        .await
        .unwrap();
    catalogue::update_maklumat(&mut tx, &Actor::officer(1), f.agency.id, "Maklumat baru").await.unwrap();
    tx.commit().await.unwrap();

    let detail = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!(detail.service.agency_name, "Dinas Dukcapil Kota");
    assert_eq!(detail.step_unit_names, vec!["Loket Terpadu", "Subseksi Arsip"]);
    let page = catalogue::published_service(&db, "53.71", "AKTA-LAHIR", None).await.unwrap();
    assert_eq!(page.detail.service.agency_name, "Dinas Dukcapil Kota");
}

async fn a_change_made_by_another_node_shows_within_a_second(db: Db) {
    let (f, _) = a_read_service(&db).await;
    // Another node's write reaches the database but not this process.
    let other_node = crate::support::another_pool(&db).await;
    other_node
        .execute(query("UPDATE agencies SET name = $1 WHERE id = $2").bind("Dinas Dukcapil Kota").bind(f.agency.id))
        .await
        .unwrap();
    other_node
        .execute(query("UPDATE units SET name = $1 WHERE id = $2").bind("Loket Terpadu").bind(f.front_desk.id))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let detail = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!(detail.service.agency_name, "Dinas Dukcapil Kota");
    assert_eq!(detail.step_unit_names, vec!["Loket Terpadu", "Subseksi Arsip"]);
    other_node.close().await;
}

async fn reading_a_service_twice_gives_the_same_detail(db: Db) {
    let (_, _) = a_read_service(&db).await;
    let json = |d: &catalogue::ServiceDetail| serde_json::to_value(d).unwrap();
    let first = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    let second = catalogue::service_by_code(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    let fresh = catalogue::service_by_code_fresh(&db, "53.71", "AKTA-LAHIR").await.unwrap();
    assert_eq!(json(&first), json(&second));
    assert_eq!(json(&first), json(&fresh), "what is kept is what the database holds");
    let old = catalogue::service_version(&db, "53.71", "AKTA-LAHIR", 1).await.unwrap();
    assert_eq!(json(&old), json(&catalogue::service_version_fresh(&db, "53.71", "AKTA-LAHIR", 1).await.unwrap()));
    let page = catalogue::published_service(&db, "53.71", "AKTA-LAHIR", Some(1)).await.unwrap();
    assert_eq!(json(&page.detail), json(&first));
    assert_eq!(page.versions.len(), 1);
}
