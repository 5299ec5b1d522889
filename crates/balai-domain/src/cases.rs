//! Cases: what applications (permohonan) and complaints (pengaduan) share — their kind, the place a
//! case sits (an [`crate::org::Place`]: government, agency, unit), the shape of the flow a case
//! follows, and the service-level clock counted in working days (hari kerja) that pauses while the
//! case waits on the citizen.
//!
//! The flow is data: a table of (state, event) → state, checked by one pure [`Flow::transition`], so a
//! context adds its flow by writing a table, and a test can walk every path. The application flow is
//! in [`crate::applications`].

use crate::calendar::{CalendarError, Deadline, IndonesianTimeZone, MAX_WORKING_DAYS, WorkingCalendar};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt::Debug;

/// Applications and complaints: the two kinds of case a citizen opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Application,
    Complaint,
}

impl CaseKind {
    pub const ALL: [CaseKind; 2] = [CaseKind::Application, CaseKind::Complaint];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            CaseKind::Application => "application",
            CaseKind::Complaint => "complaint",
        }
    }

    pub fn parse(code: &str) -> Option<CaseKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The prefix of the reference a citizen quotes: PMH (permohonan), ADU (aduan).
    pub fn prefix(self) -> &'static str {
        match self {
            CaseKind::Application => "PMH",
            CaseKind::Complaint => "ADU",
        }
    }

    /// `PMH-000012`: what the citizen and the officer quote.
    pub fn reference(self, id: i64) -> String {
        format!("{}-{id:06}", self.prefix())
    }
}

/// One allowed step of a flow: in state `from`, `event` leads to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition<S, E> {
    pub from: S,
    pub event: E,
    pub to: S,
}

/// Why an event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError<S: Debug, E: Debug> {
    /// The case is closed: no event leads anywhere from here.
    #[error("the case is closed ({state:?}); {event:?} cannot change it")]
    Closed { state: S, event: E },
    /// The case is open, but this event is not one of the steps from its state.
    #[error("{event:?} is not allowed while the case is {state:?}")]
    NotAllowed { state: S, event: E },
}

/// A flow: states and allowed transitions as data. A state with no transition out is final.
#[derive(Debug, Clone, Copy)]
pub struct Flow<S: 'static, E: 'static> {
    transitions: &'static [Transition<S, E>],
}

impl<S: Copy + Eq + Debug, E: Copy + Eq + Debug> Flow<S, E> {
    pub const fn new(transitions: &'static [Transition<S, E>]) -> Self {
        Flow { transitions }
    }

    pub fn transitions(&self) -> &'static [Transition<S, E>] {
        self.transitions
    }

    /// The state `event` leads to from `from`, or why it may not happen.
    pub fn transition(&self, from: S, event: E) -> Result<S, TransitionError<S, E>> {
        if let Some(step) = self.transitions.iter().find(|t| t.from == from && t.event == event) {
            return Ok(step.to);
        }
        if self.is_final(from) {
            Err(TransitionError::Closed { state: from, event })
        } else {
            Err(TransitionError::NotAllowed { state: from, event })
        }
    }

    /// The events allowed in `state`, in table order (what an officer's page offers as buttons).
    pub fn events(&self, state: S) -> impl Iterator<Item = E> + '_ {
        self.transitions.iter().filter(move |t| t.from == state).map(|t| t.event)
    }

    pub fn is_final(&self, state: S) -> bool {
        self.events(state).next().is_none()
    }
}

/// What the service-level clock does while a case is in a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockRule {
    /// The agency is working: working days count.
    Runs,
    /// The case waits on the citizen (a missing document, an answer): the clock stands still.
    Pauses,
    /// The case is closed: the clock stopped for good.
    Stops,
}

/// Why the clock refused an instruction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error("a service level of {0} working days is beyond what any service standard allows")]
    TooManyDays(u32),
    #[error("the clock is already paused")]
    AlreadyPaused,
    #[error("the clock is not paused")]
    NotPaused,
    #[error("the clock cannot be paused more than {MAX_PAUSES} times")]
    TooManyPauses,
    #[error("{0} is before the clock's last event; time does not run backwards")]
    BeforeLastEvent(DateTime<Utc>),
}

/// How often one case may wait on the citizen: generous for real back-and-forth, a bound for bad input.
pub const MAX_PAUSES: usize = 32;

