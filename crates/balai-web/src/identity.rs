//! Citizen sign-in with NIK and a one-time code, shared by the pages and the API: one command each,
//! one transaction each, refusals that name the rule and never echo the NIK or the contact.

use crate::AppState;
use crate::auth;
use crate::error::{AppError, Refusal};
use crate::pages::identity::texts;
use axum::http::StatusCode;
use balai_domain::Lang;
use balai_domain::contact::{self, Channel};
use balai_domain::identity::Assurance;
use balai_domain::nik::Nik;
use balai_store::identity::NewSession;
use balai_store::identity::codes::{self, CodeCheck, ContactOnRecord, Throttled};
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
        texts::CHOOSE_E_MAIL_SMS_OR.get(lang).to_owned(),
    )
}

fn throttled(lang: Lang, t: Throttled) -> Refusal {
    let (rule, seconds, message) = match t {
        Throttled::Nik { retry_after_seconds } => (
            "codes_per_nik",
            retry_after_seconds,
            texts::CODES_WERE_ALREADY_REQUESTED_FOR.fill(
                lang,
                &[
                    ("max", &codes::MAX_CODES_PER_NIK.to_string()),
                    ("window", &codes::THROTTLE_WINDOW_MINUTES.to_string()),
                    ("minutes", &minutes(retry_after_seconds).to_string()),
                ],
            ),
        ),
        Throttled::Client { retry_after_seconds } => (
            "codes_per_client",
            retry_after_seconds,
            texts::TOO_MANY_CODE_REQUESTS_FROM.fill(lang, &[("minutes", &minutes(retry_after_seconds).to_string())]),
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
        texts::NO_CODE_IS_OPEN_ON.get(lang).to_owned(),
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
        texts::THE_CODE_HAS_6_DIGITS.get(lang).to_owned(),
    )
}

/// A code request, answered alike whether or not the code was sent (the answer must not tell whether
/// the NIK has a record, nor whether the destination is the one on record).
pub struct CodeSent {
    pub pending_token: String,
    pub channel: Channel,
    /// The destination typed, or the one on record when none was typed, masked.
    pub masked_recipient: String,
    pub expires_in_seconds: i64,
}

/// Whether a typed destination is the contact on record (e-mail addresses compare without case).
fn same_contact(channel: Channel, on_record: &str, typed: &str) -> bool {
    match channel {
        Channel::Email => on_record.eq_ignore_ascii_case(typed),
        Channel::Sms | Channel::Whatsapp => on_record == typed,
    }
}

/// A stand-in destination for a request with no destination and no contact on record: derived from
/// the NIK under a key, so asking again shows the same masked value, as a real record would.
fn stand_in_recipient(state: &AppState, nik: &Nik, channel: Channel) -> String {
    let seed = state.vault.lookup_hash("stand-in-contact", &format!("{}:{}", nik.expose(), channel.code()));
    let digits: String = seed.bytes().filter(u8::is_ascii_digit).map(char::from).chain("0123456789".chars()).collect();
    match channel {
        Channel::Email => {
            let letters: String =
                seed.bytes().filter(u8::is_ascii_lowercase).map(char::from).chain("ab".chars()).collect();
            let domains = ["gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com"];
            let domain = domains[usize::from(seed.as_bytes()[0]) % domains.len()];
            format!("{}@{domain}", &letters[..2])
        }
        Channel::Sms | Channel::Whatsapp => format!("+628{}", &digits[..10]),
    }
}

/// Validates the request, finds the contact on record and, if the destination is that contact,
/// issues a code and puts its message in the outbox, in one transaction. Any other request gets the
/// same answer and a row that counts against the throttles, and nothing is sent.
pub async fn request_code(
    state: &AppState,
    lang: Lang,
    nik: &str,
    channel: &str,
    to: &str,
    client: std::net::IpAddr,
) -> Result<CodeSent, AppError> {
    let now = Utc::now();
    let nik = Nik::parse(nik, crate::identity::today()).map_err(|e| invalid_nik(lang, e))?;
    let channel = Channel::parse(channel.trim()).ok_or_else(|| unknown_channel(lang))?;
    let typed = if to.trim().is_empty() {
        None
    } else {
        Some(contact::normalize_recipient(channel, to).map_err(|e| invalid_recipient(lang, e))?)
    };
    let client = crate::ops::throttle_key(client);
    if let Some(t) = codes::client_throttled(&state.db, &state.vault, &client, now).await? {
        tracing::info!(reason = ?t, "sign-in code throttled before the register lookup");
        return Err(throttled(lang, t).into());
    }
    // Outside the transaction: the register is a network call, and must not hold the writer.
    let on_record = match codes::contact_on_record(&state.db, &state.vault, &nik, channel).await? {
        Some(held) => held,
        None => match state.config.register.lookup(&nik).await {
            Ok(found) => found.and_then(|record| {
                let new = record.to_new_citizen();
                let recipient = match channel {
                    Channel::Email => new.email,
                    Channel::Sms | Channel::Whatsapp => new.phone,
                }?;
                Some(ContactOnRecord { recipient, assurance: Assurance::Basic, register: Some(record) })
            }),
            Err(e) => {
                tracing::warn!(error = %e, "population register lookup failed");
                return Err(register_unavailable(lang).into());
            }
        },
    };
    let (target, deliver) = match (&typed, &on_record) {
        (Some(typed), Some(held)) if same_contact(channel, &held.recipient, typed) => {
            (held.recipient.clone(), Some(held))
        }
        (Some(typed), _) => (typed.clone(), None),
        (None, Some(held)) => (held.recipient.clone(), Some(held)),
        (None, None) => (stand_in_recipient(state, &nik, channel), None),
    };
    let issued = match codes::request_code(&state.db, &state.vault, &nik, channel, &target, deliver, &client, lang, now)
        .await?
    {
        Ok(issued) => issued,
        Err(t) => {
            tracing::info!(reason = ?t, "sign-in code throttled");
            return Err(throttled(lang, t).into());
        }
    };
    // Logged alike, so the log does not tell a stranger's request from the citizen's either.
    tracing::info!(channel = channel.code(), "sign-in code requested");
    if issued.code.is_none() {
        metrics::counter!("balai_sign_in_codes_withheld_total").increment(1);
    }
    Ok(CodeSent {
        pending_token: issued.pending_token,
        channel,
        masked_recipient: contact::mask_recipient(&target),
        expires_in_seconds: (issued.expires_at - now).num_seconds(),
    })
}

fn register_unavailable(lang: Lang) -> Refusal {
    let mut r = refusal(
        lang,
        StatusCode::SERVICE_UNAVAILABLE,
        "/problems/register-unavailable",
        ("Data kependudukan tidak dapat dihubungi", "The population register is unavailable"),
        None,
        "register_unavailable",
        texts::THE_POPULATION_REGISTER_CANNOT_BE.get(lang).to_owned(),
    );
    r.retry_after = Some(60);
    r
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

/// Checks a code and opens a session, in one transaction (a wrong attempt is counted even so). The code
/// is found by the pending token of the browser or client that asked for it, so nobody else can spend
/// its attempts; the API also names the NIK, which must be the code's.
pub async fn verify_code(
    state: &AppState,
    lang: Lang,
    pending_token: Option<&str>,
    nik: Option<&str>,
    code: &str,
) -> Result<SignedIn, AppError> {
    let now = Utc::now();
    let nik = match nik {
        Some(n) => Some(Nik::parse(n, today()).map_err(|e| invalid_nik(lang, e))?),
        None => None,
    };
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(malformed_code(lang).into());
    }
    let Some(pending_token) = pending_token else {
        return Err(no_open_code(lang).into());
    };
    let token = auth::random_token();
    let session = NewSession {
        token_hash: &auth::token_hash(&token),
        csrf_token: &auth::random_token(),
        expires_at: now + Duration::minutes(state.config.session_minutes),
    };
    let check =
        codes::sign_in_with_code(&state.db, &state.vault, pending_token, nik.as_ref(), code, &session, now).await?;
    match check {
        CodeCheck::Accepted { citizen_id, created, assurance } => {
            tracing::info!(citizen_id, created, assurance = assurance.code(), "citizen signed in");
            Ok(SignedIn { citizen_id, session_token: token })
        }
        CodeCheck::Wrong { attempts_left } => {
            tracing::info!(attempts_left, "wrong sign-in code");
            Err(wrong_code(lang, attempts_left).into())
        }
        CodeCheck::NoOpenCode => Err(no_open_code(lang).into()),
    }
}
