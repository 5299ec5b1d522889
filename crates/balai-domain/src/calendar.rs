//! Working days (hari kerja) and deadlines.
//!
//! A working day is Monday–Friday minus national holidays and *cuti bersama*, which the government sets
//! per year by joint ministerial decree. The calendar is therefore data: each government keeps its own copy,
//! editable per year. A deadline counted across a year the calendar does not cover is refused rather than
//! guessed, because a missing Idul Fitri week would silently shorten every deadline by a week.

use crate::Lang;
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Indonesia's three time zones. None observes daylight saving, so fixed offsets are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndonesianTimeZone {
    /// Waktu Indonesia Barat, UTC+7 (Asia/Jakarta).
    #[serde(rename = "WIB")]
    Wib,
    /// Waktu Indonesia Tengah, UTC+8 (Asia/Makassar).
    #[serde(rename = "WITA")]
    Wita,
    /// Waktu Indonesia Timur, UTC+9 (Asia/Jayapura).
    #[serde(rename = "WIT")]
    Wit,
}

impl IndonesianTimeZone {
    pub const ALL: [IndonesianTimeZone; 3] = [Self::Wib, Self::Wita, Self::Wit];

    pub fn code(self) -> &'static str {
        match self {
            Self::Wib => "WIB",
            Self::Wita => "WITA",
            Self::Wit => "WIT",
        }
    }

    pub fn utc_offset_hours(self) -> i32 {
        match self {
            Self::Wib => 7,
            Self::Wita => 8,
            Self::Wit => 9,
        }
    }

    pub fn iana_name(self) -> &'static str {
        match self {
            Self::Wib => "Asia/Jakarta",
            Self::Wita => "Asia/Makassar",
            Self::Wit => "Asia/Jayapura",
        }
    }

    pub fn offset(self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_hours() * 3600).expect("offsets of 7-9 hours are valid")
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tz| tz.code().eq_ignore_ascii_case(code.trim()))
    }

    /// The local calendar date of an instant in this zone.
    pub fn local_date(self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.offset()).date_naive()
    }

    /// The instant a local calendar date begins (00:00 local time).
    pub fn start_of_day(self, date: NaiveDate) -> DateTime<Utc> {
        self.offset()
            .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .single()
            .expect("fixed offsets have no gaps")
            .with_timezone(&Utc)
    }

    /// Formats an instant for people: `23-11-2026 14:05 WITA`.
    pub fn format(self, instant: DateTime<Utc>) -> String {
        format!("{} {}", instant.with_timezone(&self.offset()).format("%d-%m-%Y %H:%M"), self.code())
    }
}

impl fmt::Display for IndonesianTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the working-day calendar has no holiday list for {0}; an administrator must add that year first")]
    YearNotCovered(i32),
    #[error("a deadline of {0} working days is beyond what any service standard allows")]
    TooManyDays(u32),
}

/// The longest SLA a deadline may be counted for: the longest complaint class is 60 HK, so a year of
/// working days leaves room while stopping runaway input.
pub const MAX_WORKING_DAYS: u32 = 260;

/// When a case is due: the last working day, and the instant it ends in the government's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last working day on which the work is still on time.
    pub due_date: NaiveDate,
    /// The end of `due_date` in the government's time zone (exclusive), as a UTC instant.
    pub due_at: DateTime<Utc>,
}

