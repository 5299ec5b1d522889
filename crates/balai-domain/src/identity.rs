//! Who may do what: the roles of the platform and the one permission check every handler calls.
//!
//! Scope comes from the principal's place: an officer belongs to an agency (and maybe a unit) of one
//! government; a government admin to one government, or to the whole deployment; a citizen to
//! themselves. [`permits`] is pure, so the whole matrix (every role × place × action) is tested here
//! and again, through stored accounts, on both databases.

use crate::org;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    /// Petugas: works the cases of their agency (and unit).
    Officer,
    /// Checks the files of cases before decision.
    Verifier,
    /// Kepala perangkat daerah: leads one agency.
    AgencyHead,
    /// Administers one government's platform (or, unscoped, every government of the deployment).
    GovernmentAdmin,
    /// Inspektorat: reads whistleblowing reports.
    Inspector,
    /// Read-only: the audit log and performance, never a change.
    Auditor,
    /// Bendahara penerimaan: reconciles payments against the bank's statement and asks for refunds.
    Treasurer,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Citizen,
        Role::Officer,
        Role::Verifier,
        Role::AgencyHead,
        Role::GovernmentAdmin,
        Role::Inspector,
        Role::Auditor,
        Role::Treasurer,
    ];
    pub const STAFF: [Role; 7] = [
        Role::Officer,
        Role::Verifier,
        Role::AgencyHead,
        Role::GovernmentAdmin,
        Role::Inspector,
        Role::Auditor,
        Role::Treasurer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Officer => "officer",
            Role::Verifier => "verifier",
            Role::AgencyHead => "agency_head",
            Role::GovernmentAdmin => "government_admin",
            Role::Inspector => "inspector",
            Role::Auditor => "auditor",
            Role::Treasurer => "treasurer",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Roles whose sign-in needs a second factor (TOTP) on top of the password.
    pub fn requires_totp(self) -> bool {
        matches!(self, Role::GovernmentAdmin | Role::AgencyHead | Role::Treasurer)
    }

    /// Whether the role belongs to an agency (and so must name one).
    pub fn is_agency_bound(self) -> bool {
        matches!(self, Role::Officer | Role::Verifier | Role::AgencyHead)
    }

    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Role::Citizen => lang.pick("Warga", "Citizen"),
            Role::Officer => lang.pick("Petugas", "Officer"),
            Role::Verifier => lang.pick("Verifikator", "Verifier"),
            Role::AgencyHead => lang.pick("Kepala perangkat daerah", "Head of agency"),
            Role::GovernmentAdmin => lang.pick("Admin pemerintah daerah", "Government administrator"),
            Role::Inspector => lang.pick("Inspektur (WBS)", "Inspector (whistleblowing)"),
            Role::Auditor => lang.pick("Auditor", "Auditor"),
            Role::Treasurer => lang.pick("Bendahara penerimaan", "Receiving treasurer"),
        }
    }
}

/// Someone signed in, with their place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    /// `None` only for a deployment-wide government admin (and for citizens).
    pub government_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub citizen_id: Option<i64>,
    /// How surely a citizen's session proves the person (`None` for staff, whose accounts are
    /// created by an admin and may carry a second factor).
    pub assurance: Option<Assurance>,
}

impl Principal {
    pub fn citizen(citizen_id: i64, assurance: Assurance) -> Principal {
        Principal {
            role: Role::Citizen,
            government_id: None,
            agency_id: None,
            unit_id: None,
            citizen_id: Some(citizen_id),
            assurance: Some(assurance),
        }
    }
}

/// How surely a citizen's session proves the person behind the NIK (after eIDAS and NIST SP 800-63's
/// levels). A NIK alone proves nothing: it is printed on every KTP and photocopied at every counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// A one-time code reached a contact on record: from the population register, or bound earlier.
    Basic,
    /// The person was seen: an officer checked the KTP-el at a counter and bound the contact the code
    /// went to, or an identity provider vouched at this level (its `acr`).
    Substantial,
}

impl Assurance {
    pub const ALL: [Assurance; 2] = [Assurance::Basic, Assurance::Substantial];

    pub fn code(self) -> &'static str {
        match self {
            Assurance::Basic => "basic",
            Assurance::Substantial => "substantial",
        }
    }

    pub fn parse(code: &str) -> Option<Assurance> {
        Assurance::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The level's name, as the account page shows it (what it needs is explained beside it).
    pub fn label(self, lang: crate::Lang) -> &'static str {
        match self {
            Assurance::Basic => lang.pick("dasar", "basic"),
            Assurance::Substantial => lang.pick("substansial", "substantial"),
        }
    }
}

