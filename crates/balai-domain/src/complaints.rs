//! Complaints the LAPOR! way (pengaduan, aspirasi, permintaan informasi) and whistleblowing (WBS):
//! a complaint is a kind of case ([`crate::cases::CaseKind::Complaint`]) with its own flow table, its
//! deadline rules, where it happened, and what the public may read of it.
//!
//! # The flow
//!
//! - **Submitted**: the complaint desk (pengelola pengaduan) must verify within `verify_days`.
//!   It may **Verify**, **Hold** (tunda: the report is unclear; the reporter is asked), **Reroute**
//!   (to another government or agency on this platform: the report starts again there), declare it
//!   **NotOurAuthority** (bukan wewenang: closed, naming who is), or mark it a **Duplicate** of
//!   another report (closed; its followers join the other).
//! - **Verified**: the desk **Disposes** it (disposisi) to an agency's unit, with a class that sets
//!   the answer's deadline (information, ordinary, supervisory).
//! - **Disposed**: the agency **Answers** (tindak lanjut), may **Return** it to the desk when it is
//!   not theirs, or the desk **Disposes** it onwards.
//! - **Answered**: the reporter **Accepts** (resolved) or **Reopens** (not satisfied: back to the
//!   agency with a new deadline, escalated to its head); without a reply within `response_days` the
//!   report **Lapses** into resolved, which the timeline says.
//! - Resolved, Unresolved (closed without resolution, with the reason), NotOurAuthority and
//!   Duplicate are final: four honest outcomes, never folded into one "done".
//!
//! # Privacy flags
//!
//! **anonim** hides the reporter from the agency reported on and the public; **rahasia** hides the
//! whole report from the public. The reporter sets them; nothing here offers a way to lift them.

pub mod open311;

use crate::Lang;
use crate::calendar::MAX_WORKING_DAYS;
use crate::cases::{ClockRule, Flow, Transition};
use crate::validation::{FieldErrors, Rule};
use serde::Serialize;

/// What a citizen reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Pengaduan: something went wrong.
    Complaint,
    /// Aspirasi: a suggestion.
    Aspiration,
    /// Permintaan informasi: a question to a public body.
    InformationRequest,
}

impl ReportKind {
    pub const ALL: [Self; 3] = [Self::Complaint, Self::Aspiration, Self::InformationRequest];

    pub fn code(self) -> &'static str {
        match self {
            Self::Complaint => "pengaduan",
            Self::Aspiration => "aspirasi",
            Self::InformationRequest => "informasi",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Complaint => lang.pick("Pengaduan", "Complaint"),
            Self::Aspiration => lang.pick("Aspirasi", "Suggestion"),
            Self::InformationRequest => lang.pick("Permintaan informasi", "Information request"),
        }
    }

    /// The class a report of this kind gets unless the desk decides otherwise at disposition.
    pub fn default_class(self) -> ComplaintClass {
        match self {
            Self::InformationRequest => ComplaintClass::Information,
            Self::Complaint | Self::Aspiration => ComplaintClass::Ordinary,
        }
    }
}

/// Where a report came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    /// A client application through the Open311 GeoReport v2 API.
    Open311,
    /// The whistleblowing form: text and identity sealed to the inspectorate.
    Whistleblowing,
}

impl Channel {
    pub const ALL: [Self; 3] = [Self::Web, Self::Open311, Self::Whistleblowing];

    pub fn code(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Open311 => "open311",
            Self::Whistleblowing => "wbs",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|channel| channel.code() == code)
    }
}

/// The deadline class set at disposition (DOMAIN.md: information 5, ordinary 14, supervisory 60
/// working days by default; the government's rules say how many).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintClass {
    Information,
    /// A complaint without supervisory content.
    Ordinary,
    /// A complaint with supervisory content: it needs an investigation.
    Supervisory,
}

impl ComplaintClass {
    pub const ALL: [Self; 3] = [Self::Information, Self::Ordinary, Self::Supervisory];

