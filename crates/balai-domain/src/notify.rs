//! Notification messages: which messages the platform sends, the values each may use, and the texts
//! it ships with. Admins may replace a text per language; the replacement must still carry what the
//! message exists for (a sign-in code message without the code is refused) and fit its channel.

use crate::Lang;

/// A message the platform sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    /// The one-time code a citizen signs in with (sent by e-mail, SMS or WhatsApp).
    SignInCode,
    /// Sent to every old and new contact when a contact is bound or changed, so a change the
    /// citizen did not make is noticed.
    ContactChanged,
    /// The code that proves a citizen holds a phone or e-mail address they are binding (the new one)
    /// or giving up (the old one).
    ContactCode,
    /// An application moved: received, asked for a correction, forwarded, completed, rejected.
    CaseUpdate,
    /// To the head of an agency: a step of a case passed its deadline.
    SlaBreach,
    /// To an address that asked to follow a complaint or subscribe to new ones: the link that
    /// confirms it (nothing else is sent to it before).
    FollowConfirm,
    /// To a citizen whose application was completed or whose report was closed: the one-time link
    /// to the satisfaction survey (SKM).
    SurveyInvitation,
}

impl MessageKind {
    pub const ALL: [MessageKind; 7] = [
        MessageKind::SignInCode,
        MessageKind::ContactChanged,
        MessageKind::ContactCode,
        MessageKind::CaseUpdate,
        MessageKind::SlaBreach,
        MessageKind::FollowConfirm,
        MessageKind::SurveyInvitation,
    ];

