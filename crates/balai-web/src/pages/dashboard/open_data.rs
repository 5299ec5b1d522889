//! `/open-data`: the dashboard's daily aggregates published under CC BY 4.0 — a page that explains
//! them, a DCAT catalogue as JSON-LD, and per government the daily counts per agency, service and
//! kind as CSV and JSON. Aggregate rows only, read through the lagging door; every count from 1 to
//! 4 is withheld (empty in CSV, `null` in JSON) and the line flagged, so a small count cannot
//! single out a person.

use super::public::{csv_text, esc, html_table};
use crate::AppState;
use crate::api::dashboard::{DashboardQuery, read_scope};
use crate::error::{ApiError, AppError};
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, render, urlencode};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::dashboard::{DEFAULT_DAYS, MAX_SPAN_DAYS, SUPPRESS_BELOW, suppressed};
use balai_store::dashboard::{self, DailyLine};
use balai_store::org::{self, Government};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The licence of every published file.
pub const LICENSE_URL: &str = "https://creativecommons.org/licenses/by/4.0/";

pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Data terbuka"
            / "Open data";
        INTRO = "Angka harian pelayanan publik per perangkat daerah dan layanan, untuk dipakai ulang siapa saja. Data ini dihitung dari agregat yang sama dengan dasbor kinerja, tanpa satu pun data pribadi (nama, NIK, nomor telepon, alamat)."
            / "Daily public-service figures per agency and service, for anyone to reuse. They are counted from the same aggregates as the performance dashboard, without any personal data (name, NIK, phone number, address).";
        LICENSE_HEADING = "Lisensi"
            / "Licence";
        LICENSE = "Semua berkas di halaman ini berlisensi Creative Commons Atribusi 4.0 Internasional (CC BY 4.0): boleh disalin, diolah, dan disebarkan untuk keperluan apa pun asalkan menyebut sumbernya."
            / "Every file on this page is licensed under Creative Commons Attribution 4.0 International (CC BY 4.0): copy, adapt and share it for any purpose, naming the source.";
        LICENSE_LINK = "Teks lisensi CC BY 4.0"
            / "The CC BY 4.0 licence text";
        SUPPRESSION_HEADING = "Angka kecil disembunyikan"
            / "Small counts withheld";
        SUPPRESSION = "Angka 1 sampai {max} tidak diterbitkan: sel itu kosong di CSV (null di JSON) dan kolom suppressed bernilai true untuk baris tersebut. Sedikit sekali kasus pada satu hari, perangkat daerah, dan layanan bisa menunjuk orang tertentu. Angka 0 dan {min} ke atas diterbitkan apa adanya."
            / "Counts from 1 to {max} are not published: the cell is empty in CSV (null in JSON) and the row's suppressed column is true. So few cases on one day, at one agency and service, could point at a person. 0 and counts of {min} or more are published as they are.";
        COLUMNS_HEADING = "Arti setiap kolom"
            / "What each column means";
        COLUMNS_CAPTION = "Kolom berkas harian (CSV dan JSON)"
            / "Columns of the daily file (CSV and JSON)";
        COLUMN = "Kolom"
            / "Column";
        MEANING = "Arti"
            / "Meaning";
        COL_DAY = "Tanggal (YYYY-MM-DD) menurut zona waktu pemerintah daerah."
            / "The date (YYYY-MM-DD) in the government's time zone.";
        COL_AGENCY_CODE = "Kode perangkat daerah."
            / "The agency's code.";
        COL_AGENCY_NAME = "Nama perangkat daerah."
            / "The agency's name.";
        COL_SERVICE_CODE = "Kode layanan; kosong untuk pengaduan."
            / "The service's code; empty for complaints.";
        COL_SERVICE_NAME = "Nama layanan dalam katalog saat ini; kosong untuk pengaduan."
            / "The service's name in the current catalogue; empty for complaints.";
        COL_KIND = "application (permohonan layanan) atau complaint (pengaduan)."
            / "application (a service application) or complaint.";
        COL_RECEIVED = "Kasus yang masuk pada hari itu."
            / "Cases received that day.";
        COL_CLOSED = "Kasus yang ditutup pada hari itu, apa pun hasilnya."
            / "Cases closed that day, whatever the outcome.";
        COL_CLOSED_ON_TIME = "Kasus yang ditutup pada hari itu sesuai jangka waktu standar pelayanan."
            / "Cases closed that day within the service standard's time limit.";
        COL_RESOLVED = "Kasus yang ditutup pada hari itu dengan hasil yang diminta warga (permohonan selesai, pengaduan tuntas)."
            / "Cases closed that day with the outcome the citizen came for (an application completed, a complaint resolved).";
        COL_SUPPRESSED = "true bila ada angka pada baris itu yang disembunyikan (1 sampai 4)."
            / "true when a count of the row is withheld (1 to 4).";
        DATASETS_HEADING = "Dataset per pemerintah daerah"
            / "Datasets per government";
        DATASET_TITLE = "Pelayanan publik harian — {government}"
            / "Daily public services — {government}";
        DATASET_DESCRIPTION = "Permohonan dan pengaduan per hari, perangkat daerah, layanan, dan jenis: masuk, ditutup, tepat waktu, dan tuntas. Angka 1–4 disembunyikan."
            / "Applications and complaints per day, agency, service and kind: received, closed, on time and resolved. Counts of 1–4 are withheld.";
        HELD = "Data tersedia dari {from} sampai {to}."
            / "Data is held from {from} to {to}.";
        NOTHING_YET = "Belum ada data."
            / "No data yet.";
        LAST_DAYS = "Unduh {days} hari terakhir:"
            / "Download the last {days} days:";
        PERIOD = "Pilih periode (paling lama {days} hari)"
            / "Choose a period (at most {days} days)";
        FROM = "Dari tanggal"
            / "From";
        TO = "Sampai tanggal"
            / "To";
        AS_CSV = "Unduh CSV"
            / "Download CSV";
        AS_JSON = "Unduh JSON"
            / "Download JSON";
        CATALOGUE_HEADING = "Katalog (DCAT)"
            / "Catalogue (DCAT)";
        CATALOGUE = "Daftar dataset ini juga tersedia sebagai katalog DCAT dalam JSON-LD, untuk portal data dan mesin pencari:"
            / "This list is also a DCAT catalogue in JSON-LD, for data portals and search engines:";
        CATALOGUE_TITLE = "Data terbuka pelayanan publik"
            / "Public-service open data";
        CATALOGUE_DESCRIPTION = "Angka harian pelayanan publik per perangkat daerah dan layanan, tanpa data pribadi, berlisensi CC BY 4.0."
            / "Daily public-service figures per agency and service, without personal data, under CC BY 4.0.";
        KEYWORD_SERVICES = "pelayanan publik"
            / "public services";
        KEYWORD_COMPLAINTS = "pengaduan"
            / "complaints";
        KEYWORD_PERFORMANCE = "kinerja"
            / "performance";
        DASHBOARD = "Angka yang sama dalam bentuk grafik ada di dasbor kinerja."
            / "The same figures as charts are on the performance dashboard.";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open-data", get(page))
        .route("/open-data/catalog.jsonld", get(catalogue))
        .route("/open-data/{government}/{file}", get(daily))
}

