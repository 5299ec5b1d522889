use crate::support::{fixture, fixture_in};
use balai_domain::validation::Rule;
use balai_store::audit::Actor;
use balai_store::org;
use balai_store::{Db, Paging, StoreError};

crate::conformance!(
    a_government_is_found_by_region_code_and_id,
    agencies_list_by_government_with_paging,
    units_come_back_as_a_tree,
    a_unit_cannot_hang_under_another_agency,
);

async fn a_government_is_found_by_region_code_and_id(db: Db) {
    let f = fixture(&db).await;
    let by_region = org::government_by_region(&db, "53.71").await.unwrap();
    assert_eq!(by_region.id, f.government.id);
    assert_eq!(by_region.zone().code(), "WITA");
    assert_eq!(org::government(&db, f.government.id).await.unwrap().region_code, "53.71");
    assert!(matches!(org::government_by_region(&db, "11").await, Err(StoreError::NotFound)));
    assert_eq!(org::governments(&db).await.unwrap().len(), 1);
}

async fn agencies_list_by_government_with_paging(db: Db) {
    let mut tx = db.begin().await.unwrap();
    fixture_in(&mut tx, "53.71", "disdukcapil").await;
    let province = fixture_in(&mut tx, "53", "dpmptsp-prov").await;
    tx.commit().await.unwrap();

    let all = org::agencies(&db, None, Paging::new(1, 1)).await.unwrap();
    assert_eq!((all.total, all.items.len(), all.pages()), (2, 1, 2));
    let city = org::agencies(&db, Some("53.71"), Paging::default()).await.unwrap();
    assert_eq!(city.total, 1);
    assert_eq!(city.items[0].code, "disdukcapil");
    let fetched = org::agency(&db, province.agency.id).await.unwrap();
    assert_eq!(fetched.code, "dpmptsp-prov");
    assert!(matches!(org::agency(&db, 9999).await, Err(StoreError::NotFound)));
    let none = org::agencies(&db, Some("99"), Paging::default()).await.unwrap();
    assert_eq!(none.total, 0);
}

async fn units_come_back_as_a_tree(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    let second =
        org::create_unit(&mut tx, &Actor::system("test"), &f.agency, None, "a-first-by-name", "Bidang Administrasi")
            .await
            .unwrap();
    tx.commit().await.unwrap();
    let units = org::units(&db, f.agency.id).await.unwrap();
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    // Top-level units by name, each followed by its children.
    assert_eq!(codes, vec![second.code.as_str(), "disdukcapil-loket", "disdukcapil-arsip"]);
    assert_eq!(org::unit_depth(&units[2], &units), 1);
    assert_eq!(org::unit_depth(&units[0], &units), 0);
    assert_eq!(units[2].parent_id, Some(f.front_desk.id));
    assert_eq!(f.records.parent_id, Some(f.front_desk.id));
}

async fn a_unit_cannot_hang_under_another_agency(db: Db) {
    let mut tx = db.begin().await.unwrap();
    let city = fixture_in(&mut tx, "53.71", "disdukcapil").await;
    let province = fixture_in(&mut tx, "53", "dinkes-prov").await;
    let result =
        org::create_unit(&mut tx, &Actor::system("test"), &province.agency, Some(city.front_desk.id), "x", "X").await;
    match result {
        Err(StoreError::Invalid(e)) => assert_eq!(e.for_field("parent"), Some(&Rule::Unknown)),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unknown_region_code_is_not_a_government() {
    let test_db = crate::support::TestDb::sqlite().await;
    let mut tx = test_db.db.begin().await.unwrap();
    let code = balai_domain::region::RegionCode::parse("53.70").unwrap();
    let result = org::create_government(
        &mut tx,
        &Actor::system("test"),
        &code,
        "Tidak ada",
        balai_domain::IndonesianTimeZone::Wita,
    )
    .await;
    assert!(matches!(result, Err(StoreError::Invalid(e)) if e.for_field("region_code") == Some(&Rule::Unknown)));
}
