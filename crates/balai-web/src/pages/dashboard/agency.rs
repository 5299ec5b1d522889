//! `/admin/dasbor`: the internal dashboard of one agency for signed-in staff — the public figures
//! scoped to the agency and broken down per unit, each table with its CSV — and the drill-down
//! from a unit's figures to its open cases (`/admin/dasbor/unit/{id}`) for those who may work them.
//!
//! Who sees which agency is `Action::ViewDashboard` (an agency's own staff; those who oversee the
//! government, any of its agencies); a unit's figures link to its cases only when the reader may
//! `WorkCase` there, and the drill-down asks the same of the store.

use crate::AppState;
use crate::api::dashboard::{DashboardQuery, read_scope};
use crate::auth::Admin;
use crate::error::{AppError, Expected};
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::dashboard::{MAX_BUCKET_DAYS, permille, tenths};
use balai_domain::identity::{Action, Target};
use balai_store::dashboard::{self, Scope, UnitCase, UnitFigures};
use balai_store::{Paging, StoreError, org};
use std::collections::HashMap;
use std::fmt::Write as _;

pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Dasbor perangkat daerah"
            / "Agency dashboard";
        INTRO = "Angka perangkat daerah Anda per unit, dari agregat (tanpa data pribadi). Tautan ke kasus hanya tampil bila Anda boleh menanganinya."
            / "Your agency's figures per unit, from the aggregates (no personal data). Links to cases show only where you may work them.";
        PUBLIC = "Dasbor publik"
            / "Public dashboard";
        UNIT = "Unit"
            / "Unit";
        NO_UNIT = "Tanpa unit (di tingkat perangkat daerah)"
            / "No unit (held by the agency)";
        UNITS_APPLICATIONS = "Permohonan per unit"
            / "Applications per unit";
        UNITS_COMPLAINTS = "Pengaduan per unit"
            / "Complaints per unit";
        RESOLVED = "Selesai"
            / "Resolved";
        CASES_OF_UNIT = "Kasus terbuka: {unit}"
            / "Open cases: {unit}";
        CASES_INTRO = "Kasus yang masih terbuka sekarang di unit ini, yang terlama di atas (paling banyak 200). Laporan WBS tidak ditampilkan."
            / "Cases open now in this unit, oldest first (at most 200). Whistleblowing reports are not listed.";
        CASES_CAPTION = "Kasus terbuka di unit ini"
            / "Open cases in this unit";
        NO_CASES = "Tidak ada kasus terbuka."
            / "No open cases.";
        REFERENCE = "Nomor"
            / "Reference";
        KIND = "Jenis"
            / "Kind";
        SUBJECT = "Perihal"
            / "Subject";
        STATUS = "Status"
            / "Status";
        OPENED = "Diterima"
            / "Received";
        DUE = "Tenggat"
            / "Due";
        APPLICATION = "Permohonan"
            / "Application";
        COMPLAINT = "Pengaduan"
            / "Complaint";
        BACK = "Kembali ke dasbor perangkat daerah"
            / "Back to the agency dashboard";
        SEE_CASES = "lihat kasus"
            / "see the cases";
    }
}

use super::public::texts as public_texts;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/dasbor", get(page))
        .route("/admin/dasbor/unit/{unit}", get(unit_cases))
        .route("/admin/dasbor/{file}", get(csv))
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A table cell: its text, and a link where the reader may follow one.
struct Cell {
    text: String,
    href: Option<String>,
    /// What the link leads to, for those who hear it (the text alone is a bare number).
    link_label: Option<String>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), href: None, link_label: None }
    }
}