    /// Stored with each outbox message and each edited text.
    pub fn code(self) -> &'static str {
        match self {
            MessageKind::SignInCode => "sign-in-code",
            MessageKind::ContactChanged => "contact-changed",
            MessageKind::ContactCode => "contact-code",
            MessageKind::CaseUpdate => "case-update",
            MessageKind::SlaBreach => "sla-breach",
            MessageKind::FollowConfirm => "follow-confirm",
            MessageKind::SurveyInvitation => "survey-invitation",
        }
    }

    pub fn parse(code: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            MessageKind::SignInCode => lang.pick("Kode masuk warga", "Citizen sign-in code"),
            MessageKind::ContactChanged => lang.pick("Kontak warga diubah", "Citizen contact changed"),
            MessageKind::ContactCode => lang.pick("Kode pengubahan kontak", "Contact change code"),
            MessageKind::CaseUpdate => lang.pick("Perkembangan permohonan", "Application update"),
            MessageKind::SlaBreach => lang.pick("Batas waktu terlampaui", "Deadline passed"),
            MessageKind::FollowConfirm => lang.pick("Konfirmasi mengikuti laporan", "Confirm following reports"),
            MessageKind::SurveyInvitation => lang.pick("Undangan survei kepuasan", "Satisfaction survey invitation"),
        }
    }

    /// The values a text may use, with an example of each (shown to the admin, used for the preview).
    pub fn variables(self) -> &'static [(&'static str, &'static str)] {
        match self {
            MessageKind::SignInCode => &[("code", "123456"), ("minutes", "5")],
            MessageKind::ContactChanged => &[("contact", "+62812••••890"), ("place", "loket Disdukcapil Kota Kupang")],
            MessageKind::ContactCode => &[("code", "123456"), ("minutes", "10"), ("contact", "+62812••••890")],
            MessageKind::CaseUpdate => {
                &[("tracking_number", "K7QX-4M9P-2"), ("service", "Penerbitan Akta Kelahiran"), ("status", "Diproses")]
            }
            MessageKind::SlaBreach => &[
                ("tracking_number", "K7QX-4M9P-2"),
                ("service", "Penerbitan Akta Kelahiran"),
                ("step", "Verifikasi berkas"),
            ],
            MessageKind::FollowConfirm => {
                &[("what", "laporan K7QX-4M9P-2"), ("link", "https://balai.example/pengaduan/konfirmasi?token=3f9a")]
            }
            MessageKind::SurveyInvitation => &[
                ("tracking_number", "K7QX-4M9P-2"),
                ("service", "Penerbitan Akta Kelahiran"),
                ("link", "https://balai.example/survei/q3Xw9vT0bKf2mR7nLp4sYc8dE1aHg6jU5iO0zN3xVbA"),
                ("days", "30"),
            ],
        }
    }

    /// The values the body must use: the message is pointless without them.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            MessageKind::SignInCode => &["code"],
            MessageKind::ContactChanged => &["contact"],
            MessageKind::ContactCode => &["code"],
            MessageKind::CaseUpdate => &["tracking_number", "status"],
            MessageKind::SlaBreach => &["tracking_number"],
            MessageKind::FollowConfirm => &["link"],
            MessageKind::SurveyInvitation => &["link"],
        }
    }

    /// The longest body after filling in the examples: a sign-in code must fit two SMS segments.
    pub fn max_body_chars(self) -> usize {
        match self {
            MessageKind::SignInCode | MessageKind::ContactChanged | MessageKind::ContactCode => 300,
            MessageKind::CaseUpdate
            | MessageKind::SlaBreach
            | MessageKind::FollowConfirm
            | MessageKind::SurveyInvitation => 600,
        }
    }

    pub const MAX_SUBJECT_CHARS: usize = 120;

    /// The most work filling in a text may take, in MiniJinja fuel (about one instruction, or 64
    /// bytes of output, each). The shipped texts take a few dozen; a text of nested loops runs out
    /// long before it could hold up anyone, because checking and sending render it.
    pub const MAX_RENDER_FUEL: u64 = 20_000;

    /// The text the platform ships with: (subject, body), in MiniJinja syntax.
    pub fn default_text(self, lang: Lang) -> (&'static str, &'static str) {
        match (self, lang) {
            (MessageKind::SignInCode, Lang::Id) => (
                "Kode masuk Balai",
                "Kode masuk Balai: {{ code }}. Berlaku {{ minutes }} menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas.",
            ),
            (MessageKind::SignInCode, Lang::En) => (
                "Your Balai sign-in code",
                "Balai sign-in code: {{ code }}. Valid for {{ minutes }} minutes. Never give this code to anyone, officers included.",
            ),
            (MessageKind::ContactCode, Lang::Id) => (
                "Kode pengubahan kontak Balai",
                "Kode untuk mencatat {{ contact }} sebagai kontak Balai Anda: {{ code }}. Berlaku {{ minutes }} menit. Bukan Anda yang meminta? Abaikan, dan jangan berikan kode ini kepada siapa pun.",
            ),
            (MessageKind::ContactCode, Lang::En) => (
                "Your Balai contact change code",
                "Code to record {{ contact }} as your Balai contact: {{ code }}. Valid for {{ minutes }} minutes. Not you? Ignore it, and never give this code to anyone.",
            ),
            (MessageKind::ContactChanged, Lang::Id) => (
                "Kontak Balai Anda diubah",
                "Kontak Balai Anda diubah: {{ contact }} kini tercatat ({{ place }}). Bukan Anda? Segera datangi loket pelayanan dengan KTP-el.",
            ),
            (MessageKind::CaseUpdate, Lang::Id) => (
                "Permohonan {{ tracking_number }}: {{ status }}",
                "Permohonan {{ service }} Anda ({{ tracking_number }}) kini berstatus: {{ status }}. Lihat rinciannya di halaman Lacak permohonan dengan nomor {{ tracking_number }}.",
            ),
            (MessageKind::CaseUpdate, Lang::En) => (
                "Application {{ tracking_number }}: {{ status }}",
                "Your application for {{ service }} ({{ tracking_number }}) is now: {{ status }}. See the details on the Track an application page with number {{ tracking_number }}.",
            ),
            (MessageKind::SlaBreach, Lang::Id) => (
                "Batas waktu terlampaui: {{ tracking_number }}",
                "Tahap \"{{ step }}\" permohonan {{ service }} ({{ tracking_number }}) melewati batas waktunya. Mohon segera ditindaklanjuti.",
            ),
            (MessageKind::SlaBreach, Lang::En) => (
                "Deadline passed: {{ tracking_number }}",
                "The step \"{{ step }}\" of application {{ service }} ({{ tracking_number }}) has passed its deadline. Please act on it now.",
            ),
            (MessageKind::FollowConfirm, Lang::Id) => (
                "Konfirmasi: ikuti {{ what }}",
                "Seseorang meminta kabar tentang {{ what }} dikirim ke alamat ini. Untuk memastikan, buka: {{ link }} . Bukan Anda? Abaikan pesan ini; tidak ada pesan lain yang akan dikirim.",
            ),
            (MessageKind::FollowConfirm, Lang::En) => (
                "Confirm: follow {{ what }}",
                "Someone asked for news about {{ what }} to be sent to this address. To confirm, open: {{ link }} . Not you? Ignore this message; nothing else will be sent.",
            ),
            (MessageKind::SurveyInvitation, Lang::Id) => (
                "Bagaimana pelayanan kami? {{ tracking_number }}",
                "Terima kasih telah menggunakan layanan {{ service }} ({{ tracking_number }}). Mohon isi survei kepuasan singkat (9 pertanyaan, tanpa nama): {{ link }} . Tautan ini dapat dipakai sekali dan berlaku {{ days }} hari.",
            ),
            (MessageKind::SurveyInvitation, Lang::En) => (
                "How did we serve you? {{ tracking_number }}",
                "Thank you for using {{ service }} ({{ tracking_number }}). Please fill in a short satisfaction survey (9 questions, no name): {{ link }} . The link works once and for {{ days }} days.",
            ),
            (MessageKind::ContactChanged, Lang::En) => (
                "Your Balai contact was changed",
                "Your Balai contact was changed: {{ contact }} is now on record ({{ place }}). Not you? Visit a service counter with your KTP-el at once.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_back_and_its_defaults_use_what_they_must() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.code()), Some(kind));
            for lang in Lang::ALL {
                let (subject, body) = kind.default_text(lang);
                assert!(!subject.is_empty() && subject.chars().count() <= MessageKind::MAX_SUBJECT_CHARS);
                for name in kind.required() {
                    assert!(body.contains(&format!("{{{{ {name} }}}}")), "{kind:?} {lang:?} uses {name}");
                }
            }
        }
        assert_eq!(MessageKind::parse("nope"), None);
    }
}

