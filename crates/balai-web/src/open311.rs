//! Open311 GeoReport v2 under `/open311/v2/`: discovery, services and their definitions, filing a
//! request (form-encoded, with a client application's `api_key`), reading public requests, tokens,
//! and the `servicerequestupdates` extension; each in `.json` and `.xml`, errors as the
//! specification's list. `jurisdiction_id` is a government's region code (`53.71`); omitted, the
//! deployment's default government.
//!
//! A request is a complaint filed through the same command as the web form, so the same checks,
//! deadlines and privacy hold: only public reports are read back, with their redacted texts.

use crate::AppState;
use crate::i18n::RequestLang;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::calendar::IndonesianTimeZone;
use balai_domain::complaints::open311::{Attribute, AttributeValue, Filing};
use balai_domain::complaints::{Channel, ReportKind};
use balai_domain::validation::FieldErrors;
use balai_store::StoreError;
use balai_store::complaints::open311::{self, MAX_REQUEST_IDS, MAX_REQUESTS, RequestFilter, ServiceRequest};
use balai_store::complaints::{self, Category, NewReport, Reporter};
use balai_store::org::{self, Government};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// The largest body a `POST requests` may carry: a form of short texts (no media is accepted).
pub const MAX_BODY_BYTES: usize = 32 * 1024;
/// Requests a list returns when the client names no page size.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// Without dates or ids, a list covers the last 90 days (as the specification's default).
const DEFAULT_DAYS: i64 = 90;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(read_top).post(post_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

// ---- formats and errors -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `requests.json` → (`requests`, JSON); an unknown extension is not a resource.
fn split_file(file: &str) -> Result<(&str, Format), Failure> {
    let (name, ext) = file.rsplit_once('.').ok_or(Failure::not_found(Format::Json, "resource"))?;
    match ext {
        "json" => Ok((name, Format::Json)),
        "xml" => Ok((name, Format::Xml)),
        _ => Err(Failure::not_found(Format::Json, "resource")),
    }
}

/// A refusal, answered in the specification's error list.
#[derive(Debug)]
struct Failure {
    format: Format,
    status: StatusCode,
    description: String,
    /// Seconds before the request may succeed if repeated (sent as `Retry-After`).
    retry_after: Option<i64>,
}

impl Failure {
    fn new(format: Format, status: StatusCode, description: impl Into<String>) -> Failure {
        Failure { format, status, description: description.into(), retry_after: None }
    }

    fn not_found(format: Format, what: &str) -> Failure {
        let description = match what {
            "service_code" => "service_code tidak dikenal (unknown service_code).",
            "jurisdiction_id" => "jurisdiction_id tidak dikenal (unknown jurisdiction_id).",
            "service_request_id" => "Laporan tidak ditemukan (service request not found).",
            "token" => "Token tidak ditemukan (token not found).",
            _ => "Alamat ini tidak ada di API Open311 (no such resource).",
        };
        Failure::new(format, StatusCode::NOT_FOUND, description)
    }

    fn bad(format: Format, field: &str, message: &str) -> Failure {
        Failure::new(format, StatusCode::BAD_REQUEST, format!("{field}: {message}"))
    }

    fn forbidden(format: Format) -> Failure {
        Failure::new(
            format,
            StatusCode::FORBIDDEN,
            "api_key tidak ada, salah atau dicabut (api_key missing, wrong or revoked).",
        )
    }

    fn store(format: Format, error: StoreError) -> Failure {
        match error {
            StoreError::NotFound => Failure::not_found(format, "resource"),
            StoreError::Forbidden => Failure::forbidden(format),
            StoreError::Unconfirmed(e) => {
                tracing::warn!(error = %e, "open311 request: database lost during the commit");
                Failure {
                    retry_after: Some(crate::error::UNAVAILABLE_RETRY_AFTER),
                    ..Failure::new(
                        format,
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Belum pasti apakah laporan tersimpan: sambungan ke basis data terputus saat menyimpan; periksa sebelum mengirim ulang (not certain whether the request was saved: the database connection broke while saving; check before sending it again).",
                    )
                }
            }
            other if other.is_unavailable() => {
                tracing::warn!(error = %other, "open311 request: database unavailable");
                Failure {
                    retry_after: Some(crate::error::UNAVAILABLE_RETRY_AFTER),
                    ..Failure::new(
                        format,
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Layanan sedang tidak tersedia; coba lagi dalam beberapa detik (service temporarily unavailable; try again in a few seconds).",
                    )
                }
            }
            other => {
                tracing::error!(error = %other, "open311 request failed");
                Failure::new(format, StatusCode::INTERNAL_SERVER_ERROR, "Kesalahan server (server error).")
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    code: u16,
    description: &'a str,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let item = ErrorItem { code: self.status.as_u16(), description: &self.description };
        let mut response = respond(self.format, "errors", "error", std::slice::from_ref(&item));
        *response.status_mut() = self.status;
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// A list serialised as the specification shows it: a JSON array, or in XML a `root` element
/// holding one `item` element per entry.
struct List<'a, T> {
    item: &'static str,
    items: &'a [T],
}

impl<T: Serialize> Serialize for List<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("List", 1)?;
        out.serialize_field(self.item, self.items)?;
        out.end()
    }
}

fn respond<T: Serialize>(format: Format, root: &str, item: &'static str, items: &[T]) -> Response {
    match format {
        Format::Json => match serde_json::to_string(items) {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response(),
            Err(e) => serialise_failed(&e),
        },
        Format::Xml => xml(root, &List { item, items }),
    }
}

fn xml<T: Serialize>(root: &str, value: &T) -> Response {
    match quick_xml::se::to_string_with_root(root, value) {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{body}"),
        )
            .into_response(),
        Err(e) => serialise_failed(&e),
    }
}

fn serialise_failed(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "open311 answer could not be serialised");
    (StatusCode::INTERNAL_SERVER_ERROR, "serialisation failed").into_response()
}

