//! The job queue: a job exists only if the command that queued it committed; due jobs are claimed once
//! however many workers and processes ask; only the current lease records an outcome; failures retry
//! at the time asked and end dead; a deduplication key queues a job once; payloads are bounded.

use crate::support::{another_pool, fixture};
use balai_store::jobs::{self, ClaimedJob, JobRecord, JobStatus, NewJob};
use balai_store::{Db, StoreError};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::json;
use std::collections::BTreeSet;

crate::conformance!(
    a_job_queued_in_a_rolled_back_transaction_does_not_exist,
    a_claim_takes_only_due_jobs_of_its_kinds_oldest_first_and_each_once,
    concurrent_claimers_on_two_pools_never_get_the_same_job,
    a_worker_whose_lease_ran_out_and_was_taken_over_records_nothing,
    a_failed_job_returns_at_its_retry_time_with_one_more_attempt,
    a_job_that_uses_up_its_attempts_or_is_failed_without_retry_is_dead,
    a_job_whose_worker_vanished_on_its_last_attempt_is_dead,
    an_extended_lease_keeps_the_job_from_other_workers,
    completion_inside_a_transaction_lands_only_if_that_transaction_commits,
    the_same_dedupe_key_is_queued_once_while_a_job_with_it_is_unfinished,
    two_commands_queueing_the_same_key_at_once_make_one_job,
    purging_removes_only_jobs_done_before_the_cut_off,
    an_oversized_payload_or_a_bad_kind_is_refused_and_nothing_is_queued,
);

const CHECK: &str = "test_breach_check";
const OTHER: &str = "test_other";

fn lease() -> Duration {
    Duration::seconds(30)
}

/// PostgreSQL keeps microseconds: times compared after a round trip are cut there.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

fn new_job(kind: &'static str, run_at: DateTime<Utc>) -> NewJob<'static> {
    NewJob {
        kind,
        government_id: None,
        payload: json!({"case": 12, "step": 3}),
        run_at,
        max_attempts: 3,
        dedupe_key: None,
    }
}

async fn enqueue(db: &Db, job: &NewJob<'_>) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn claim(db: &Db, kinds: &[&str], at: DateTime<Utc>) -> Vec<ClaimedJob> {
    jobs::claim(db, kinds, at, lease(), 10).await.unwrap()
}

async fn record(db: &Db, id: i64) -> JobRecord {
    jobs::job(db, id).await.unwrap().expect("the job exists")
}

fn ids(claimed: &[ClaimedJob]) -> Vec<i64> {
    claimed.iter().map(|j| j.id).collect()
}

async fn a_job_queued_in_a_rolled_back_transaction_does_not_exist(db: Db) {
    let f = fixture(&db).await;
    let now = now();
    let job = NewJob { government_id: Some(f.government.id), ..new_job(CHECK, now) };
    let mut tx = db.begin().await.unwrap();
    let id = jobs::enqueue(&mut tx, &job).await.unwrap();
    drop(tx);
    assert_eq!(jobs::job(&db, id).await.unwrap(), None);
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 0);
    assert!(claim(&db, &[CHECK], now + Duration::days(1)).await.is_empty(), "nothing to run");

    let id = enqueue(&db, &job).await;
    let claimed = claim(&db, &[CHECK], now).await;
    assert_eq!(ids(&claimed), [id]);
    assert_eq!(claimed[0].kind, CHECK);
    assert_eq!(claimed[0].government_id, Some(f.government.id));
    assert_eq!(claimed[0].payload, json!({"case": 12, "step": 3}));
    assert_eq!(claimed[0].attempts, 1);
}