    pub fn code(self) -> &'static str {
        match self {
            Self::Information => "information",
            Self::Ordinary => "ordinary",
            Self::Supervisory => "supervisory",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|class| class.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Information => lang.pick("Permintaan informasi", "Information request"),
            Self::Ordinary => {
                lang.pick("Pengaduan tanpa substansi pengawasan", "Complaint without supervisory content")
            }
            Self::Supervisory => {
                lang.pick("Pengaduan dengan substansi pengawasan", "Complaint with supervisory content")
            }
        }
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintStatus {
    Submitted,
    OnHold,
    Verified,
    Disposed,
    Answered,
    Resolved,
    Unresolved,
    NotOurAuthority,
    Duplicate,
}

impl ComplaintStatus {
    pub const ALL: [Self; 9] = [
        Self::Submitted,
        Self::OnHold,
        Self::Verified,
        Self::Disposed,
        Self::Answered,
        Self::Resolved,
        Self::Unresolved,
        Self::NotOurAuthority,
        Self::Duplicate,
    ];

    /// The stored code (`cases.status`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::OnHold => "on_hold",
            Self::Verified => "verified",
            Self::Disposed => "disposed",
            Self::Answered => "answered",
            Self::Resolved => "resolved",
            Self::Unresolved => "unresolved",
            Self::NotOurAuthority => "not_our_authority",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Submitted => lang.pick("Menunggu verifikasi", "Awaiting verification"),
            Self::OnHold => lang.pick("Ditunda", "On hold"),
            Self::Verified => lang.pick("Terverifikasi", "Verified"),
            Self::Disposed => lang.pick("Ditindaklanjuti instansi", "With the agency"),
            Self::Answered => lang.pick("Dijawab, menunggu tanggapan pelapor", "Answered, awaiting the reporter"),
            Self::Resolved => lang.pick("Selesai", "Resolved"),
            Self::Unresolved => lang.pick("Ditutup tanpa penyelesaian", "Closed without resolution"),
            Self::NotOurAuthority => lang.pick("Bukan wewenang", "Not our authority"),
            Self::Duplicate => lang.pick("Duplikat", "Duplicate"),
        }
    }

    /// Whether the report is closed for good.
    pub fn is_final(self) -> bool {
        COMPLAINT_FLOW.is_final(self)
    }

    /// What the service-level clock does: the desk's and the agency's time runs; on hold the report
    /// waits on the reporter; answered, the reporter's own time runs (a job closes it when it lapses).
    pub fn clock(self) -> ClockRule {
        match self {
            Self::Submitted | Self::Verified | Self::Disposed => ClockRule::Runs,
            Self::OnHold | Self::Answered => ClockRule::Pauses,
            Self::Resolved | Self::Unresolved | Self::NotOurAuthority | Self::Duplicate => ClockRule::Stops,
        }
    }
}

/// What moves a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintEvent {
    Verify,
    Hold,
    Resume,
    Reroute,
    NotOurAuthority,
    Dispose,
    Return,
    Answer,
    Accept,
    Reopen,
    Lapse,
    CloseUnresolved,
    MarkDuplicate,
}

impl ComplaintEvent {
    pub const ALL: [Self; 13] = [
        Self::Verify,
        Self::Hold,
        Self::Resume,
        Self::Reroute,
        Self::NotOurAuthority,
        Self::Dispose,
        Self::Return,
        Self::Answer,
        Self::Accept,
        Self::Reopen,
        Self::Lapse,
        Self::CloseUnresolved,
        Self::MarkDuplicate,
    ];

