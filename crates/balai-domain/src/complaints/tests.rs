use super::*;

#[test]
fn every_final_status_is_one_of_the_four_outcomes() {
    let finals: Vec<_> = ComplaintStatus::ALL.into_iter().filter(|s| s.is_final()).collect();
    assert_eq!(finals, [S::Resolved, S::Unresolved, S::NotOurAuthority, S::Duplicate]);
}