async fn a_claim_takes_only_due_jobs_of_its_kinds_oldest_first_and_each_once(db: Db) {
    let now = now();
    let later = enqueue(&db, &new_job(CHECK, now + Duration::minutes(10))).await;
    let on_time = enqueue(&db, &new_job(CHECK, now)).await;
    let early = enqueue(&db, &new_job(CHECK, now - Duration::minutes(1))).await;
    let other = enqueue(&db, &new_job(OTHER, now - Duration::minutes(1))).await;

    let first = jobs::claim(&db, &[CHECK], now, lease(), 1).await.unwrap();
    assert_eq!(ids(&first), [early], "the limit is kept, the oldest due first");
    assert_eq!(ids(&claim(&db, &[CHECK], now).await), [on_time], "a job due this instant is due");
    assert!(claim(&db, &[CHECK], now).await.is_empty(), "leased jobs and future jobs are not taken");
    assert_eq!(ids(&claim(&db, &[OTHER, CHECK], now).await), [other], "another kind, asked for");
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 3, "running jobs are unfinished");

    assert!(jobs::complete(&db, &first[0].lease, now).await.unwrap());
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 2);
    // Ten minutes on: the job that came due, and the one whose lease ran out without an outcome.
    let claimed = claim(&db, &[CHECK], now + Duration::minutes(10)).await;
    assert_eq!(ids(&claimed), [on_time, later]);
    assert_eq!(claimed.iter().map(|j| j.attempts).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(record(&db, early).await.status, JobStatus::Done);
    assert!(claim(&db, &[CHECK, OTHER], now + Duration::days(1)).await.iter().all(|j| j.id != early), "done is done");
}