/// The working-day calendar of one government: the years it covers and their non-working weekdays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    covered_years: BTreeSet<i32>,
    holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// Builds a calendar covering `years`; every holiday must fall inside a covered year.
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        let covered_years: BTreeSet<i32> = years.into_iter().collect();
        let holidays: BTreeSet<NaiveDate> = holidays.into_iter().collect();
        if let Some(outside) = holidays.iter().find(|d| !covered_years.contains(&d.year())) {
            return Err(CalendarError::YearNotCovered(outside.year()));
        }
        Ok(Self { covered_years, holidays })
    }

    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.covered_years.iter().copied()
    }

    pub fn is_weekend(date: NaiveDate) -> bool {
        matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if !self.covered_years.contains(&date.year()) {
            return Err(CalendarError::YearNotCovered(date.year()));
        }
        Ok(!Self::is_weekend(date) && !self.holidays.contains(&date))
    }

    /// The `n`-th working day after `start` (the start day itself is not counted, as a file received
    /// today is worked on from tomorrow). With `n = 0` the work is due the same day, or on the next
    /// working day when `start` is not one.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n > MAX_WORKING_DAYS {
            return Err(CalendarError::TooManyDays(n));
        }
        let mut date = start;
        if n == 0 {
            while !self.is_working_day(date)? {
                date = next_day(date);
            }
            return Ok(date);
        }
        let mut counted = 0;
        while counted < n {
            date = next_day(date);
            if self.is_working_day(date)? {
                counted += 1;
            }
        }
        Ok(date)
    }

    /// Working days in the half-open range (`from`, `to`]: how many working days have passed since `from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = next_day(date);
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// "deadline = start + N working days in time zone Z": counted on the local calendar of the
    /// government, so a file received at 23:30 WIB on Monday is a Monday file in Jakarta but a Tuesday
    /// file in Jayapura.
    pub fn deadline(
        &self,
        start: DateTime<Utc>,
        working_days: u32,
        zone: IndonesianTimeZone,
    ) -> Result<Deadline, CalendarError> {
        let local_start = zone.local_date(start);
        let due_date = self.add_working_days(local_start, working_days)?;
        Ok(Deadline { due_date, due_at: zone.start_of_day(next_day(due_date)) })
    }
}

/// What a listed holiday is: its kind decides nothing about counting (every kind is a day off), but
/// it is shown and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    LiburNasional,
    CutiBersama,
    LiburDaerah,
}

impl HolidayKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::LiburNasional => "libur_nasional",
            Self::CutiBersama => "cuti_bersama",
            Self::LiburDaerah => "libur_daerah",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::LiburNasional, Self::CutiBersama, Self::LiburDaerah].into_iter().find(|k| k.code() == code)
    }
}

/// One day off of a government's calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
    pub kind: HolidayKind,
}

/// The longest holiday name an administrator may give, in characters.
pub const MAX_HOLIDAY_NAME_CHARS: usize = 200;

/// What is wrong with one line of a year's holiday list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolidayLineProblem {
    /// The date is not `YYYY-MM-DD`.
    BadDate,
    /// The date is in another year than the one being edited.
    OtherYear(NaiveDate),
    /// The name is empty or longer than [`MAX_HOLIDAY_NAME_CHARS`].
    BadName,
    /// The kind is none of [`HolidayKind`]'s codes.
    UnknownKind,
    /// The date is on an earlier line too.
    Repeated(NaiveDate),
}

/// A bad line of a holiday list: its number (from 1) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HolidayLineError {
    pub line: usize,
    pub year: i32,
    pub problem: HolidayLineProblem,
}

impl HolidayLineError {
    /// The message an administrator reads, naming the line.
    pub fn message(&self, lang: Lang) -> String {
        let (n, year) = (self.line, self.year);
        match (&self.problem, lang) {
            (HolidayLineProblem::BadDate, Lang::Id) => {
                format!("Baris {n}: tanggal harus berformat TTTT-BB-HH, misalnya {year}-12-25.")
            }
            (HolidayLineProblem::BadDate, Lang::En) => {
                format!("Line {n}: the date must be YYYY-MM-DD, e.g. {year}-12-25.")
            }
            (HolidayLineProblem::OtherYear(date), Lang::Id) => format!("Baris {n}: tanggal {date} bukan tahun {year}."),
            (HolidayLineProblem::OtherYear(date), Lang::En) => format!("Line {n}: {date} is not in {year}."),
            (HolidayLineProblem::BadName, Lang::Id) => {
                format!("Baris {n}: nama hari libur wajib diisi (paling banyak {MAX_HOLIDAY_NAME_CHARS} karakter).")
            }
            (HolidayLineProblem::BadName, Lang::En) => {
                format!("Line {n}: the holiday needs a name (at most {MAX_HOLIDAY_NAME_CHARS} characters).")
            }
            (HolidayLineProblem::UnknownKind, Lang::Id) => {
                format!("Baris {n}: kategori harus libur_nasional, cuti_bersama atau libur_daerah.")
            }
            (HolidayLineProblem::UnknownKind, Lang::En) => {
                format!("Line {n}: the kind must be libur_nasional, cuti_bersama or libur_daerah.")
            }
            (HolidayLineProblem::Repeated(date), Lang::Id) => {
                format!("Baris {n}: tanggal {date} sudah ada di baris lain.")
            }
            (HolidayLineProblem::Repeated(date), Lang::En) => format!("Line {n}: {date} is listed twice."),
        }
    }
}