/// The columns of the daily file, in order, with what each means.
const COLUMNS: [(&str, crate::texts::Text); 11] = [
    ("day", texts::COL_DAY),
    ("agency_code", texts::COL_AGENCY_CODE),
    ("agency_name", texts::COL_AGENCY_NAME),
    ("service_code", texts::COL_SERVICE_CODE),
    ("service_name", texts::COL_SERVICE_NAME),
    ("kind", texts::COL_KIND),
    ("received", texts::COL_RECEIVED),
    ("closed", texts::COL_CLOSED),
    ("closed_on_time", texts::COL_CLOSED_ON_TIME),
    ("resolved", texts::COL_RESOLVED),
    ("suppressed", texts::COL_SUPPRESSED),
];

/// One published line: the counts of 1–4 withheld.
#[derive(Debug, Serialize)]
struct PublishedLine {
    day: NaiveDate,
    agency_code: String,
    agency_name: String,
    service_code: Option<String>,
    service_name: Option<String>,
    kind: String,
    received: Option<i64>,
    closed: Option<i64>,
    closed_on_time: Option<i64>,
    resolved: Option<i64>,
    suppressed: bool,
}

impl From<DailyLine> for PublishedLine {
    fn from(line: DailyLine) -> Self {
        let counts = [line.received, line.closed, line.closed_on_time, line.resolved].map(suppressed);
        PublishedLine {
            day: line.day,
            agency_code: line.agency_code,
            agency_name: line.agency_name,
            service_code: line.service_code,
            service_name: line.service_name,
            kind: line.kind,
            received: counts[0],
            closed: counts[1],
            closed_on_time: counts[2],
            resolved: counts[3],
            suppressed: counts.iter().any(Option::is_none),
        }
    }
}