/// How the clock stands at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remaining {
    /// Due in this many working days after today (0: due today).
    OnTime { working_days: u32 },
    /// Past the deadline, by this many working days (0: late since a non-working day).
    Late { working_days: u32 },
}

/// The service-level clock of a case: `working_days` from `started`, counted on the government's
/// calendar in its time zone, with the time the case waited on the citizen added back. A pause is
/// counted in whole working days: those after the day it began, up to and including the day it ended,
/// so a question asked and answered on the same day costs the agency nothing and gives it nothing.
/// While a pause is open the clock is read as at the moment it began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClock {
    started: DateTime<Utc>,
    working_days: u32,
    zone: IndonesianTimeZone,
    /// Ended pauses, in order: (began, ended).
    pauses: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    paused_since: Option<DateTime<Utc>>,
}

impl SlaClock {
    pub fn start(started: DateTime<Utc>, working_days: u32, zone: IndonesianTimeZone) -> Result<SlaClock, SlaError> {
        if working_days > MAX_WORKING_DAYS {
            return Err(SlaError::TooManyDays(working_days));
        }
        Ok(SlaClock { started, working_days, zone, pauses: Vec::new(), paused_since: None })
    }

    pub fn is_paused(&self) -> bool {
        self.paused_since.is_some()
    }

    /// The instant of the latest event: start, pause or resume.
    fn last_event(&self) -> DateTime<Utc> {
        self.paused_since.or_else(|| self.pauses.last().map(|(_, ended)| *ended)).unwrap_or(self.started)
    }

    /// The case starts waiting on the citizen.
    pub fn pause(&mut self, at: DateTime<Utc>) -> Result<(), SlaError> {
        if self.is_paused() {
            return Err(SlaError::AlreadyPaused);
        }
        if at < self.last_event() {
            return Err(SlaError::BeforeLastEvent(at));
        }
        if self.pauses.len() >= MAX_PAUSES {
            return Err(SlaError::TooManyPauses);
        }
        self.paused_since = Some(at);
        Ok(())
    }

    /// The citizen answered: the clock runs again.
    pub fn resume(&mut self, at: DateTime<Utc>) -> Result<(), SlaError> {
        let began = self.paused_since.ok_or(SlaError::NotPaused)?;
        if at < began {
            return Err(SlaError::BeforeLastEvent(at));
        }
        self.pauses.push((began, at));
        self.paused_since = None;
        Ok(())
    }

    fn local(&self, instant: DateTime<Utc>) -> NaiveDate {
        self.zone.local_date(instant)
    }

    /// Working days added back for the pauses that have ended.
    pub fn paused_working_days(&self, calendar: &WorkingCalendar) -> Result<u32, SlaError> {
        let mut total: u32 = 0;
        for (began, ended) in &self.pauses {
            let days = calendar.working_days_between(self.local(*began), self.local(*ended))?;
            total = total.saturating_add(days);
        }
        Ok(total)
    }

    /// The deadline, counting the pauses that have ended (an open pause moves it once it ends).
    pub fn due(&self, calendar: &WorkingCalendar) -> Result<Deadline, SlaError> {
        let days = self.working_days.saturating_add(self.paused_working_days(calendar)?);
        Ok(calendar.deadline(self.started, days, self.zone)?)
    }