/// The level a citizen identity provider's sign-in stands for, from its `acr` claim (the
/// authentication context class it satisfied): substantial only for a value the deployment lists
/// as substantial (exactly, as `acr` values are URIs or codes compared as strings); any other value,
/// or none, is basic.
pub fn assurance_from_acr(acr: Option<&str>, substantial: &[String]) -> Assurance {
    match acr {
        Some(acr) if substantial.iter().any(|s| s == acr) => Assurance::Substantial,
        _ => Assurance::Basic,
    }
}

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The citizen's own record, masked, and its access log.
    ViewOwnRecord,
    /// The citizen's own record in full: address, birth date, document numbers.
    ViewOwnFullRecord,
    /// Bind a new e-mail address or phone number to the citizen's own record (the old contact, or a
    /// session at a higher level, must also agree: see the identity store).
    ChangeOwnContact,
    /// Receive an issued document (a permit, a certificate) into the citizen's account.
    ReceiveOwnDocument,
    /// At a counter, check a citizen's KTP-el in person and bind their contact to the record.
    VerifyCitizenAtCounter,
    /// Create or revise a service standard, an agency's maklumat.
    ManageCatalogue,
    /// Edit the working-day calendar.
    ManageCalendar,
    /// Create officers, set roles, reset passwords and second factors.
    ManageOfficers,
    /// Take, process and forward (disposisi) a case.
    WorkCase,
    /// Verify a case's file.
    VerifyCase,
    /// Read a citizen's personal data through a case of the agency, naming the purpose.
    ReadCitizenForCase,
    /// The agency's live performance (beyond the public dashboard).
    ViewPerformance,
    /// Whistleblowing reports, reporter identity included.
    ReadWhistleblowing,
    /// The audit log with its internal details.
    ReadAuditLog,
    /// Edit the texts of notification messages (a government's, or with no government the deployment's).
    ManageTemplates,
    /// Set a government's complaint rules: deadlines, the desk, the area, categories and answer templates.
    ManageComplaints,
    /// Record satisfaction survey (SKM) responses: at a unit's kiosk, or imported from paper forms.
    RecordSurvey,
    /// The internal dashboard of an agency: its figures per unit (aggregates, no person). Drilling
    /// down to the cases behind a figure still asks [`Action::WorkCase`].
    ViewDashboard,
    /// Import the bank's statement and reconcile payments against it; read the payments of the government.
    ReconcilePayments,
    /// Ask for a paid fee to be refunded, with a reason.
    RequestRefund,
    /// Approve another officer's refund request (four eyes: never one's own).
    ApproveRefund,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::ViewOwnRecord,
        Action::ViewOwnFullRecord,
        Action::ChangeOwnContact,
        Action::ReceiveOwnDocument,
        Action::VerifyCitizenAtCounter,
        Action::ManageCatalogue,
        Action::ManageCalendar,
        Action::ManageOfficers,
        Action::WorkCase,
        Action::VerifyCase,
        Action::ReadCitizenForCase,
        Action::ViewPerformance,
        Action::ReadWhistleblowing,
        Action::ReadAuditLog,
        Action::ManageTemplates,
        Action::ManageComplaints,
        Action::RecordSurvey,
        Action::ViewDashboard,
        Action::ReconcilePayments,
        Action::RequestRefund,
        Action::ApproveRefund,
    ];

    /// The level a citizen's session needs for a citizen's own action (`None`: not a citizen's action).
    pub fn required_assurance(self) -> Option<Assurance> {
        match self {
            Action::ViewOwnRecord | Action::ChangeOwnContact => Some(Assurance::Basic),
            Action::ViewOwnFullRecord | Action::ReceiveOwnDocument => Some(Assurance::Substantial),
            _ => None,
        }
    }
}

/// What it is done to: the place of the object in the organisation, and the citizen it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Target {
    /// `None`: the deployment as a whole (no one government's).
    pub place: Option<org::Place>,
    pub citizen_id: Option<i64>,
}

impl Target {
    pub fn at(place: org::Place) -> Target {
        Target { place: Some(place), citizen_id: None }
    }