    /// The stored code (`case_events.event`, and `complaints.<code>` in the audit log).
    pub fn code(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Hold => "hold",
            Self::Resume => "resume",
            Self::Reroute => "reroute",
            Self::NotOurAuthority => "not_our_authority",
            Self::Dispose => "dispose",
            Self::Return => "return",
            Self::Answer => "answer",
            Self::Accept => "accept",
            Self::Reopen => "reopen",
            Self::Lapse => "lapse",
            Self::CloseUnresolved => "close_unresolved",
            Self::MarkDuplicate => "mark_duplicate",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.code() == code)
    }

    /// Who may cause it.
    pub fn by(self) -> EventBy {
        match self {
            Self::Accept | Self::Reopen => EventBy::Reporter,
            Self::Lapse => EventBy::System,
            Self::Answer | Self::Return => EventBy::Agency,
            _ => EventBy::Desk,
        }
    }

    /// Whether the event must say why (shown to the reporter and, unless rahasia, the public).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Self::Hold
                | Self::Reroute
                | Self::NotOurAuthority
                | Self::Return
                | Self::Answer
                | Self::Reopen
                | Self::CloseUnresolved
        )
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Self::Verify => lang.pick("Verifikasi", "Verify"),
            Self::Hold => lang.pick("Tunda", "Put on hold"),
            Self::Resume => lang.pick("Lanjutkan", "Resume"),
            Self::Reroute => lang.pick("Alihkan", "Re-route"),
            Self::NotOurAuthority => lang.pick("Bukan wewenang", "Not our authority"),
            Self::Dispose => lang.pick("Disposisi", "Dispose"),
            Self::Return => lang.pick("Kembalikan ke pengelola", "Return to the desk"),
            Self::Answer => lang.pick("Tindak lanjut", "Answer"),
            Self::Accept => lang.pick("Pelapor puas", "Reporter satisfied"),
            Self::Reopen => lang.pick("Dibuka kembali", "Reopened"),
            Self::Lapse => lang.pick("Ditutup: tidak ada tanggapan pelapor", "Closed: no reply from the reporter"),
            Self::CloseUnresolved => lang.pick("Tutup tanpa penyelesaian", "Close without resolution"),
            Self::MarkDuplicate => lang.pick("Tandai duplikat", "Mark as duplicate"),
        }
    }
}

/// Who causes an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventBy {
    /// The complaint desk (pengelola pengaduan) of the government.
    Desk,
    /// The agency (its unit) the report was disposed to.
    Agency,
    /// The reporter, signed in or holding the tracking secret.
    Reporter,
    /// A job of the platform.
    System,
}

use ComplaintEvent as E;
use ComplaintStatus as S;

/// The flow as a table; [`Flow::transition`] refuses everything else.
pub const COMPLAINT_FLOW: Flow<ComplaintStatus, ComplaintEvent> = Flow::new(&[
    Transition { from: S::Submitted, event: E::Verify, to: S::Verified },
    Transition { from: S::Submitted, event: E::Hold, to: S::OnHold },
    Transition { from: S::Submitted, event: E::Reroute, to: S::Submitted },
    Transition { from: S::Submitted, event: E::NotOurAuthority, to: S::NotOurAuthority },
    Transition { from: S::Submitted, event: E::MarkDuplicate, to: S::Duplicate },
    Transition { from: S::Submitted, event: E::CloseUnresolved, to: S::Unresolved },
    Transition { from: S::OnHold, event: E::Resume, to: S::Submitted },
    Transition { from: S::OnHold, event: E::NotOurAuthority, to: S::NotOurAuthority },
    Transition { from: S::OnHold, event: E::MarkDuplicate, to: S::Duplicate },
    Transition { from: S::OnHold, event: E::CloseUnresolved, to: S::Unresolved },
    Transition { from: S::Verified, event: E::Dispose, to: S::Disposed },
    Transition { from: S::Verified, event: E::Hold, to: S::OnHold },
    Transition { from: S::Verified, event: E::Reroute, to: S::Submitted },
    Transition { from: S::Verified, event: E::NotOurAuthority, to: S::NotOurAuthority },
    Transition { from: S::Verified, event: E::MarkDuplicate, to: S::Duplicate },
    Transition { from: S::Verified, event: E::CloseUnresolved, to: S::Unresolved },
    Transition { from: S::Disposed, event: E::Answer, to: S::Answered },
    Transition { from: S::Disposed, event: E::Return, to: S::Verified },
    Transition { from: S::Disposed, event: E::Dispose, to: S::Disposed },
    Transition { from: S::Disposed, event: E::MarkDuplicate, to: S::Duplicate },
    Transition { from: S::Disposed, event: E::CloseUnresolved, to: S::Unresolved },
    Transition { from: S::Answered, event: E::Accept, to: S::Resolved },
    Transition { from: S::Answered, event: E::Reopen, to: S::Disposed },
    Transition { from: S::Answered, event: E::Lapse, to: S::Resolved },
    Transition { from: S::Answered, event: E::CloseUnresolved, to: S::Unresolved },
]);

