use super::*;
use crate::cases::TransitionError;
use proptest::prelude::*;
use std::collections::{HashSet, VecDeque};

fn go(from: ComplaintStatus, event: ComplaintEvent) -> Result<ComplaintStatus, TransitionError<S, E>> {
    COMPLAINT_FLOW.transition(from, event)
}

/// The statuses from which `event` is allowed.
fn allowed_from(event: ComplaintEvent) -> Vec<ComplaintStatus> {
    ComplaintStatus::ALL.into_iter().filter(|s| go(*s, event).is_ok()).collect()
}

// ---------------------------------------------------------------------------------------------
// The flow
// ---------------------------------------------------------------------------------------------

#[test]
fn every_final_status_is_one_of_the_four_outcomes() {
    let finals: Vec<_> = ComplaintStatus::ALL.into_iter().filter(|s| s.is_final()).collect();
    assert_eq!(finals, [S::Resolved, S::Unresolved, S::NotOurAuthority, S::Duplicate]);
}

#[test]
fn a_closed_report_refuses_every_event_as_closed() {
    for state in ComplaintStatus::ALL.into_iter().filter(|s| s.is_final()) {
        for event in ComplaintEvent::ALL {
            assert_eq!(go(state, event), Err(TransitionError::Closed { state, event }), "{state:?} {event:?}");
        }
    }
}

#[test]
fn an_open_report_refuses_an_event_not_in_the_table_as_not_allowed() {
    let mut refused = 0;
    for state in ComplaintStatus::ALL.into_iter().filter(|s| !s.is_final()) {
        for event in ComplaintEvent::ALL {
            let listed = COMPLAINT_FLOW.transitions().iter().find(|t| t.from == state && t.event == event);
            match listed {
                Some(step) => assert_eq!(go(state, event), Ok(step.to)),
                None => {
                    refused += 1;
                    assert_eq!(go(state, event), Err(TransitionError::NotAllowed { state, event }));
                }
            }
        }
    }
    // 5 open statuses × 13 events, 25 of them allowed.
    assert_eq!(refused, 5 * 13 - 25);
    assert_eq!(COMPLAINT_FLOW.transitions().len(), 25);
}

#[test]
fn the_table_lists_each_step_once() {
    let mut seen = HashSet::new();
    for t in COMPLAINT_FLOW.transitions() {
        assert!(seen.insert((t.from, t.event)), "{:?} {:?} listed twice", t.from, t.event);
    }
}

#[test]
fn the_reporter_acts_only_on_an_answer_accept_resolves_and_reopen_sends_it_back_to_the_agency() {
    for event in ComplaintEvent::ALL.into_iter().filter(|e| e.by() == EventBy::Reporter) {
        assert_eq!(allowed_from(event), [S::Answered], "{event:?}");
    }
    assert_eq!(go(S::Answered, E::Accept), Ok(S::Resolved));
    assert_eq!(go(S::Answered, E::Reopen), Ok(S::Disposed));
}

#[test]
fn a_report_lapses_into_resolved_only_from_answered() {
    assert_eq!(allowed_from(E::Lapse), [S::Answered]);
    assert_eq!(go(S::Answered, E::Lapse), Ok(S::Resolved));
}

#[test]
fn only_the_agency_answers_or_returns_and_only_while_it_holds_the_report() {
    for event in ComplaintEvent::ALL.into_iter().filter(|e| e.by() == EventBy::Agency) {
        assert_eq!(allowed_from(event), [S::Disposed], "{event:?}");
    }
    assert_eq!(go(S::Disposed, E::Answer), Ok(S::Answered));
    assert_eq!(go(S::Disposed, E::Return), Ok(S::Verified));
}

#[test]
fn a_rerouted_report_starts_again_as_submitted() {
    assert_eq!(allowed_from(E::Reroute), [S::Submitted, S::Verified]);
    for from in allowed_from(E::Reroute) {
        assert_eq!(go(from, E::Reroute), Ok(S::Submitted));
    }
}

#[test]
fn disposition_happens_after_verification_or_onwards_from_an_agency() {
    assert_eq!(allowed_from(E::Dispose), [S::Verified, S::Disposed]);
    for from in allowed_from(E::Dispose) {
        assert_eq!(go(from, E::Dispose), Ok(S::Disposed));
    }
}