struct Table {
    caption: String,
    head: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    fn html(&self) -> String {
        // A region of its own, reachable by keyboard, so a table wider than a phone scrolls inside it.
        let mut t = format!(
            "<div class=\"table-scroll\" role=\"region\" aria-label=\"{0}\" tabindex=\"0\"><table><caption>{0}</caption><thead><tr>",
            esc(&self.caption)
        );
        for h in &self.head {
            let _ = write!(t, "<th scope=\"col\">{}</th>", esc(h));
        }
        t.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            t.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let inner = match (&cell.href, &cell.link_label) {
                    (Some(href), Some(label)) => {
                        format!("<a href=\"{}\" aria-label=\"{}\">{}</a>", esc(href), esc(label), esc(&cell.text))
                    }
                    (Some(href), None) => format!("<a href=\"{}\">{}</a>", esc(href), esc(&cell.text)),
                    _ => esc(&cell.text),
                };
                let tag = if i == 0 { "th scope=\"row\"" } else { "td" };
                let close = if i == 0 { "th" } else { "td" };
                let _ = write!(t, "<{tag}>{inner}</{close}>");
            }
            t.push_str("</tr>");
        }
        t.push_str("</tbody></table></div>");
        t
    }

    /// The table as CSV (CRLF lines); a cell a spreadsheet would take for a formula is kept as text.
    fn csv(&self) -> String {
        let cell = |c: &str| {
            let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
                format!("'{c}")
            } else {
                c.to_owned()
            };
            if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c }
        };
        let mut out = self.head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",");
        out.push_str("\r\n");
        for row in &self.rows {
            out.push_str(&row.iter().map(|c| cell(&c.text)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        out
    }
}

/// What a request resolves to: the government, the agency it reads, the scope and the agencies
/// the reader may choose from.
struct Resolved {
    government: org::Government,
    agency: org::Agency,
    scope: Scope,
    today: chrono::NaiveDate,
    choices: Vec<org::Agency>,
    query: DashboardQuery,
}

/// The government is the reader's own (or the one named, for a deployment-wide administrator);
/// the agency the one named, else the reader's own, else the first they may read. Anything the
/// reader may not read is refused.
async fn resolve(state: &AppState, lang: Lang, admin: &Admin, q: DashboardQuery) -> Result<Resolved, AppError> {
    let named = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let region = match (named(&q.government), admin.principal.government_id) {
        (Some(region), _) => region,
        (None, Some(g)) => org::government(&state.db, g).await?.region_code,
        (None, None) => state
            .config
            .default_region
            .clone()
            .ok_or(AppError::BadParameter { param: "government", expected: Expected::RegionCode })?,
    };
    let agencies = org::agencies(state.db.lagging(), Some(&region), Paging::new(1, Paging::MAX_PER_PAGE)).await?.items;
    let choices: Vec<org::Agency> = agencies
        .into_iter()
        .filter(|a| admin.may(Action::ViewDashboard, &Target::agency(a.government_id, a.id)))
        .collect();
    let own = admin.principal.agency_id.and_then(|id| choices.iter().find(|a| a.id == id));
    let code =
        named(&q.agency).or_else(|| own.or(choices.first()).map(|a| a.code.clone())).ok_or(AppError::Forbidden)?;
    let query = DashboardQuery {
        government: Some(region),
        agency: Some(code),
        service: named(&q.service),
        from: named(&q.from),
        to: named(&q.to),
    };
    let (government, scope, today) = read_scope(state, lang, &query).await?;
    let agency_id = scope.agency_id.ok_or(AppError::Forbidden)?;
    if !admin.may(Action::ViewDashboard, &Target::agency(government.id, agency_id)) {
        return Err(AppError::Forbidden);
    }
    let agency = choices.iter().find(|a| a.id == agency_id).cloned().ok_or(AppError::Forbidden)?;
    Ok(Resolved { government, agency, scope, today, choices, query })
}

fn percent(value: Option<i64>, lang: Lang) -> String {
    value.map_or_else(|| public_texts::NONE.get(lang).to_owned(), |p| format!("{} %", tenths(p)))
}

fn p90(days: Option<u32>, lang: Lang) -> String {
    match days {
        Some(d) if d > MAX_BUCKET_DAYS => public_texts::MORE_THAN_60.get(lang).to_owned(),
        Some(d) => d.to_string(),
        None => public_texts::NONE.get(lang).to_owned(),
    }
}

/// Every unit of the agency in tree order, then the agency's own row when it holds figures.
async fn unit_rows(state: &AppState, r: &Resolved) -> Result<Vec<(i64, Option<String>, UnitFigures)>, StoreError> {
    let db = state.db.lagging();
    let figures = dashboard::units(db, &r.scope, r.agency.id, r.today).await?;
    let mut by_unit: HashMap<i64, UnitFigures> = figures.into_iter().map(|f| (f.unit_id, f)).collect();
    let empty = |unit_id| UnitFigures {
        unit_id,
        applications: Default::default(),
        application_durations: Vec::new(),
        applications_backlog: 0,
        complaints: Default::default(),
        complaints_backlog: 0,
    };
    let mut rows = Vec::new();
    for unit in org::units(db, r.agency.id).await? {
        let f = by_unit.remove(&unit.id).unwrap_or_else(|| empty(unit.id));
        rows.push((unit.id, Some(unit.name), f));
    }
    if let Some(f) = by_unit.remove(&0) {
        rows.push((0, None, f));
    }
    Ok(rows)
}

/// The two per-unit tables; links to a unit's cases for readers who may work them.
fn unit_tables(lang: Lang, admin: &Admin, r: &Resolved, rows: &[(i64, Option<String>, UnitFigures)]) -> (Table, Table) {
    let t = |text: &crate::texts::Text| text.get(lang);
    let lang_query = if lang == Lang::En { "?lang=en" } else { "" };
    let mut applications = Table {
        caption: format!("{} — {}", t(&texts::UNITS_APPLICATIONS), r.agency.name),
        head: vec![
            t(&texts::UNIT),
            t(&public_texts::RECEIVED),
            t(&public_texts::COMPLETED),
            t(&public_texts::BACKLOG),
            t(&public_texts::SLA),
            t(&public_texts::AVERAGE),
            t(&public_texts::P90),
        ],
        rows: Vec::new(),
    };
    let mut complaints = Table {
        caption: format!("{} — {}", t(&texts::UNITS_COMPLAINTS), r.agency.name),
        head: vec![
            t(&texts::UNIT),
            t(&public_texts::RECEIVED),
            t(&public_texts::VERIFIED_ON_TIME),
            t(&texts::RESOLVED),
            t(&public_texts::RESOLVED_ON_TIME),
            t(&public_texts::BACKLOG),
        ],
        rows: Vec::new(),
    };
    for (unit_id, name, f) in rows {
        let name = name.clone().unwrap_or_else(|| t(&texts::NO_UNIT).to_owned());
        let href = (*unit_id != 0
            && admin.may(Action::WorkCase, &Target::unit(r.government.id, r.agency.id, *unit_id)))
        .then(|| format!("/admin/dasbor/unit/{unit_id}{lang_query}"));
        let unit_cell = Cell { text: name.clone(), href: href.clone(), link_label: None };
        let backlog_cell = |n: i64| Cell {
            text: n.to_string(),
            link_label: href.as_ref().map(|_| format!("{n}: {} — {name}", t(&texts::SEE_CASES))),
            href: href.clone(),
        };
        let a = &f.applications;
        applications.rows.push(vec![
            Cell { text: unit_cell.text.clone(), href: unit_cell.href.clone(), link_label: None },
            Cell::text(a.received.to_string()),
            Cell::text(a.resolved.to_string()),
            backlog_cell(f.applications_backlog),
            Cell::text(percent(a.compliance_permille(), lang)),
            Cell::text(a.average_tenths().map_or_else(|| t(&public_texts::NONE).to_owned(), tenths)),
            Cell::text(p90(f.applications_p90(), lang)),
        ]);
        let c = &f.complaints;
        complaints.rows.push(vec![
            unit_cell,
            Cell::text(c.received.to_string()),
            Cell::text(format!("{} / {}", c.verified_on_time, c.verified)),
            Cell::text(c.resolved.to_string()),
            Cell::text(percent(permille(c.resolved_on_time, c.resolved), lang)),
            backlog_cell(f.complaints_backlog),
        ]);
    }
    (applications, complaints)
}

fn query_string(q: &DashboardQuery, lang: Lang) -> String {
    let mut parts = Vec::new();
    for (name, value) in [
        ("government", &q.government),
        ("agency", &q.agency),
        ("service", &q.service),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", crate::pages::urlencode(v)));
        }
    }
    if lang == Lang::En {
        parts.push("lang=en".into());
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

#[derive(askama::Template)]
#[template(path = "dashboard_public.html")]
struct AgencyPage {
    chrome: Chrome,
    body: String,
}

fn chrome(lang: Lang, title: &str, uri: &Uri, admin: &Admin) -> Chrome {
    let mut chrome = Chrome::new(lang, title, uri);
    chrome.admin_name = Some(admin.display_name.clone());
    chrome
}

async fn page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let r = match resolve(&state, lang, &admin, q).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &uri, e),
    };
    let loaded = async {
        let overview = dashboard::overview(state.db.lagging(), &r.scope, r.today).await?;
        let rows = unit_rows(&state, &r).await?;
        Ok::<_, StoreError>((overview, rows))
    }
    .await;
    let (overview, rows) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let t = |text: &crate::texts::Text| text.get(lang);
    let qs = query_string(&r.query, lang);
    let mut b = String::new();
    let _ = write!(b, "<h1>{}: {}</h1><p>{}</p>", esc(t(&texts::HEADING)), esc(&r.agency.name), esc(t(&texts::INTRO)));
    // The filter: a GET form, the agencies limited to those the reader may read.
    let _ = write!(
        b,
        "<form method=\"get\" action=\"/admin/dasbor\" class=\"card\"><fieldset><legend>{}</legend>\
         <input type=\"hidden\" name=\"government\" value=\"{}\">",
        esc(t(&public_texts::FILTER)),
        esc(&r.government.region_code)
    );
    if lang == Lang::En {
        b.push_str("<input type=\"hidden\" name=\"lang\" value=\"en\">");
    }
    let _ = write!(
        b,
        "<div class=\"field\"><label for=\"from\">{}</label><input type=\"date\" id=\"from\" name=\"from\" value=\"{}\"></div>\
         <div class=\"field\"><label for=\"to\">{}</label><input type=\"date\" id=\"to\" name=\"to\" value=\"{}\"></div>\
         <div class=\"field\"><label for=\"agency\">{}</label><select id=\"agency\" name=\"agency\">",
        esc(t(&public_texts::FROM)),
        r.scope.period.from,
        esc(t(&public_texts::TO)),
        r.scope.period.to,
        esc(t(&public_texts::AGENCY)),
    );
    for agency in &r.choices {
        let selected = if agency.id == r.agency.id { " selected" } else { "" };
        let _ = write!(b, "<option value=\"{}\"{selected}>{}</option>", esc(&agency.code), esc(&agency.name));
    }
    let _ = write!(
        b,
        "</select></div><div class=\"field\"><label for=\"service\">{}</label><input id=\"service\" name=\"service\" value=\"{}\" maxlength=\"64\"></div>\
         <button type=\"submit\">{}</button></fieldset></form>",
        esc(t(&public_texts::SERVICE)),
        esc(r.query.service.as_deref().unwrap_or_default()),
        esc(t(&public_texts::SHOW))
    );
    // The agency's figures, as the public dashboard shows them.
    let a = &overview.applications;
    let c = &overview.complaints;
    let fact = |b: &mut String, term: &str, value: String| {
        let _ = write!(b, "<div><dt>{}</dt><dd>{}</dd></div>", esc(term), esc(&value));
    };
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-apps\"><h2 id=\"h-apps\">{}</h2><dl class=\"facts\">",
        esc(t(&public_texts::APPLICATIONS))
    );
    fact(&mut b, t(&public_texts::RECEIVED), a.received.to_string());
    fact(&mut b, t(&public_texts::COMPLETED), a.completed.to_string());
    fact(&mut b, t(&public_texts::BACKLOG), a.backlog.to_string());
    fact(&mut b, t(&public_texts::SLA), percent(a.sla_compliance_permille, lang));
    fact(
        &mut b,
        t(&public_texts::AVERAGE),
        a.average_working_days_tenths.map_or_else(|| t(&public_texts::NONE).to_owned(), tenths),
    );
    fact(&mut b, t(&public_texts::P90), p90(a.p90_working_days, lang));
    let _ = write!(
        b,
        "</dl></section><section aria-labelledby=\"h-comp\"><h2 id=\"h-comp\">{}</h2><dl class=\"facts\">",
        esc(t(&public_texts::COMPLAINTS))
    );
    fact(&mut b, t(&public_texts::RECEIVED), c.received.to_string());
    fact(&mut b, t(&public_texts::VERIFIED_ON_TIME), format!("{} / {}", c.verified_on_time, c.verified));
    fact(&mut b, t(&public_texts::RESOLVED_ON_TIME), format!("{} / {}", c.resolved_on_time, c.resolved));
    fact(&mut b, t(&public_texts::BACKLOG), c.backlog.to_string());
    b.push_str("</dl></section>");
    // Per unit: each table, then its CSV.
    let (applications, complaints) = unit_tables(lang, &admin, &r, &rows);
    for (id, table, file) in
        [("h-unit-apps", &applications, "unit-permohonan.csv"), ("h-unit-comp", &complaints, "unit-pengaduan.csv")]
    {
        let title = table.caption.split(" — ").next().unwrap_or_default();
        let _ = write!(
            b,
            "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{}</h2>{}<p><a href=\"/admin/dasbor/{file}{}\" download>{}</a></p></section>",
            esc(title),
            table.html(),
            esc(&qs),
            esc(t(&public_texts::CSV))
        );
    }
    let public_href = format!(
        "/dasbor?government={}&agency={}{}",
        crate::pages::urlencode(&r.government.region_code),
        crate::pages::urlencode(&r.agency.code),
        if lang == Lang::En { "&lang=en" } else { "" }
    );
    let _ = write!(b, "<p><a href=\"{}\">{}</a></p>", esc(&public_href), esc(t(&texts::PUBLIC)));
    no_store(render(&AgencyPage { chrome: chrome(lang, t(&texts::HEADING), &uri, &admin), body: b }))
}

