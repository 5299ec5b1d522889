use balai_store::catalogue::{self, ServiceFilter};
use balai_store::org;
use balai_store::{Db, Paging, calendar, seed};
use chrono::NaiveDate;

crate::conformance!(the_demo_seeds_two_governments_once);

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