    /// A place and the citizen an object there concerns (a case and its applicant).
    pub fn at_concerning(place: org::Place, citizen_id: Option<i64>) -> Target {
        Target { place: Some(place), citizen_id }
    }

    pub fn government(government_id: i64) -> Target {
        Target::at(org::Place::government(government_id))
    }

    pub fn agency(government_id: i64, agency_id: i64) -> Target {
        Target::at(org::Place::agency(government_id, agency_id))
    }

    /// An object with a unit of an agency (a case forwarded to it).
    pub fn unit(government_id: i64, agency_id: i64, unit_id: i64) -> Target {
        Target::at(org::Place::unit(government_id, agency_id, unit_id))
    }

    pub fn citizen(citizen_id: i64) -> Target {
        Target { citizen_id: Some(citizen_id), ..Target::default() }
    }

    pub fn government_id(&self) -> Option<i64> {
        self.place.map(|p| p.government_id)
    }

    pub fn agency_id(&self) -> Option<i64> {
        self.place.and_then(|p| p.agency_id)
    }

    /// The unit a case sits with; `None` when the object is the agency's as a whole.
    pub fn unit_id(&self) -> Option<i64> {
        self.place.and_then(|p| p.unit_id)
    }
}

/// The one permission check. Everything not allowed here is refused.
pub fn permits(who: &Principal, action: Action, target: &Target) -> bool {
    let same_government = || {
        who.government_id.is_some() && target.government_id().is_some() && who.government_id == target.government_id()
    };
    // A deployment-wide admin (no government) administers every government.
    let administers_government =
        || who.role == Role::GovernmentAdmin && (who.government_id.is_none() || same_government());
    let same_agency = || same_government() && who.agency_id.is_some() && who.agency_id == target.agency_id();
    // An officer with a unit works that unit's cases; without one, the whole agency's.
    let same_unit_or_agency_wide =
        || who.unit_id.is_none() || target.unit_id().is_none() || who.unit_id == target.unit_id();
    match action {
        Action::ViewOwnRecord | Action::ViewOwnFullRecord | Action::ChangeOwnContact | Action::ReceiveOwnDocument => {
            who.role == Role::Citizen
                && who.citizen_id.is_some()
                && who.citizen_id == target.citizen_id
                && who.assurance.is_some_and(|level| action.required_assurance().is_some_and(|needed| level >= needed))
        }
        // Any agency's front desk (a Mal Pelayanan Publik counter) may check a KTP-el of its government.
        Action::VerifyCitizenAtCounter => {
            matches!(who.role, Role::Officer | Role::Verifier | Role::AgencyHead)
                && who.agency_id.is_some()
                && same_government()
        }
        Action::ManageCatalogue => {
            administers_government() || (who.role == Role::AgencyHead && same_agency() && target.agency_id().is_some())
        }
        Action::ManageCalendar | Action::ManageOfficers | Action::ManageTemplates | Action::ManageComplaints => {
            administers_government()
        }
        Action::WorkCase | Action::ReadCitizenForCase => match who.role {
            Role::Officer => same_agency() && same_unit_or_agency_wide(),
            Role::Verifier | Role::AgencyHead => same_agency(),
            _ => false,
        },
        Action::VerifyCase => matches!(who.role, Role::Verifier | Role::AgencyHead) && same_agency(),
        // Front-line staff record at their own unit's counter; a head for the agency; an admin for the government.
        Action::RecordSurvey => match who.role {
            Role::Officer => same_agency() && same_unit_or_agency_wide(),
            Role::Verifier | Role::AgencyHead => same_agency(),
            Role::GovernmentAdmin => administers_government(),
            _ => false,
        },
        Action::ViewPerformance => match who.role {
            Role::AgencyHead => same_agency(),
            Role::GovernmentAdmin => administers_government(),
            Role::Auditor | Role::Inspector => same_government(),
            _ => false,
        },
        // Staff of an agency read their agency's figures; those who oversee a government, any agency's.
        Action::ViewDashboard => match who.role {
            Role::Officer | Role::Verifier | Role::AgencyHead => same_agency(),
            Role::GovernmentAdmin => administers_government(),
            Role::Auditor | Role::Inspector => same_government(),
            Role::Citizen | Role::Treasurer => false,
        },
        Action::ReconcilePayments | Action::RequestRefund => who.role == Role::Treasurer && same_government(),
        // A second treasurer, or the head of the agency whose fee it was.
        Action::ApproveRefund => match who.role {
            Role::Treasurer => same_government(),
            Role::AgencyHead => same_agency(),
            _ => false,
        },
        Action::ReadWhistleblowing => who.role == Role::Inspector && same_government(),
        Action::ReadAuditLog => match who.role {
            Role::Auditor | Role::Inspector => same_government(),
            Role::GovernmentAdmin => administers_government(),
            _ => false,
        },
    }
}

