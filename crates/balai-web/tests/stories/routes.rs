//! Every route that changes state says how it is protected, and a story per route shows that a
//! forged, unsigned or unpermitted request is refused and changes nothing. A guard reads the router's
//! routes from the source: a new POST, PUT, PATCH or DELETE route fails it until it has a row here,
//! and so does a row whose route is gone. A GET that changes state (an OpenID Connect callback)
//! cannot be told from its method; its row is written by hand.

use crate::access::marias_application;
use crate::officers::{PASSWORD, officer, password};
use crate::support::{TestApp, TestResponse, urlencode};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use balai_domain::identity::Role;
use balai_web::WebConfig;
use balai_web::auth::CookieSecurity;
use balai_web::pages::identity::{CitizenIdp, OidcSignIn};
use std::collections::BTreeSet;
use std::path::Path;

const MARIA: &str = "5371045203900003";

/// Who is signed in for a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The deployment's administrator (a government admin of no one government: every government).
    Admin,
    /// A plain officer (`officer` role) of Disdukcapil Kota Kupang.
    Petugas,
    /// An officer of Disdukcapil Kota Kupang in another unit than the one a case sits at.
    OtherUnit,
    /// The complaint desk of Kota Kupang (an officer of its unit `dpmptsp-pengaduan`).
    Desk,
    /// An inspector of Kota Kupang's Inspectorate (reads whistleblowing reports).
    Inspector,
    /// A receiving treasurer of Kota Kupang (reconciles payments, asks for and decides refunds).
    Treasurer,
}