#[test]
fn the_desk_verifies_holds_and_resumes_before_disposition() {
    assert_eq!(allowed_from(E::Verify), [S::Submitted]);
    assert_eq!(go(S::Submitted, E::Verify), Ok(S::Verified));
    assert_eq!(allowed_from(E::Hold), [S::Submitted, S::Verified]);
    assert_eq!(allowed_from(E::Resume), [S::OnHold]);
    assert_eq!(go(S::OnHold, E::Resume), Ok(S::Submitted));
    assert_eq!(allowed_from(E::NotOurAuthority), [S::Submitted, S::OnHold, S::Verified]);
}

#[test]
fn every_open_report_can_be_closed_without_resolution() {
    for state in ComplaintStatus::ALL.into_iter().filter(|s| !s.is_final()) {
        assert_eq!(go(state, E::CloseUnresolved), Ok(S::Unresolved), "{state:?}");
    }
}

#[test]
fn an_answered_report_cannot_be_marked_a_duplicate() {
    assert_eq!(allowed_from(E::MarkDuplicate), [S::Submitted, S::OnHold, S::Verified, S::Disposed]);
}

#[test]
fn every_open_status_has_a_way_to_a_final_one_and_every_status_is_reachable() {
    let reachable_from = |start: ComplaintStatus| {
        let mut seen = HashSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(state) = queue.pop_front() {
            for t in COMPLAINT_FLOW.transitions().iter().filter(|t| t.from == state) {
                if seen.insert(t.to) {
                    queue.push_back(t.to);
                }
            }
        }
        seen
    };
    for state in ComplaintStatus::ALL.into_iter().filter(|s| !s.is_final()) {
        assert!(reachable_from(state).iter().any(|s| s.is_final()), "{state:?} cannot be closed");
        // And the happy path: every open report can still end resolved.
        assert!(reachable_from(state).contains(&S::Resolved), "{state:?} cannot end resolved");
    }
    assert_eq!(reachable_from(S::Submitted).len(), ComplaintStatus::ALL.len());
}

#[test]
fn the_clock_stops_exactly_when_the_report_is_closed_and_waits_while_the_reporter_is_asked() {
    for state in ComplaintStatus::ALL {
        let expected = match state {
            _ if state.is_final() => ClockRule::Stops,
            S::OnHold | S::Answered => ClockRule::Pauses,
            _ => ClockRule::Runs,
        };
        assert_eq!(state.clock(), expected, "{state:?}");
    }
}

#[test]
fn who_causes_each_event() {
    let expected = [
        (E::Verify, EventBy::Desk),
        (E::Hold, EventBy::Desk),
        (E::Resume, EventBy::Desk),
        (E::Reroute, EventBy::Desk),
        (E::NotOurAuthority, EventBy::Desk),
        (E::Dispose, EventBy::Desk),
        (E::Return, EventBy::Agency),
        (E::Answer, EventBy::Agency),
        (E::Accept, EventBy::Reporter),
        (E::Reopen, EventBy::Reporter),
        (E::Lapse, EventBy::System),
        (E::CloseUnresolved, EventBy::Desk),
        (E::MarkDuplicate, EventBy::Desk),
    ];
    assert_eq!(expected.map(|(e, _)| e), ComplaintEvent::ALL);
    for (event, by) in expected {
        assert_eq!(event.by(), by, "{event:?}");
    }
}

#[test]
fn events_that_must_say_why() {
    let with_reason: Vec<_> = ComplaintEvent::ALL.into_iter().filter(|e| e.needs_reason()).collect();
    assert_eq!(
        with_reason,
        [E::Hold, E::Reroute, E::NotOurAuthority, E::Return, E::Answer, E::Reopen, E::CloseUnresolved]
    );
}

/// `code`/`parse` round trip, unique codes, and nothing else parses.
fn check_codes<T: Copy + PartialEq + std::fmt::Debug>(
    all: &[T],
    code: fn(T) -> &'static str,
    parse: fn(&str) -> Option<T>,
) {
    let mut seen = HashSet::new();
    for &value in all {
        let text = code(value);
        assert!(!text.is_empty() && text.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()));
        assert!(seen.insert(text), "{text} used twice");
        assert_eq!(parse(text), Some(value));
        assert_eq!(parse(&text.to_uppercase()), None);
    }
    assert_eq!(parse(""), None);
    assert_eq!(parse("xyzzy"), None);
}

