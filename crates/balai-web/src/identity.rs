//! Citizen sign-in with NIK and a one-time code, shared by the pages and the API: one command each,
//! one transaction each, refusals that name the rule and never echo the NIK or the contact.

use crate::AppState;
use crate::auth;
use crate::error::{AppError, Refusal};
use axum::http::StatusCode;
use balai_domain::Lang;
use balai_domain::contact::{self, Channel};
use balai_domain::nik::Nik;
use balai_domain::notify::MessageKind;
use balai_store::identity::codes::{self, CodeCheck, Throttled};
use balai_store::identity::{self, PrincipalKind};
use balai_store::notify::{self, NewMessage};
use chrono::{Duration, Utc};

pub const CITIZEN_COOKIE: &str = "balai_citizen";
pub const PENDING_COOKIE: &str = "balai_pending";

fn refusal(
    lang: Lang,
    status: StatusCode,
    problem_type: &'static str,
    title: (&'static str, &'static str),
    field: Option<&'static str>,
    rule: &'static str,
    message: String,
) -> Refusal {
    Refusal {
        status,
        problem_type,
        title: lang.pick(title.0, title.1),
        field,
        rule,
        message,
        retry_after: None,
        attempts_left: None,
    }
}

pub fn invalid_nik(lang: Lang, e: balai_domain::nik::NikError) -> Refusal {
    refusal(
        lang,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/invalid-nik",
        ("NIK tidak sah", "Invalid NIK"),
        Some("nik"),
        e.code(),
        e.message(lang).to_owned(),
    )
}

fn invalid_recipient(lang: Lang, e: contact::ContactError) -> Refusal {
    refusal(
        lang,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/invalid-recipient",
        ("Tujuan pengiriman tidak sah", "Invalid destination"),
        Some("to"),
        e.code(),
        e.message(lang).to_owned(),
    )
}

fn unknown_channel(lang: Lang) -> Refusal {
    refusal(
        lang,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/validation",
        ("Isian tidak sah", "Invalid input"),
        Some("channel"),
        "unknown",
        lang.pick("Pilih surel, SMS atau WhatsApp.", "Choose e-mail, SMS or WhatsApp.").to_owned(),
    )
}

fn throttled(lang: Lang, t: Throttled) -> Refusal {
    let (rule, seconds, message) = match t {
        Throttled::Nik { retry_after_seconds } => (
            "codes_per_nik",
            retry_after_seconds,
            match lang {
                Lang::Id => format!(
                    "Sudah {} kode diminta untuk NIK ini dalam {} menit. Coba lagi dalam {} menit.",
                    codes::MAX_CODES_PER_NIK,
                    codes::THROTTLE_WINDOW_MINUTES,
                    minutes(retry_after_seconds)
                ),
                Lang::En => format!(
                    "{} codes were already requested for this NIK within {} minutes. Try again in {} minute(s).",
                    codes::MAX_CODES_PER_NIK,
                    codes::THROTTLE_WINDOW_MINUTES,
                    minutes(retry_after_seconds)
                ),
            },
        ),
        Throttled::Client { retry_after_seconds } => (
            "codes_per_client",
            retry_after_seconds,
            match lang {
                Lang::Id => format!(
                    "Terlalu banyak permintaan kode dari perangkat ini. Coba lagi dalam {} menit.",
                    minutes(retry_after_seconds)
                ),
                Lang::En => format!(
                    "Too many code requests from this device. Try again in {} minute(s).",
                    minutes(retry_after_seconds)
                ),
            },
        ),
    };
    let mut r = refusal(
        lang,
        StatusCode::TOO_MANY_REQUESTS,
        "/problems/too-many-codes",
        ("Terlalu banyak permintaan kode", "Too many code requests"),
        None,
        rule,
        message,
    );
    r.retry_after = Some(seconds);
    r
}

fn minutes(seconds: i64) -> i64 {
    (seconds + 59) / 60
}

pub fn wrong_code(lang: Lang, attempts_left: i64) -> Refusal {
    let message = match (lang, attempts_left) {
        (Lang::Id, 0) => "Kode salah, dan kesempatan sudah habis. Minta kode baru.".to_owned(),
        (Lang::En, 0) => "Wrong code, and no attempts are left. Request a new code.".to_owned(),
        (Lang::Id, n) => format!("Kode salah. Sisa percobaan: {n}."),
        (Lang::En, n) => format!("Wrong code. Attempts left: {n}."),
    };
    let mut r = refusal(
        lang,
        StatusCode::UNAUTHORIZED,
        "/problems/wrong-code",
        ("Kode salah", "Wrong code"),
        Some("code"),
        "wrong_code",
        message,
    );
    r.attempts_left = Some(attempts_left);
    r
}