/// What is wrong with an edited text, phrased at the edge in the admin's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextProblem {
    /// `subject` or `body`.
    pub field: &'static str,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// The template does not parse; the line it fails on, when known.
    Syntax {
        line: Option<usize>,
    },
    /// A value the message does not offer.
    UnknownValue(String),
    /// A value the message must use.
    MissingValue(&'static str),
    TooLong {
        max: usize,
        chars: usize,
    },
    /// Filling the text in takes more than [`MessageKind::MAX_RENDER_FUEL`].
    TooMuchWork {
        max: u64,
    },
}

impl TextProblem {
    pub fn message(&self, lang: Lang, kind: MessageKind) -> String {
        let offered = || kind.variables().iter().map(|(n, _)| format!("{{{{ {n} }}}}")).collect::<Vec<_>>().join(", ");
        match (&self.problem, lang) {
            (Problem::Required, Lang::Id) => "Wajib diisi.".into(),
            (Problem::Required, Lang::En) => "Required.".into(),
            (Problem::Syntax { line: Some(l) }, Lang::Id) => format!("Sintaks templat salah di baris {l}."),
            (Problem::Syntax { line: Some(l) }, Lang::En) => format!("Template syntax error on line {l}."),
            (Problem::Syntax { line: None }, Lang::Id) => "Sintaks templat salah.".into(),
            (Problem::Syntax { line: None }, Lang::En) => "Template syntax error.".into(),
            (Problem::UnknownValue(name), Lang::Id) => {
                format!("Nilai {{{{ {name} }}}} tidak dikenal; yang tersedia: {}.", offered())
            }
            (Problem::UnknownValue(name), Lang::En) => {
                format!("Unknown value {{{{ {name} }}}}; available: {}.", offered())
            }
            (Problem::MissingValue(name), Lang::Id) => format!("Isi pesan harus memuat {{{{ {name} }}}}."),
            (Problem::MissingValue(name), Lang::En) => format!("The message must contain {{{{ {name} }}}}."),
            (Problem::TooLong { max, chars }, Lang::Id) => {
                format!("Terlalu panjang: {chars} karakter setelah diisi, paling banyak {max}.")
            }
            (Problem::TooLong { max, chars }, Lang::En) => {
                format!("Too long: {chars} characters once filled in, at most {max}.")
            }
            (Problem::TooMuchWork { max }, Lang::Id) => {
                format!("Terlalu berat untuk diisi: lebih dari {max} langkah kerja. Kurangi perulangan dan filter.")
            }
            (Problem::TooMuchWork { max }, Lang::En) => {
                format!("Too much work to fill in: more than {max} steps. Use fewer loops and filters.")
            }
        }
    }
}

/// The outbox's retry policy: how long a failed message waits, and when it is given up as dead. The
/// store applies it; the numbers are decided here.
pub mod delivery {
    use chrono::Duration;

    /// After this many failed attempts a message is dead (kept, shown to admins, never retried).
    pub const MAX_ATTEMPTS: i64 = 8;

    /// The wait before attempt `n + 1` after `n` failures: 30 s, 1 min, 2 min … capped at 1 h.
    pub fn backoff(failures: i64) -> Duration {
        let exponent = failures.clamp(1, 8) - 1;
        Duration::seconds((30i64 << exponent).min(3600))
    }

    /// Whether a message that has failed `failures` times is given up.
    pub fn gives_up(failures: i64) -> bool {
        failures >= MAX_ATTEMPTS
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn back_off_doubles_from_thirty_seconds_to_an_hour_and_the_eighth_failure_is_the_last() {
            assert_eq!(backoff(1), Duration::seconds(30));
            assert_eq!(backoff(3), Duration::minutes(2));
            assert_eq!(backoff(20), Duration::hours(1));
            assert!(!gives_up(MAX_ATTEMPTS - 1));
            assert!(gives_up(MAX_ATTEMPTS));
        }
    }
}