#[test]
fn stored_codes_read_back_and_are_unique() {
    check_codes(&ReportKind::ALL, ReportKind::code, ReportKind::parse);
    check_codes(&Channel::ALL, Channel::code, Channel::parse);
    check_codes(&ComplaintClass::ALL, ComplaintClass::code, ComplaintClass::parse);
    check_codes(&ComplaintStatus::ALL, ComplaintStatus::code, ComplaintStatus::parse);
    check_codes(&ComplaintEvent::ALL, ComplaintEvent::code, ComplaintEvent::parse);
    // The codes already stored or quoted elsewhere.
    assert_eq!(ReportKind::InformationRequest.code(), "informasi");
    assert_eq!(Channel::Whistleblowing.code(), "wbs");
    assert_eq!(ComplaintStatus::NotOurAuthority.code(), "not_our_authority");
    assert_eq!(ComplaintEvent::CloseUnresolved.code(), "close_unresolved");
}

/// Every label says something, and no two values of one type read alike in one language.
fn check_labels<T: Copy + std::fmt::Debug>(all: &[T], label: fn(T, Lang) -> &'static str) {
    for lang in Lang::ALL {
        let mut seen = HashSet::new();
        for &value in all {
            let text = label(value, lang);
            assert!(!text.trim().is_empty(), "{value:?} {lang:?}");
            assert!(seen.insert(text), "{text} twice");
        }
    }
    assert_ne!(label(all[0], Lang::Id), label(all[0], Lang::En));
}

#[test]
fn labels_are_given_in_both_languages_and_tell_values_apart() {
    check_labels(&ReportKind::ALL, ReportKind::label);
    check_labels(&ComplaintClass::ALL, ComplaintClass::label);
    check_labels(&ComplaintStatus::ALL, ComplaintStatus::label);
    check_labels(&ComplaintEvent::ALL, ComplaintEvent::label);
    assert_eq!(ComplaintStatus::Resolved.label(Lang::Id), "Selesai");
    assert_eq!(ComplaintEvent::Dispose.label(Lang::Id), "Disposisi");
}

#[test]
fn an_information_request_gets_the_information_deadline_unless_the_desk_decides_otherwise() {
    assert_eq!(ReportKind::InformationRequest.default_class(), ComplaintClass::Information);
    assert_eq!(ReportKind::Complaint.default_class(), ComplaintClass::Ordinary);
    assert_eq!(ReportKind::Aspiration.default_class(), ComplaintClass::Ordinary);
}

// ---------------------------------------------------------------------------------------------
// Deadline rules
// ---------------------------------------------------------------------------------------------

#[test]
fn the_default_deadlines_are_the_lapor_figures() {
    let d = DeadlineRules::DEFAULT;
    assert_eq!(
        (d.verify_days, d.information_days, d.ordinary_days, d.supervisory_days, d.response_days, d.reopen_days),
        (3, 5, 14, 60, 10, 5)
    );
    assert_eq!(d.check(), Ok(()));
    assert_eq!(d.answer_days(ComplaintClass::Information), 5);
    assert_eq!(d.answer_days(ComplaintClass::Ordinary), 14);
    assert_eq!(d.answer_days(ComplaintClass::Supervisory), 60);
}

#[test]
fn the_answer_deadline_follows_the_governments_own_rules_per_class() {
    let rules =
        DeadlineRules { information_days: 7, ordinary_days: 21, supervisory_days: 90, ..DeadlineRules::DEFAULT };
    assert_eq!(ComplaintClass::ALL.map(|c| rules.answer_days(c)), [7, 21, 90]);
}

type Setter = fn(&mut DeadlineRules, u32);

const FIELDS: [(&str, Setter); 6] = [
    ("verify_days", |r, v| r.verify_days = v),
    ("information_days", |r, v| r.information_days = v),
    ("ordinary_days", |r, v| r.ordinary_days = v),
    ("supervisory_days", |r, v| r.supervisory_days = v),
    ("response_days", |r, v| r.response_days = v),
    ("reopen_days", |r, v| r.reopen_days = v),
];