type Answer = Result<Response, Failure>;

fn answer(result: Answer) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

// ---- the government asked about -----------------------------------------------------------------

async fn jurisdiction(state: &AppState, format: Format, jurisdiction_id: Option<&str>) -> Result<Government, Failure> {
    let region = match jurisdiction_id.map(str::trim).filter(|j| !j.is_empty()) {
        Some(region) => region.to_owned(),
        None => match state.config.default_region.clone() {
            Some(region) => region,
            None => return Err(Failure::bad(format, "jurisdiction_id", "Wajib diisi (required).")),
        },
    };
    if region.len() > 20 {
        return Err(Failure::not_found(format, "jurisdiction_id"));
    }
    match org::government_by_region(&state.db, &region).await {
        Ok(government) => Ok(government),
        Err(StoreError::NotFound) => Err(Failure::not_found(format, "jurisdiction_id")),
        Err(e) => Err(Failure::store(format, e)),
    }
}

/// An instant in the government's zone, with its offset (`2026-12-07T09:00:00+08:00`).
fn datetime(at: DateTime<Utc>, zone: IndonesianTimeZone) -> String {
    at.with_timezone(&zone.offset()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn parse_datetime(format: Format, field: &str, value: Option<&str>) -> Result<Option<DateTime<Utc>>, Failure> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(v).map(|d| Some(d.with_timezone(&Utc))).map_err(|_| {
            Failure::bad(
                format,
                field,
                "Bukan tanggal ISO 8601 dengan zona waktu, mis. 2026-12-07T09:00:00+08:00 (not an ISO 8601 date-time with offset).",
            )
        }),
    }
}

// ---- discovery, services ------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct ReadQuery {
    jurisdiction_id: Option<String>,
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
    page_size: Option<String>,
}

/// `GET /open311/v2/{discovery,services,requests,servicerequestupdates}.{json,xml}`.
async fn read_top(State(state): State<AppState>, Path(file): Path<String>, Query(q): Query<ReadQuery>) -> Response {
    answer(read_top_inner(&state, &file, &q).await)
}

async fn read_top_inner(state: &AppState, file: &str, q: &ReadQuery) -> Answer {
    let (name, format) = split_file(file)?;
    match name {
        "discovery" => Ok(discovery(state, format)),
        "services" => services(state, format, q).await,
        "requests" => list_requests(state, format, q).await,
        "servicerequestupdates" => updates(state, format, q).await,
        _ => Err(Failure::not_found(format, "resource")),
    }
}