/// `/admin/dasbor/unit-permohonan.csv` and `/admin/dasbor/unit-pengaduan.csv`: the per-unit tables.
async fn csv(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(file): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let applications = match file.as_str() {
        "unit-permohonan.csv" => true,
        "unit-pengaduan.csv" => false,
        _ => return error_page(lang, &uri, AppError::NotFound),
    };
    let r = match resolve(&state, lang, &admin, q).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, &uri, e),
    };
    let rows = match unit_rows(&state, &r).await {
        Ok(rows) => rows,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let (apps, comps) = unit_tables(lang, &admin, &r, &rows);
    let table = if applications { apps } else { comps };
    let name = format!(
        "dasbor-{}-{}-{}-{}",
        r.agency.code.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', ""),
        file.trim_end_matches(".csv"),
        r.scope.period.from,
        r.scope.period.to
    );
    let mut response = table.csv().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    no_store(response)
}

fn case_row(case: &UnitCase, zone: balai_domain::calendar::IndonesianTimeZone, lang: Lang) -> Vec<Cell> {
    use balai_domain::applications::ApplicationStatus;
    use balai_domain::complaints::ComplaintStatus;
    let t = |text: &crate::texts::Text| text.get(lang);
    let application = case.kind == "application";
    let (kind, href, status) = if application {
        (
            t(&texts::APPLICATION),
            format!("/admin/permohonan/{}", case.id),
            ApplicationStatus::parse(&case.status).map(|s| s.label(lang)),
        )
    } else {
        (
            t(&texts::COMPLAINT),
            format!("/admin/pengaduan/{}", case.id),
            ComplaintStatus::parse(&case.status).map(|s| s.label(lang)),
        )
    };
    let reference = case.tracking_number.clone().unwrap_or_else(|| {
        let kind = if application {
            balai_domain::cases::CaseKind::Application
        } else {
            balai_domain::cases::CaseKind::Complaint
        };
        balai_store::cases::reference(kind, case.id)
    });
    vec![
        Cell { text: reference, href: Some(href), link_label: None },
        Cell::text(kind),
        Cell::text(case.title.clone()),
        Cell::text(status.unwrap_or(case.status.as_str())),
        Cell::text(zone.local_date(case.opened_at).to_string()),
        Cell::text(case.due_at.map(|d| zone.local_date(d).to_string()).unwrap_or_default()),
    ]
}

