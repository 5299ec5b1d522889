//! The dashboard's rules: which period, agency and service a reader may ask for, what a case counts
//! as (closed, resolved, on time, how many working days it took), and the figures read from the
//! aggregates (compliance, average, exact percentiles from the duration histogram, weekly series,
//! the open-data suppression of small counts). No I/O: the store keeps the aggregates.

use crate::calendar::WorkingCalendar;
use crate::cases::CaseKind;
use crate::validation::{FieldErrors, Rule};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// The longest period a panel covers: three years (a leap day included).
pub const MAX_SPAN_DAYS: i64 = 3 * 366;
/// The period a panel covers when the reader names none: the last 30 days up to today.
pub const DEFAULT_DAYS: i64 = 30;
/// Durations are kept per working day up to this many; longer ones share one overflow bucket.
pub const MAX_BUCKET_DAYS: u32 = 60;
/// The overflow bucket: more than [`MAX_BUCKET_DAYS`] working days.
pub const OVERFLOW_BUCKET: u32 = MAX_BUCKET_DAYS + 1;
/// Number of buckets in a duration histogram.
pub const BUCKETS: usize = OVERFLOW_BUCKET as usize + 1;
/// Open data suppresses counts from 1 to this many (a small count may point at a person).
pub const SUPPRESS_BELOW: i64 = 5;
/// The longest agency or service code a filter takes.
const MAX_CODE_CHARS: usize = 64;

/// The panels, as the API and the pages name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Panel {
    Overview,
    Applications,
    Complaints,
    Trend,
    Ranking,
    Map,
    /// SKM per unit: IKM, grade and respondents.
    Satisfaction,
}

impl Panel {
    pub const ALL: [Self; 7] = [
        Self::Overview,
        Self::Applications,
        Self::Complaints,
        Self::Trend,
        Self::Ranking,
        Self::Map,
        Self::Satisfaction,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Applications => "applications",
            Self::Complaints => "complaints",
            Self::Trend => "trend",
            Self::Ranking => "ranking",
            Self::Map => "map",
            Self::Satisfaction => "satisfaction",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|panel| panel.code() == code)
    }
}

/// A period of whole local days, both ends included, checked: `from` ≤ `to`, at most three years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// What a reader asks of a panel, as typed: each part optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct FilterInput<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub agency: Option<&'a str>,
    pub service: Option<&'a str>,
}

/// A checked filter: the period, and the agency and service by their codes (the store resolves
/// them in the government and refuses an unknown one, naming `agency` or `service`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DashboardFilter {
    pub period: Period,
    pub agency: Option<String>,
    pub service: Option<String>,
}

impl DashboardFilter {
    /// Reads the filter; `today` is the government's local date. Without `to` the period ends today;
    /// without `from` it covers [`DEFAULT_DAYS`] days up to `to`. Every problem is named by its
    /// parameter, all at once.
    pub fn parse(input: FilterInput<'_>, today: NaiveDate) -> Result<DashboardFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = |errors: &mut FieldErrors, field: &str, value: Option<&str>| -> Option<Option<NaiveDate>> {
            match value.map(str::trim).filter(|v| !v.is_empty()) {
                None => Some(None),
                Some(v) => match parse_date(v) {
                    Some(d) => Some(Some(d)),
                    None => {
                        errors.push(field, Rule::Format { expected: "2026-01-31" });
                        None
                    }
                },
            }
        };
        let from = date(&mut errors, "from", input.from);
        let to = date(&mut errors, "to", input.to);
        let agency = code(&mut errors, "agency", input.agency);
        let service = code(&mut errors, "service", input.service);
        let (Some(from), Some(to)) = (from, to) else {
            return Err(errors);
        };
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| to - Duration::days(DEFAULT_DAYS - 1));
        if from > to {
            errors.push("to", Rule::Format { expected: "YYYY-MM-DD, not before `from`" });
        } else if (to - from).num_days() + 1 > MAX_SPAN_DAYS {
            errors.push("from", Rule::OutOfRange { min: 1, max: MAX_SPAN_DAYS });
        }
        errors.into_result()?;
        Ok(DashboardFilter { period: Period { from, to }, agency, service })
    }
}

/// `YYYY-MM-DD` exactly (no other spelling), a real date between the years 2000 and 2199.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (2000..2200).contains(&date.year()).then_some(date)
}

fn code(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > MAX_CODE_CHARS {
        errors.push(field, Rule::TooLong { max: MAX_CODE_CHARS });
        return None;
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        errors.push(field, Rule::Unknown);
        return None;
    }
    Some(value.to_owned())
}

// ---- what a case counts as --------------------------------------------------------------------