#[derive(Serialize)]
struct Endpoint<F> {
    specification: &'static str,
    url: String,
    changeset: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    formats: F,
}

#[derive(Serialize)]
struct Formats {
    format: [&'static str; 2],
}

#[derive(Serialize)]
struct Endpoints<F> {
    endpoint: Vec<Endpoint<F>>,
}

#[derive(Serialize)]
struct Discovery<E> {
    changeset: &'static str,
    contact: &'static str,
    key_service: &'static str,
    endpoints: E,
}

/// When this API's description last changed.
const CHANGESET: &str = "2026-12-05T00:00:00Z";
const FORMATS: [&str; 2] = ["text/xml", "application/json"];

fn endpoint<F>(origin: &str, formats: F) -> Endpoint<F> {
    Endpoint {
        specification: "http://wiki.open311.org/GeoReport_v2",
        url: format!("{origin}/open311/v2"),
        changeset: CHANGESET,
        kind: "production",
        formats,
    }
}

fn discovery(state: &AppState, format: Format) -> Response {
    let origin = state.config.public_origin.as_deref().unwrap_or("").trim_end_matches('/');
    let contact = "Pengelola pengaduan pemerintah daerah (the government's complaint desk).";
    let key_service =
        "Kunci API diberikan oleh administrator pemerintah daerah (keys are issued by the government's administrator).";
    match format {
        Format::Json => {
            let body =
                Discovery { changeset: CHANGESET, contact, key_service, endpoints: vec![endpoint(origin, FORMATS)] };
            match serde_json::to_string(&body) {
                Ok(body) => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response(),
                Err(e) => serialise_failed(&e),
            }
        }
        Format::Xml => {
            let endpoints = Endpoints { endpoint: vec![endpoint(origin, Formats { format: FORMATS })] };
            xml("discovery", &Discovery { changeset: CHANGESET, contact, key_service, endpoints })
        }
    }
}

#[derive(Serialize)]
struct ServiceDoc {
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: String,
    group: String,
}

fn service_doc(category: &Category) -> ServiceDoc {
    ServiceDoc {
        service_code: category.code.clone(),
        service_name: category.name_id.clone(),
        description: category.description.clone(),
        metadata: !attributes_of(category).is_empty(),
        kind: "realtime",
        keywords: category.keywords.split_whitespace().collect::<Vec<_>>().join(","),
        group: String::new(),
    }
}

async fn services(state: &AppState, format: Format, q: &ReadQuery) -> Answer {
    let government = jurisdiction(state, format, q.jurisdiction_id.as_deref()).await?;
    let categories = complaints::categories(&state.db, government.id).await.map_err(|e| Failure::store(format, e))?;
    let docs: Vec<ServiceDoc> = categories.iter().map(service_doc).collect();
    Ok(respond(format, "services", "service", &docs))
}

fn attributes_of(category: &Category) -> Vec<Attribute> {
    balai_domain::complaints::open311::attributes(&category.attributes)
}

#[derive(Serialize)]
struct AttributeDoc {
    variable: bool,
    code: String,
    datatype: String,
    required: bool,
    datatype_description: String,
    order: usize,
    description: String,
    values: Vec<AttributeValue>,
}

#[derive(Serialize)]
struct Values {
    value: Vec<AttributeValue>,
}

#[derive(Serialize)]
struct AttributeXml {
    variable: bool,
    code: String,
    datatype: String,
    required: bool,
    datatype_description: String,
    order: usize,
    description: String,
    values: Values,
}

#[derive(Serialize)]
struct DefinitionJson {
    service_code: String,
    attributes: Vec<AttributeDoc>,
}

#[derive(Serialize)]
struct Attributes {
    attribute: Vec<AttributeXml>,
}

#[derive(Serialize)]
struct DefinitionXml {
    service_code: String,
    attributes: Attributes,
}

fn attribute_doc(order: usize, a: Attribute) -> AttributeDoc {
    AttributeDoc {
        variable: true,
        code: a.code,
        datatype: a.datatype,
        required: a.required,
        datatype_description: a.datatype_description,
        order,
        description: a.description,
        values: a.values,
    }
}

/// `GET /open311/v2/services/{code}.{json,xml}`: a service's extra questions.
async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(q): Query<ReadQuery>,
) -> Response {
    answer(service_definition_inner(&state, &file, &q).await)
}