/// How a state-changing route is protected.
#[derive(Debug, Clone, Copy)]
enum Guard {
    /// An officer's session, the session's CSRF token in the form, and a permission: `with` holds
    /// it; `without` does not and meets `refused` (a 404 where the app does not even say the thing
    /// exists to them).
    Officer { permission: &'static str, with: Who, without: Who, refused: StatusCode },
    /// An officer's session and its CSRF token; any officer may (signing out).
    OfficerSession,
    /// A citizen's session and its CSRF token.
    Citizen,
    /// A citizen's session and its CSRF token, in a `multipart/form-data` body (a form with files):
    /// the token is checked before any file is kept.
    CitizenMultipart,
    /// Open to anyone, in a `multipart/form-data` body, and changes nothing (checking a file).
    PublicReadOnly,
    /// A sign-in form: no session yet, so a signed double-submit token (cookie and field).
    SignInForm,
    /// A form open to anyone, signed in or not (a complaint, its tracking, "me too"): the same
    /// signed double-submit token as a sign-in form; `multipart` for a form with files, where the
    /// token is checked before any file is kept.
    PublicForm { multipart: bool },
    /// The second factor: the half-open session from the password step and its CSRF token.
    SecondFactor,
    /// The JSON API: a JSON body only, and no other site's Origin (no cookie CSRF).
    Api,
    /// The Open311 API: a client application's `api_key` in the form (no cookie, no session).
    Open311Key,
    /// SNAP, called by the bank: its RSA signature (token) or HMAC signature and Bearer token
    /// (transaction calls) in headers; no cookie, no session.
    SnapSigned,
    /// A payment gateway's notification: `Balai-Signature` (HMAC over the exact body) in a header;
    /// no cookie, no session.
    GatewaySigned,
    /// The API's one file endpoint: `multipart/form-data` (and only there), no other site's Origin.
    ApiUpload,
    /// An OpenID Connect callback (GET) that opens a session: only for the browser holding the
    /// binding cookie of a sign-in it started, with that sign-in's state (and the ID token's nonce).
    OidcCallback { binding_cookie: &'static str },
    /// The start of an OpenID Connect sign-in (GET): open to anyone by design; it keeps only a
    /// pending sign-in bound to a fresh cookie of this browser, and opens no session.
    OidcStart { binding_cookie: &'static str },
}

/// A path parameter, filled with a value the demo holds.
#[derive(Debug, Clone, Copy)]
enum Arg {
    Region,
    Year,
    Service,
    Agency,
    Case,
    Officer,
    MessageKind,
    MessageLang,
    /// An application (a case with a tracking number) by the signed-in citizen.
    Application,
    /// An issued document's public id.
    Document,
    /// A complaint waiting at the complaint desk.
    Complaint,
    /// An Open311 client (its key is the demo's).
    Open311Client,
    /// An Open311 resource file (`requests.json`).
    Open311File,
    /// A public complaint's tracking number.
    ComplaintNumber,
    /// A whistleblowing report (its case id).
    Wbs,
    /// The token of a survey link mailed to a citizen (its application was completed).
    SurveyToken,
    /// The signed-in citizen's open invoice (its public id).
    Invoice,
}

struct Route {
    method: &'static str,
    /// As the router names it (with the `/api` prefix it is nested under).
    pattern: &'static str,
    /// Values for the pattern's `{…}` parameters, in order.
    args: &'static [Arg],
    guard: Guard,
    /// A form (or JSON object) the route would accept from someone allowed to send it.
    fields: &'static [(&'static str, &'static str)],
}

const fn route(
    method: &'static str,
    pattern: &'static str,
    args: &'static [Arg],
    guard: Guard,
    fields: &'static [(&'static str, &'static str)],
) -> Route {
    Route { method, pattern, args, guard, fields }
}

/// A treasurer's route: a plain officer does not hold the permission.
const fn treasurer(permission: &'static str) -> Guard {
    Guard::Officer { permission, with: Who::Treasurer, without: Who::Petugas, refused: StatusCode::FORBIDDEN }
}

const fn admin_only(permission: &'static str) -> Guard {
    Guard::Officer { permission, with: Who::Admin, without: Who::Petugas, refused: StatusCode::FORBIDDEN }
}

/// A full set of survey answers.
const SURVEY_ANSWERS: &[(&str, &str)] = &[
    ("U1", "4"),
    ("U2", "4"),
    ("U3", "3"),
    ("U4", "4"),
    ("U5", "3"),
    ("U6", "4"),
    ("U7", "4"),
    ("U8", "3"),
    ("U9", "3"),
];

/// Every route that changes state, and how it is protected.
const ROUTES: &[Route] = &[
    // ---- the administration: officer session + CSRF + permission ----
    route(
        "POST",
        "/admin/layanan/{region}/baru",
        &[Arg::Region],
        admin_only("ManageCatalogue"),
        &[("name_id", "Layanan Uji"), ("change_note", "Uji")],
    ),
    route(
        "POST",
        "/admin/layanan/{region}/{code}/ubah",
        &[Arg::Region, Arg::Service],
        admin_only("ManageCatalogue"),
        &[("expected_version", "1"), ("change_note", "Uji")],
    ),
    route(
        "POST",
        "/admin/layanan/{region}/{code}/formulir",
        &[Arg::Region, Arg::Service],
        admin_only("ManageCatalogue"),
        &[("fields", "[]"), ("change_note", "Uji formulir"), ("expected_version", "1")],
    ),
    route(
        "POST",
        "/admin/instansi/{id}/maklumat",
        &[Arg::Agency],
        admin_only("ManageCatalogue"),
        &[("maklumat", "Kami sanggup melayani dengan cepat dan ramah.")],
    ),
    route(
        "POST",
        "/admin/kalender/{region}/{year}",
        &[Arg::Region, Arg::Year],
        admin_only("ManageCalendar"),
        &[("holidays", "2026-12-25 Natal")],
    ),
    route(
        "POST",
        "/admin/open311",
        &[],
        admin_only("ManageComplaints"),
        &[("name", "Aplikasi Uji"), ("government", "53.71")],
    ),
    route("POST", "/admin/open311/{id}/cabut", &[Arg::Open311Client], admin_only("ManageComplaints"), &[]),
    route(
        "POST",
        "/admin/petugas/{region}",
        &[Arg::Region],
        admin_only("ManageOfficers"),
        &[("username", "baru"), ("display_name", "Petugas Baru"), ("role", "officer"), ("agency", "disdukcapil")],
    ),
    route(
        "POST",
        "/admin/petugas/{region}/{id}/sandi",
        &[Arg::Region, Arg::Officer],
        admin_only("ManageOfficers"),
        &[("password", "kata-sandi-baru-sekali")],
    ),
    route(
        "POST",
        "/admin/pesan/{kind}/{lang}",
        &[Arg::MessageKind, Arg::MessageLang],
        admin_only("ManageTemplates"),
        &[("subject", ""), ("body", "Kode masuk Balai: {code}")],
    ),
    route(
        "POST",
        "/admin/pesan/{kind}/{lang}/bawaan",
        &[Arg::MessageKind, Arg::MessageLang],
        admin_only("ManageTemplates"),
        &[],
    ),
    // A deployment admin belongs to no agency: no front desk, no cases.
    route(
        "POST",
        "/admin/loket",
        &[],
        Guard::Officer {
            permission: "VerifyCitizenAtCounter",
            with: Who::Petugas,
            without: Who::Admin,
            refused: StatusCode::FORBIDDEN,
        },
        &[("nik", MARIA), ("channel", "email"), ("to", "maria.lado@contoh.id"), ("ktp_checked", "on")],
    ),
    // A case is worked by the unit it sits at: an officer of another unit is refused.
    route(
        "POST",
        "/admin/permohonan/{id}/aksi",
        &[Arg::Application],
        Guard::Officer {
            permission: "WorkCase",
            with: Who::Petugas,
            without: Who::OtherUnit,
            refused: StatusCode::FORBIDDEN,
        },
        &[("event", "verify")],
    ),
    // A complaint is worked by the desk while it waits for verification: another agency's officer is refused.
    route(
        "POST",
        "/admin/pengaduan/{id}/aksi",
        &[Arg::Complaint],
        Guard::Officer {
            permission: "WorkCase",
            with: Who::Desk,
            without: Who::Petugas,
            refused: StatusCode::FORBIDDEN,
        },
        &[("event", "verify")],
    ),
    route(
        "POST",
        "/admin/pengaduan/aturan",
        &[],
        admin_only("ManageComplaints"),
        &[
            ("wilayah", "53.71"),
            ("verify_days", "3"),
            ("information_days", "5"),
            ("ordinary_days", "14"),
            ("supervisory_days", "60"),
            ("response_days", "10"),
            ("reopen_days", "5"),
            ("similar_radius_m", "200"),
            ("similar_days", "30"),
            ("note", "Uji aturan"),
        ],
    ),
    route(
        "POST",
        "/admin/kasus/{id}/data-warga",
        &[Arg::Case],
        Guard::Officer {
            permission: "ReadCitizenForCase",
            with: Who::Petugas,
            without: Who::Admin,
            refused: StatusCode::NOT_FOUND,
        },
        &[("purpose", "Verifikasi berkas permohonan akta")],
    ),
    // Whistleblowing reports are the inspectors' alone: a government admin is refused.
    route(
        "POST",
        "/admin/wbs/{id}/buka",
        &[Arg::Wbs],
        Guard::Officer {
            permission: "ReadWhistleblowing",
            with: Who::Inspector,
            without: Who::Admin,
            refused: StatusCode::FORBIDDEN,
        },
        &[("private_key", "BALAI-WBS-KEY-1:bukan-kunci")],
    ),
    route(
        "POST",
        "/admin/wbs/{id}/aksi",
        &[Arg::Wbs],
        Guard::Officer {
            permission: "ReadWhistleblowing",
            with: Who::Inspector,
            without: Who::Admin,
            refused: StatusCode::FORBIDDEN,
        },
        &[("event", "verify"), ("reason", "Ditelaah")],
    ),
    // ---- officers sign in and out ----
    route(
        "POST",
        "/admin/masuk",
        &[],
        Guard::SignInForm,
        &[("username", "admin"), ("password", "kata-sandi-uji"), ("next", "/admin")],
    ),
    route("POST", "/admin/masuk/faktor-kedua", &[], Guard::SecondFactor, &[("code", "000000")]),
    route("POST", "/admin/keluar", &[], Guard::OfficerSession, &[]),
    route("POST", "/admin/keluar/semua", &[], Guard::OfficerSession, &[]),
    route("GET", "/admin/masuk/oidc", &[], Guard::OidcStart { binding_cookie: "balai_oidc" }, &[]),
    route(
        "GET",
        "/admin/masuk/oidc/callback",
        &[],
        Guard::OidcCallback { binding_cookie: "balai_oidc" },
        &[("code", "kode-palsu"), ("state", "keadaan-palsu")],
    ),
    // ---- citizens sign in and out, and their account ----
    route(
        "POST",
        "/masuk",
        &[],
        Guard::SignInForm,
        &[("nik", MARIA), ("channel", "email"), ("to", "maria.lado@contoh.id"), ("next", "/akun")],
    ),
    route("POST", "/masuk/kode", &[], Guard::SignInForm, &[("code", "123456"), ("next", "/akun")]),
    route("GET", "/masuk/idp", &[], Guard::OidcStart { binding_cookie: "balai_idp" }, &[]),
    route(
        "GET",
        "/masuk/idp/callback",
        &[],
        Guard::OidcCallback { binding_cookie: "balai_idp" },
        &[("code", "kode-palsu"), ("state", "keadaan-palsu")],
    ),
    route("POST", "/keluar", &[], Guard::Citizen, &[]),
    route("POST", "/keluar/semua", &[], Guard::Citizen, &[]),
    route("POST", "/akun/kontak", &[], Guard::Citizen, &[("channel", "email"), ("to", "maria.baru@contoh.id")]),
    route("POST", "/akun/kontak/kode", &[], Guard::Citizen, &[("new_code", "123456")]),
    // ---- whistleblowing: no session, ever (a signed double-submit token like a sign-in form) ----
    route("POST", "/wbs", &[], Guard::SignInForm, &[("region", "53.71"), ("text", "Laporan uji WBS")]),
    route("POST", "/wbs/lacak", &[], Guard::SignInForm, &[("tracking", "WBS-0000-0000"), ("secret", "tebakan")]),
    // ---- applying, correcting, checking a document ----
    route(
        "POST",
        "/layanan/{region}/{code}/ajukan",
        &[Arg::Region, Arg::Service],
        Guard::CitizenMultipart,
        &[("idempotency_key", "kunci-uji")],
    ),
    route("POST", "/akun/permohonan/{id}/perbaikan", &[Arg::Application], Guard::CitizenMultipart, &[]),
    route(
        "POST",
        "/verifikasi/{id}",
        &[Arg::Document],
        Guard::PublicReadOnly,
        &[("file", "%PDF-1.7\n% bukan dokumen yang diterbitkan\n")],
    ),
    // ---- the JSON API ----
    route(
        "POST",
        "/api/v1/auth/citizen/code",
        &[],
        Guard::Api,
        &[("nik", MARIA), ("channel", "email"), ("to", "maria.lado@contoh.id")],
    ),
    route("POST", "/api/v1/auth/citizen/verify", &[], Guard::Api, &[("nik", MARIA), ("code", "123456")]),
    route("POST", "/api/v1/uploads", &[], Guard::ApiUpload, &[]),
    // ---- complaints: anyone, signed in or not ----
    route(
        "POST",
        "/pengaduan/baru",
        &[],
        Guard::PublicForm { multipart: true },
        &[
            ("kind", "pengaduan"),
            ("category", "SAMPAH"),
            ("title", "Sampah menumpuk"),
            ("text", "Sampah belum diangkut seminggu."),
            ("idempotency_key", "kunci-uji"),
        ],
    ),
    route(
        "POST",
        "/pengaduan/lacak",
        &[],
        Guard::PublicForm { multipart: false },
        &[("nomor", "K7QX-4M9P-2"), ("rahasia", "tebakan")],
    ),
    route("POST", "/pengaduan/lacak/tanggapan", &[], Guard::PublicForm { multipart: false }, &[("event", "accept")]),
    route("POST", "/pengaduan/lacak/nilai", &[], Guard::PublicForm { multipart: false }, &[("stars", "5")]),
    route("POST", "/pengaduan/{number}/dukung", &[Arg::ComplaintNumber], Guard::PublicForm { multipart: false }, &[]),
    route(
        "POST",
        "/pengaduan/{number}/ikuti",
        &[Arg::ComplaintNumber],
        Guard::PublicForm { multipart: false },
        &[("email", "pengikut@contoh.id")],
    ),
    route(
        "POST",
        "/pengaduan/langganan",
        &[],
        Guard::PublicForm { multipart: false },
        &[("email", "pelanggan@contoh.id"), ("kategori", "SAMPAH")],
    ),
    route("POST", "/pengaduan/konfirmasi", &[], Guard::PublicForm { multipart: false }, &[("token", "tebakan")]),
    route("POST", "/pengaduan/berhenti", &[], Guard::PublicForm { multipart: false }, &[("token", "tebakan")]),
    // ---- the satisfaction survey: the one-time link (no session), and an officer's kiosk ----
    route("POST", "/survei/{token}", &[Arg::SurveyToken], Guard::PublicForm { multipart: false }, SURVEY_ANSWERS),
    route(
        "POST",
        "/admin/skm/kios",
        &[],
        Guard::Officer {
            permission: "RecordSurvey",
            with: Who::Petugas,
            without: Who::Inspector,
            refused: StatusCode::FORBIDDEN,
        },
        &[
            ("unit", "disdukcapil-dafduk"),
            ("idempotency_key", "kunci-uji"),
            ("U1", "4"),
            ("U2", "4"),
            ("U3", "3"),
            ("U4", "4"),
            ("U5", "3"),
            ("U6", "4"),
            ("U7", "4"),
            ("U8", "3"),
            ("U9", "3"),
        ],
    ),
    route(
        "POST",
        "/admin/skm/impor",
        &[],
        Guard::Officer {
            permission: "RecordSurvey",
            with: Who::Petugas,
            without: Who::Inspector,
            refused: StatusCode::FORBIDDEN,
        },
        &[("unit", "disdukcapil-dafduk"), ("answered_on", "")],
    ),
    // ---- the receiving treasurer ----
    route("POST", "/admin/pembayaran/impor", &[], treasurer("ReconcilePayments"), &[]),
    route(
        "POST",
        "/admin/pembayaran/pengembalian",
        &[],
        treasurer("RequestRefund"),
        &[("payment", "1"), ("amount", "1000"), ("refundable", "1000"), ("reason", "Salah bayar")],
    ),
    route(
        "POST",
        "/admin/pembayaran/pengembalian/putusan",
        &[],
        treasurer("ApproveRefund"),
        &[("refund", "1"), ("decision", "approve"), ("note", "")],
    ),
    route("POST", "/api/v1/applications", &[], Guard::Api, &[("government", "53.71"), ("service", "AKTA-LAHIR")]),
    // ---- the Open311 API ----
    route(
        "POST",
        "/open311/v2/{file}",
        &[Arg::Open311File],
        Guard::Open311Key,
        &[("service_code", "SAMPAH"), ("lat", "-10.1772"), ("long", "123.6070"), ("description", "Sampah menumpuk.")],
    ),
    // ---- SNAP, for the bank ----
    route("POST", "/v1.0/access-token/b2b", &[], Guard::SnapSigned, &[("grantType", "client_credentials")]),
    route("POST", "/v1.0/transfer-va/inquiry", &[], Guard::SnapSigned, &[("partnerServiceId", "   12345")]),
    route("POST", "/v1.0/transfer-va/payment", &[], Guard::SnapSigned, &[("partnerServiceId", "   12345")]),
    // ---- a payment gateway ----
    route("POST", "/api/v1/payments/callback/generic", &[], Guard::GatewaySigned, &[]),
    // ---- a citizen's payment ----
    route("POST", "/bayar/{id}/baru", &[Arg::Invoice], Guard::Citizen, &[]),
    // The demo gateway (configured below at an address nothing answers: past the guards, 502).
    route("POST", "/demo/gateway/bayar/{id}", &[Arg::Invoice], Guard::Citizen, &[("channel", "qris")]),
];

// ---- the guard: the table names exactly the state-changing routes the source declares ---------

/// Methods whose handlers may change state.
const CHANGING: &[&str] = &["post", "put", "patch", "delete", "any"];
const ALL_METHODS: &[&str] = &["get", "head", "options", "trace", "post", "put", "patch", "delete", "any"];

/// `(METHOD, path)` of every `.route("…", …)` call under `src/`, with the prefix its router is
/// nested under. Files may move between modules: every file is read.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "the sources are found under {}", src.display());
    let mut routes = BTreeSet::new();
    for file in files {
        let text = without_line_comments(&std::fs::read_to_string(&file).unwrap());
        let relative = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        for prefix in calls(&text, ".nest(").map(|args| first_string(&args).unwrap_or_default()) {
            assert_eq!(prefix, "/api", "{relative}: a router is nested under {prefix:?}: teach this guard its prefix");
        }
        // The API's routers are nested under `/api` (lib.rs); everything else is merged at the root.
        let prefix = if relative.starts_with("api/") { "/api" } else { "" };
        for args in calls(&text, ".route(") {
            let path = first_string(&args).unwrap_or_else(|| panic!("{relative}: a route without a literal path"));
            let handlers = &args[args.find(',').unwrap_or(args.len())..];
            let methods = method_calls(handlers);
            assert!(!methods.is_empty(), "{relative}: no method router found for {path}: {handlers}");
            for method in methods {
                routes.insert((method.to_uppercase(), format!("{prefix}{path}")));
            }
        }
    }
    routes
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Drops whole-line comments (doc comments may show `.route(` examples).
fn without_line_comments(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The argument text of every call to `opening` (which ends in `(`), up to its closing parenthesis.
fn calls<'a>(text: &'a str, opening: &'a str) -> impl Iterator<Item = String> + 'a {
    text.match_indices(opening).map(move |(at, _)| {
        let rest = &text[at + opening.len()..];
        let (mut depth, mut in_string, mut escaped) = (1, false, false);
        for (i, c) in rest.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '(' if !in_string => depth += 1,
                ')' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        return rest[..i].to_owned();
                    }
                }
                _ => {}
            }
        }
        panic!("unbalanced call: {opening}{}", &rest[..rest.len().min(80)])
    })
}