impl PublishedLine {
    fn cells(&self) -> Vec<String> {
        let count = |c: Option<i64>| c.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.day.to_string(),
            self.agency_code.clone(),
            self.agency_name.clone(),
            self.service_code.clone().unwrap_or_default(),
            self.service_name.clone().unwrap_or_default(),
            self.kind.clone(),
            count(self.received),
            count(self.closed),
            count(self.closed_on_time),
            count(self.resolved),
            self.suppressed.to_string(),
        ]
    }
}

/// The file name of a government's daily file: `5371`, not `53.71`.
fn file_code(government: &Government) -> String {
    government.region_code.replace('.', "")
}

/// The origin download links start with: the deployment's public origin, or none (links relative to
/// this server).
fn origin(state: &AppState) -> String {
    state.config.public_origin.as_deref().unwrap_or_default().trim_end_matches('/').to_owned()
}

fn daily_path(government: &Government, extension: &str) -> String {
    format!("/open-data/{}/daily.{extension}", urlencode(&government.region_code))
}

#[derive(Debug, Deserialize)]
struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// `/open-data/{government}/daily.csv` and `.json`: the daily lines of a period (the last
/// [`DEFAULT_DAYS`] days by default, at most [`MAX_SPAN_DAYS`]); a bad `from`, `to` or an unknown
/// government is a 400 problem+json naming it.
async fn daily(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path((government, file)): Path<(String, String)>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let json = match file.as_str() {
        "daily.csv" => false,
        "daily.json" => true,
        _ => return error_page(lang, &uri, AppError::NotFound),
    };
    let fail = |e: AppError| ApiError(e, lang).into_response();
    let query = DashboardQuery { government: Some(government), agency: None, service: None, from: q.from, to: q.to };
    let (government, scope, _) = match read_scope(&state, lang, &query).await {
        Ok(found) => found,
        Err(e) => return fail(e),
    };
    let lines = match dashboard::daily_lines(state.db.lagging(), &scope).await {
        Ok(lines) => lines,
        Err(e) => return fail(e.into()),
    };
    let lines: Vec<PublishedLine> = lines.into_iter().map(PublishedLine::from).collect();
    let name = format!(
        "balai-harian-{}-{}-{}.{}",
        file_code(&government),
        scope.period.from,
        scope.period.to,
        if json { "json" } else { "csv" }
    );
    let mut response = if json {
        let body = json!({
            "government": { "region_code": government.region_code, "name": government.name },
            "from": scope.period.from,
            "to": scope.period.to,
            "license": LICENSE_URL,
            "suppressed_below": SUPPRESS_BELOW,
            "rows": lines,
        });
        let mut response = axum::Json(body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else {
        let head: Vec<&str> = COLUMNS.iter().map(|(name, _)| *name).collect();
        let rows: Vec<Vec<String>> = lines.iter().map(PublishedLine::cells).collect();
        let mut response = csv_text(&head, &rows).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("<{LICENSE_URL}>; rel=\"license\"")) {
        headers.insert(header::LINK, value);
    }
    response
}

/// A government with the days its aggregates hold.
struct Held {
    government: Government,
    extent: Option<(NaiveDate, NaiveDate)>,
}

async fn held(state: &AppState) -> Result<Vec<Held>, balai_store::StoreError> {
    let db = state.db.lagging();
    let mut out = Vec::new();
    for government in org::governments(db).await? {
        let extent = dashboard::extent(db, government.id).await?;
        out.push(Held { government, extent });
    }
    Ok(out)
}

fn both(text: crate::texts::Text) -> Value {
    json!([{ "@value": text.id, "@language": "id" }, { "@value": text.en, "@language": "en" }])
}

fn both_filled(text: crate::texts::Text, values: &[(&str, &str)]) -> Value {
    json!([
        { "@value": text.fill(Lang::Id, values), "@language": "id" },
        { "@value": text.fill(Lang::En, values), "@language": "en" },
    ])
}

fn date(day: NaiveDate) -> Value {
    json!({ "@value": day.to_string(), "@type": "xsd:date" })
}

fn agent(government: &Government) -> Value {
    json!({
        "@type": "foaf:Agent",
        "foaf:name": government.name,
        "dct:identifier": government.region_code,
    })
}

/// One government's dataset: the daily file, as CSV and as JSON.
fn dataset(origin: &str, held: &Held, today: NaiveDate) -> Value {
    let g = &held.government;
    let values = [("government", g.name.as_str())];
    let distribution = |extension: &str, media_type: &str, format: &str| {
        let url = format!("{origin}{}", daily_path(g, extension));
        json!({
            "@type": "dcat:Distribution",
            "dct:title": format!("{format}: the last {DEFAULT_DAYS} days; ?from=YYYY-MM-DD&to=YYYY-MM-DD for up to {MAX_SPAN_DAYS} days"),
            "dcat:downloadURL": { "@id": url },
            "dcat:accessURL": { "@id": url },
            "dcat:mediaType": { "@id": format!("http://www.iana.org/assignments/media-types/{media_type}") },
            "dct:format": { "@id": format!("http://publications.europa.eu/resource/authority/file-type/{format}") },
            "dct:license": { "@id": LICENSE_URL },
        })
    };
    let mut dataset = json!({
        "@id": format!("{origin}/open-data#{}", file_code(g)),
        "@type": "dcat:Dataset",
        "dct:identifier": format!("balai-harian-{}", file_code(g)),
        "dct:title": both_filled(texts::DATASET_TITLE, &values),
        "dct:description": both(texts::DATASET_DESCRIPTION),
        "dcat:keyword": [
            { "@value": texts::KEYWORD_SERVICES.id, "@language": "id" },
            { "@value": texts::KEYWORD_SERVICES.en, "@language": "en" },
            { "@value": texts::KEYWORD_COMPLAINTS.id, "@language": "id" },
            { "@value": texts::KEYWORD_COMPLAINTS.en, "@language": "en" },
            { "@value": texts::KEYWORD_PERFORMANCE.id, "@language": "id" },
            { "@value": texts::KEYWORD_PERFORMANCE.en, "@language": "en" },
        ],
        "dct:publisher": agent(g),
        "dcat:contactPoint": { "@type": "vcard:Organization", "vcard:fn": g.name },
        "dct:license": { "@id": LICENSE_URL },
        "dct:accrualPeriodicity": { "@id": "http://publications.europa.eu/resource/authority/frequency/DAILY" },
        "dcat:landingPage": { "@id": format!("{origin}/open-data") },
        "dct:modified": date(held.extent.map_or(today, |(_, last)| last)),
        "dcat:distribution": [
            distribution("csv", "text/csv", "CSV"),
            distribution("json", "application/json", "JSON"),
        ],
    });
    if let Some((first, last)) = held.extent {
        dataset["dct:temporal"] = json!({
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": date(first),
            "dcat:endDate": date(last),
        });
    }
    dataset
}

/// `/open-data/catalog.jsonld`: every government's dataset in one DCAT catalogue, published by the
/// deployment's home government (the first one when none is set).
async fn catalogue(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri) -> Response {
    let held = match held(&state).await {
        Ok(held) => held,
        Err(e) => return ApiError(e.into(), lang).into_response(),
    };
    let origin = origin(&state);
    let home = state
        .config
        .default_region
        .as_deref()
        .and_then(|region| held.iter().find(|h| h.government.region_code == region))
        .or_else(|| held.first());
    let today = |h: &Held| h.government.zone().local_date(state.config.clock.now());
    let datasets: Vec<Value> = held.iter().map(|h| dataset(&origin, h, today(h))).collect();
    let mut catalogue = json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": format!("{origin}{}", uri.path()),
        "@type": "dcat:Catalog",
        "dct:title": both(texts::CATALOGUE_TITLE),
        "dct:description": both(texts::CATALOGUE_DESCRIPTION),
        "dct:license": { "@id": LICENSE_URL },
        "dct:language": [
            { "@id": "http://publications.europa.eu/resource/authority/language/IND" },
            { "@id": "http://publications.europa.eu/resource/authority/language/ENG" },
        ],
        "foaf:homepage": { "@id": format!("{origin}/open-data") },
        "dcat:dataset": datasets,
    });
    if let Some(home) = home {
        catalogue["dct:publisher"] = agent(&home.government);
    }
    let mut response = axum::Json(catalogue).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/ld+json"));
    response
}