/// The deadline rules of one government, versioned: the rules were revised in 2025 and may be again,
/// so each report keeps the version it was received under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DeadlineRules {
    /// The desk verifies within this many working days (3).
    pub verify_days: u32,
    /// The agency answers an information request within this many (5).
    pub information_days: u32,
    /// … a complaint without supervisory content (14).
    pub ordinary_days: u32,
    /// … a complaint that needs an investigation (60).
    pub supervisory_days: u32,
    /// The reporter may respond to an answer within this many (10); then the report lapses.
    pub response_days: u32,
    /// A reopened report goes back to the agency with this many (5).
    pub reopen_days: u32,
}

impl DeadlineRules {
    /// DOMAIN.md's figures (LAPOR!'s guides and PermenPANRB 62/2018; marked *check*: editable).
    pub const DEFAULT: DeadlineRules = DeadlineRules {
        verify_days: 3,
        information_days: 5,
        ordinary_days: 14,
        supervisory_days: 60,
        response_days: 10,
        reopen_days: 5,
    };

    pub fn answer_days(&self, class: ComplaintClass) -> u32 {
        match class {
            ComplaintClass::Information => self.information_days,
            ComplaintClass::Ordinary => self.ordinary_days,
            ComplaintClass::Supervisory => self.supervisory_days,
        }
    }

    /// Every figure from 1 to [`MAX_WORKING_DAYS`], each error named by its field.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::default();
        for (field, days) in [
            ("verify_days", self.verify_days),
            ("information_days", self.information_days),
            ("ordinary_days", self.ordinary_days),
            ("supervisory_days", self.supervisory_days),
            ("response_days", self.response_days),
            ("reopen_days", self.reopen_days),
        ] {
            if !(1..=MAX_WORKING_DAYS).contains(&days) {
                errors.push(field, Rule::OutOfRange { min: 1, max: i64::from(MAX_WORKING_DAYS) });
            }
        }
        errors.into_result()
    }
}