async fn service_definition_inner(state: &AppState, file: &str, q: &ReadQuery) -> Answer {
    let (code, format) = split_file(file)?;
    let government = jurisdiction(state, format, q.jurisdiction_id.as_deref()).await?;
    let category = active_category(state, format, government.id, code).await?;
    let attributes: Vec<AttributeDoc> =
        attributes_of(&category).into_iter().enumerate().map(|(i, a)| attribute_doc(i + 1, a)).collect();
    let service_code = category.code.clone();
    Ok(match format {
        Format::Json => match serde_json::to_string(&DefinitionJson { service_code, attributes }) {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response(),
            Err(e) => serialise_failed(&e),
        },
        Format::Xml => {
            let attribute = attributes
                .into_iter()
                .map(|a| AttributeXml {
                    variable: a.variable,
                    code: a.code,
                    datatype: a.datatype,
                    required: a.required,
                    datatype_description: a.datatype_description,
                    order: a.order,
                    description: a.description,
                    values: Values { value: a.values },
                })
                .collect();
            xml("service_definition", &DefinitionXml { service_code, attributes: Attributes { attribute } })
        }
    })
}

async fn active_category(
    state: &AppState,
    format: Format,
    government_id: i64,
    code: &str,
) -> Result<Category, Failure> {
    let code = code.trim();
    if code.is_empty() || code.len() > 40 {
        return Err(Failure::not_found(format, "service_code"));
    }
    match complaints::category_by_code(&state.db, government_id, code).await {
        Ok(Some(category)) if category.active => Ok(category),
        Ok(_) => Err(Failure::not_found(format, "service_code")),
        Err(e) => Err(Failure::store(format, e)),
    }
}

// ---- reading requests ---------------------------------------------------------------------------

#[derive(Serialize)]
struct RequestDoc {
    service_request_id: String,
    status: &'static str,
    status_notes: String,
    service_name: String,
    service_code: String,
    description: String,
    agency_responsible: String,
    service_notice: String,
    requested_datetime: String,
    updated_datetime: String,
    expected_datetime: Option<String>,
    address: String,
    address_id: String,
    zipcode: String,
    lat: Option<f64>,
    long: Option<f64>,
    media_url: String,
}

fn request_doc(r: ServiceRequest, zone: IndonesianTimeZone) -> RequestDoc {
    RequestDoc {
        service_request_id: r.tracking_number,
        status: if r.closed { "closed" } else { "open" },
        status_notes: r.status_notes,
        service_name: r.service_name,
        service_code: r.service_code,
        description: r.description,
        agency_responsible: r.agency,
        service_notice: r.status.label(Lang::Id).to_owned(),
        requested_datetime: datetime(r.requested_at, zone),
        updated_datetime: datetime(r.updated_at, zone),
        expected_datetime: r.expected_at.map(|at| datetime(at, zone)),
        address: r.address,
        address_id: String::new(),
        zipcode: String::new(),
        lat: r.location.map(|p| p.lat),
        long: r.location.map(|p| p.lon),
        media_url: String::new(),
    }
}

fn page_size(format: Format, value: Option<&str>) -> Result<i64, Failure> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(v) => v.parse::<i64>().ok().filter(|n| (1..=MAX_REQUESTS).contains(n)).ok_or_else(|| {
            Failure::bad(
                format,
                "page_size",
                &format!("Bilangan 1 sampai {MAX_REQUESTS} (a number from 1 to {MAX_REQUESTS})."),
            )
        }),
    }
}