/// Parses a year's holiday list, one `YYYY-MM-DD,Nama,kategori` a line (the kind defaults to
/// `libur_nasional`; blank lines, `#` comments and a `tanggal,…` header are skipped). Every bad line
/// is reported; a good list comes back sorted by date.
pub fn parse_holiday_lines(text: &str, year: i32) -> Result<Vec<Holiday>, Vec<HolidayLineError>> {
    let mut holidays: Vec<Holiday> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("tanggal,") {
            continue;
        }
        let bad = |problem| HolidayLineError { line: i.saturating_add(1), year, problem };
        let mut parts = line.splitn(3, ',');
        let (date, name, kind) = (
            parts.next().unwrap_or_default().trim(),
            parts.next().unwrap_or_default().trim(),
            parts.next().map(str::trim),
        );
        let Ok(date) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
            errors.push(bad(HolidayLineProblem::BadDate));
            continue;
        };
        if date.year() != year {
            errors.push(bad(HolidayLineProblem::OtherYear(date)));
            continue;
        }
        if name.is_empty() || name.chars().count() > MAX_HOLIDAY_NAME_CHARS {
            errors.push(bad(HolidayLineProblem::BadName));
            continue;
        }
        let kind = match kind {
            None | Some("") => HolidayKind::LiburNasional,
            Some(k) => match HolidayKind::parse(k) {
                Some(kind) => kind,
                None => {
                    errors.push(bad(HolidayLineProblem::UnknownKind));
                    continue;
                }
            },
        };
        if holidays.iter().any(|h| h.date == date) {
            errors.push(bad(HolidayLineProblem::Repeated(date)));
            continue;
        }
        holidays.push(Holiday { date, name: name.to_owned(), kind });
    }
    if errors.is_empty() {
        holidays.sort_by_key(|h| h.date);
        Ok(holidays)
    } else {
        Err(errors)
    }
}