/// A point on the earth, in degrees (WGS 84), as the reporter chose it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// A rectangle of latitude and longitude (a government's area, Indonesia's extent).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GeoBox {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl GeoBox {
    /// Indonesia from Sabang to Merauke and from Miangas to Rote, with a margin for its sea. A rectangle
    /// only keeps out points far away: Singapore, Kuala Lumpur, Brunei, Dili and the southern tip of the
    /// Philippines lie inside it too. A government's own area ([`GeoPoint::parse`]) does the rest.
    pub const INDONESIA: GeoBox = GeoBox { min_lat: -11.2, min_lon: 94.7, max_lat: 6.3, max_lon: 141.1 };

    pub fn contains(&self, point: GeoPoint) -> bool {
        (self.min_lat..=self.max_lat).contains(&point.lat) && (self.min_lon..=self.max_lon).contains(&point.lon)
    }

    /// A box that makes sense: finite, ordered, inside Indonesia.
    pub fn is_valid(&self) -> bool {
        [self.min_lat, self.min_lon, self.max_lat, self.max_lon].iter().all(|v| v.is_finite())
            && self.min_lat < self.max_lat
            && self.min_lon < self.max_lon
            && Self::INDONESIA.contains(GeoPoint { lat: self.min_lat, lon: self.min_lon })
            && Self::INDONESIA.contains(GeoPoint { lat: self.max_lat, lon: self.max_lon })
    }

    /// The box around `center` that holds every point within `metres` of it (for an indexed search
    /// before the exact distance). The widest longitude of that circle is `asin(sin(d/R) / cos(lat))`,
    /// a little more than `d / (R cos(lat))`; a margin of about a centimetre covers rounding.
    pub fn around(center: GeoPoint, metres: f64) -> GeoBox {
        const MARGIN_DEG: f64 = 1e-7;
        let angle = metres.max(0.0) / EARTH_RADIUS_M;
        let dlat = angle.to_degrees() + MARGIN_DEG;
        let lat = center.lat.to_radians();
        // A circle that reaches a pole spans every longitude.
        let dlon = if angle < std::f64::consts::FRAC_PI_2 - lat.abs() {
            (angle.sin() / lat.cos()).asin().to_degrees() + MARGIN_DEG
        } else {
            180.0
        };
        GeoBox {
            min_lat: center.lat - dlat,
            min_lon: center.lon - dlon,
            max_lat: center.lat + dlat,
            max_lon: center.lon + dlon,
        }
    }
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl GeoPoint {
    /// Reads the latitude and longitude a form or an API sent: decimal degrees, in range, inside
    /// Indonesia and, where the government's area is set, inside it. Errors name `lat` / `long`
    /// (`location` when the point is outside the area).
    pub fn parse(lat: &str, lon: &str, area: Option<&GeoBox>) -> Result<GeoPoint, FieldErrors> {
        let mut errors = FieldErrors::default();
        let read = |text: &str, field: &str, limit: f64, errors: &mut FieldErrors| -> Option<f64> {
            let text = text.trim();
            if text.is_empty() {
                errors.push(field, Rule::Required);
                return None;
            }
            // Decimal degrees only (no `NaN`, `inf` or `1e2`), at most 32 characters: a real
            // coordinate needs a dozen.
            let decimal = text.len() <= 32 && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
            match decimal.then(|| text.parse::<f64>().ok()).flatten() {
                Some(value) if value.abs() <= limit => Some(value),
                Some(_) => {
                    errors.push(field, Rule::OutOfRange { min: -(limit as i64), max: limit as i64 });
                    None
                }
                None => {
                    errors.push(field, Rule::Format { expected: if limit == 90.0 { "-10.1772" } else { "123.6070" } });
                    None
                }
            }
        };
        let lat = read(lat, "lat", 90.0, &mut errors);
        let lon = read(lon, "long", 180.0, &mut errors);
        let (Some(lat), Some(lon)) = (lat, lon) else { return Err(errors) };
        let point = GeoPoint { lat, lon };
        if !GeoBox::INDONESIA.contains(point) {
            errors.push("location", Rule::OutsideArea { area: "Indonesia" });
        } else if let Some(area) = area
            && !area.contains(point)
        {
            errors.push("location", Rule::OutsideArea { area: "government" });
        }
        errors.into_result().map(|()| point)
    }

    /// Great-circle distance in metres (haversine): exact enough for "nearby" at city scale.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

/// The longest report text (characters).
pub const MAX_TEXT_CHARS: usize = 4000;
/// A report's title, as lists show it.
pub const MAX_TITLE_CHARS: usize = 150;
/// The address text the reporter adds to the point.
pub const MAX_ADDRESS_CHARS: usize = 300;
/// Photos per report (and per answer).
pub const MAX_PHOTOS: usize = 5;
/// An officer's reason or answer.
pub const MAX_REASON_CHARS: usize = 4000;
/// A rating's comment.
pub const MAX_COMMENT_CHARS: usize = 1000;

/// A rating of the agency's answer: 1–5 stars and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub stars: u8,
    pub comment: String,
}

impl Rating {
    pub fn parse(stars: &str, comment: &str) -> Result<Rating, FieldErrors> {
        let mut errors = FieldErrors::default();
        let stars = match stars.trim().parse::<u8>() {
            Ok(value @ 1..=5) => value,
            _ => {
                errors.push("stars", Rule::OutOfRange { min: 1, max: 5 });
                0
            }
        };
        let comment = comment.trim();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            errors.push("comment", Rule::TooLong { max: MAX_COMMENT_CHARS });
        }
        errors.into_result().map(|()| Rating { stars, comment: comment.to_string() })
    }
}

/// Why the flow refused an event, in the reader's language.
pub fn flow_message(error: &crate::cases::TransitionError<ComplaintStatus, ComplaintEvent>, lang: Lang) -> String {
    match error {
        crate::cases::TransitionError::Closed { state, .. } => match lang {
            Lang::Id => format!("Laporan sudah ditutup ({}); tidak dapat diubah lagi.", state.label(lang)),
            Lang::En => format!("The report is closed ({}); it cannot change any more.", state.label(lang)),
        },
        crate::cases::TransitionError::NotAllowed { state, event } => match lang {
            Lang::Id => {
                format!("«{}» tidak dapat dilakukan saat laporan berstatus «{}».", event.label(lang), state.label(lang))
            }
            Lang::En => format!("«{}» is not possible while the report is «{}».", event.label(lang), state.label(lang)),
        },
    }
}

#[cfg(test)]
mod tests;