async fn concurrent_claimers_on_two_pools_never_get_the_same_job(db: Db) {
    let second = another_pool(&db).await;
    let mut queued = BTreeSet::new();
    for i in 0..40 {
        let job = NewJob { payload: json!({"n": i}), ..new_job(CHECK, now() - Duration::seconds(1)) };
        queued.insert(enqueue(&db, &job).await);
    }
    let now = now();
    let mut workers = Vec::new();
    for pool in [db.clone(), second.clone(), db.clone(), second.clone()] {
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = jobs::claim(&pool, &[CHECK], now, lease(), 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut claimed = Vec::new();
    for worker in workers {
        claimed.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
    assert_eq!(distinct.len(), claimed.len(), "a job was claimed twice: {claimed:?}");
    assert_eq!(distinct, queued, "every job was claimed");
    for id in queued {
        assert_eq!(record(&db, id).await.attempts, 1, "job {id} was claimed once");
    }
    second.close().await;
}

async fn a_worker_whose_lease_ran_out_and_was_taken_over_records_nothing(db: Db) {
    let now = now();
    let id = enqueue(&db, &new_job(CHECK, now)).await;
    let slow = claim(&db, &[CHECK], now).await.remove(0);
    let later = now + lease() + Duration::seconds(1);
    let quick = claim(&db, &[CHECK], later).await.remove(0);
    assert_eq!((quick.id, quick.attempts), (id, 2));
    assert_ne!(slow.lease, quick.lease, "each claim has its own token");

    let retry_at = later + Duration::minutes(5);
    assert!(jobs::fail(&db, &quick.lease, later, "upstream busy", Some(retry_at)).await.unwrap());
    // The slow worker wakes up: none of its outcomes lands.
    assert!(!jobs::complete(&db, &slow.lease, later).await.unwrap());
    let mut tx = db.begin().await.unwrap();
    assert!(!jobs::complete_in(&mut tx, &slow.lease, later).await.unwrap());
    tx.commit().await.unwrap();
    assert!(!jobs::fail(&db, &slow.lease, later, "timed out", None).await.unwrap());
    assert!(!jobs::extend(&db, &slow.lease, later, Duration::hours(1)).await.unwrap());
    let job = record(&db, id).await;
    assert_eq!(
        (job.status, job.run_at, job.attempts, job.last_error.as_deref(), job.finished_at),
        (JobStatus::Pending, retry_at, 2, Some("upstream busy"), None),
        "the quick worker's failure stands"
    );

    // Nor can the quick worker, whose claim has ended, touch the next claimant's run.
    let third = claim(&db, &[CHECK], retry_at).await.remove(0);
    assert!(!jobs::complete(&db, &quick.lease, retry_at).await.unwrap());
    assert!(jobs::complete(&db, &third.lease, retry_at).await.unwrap());
    assert!(!jobs::fail(&db, &slow.lease, retry_at, "timed out", None).await.unwrap());
    let job = record(&db, id).await;
    assert_eq!((job.status, job.attempts, job.finished_at), (JobStatus::Done, 3, Some(retry_at)));
}

async fn a_failed_job_returns_at_its_retry_time_with_one_more_attempt(db: Db) {
    let now = now();
    let id = enqueue(&db, &new_job(CHECK, now)).await;
    let first = claim(&db, &[CHECK], now).await.remove(0);
    assert_eq!(first.attempts, 1);
    let retry_at = now + jobs::backoff(first.attempts);
    assert!(jobs::fail(&db, &first.lease, now, "upstream answered HTTP 503", Some(retry_at)).await.unwrap());
    let job = record(&db, id).await;
    assert_eq!(
        (job.status, job.run_at, job.leased_until, job.last_error.as_deref()),
        (JobStatus::Pending, retry_at, None, Some("upstream answered HTTP 503"))
    );
    assert!(claim(&db, &[CHECK], retry_at - Duration::seconds(1)).await.is_empty(), "not before its retry time");
    let second = claim(&db, &[CHECK], retry_at).await;
    assert_eq!(ids(&second), [id]);
    assert_eq!(second[0].attempts, 2);
    assert_ne!(second[0].lease, first.lease);
}

async fn a_job_that_uses_up_its_attempts_or_is_failed_without_retry_is_dead(db: Db) {
    let mut at = now();
    let id = enqueue(&db, &new_job(CHECK, at)).await;
    for attempt in 1..=3 {
        let claimed = claim(&db, &[CHECK], at).await;
        assert_eq!(ids(&claimed), [id], "due again at attempt {attempt}");
        assert_eq!(claimed[0].attempts, attempt);
        let retry_at = at + jobs::backoff(attempt);
        assert!(jobs::fail(&db, &claimed[0].lease, at, "upstream answered HTTP 503", Some(retry_at)).await.unwrap());
        if attempt < 3 {
            at = retry_at;
        }
    }
    let job = record(&db, id).await;
    assert_eq!(
        (job.status, job.attempts, job.finished_at, job.last_error.as_deref()),
        (JobStatus::Dead, 3, Some(at), Some("upstream answered HTTP 503"))
    );
    assert!(claim(&db, &[CHECK], at + Duration::days(1)).await.is_empty(), "dead is dead");
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 0);

    // Failed without a retry: dead at once, whatever attempts are left.
    let later = at + Duration::days(2);
    let hopeless = enqueue(&db, &new_job(CHECK, later)).await;
    let claimed = claim(&db, &[CHECK], later).await.remove(0);
    assert!(jobs::fail(&db, &claimed.lease, later, "the case no longer exists", None).await.unwrap());
    let job = record(&db, hopeless).await;
    assert_eq!((job.status, job.attempts, job.finished_at), (JobStatus::Dead, 1, Some(later)));
    let dead = jobs::dead_jobs(&db, 10).await.unwrap();
    assert_eq!(dead.iter().map(|j| j.id).collect::<Vec<_>>(), [hopeless, id], "the latest given up first");
    assert_eq!(jobs::dead_jobs(&db, 1).await.unwrap().len(), 1);
}

async fn a_job_whose_worker_vanished_on_its_last_attempt_is_dead(db: Db) {
    let now = now();
    let id = enqueue(&db, &NewJob { max_attempts: 1, ..new_job(CHECK, now) }).await;
    let vanished = claim(&db, &[CHECK], now).await.remove(0);
    let later = now + lease() + Duration::seconds(1);
    assert!(claim(&db, &[CHECK], later).await.is_empty(), "no attempts left");
    let job = record(&db, id).await;
    assert_eq!((job.status, job.finished_at), (JobStatus::Dead, Some(later)));
    assert!(job.last_error.is_some_and(|e| e.contains("lease")), "the reason says what happened");
    assert!(!jobs::complete(&db, &vanished.lease, later).await.unwrap(), "a dead job stays dead");
}

async fn an_extended_lease_keeps_the_job_from_other_workers(db: Db) {
    let now = now();
    let id = enqueue(&db, &new_job(CHECK, now)).await;
    let long = claim(&db, &[CHECK], now).await.remove(0);
    assert!(jobs::extend(&db, &long.lease, now + Duration::seconds(20), lease()).await.unwrap());
    assert_eq!(record(&db, id).await.leased_until, Some(now + Duration::seconds(50)));
    assert!(claim(&db, &[CHECK], now + Duration::seconds(40)).await.is_empty(), "still leased");
    assert!(jobs::complete(&db, &long.lease, now + Duration::seconds(45)).await.unwrap());

    // A lease that ran out with nobody else claiming the job still records the outcome.
    let unhurried = enqueue(&db, &new_job(CHECK, now)).await;
    let claimed = claim(&db, &[CHECK], now).await.remove(0);
    assert_eq!(claimed.id, unhurried);
    assert!(jobs::complete(&db, &claimed.lease, now + Duration::minutes(5)).await.unwrap());
    assert_eq!(record(&db, unhurried).await.status, JobStatus::Done);
}

async fn completion_inside_a_transaction_lands_only_if_that_transaction_commits(db: Db) {
    let now = now();
    let id = enqueue(&db, &new_job(CHECK, now)).await;
    let claimed = claim(&db, &[CHECK], now).await.remove(0);
    let mut tx = db.begin().await.unwrap();
    assert!(jobs::complete_in(&mut tx, &claimed.lease, now).await.unwrap());
    drop(tx);
    assert_eq!(record(&db, id).await.status, JobStatus::Pending, "rolled back with the effect");

    let mut tx = db.begin().await.unwrap();
    assert!(jobs::complete_in(&mut tx, &claimed.lease, now).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(record(&db, id).await.status, JobStatus::Done);
    assert!(claim(&db, &[CHECK], now + Duration::days(1)).await.is_empty());
}

async fn the_same_dedupe_key_is_queued_once_while_a_job_with_it_is_unfinished(db: Db) {
    let now = now();
    let key = "case-12-step-3";
    let keyed = |kind| NewJob { dedupe_key: Some(key), ..new_job(kind, now) };
    let first = enqueue(&db, &keyed(CHECK)).await;
    assert_eq!(enqueue(&db, &keyed(CHECK)).await, first, "queued once");
    let mut tx = db.begin().await.unwrap();
    let again = jobs::enqueue(&mut tx, &keyed(CHECK)).await.unwrap();
    let once_more = jobs::enqueue(&mut tx, &keyed(CHECK)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((again, once_more), (first, first));
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 1);

    let other_kind = enqueue(&db, &keyed(OTHER)).await;
    assert_ne!(other_kind, first, "keys are per kind");
    let other_key = enqueue(&db, &NewJob { dedupe_key: Some("case-12-step-4"), ..new_job(CHECK, now) }).await;
    assert_ne!(other_key, first);
    let unkeyed = [enqueue(&db, &new_job(CHECK, now)).await, enqueue(&db, &new_job(CHECK, now)).await];
    assert_ne!(unkeyed[0], unkeyed[1], "jobs without a key are never merged");

    // A running job is unfinished too; once it is done the key is free.
    let running = claim(&db, &[CHECK], now).await;
    let held = running.iter().find(|j| j.id == first).expect("the keyed job is claimed");
    assert_eq!(enqueue(&db, &keyed(CHECK)).await, first);
    assert!(jobs::complete(&db, &held.lease, now).await.unwrap());
    let next = enqueue(&db, &keyed(CHECK)).await;
    assert_ne!(next, first, "a finished job does not hold its key");
    assert_eq!(record(&db, next).await.dedupe_key.as_deref(), Some(key));
}

async fn two_commands_queueing_the_same_key_at_once_make_one_job(db: Db) {
    let second = another_pool(&db).await;
    let now = now();
    let job = NewJob { dedupe_key: Some("case-12-step-3"), ..new_job(CHECK, now) };
    let mut first = db.begin().await.unwrap();
    let id = jobs::enqueue(&mut first, &job).await.unwrap();
    // The other command starts while the first is still open: it waits (SQLite's writer lock, or
    // PostgreSQL's check of the uncommitted key) and then finds the first command's job.
    let other = tokio::spawn(async move {
        let job = NewJob { dedupe_key: Some("case-12-step-3"), ..new_job(CHECK, now) };
        let mut tx = second.begin().await.unwrap();
        let id = jobs::enqueue(&mut tx, &job).await.unwrap();
        tx.commit().await.unwrap();
        second.close().await;
        id
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.unwrap();
    assert_eq!(other.await.unwrap(), id);
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 1);
}

async fn purging_removes_only_jobs_done_before_the_cut_off(db: Db) {
    let now = now();
    let [old, recent, dead, waiting] = [
        enqueue(&db, &new_job(CHECK, now)).await,
        enqueue(&db, &new_job(CHECK, now)).await,
        enqueue(&db, &new_job(CHECK, now)).await,
        enqueue(&db, &new_job(CHECK, now + Duration::days(30))).await,
    ];
    let claimed = claim(&db, &[CHECK], now).await;
    assert_eq!(ids(&claimed), [old, recent, dead]);
    assert!(jobs::complete(&db, &claimed[0].lease, now).await.unwrap());
    assert!(jobs::complete(&db, &claimed[1].lease, now + Duration::days(8)).await.unwrap());
    assert!(jobs::fail(&db, &claimed[2].lease, now, "the case no longer exists", None).await.unwrap());

    assert_eq!(jobs::purge_done(&db, now + Duration::days(7)).await.unwrap(), 1);
    assert_eq!(jobs::job(&db, old).await.unwrap(), None);
    for kept in [recent, dead, waiting] {
        assert!(jobs::job(&db, kept).await.unwrap().is_some(), "job {kept} is kept");
    }
}

async fn an_oversized_payload_or_a_bad_kind_is_refused_and_nothing_is_queued(db: Db) {
    let now = now();
    let overhead = serde_json::to_string(&json!({"note": ""})).unwrap().len();
    let sized = |bytes: usize| NewJob { payload: json!({"note": "x".repeat(bytes - overhead)}), ..new_job(CHECK, now) };
    let mut tx = db.begin().await.unwrap();
    let fits = jobs::enqueue(&mut tx, &sized(jobs::MAX_PAYLOAD_BYTES)).await.unwrap();
    match jobs::enqueue(&mut tx, &sized(jobs::MAX_PAYLOAD_BYTES + 1)).await {
        Err(StoreError::Invalid(errors)) => assert!(errors.for_field("payload").is_some(), "{errors:?}"),
        other => panic!("an oversized payload was not refused: {other:?}"),
    }
    match jobs::enqueue(&mut tx, &new_job("Breach Check", now)).await {
        Err(StoreError::Invalid(errors)) => assert!(errors.for_field("kind").is_some(), "{errors:?}"),
        other => panic!("a kind that is no code was not refused: {other:?}"),
    }
    match jobs::enqueue(&mut tx, &NewJob { max_attempts: 0, ..new_job(CHECK, now) }).await {
        Err(StoreError::Invalid(errors)) => assert!(errors.for_field("max_attempts").is_some(), "{errors:?}"),
        other => panic!("a job that may never run was not refused: {other:?}"),
    }
    let long_key = "k".repeat(jobs::MAX_DEDUPE_KEY_BYTES + 1);
    for key in ["", long_key.as_str()] {
        match jobs::enqueue(&mut tx, &NewJob { dedupe_key: Some(key), ..new_job(CHECK, now) }).await {
            Err(StoreError::Invalid(errors)) => assert!(errors.for_field("dedupe_key").is_some(), "{errors:?}"),
            other => panic!("a dedupe key of {} bytes was not refused: {other:?}", key.len()),
        }
    }
    tx.commit().await.unwrap();
    assert_eq!(jobs::pending_count(&db, CHECK).await.unwrap(), 1, "only the payload that fits was queued");
    let claimed = claim(&db, &[CHECK], now).await;
    assert_eq!(ids(&claimed), [fits]);
    assert_eq!(serde_json::to_string(&claimed[0].payload).unwrap().len(), jobs::MAX_PAYLOAD_BYTES);
}
