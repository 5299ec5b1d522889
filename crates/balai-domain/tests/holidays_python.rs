//! The national calendar the product ships (the seed every government starts from) against the Python
//! `holidays` package (country ID, categories public and government, Saturday and Sunday off), for
//! every date of 2025 and 2026.
//!
//! Needs `python3` with the `holidays` package (`python3 -m pip install holidays`). Without it the test
//! fails when `CI` is set and otherwise says it was skipped.

use balai_domain::WorkingCalendar;
use balai_domain::calendar::parse_holiday_lines;
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;
use std::process::Command;

/// The file the seed embeds.
const NATIONAL_CALENDAR: &str = include_str!("../../../data/kalender/libur-nasional-2024-2027.csv");

const YEARS: [i32; 2] = [2025, 2026];

/// Dates where the two are known to disagree, and which is right. The shipped file is authoritative
/// for cuti bersama (it follows the SKB of the Ministers of Religious Affairs, Manpower and
/// Administrative Reform); the package may lag a revision of the SKB. Empty today: for 2025 and 2026
/// both follow the SKB as revised (2025 adds 18 August; 2026 has 16 February, 18, 20, 23 and
/// 24 March, 15 and 28 May and 24 December as cuti bersama).
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

fn shipped_calendar() -> WorkingCalendar {
    let mut dates = Vec::new();
    for year in YEARS {
        let prefix = format!("{year}-");
        let lines: Vec<&str> = NATIONAL_CALENDAR.lines().filter(|line| line.starts_with(&prefix)).collect();
        let holidays = parse_holiday_lines(&lines.join("\n"), year).unwrap_or_else(|errors| panic!("{errors:?}"));
        assert!(holidays.len() > 10, "{year}: only {} holidays in the shipped file", holidays.len());
        dates.extend(holidays.into_iter().map(|h| h.date));
    }
    WorkingCalendar::new(YEARS, dates).unwrap()
}

const SCRIPT: &str = r#"
import holidays
days = holidays.country_holidays("ID", years=[2025, 2026], categories=("public", "government"))
for day in sorted(days):
    print(day.isoformat())
"#;

/// The package's holidays, or why they could not be read.
fn python_holidays() -> Result<BTreeSet<NaiveDate>, String> {
    let output = Command::new("python3").args(["-c", SCRIPT]).output().map_err(|e| format!("python3: {e}"))?;
    if !output.status.success() {
        return Err(format!("python3 failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| NaiveDate::parse_from_str(line.trim(), "%Y-%m-%d").map_err(|e| format!("{line:?}: {e}")))
        .collect()
}

#[test]
fn the_shipped_calendar_agrees_with_the_python_holidays_package() {
    let python = match python_holidays() {
        Ok(days) => days,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("the Python holidays package is needed (python3 -m pip install holidays): {why}")
        }
        Err(why) => {
            eprintln!("skipped: the Python holidays package is not available ({why}); python3 -m pip install holidays");
            return;
        }
    };
    assert!(python.len() > 20, "the package returned only {} days", python.len());
    let shipped = shipped_calendar();
    let known: BTreeSet<NaiveDate> =
        KNOWN_DIFFERENCES.iter().map(|(day, _why)| NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap()).collect();

    let mut disagreements = Vec::new();
    let mut checked = 0;
    let mut day = NaiveDate::from_ymd_opt(YEARS[0], 1, 1).unwrap();
    while day.year() <= YEARS[1] {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let python_working = !weekend && !python.contains(&day);
        let shipped_working = shipped.is_working_day(day).unwrap();
        if python_working != shipped_working && !known.contains(&day) {
            disagreements.push(format!(
                "{day} ({:?}): shipped says {}, the package says {}",
                day.weekday(),
                if shipped_working { "working day" } else { "day off" },
                if python_working { "working day" } else { "day off" },
            ));
        }
        // A listed difference that has gone away must leave the list too.
        if known.contains(&day) {
            assert_ne!(python_working, shipped_working, "{day} is listed as a difference but both agree now");
        }
        checked += 1;
        day = day.succ_opt().unwrap();
    }
    assert_eq!(checked, 365 + 365);
    assert!(disagreements.is_empty(), "{} dates disagree:\n{}", disagreements.len(), disagreements.join("\n"));
}