/// Why an officer opens a citizen's record: written by the officer, kept in the audit log (which anyone
/// may read) and shown to the citizen. So it must say something, and must not itself carry personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purpose(String);

impl Purpose {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 200;

    /// Kept in Unicode NFKC with single spaces, so the log shows what the check saw: full-width or
    /// other lookalike letters and digits become plain ones.
    pub fn parse(text: &str) -> Result<Purpose, crate::validation::Rule> {
        use crate::validation::Rule;
        use unicode_normalization::UnicodeNormalization;
        let text = text.nfkc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = text.chars().count();
        if chars == 0 {
            return Err(Rule::Required);
        }
        if chars < Self::MIN_CHARS {
            return Err(Rule::TooShort { min: Self::MIN_CHARS });
        }
        if chars > Self::MAX_CHARS {
            return Err(Rule::TooLong { max: Self::MAX_CHARS });
        }
        if crate::personal_number::carries_personal_number(&text) {
            return Err(Rule::ContainsPersonalNumber);
        }
        Ok(Purpose(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An officer's sign-in name, the same whether it is being created or typed at sign-in: Unicode NFKC,
/// lower case, then nothing but `a`–`z`, `0`–`9`, `.`, `_` and `-`, starting with a letter or digit.
///
/// So `PETUGAS` and `ｐｅｔｕｇａｓ` are `petugas`, while `pеtugas` (Cyrillic е) and `petugas` with a
/// zero-width space are refused: with only these characters no two names can look alike or hide an
/// invisible one, which a confusables table (`unicode-security`) would only approximate. Staff type
/// their names on Latin keyboards, so nothing is lost.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MAX_CHARS: usize = 64;
    pub const EXAMPLE: &'static str = "petugas.kupang";

    pub fn parse(text: &str) -> Result<Username, crate::validation::Rule> {
        use crate::validation::Rule;
        use unicode_normalization::UnicodeNormalization;
        let text = text.trim().nfkc().collect::<String>().to_lowercase();
        if text.is_empty() {
            return Err(Rule::Required);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Rule::TooLong { max: Self::MAX_CHARS });
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
        let starts_well = text.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !starts_well || !text.chars().all(allowed) {
            return Err(Rule::Format { expected: Self::EXAMPLE });
        }
        Ok(Username(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Failed officer sign-ins, counted over a sliding window per account and per client address.
///
/// An account (any username typed, known or not, so the answer never tells which exist) is refused
/// after [`PER_ACCOUNT`](sign_in_limits::PER_ACCOUNT) failures in the window and free again as soon
/// as the oldest of them leaves it: a lock lasts at most [`WINDOW_MINUTES`](sign_in_limits::WINDOW_MINUTES)
/// and never grows, and failures older than the window stop counting. A client address (an IPv6 /64)
/// is refused after [`PER_CLIENT`](sign_in_limits::PER_CLIENT) failures, so one client can neither
/// guess through many accounts nor keep many locked.
pub mod sign_in_limits {
    use chrono::{DateTime, Duration, Utc};

    pub const WINDOW_MINUTES: i64 = 15;
    pub const PER_ACCOUNT: usize = 5;
    pub const PER_CLIENT: usize = 20;

    pub fn window() -> Duration {
        Duration::minutes(WINDOW_MINUTES)
    }

    /// Until when a key with failures at `failures` is refused, given its `limit` (0: no limit);
    /// `None` when it is free now. Failures outside the window do not count.
    pub fn refused_until(failures: &[DateTime<Utc>], limit: usize, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let since = now - window();
        let mut counted: Vec<DateTime<Utc>> = failures.iter().copied().filter(|t| *t > since && *t <= now).collect();
        if limit == 0 || counted.len() < limit {
            return None;
        }
        counted.sort_unstable();
        // Free once all but `limit - 1` of the counted failures have left the window.
        let freeing = counted[counted.len() - limit];
        Some(freeing + window())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_of_an_agency_name_it_and_the_government_wide_roles_do_not() {
        let bound: Vec<Role> = Role::ALL.into_iter().filter(|r| r.is_agency_bound()).collect();
        assert_eq!(bound, [Role::Officer, Role::Verifier, Role::AgencyHead]);
    }

    #[test]
    fn every_role_has_its_own_name_in_each_language() {
        for lang in crate::Lang::ALL {
            let names: std::collections::BTreeSet<&str> = Role::ALL.iter().map(|r| r.label(lang)).collect();
            assert_eq!(names.len(), Role::ALL.len(), "two roles read alike in {lang:?}");
        }
        assert_eq!(Role::AgencyHead.label(crate::Lang::Id), "Kepala perangkat daerah");
    }

    const GOV: i64 = 1;
    const OTHER_GOV: i64 = 2;
    const AGENCY: i64 = 10;
    const OTHER_AGENCY: i64 = 11;
    const UNIT: i64 = 100;
    const OTHER_UNIT: i64 = 101;

    fn staff(role: Role, unit: Option<i64>) -> Principal {
        let agency = role.is_agency_bound().then_some(AGENCY);
        Principal {
            role,
            government_id: Some(GOV),
            agency_id: agency,
            unit_id: unit.filter(|_| agency.is_some()),
            citizen_id: None,
            assurance: None,
        }
    }

    /// Where the target is, relative to a principal of agency AGENCY, unit UNIT, government GOV.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Place {
        OwnUnit,
        OtherUnit,
        OwnAgencyAsAWhole,
        OtherAgency,
        OwnGovernment,
        OtherGovernment,
    }

    const PLACES: [Place; 6] = [
        Place::OwnUnit,
        Place::OtherUnit,
        Place::OwnAgencyAsAWhole,
        Place::OtherAgency,
        Place::OwnGovernment,
        Place::OtherGovernment,
    ];

    fn target(place: Place) -> Target {
        match place {
            Place::OwnUnit => Target::unit(GOV, AGENCY, UNIT),
            Place::OtherUnit => Target::unit(GOV, AGENCY, OTHER_UNIT),
            Place::OwnAgencyAsAWhole => Target::agency(GOV, AGENCY),
            Place::OtherAgency => Target::agency(GOV, OTHER_AGENCY),
            Place::OwnGovernment => Target::government(GOV),
            Place::OtherGovernment => Target::agency(OTHER_GOV, AGENCY),
        }
    }

    /// The specification, written out: which (role, action) pairs are allowed at which places, for a
    /// principal with a unit. Everything not listed is refused.
    fn expected(role: Role, action: Action, place: Place) -> bool {
        use Action::*;
        use Place::*;
        let agency_places = [OwnUnit, OtherUnit, OwnAgencyAsAWhole];
        let government_places = [OwnUnit, OtherUnit, OwnAgencyAsAWhole, OtherAgency, OwnGovernment];
        match (role, action) {
            (Role::Officer, WorkCase | ReadCitizenForCase | RecordSurvey) => {
                [OwnUnit, OwnAgencyAsAWhole].contains(&place)
            }
            (Role::Verifier | Role::AgencyHead, RecordSurvey) => agency_places.contains(&place),
            (Role::Officer | Role::Verifier | Role::AgencyHead, VerifyCitizenAtCounter) => {
                government_places.contains(&place)
            }
            (Role::Verifier | Role::AgencyHead, WorkCase | ReadCitizenForCase | VerifyCase) => {
                agency_places.contains(&place)
            }
            (Role::AgencyHead, ManageCatalogue | ViewPerformance) => agency_places.contains(&place),
            (
                Role::GovernmentAdmin,
                ManageCatalogue | ManageCalendar | ManageOfficers | ViewPerformance | ReadAuditLog | ManageTemplates
                | ManageComplaints | RecordSurvey,
            ) => government_places.contains(&place),
            (Role::Inspector, ReadWhistleblowing | ViewPerformance | ReadAuditLog) => {
                government_places.contains(&place)
            }
            (Role::Auditor, ViewPerformance | ReadAuditLog) => government_places.contains(&place),
            (Role::Officer | Role::Verifier | Role::AgencyHead, ViewDashboard) => agency_places.contains(&place),
            (Role::GovernmentAdmin | Role::Inspector | Role::Auditor, ViewDashboard) => {
                government_places.contains(&place)
            }
            (Role::Treasurer, ReconcilePayments | RequestRefund | ApproveRefund) => government_places.contains(&place),
            (Role::AgencyHead, ApproveRefund) => agency_places.contains(&place),
            _ => false,
        }
    }

    #[test]
    fn every_staff_role_at_every_place_for_every_action_matches_the_specification() {
        let mut checked = 0;
        for role in Role::STAFF {
            for action in Action::ALL {
                for place in PLACES {
                    let who = staff(role, Some(UNIT));
                    assert_eq!(
                        permits(&who, action, &target(place)),
                        expected(role, action, place),
                        "{role:?} {action:?} {place:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 21 * 6);
    }

    #[test]
    fn an_officer_without_a_unit_works_the_whole_agency_but_no_other() {
        let who = staff(Role::Officer, None);
        for place in [Place::OwnUnit, Place::OtherUnit, Place::OwnAgencyAsAWhole] {
            assert!(permits(&who, Action::WorkCase, &target(place)), "{place:?}");
        }
        assert!(!permits(&who, Action::WorkCase, &target(Place::OtherAgency)));
        assert!(!permits(&who, Action::VerifyCase, &target(Place::OwnUnit)), "officers do not verify");
    }

    #[test]
    fn a_deployment_wide_admin_administers_every_government_but_works_no_case() {
        let who = Principal {
            role: Role::GovernmentAdmin,
            government_id: None,
            agency_id: None,
            unit_id: None,
            citizen_id: None,
            assurance: None,
        };
        for place in PLACES {
            assert!(permits(&who, Action::ManageCatalogue, &target(place)));
            assert!(!permits(&who, Action::WorkCase, &target(place)));
            assert!(!permits(&who, Action::ReadCitizenForCase, &target(place)), "no personal data without a case");
            assert!(!permits(&who, Action::ReadWhistleblowing, &target(place)));
        }
    }

    #[test]
    fn a_citizen_sees_only_their_own_record_and_nothing_of_staff() {
        for level in Assurance::ALL {
            let who = Principal::citizen(7, level);
            assert!(permits(&who, Action::ViewOwnRecord, &Target::citizen(7)));
            assert!(!permits(&who, Action::ViewOwnRecord, &Target::citizen(8)));
            for action in Action::ALL.into_iter().filter(|a| a.required_assurance().is_none()) {
                for place in PLACES {
                    assert!(!permits(&who, action, &target(place)), "{action:?} {place:?}");
                }
            }
        }
        for role in Role::STAFF {
            for action in Action::ALL.into_iter().filter(|a| a.required_assurance().is_some()) {
                assert!(!permits(&staff(role, None), action, &Target::citizen(7)), "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn a_code_to_a_contact_on_record_shows_the_masked_record_but_not_the_full_one() {
        let basic = Principal::citizen(7, Assurance::Basic);
        let substantial = Principal::citizen(7, Assurance::Substantial);
        let own = Target::citizen(7);
        let needs: Vec<(Action, Assurance)> =
            Action::ALL.into_iter().filter_map(|a| a.required_assurance().map(|l| (a, l))).collect();
        assert_eq!(
            needs,
            [
                (Action::ViewOwnRecord, Assurance::Basic),
                (Action::ViewOwnFullRecord, Assurance::Substantial),
                (Action::ChangeOwnContact, Assurance::Basic),
                (Action::ReceiveOwnDocument, Assurance::Substantial),
            ]
        );
        for (action, needed) in needs {
            assert_eq!(permits(&basic, action, &own), needed == Assurance::Basic, "{action:?} at basic");
            assert!(permits(&substantial, action, &own), "{action:?} at substantial");
            assert!(!permits(&substantial, action, &Target::citizen(8)), "{action:?} of another citizen");
        }
        // A citizen principal without a level (never built by the sign-in) is refused everything.
        let unknown = Principal { assurance: None, ..basic };
        assert!(!permits(&unknown, Action::ViewOwnRecord, &own));
        for a in Assurance::ALL {
            assert_eq!(Assurance::parse(a.code()), Some(a));
        }
        // The account page names the level in the citizen's language.
        let labels: Vec<(&str, &str)> =
            Assurance::ALL.iter().map(|a| (a.label(crate::Lang::Id), a.label(crate::Lang::En))).collect();
        assert_eq!(labels, [("dasar", "basic"), ("substansial", "substantial")]);
        assert!(Assurance::Basic < Assurance::Substantial);
    }

    #[test]
    fn counter_verification_needs_a_front_desk_officer_of_the_same_government() {
        let mut desk = staff(Role::Officer, None);
        assert!(permits(&desk, Action::VerifyCitizenAtCounter, &Target::government(GOV)));
        assert!(!permits(&desk, Action::VerifyCitizenAtCounter, &Target::government(OTHER_GOV)));
        desk.agency_id = None;
        assert!(!permits(&desk, Action::VerifyCitizenAtCounter, &Target::government(GOV)), "no agency, no desk");
        for role in [Role::GovernmentAdmin, Role::Inspector, Role::Auditor] {
            assert!(!permits(&staff(role, None), Action::VerifyCitizenAtCounter, &Target::government(GOV)));
        }
    }

    #[test]
    fn the_auditor_never_changes_anything() {
        let who = staff(Role::Auditor, None);
        for action in [
            Action::ManageCatalogue,
            Action::ManageCalendar,
            Action::ManageOfficers,
            Action::WorkCase,
            Action::VerifyCase,
        ] {
            for place in PLACES {
                assert!(!permits(&who, action, &target(place)));
            }
        }
    }

    #[test]
    fn second_factors_are_required_for_admins_heads_of_agency_and_treasurers() {
        let required: Vec<Role> = Role::ALL.into_iter().filter(|r| r.requires_totp()).collect();
        assert_eq!(required, [Role::AgencyHead, Role::GovernmentAdmin, Role::Treasurer]);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
    }

    #[test]
    fn a_purpose_must_say_why_and_carry_no_personal_number() {
        use crate::validation::Rule;
        let ok = Purpose::parse("  Verifikasi   berkas permohonan PMH-000012 ").expect("valid");
        assert_eq!(ok.as_str(), "Verifikasi berkas permohonan PMH-000012");
        assert_eq!(Purpose::parse("   "), Err(Rule::Required));
        assert_eq!(Purpose::parse("cek"), Err(Rule::TooShort { min: 10 }));
        assert_eq!(Purpose::parse(&"a".repeat(201)), Err(Rule::TooLong { max: 200 }));
        // The bounds themselves are allowed.
        assert!(Purpose::parse(&"a".repeat(Purpose::MIN_CHARS)).is_ok());
        assert!(Purpose::parse(&"a".repeat(Purpose::MAX_CHARS)).is_ok());
        for leaking in [
            "Cocokkan NIK 5371014107900001",
            "Telepon warga di 0812-3456-7890 untuk konfirmasi",
            "Telepon warga di 0812 3456 7890 untuk konfirmasi",
            "uji 1234/5678/9012/3456",
            "uji ５３７１０１４１０７９００００１",
            "uji 5371\u{200B}0141\u{200B}0790",
        ] {
            assert_eq!(Purpose::parse(leaking), Err(Rule::ContainsPersonalNumber), "{leaking}");
        }
        assert!(Purpose::parse("Pemeriksaan lapangan tanggal 12/03/2026").is_ok(), "a date is not personal");
        let folded = Purpose::parse("Verifikasi berkas ＰＭＨ－０００012").expect("valid");
        assert_eq!(folded.as_str(), "Verifikasi berkas PMH-000012", "the log keeps the folded text");
    }

    #[test]
    fn usernames_fold_case_and_width_and_refuse_lookalikes_and_invisible_characters() {
        use crate::validation::Rule;
        for same in ["petugas", "PETUGAS", " Petugas ", "ｐｅｔｕｇａｓ"] {
            assert_eq!(Username::parse(same).map(|u| u.as_str().to_owned()), Ok("petugas".into()), "{same:?}");
        }
        assert_eq!(Username::parse("petugas.baru_2-b").unwrap().as_str(), "petugas.baru_2-b");
        let format = Err(Rule::Format { expected: Username::EXAMPLE });
        for refused in [
            "p\u{0435}tugas",
            "petugas\u{200B}",
            "pe\u{00AD}tugas",
            "petu\u{200D}gas",
            "pétugas",
            "petugas kupang",
            "petugas@kupang",
            "oidc:petugas",
            ".petugas",
            "-petugas",
            "_petugas",
            "petugas\u{0000}",
        ] {
            assert_eq!(Username::parse(refused), format, "{refused:?}");
        }
        assert_eq!(Username::parse("  "), Err(Rule::Required));
        assert_eq!(Username::parse(&"a".repeat(64)).map(|u| u.as_str().len()), Ok(64));
        assert_eq!(Username::parse(&"a".repeat(65)), Err(Rule::TooLong { max: 64 }));
        assert_eq!(Username::parse("1petugas").unwrap().as_str(), "1petugas", "a digit may start it");
    }

    #[test]
    fn an_account_is_refused_at_the_limit_and_free_once_the_oldest_failure_leaves_the_window() {
        use chrono::{Duration, TimeZone, Utc};
        use sign_in_limits::{PER_ACCOUNT, WINDOW_MINUTES, refused_until};
        let now = Utc.with_ymd_and_hms(2026, 3, 12, 8, 0, 0).unwrap();
        let minutes_ago = |m: i64| now - Duration::minutes(m);
        let four: Vec<_> = (1..=4).map(minutes_ago).collect();
        assert_eq!(refused_until(&four, PER_ACCOUNT, now), None, "four failures are allowed");
        let five: Vec<_> = (1..=5).map(minutes_ago).collect();
        assert_eq!(refused_until(&five, PER_ACCOUNT, now), Some(minutes_ago(5) + Duration::minutes(WINDOW_MINUTES)));
        let old: Vec<_> = [1, 2, 3, 4, WINDOW_MINUTES, 40, 400].into_iter().map(minutes_ago).collect();
        assert_eq!(refused_until(&old, PER_ACCOUNT, now), None, "failures older than the window stop counting");
        let many: Vec<_> = (0..300).map(|s| now - Duration::seconds(s)).collect();
        let until = refused_until(&many, PER_ACCOUNT, now).expect("refused");
        assert!(until <= now + Duration::minutes(WINDOW_MINUTES), "a lock never lasts longer than the window");
        assert_eq!(until, now - Duration::seconds(4) + Duration::minutes(WINDOW_MINUTES), "the fifth newest frees it");
        let future = [now + Duration::minutes(1)];
        assert_eq!(refused_until(&future, 1, now), None, "a clock ahead counts nothing yet");
        assert_eq!(refused_until(&five, 0, now), None);
        assert_eq!(refused_until(&five[..1], 1, now), Some(minutes_ago(1) + Duration::minutes(WINDOW_MINUTES)));
    }

    #[test]
    fn only_a_listed_acr_is_substantial() {
        let listed = vec!["urn:id:loa:substantial".to_owned(), "loa3".to_owned()];
        assert_eq!(assurance_from_acr(Some("loa3"), &listed), Assurance::Substantial);
        assert_eq!(assurance_from_acr(Some("urn:id:loa:substantial"), &listed), Assurance::Substantial);
        for other in [Some("loa2"), Some("LOA3"), Some("loa3 "), Some(""), None] {
            assert_eq!(assurance_from_acr(other, &listed), Assurance::Basic, "{other:?}");
        }
        assert_eq!(assurance_from_acr(Some("loa3"), &[]), Assurance::Basic, "nothing listed: all basic");
    }

    #[test]
    fn an_agencys_staff_read_its_dashboard_and_no_other_agencys() {
        for role in [Role::Officer, Role::Verifier, Role::AgencyHead] {
            // A unit's officer still reads the whole agency's figures, every unit included.
            let who = staff(role, Some(UNIT));
            assert!(permits(&who, Action::ViewDashboard, &Target::agency(GOV, AGENCY)), "{role:?}");
            assert!(permits(&who, Action::ViewDashboard, &Target::unit(GOV, AGENCY, OTHER_UNIT)), "{role:?}");
            assert!(!permits(&who, Action::ViewDashboard, &Target::agency(GOV, OTHER_AGENCY)), "{role:?}");
            assert!(!permits(&who, Action::ViewDashboard, &Target::agency(OTHER_GOV, AGENCY)), "{role:?}");
        }
        for role in [Role::GovernmentAdmin, Role::Inspector, Role::Auditor] {
            let who = staff(role, None);
            assert!(permits(&who, Action::ViewDashboard, &Target::agency(GOV, OTHER_AGENCY)), "{role:?}");
            assert!(!permits(&who, Action::ViewDashboard, &Target::agency(OTHER_GOV, AGENCY)), "{role:?}");
        }
        let citizen = Principal::citizen(7, Assurance::Substantial);
        assert!(!permits(&citizen, Action::ViewDashboard, &Target::agency(GOV, AGENCY)));
    }
}