/// Whether a final status is the outcome the citizen came for: an application completed, a
/// complaint resolved (accepted by the reporter, or lapsed after an answer).
pub fn is_resolution(kind: CaseKind, status: &str) -> bool {
    match kind {
        CaseKind::Application => status == crate::applications::ApplicationStatus::Completed.code(),
        CaseKind::Complaint => status == crate::complaints::ComplaintStatus::Resolved.code(),
    }
}

/// Working days from `opened` to `closed` (local dates; the opening day not counted, as with
/// deadlines). Days of a year the calendar does not cover count as working when they are weekdays,
/// so a figure is always given and is the same however often it is computed.
pub fn working_days_taken(calendar: &WorkingCalendar, opened: NaiveDate, closed: NaiveDate) -> u32 {
    let mut count = 0;
    let mut date = opened;
    while date < closed {
        date = date.succ_opt().unwrap_or(date);
        if is_counted_day(calendar, date) {
            count += 1;
        }
        if date == NaiveDate::MAX {
            break;
        }
    }
    count
}

/// Whether a day counts as a working day for durations (see [`working_days_taken`]).
pub fn is_counted_day(calendar: &WorkingCalendar, date: NaiveDate) -> bool {
    calendar.is_working_day(date).unwrap_or_else(|_| !WorkingCalendar::is_weekend(date))
}

/// The histogram bucket of a duration.
pub fn bucket(working_days: u32) -> u32 {
    working_days.min(OVERFLOW_BUCKET)
}

/// Counts working days between many pairs of dates quickly (a running count per day), giving
/// exactly what [`working_days_taken`] gives.
#[derive(Debug)]
pub struct WorkingDayIndex<'a> {
    calendar: &'a WorkingCalendar,
    start: NaiveDate,
    /// `running[i]`: counted days in (start, start + i].
    running: Vec<u32>,
}

impl<'a> WorkingDayIndex<'a> {
    pub fn new(calendar: &'a WorkingCalendar) -> Self {
        Self { calendar, start: NaiveDate::MAX, running: Vec::new() }
    }

    fn ensure(&mut self, from: NaiveDate, to: NaiveDate) {
        if self.running.is_empty() {
            self.start = from;
            self.running.push(0);
        }
        if from < self.start {
            // Rebuild from the earlier start: rare (cases come roughly in order).
            let end = self.start + Duration::days(self.running.len() as i64 - 1);
            self.start = from;
            self.running = vec![0];
            self.extend_to(end);
        }
        self.extend_to(to);
    }

    fn extend_to(&mut self, to: NaiveDate) {
        let mut last = self.start + Duration::days(self.running.len() as i64 - 1);
        while last < to {
            last = last.succ_opt().unwrap_or(last);
            let previous = *self.running.last().unwrap_or(&0);
            self.running.push(previous + u32::from(is_counted_day(self.calendar, last)));
        }
    }

    pub fn between(&mut self, opened: NaiveDate, closed: NaiveDate) -> u32 {
        if closed <= opened {
            return 0;
        }
        self.ensure(opened, closed);
        let at = |d: NaiveDate| usize::try_from((d - self.start).num_days()).unwrap_or(0);
        self.running[at(closed)] - self.running[at(opened)]
    }
}

// ---- figures read from the aggregates ---------------------------------------------------------

/// The counters of a set of aggregate rows, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub received: i64,
    pub closed: i64,
    pub closed_on_time: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
    pub closed_working_days_sum: i64,
    pub verified: i64,
    pub verified_on_time: i64,
}

impl Counters {
    pub fn add(&mut self, other: &Counters) {
        self.received += other.received;
        self.closed += other.closed;
        self.closed_on_time += other.closed_on_time;
        self.resolved += other.resolved;
        self.resolved_on_time += other.resolved_on_time;
        self.closed_working_days_sum += other.closed_working_days_sum;
        self.verified += other.verified;
        self.verified_on_time += other.verified_on_time;
    }

    /// Share of closed cases closed on time, in tenths of a percent (None when nothing closed).
    pub fn compliance_permille(&self) -> Option<i64> {
        permille(self.closed_on_time, self.closed)
    }

    /// Average working days from opening to closing, in tenths of a day.
    pub fn average_tenths(&self) -> Option<i64> {
        ratio_tenths(self.closed_working_days_sum, self.closed)
    }
}

/// `part / whole` in tenths of a percent, rounded half up.
pub fn permille(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 2000 + whole) / (whole * 2))
}

/// `sum / count` in tenths, rounded half up.
pub fn ratio_tenths(sum: i64, count: i64) -> Option<i64> {
    (count > 0).then(|| (sum * 20 + count) / (count * 2))
}