#[derive(askama::Template)]
#[template(path = "dashboard_public.html")]
struct OpenDataPage {
    chrome: Chrome,
    body: String,
}

/// `/open-data`: what is published, under which licence, what each column means, and the links.
async fn page(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri) -> Response {
    let held = match held(&state).await {
        Ok(held) => held,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let t = |text: &crate::texts::Text| text.get(lang);
    let lang_query = if lang == Lang::En { "?lang=en" } else { "" };
    let mut b = String::new();
    let _ = write!(b, "<h1>{}</h1><p>{}</p>", esc(t(&texts::HEADING)), esc(t(&texts::INTRO)));
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-license\"><h2 id=\"h-license\">{}</h2><p>{}</p>\
         <p><a rel=\"license\" href=\"{LICENSE_URL}\">{}</a></p></section>",
        esc(t(&texts::LICENSE_HEADING)),
        esc(t(&texts::LICENSE)),
        esc(t(&texts::LICENSE_LINK)),
    );
    let max = (SUPPRESS_BELOW - 1).to_string();
    let min = SUPPRESS_BELOW.to_string();
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-suppression\"><h2 id=\"h-suppression\">{}</h2><p>{}</p></section>",
        esc(t(&texts::SUPPRESSION_HEADING)),
        esc(&texts::SUPPRESSION.fill(lang, &[("max", &max), ("min", &min)])),
    );

    let _ = write!(
        b,
        "<section aria-labelledby=\"h-datasets\"><h2 id=\"h-datasets\">{}</h2>",
        esc(t(&texts::DATASETS_HEADING))
    );
    let days = DEFAULT_DAYS.to_string();
    let span = MAX_SPAN_DAYS.to_string();
    for (i, h) in held.iter().enumerate() {
        let g = &h.government;
        let _ = write!(
            b,
            "<article class=\"card\" aria-labelledby=\"ds-{i}\"><h3 id=\"ds-{i}\">{}</h3><p>{}</p><p>{}</p>",
            esc(&texts::DATASET_TITLE.fill(lang, &[("government", &g.name)])),
            esc(t(&texts::DATASET_DESCRIPTION)),
            esc(&match h.extent {
                Some((from, to)) => texts::HELD.fill(lang, &[("from", &from.to_string()), ("to", &to.to_string())]),
                None => t(&texts::NOTHING_YET).to_owned(),
            }),
        );
        let _ = write!(
            b,
            "<p>{} <a href=\"{}\" download>CSV</a> · <a href=\"{}\" download>JSON</a></p>",
            esc(&texts::LAST_DAYS.fill(lang, &[("days", &days)])),
            esc(&daily_path(g, "csv")),
            esc(&daily_path(g, "json")),
        );
        // A GET form: the period, and one button per format (no script needed).
        let _ = write!(
            b,
            "<form method=\"get\" action=\"{}\"><fieldset><legend>{}</legend>",
            esc(&daily_path(g, "csv")),
            esc(&texts::PERIOD.fill(lang, &[("days", &span)])),
        );
        if lang == Lang::En {
            b.push_str("<input type=\"hidden\" name=\"lang\" value=\"en\">");
        }
        let _ = write!(
            b,
            "<div class=\"field\"><label for=\"from-{i}\">{}</label><input type=\"date\" id=\"from-{i}\" name=\"from\"></div>\
             <div class=\"field\"><label for=\"to-{i}\">{}</label><input type=\"date\" id=\"to-{i}\" name=\"to\"></div>\
             <button type=\"submit\">{}</button> <button type=\"submit\" formaction=\"{}\">{}</button></fieldset></form></article>",
            esc(t(&texts::FROM)),
            esc(t(&texts::TO)),
            esc(t(&texts::AS_CSV)),
            esc(&daily_path(g, "json")),
            esc(t(&texts::AS_JSON)),
        );
    }
    b.push_str("</section>");

    let rows: Vec<Vec<String>> =
        COLUMNS.iter().map(|(name, meaning)| vec![(*name).to_owned(), meaning.get(lang).to_owned()]).collect();
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-columns\"><h2 id=\"h-columns\">{}</h2>{}</section>",
        esc(t(&texts::COLUMNS_HEADING)),
        html_table(t(&texts::COLUMNS_CAPTION), &[t(&texts::COLUMN), t(&texts::MEANING)], &rows),
    );
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-catalogue\"><h2 id=\"h-catalogue\">{}</h2><p>{} \
         <a href=\"/open-data/catalog.jsonld\" type=\"application/ld+json\">catalog.jsonld</a></p>\
         <p><a href=\"/dasbor{lang_query}\">{}</a></p></section>",
        esc(t(&texts::CATALOGUE_HEADING)),
        esc(t(&texts::CATALOGUE)),
        esc(t(&texts::DASHBOARD)),
    );
    render(&OpenDataPage { chrome: Chrome::new(lang, t(&texts::HEADING), &uri), body: b })
}