/// How many days of `year` are neither weekend nor one of `holidays` (0 for a year chrono cannot name).
pub fn weekdays_left(year: i32, holidays: &[Holiday]) -> usize {
    let Some(mut day) = NaiveDate::from_ymd_opt(year, 1, 1) else { return 0 };
    let mut count = 0usize;
    while day.year() == year {
        if !WorkingCalendar::is_weekend(day) && !holidays.iter().any(|h| h.date == day) {
            count = count.saturating_add(1);
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    count
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.checked_add_days(Days::new(1)).expect("dates stay far from chrono's limits")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NATIONAL_CALENDAR: &str = include_str!("../../../data/kalender/libur-nasional-2024-2027.csv");

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn national() -> WorkingCalendar {
        let holidays = NATIONAL_CALENDAR.lines().skip(1).filter(|l| !l.is_empty()).map(|line| {
            let date = line.split(',').next().unwrap();
            d(date)
        });
        WorkingCalendar::new(2024..=2027, holidays).unwrap()
    }

    #[test]
    fn weekends_are_skipped() {
        let cal = WorkingCalendar::new([2026], []).unwrap();
        // Friday + 1 HK = Monday.
        assert_eq!(cal.add_working_days(d("2026-11-20"), 1).unwrap(), d("2026-11-23"));
        // Monday + 5 HK = next Monday.
        assert_eq!(cal.add_working_days(d("2026-11-23"), 5).unwrap(), d("2026-11-30"));
        // Saturday + 1 HK = Monday; Sunday + 1 HK = Monday.
        assert_eq!(cal.add_working_days(d("2026-11-21"), 1).unwrap(), d("2026-11-23"));
        assert_eq!(cal.add_working_days(d("2026-11-22"), 1).unwrap(), d("2026-11-23"));
        // 0 HK: same day when it is a working day, else the next working day.
        assert_eq!(cal.add_working_days(d("2026-11-23"), 0).unwrap(), d("2026-11-23"));
        assert_eq!(cal.add_working_days(d("2026-11-21"), 0).unwrap(), d("2026-11-23"));
    }

    #[test]
    fn idul_fitri_2025_with_cuti_bersama_is_skipped() {
        let cal = national();
        // Thursday 27 March 2025: Nyepi cuti bersama, Nyepi, Idul Fitri and its cuti bersama up to 7 April.
        assert_eq!(cal.add_working_days(d("2025-03-27"), 1).unwrap(), d("2025-04-08"));
        assert_eq!(cal.add_working_days(d("2025-03-27"), 5).unwrap(), d("2025-04-14"));
        assert!(!cal.is_working_day(d("2025-04-07")).unwrap());
        assert!(cal.is_working_day(d("2025-04-08")).unwrap());
    }

    #[test]
    fn year_end_crosses_christmas_and_new_year() {
        let cal = national();
        // Christmas, its cuti bersama and a weekend.
        assert_eq!(cal.add_working_days(d("2025-12-24"), 2).unwrap(), d("2025-12-30"));
        // New Year's Day 2026 is a Thursday.
        assert_eq!(cal.add_working_days(d("2025-12-30"), 2).unwrap(), d("2026-01-02"));
        assert_eq!(cal.working_days_between(d("2025-12-24"), d("2026-01-02")).unwrap(), 4);
    }

    #[test]
    fn uncovered_years_are_refused_not_guessed() {
        let cal = national();
        assert_eq!(cal.add_working_days(d("2027-12-30"), 5), Err(CalendarError::YearNotCovered(2028)));
        assert_eq!(cal.is_working_day(d("2023-06-01")), Err(CalendarError::YearNotCovered(2023)));
        assert_eq!(WorkingCalendar::new([2026], [d("2027-01-01")]), Err(CalendarError::YearNotCovered(2027)));
        assert_eq!(cal.add_working_days(d("2026-01-05"), 261), Err(CalendarError::TooManyDays(261)));
    }

    #[test]
    fn deadline_counts_on_the_local_date_of_each_time_zone() {
        let cal = national();
        // 16:30 UTC on Monday 2026-11-23 is 23:30 WIB Monday, but 00:30 WITA and 01:30 WIT on Tuesday.
        let start = utc("2026-11-23T16:30:00Z");
        let wib = cal.deadline(start, 1, IndonesianTimeZone::Wib).unwrap();
        let wita = cal.deadline(start, 1, IndonesianTimeZone::Wita).unwrap();
        let wit = cal.deadline(start, 1, IndonesianTimeZone::Wit).unwrap();
        assert_eq!(wib.due_date, d("2026-11-24"));
        assert_eq!(wita.due_date, d("2026-11-25"));
        assert_eq!(wit.due_date, d("2026-11-25"));
        // The deadline ends at local midnight after the due date.
        assert_eq!(wib.due_at, utc("2026-11-24T17:00:00Z"));
        assert_eq!(wita.due_at, utc("2026-11-25T16:00:00Z"));
        assert_eq!(wit.due_at, utc("2026-11-25T15:00:00Z"));
    }

    #[test]
    fn birth_certificate_five_working_days_from_a_friday() {
        let cal = national();
        // Friday 9:00 WITA, 5 HK: Mon..Fri of the next week.
        let deadline = cal.deadline(utc("2026-11-20T01:00:00Z"), 5, IndonesianTimeZone::Wita).unwrap();
        assert_eq!(deadline.due_date, d("2026-11-27"));
    }

    /// Every start day of 2024–2026 and every SLA up to 60 HK: the due date is a working day, exactly
    /// N working days lie in (start, due], and no earlier day satisfies that.
    #[test]
    fn exhaustive_properties_over_three_years() {
        let cal = national();
        let mut start = d("2024-01-01");
        while start <= d("2026-12-31") {
            for n in 0..=60u32 {
                let Ok(due) = cal.add_working_days(start, n) else {
                    panic!("{start} + {n} HK should stay within the covered years");
                };
                assert!(cal.is_working_day(due).unwrap(), "{start} + {n} = {due} is not a working day");
                if n == 0 {
                    assert!(due >= start);
                    assert_eq!(cal.working_days_between(start, due).unwrap(), u32::from(due != start));
                } else {
                    assert_eq!(cal.working_days_between(start, due).unwrap(), n, "{start} + {n} = {due}");
                    let day_before = due.pred_opt().unwrap();
                    assert_eq!(cal.working_days_between(start, day_before).unwrap(), n - 1);
                }
            }
            start = next_day(start);
        }
    }

    #[test]
    fn time_zone_codes_round_trip() {
        for tz in IndonesianTimeZone::ALL {
            assert_eq!(IndonesianTimeZone::parse(tz.code()), Some(tz));
            assert_eq!(IndonesianTimeZone::parse(&tz.code().to_lowercase()), Some(tz));
        }
        assert_eq!(IndonesianTimeZone::parse("UTC"), None);
        assert_eq!(IndonesianTimeZone::Wita.format(utc("2026-11-23T06:05:00Z")), "23-11-2026 14:05 WITA");
    }
}

#[cfg(test)]
mod holiday_list_tests {
    use super::*;

    #[test]
    fn lines_are_parsed_and_each_bad_line_is_named() {
        let ok = parse_holiday_lines(
            "2026-12-25,Hari Raya Natal,libur_nasional\n\n2026-12-24,Cuti Bersama,cuti_bersama\n2026-04-20,HUT Kota",
            2026,
        )
        .unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].kind, HolidayKind::LiburNasional, "kind defaults to libur_nasional");
        assert_eq!(ok[0].date.to_string(), "2026-04-20", "sorted by date");

        let errors: Vec<String> = parse_holiday_lines("2026-13-01,X,libur_nasional\n2025-01-01,Y,libur_nasional\n2026-05-01,,cuti_bersama\n2026-05-02,Z,libur\n2026-06-01,A\n2026-06-01,B", 2026)
            .unwrap_err()
            .iter()
            .map(|e| e.message(Lang::Id))
            .collect();
        assert_eq!(errors.len(), 5);
        assert!(
            errors[0].starts_with("Baris 1:") && errors[1].starts_with("Baris 2:") && errors[4].starts_with("Baris 6:")
        );
    }

    #[test]
    fn working_days_of_a_year() {
        // 2026 has 261 weekdays; two holidays on weekdays leave 259.
        let holidays = parse_holiday_lines("2026-12-25,Natal\n2026-01-01,Tahun Baru", 2026).unwrap();
        assert_eq!(weekdays_left(2026, &[]), 261);
        assert_eq!(weekdays_left(2026, &holidays), 259);
    }
}