#[test]
fn a_deadline_outside_one_to_the_maximum_is_refused_by_its_own_name() {
    let range = Rule::OutOfRange { min: 1, max: i64::from(MAX_WORKING_DAYS) };
    for (field, set) in FIELDS {
        for bad in [0, MAX_WORKING_DAYS + 1, u32::MAX] {
            let mut rules = DeadlineRules::DEFAULT;
            set(&mut rules, bad);
            let errors = rules.check().expect_err(field);
            assert_eq!(errors.0.len(), 1, "{field} = {bad}: {errors:?}");
            assert_eq!(errors.for_field(field), Some(&range), "{field} = {bad}");
        }
        for good in [1, MAX_WORKING_DAYS] {
            let mut rules = DeadlineRules::DEFAULT;
            set(&mut rules, good);
            assert_eq!(rules.check(), Ok(()), "{field} = {good}");
        }
    }
}

#[test]
fn every_wrong_deadline_is_reported_at_once() {
    let zero = DeadlineRules {
        verify_days: 0,
        information_days: 0,
        ordinary_days: 0,
        supervisory_days: 0,
        response_days: 0,
        reopen_days: 0,
    };
    let fields: Vec<_> = zero.check().unwrap_err().0.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, FIELDS.map(|(f, _)| f));
}

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

const KUPANG: GeoPoint = GeoPoint { lat: -10.1772, lon: 123.6070 };
const JAKARTA: GeoPoint = GeoPoint { lat: -6.2088, lon: 106.8456 };
/// Kota Kupang, roughly.
const KUPANG_AREA: GeoBox = GeoBox { min_lat: -10.26, min_lon: 123.52, max_lat: -10.10, max_lon: 123.70 };
/// Kota Batam with its islands, roughly: Singapore is just north of it.
const BATAM_AREA: GeoBox = GeoBox { min_lat: 0.40, min_lon: 103.60, max_lat: 1.22, max_lon: 104.60 };

fn parse_err(lat: &str, lon: &str, area: Option<&GeoBox>) -> FieldErrors {
    GeoPoint::parse(lat, lon, area).expect_err(&format!("{lat}, {lon} accepted"))
}

#[test]
fn a_point_in_kupang_is_accepted_as_written() {
    assert_eq!(GeoPoint::parse("-10.1772", "123.6070", None), Ok(KUPANG));
    assert_eq!(GeoPoint::parse(" -10.1772 ", "\t123.6070\n", Some(&KUPANG_AREA)), Ok(KUPANG));
    assert_eq!(GeoPoint::parse("-6", "+107", None), Ok(GeoPoint { lat: -6.0, lon: 107.0 }));
}

#[test]
fn degrees_beyond_the_globe_are_out_of_range_on_their_own_field() {
    let lat_range = Rule::OutOfRange { min: -90, max: 90 };
    let long_range = Rule::OutOfRange { min: -180, max: 180 };
    for lat in ["91", "-91", "90.0001"] {
        let errors = parse_err(lat, "123.6070", None);
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert_eq!(errors.for_field("lat"), Some(&lat_range), "{lat}");
    }
    for lon in ["181", "-181", "180.5"] {
        let errors = parse_err("-10.1772", lon, None);
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert_eq!(errors.for_field("long"), Some(&long_range), "{lon}");
    }
    let both = parse_err("91", "181", None);
    assert_eq!(both.0.len(), 2);
    assert_eq!(both.for_field("lat"), Some(&lat_range));
    assert_eq!(both.for_field("long"), Some(&long_range));
}

#[test]
fn the_edges_of_the_globe_are_degrees_but_not_in_indonesia() {
    for (lat, lon) in [("90", "123.6"), ("-90", "123.6"), ("-10.1", "180"), ("-10.1", "-180")] {
        let errors = parse_err(lat, lon, None);
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert_eq!(errors.for_field("location"), Some(&Rule::OutsideArea { area: "Indonesia" }));
    }
}

#[test]
fn what_is_not_a_decimal_degree_is_a_format_error() {
    let forty = format!("-10.{}", "1".repeat(36));
    assert_eq!(forty.len(), 40);
    for bad in ["abc", "NaN", "nan", "inf", "-inf", "infinity", "1e1", "-10,1772", "10°", "--10", "1.2.3", &forty] {
        let errors = parse_err(bad, "123.6070", None);
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert_eq!(errors.for_field("lat"), Some(&Rule::Format { expected: "-10.1772" }), "{bad}");
        let errors = parse_err("-10.1772", bad, None);
        assert_eq!(errors.0.len(), 1, "{errors:?}");
        assert_eq!(errors.for_field("long"), Some(&Rule::Format { expected: "123.6070" }), "{bad}");
    }
    // 32 characters still read.
    let long_enough = format!("-10.{}", "1".repeat(28));
    assert_eq!(long_enough.len(), 32);
    assert!(GeoPoint::parse(&long_enough, "123.6070", None).is_ok());
}