pub fn no_open_code(lang: Lang) -> Refusal {
    refusal(
        lang,
        StatusCode::UNAUTHORIZED,
        "/problems/no-open-code",
        ("Tidak ada kode yang berlaku", "No valid code"),
        Some("code"),
        "no_open_code",
        lang.pick(
            "Tidak ada kode yang masih berlaku: kode berlaku 5 menit dan 5 kali percobaan. Minta kode baru.",
            "No code is open: a code is valid for 5 minutes and 5 attempts. Request a new code.",
        )
        .to_owned(),
    )
}

fn malformed_code(lang: Lang) -> Refusal {
    refusal(
        lang,
        StatusCode::UNPROCESSABLE_ENTITY,
        "/problems/validation",
        ("Isian tidak sah", "Invalid input"),
        Some("code"),
        "code_format",
        lang.pick("Kode terdiri dari 6 angka.", "The code has 6 digits.").to_owned(),
    )
}

/// A code on its way.
pub struct CodeSent {
    pub pending_token: String,
    pub channel: Channel,
    pub masked_recipient: String,
    pub expires_in_seconds: i64,
}

/// Validates the request, issues a code and puts its message in the outbox, in one transaction.
pub async fn request_code(
    state: &AppState,
    lang: Lang,
    nik: &str,
    channel: &str,
    to: &str,
    client: &str,
) -> Result<CodeSent, AppError> {
    let now = Utc::now();
    let nik = Nik::parse(nik, crate::identity::today()).map_err(|e| invalid_nik(lang, e))?;
    let channel = Channel::parse(channel.trim()).ok_or_else(|| unknown_channel(lang))?;
    let recipient = contact::normalize_recipient(channel, to).map_err(|e| invalid_recipient(lang, e))?;
    let mut tx = state.db.begin().await?;
    let issued = match codes::issue_code(&mut tx, &state.vault, &nik, channel, &recipient, client, now).await? {
        Ok(issued) => issued,
        Err(t) => {
            tracing::info!(reason = ?t, "sign-in code throttled");
            return Err(throttled(lang, t).into());
        }
    };
    let minutes = codes::CODE_MINUTES.to_string();
    let (subject, body) = notify::templates::compose(
        &mut tx,
        MessageKind::SignInCode,
        lang,
        &[("code", issued.code.as_str()), ("minutes", minutes.as_str())],
    )
    .await?;
    notify::enqueue(
        &mut tx,
        &state.vault,
        &NewMessage {
            government_id: None,
            channel,
            recipient: &recipient,
            template: MessageKind::SignInCode.code(),
            lang,
            subject,
            body,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(channel = channel.code(), "sign-in code issued");
    Ok(CodeSent {
        pending_token: issued.pending_token,
        channel,
        masked_recipient: contact::mask_recipient(&recipient),
        expires_in_seconds: (issued.expires_at - now).num_seconds(),
    })
}

/// "Today" for NIK birth-date checks, in WIT, the zone whose date turns first: a birth date that is
/// today anywhere in Indonesia is not refused as in the future.
pub fn today() -> chrono::NaiveDate {
    balai_domain::IndonesianTimeZone::Wit.local_date(Utc::now())
}

/// A citizen who just signed in.
pub struct SignedIn {
    pub citizen_id: i64,
    pub session_token: String,
}

pub enum CodeEntry<'a> {
    /// The API: NIK and code.
    Nik(&'a str),
    /// The pages: the pending token from the cookie.
    Pending(&'a str),
}

/// Checks a code and opens a session, in one transaction (a wrong attempt is counted even so).
pub async fn verify_code(state: &AppState, lang: Lang, entry: CodeEntry<'_>, code: &str) -> Result<SignedIn, AppError> {
    let now = Utc::now();
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(malformed_code(lang).into());
    }
    let mut tx = state.db.begin().await?;
    let check = match entry {
        CodeEntry::Nik(nik) => {
            let nik = Nik::parse(nik, today()).map_err(|e| invalid_nik(lang, e))?;
            codes::check_code_for_nik(&mut tx, &state.vault, &nik, code, now).await?
        }
        CodeEntry::Pending(token) => codes::check_code_for_pending(&mut tx, &state.vault, token, code, now).await?,
    };
    match check {
        CodeCheck::Accepted { citizen_id, created } => {
            let token = auth::random_token();
            identity::open_session(
                &mut tx,
                PrincipalKind::Citizen,
                citizen_id,
                &auth::token_hash(&token),
                &auth::random_token(),
                now + Duration::minutes(state.config.session_minutes),
            )
            .await?;
            tx.commit().await?;
            tracing::info!(citizen_id, created, "citizen signed in");
            Ok(SignedIn { citizen_id, session_token: token })
        }
        CodeCheck::Wrong { attempts_left } => {
            tx.commit().await?;
            tracing::info!(attempts_left, "wrong sign-in code");
            Err(wrong_code(lang, attempts_left).into())
        }
        CodeCheck::NoOpenCode => {
            tx.commit().await?;
            Err(no_open_code(lang).into())
        }
    }
}
