use crate::support::fixture;
use balai_store::Db;
use balai_store::audit::Actor;
use balai_store::calendar::{self, Holiday, HolidayKind};
use chrono::NaiveDate;

crate::conformance!(a_year_of_holidays_drives_working_days, replacing_a_year_corrects_it_without_touching_others);

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn holiday(date: &str, name: &str, kind: HolidayKind) -> Holiday {
    Holiday { date: d(date), name: name.into(), kind }
}

async fn a_year_of_holidays_drives_working_days(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    calendar::replace_year(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        2026,
        &[
            holiday("2026-12-25", "Hari Raya Natal", HolidayKind::LiburNasional),
            holiday("2026-12-24", "Cuti Bersama Natal", HolidayKind::CutiBersama),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let list = calendar::holidays(&db, f.government.id, 2026).await.unwrap();
    assert_eq!(list.iter().map(|h| h.date).collect::<Vec<_>>(), vec![d("2026-12-24"), d("2026-12-25")]);
    assert_eq!(list[0].kind, HolidayKind::CutiBersama);
    assert_eq!(calendar::covered_years(&db, f.government.id).await.unwrap(), vec![2026]);

    let cal = calendar::working_calendar(&db, f.government.id).await.unwrap();
    // Wednesday 23 Dec + 1 HK skips Thu 24 (cuti bersama), Fri 25 (Christmas) and the weekend.
    assert_eq!(cal.add_working_days(d("2026-12-23"), 1).unwrap(), d("2026-12-28"));
    assert!(cal.add_working_days(d("2026-12-31"), 1).is_err(), "2027 is not covered yet");
}

async fn replacing_a_year_corrects_it_without_touching_others(db: Db) {
    let f = fixture(&db).await;
    let mut tx = db.begin().await.unwrap();
    calendar::replace_year(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        2026,
        &[holiday("2026-03-20", "Idul Fitri (perkiraan)", HolidayKind::LiburNasional)],
    )
    .await
    .unwrap();
    calendar::replace_year(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        2027,
        &[holiday("2027-01-01", "Tahun Baru", HolidayKind::LiburNasional)],
    )
    .await
    .unwrap();
    // The government confirms Idul Fitri a day later and adds a regional holiday.
    calendar::replace_year(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        2026,
        &[
            holiday("2026-03-21", "Idul Fitri", HolidayKind::LiburNasional),
            holiday("2026-04-20", "HUT Kota", HolidayKind::LiburDaerah),
        ],
    )
    .await
    .unwrap();
    let stray = calendar::replace_year(
        &mut tx,
        &Actor::system("test"),
        f.government.id,
        2026,
        &[holiday("2025-01-01", "x", HolidayKind::LiburNasional)],
    )
    .await;
    assert!(stray.is_err(), "a holiday outside its year is refused");
    tx.commit().await.unwrap();

    let dates: Vec<NaiveDate> =
        calendar::holidays(&db, f.government.id, 2026).await.unwrap().iter().map(|h| h.date).collect();
    assert_eq!(dates, vec![d("2026-03-21"), d("2026-04-20")]);
    assert_eq!(calendar::holidays(&db, f.government.id, 2027).await.unwrap().len(), 1);
    assert_eq!(calendar::covered_years(&db, f.government.id).await.unwrap(), vec![2026, 2027]);
}