#[test]
fn an_empty_coordinate_is_required() {
    for empty in ["", "   "] {
        let errors = parse_err(empty, "123.6070", None);
        assert_eq!(errors.0, [crate::validation::FieldError { field: "lat".into(), rule: Rule::Required }]);
        let errors = parse_err("-10.1772", empty, None);
        assert_eq!(errors.0, [crate::validation::FieldError { field: "long".into(), rule: Rule::Required }]);
    }
    assert_eq!(parse_err("", "", None).0.len(), 2);
}

#[test]
fn a_point_far_from_indonesia_is_refused_as_outside_indonesia() {
    for (place, lat, lon) in [("Sydney", "-33.86", "151.2"), ("Manila", "14.6", "121.0"), ("Null Island", "0", "0")] {
        let errors = parse_err(lat, lon, None);
        assert_eq!(errors.0.len(), 1, "{place}: {errors:?}");
        assert_eq!(errors.for_field("location"), Some(&Rule::OutsideArea { area: "Indonesia" }), "{place}");
        // The national check comes first: a government's area does not add a second error.
        assert_eq!(parse_err(lat, lon, Some(&KUPANG_AREA)).0.len(), 1, "{place}");
    }
    // Sabang, Merauke, Miangas and Rote are in.
    for (lat, lon) in [("5.89", "95.32"), ("-8.49", "140.40"), ("5.56", "126.58"), ("-10.75", "123.12")] {
        assert!(GeoPoint::parse(lat, lon, None).is_ok(), "{lat}, {lon}");
    }
}

#[test]
fn a_governments_area_refuses_a_point_outside_it() {
    let government = Rule::OutsideArea { area: "government" };
    let errors = parse_err("-6.2088", "106.8456", Some(&KUPANG_AREA));
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.for_field("location"), Some(&government));
    // Singapore lies inside the national rectangle; Batam's own area keeps it out.
    assert!(GeoPoint::parse("1.29", "103.85", None).is_ok());
    assert_eq!(parse_err("1.29", "103.85", Some(&BATAM_AREA)).for_field("location"), Some(&government));
    assert!(GeoPoint::parse("1.13", "104.05", Some(&BATAM_AREA)).is_ok());
}

#[test]
fn the_location_messages_say_which_area() {
    let indonesia = Rule::OutsideArea { area: "Indonesia" };
    let government = Rule::OutsideArea { area: "government" };
    assert!(indonesia.message(Lang::Id).contains("Indonesia"));
    assert!(indonesia.message(Lang::En).contains("Indonesia"));
    assert!(government.message(Lang::Id).contains("pemerintah daerah"));
    assert!(government.message(Lang::En).contains("government"));
}

#[test]
fn kupang_to_jakarta_is_about_1900_km() {
    // 1,897.9 km on the WGS 84 ellipsoid; the sphere is within 1% of it.
    let d = KUPANG.distance_m(&JAKARTA);
    assert!((d - 1_897_873.0).abs() < 18_979.0, "{d}");
    assert_eq!(JAKARTA.distance_m(&KUPANG), d);
    assert_eq!(KUPANG.distance_m(&KUPANG), 0.0);
    // One degree of latitude is about 111 km; one of longitude at the equator too.
    let one_north = GeoPoint { lat: 1.0, lon: 120.0 }.distance_m(&GeoPoint { lat: 0.0, lon: 120.0 });
    assert!((one_north - 111_195.0).abs() < 1.0, "{one_north}");
    let one_east = GeoPoint { lat: 0.0, lon: 120.0 }.distance_m(&GeoPoint { lat: 0.0, lon: 121.0 });
    assert!((one_east - 111_195.0).abs() < 1.0, "{one_east}");
    // And shrinks with the cosine of the latitude away from it.
    let at_10_south = GeoPoint { lat: -10.0, lon: 120.0 }.distance_m(&GeoPoint { lat: -10.0, lon: 121.0 });
    assert!((at_10_south - 111_195.0 * 10f64.to_radians().cos()).abs() < 10.0, "{at_10_south}");
    // The far side of the earth: half its circumference.
    let antipode = GeoPoint { lat: 0.0, lon: 0.0 }.distance_m(&GeoPoint { lat: 0.0, lon: 180.0 });
    assert!((antipode - std::f64::consts::PI * 6_371_008.8).abs() < 1.0, "{antipode}");
}