/// `/admin/dasbor/unit/{id}`: a unit's open cases, for staff who may work them (403 otherwise).
async fn unit_cases(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    Path(unit): Path<i64>,
) -> Response {
    let loaded = async {
        let (unit, cases) = dashboard::unit_open_cases_for_officer(&state.db, admin.admin_id, unit, None).await?;
        let government = org::government(&state.db, unit.government_id).await?;
        Ok::<_, StoreError>((unit, cases, government))
    }
    .await;
    let (unit, cases, government) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let t = |text: &crate::texts::Text| text.get(lang);
    let heading = texts::CASES_OF_UNIT.fill(lang, &[("unit", &unit.name)]);
    let mut b = format!("<h1>{}</h1><p>{}</p>", esc(&heading), esc(t(&texts::CASES_INTRO)));
    if cases.is_empty() {
        let _ = write!(b, "<p>{}</p>", esc(t(&texts::NO_CASES)));
    } else {
        let table = Table {
            caption: format!("{} — {}", t(&texts::CASES_CAPTION), unit.name),
            head: vec![
                t(&texts::REFERENCE),
                t(&texts::KIND),
                t(&texts::SUBJECT),
                t(&texts::STATUS),
                t(&texts::OPENED),
                t(&texts::DUE),
            ],
            rows: cases.iter().map(|c| case_row(c, government.zone(), lang)).collect(),
        };
        b.push_str(&table.html());
    }
    let back = if lang == Lang::En { "/admin/dasbor?lang=en" } else { "/admin/dasbor" };
    let _ = write!(b, "<p><a href=\"{back}\">{}</a></p>", esc(t(&texts::BACK)));
    no_store(render(&AgencyPage { chrome: chrome(lang, &heading, &uri, &admin), body: b }))
}