fn first_string(args: &str) -> Option<String> {
    let start = args.find('"')? + 1;
    let end = start + args[start..].find('"')?;
    Some(args[start..end].to_owned())
}

/// The method routers in a handler expression: `get(x)`, `get(x).post(y)`, `axum::routing::post(z)`.
fn method_calls(handlers: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for method in ALL_METHODS {
        let call = format!("{method}(");
        let named = handlers.match_indices(&call).any(|(at, _)| {
            let before = handlers[..at].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        if named {
            found.push(*method);
        }
    }
    found
}

#[test]
fn every_state_changing_route_has_a_row_saying_how_it_is_protected() {
    let declared = declared_routes();
    assert!(declared.contains(&("GET".into(), "/admin".into())), "the scan sees the routes: {declared:?}");
    let table: BTreeSet<(String, String)> =
        ROUTES.iter().map(|r| (r.method.to_owned(), r.pattern.to_owned())).collect();
    assert_eq!(table.len(), ROUTES.len(), "a route is listed twice");

    let missing: Vec<_> = declared
        .iter()
        .filter(|(method, _)| CHANGING.contains(&method.to_lowercase().as_str()))
        .filter(|route| !table.contains(*route))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    let gone: Vec<_> = table
        .iter()
        .filter(|route| !declared.contains(*route))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "state-changing routes without a row in ROUTES (say how each is protected, so its story runs): \
         {missing:?}; rows in ROUTES for routes the router no longer has: {gone:?}"
    );
}

#[test]
fn the_guard_reads_chained_and_qualified_method_routers() {
    assert_eq!(method_calls(r#""/a", get(list).post(create))"#), ["get", "post"]);
    assert_eq!(method_calls(r#""/", axum::routing::delete(|| async { "x" }))"#), ["delete"]);
    assert_eq!(method_calls(r#""/b", get(target_post))"#), ["get"], "a handler's name is no method");
    let text = "Router::new().route(\"/x/{id}\", get(show).put(save)).route(\"/y\", post(f(\"(\")))";
    let found: Vec<_> = calls(text, ".route(").collect();
    assert_eq!(found, ["\"/x/{id}\", get(show).put(save)", "\"/y\", post(f(\"(\"))"]);
}

// ---- the stories: one loop over the table -----------------------------------------------------

/// The demo's values for path parameters, and who is signed in.
struct Demo {
    app: TestApp,
    case: i64,
    application: i64,
    invoice: String,
    document: String,
    agency: i64,
    petugas_id: i64,
    admin: String,
    petugas: String,
    other_unit: String,
    desk: String,
    complaint: i64,
    citizen: String,
    open311_client: i64,
    open311_key: String,
    complaint_number: String,
    inspector: String,
    wbs: i64,
    survey_token: String,
    treasurer: String,
}

impl Demo {
    async fn new() -> Demo {
        // Both identity providers are configured (at an address nothing answers): their routes
        // exist, and every refusal below happens before a provider would be asked anything.
        let provider = |redirect: &str| {
            balai_oidc::Provider::new(balai_oidc::OidcSettings {
                issuer: "http://127.0.0.1:9/idp".into(),
                client_id: "balai".into(),
                client_secret: Some("balai-secret".into()),
                redirect_url: redirect.into(),
                scopes: vec!["profile".into()],
            })
            .unwrap()
        };
        let app = TestApp::demo_with(WebConfig {
            default_region: Some("53.71".into()),
            demo_inbox: true,
            register: crate::support::demo_register(),
            secure_cookies: CookieSecurity::Secure,
            oidc: Some(OidcSignIn {
                provider: provider("http://127.0.0.1:8080/admin/masuk/oidc/callback"),
                role_claim: "balai_role".into(),
                government_claim: "balai_government".into(),
                agency_claim: "balai_agency".into(),
                require_second_factor: true,
            }),
            citizen_oidc: Some(CitizenIdp {
                provider: provider("http://127.0.0.1:8080/masuk/idp/callback"),
                nik_claim: "nik".into(),
                substantial_acr: vec![],
            }),
            snap: Some(crate::snap::config()),
            payments: balai_web::PaymentsConfig {
                callback_secret: Some(b"rahasia-tabel-rute".to_vec()),
                partner_service_id: None,
                demo_gateway_origin: Some("http://127.0.0.1:9".into()),
            },
            ..WebConfig::default()
        })
        .await;
        let case = marias_application(&app).await;
        let agencies = balai_store::org::agencies(&app.db, Some("53.71"), balai_store::Paging::new(1, 100)).await;
        let agency = agencies.unwrap().items.into_iter().find(|a| a.code == "disdukcapil").unwrap().id;
        let petugas_id = officer(&app, "petugas", Role::Officer, Some("disdukcapil")).await;
        let signed_in = password(&app, "petugas", PASSWORD).await;
        assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
        let petugas =
            format!("balai_admin={}", signed_in.cookie("balai_admin").expect("no second factor for officers"));
        let admin = app.sign_in_admin().await;
        let citizen = crate::identity::signed_in_citizen(&app).await;
        let (application, _) = crate::applications::marias_submitted_application(&app, "tabel-rute").await;
        let invoice = crate::payments::marias_invoice(&app).await;
        let document = crate::applications::marias_issued_document(&app, petugas_id).await;
        let other_unit = crate::applications::unit_officer(&app, "petugas-dafduk", "disdukcapil-dafduk").await;
        let desk = crate::complaints_work::complaint_officer(&app, "meja-pengaduan", "dpmptsp-pengaduan").await;
        let (complaint, _) = crate::complaints_work::pothole(&app, "tabel-rute", false).await;
        let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let (open311_client, open311_key) = balai_store::complaints::open311::create_client_in(
            &mut tx,
            &balai_store::audit::Actor::system("test"),
            Some(government.id),
            "Aplikasi Uji",
            None,
            app.clock.now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let complaint_number = crate::complaints::public_report(&app, "tabel-rute-publik").await.0;
        officer(&app, "inspektur", Role::Inspector, None).await;
        let signed_in = password(&app, "inspektur", PASSWORD).await;
        let inspector = format!("balai_admin={}", signed_in.cookie("balai_admin").expect("no second factor"));
        crate::whistleblowing::kupang_key(&app).await;
        let wbs = crate::whistleblowing::filed_report(&app).await;
        let survey_token = crate::surveys::mailed_token(&app).await;
        let treasurer = crate::treasury::treasurer(&app, "bendahara-rute").await;
        Demo {
            app,
            case,
            application,
            invoice,
            document,
            agency,
            petugas_id,
            admin,
            petugas,
            other_unit,
            desk,
            complaint,
            citizen,
            open311_client,
            open311_key,
            complaint_number,
            inspector,
            wbs,
            survey_token,
            treasurer,
        }
    }

    fn path(&self, route: &Route) -> String {
        let mut path = route.pattern.to_owned();
        for arg in route.args {
            let value = match arg {
                Arg::Region => "53.71".to_owned(),
                Arg::Year => "2026".to_owned(),
                Arg::Service => "AKTA-LAHIR".to_owned(),
                Arg::Agency => self.agency.to_string(),
                Arg::Case => self.case.to_string(),
                Arg::Officer => self.petugas_id.to_string(),
                Arg::MessageKind => "sign-in-code".to_owned(),
                Arg::MessageLang => "id".to_owned(),
                Arg::Application => self.application.to_string(),
                Arg::Document => self.document.clone(),
                Arg::Complaint => self.complaint.to_string(),
                Arg::Open311Client => self.open311_client.to_string(),
                Arg::Open311File => "requests.json".to_owned(),
                Arg::ComplaintNumber => self.complaint_number.clone(),
                Arg::Wbs => self.wbs.to_string(),
                Arg::SurveyToken => self.survey_token.clone(),
                Arg::Invoice => self.invoice.clone(),
            };
            let start = path.find('{').unwrap_or_else(|| panic!("{}: more values than parameters", route.pattern));
            let end = start + path[start..].find('}').unwrap() + 1;
            path.replace_range(start..end, &value);
        }
        assert!(!path.contains('{'), "{}: a parameter has no value", route.pattern);
        path
    }

    fn session(&self, who: Who) -> &str {
        match who {
            Who::Admin => &self.admin,
            Who::Petugas => &self.petugas,
            Who::OtherUnit => &self.other_unit,
            Who::Desk => &self.desk,
            Who::Inspector => &self.inspector,
            Who::Treasurer => &self.treasurer,
        }
    }

    /// The CSRF token of a session, as its pages carry it.
    async fn csrf(&self, cookie: &str, page: &str) -> String {
        let page = self.app.get_with_cookie(page, cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.hidden("csrf")
    }

    /// What could change: the audit log and the outbox.
    async fn state(&self) -> (u64, usize) {
        (balai_store::audit::size(&self.app.db).await.unwrap(), self.app.outbox_len().await)
    }

    /// Sends `route` with its fields plus `extra`, under `cookie`, and checks that nothing changed.
    async fn send(&self, route: &Route, cookie: &str, extra: &[(&str, &str)]) -> TestResponse {
        let before = self.state().await;
        let response = self.send_as_is(route, cookie, extra).await;
        let what = format!("{} {}", route.method, route.pattern);
        assert_eq!(self.state().await, before, "{what}: refused, yet the audit log or outbox changed");
        for session in ["balai_admin", "balai_citizen"] {
            let opened = response.cookie(session).filter(|v| !v.is_empty());
            assert!(opened.is_none(), "{what}: a refused request opened a session");
        }
        response
    }

    /// Sends `route` with its fields plus `extra`, under `cookie` (as a query string for a GET).
    async fn send_as_is(&self, route: &Route, cookie: &str, extra: &[(&str, &str)]) -> TestResponse {
        let mut fields: Vec<(&str, &str)> = route.fields.to_vec();
        fields.extend_from_slice(extra);
        let path = self.path(route);
        if route.method == "GET" {
            let query = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
            let uri = if query.is_empty() { path } else { format!("{path}?{query}") };
            self.app.get_with_cookie(&uri, cookie).await
        } else if matches!(
            route.guard,
            Guard::CitizenMultipart | Guard::PublicReadOnly | Guard::PublicForm { multipart: true }
        ) {
            let parts: Vec<_> = fields.iter().map(|(k, v)| crate::applications::text(k, v)).collect();
            crate::applications::post_multipart(&self.app, &path, cookie, &parts).await
        } else {
            self.app.post_form(&path, cookie, &fields).await
        }
    }

    /// Sends a JSON body to an API route with a content type and Origin, checking nothing changed.
    async fn send_json(&self, route: &Route, content_type: &str, origin: Option<&str>) -> TestResponse {
        let before = self.state().await;
        let response = self.send_json_as_is(route, content_type, origin).await;
        assert_eq!(self.state().await, before, "{}: refused, yet the audit log or outbox changed", route.pattern);
        assert!(response.cookie("balai_citizen").is_none(), "{}: a refused request opened a session", route.pattern);
        response
    }

    /// Sends the route's fields as a JSON object with a content type and Origin.
    async fn send_json_as_is(&self, route: &Route, content_type: &str, origin: Option<&str>) -> TestResponse {
        let body: serde_json::Map<String, serde_json::Value> =
            route.fields.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect();
        let mut request =
            Request::post(route.pattern).header(header::HOST, "balai.test").header(header::CONTENT_TYPE, content_type);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let mut request = request.body(Body::from(serde_json::Value::Object(body).to_string())).unwrap();
        let addr: std::net::SocketAddr = "192.0.2.10:40000".parse().unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.app.request(request).await
    }

    /// Sends a photo to the upload endpoint in a body of `content_type`, with an Origin and a cookie.
    async fn send_upload(&self, content_type: &str, origin: Option<&str>, cookie: &str) -> TestResponse {
        let photo = crate::applications::jpeg(16, 16);
        let (multipart_type, body) =
            crate::applications::multipart(&[crate::applications::file("file", "foto.jpg", "image/jpeg", &photo)]);
        let content_type = if content_type == "multipart/form-data" { multipart_type.as_str() } else { content_type };
        let mut request = Request::post("/api/v1/uploads")
            .header(header::HOST, "balai.test")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::COOKIE, cookie);
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let mut request = request.body(Body::from(body)).unwrap();
        let addr: std::net::SocketAddr = "192.0.2.10:40000".parse().unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        self.app.request(request).await
    }

    /// How many files citizens have uploaded.
    async fn uploads(&self) -> i64 {
        let (n,): (i64,) =
            self.app.db.fetch_one(balai_store::dynamic_query("SELECT COUNT(*) FROM uploads".to_owned())).await.unwrap();
        n
    }

    /// The session still works after the refused requests (signing out was refused too).
    async fn still_signed_in(&self, cookie: &str, page: &str) {
        assert_eq!(self.app.get_with_cookie(page, cookie).await.status, StatusCode::OK, "{cookie} lost its session");
    }
}

/// The page whose form carries the token a route checks.
fn token_page(route: &Route) -> &'static str {
    match route.guard {
        Guard::PublicForm { multipart: true } => "/pengaduan/baru",
        Guard::PublicForm { multipart: false } => "/pengaduan/lacak",
        _ if route.pattern.starts_with("/admin") => "/admin/masuk",
        _ => "/masuk",
    }
}

fn expect(response: &TestResponse, status: StatusCode, what: &str) {
    assert_eq!(response.status, status, "{what}: {}", response.body);
}

fn expect_sign_in(response: &TestResponse, sign_in: &str, path: &str, what: &str) {
    expect(response, StatusCode::SEE_OTHER, what);
    assert_eq!(response.header("location"), format!("{sign_in}?next={}", urlencode(path)), "{what}");
}

#[tokio::test]
async fn every_state_changing_route_refuses_forged_unsigned_and_unpermitted_requests() {
    let demo = Demo::new().await;
    for route in ROUTES {
        let path = demo.path(route);
        let what = |case: &str| format!("{} {} {case}", route.method, route.pattern);
        match route.guard {
            Guard::Officer { permission, with, without, refused } => {
                let allowed = demo.session(with);
                let r = demo.send(route, allowed, &[]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("without a CSRF token"));
                let r = demo.send(route, allowed, &[("csrf", "ditebak")]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with a wrong CSRF token"));
                let other = demo.session(without);
                let csrf = demo.csrf(other, "/admin").await;
                let r = demo.send(route, other, &[("csrf", &csrf)]).await;
                expect(&r, refused, &what(&format!("by an officer without {permission}")));
                let r = demo.send(route, "", &[("csrf", &csrf)]).await;
                expect_sign_in(&r, "/admin/masuk", &path, &what("not signed in"));
                demo.still_signed_in(allowed, "/admin").await;
            }
            Guard::OfficerSession => {
                for who in [Who::Admin, Who::Petugas] {
                    let r = demo.send(route, demo.session(who), &[]).await;
                    expect(&r, StatusCode::FORBIDDEN, &what("without a CSRF token"));
                    let r = demo.send(route, demo.session(who), &[("csrf", "ditebak")]).await;
                    expect(&r, StatusCode::FORBIDDEN, &what("with a wrong CSRF token"));
                    demo.still_signed_in(demo.session(who), "/admin").await;
                }
                let r = demo.send(route, "", &[("csrf", "ditebak")]).await;
                expect_sign_in(&r, "/admin/masuk", &path, &what("not signed in"));
            }
            Guard::Citizen | Guard::CitizenMultipart => {
                let r = demo.send(route, &demo.citizen, &[]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("without a CSRF token"));
                let r = demo.send(route, &demo.citizen, &[("csrf", "ditebak")]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with a wrong CSRF token"));
                // Another session's token is no better than a guess.
                let officers = demo.csrf(&demo.admin, "/admin").await;
                let r = demo.send(route, &demo.citizen, &[("csrf", &officers)]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with an officer's CSRF token"));
                let r = demo.send(route, "", &[("csrf", "ditebak")]).await;
                expect_sign_in(&r, "/masuk", &path, &what("not signed in"));
                demo.still_signed_in(&demo.citizen, "/akun").await;
            }
            Guard::PublicReadOnly => {
                // Anyone may send it, signed in or not; it answers and nothing changes.
                for cookie in ["", demo.citizen.as_str(), demo.admin.as_str()] {
                    let r = demo.send(route, cookie, &[]).await;
                    expect(&r, StatusCode::OK, &what("a file to check"));
                }
            }
            Guard::ApiUpload => {
                let (uploads, before) = (demo.uploads().await, demo.state().await);
                for origin in ["https://evil.example", "http://balai.test:8081", "null"] {
                    let r = demo.send_upload("multipart/form-data", Some(origin), &demo.citizen).await;
                    expect(&r, StatusCode::FORBIDDEN, &what(&format!("from {origin}")));
                    assert_eq!(r.json()["type"], "/problems/foreign-origin");
                }
                for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
                    let r = demo.send_upload(content_type, None, &demo.citizen).await;
                    expect(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &what(content_type));
                }
                let r = demo.send_upload("multipart/form-data", None, "").await;
                expect(&r, StatusCode::UNAUTHORIZED, &what("without a citizen session"));
                assert_eq!(demo.uploads().await, uploads, "{}: a refused upload was kept", what("refused"));
                assert_eq!(demo.state().await, before, "{}: the audit log or outbox changed", what("refused"));
            }
            Guard::SignInForm | Guard::PublicForm { .. } => {
                let form = demo.app.get(token_page(route)).await;
                let token = form.cookie("balai_login_csrf").expect("the sign-in form sets its token");
                let cookie = format!("balai_login_csrf={token}");
                let r = demo.send(route, "", &[]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("without the form's token"));
                let r = demo.send(route, "", &[("csrf", &token)]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with the field but not the cookie"));
                let r = demo.send(route, &cookie, &[]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with the cookie but not the field"));
                let r = demo.send(route, &cookie, &[("csrf", "ditebak")]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with a field that does not match the cookie"));
            }
            Guard::SecondFactor => {
                let first = password(&demo.app, crate::support::ADMIN, crate::support::ADMIN_PASSWORD).await;
                let half =
                    format!("balai_admin_totp={}", first.cookie("balai_admin_totp").expect("a half-open session"));
                let r = demo.send(route, &half, &[]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("without a CSRF token"));
                let r = demo.send(route, &half, &[("csrf", "ditebak")]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with a wrong CSRF token"));
                let r = demo.send(route, "", &[("csrf", "ditebak")]).await;
                expect(&r, StatusCode::SEE_OTHER, &what("without the password step"));
                assert_eq!(r.header("location"), "/admin/masuk", "{}", what("without the password step"));
            }
            Guard::Api => {
                for origin in ["https://evil.example", "http://balai.test:8081", "null"] {
                    let r = demo.send_json(route, "application/json", Some(origin)).await;
                    expect(&r, StatusCode::FORBIDDEN, &what(&format!("from {origin}")));
                    assert_eq!(r.json()["type"], "/problems/foreign-origin");
                }
                for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"] {
                    let r = demo.send_json(route, content_type, None).await;
                    expect(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &what(content_type));
                    let r = demo.send_json(route, content_type, Some("http://balai.test")).await;
                    expect(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, &what(&format!("{content_type} from this site")));
                }
            }
            Guard::Open311Key => {
                let r = demo.send(route, "", &[]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("without an api_key"));
                assert_eq!(r.json()[0]["code"], 403, "{}", what("the specification's error list"));
                let r = demo.send(route, "", &[("api_key", "kunci-tebakan")]).await;
                expect(&r, StatusCode::FORBIDDEN, &what("with a wrong api_key"));
                // A session is no key: an officer's or a citizen's cookie files nothing.
                for cookie in [demo.admin.as_str(), demo.citizen.as_str()] {
                    let r = demo.send(route, cookie, &[]).await;
                    expect(&r, StatusCode::FORBIDDEN, &what("with a session but no api_key"));
                }
            }
            Guard::SnapSigned => {
                // Unsigned and without a token: SNAP's refusal (a missing header), nothing changed.
                let r = demo.send_json(route, "application/json", None).await;
                expect(&r, StatusCode::BAD_REQUEST, &what("without the bank's signature"));
                let code = r.json()["responseCode"].as_str().unwrap_or_default().to_owned();
                assert!(code.starts_with("400") && code.ends_with("02"), "{}: {code}", what("SNAP's code"));
            }
            Guard::GatewaySigned => {
                // Unsigned, from anywhere (this site's pages too): refused, naming the header.
                for origin in [None, Some("http://balai.test")] {
                    let r = demo.send_json(route, "application/json", origin).await;
                    expect(&r, StatusCode::UNAUTHORIZED, &what("without the gateway's signature"));
                    assert_eq!(r.json()["errors"][0]["field"], "Balai-Signature", "{}", what("the field"));
                }
            }
            Guard::OidcCallback { binding_cookie } => {
                let r = demo.send(route, "", &[]).await;
                expect(&r, StatusCode::UNAUTHORIZED, &what("without the browser's binding cookie"));
                assert!(r.body.contains("role=\"alert\""), "{}: the page says why", what("without a binding"));
                let forged = format!("{binding_cookie}=ditanam-oleh-penyerang");
                let r = demo.send(route, &forged, &[]).await;
                expect(&r, StatusCode::UNAUTHORIZED, &what("with a binding cookie of no sign-in"));
                // A signed-in officer or citizen coming back with a forged callback stays who they were.
                let both = format!("{}; {}; {forged}", demo.admin, demo.citizen);
                demo.send(route, &both, &[]).await;
                demo.still_signed_in(&demo.admin, "/admin").await;
                demo.still_signed_in(&demo.citizen, "/akun").await;
            }
            Guard::OidcStart { binding_cookie } => {
                // The provider cannot be reached here: the page says so, and no sign-in is pending.
                let r = demo.send(route, "", &[]).await;
                assert!(!r.status.is_redirection() && !r.status.is_success(), "{}: {}", what("start"), r.status);
                assert!(r.cookie(binding_cookie).is_none(), "{}", what("start"));
            }
        }
    }
}

/// The refusals above are for the missing token or permission, not for who sent the request or
/// what it carried: the same request with the sender's own token gets past every guard (on a fresh
/// demo for each row, as it may change state).
#[tokio::test]
async fn with_their_own_token_the_people_in_the_table_get_past_its_guards() {
    for route in ROUTES {
        let demo = Demo::new().await;
        let what = format!("{} {} with a genuine token", route.method, route.pattern);
        let past = |r: &TestResponse| {
            assert!(
                !matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::UNSUPPORTED_MEDIA_TYPE),
                "{what}: {} {}",
                r.status,
                r.body
            );
            assert!(!r.header("location").contains("masuk?next="), "{what}: sent to sign in");
        };
        match route.guard {
            Guard::Officer { with: who, .. } => {
                let csrf = demo.csrf(demo.session(who), "/admin").await;
                past(&demo.send_as_is(route, demo.session(who), &[("csrf", &csrf)]).await);
            }
            Guard::OfficerSession => {
                let csrf = demo.csrf(&demo.petugas, "/admin").await;
                let r = demo.send_as_is(route, &demo.petugas, &[("csrf", &csrf)]).await;
                past(&r);
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{what}");
                assert_eq!(demo.app.get_with_cookie("/admin", &demo.petugas).await.status, StatusCode::SEE_OTHER);
            }
            Guard::Citizen | Guard::CitizenMultipart => {
                let csrf = demo.csrf(&demo.citizen, "/akun").await;
                past(&demo.send_as_is(route, &demo.citizen, &[("csrf", &csrf)]).await);
            }
            Guard::PublicReadOnly => {
                let r = demo.send(route, "", &[]).await;
                past(&r);
                assert!(r.body.contains("TIDAK ASLI"), "{what}: the file is checked: {}", r.body);
            }
            Guard::ApiUpload => {
                for origin in [None, Some("http://balai.test")] {
                    let r = demo.send_upload("multipart/form-data", origin, &demo.citizen).await;
                    assert_eq!(r.status, StatusCode::CREATED, "{what}: {}", r.body);
                }
            }
            Guard::SignInForm | Guard::PublicForm { .. } => {
                let form = demo.app.get(token_page(route)).await;
                let token = form.cookie("balai_login_csrf").unwrap();
                let r = demo.send_as_is(route, &format!("balai_login_csrf={token}"), &[("csrf", &token)]).await;
                past(&r);
            }
            Guard::SecondFactor => {
                let first = password(&demo.app, crate::support::ADMIN, crate::support::ADMIN_PASSWORD).await;
                let half = format!("balai_admin_totp={}", first.cookie("balai_admin_totp").unwrap());
                let page = demo.app.get_with_cookie("/admin/masuk/faktor-kedua", &half).await;
                let r = demo.send_as_is(route, &half, &[("csrf", &page.hidden("csrf"))]).await;
                past(&r);
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{what}: the made-up code is what is wrong");
            }
            Guard::Api => {
                for origin in [None, Some("http://balai.test")] {
                    past(&demo.send_json_as_is(route, "application/json", origin).await);
                }
            }
            Guard::Open311Key => {
                let r = demo.send_as_is(route, "", &[("api_key", &demo.open311_key)]).await;
                past(&r);
                assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.body);
                assert!(r.json()[0]["service_request_id"].is_string(), "{what}: {}", r.body);
            }
            // Only the provider's answer to a sign-in this browser started gets further: the OIDC
            // stories show that with a real provider.
            Guard::OidcCallback { .. } | Guard::OidcStart { .. } => {}
            // Only the bank's signed calls get further: the SNAP stories show that over real HTTP.
            Guard::SnapSigned => {}
            // Only a signed notification gets further: the payment_callback stories show that.
            Guard::GatewaySigned => {}
        }
    }
}
