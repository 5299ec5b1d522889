//! The organisation of a government: its agencies (perangkat daerah, OPD) and each agency's tree of
//! units (unit kerja). Other contexts only point into it: a case sits at a [`Place`], an officer
//! belongs to one, the permission check is asked about one, a service step names a unit.

use crate::region::{RegionCode, is_known_region};
use crate::validation::{FieldErrors, Rule};
use serde::Serialize;

/// A place in a government's organisation: the government as a whole, one of its agencies, or a unit
/// of an agency. A unit is only ever named together with its agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    pub government_id: i64,
    pub agency_id: Option<i64>,
    /// `None`: the agency as a whole (for a case: not yet forwarded to a unit, disposisi).
    pub unit_id: Option<i64>,
}

impl Place {
    pub fn government(government_id: i64) -> Place {
        Place { government_id, agency_id: None, unit_id: None }
    }

    pub fn agency(government_id: i64, agency_id: i64) -> Place {
        Place { government_id, agency_id: Some(agency_id), unit_id: None }
    }

    pub fn unit(government_id: i64, agency_id: i64, unit_id: i64) -> Place {
        Place { government_id, agency_id: Some(agency_id), unit_id: Some(unit_id) }
    }
}

/// A government may only be created for a region code the national list knows.
pub fn check_new_government(region_code: &RegionCode) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if !is_known_region(region_code.as_str()) {
        errors.push("region_code", Rule::Unknown);
    }
    errors.into_result()
}

/// A unit's parent must be a unit of the same agency.
pub fn check_unit_parent(agency_id: i64, parent_agency_id: i64) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if parent_agency_id != agency_id {
        errors.push("parent", Rule::Unknown);
    }
    errors.into_result()
}

/// A unit as the tree sees it: its id and its parent's.
pub trait UnitNode {
    fn id(&self) -> i64;
    fn parent_id(&self) -> Option<i64>;
}

/// How deep a unit tree is followed. Only hand-edited data can hold a cycle; stopping here keeps
/// a display from looping on it.
pub const MAX_UNIT_DEPTH: usize = 16;

/// A unit's depth in its agency's tree (0 for top-level units), for indented display.
pub fn unit_depth<U: UnitNode>(unit: &U, all: &[U]) -> usize {
    let mut depth = 0;
    let mut parent = unit.parent_id();
    while let Some(p) = parent {
        depth += 1;
        parent = all.iter().find(|u| u.id() == p).and_then(|u| u.parent_id());
        if depth > MAX_UNIT_DEPTH {
            break;
        }
    }
    depth
}

/// Units in tree order: each parent before its children, siblings in the order given. A unit whose
/// parent is not among them (or that sits in a cycle) is left out.
pub fn tree_order<U: UnitNode + Clone>(units: Vec<U>) -> Vec<U> {
    fn visit<U: UnitNode + Clone>(parent: Option<i64>, all: &[U], out: &mut Vec<U>, depth: usize) {
        if depth > MAX_UNIT_DEPTH {
            return;
        }
        for u in all.iter().filter(|u| u.parent_id() == parent) {
            out.push(u.clone());
            visit(Some(u.id()), all, out, depth + 1);
        }
    }
    let mut out = Vec::with_capacity(units.len());
    visit(None, &units, &mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct U(i64, Option<i64>);

    impl UnitNode for U {
        fn id(&self) -> i64 {
            self.0
        }
        fn parent_id(&self) -> Option<i64> {
            self.1
        }
    }

    #[test]
    fn places_name_a_unit_only_with_its_agency() {
        assert_eq!(Place::government(1), Place { government_id: 1, agency_id: None, unit_id: None });
        assert_eq!(Place::agency(1, 2), Place { government_id: 1, agency_id: Some(2), unit_id: None });
        assert_eq!(Place::unit(1, 2, 3), Place { government_id: 1, agency_id: Some(2), unit_id: Some(3) });
    }

    /// A chain of `len` units, each the child of the one before.
    fn chain(len: i64) -> Vec<U> {
        (1..=len).map(|id| U(id, (id > 1).then_some(id - 1))).collect()
    }

    #[test]
    fn a_tree_as_deep_as_the_limit_is_shown_whole_and_a_deeper_one_stops_there() {
        let levels = MAX_UNIT_DEPTH as i64 + 1; // depths 0 ..= MAX_UNIT_DEPTH
        assert_eq!(tree_order(chain(levels)).len(), levels as usize);
        assert_eq!(tree_order(chain(levels + 3)).len(), levels as usize);
        let deep = chain(levels + 3);
        assert_eq!(unit_depth(&deep[5], &deep), 5);
        assert_eq!(unit_depth(deep.last().unwrap(), &deep), MAX_UNIT_DEPTH + 1);
    }

    #[test]
    fn parents_come_before_children_and_depth_counts_the_parents() {
        // Siblings keep the order given (the store reads them by name).
        let units = vec![U(4, Some(1)), U(1, None), U(3, Some(2)), U(2, None), U(5, Some(4))];
        let ordered = tree_order(units);
        assert_eq!(ordered.iter().map(|u| u.0).collect::<Vec<_>>(), [1, 4, 5, 2, 3]);
        let depths: Vec<usize> = ordered.iter().map(|u| unit_depth(u, &ordered)).collect();
        assert_eq!(depths, [0, 1, 2, 0, 1]);
    }

    #[test]
    fn a_cycle_or_a_missing_parent_never_loops() {
        let cycle = vec![U(1, Some(2)), U(2, Some(1)), U(3, None)];
        assert_eq!(tree_order(cycle.clone()), [U(3, None)], "units in a cycle hang under no top-level unit");
        assert_eq!(unit_depth(&cycle[0], &cycle), MAX_UNIT_DEPTH + 1);
        let orphan = [U(7, Some(99))];
        assert_eq!(unit_depth(&orphan[0], &orphan), 1, "a parent not listed still counts once");
        assert!(tree_order(orphan.to_vec()).is_empty());
    }

    #[test]
    fn a_government_needs_a_known_region_and_a_parent_the_same_agency() {
        let known = RegionCode::parse("53.71").expect("well-formed");
        assert!(check_new_government(&known).is_ok());
        let unknown = RegionCode::parse("53.70").expect("well-formed");
        let errors = check_new_government(&unknown).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].rule, Rule::Unknown);
        assert!(check_unit_parent(2, 2).is_ok());
        let errors = check_unit_parent(2, 3).unwrap_err();
        assert_eq!(errors.0[0].field, "parent");
        assert_eq!(errors.0[0].rule, Rule::Unknown);
    }
}
