//! What a process keeps of the published catalogue, so that reading a service's standard — the most
//! read page of the product — usually asks the database nothing.
//!
//! Two kinds of entry, each map bounded to [`MAX_ENTRIES`] (emptied when full: refilling costs one
//! read per service, and a bound is all that is needed):
//!
//! * **Versions**, by service id and version number: the standard and who published it. A version is
//!   never changed once written (a new standard is a new row), so these are kept until evicted.
//!   The unit named at each step is not part of it (a unit belongs to the organisation, which changes),
//!   so the names beside it follow the rule below.
//! * **Live facts**, by government and code: the summary (which version is current, the agency's and
//!   the category's names…), the list of versions and the government's time zone.
//!
//! Live facts and unit names are *fresh* while no catalogue or organisation change has been committed
//! in this process since they were read ([`catalogue_changed`], told by every such commit) and they are
//! younger than [`FRESH_FOR`]. Within this process a change is therefore seen at once; another node of
//! the deployment sees it within [`FRESH_FOR`]. Answers that a service does not exist are not kept, so a
//! service created a moment ago is never hidden. Writers that read before they change (an editor
//! comparing versions) read the database directly.

use super::{ServiceSummary, VersionInfo};
use balai_domain::IndonesianTimeZone;
use balai_domain::catalogue::ServiceStandard;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long another node's change may go unseen here.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(1);

/// At most this many entries of each kind.
pub(crate) const MAX_ENTRIES: usize = 4096;

/// Counts the catalogue and organisation changes committed in this process. Process-wide, not per
/// database: a change then also ages the entries of other databases, which costs a re-read, never a
/// wrong answer.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// A committed transaction changed the catalogue or the organisation: what was read before is stale.
pub(crate) fn catalogue_changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Whether the cache holds rows of `table`, so a change to it must be told ([`catalogue_changed`]).
/// Requirements and steps are written only with a new version, whose changes name `service_versions`.
pub(crate) fn holds(table: &str) -> bool {
    matches!(table, "services" | "service_versions" | "service_categories" | "agencies" | "units" | "governments")
}

/// When something was read: taken *before* the read, so a change committed during it makes the
/// result stale rather than passing it off as newer than it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    generation: u64,
    at: Instant,
}

impl Stamp {
    pub(crate) fn now() -> Stamp {
        Stamp { generation: GENERATION.load(Ordering::SeqCst), at: Instant::now() }
    }

    fn is_fresh(&self) -> bool {
        self.generation == GENERATION.load(Ordering::SeqCst) && self.at.elapsed() < FRESH_FOR
    }
}

/// The facts about a service that change without a new version.
#[derive(Debug)]
pub(crate) struct Live {
    pub summary: ServiceSummary,
    /// Every version, newest first.
    pub versions: Arc<[VersionInfo]>,
    pub time_zone: IndonesianTimeZone,
    pub read: Stamp,
}

/// One version of a standard, as written.
#[derive(Debug)]
pub(crate) struct VersionBody {
    /// The `service_versions` row, whose steps name the units.
    pub version_id: i64,
    pub info: VersionInfo,
    pub standard: ServiceStandard,
}

/// The responsible unit's name at each step of one version, and when they were read.
#[derive(Debug, Clone)]
pub(crate) struct UnitNames {
    pub names: Arc<[String]>,
    pub read: Stamp,
}

/// A cached version: its body, and its unit names if they are still fresh.
pub(crate) struct CachedVersion {
    pub body: Arc<VersionBody>,
    pub unit_names: Option<Arc<[String]>>,
}

/// One database's cache (see [`crate::Db`] for why it is per pool).
#[derive(Default)]
pub(crate) struct ReadCache {
    live: Mutex<HashMap<(String, String), Arc<Live>>>,
    versions: Mutex<HashMap<VersionKey, (Arc<VersionBody>, UnitNames)>>,
}

/// A service's id and a version number.
type VersionKey = (i64, i64);

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("live", &lock(&self.live).len())
            .field("versions", &lock(&self.versions).len())
            .finish()
    }
}

impl ReadCache {
    /// The live facts of a government's service, if fresh.
    pub(crate) fn live(&self, region_code: &str, code: &str) -> Option<Arc<Live>> {
        let live = lock(&self.live);
        live.get(&(region_code.to_owned(), code.to_owned())).filter(|l| l.read.is_fresh()).cloned()
    }

    pub(crate) fn keep_live(&self, region_code: &str, code: &str, facts: Arc<Live>) {
        insert_bounded(&mut lock(&self.live), (region_code.to_owned(), code.to_owned()), facts);
    }

    /// A version of a service, if it was read before.
    pub(crate) fn version(&self, service_id: i64, version: i64) -> Option<CachedVersion> {
        let versions = lock(&self.versions);
        let (body, names) = versions.get(&(service_id, version))?;
        Some(CachedVersion {
            body: Arc::clone(body),
            unit_names: names.read.is_fresh().then(|| Arc::clone(&names.names)),
        })
    }

    pub(crate) fn keep_version(&self, service_id: i64, body: Arc<VersionBody>, unit_names: UnitNames) {
        let key = (service_id, body.info.version);
        insert_bounded(&mut lock(&self.versions), key, (body, unit_names));
    }
}

fn insert_bounded<K: std::hash::Hash + Eq, V>(map: &mut HashMap<K, V>, key: K, value: V) {
    if map.len() >= MAX_ENTRIES && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, value);
}

/// Every update leaves a map whole (an insert or a clear), so one poisoned by a panic elsewhere is
/// still sound to use.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_makes_earlier_reads_stale() {
        // Other tests may tell changes meanwhile: only what must hold whatever they do is asserted.
        let before = Stamp::now();
        catalogue_changed();
        assert!(!before.is_fresh());
    }

    #[test]
    fn reads_go_stale_with_time() {
        let Some(at) = Instant::now().checked_sub(FRESH_FOR) else { return };
        let old = Stamp { generation: GENERATION.load(Ordering::SeqCst), at };
        assert!(!old.is_fresh());
    }

    #[test]
    fn a_full_map_is_emptied_before_it_grows() {
        let mut map = HashMap::new();
        for i in 0..MAX_ENTRIES {
            insert_bounded(&mut map, i, ());
        }
        assert_eq!(map.len(), MAX_ENTRIES);
        insert_bounded(&mut map, 0, ());
        assert_eq!(map.len(), MAX_ENTRIES, "replacing an entry evicts nothing");
        insert_bounded(&mut map, MAX_ENTRIES, ());
        assert_eq!(map.len(), 1);
    }
}