/// Deadline rules over random calendars.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A calendar of 2025–2026 with any set of up to 40 holidays (weekends included: a holiday on a
    /// Sunday changes nothing and must not confuse the count).
    fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
        prop::collection::vec(0u64..730, 0..40).prop_map(|offsets| {
            let first = d("2025-01-01");
            WorkingCalendar::new([2025, 2026], offsets.into_iter().map(|o| first + chrono::Days::new(o))).unwrap()
        })
    }

    /// A start in 2025, so even the longest service level ends inside 2026.
    fn any_start() -> impl Strategy<Value = NaiveDate> {
        (0u64..365).prop_map(|o| d("2025-01-01") + chrono::Days::new(o))
    }

    proptest! {
        #[test]
        fn a_due_date_is_a_working_day_exactly_n_working_days_on(
            cal in any_calendar(), start in any_start(), n in 1u32..=150,
        ) {
            let due = cal.add_working_days(start, n).unwrap();
            prop_assert!(cal.is_working_day(due).unwrap(), "{} + {} = {}", start, n, due);
            prop_assert_eq!(cal.working_days_between(start, due).unwrap(), n);
            // And no earlier day would do.
            prop_assert_eq!(cal.working_days_between(start, due.pred_opt().unwrap()).unwrap(), n - 1);
        }

        #[test]
        fn zero_working_days_is_the_start_or_the_next_working_day(cal in any_calendar(), start in any_start()) {
            let due = cal.add_working_days(start, 0).unwrap();
            prop_assert!(cal.is_working_day(due).unwrap());
            prop_assert_eq!(due == start, cal.is_working_day(start).unwrap());
            prop_assert_eq!(due, if due == start { start } else { cal.add_working_days(start, 1).unwrap() });
        }

        #[test]
        fn more_working_days_never_end_earlier(
            cal in any_calendar(), start in any_start(), n in 0u32..=150, extra in 0u32..=100,
        ) {
            let due = cal.add_working_days(start, n).unwrap();
            let later = cal.add_working_days(start, n + extra).unwrap();
            prop_assert!(due <= later);
            if n > 0 && extra > 0 {
                prop_assert!(due < later, "{} + {} and + {} both end on {}", start, n, n + extra, due);
            }
        }

        #[test]
        fn a_later_start_never_ends_earlier(cal in any_calendar(), start in any_start(), days in 0u64..60, n in 0u32..=60) {
            let later_start = start + chrono::Days::new(days);
            prop_assert!(cal.add_working_days(start, n).unwrap() <= cal.add_working_days(later_start, n).unwrap());
        }
    }
}