async fn list_requests(state: &AppState, format: Format, q: &ReadQuery) -> Answer {
    let government = jurisdiction(state, format, q.jurisdiction_id.as_deref()).await?;
    let ids: Vec<String> = q
        .service_request_id
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.len() > MAX_REQUEST_IDS {
        return Err(Failure::bad(
            format,
            "service_request_id",
            &format!("Paling banyak {MAX_REQUEST_IDS} nomor (at most {MAX_REQUEST_IDS} ids)."),
        ));
    }
    let category_id = match q.service_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(active_category(state, format, government.id, code).await?.id),
        None => None,
    };
    let mut since = parse_datetime(format, "start_date", q.start_date.as_deref())?;
    let until = parse_datetime(format, "end_date", q.end_date.as_deref())?;
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        return Err(Failure::bad(format, "end_date", "Harus sesudah start_date (must be after start_date)."));
    }
    if ids.is_empty() && since.is_none() {
        since = Some(until.unwrap_or_else(|| state.config.clock.now()) - chrono::Duration::days(DEFAULT_DAYS));
    }
    let open = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("open") => Some(true),
        Some("closed") => Some(false),
        Some(_) => return Err(Failure::bad(format, "status", "Isi open atau closed (open or closed).")),
    };
    let limit = page_size(format, q.page_size.as_deref())?;
    let filter = RequestFilter { ids, category_id, since, until, open };
    let found =
        open311::requests(&state.db, government.id, &filter, limit).await.map_err(|e| Failure::store(format, e))?;
    let zone = government.zone();
    let docs: Vec<RequestDoc> = found.into_iter().map(|r| request_doc(r, zone)).collect();
    Ok(respond(format, "service_requests", "request", &docs))
}

/// `GET /open311/v2/requests/{id}.{json,xml}`: one public request, as a list of one.
async fn one_request(State(state): State<AppState>, Path(file): Path<String>, Query(q): Query<ReadQuery>) -> Response {
    answer(one_request_inner(&state, &file, &q).await)
}

async fn one_request_inner(state: &AppState, file: &str, q: &ReadQuery) -> Answer {
    let (id, format) = split_file(file)?;
    let government = jurisdiction(state, format, q.jurisdiction_id.as_deref()).await?;
    let found = open311::request(&state.db, government.id, id).await.map_err(|e| Failure::store(format, e))?;
    let found = found.ok_or_else(|| Failure::not_found(format, "service_request_id"))?;
    Ok(respond(format, "service_requests", "request", &[request_doc(found, government.zone())]))
}

#[derive(Serialize)]
struct TokenDoc {
    service_request_id: String,
    token: String,
}

/// `GET /open311/v2/tokens/{token}.{json,xml}`. Requests are filed at once, so a token is the
/// tracking number the POST answered with; it is found while the report is public.
async fn token(State(state): State<AppState>, Path(file): Path<String>, Query(q): Query<ReadQuery>) -> Response {
    answer(token_inner(&state, &file, &q).await)
}

async fn token_inner(state: &AppState, file: &str, q: &ReadQuery) -> Answer {
    let (token, format) = split_file(file)?;
    let government = jurisdiction(state, format, q.jurisdiction_id.as_deref()).await?;
    let found = open311::request(&state.db, government.id, token).await.map_err(|e| Failure::store(format, e))?;
    let found = found.ok_or_else(|| Failure::not_found(format, "token"))?;
    let doc = TokenDoc { service_request_id: found.tracking_number.clone(), token: found.tracking_number };
    Ok(respond(format, "service_requests", "request", &[doc]))
}

#[derive(Serialize)]
struct UpdateDoc {
    update_id: String,
    service_request_id: String,
    status: &'static str,
    updated_datetime: String,
    description: String,
    media_url: String,
}

/// The `servicerequestupdates` extension: the public timeline of public reports, reasons redacted.
async fn updates(state: &AppState, format: Format, q: &ReadQuery) -> Answer {
    let government = jurisdiction(state, format, q.jurisdiction_id.as_deref()).await?;
    let since = parse_datetime(format, "start_date", q.start_date.as_deref())?;
    let until = parse_datetime(format, "end_date", q.end_date.as_deref())?;
    if let (Some(s), Some(u)) = (since, until)
        && u < s
    {
        return Err(Failure::bad(format, "end_date", "Harus sesudah start_date (must be after start_date)."));
    }
    let limit = page_size(format, q.page_size.as_deref())?;
    let found =
        open311::updates(&state.db, government.id, since, until, limit).await.map_err(|e| Failure::store(format, e))?;
    let zone = government.zone();
    let docs: Vec<UpdateDoc> = found
        .into_iter()
        .map(|u| UpdateDoc {
            update_id: u.update_id.to_string(),
            service_request_id: u.tracking_number,
            status: if u.status.is_final() { "closed" } else { "open" },
            updated_datetime: datetime(u.at, zone),
            description: u.description,
            media_url: String::new(),
        })
        .collect();
    Ok(respond(format, "service_request_updates", "request_update", &docs))
}