/// Tenths as text: `12.5`, `100.0`.
pub fn tenths(value: i64) -> String {
    format!("{}.{}", value / 10, value % 10)
}

/// The smallest bucket at or below which at least `percent`% of the counted cases fall (the
/// nearest-rank percentile). The overflow bucket reads as "more than [`MAX_BUCKET_DAYS`]".
pub fn percentile(histogram: &[i64; BUCKETS], percent: u32) -> Option<u32> {
    let total: i64 = histogram.iter().sum();
    if total <= 0 {
        return None;
    }
    // Nearest rank: ceil(p/100 × n).
    let rank = (i64::from(percent) * total + 99) / 100;
    let mut seen = 0;
    for (bucket, count) in histogram.iter().enumerate() {
        seen += count;
        if seen >= rank.max(1) {
            return u32::try_from(bucket).ok();
        }
    }
    Some(OVERFLOW_BUCKET)
}

/// The Monday of a day's ISO week: weekly series are keyed by it.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Open data's rule: a count from 1 to 4 is withheld (`None`) because so few cases of one agency,
/// service and day may point at the people behind them; 0 and 5 or more are published.
pub fn suppressed(count: i64) -> Option<i64> {
    (count == 0 || count >= SUPPRESS_BELOW).then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn a_filter_names_every_bad_parameter() {
        let today = d("2026-03-10");
        let f = DashboardFilter::parse(FilterInput::default(), today).unwrap();
        assert_eq!(f.period, Period { from: d("2026-02-09"), to: today });
        let e = DashboardFilter::parse(
            FilterInput { from: Some("2026-13-01"), to: Some("10/03/2026"), agency: Some("a b"), service: None },
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["from", "to", "agency"]);
        let e = DashboardFilter::parse(
            FilterInput { from: Some("2026-03-02"), to: Some("2026-03-01"), ..Default::default() },
            today,
        )
        .unwrap_err();
        assert!(e.for_field("to").is_some());
        let e = DashboardFilter::parse(
            FilterInput { from: Some("2020-01-01"), to: Some("2026-01-01"), ..Default::default() },
            today,
        )
        .unwrap_err();
        assert!(e.for_field("from").is_some());
        assert!(parse_date("2026-2-01").is_none());
        assert!(parse_date("+2026-02-0").is_none());
        let f = DashboardFilter::parse(
            FilterInput {
                from: Some("2023-03-11"),
                to: Some("2026-03-10"),
                agency: Some("DUKCAPIL"),
                service: Some("AKTA-LAHIR"),
            },
            today,
        )
        .unwrap();
        assert_eq!(f.period.days(), 1096);
        assert_eq!(f.agency.as_deref(), Some("DUKCAPIL"));
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut h = [0i64; BUCKETS];
        assert_eq!(percentile(&h, 90), None);
        h[1] = 9;
        h[5] = 1;
        assert_eq!(percentile(&h, 90), Some(1));
        assert_eq!(percentile(&h, 91), Some(5));
        assert_eq!(percentile(&h, 50), Some(1));
        h[OVERFLOW_BUCKET as usize] = 90;
        assert_eq!(percentile(&h, 90), Some(OVERFLOW_BUCKET));
    }

    #[test]
    fn ratios_round_half_up() {
        assert_eq!(permille(2, 3), Some(667));
        assert_eq!(permille(1, 8), Some(125));
        assert_eq!(permille(0, 0), None);
        assert_eq!(ratio_tenths(5, 2), Some(25));
        assert_eq!(tenths(667), "66.7");
    }

    #[test]
    fn the_index_counts_as_the_plain_count() {
        let calendar = WorkingCalendar::new([2026], [d("2026-01-01"), d("2026-03-19")]).unwrap();
        let mut index = WorkingDayIndex::new(&calendar);
        let days = ["2025-12-20", "2026-01-01", "2026-01-02", "2026-03-18", "2026-03-25", "2027-01-04"];
        for a in days {
            for b in days {
                assert_eq!(index.between(d(a), d(b)), working_days_taken(&calendar, d(a), d(b)), "{a} {b}");
            }
        }
        // 2025 is not covered: its weekdays count.
        assert_eq!(working_days_taken(&calendar, d("2025-12-26"), d("2026-01-02")), 4);
    }

    #[test]
    fn small_counts_are_withheld() {
        assert_eq!(suppressed(0), Some(0));
        assert_eq!(suppressed(1), None);
        assert_eq!(suppressed(4), None);
        assert_eq!(suppressed(5), Some(5));
        assert_eq!(week_start(d("2026-03-08")), d("2026-03-02"));
    }
}