    /// The instant the clock is read at: `now`, or the start of an open pause.
    fn reading_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        self.paused_since.map_or(now, |since| since.min(now))
    }

    /// Whether the deadline has passed at `now` (never while the clock stands for the citizen,
    /// unless it had passed before the pause began).
    pub fn breached(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> Result<bool, SlaError> {
        Ok(self.reading_at(now) >= self.due(calendar)?.due_at)
    }

    /// Working days left, or how late the case is.
    pub fn remaining(&self, calendar: &WorkingCalendar, now: DateTime<Utc>) -> Result<Remaining, SlaError> {
        let due = self.due(calendar)?;
        let at = self.reading_at(now);
        let today = self.local(at);
        if at < due.due_at {
            Ok(Remaining::OnTime { working_days: calendar.working_days_between(today, due.due_date)? })
        } else {
            Ok(Remaining::Late { working_days: calendar.working_days_between(due.due_date, today)? })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{Principal, Target, permits};
    use crate::org::Place;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// 2026 with one holiday on Thursday 3 December (a made-up regional day off).
    fn calendar() -> WorkingCalendar {
        WorkingCalendar::new([2026], [d("2026-12-03")]).unwrap()
    }

    /// Friday 20 November 2026, 09:00 WITA; five working days: due Friday 27 November.
    fn five_days_from_friday() -> SlaClock {
        SlaClock::start(utc("2026-11-20T01:00:00Z"), 5, IndonesianTimeZone::Wita).unwrap()
    }

    #[test]
    fn case_kinds_round_trip_and_give_the_reference_a_citizen_quotes() {
        for kind in CaseKind::ALL {
            assert_eq!(CaseKind::parse(kind.code()), Some(kind));
        }
        assert_eq!(CaseKind::Application.code(), "application");
        assert_eq!(CaseKind::Complaint.code(), "complaint");
        assert_eq!(CaseKind::parse("Application"), None);
        assert_eq!(CaseKind::parse(""), None);
        assert_eq!(CaseKind::Application.reference(12), "PMH-000012");
        assert_eq!(CaseKind::Complaint.reference(7), "ADU-000007");
        assert_eq!(CaseKind::Complaint.reference(1_234_567), "ADU-1234567");
    }

    #[test]
    fn a_case_place_is_what_the_permission_check_is_asked_about() {
        let forwarded = Place::unit(1, 2, 3);
        assert_eq!(
            Target::at_concerning(forwarded, Some(9)),
            Target {
                place: Some(Place { government_id: 1, agency_id: Some(2), unit_id: Some(3) }),
                citizen_id: Some(9)
            }
        );
        let agency_wide = Place { unit_id: None, ..forwarded };
        assert_eq!(Target::at_concerning(agency_wide, None), Target::agency(1, 2));
        // The citizen the case concerns may see it; a stranger may not.
        let owner = Principal::citizen(9, crate::identity::Assurance::Basic);
        let stranger = Principal::citizen(8, crate::identity::Assurance::Basic);
        let action = crate::identity::Action::ViewOwnRecord;
        assert!(permits(&owner, action, &Target::at_concerning(forwarded, Some(9))));
        assert!(!permits(&stranger, action, &Target::at_concerning(forwarded, Some(9))));
    }

    #[test]
    fn five_working_days_from_a_friday_end_with_the_next_friday_in_the_local_zone() {
        let cal = calendar();
        let clock = five_days_from_friday();
        let due = clock.due(&cal).unwrap();
        assert_eq!(due.due_date, d("2026-11-27"));
        // Midnight WITA after the due date.
        assert_eq!(due.due_at, utc("2026-11-27T16:00:00Z"));
        assert!(!clock.breached(&cal, utc("2026-11-27T15:59:59Z")).unwrap());
        assert!(clock.breached(&cal, utc("2026-11-27T16:00:00Z")).unwrap());
        assert!(!clock.is_paused());
    }

    #[test]
    fn remaining_counts_working_days_left_then_working_days_late() {
        let cal = calendar();
        let clock = five_days_from_friday();
        let at = |s: &str| clock.remaining(&cal, utc(s)).unwrap();
        assert_eq!(at("2026-11-20T02:00:00Z"), Remaining::OnTime { working_days: 5 });
        // The weekend costs nothing.
        assert_eq!(at("2026-11-22T02:00:00Z"), Remaining::OnTime { working_days: 5 });
        assert_eq!(at("2026-11-23T02:00:00Z"), Remaining::OnTime { working_days: 4 });
        assert_eq!(at("2026-11-27T15:00:00Z"), Remaining::OnTime { working_days: 0 });
        // Midnight WITA ends the last day.
        assert_eq!(at("2026-11-27T15:59:59Z"), Remaining::OnTime { working_days: 0 });
        assert_eq!(at("2026-11-27T16:00:00Z"), Remaining::Late { working_days: 0 });
        // Saturday: late, though no working day has been lost yet.
        assert_eq!(at("2026-11-28T02:00:00Z"), Remaining::Late { working_days: 0 });
        assert_eq!(at("2026-12-01T02:00:00Z"), Remaining::Late { working_days: 2 });
        // The holiday on Thursday 3 December is not a day late.
        assert_eq!(at("2026-12-04T02:00:00Z"), Remaining::Late { working_days: 4 });
    }

    #[test]
    fn waiting_on_the_citizen_stops_the_clock_and_adds_the_days_back() {
        let cal = calendar();
        let mut clock = five_days_from_friday();
        // Monday 23, 10:00 WITA: the officer asks for a document.
        clock.pause(utc("2026-11-23T02:00:00Z")).unwrap();
        assert!(clock.is_paused());
        // While the citizen takes their time, the case is neither late nor running down.
        for now in ["2026-11-27T16:00:00Z", "2026-12-10T02:00:00Z"] {
            assert!(!clock.breached(&cal, utc(now)).unwrap(), "{now}");
            assert_eq!(clock.remaining(&cal, utc(now)).unwrap(), Remaining::OnTime { working_days: 4 }, "{now}");
        }
        // Wednesday 25: the citizen answers; Tuesday and Wednesday are added back.
        clock.resume(utc("2026-11-25T03:00:00Z")).unwrap();
        assert!(!clock.is_paused());
        assert_eq!(clock.paused_working_days(&cal).unwrap(), 2);
        assert_eq!(clock.due(&cal).unwrap().due_date, d("2026-12-01"));
        assert_eq!(clock.remaining(&cal, utc("2026-11-25T03:00:00Z")).unwrap(), Remaining::OnTime { working_days: 4 });
        // A second wait, on the new last day, across the holiday: Tuesday 1 to Friday 4 December adds
        // back Wednesday and Friday, not the Thursday nobody works.
        clock.pause(utc("2026-12-01T02:00:00Z")).unwrap();
        clock.resume(utc("2026-12-04T02:00:00Z")).unwrap();
        assert_eq!(clock.paused_working_days(&cal).unwrap(), 4);
        assert_eq!(clock.due(&cal).unwrap().due_date, d("2026-12-04"));
        assert!(!clock.breached(&cal, utc("2026-12-04T02:00:00Z")).unwrap());
    }

    #[test]
    fn a_question_answered_the_same_day_moves_nothing() {
        let cal = calendar();
        let mut clock = five_days_from_friday();
        clock.pause(utc("2026-11-23T01:00:00Z")).unwrap();
        clock.resume(utc("2026-11-23T08:00:00Z")).unwrap();
        assert_eq!(clock.paused_working_days(&cal).unwrap(), 0);
        assert_eq!(clock.due(&cal).unwrap(), five_days_from_friday().due(&cal).unwrap());
    }

    #[test]
    fn a_pause_on_the_last_day_holds_over_the_weekend() {
        let cal = calendar();
        let mut clock = five_days_from_friday();
        // Friday 27, the last day, 10:00 WITA.
        clock.pause(utc("2026-11-27T02:00:00Z")).unwrap();
        assert!(!clock.breached(&cal, utc("2026-11-28T02:00:00Z")).unwrap());
        assert_eq!(clock.remaining(&cal, utc("2026-11-28T02:00:00Z")).unwrap(), Remaining::OnTime { working_days: 0 });
        // The answer comes on Monday: the agency has Monday.
        clock.resume(utc("2026-11-30T01:00:00Z")).unwrap();
        assert_eq!(clock.due(&cal).unwrap().due_date, d("2026-11-30"));
        assert!(!clock.breached(&cal, utc("2026-11-30T15:59:59Z")).unwrap());
        assert!(clock.breached(&cal, utc("2026-11-30T16:00:00Z")).unwrap());
    }

    #[test]
    fn a_case_already_late_stays_late_while_it_waits() {
        let cal = calendar();
        let mut clock = five_days_from_friday();
        clock.pause(utc("2026-12-01T02:00:00Z")).unwrap();
        assert!(clock.breached(&cal, utc("2026-12-10T02:00:00Z")).unwrap());
        assert_eq!(clock.remaining(&cal, utc("2026-12-10T02:00:00Z")).unwrap(), Remaining::Late { working_days: 2 });
    }

    #[test]
    fn the_clock_refuses_instructions_out_of_order() {
        let start = utc("2026-11-20T01:00:00Z");
        let mut clock = five_days_from_friday();
        assert_eq!(clock.resume(start), Err(SlaError::NotPaused));
        let before = utc("2026-11-20T00:59:59Z");
        assert_eq!(clock.pause(before), Err(SlaError::BeforeLastEvent(before)));
        // Pausing the moment the clock starts is allowed.
        clock.pause(start).unwrap();
        assert_eq!(clock.pause(utc("2026-11-21T00:00:00Z")), Err(SlaError::AlreadyPaused));
        assert_eq!(clock.resume(before), Err(SlaError::BeforeLastEvent(before)));
        let resumed = utc("2026-11-23T01:00:00Z");
        clock.resume(resumed).unwrap();
        let earlier = utc("2026-11-22T01:00:00Z");
        assert_eq!(clock.pause(earlier), Err(SlaError::BeforeLastEvent(earlier)));
        clock.pause(resumed).unwrap();
        // A resume at the very instant of the pause is a pause of no time.
        clock.resume(resumed).unwrap();
        assert_eq!(clock.paused_working_days(&calendar()).unwrap(), 1);
    }

    #[test]
    fn the_clock_is_bounded_in_days_pauses_and_years() {
        let start = utc("2026-01-05T01:00:00Z");
        assert_eq!(SlaClock::start(start, 261, IndonesianTimeZone::Wib), Err(SlaError::TooManyDays(261)));
        assert!(SlaClock::start(start, MAX_WORKING_DAYS, IndonesianTimeZone::Wib).is_ok());

        let mut clock = SlaClock::start(start, 5, IndonesianTimeZone::Wib).unwrap();
        for _ in 0..MAX_PAUSES {
            clock.pause(start).unwrap();
            clock.resume(start).unwrap();
        }
        assert_eq!(clock.pause(start), Err(SlaError::TooManyPauses));

        // A deadline running into a year the calendar does not hold is refused, not guessed.
        let late_in_year = SlaClock::start(utc("2026-12-28T01:00:00Z"), 5, IndonesianTimeZone::Wib).unwrap();
        assert_eq!(late_in_year.due(&calendar()), Err(SlaError::Calendar(CalendarError::YearNotCovered(2027))));
    }

    mod properties {
        use super::super::*;
        use chrono::{Days, Duration};
        use proptest::prelude::*;

        fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
            prop::collection::vec(0u64..730, 0..40).prop_map(|offsets| {
                let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
                WorkingCalendar::new([2025, 2026], offsets.into_iter().map(|o| first + Days::new(o))).unwrap()
            })
        }

        proptest! {
            /// Waiting on the citizen only ever moves the deadline later, by exactly the working days
            /// the pauses covered, and a paused clock reads the same however long the pause lasts.
            #[test]
            fn pauses_add_back_their_working_days_and_freeze_the_reading(
                cal in any_calendar(),
                start_hour in 0i64..(24 * 200),
                working_days in 0u32..=60,
                pauses in prop::collection::vec((0i64..300, 0i64..300), 0..8),
                zone in prop::sample::select(IndonesianTimeZone::ALL.to_vec()),
            ) {
                let start = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap().with_timezone(&Utc)
                    + Duration::hours(start_hour);
                let plain = SlaClock::start(start, working_days, zone).unwrap();
                let mut clock = plain.clone();
                let mut at = start;
                let mut added = 0;
                for (gap, length) in pauses {
                    let began = at + Duration::hours(gap);
                    let ended = began + Duration::hours(length);
                    clock.pause(began).unwrap();
                    let reading = clock.remaining(&cal, began).unwrap();
                    prop_assert_eq!(clock.remaining(&cal, ended).unwrap(), reading);
                    prop_assert_eq!(clock.breached(&cal, ended).unwrap(), clock.breached(&cal, began).unwrap());
                    clock.resume(ended).unwrap();
                    added += cal.working_days_between(zone.local_date(began), zone.local_date(ended)).unwrap();
                    at = ended;
                }
                prop_assert_eq!(clock.paused_working_days(&cal).unwrap(), added);
                let due = clock.due(&cal).unwrap();
                let plain_due = plain.due(&cal).unwrap();
                prop_assert!(due.due_date >= plain_due.due_date);
                prop_assert_eq!(due.due_date, cal.add_working_days(zone.local_date(start), working_days + added).unwrap());
                prop_assert!(cal.is_working_day(due.due_date).unwrap());
            }
        }
    }
}