#[test]
fn a_box_makes_sense_only_when_ordered_finite_and_inside_indonesia() {
    assert!(GeoBox::INDONESIA.is_valid());
    assert!(KUPANG_AREA.is_valid());
    assert!(BATAM_AREA.is_valid());
    let swapped_lat = GeoBox { min_lat: KUPANG_AREA.max_lat, max_lat: KUPANG_AREA.min_lat, ..KUPANG_AREA };
    let swapped_lon = GeoBox { min_lon: KUPANG_AREA.max_lon, max_lon: KUPANG_AREA.min_lon, ..KUPANG_AREA };
    let flat = GeoBox { max_lat: KUPANG_AREA.min_lat, ..KUPANG_AREA };
    let thin = GeoBox { max_lon: KUPANG_AREA.min_lon, ..KUPANG_AREA };
    let to_sydney = GeoBox { min_lat: -34.0, ..KUPANG_AREA };
    let to_manila = GeoBox { max_lat: 15.0, ..BATAM_AREA };
    let west_of_sabang = GeoBox { min_lon: 90.0, ..BATAM_AREA };
    let east_of_merauke = GeoBox { max_lon: 150.0, ..KUPANG_AREA };
    for bad in [swapped_lat, swapped_lon, flat, thin, to_sydney, to_manila, west_of_sabang, east_of_merauke] {
        assert!(!bad.is_valid(), "{bad:?}");
    }
    for v in [f64::NAN, f64::INFINITY] {
        assert!(!GeoBox { min_lat: v, ..KUPANG_AREA }.is_valid());
        assert!(!GeoBox { min_lon: v, ..KUPANG_AREA }.is_valid());
        assert!(!GeoBox { max_lat: v, ..KUPANG_AREA }.is_valid());
        assert!(!GeoBox { max_lon: v, ..KUPANG_AREA }.is_valid());
    }
}

#[test]
fn a_box_contains_its_edges_and_nothing_beyond() {
    let b = KUPANG_AREA;
    for (lat, lon) in [(b.min_lat, b.min_lon), (b.max_lat, b.max_lon), (b.min_lat, b.max_lon), (-10.2, 123.6)] {
        assert!(b.contains(GeoPoint { lat, lon }), "{lat}, {lon}");
    }
    for (lat, lon) in
        [(b.min_lat - 0.001, 123.6), (b.max_lat + 0.001, 123.6), (-10.2, b.min_lon - 0.001), (-10.2, b.max_lon + 0.001)]
    {
        assert!(!b.contains(GeoPoint { lat, lon }), "{lat}, {lon}");
    }
}

/// The point `metres` from `from` in the direction `bearing` (degrees from north), on the sphere.
fn destination(from: GeoPoint, bearing: f64, metres: f64) -> GeoPoint {
    let (lat1, lon1, theta) = (from.lat.to_radians(), from.lon.to_radians(), bearing.to_radians());
    let delta = metres / 6_371_008.8;
    let lat2 = (lat1.sin() * delta.cos() + lat1.cos() * delta.sin() * theta.cos()).asin();
    let lon2 = lon1 + (theta.sin() * delta.sin() * lat1.cos()).atan2(delta.cos() - lat1.sin() * lat2.sin());
    GeoPoint { lat: lat2.to_degrees(), lon: lon2.to_degrees() }
}

#[test]
fn the_box_around_a_point_is_no_bigger_than_its_circle_needs() {
    for radius in [10.0, 1_000.0, 50_000.0] {
        let b = GeoBox::around(KUPANG, radius);
        assert!(b.is_valid());
        for bearing in [0.0, 90.0, 180.0, 270.0] {
            let beyond = destination(KUPANG, bearing, radius * 1.001 + 0.1);
            assert!(!b.contains(beyond), "{radius} m, {bearing}°");
        }
    }
    // A negative radius is no radius: the box is the point.
    let b = GeoBox::around(KUPANG, -5.0);
    assert!(b.contains(KUPANG));
    assert!(!b.contains(destination(KUPANG, 0.0, 0.1)));
}