// ---- filing a request ---------------------------------------------------------------------------

#[derive(Serialize)]
struct FiledDoc {
    service_request_id: String,
    token: String,
    service_notice: String,
    account_id: String,
}

/// `POST /open311/v2/requests.{json,xml}`.
async fn post_request(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Path(file): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    answer(post_request_inner(&state, lang, &file, form).await)
}

/// The Open311 name of a field the complaint command refused.
fn open311_field(field: &str) -> &str {
    match field {
        "title" | "text" => "description",
        "category" => "service_code",
        "lon" => "long",
        "location" => "lat",
        "address" => "address_string",
        "name" => "first_name",
        other => other,
    }
}

fn first_refusal(format: Format, lang: Lang, errors: &FieldErrors) -> Failure {
    match errors.0.first() {
        Some(e) => Failure::bad(format, open311_field(&e.field), &e.rule.message(lang)),
        None => Failure::new(format, StatusCode::BAD_REQUEST, "Permintaan tidak sah (invalid request)."),
    }
}

async fn post_request_inner(
    state: &AppState,
    lang: Lang,
    file: &str,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Answer {
    let (name, format) = split_file(file)?;
    if name != "requests" {
        return Err(Failure::not_found(format, "resource"));
    }
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let status = rejection.status();
            let description = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!("Permintaan melebihi {MAX_BODY_BYTES} bita (request larger than {MAX_BODY_BYTES} bytes).")
            } else {
                "Kirim formulir application/x-www-form-urlencoded (send an application/x-www-form-urlencoded form)."
                    .to_owned()
            };
            let status = if status == StatusCode::PAYLOAD_TOO_LARGE { status } else { StatusCode::BAD_REQUEST };
            return Err(Failure::new(format, status, description));
        }
    };
    let filing = Filing::read(&form);
    let client = match open311::client_by_key(&state.db, filing.api_key).await {
        Ok(Some(client)) => client,
        Ok(None) => {
            tracing::info!("open311 request refused: no valid api_key");
            return Err(Failure::forbidden(format));
        }
        Err(e) => return Err(Failure::store(format, e)),
    };
    let government = jurisdiction(state, format, Some(filing.jurisdiction_id)).await?;
    if !client.serves(government.id) {
        tracing::info!(
            client_id = client.id,
            government_id = government.id,
            "open311 client used for another government"
        );
        return Err(Failure::forbidden(format));
    }
    let category = active_category(state, format, government.id, filing.service_code).await?;
    let checked = filing.check(&attributes_of(&category)).map_err(|r| Failure::bad(format, &r.field, &r.message))?;
    let report = NewReport {
        government_id: government.id,
        kind: ReportKind::Complaint,
        channel: Channel::Open311,
        category_code: &category.code,
        title: &checked.title,
        text: &checked.text,
        lat: filing.lat,
        lon: filing.long,
        address: filing.address_string,
        region_code: "",
        anonymous: checked.name.is_empty(),
        confidential: false,
        reporter: Reporter::Guest { name: &checked.name, email: filing.email, phone: filing.phone },
        photos: &[],
        open311_client_id: Some(client.id),
        idempotency_key: "",
    };
    let filed = match complaints::file_report(&state.db, &state.vault, &report, state.config.clock.now()).await {
        Ok(filed) => filed,
        Err(StoreError::Invalid(errors)) => return Err(first_refusal(format, lang, &errors)),
        Err(e) => return Err(Failure::store(format, e)),
    };
    tracing::info!(client_id = client.id, case_id = filed.case_id, "open311 request filed");
    let number = filed.tracking_number.as_str().to_owned();
    let doc = FiledDoc {
        service_request_id: number.clone(),
        token: number,
        service_notice: "Laporan diterima dan akan diverifikasi (report received; it will be verified).".to_owned(),
        account_id: String::new(),
    };
    Ok(respond(format, "service_requests", "request", &[doc]))
}
