use super::*;
use crate::cases::TransitionError;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn route(steps: usize, fee_due: bool) -> Route {
    Route { steps: (0..steps).map(|i| RouteStep { unit_id: 10 + i as i64, sla_days: 1 + i as u32 }).collect(), fee_due }
}

fn at(status: ApplicationStatus, step: usize, paid: bool) -> Position {
    Position { status, step, paid }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fee {
    None,
    Unpaid,
    Paid,
}

/// The rules of the module documentation, written out case by case for a three-step route.
fn expected(status: St, event: Ev, step: usize, fee: Fee) -> Result<Position, WorkflowError> {
    let paid = fee == Fee::Paid;
    let here = |status| Ok(at(status, step, paid));
    match (status, event) {
        (St::Completed | St::Rejected, _) => Err(WorkflowError::Closed { status, event }),
        (St::InProgress, Ev::Verify) if step == 2 => Err(WorkflowError::LastStep),
        (St::InProgress, Ev::Verify) if step == 1 && fee == Fee::Unpaid => Ok(at(St::AwaitingPayment, 2, false)),
        (St::InProgress, Ev::Verify) => Ok(at(St::InProgress, step + 1, paid)),
        (St::InProgress, Ev::Forward) => here(St::InProgress),
        (St::InProgress, Ev::RequestCorrection) => here(St::AwaitingCorrection),
        (St::InProgress, Ev::Complete) if step != 2 => Err(WorkflowError::NotLastStep),
        (St::InProgress, Ev::Complete) if fee == Fee::Unpaid => Err(WorkflowError::PaymentOutstanding),
        (St::InProgress, Ev::Complete) => here(St::Completed),
        (St::InProgress | St::AwaitingCorrection | St::AwaitingPayment, Ev::Reject) => here(St::Rejected),
        (St::AwaitingCorrection, Ev::Resubmit) => here(St::InProgress),
        (St::AwaitingPayment, Ev::RecordPayment) => Ok(at(St::InProgress, step, true)),
        _ => Err(WorkflowError::NotAllowed { status, event }),
    }
}

#[test]
fn every_status_and_event_at_the_first_middle_and_last_step_with_and_without_a_fee() {
    let mut legal = 0;
    let mut illegal = 0;
    for fee in [Fee::None, Fee::Unpaid, Fee::Paid] {
        let route = route(3, fee != Fee::None);
        for status in St::ALL {
            for step in 0..3 {
                let position = at(status, step, fee == Fee::Paid);
                let offered = allowed_events(&route, position);
                for event in Ev::ALL {
                    let want = expected(status, event, step, fee);
                    let got = apply(&route, position, event);
                    assert_eq!(got, want, "{status:?} at step {step}, fee {fee:?}: {event:?}");
                    assert_eq!(offered.contains(&event), want.is_ok(), "{status:?} at {step}, {fee:?}: {event:?}");
                    if want.is_ok() { legal += 1 } else { illegal += 1 }
                }
            }
        }
    }
    // The expectation table is not one-sided.
    assert_eq!(legal + illegal, 3 * 5 * 3 * 7);
    assert!(legal > 40 && illegal > 150, "{legal} legal, {illegal} illegal");
}

#[test]
fn a_paid_service_runs_its_steps_waits_for_payment_then_completes() {
    let route = route(3, true);
    let mut position = start(&route).unwrap();
    assert_eq!(position, at(St::InProgress, 0, false));
    let mut statuses = vec![];
    for event in
        [Ev::Forward, Ev::Verify, Ev::RequestCorrection, Ev::Resubmit, Ev::Verify, Ev::RecordPayment, Ev::Complete]
    {
        position = apply(&route, position, event).unwrap();
        statuses.push((position.status, position.step, position.paid));
    }
    assert_eq!(
        statuses,
        [
            (St::InProgress, 0, false),
            (St::InProgress, 1, false),
            (St::AwaitingCorrection, 1, false),
            (St::InProgress, 1, false),
            (St::AwaitingPayment, 2, false),
            (St::InProgress, 2, true),
            (St::Completed, 2, true),
        ]
    );
    assert!(allowed_events(&route, position).is_empty());
}

#[test]
fn a_free_service_never_waits_for_payment() {
    let route = route(2, false);
    let position = apply(&route, start(&route).unwrap(), Ev::Verify).unwrap();
    assert_eq!(position, at(St::InProgress, 1, false));
    assert_eq!(allowed_events(&route, position), [Ev::Forward, Ev::RequestCorrection, Ev::Reject, Ev::Complete]);
    assert_eq!(apply(&route, position, Ev::Complete), Ok(at(St::Completed, 1, false)));
    assert_eq!(
        apply(&route, position, Ev::RecordPayment),
        Err(WorkflowError::NotAllowed { status: St::InProgress, event: Ev::RecordPayment })
    );
}

#[test]
fn a_single_step_service_with_a_fee_starts_by_waiting_for_payment() {
    let paid_route = route(1, true);
    let position = start(&paid_route).unwrap();
    assert_eq!(position, at(St::AwaitingPayment, 0, false));
    assert_eq!(allowed_events(&paid_route, position), [Ev::Reject, Ev::RecordPayment]);
    let paid = apply(&paid_route, position, Ev::RecordPayment).unwrap();
    assert_eq!(paid, at(St::InProgress, 0, true));
    assert_eq!(apply(&paid_route, paid, Ev::Complete), Ok(at(St::Completed, 0, true)));
    // Without a fee it starts in progress and can be completed at once.
    let free = route(1, false);
    assert_eq!(start(&free), Ok(at(St::InProgress, 0, false)));
    assert_eq!(apply(&free, at(St::InProgress, 0, false), Ev::Verify), Err(WorkflowError::LastStep));
    // A longer route with a fee starts working; payment comes before the last step.
    assert_eq!(start(&route(2, true)), Ok(at(St::InProgress, 0, false)));
}

#[test]
fn a_fee_paid_early_is_not_asked_for_again() {
    let route = route(2, true);
    assert_eq!(apply(&route, at(St::InProgress, 0, true), Ev::Verify), Ok(at(St::InProgress, 1, true)));
}

#[test]
fn a_service_without_steps_or_a_case_past_the_route_is_refused() {
    let empty = route(0, false);
    assert_eq!(start(&empty), Err(WorkflowError::EmptyRoute));
    for event in Ev::ALL {
        assert_eq!(apply(&empty, at(St::InProgress, 0, false), event), Err(WorkflowError::EmptyRoute));
    }
    assert!(allowed_events(&empty, at(St::InProgress, 0, false)).is_empty());

    let short = route(2, false);
    let lost = at(St::InProgress, 2, false);
    assert_eq!(apply(&short, lost, Ev::Forward), Err(WorkflowError::StepOutOfRoute { step: 2, steps: 2 }));
    assert!(allowed_events(&short, lost).is_empty());
    // A closed case stays closed whatever its step.
    assert_eq!(
        apply(&short, at(St::Completed, 7, false), Ev::Reject),
        Err(WorkflowError::Closed { status: St::Completed, event: Ev::Reject })
    );
}

#[test]
fn a_route_comes_from_the_standards_steps_and_fee() {
    let mut standard = crate::catalogue::tests::birth_certificate();
    let route = Route::from_standard(&standard);
    assert_eq!(route.steps.len(), standard.steps.len());
    for (step, source) in route.steps.iter().zip(&standard.steps) {
        assert_eq!(step.unit_id, source.unit_id);
        assert_eq!(i64::from(step.sla_days), source.sla_days);
    }
    assert_eq!(route.fee_due, !standard.fee.is_free());
    standard.fee = crate::Rupiah(25_000);
    standard.steps[0].sla_days = -3;
    standard.steps[1].sla_days = 10_000;
    let route = Route::from_standard(&standard);
    assert!(route.fee_due);
    assert_eq!(route.steps[0].sla_days, 0);
    assert_eq!(route.steps[1].sla_days, MAX_WORKING_DAYS);
    standard.fee = crate::Rupiah(0);
    assert!(!Route::from_standard(&standard).fee_due);
}

#[test]
fn statuses_and_events_round_trip_their_codes() {
    for status in St::ALL {
        assert_eq!(St::parse(status.code()), Some(status));
        assert_eq!(serde_json::to_value(status).unwrap(), status.code());
    }
    for event in Ev::ALL {
        assert_eq!(Ev::parse(event.code()), Some(event));
        assert_eq!(serde_json::to_value(event).unwrap(), event.code());
    }
    assert_eq!(
        St::ALL.map(St::code),
        ["in_progress", "awaiting_correction", "awaiting_payment", "completed", "rejected"]
    );
    assert_eq!(
        Ev::ALL.map(Ev::code),
        ["verify", "forward", "request_correction", "resubmit", "reject", "complete", "record_payment"]
    );
    assert_eq!(St::parse("In_progress"), None);
    assert_eq!(St::parse(""), None);
    assert_eq!(Ev::parse("Verify"), None);
}

#[test]
fn labels_are_distinct_and_indonesian_first() {
    assert_eq!(St::InProgress.label(Lang::Id), "Diproses");
    assert_eq!(St::AwaitingCorrection.label(Lang::En), "Correction needed");
    assert_eq!(St::AwaitingPayment.label(Lang::Id), "Menunggu pembayaran");
    assert_eq!(Ev::Verify.label(Lang::Id), "Verifikasi & teruskan ke tahap berikutnya");
    assert_eq!(Ev::Forward.label(Lang::Id), "Disposisi ke unit lain");
    assert_eq!(Ev::RecordPayment.label(Lang::Id), "Catat pembayaran");
    for lang in Lang::ALL {
        let statuses: BTreeSet<_> = St::ALL.iter().map(|s| s.label(lang)).collect();
        assert_eq!(statuses.len(), St::ALL.len());
        let events: BTreeSet<_> = Ev::ALL.iter().map(|e| e.label(lang)).collect();
        assert_eq!(events.len(), Ev::ALL.len());
    }
    for status in St::ALL {
        assert_ne!(status.label(Lang::Id), status.label(Lang::En), "{status:?}");
    }
    for event in Ev::ALL {
        assert_ne!(event.label(Lang::Id), event.label(Lang::En), "{event:?}");
    }
}

#[test]
fn who_acts_and_who_must_give_a_reason() {
    let citizen: Vec<_> = Ev::ALL.into_iter().filter(|e| e.party() == Party::Citizen).collect();
    assert_eq!(citizen, [Ev::Resubmit]);
    let reasoned: Vec<_> = Ev::ALL.into_iter().filter(|e| e.needs_reason()).collect();
    assert_eq!(reasoned, [Ev::Forward, Ev::RequestCorrection, Ev::Reject]);
}

#[test]
fn the_clock_runs_while_the_agency_works_pauses_for_the_citizen_and_stops_at_the_end() {
    assert_eq!(St::InProgress.clock(), ClockRule::Runs);
    assert_eq!(St::AwaitingCorrection.clock(), ClockRule::Pauses);
    assert_eq!(St::AwaitingPayment.clock(), ClockRule::Pauses);
    assert_eq!(St::Completed.clock(), ClockRule::Stops);
    assert_eq!(St::Rejected.clock(), ClockRule::Stops);
    for status in St::ALL {
        assert_eq!(status.is_final(), status.clock() == ClockRule::Stops, "{status:?}");
    }
}

/// The table: one outcome per (status, event); every open status can reach a final one.
#[test]
fn the_status_table_is_sound() {
    let table = APPLICATION_FLOW.transitions();
    let keys: BTreeSet<String> = table.iter().map(|t| format!("{:?}/{:?}", t.from, t.event)).collect();
    assert_eq!(keys.len(), table.len(), "a (status, event) pair appears twice");
    for t in table {
        assert_eq!(APPLICATION_FLOW.transition(t.from, t.event), Ok(t.to), "{t:?}");
    }
    assert_eq!(
        APPLICATION_FLOW.transition(St::Rejected, Ev::Verify),
        Err(TransitionError::Closed { state: St::Rejected, event: Ev::Verify })
    );
    assert_eq!(
        APPLICATION_FLOW.transition(St::AwaitingPayment, Ev::Verify),
        Err(TransitionError::NotAllowed { state: St::AwaitingPayment, event: Ev::Verify })
    );
    assert_eq!(APPLICATION_FLOW.events(St::AwaitingCorrection).collect::<Vec<_>>(), [Ev::Resubmit, Ev::Reject]);
    for status in St::ALL {
        let closes =
            APPLICATION_FLOW.events(status).any(|e| APPLICATION_FLOW.transition(status, e).unwrap().is_final());
        assert_eq!(closes, !status.is_final(), "{status:?}");
    }
}

#[test]
fn every_refusal_reads_as_a_sentence_in_each_language() {
    let errors = [
        WorkflowError::EmptyRoute,
        WorkflowError::Closed { status: St::Completed, event: Ev::Reject },
        WorkflowError::NotAllowed { status: St::AwaitingPayment, event: Ev::Complete },
        WorkflowError::NotLastStep,
        WorkflowError::LastStep,
        WorkflowError::PaymentOutstanding,
        WorkflowError::StepOutOfRoute { step: 3, steps: 2 },
    ];
    let mut seen = BTreeSet::new();
    for error in &errors {
        for lang in Lang::ALL {
            let message = error.message(lang);
            assert!(message.ends_with('.'), "{message}");
            assert!(seen.insert(message.clone()), "repeated: {message}");
        }
    }
    assert_eq!(errors[1].message(Lang::Id), "Permohonan ini sudah selesai; \"Tolak\" tidak dapat dilakukan lagi.");
    assert_eq!(
        errors[2].message(Lang::En),
        "\"Complete\" is not possible while the application is \"Awaiting payment\"."
    );
    // Steps are counted from 1 for people.
    assert!(errors[6].message(Lang::En).contains("at step 4 but the service has only 2 steps"));
}

fn any_route() -> impl Strategy<Value = Route> {
    (0usize..6, any::<bool>()).prop_map(|(steps, fee)| route(steps, fee))
}

fn any_position() -> impl Strategy<Value = Position> {
    (0usize..5, 0usize..8, any::<bool>()).prop_map(|(s, step, paid)| at(St::ALL[s], step, paid))
}

fn any_events() -> impl Strategy<Value = Vec<Ev>> {
    prop::collection::vec((0usize..7).prop_map(|i| Ev::ALL[i]), 0..60)
}

proptest! {
    #[test]
    fn the_events_offered_are_exactly_those_that_succeed(route in any_route(), position in any_position()) {
        let offered = allowed_events(&route, position);
        let succeeding: Vec<Ev> = Ev::ALL.into_iter().filter(|&e| apply(&route, position, e).is_ok()).collect();
        prop_assert_eq!(offered, succeeding);
    }

    #[test]
    fn no_sequence_of_events_reopens_a_case_or_runs_past_the_route(route in any_route(), events in any_events()) {
        let Ok(mut position) = start(&route) else {
            prop_assert!(route.steps.is_empty());
            return Ok(());
        };
        for event in events {
            prop_assert_eq!(
                allowed_events(&route, position),
                Ev::ALL.into_iter().filter(|&e| apply(&route, position, e).is_ok()).collect::<Vec<_>>()
            );
            match apply(&route, position, event) {
                Ok(next) => {
                    prop_assert!(!position.status.is_final(), "{:?} left a final status", event);
                    prop_assert!(next.step < route.steps.len());
                    prop_assert!(next.step == position.step || next.step == position.step + 1);
                    prop_assert!(next.paid || !position.paid, "payment forgotten");
                    if next.status == St::Completed {
                        prop_assert_eq!(next.step, route.steps.len() - 1);
                        prop_assert!(next.paid || !route.fee_due, "completed without payment");
                    }
                    if next.status == St::AwaitingPayment {
                        prop_assert!(route.fee_due && !next.paid && next.step == route.steps.len() - 1);
                    }
                    position = next;
                }
                Err(WorkflowError::Closed { .. }) => prop_assert!(position.status.is_final()),
                Err(error) => prop_assert!(!position.status.is_final(), "{:?}", error),
            }
        }
    }
}