#[test]
fn the_box_around_a_point_reaches_the_whole_circle_in_every_direction() {
    // Away from the equator a kilometre is more degrees of longitude: Sabang, Kupang, Rote.
    for center in [GeoPoint { lat: 5.89, lon: 95.32 }, KUPANG, GeoPoint { lat: -10.75, lon: 123.12 }] {
        for radius in [100.0, 5_000.0, 100_000.0] {
            let b = GeoBox::around(center, radius);
            for step in 0..24 {
                let edge = destination(center, f64::from(step) * 15.0, radius);
                assert!(b.contains(edge), "{center:?} {radius} m {}°", step * 15);
            }
        }
    }
}

#[test]
fn a_circle_that_reaches_a_pole_spans_every_longitude() {
    let quarter = 6_371_008.8 * std::f64::consts::FRAC_PI_2;
    let b = GeoBox::around(GeoPoint { lat: 0.0, lon: 120.0 }, quarter);
    assert_eq!((b.min_lon, b.max_lon), (-60.0, 300.0));
    let b = GeoBox::around(KUPANG, 20_000_000.0);
    assert_eq!((b.min_lon, b.max_lon), (KUPANG.lon - 180.0, KUPANG.lon + 180.0));
    // From Kupang, 10° south, a circle of 95% of a quarter reaches the south pole.
    let b = GeoBox::around(KUPANG, quarter * 0.95);
    assert_eq!((b.min_lon, b.max_lon), (KUPANG.lon - 180.0, KUPANG.lon + 180.0));
    let b = GeoBox::around(GeoPoint { lat: 0.0, lon: 120.0 }, quarter * 0.99);
    assert!(b.max_lon - b.min_lon < 360.0);
}

/// Indonesia less a margin, so a box of up to 100 km around stays inside.
fn point_in_indonesia() -> impl Strategy<Value = GeoPoint> {
    (-10.0..5.0f64, 96.0..140.0f64).prop_map(|(lat, lon)| GeoPoint { lat, lon })
}

proptest! {
    #[test]
    fn the_box_around_a_point_holds_every_point_within_the_radius(
        center in point_in_indonesia(),
        radius in 1.0..100_000.0f64,
        bearing in 0.0..360.0f64,
        share in 0.0..=1.0f64,
    ) {
        let b = GeoBox::around(center, radius);
        prop_assert!(b.is_valid(), "{:?}", b);
        let inside = destination(center, bearing, radius * share);
        prop_assert!((center.distance_m(&inside) - radius * share).abs() < 0.01);
        prop_assert!(b.contains(inside), "{:?} {:?}", b, inside);
    }

    #[test]
    fn distance_is_symmetric_and_zero_only_to_itself(a in point_in_indonesia(), b in point_in_indonesia()) {
        let d = a.distance_m(&b);
        prop_assert_eq!(d, b.distance_m(&a));
        prop_assert_eq!(a.distance_m(&a), 0.0);
        prop_assert!((0.0..6_000_000.0).contains(&d));
        if a != b {
            prop_assert!(d > 0.0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ratings
// ---------------------------------------------------------------------------------------------

#[test]
fn one_to_five_stars_are_a_rating() {
    for stars in 1..=5u8 {
        let rating = Rating::parse(&stars.to_string(), "").unwrap();
        assert_eq!(rating, Rating { stars, comment: String::new() });
    }
    assert_eq!(
        Rating::parse(" 4 ", "  Cepat ditangani.  ").unwrap(),
        Rating { stars: 4, comment: "Cepat ditangani.".into() }
    );
}

#[test]
fn other_stars_are_out_of_range() {
    for bad in ["0", "6", "x", "", "-1", "256", "4.5"] {
        let errors = Rating::parse(bad, "").expect_err(bad);
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.for_field("stars"), Some(&Rule::OutOfRange { min: 1, max: 5 }), "{bad}");
    }
}

#[test]
fn a_comment_is_at_most_the_limit_in_characters() {
    // Characters, not bytes: "é" is two bytes.
    let longest = "é".repeat(MAX_COMMENT_CHARS);
    assert_eq!(Rating::parse("5", &longest).unwrap().comment, longest);
    let too_long = "é".repeat(MAX_COMMENT_CHARS + 1);
    let errors = Rating::parse("5", &too_long).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.for_field("comment"), Some(&Rule::TooLong { max: MAX_COMMENT_CHARS }));
    assert_eq!(Rating::parse("9", &too_long).unwrap_err().0.len(), 2);
}
