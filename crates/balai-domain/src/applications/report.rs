//! Unit reports: what a head of agency reads about each service and unit — received, completed,
//! backlog, SLA compliance, average and p90 completion in working days, breaches by step. Pure
//! arithmetic over the facts the store reads; the store never computes a percentage itself.

use serde::Serialize;

/// One closed or open case as the report counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFact {
    /// Received in the reported period.
    pub received: bool,
    /// Completed in the reported period, with the working days it took and whether by its deadline.
    pub completed: Option<Completion>,
    /// Still open now.
    pub open: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Completion {
    pub working_days: u32,
    pub on_time: bool,
}

/// The figures of one line of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub received: u64,
    pub completed: u64,
    pub backlog: u64,
    /// Completed on time as a share of completed, in percent with one decimal; `None` with nothing completed.
    pub sla_compliance_percent: Option<f64>,
    /// Mean working days to complete, one decimal.
    pub average_working_days: Option<f64>,
    /// The 90th percentile (nearest rank) of working days to complete.
    pub p90_working_days: Option<u32>,
}

/// Rounds to one decimal, as the report shows it.
fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The nearest-rank percentile `p` (0–100) of sorted values.
pub fn nearest_rank(sorted: &[u32], p: u32) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // rank = ceil(p/100 · n), at least 1.
    let rank = (usize::try_from(p.min(100)).unwrap_or(100) * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

pub fn figures(facts: &[CaseFact]) -> Figures {
    let received = facts.iter().filter(|f| f.received).count() as u64;
    let backlog = facts.iter().filter(|f| f.open).count() as u64;
    let mut days: Vec<u32> = facts.iter().filter_map(|f| f.completed.map(|c| c.working_days)).collect();
    days.sort_unstable();
    let completed = days.len() as u64;
    let on_time = facts.iter().filter(|f| f.completed.is_some_and(|c| c.on_time)).count() as f64;
    let (compliance, average) = if completed == 0 {
        (None, None)
    } else {
        let total: u64 = days.iter().map(|d| u64::from(*d)).sum();
        (Some(one_decimal(on_time * 100.0 / completed as f64)), Some(one_decimal(total as f64 / completed as f64)))
    };
    Figures {
        received,
        completed,
        backlog,
        sla_compliance_percent: compliance,
        average_working_days: average,
        p90_working_days: nearest_rank(&days, 90),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(days: u32, on_time: bool) -> CaseFact {
        CaseFact { received: true, completed: Some(Completion { working_days: days, on_time }), open: false }
    }

    #[test]
    fn the_p90_is_the_nearest_rank() {
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&ten, 100), Some(10));
        assert_eq!(nearest_rank(&ten, 0), Some(1));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&(1..=20).collect::<Vec<_>>(), 90), Some(18));
        assert_eq!(nearest_rank(&(1..=11).collect::<Vec<_>>(), 90), Some(10), "ceil(9.9) = 10");
        assert_eq!(nearest_rank(&[], 90), None);
    }

    #[test]
    fn figures_count_each_case_once_and_share_on_time_among_completed() {
        let facts = [
            done(2, true),
            done(5, true),
            done(9, false),
            CaseFact { received: true, completed: None, open: true },
            CaseFact { received: false, completed: None, open: true },
            CaseFact { received: true, completed: None, open: false },
        ];
        let f = figures(&facts);
        assert_eq!((f.received, f.completed, f.backlog), (5, 3, 2));
        assert_eq!(f.sla_compliance_percent, Some(66.7));
        assert_eq!(f.average_working_days, Some(5.3));
        assert_eq!(f.p90_working_days, Some(9));
    }

    #[test]
    fn nothing_completed_has_no_rates() {
        let f = figures(&[CaseFact { received: true, completed: None, open: true }]);
        assert_eq!(f, Figures { received: 1, completed: 0, backlog: 1, ..Figures::default() });
    }
}
