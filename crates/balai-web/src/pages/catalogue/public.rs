//! Public catalogue pages: home, search, a service's standard (any version), an agency.

use super::texts;
use crate::AppState;
use crate::error::AppError;
use crate::i18n::{RequestLang, working_days};
use crate::pages::{Chrome, error_page, render};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::money::Rupiah;
use balai_store::catalogue::{self, PublishedService, ServiceFilter, ServiceSummary};
use balai_store::{Paging, StoreError, org};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/cari", get(search))
        .route("/layanan/{region}/{code}", get(service))
        .route("/layanan/{region}/{code}/versi/{version}", get(service_version))
        .route("/instansi/{id}", get(agency))
}

pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub services: i64,
}

pub struct GovernmentView {
    pub region_code: String,
    pub name: String,
    pub time_zone: String,
}

#[derive(askama::Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    query: String,
    categories: Vec<CategoryView>,
    governments: Vec<GovernmentView>,
}

async fn home(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri) -> Response {
    let result: Result<_, StoreError> = async {
        let categories = catalogue::category_counts(state.db.lagging(), None).await?;
        let governments = org::governments(&state.db).await?;
        Ok((categories, governments))
    }
    .await;
    match result {
        Ok((categories, governments)) => render(&HomePage {
            chrome: Chrome::new(lang, texts::HOME.get(lang), &uri),
            query: String::new(),
            categories: categories
                .into_iter()
                .map(|c| CategoryView {
                    name: lang.pick(&c.name_id, &c.name_en).to_owned(),
                    code: c.code,
                    services: c.services,
                })
                .collect(),
            governments: governments
                .into_iter()
                .map(|g| GovernmentView { region_code: g.region_code, name: g.name, time_zone: g.time_zone })
                .collect(),
        }),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    pub kategori: Option<String>,
    pub pemda: Option<String>,
    pub page: Option<String>,
}

pub struct ResultView {
    pub href: String,
    pub name: String,
    pub summary: String,
    pub time: String,
    pub fee: String,
    pub agency: String,
    pub government: String,
}

#[derive(askama::Template)]
#[template(path = "search.html")]
struct SearchPage {
    chrome: Chrome,
    heading: String,
    query: String,
    total: i64,
    results: Vec<ResultView>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

pub fn fee_text(lang: Lang, fee: i64) -> String {
    if fee == 0 { format!("{} ({})", Rupiah(0), crate::i18n::texts(lang).free) } else { Rupiah(fee).to_string() }
}

pub fn service_href(lang: Lang, s: &ServiceSummary) -> String {
    format!("/layanan/{}/{}{}", s.region_code, s.code, if lang == Lang::En { "?lang=en" } else { "" })
}

async fn search(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(params): Query<SearchParams>,
) -> Response {
    let page = match crate::api::page_number(params.page.as_deref()) {
        Ok(page) => page,
        Err(e) => return error_page(lang, &uri, e),
    };
    let filter = ServiceFilter {
        region_code: params.pemda.clone().filter(|p| !p.is_empty()),
        text: Some(params.q.clone()).filter(|q| !q.trim().is_empty()),
        category_code: params.kategori.clone().filter(|k| !k.is_empty()),
        agency_id: None,
    };
    let found = match catalogue::search_services(state.db.lagging(), &filter, Paging::new(page, 20)).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let t = crate::i18n::texts(lang);
    let heading = match (&filter.text, &filter.category_code, found.items.first()) {
        (Some(q), _, _) => format!("{}: \u{201c}{q}\u{201d}", t.results_for),
        (None, Some(_), Some(first)) => lang.pick(&first.category_name_id, &first.category_name_en).to_owned(),
        (None, None, Some(first)) if filter.region_code.is_some() => first.government_name.clone(),
        _ => t.all_services.to_owned(),
    };
    let page_href = |p: i64| {
        let mut params_out = Vec::new();
        if !params.q.is_empty() {
            params_out.push(format!("q={}", crate::pages::urlencode(&params.q)));
        }
        if let Some(k) = &filter.category_code {
            params_out.push(format!("kategori={}", crate::pages::urlencode(k)));
        }
        if let Some(r) = &filter.region_code {
            params_out.push(format!("pemda={}", crate::pages::urlencode(r)));
        }
        if lang == Lang::En {
            params_out.push("lang=en".into());
        }
        params_out.push(format!("page={p}"));
        format!("/cari?{}", params_out.join("&"))
    };
    let pages = found.pages().max(1);
    render(&SearchPage {
        chrome: Chrome::new(lang, heading.clone(), &uri),
        heading,
        query: params.q.clone(),
        total: found.total,
        page: found.page,
        pages,
        prev_href: (found.page > 1).then(|| page_href(found.page - 1)),
        next_href: (found.page < pages).then(|| page_href(found.page + 1)),
        results: found
            .items
            .iter()
            .map(|s| ResultView {
                href: service_href(lang, s),
                name: lang.pick(&s.name, &s.name_en).to_owned(),
                summary: s.summary.clone(),
                time: working_days(lang, s.sla_days),
                fee: fee_text(lang, s.fee),
                agency: s.agency_name.clone(),
                government: s.government_name.clone(),
            })
            .collect(),
    })
}

pub struct RequirementView {
    pub document: String,
    pub note: String,
    pub held: bool,
}

pub struct StepView {
    pub description: String,
    pub unit: String,
    pub time: String,
}

pub struct VersionView {
    pub version: i64,
    pub href: String,
    pub when: String,
    pub note: String,
}

#[derive(askama::Template)]
#[template(path = "service.html")]
struct ServicePage {
    chrome: Chrome,
    name: String,
    summary: String,
    agency_name: String,
    agency_href: String,
    government_name: String,
    time: String,
    fee: String,
    fee_legal_basis: String,
    product: String,
    complaint_handling: String,
    requirements: Vec<RequirementView>,
    steps: Vec<StepView>,
    version: i64,
    sk_number: String,
    effective_date: String,
    is_old_version: bool,
    current_href: String,
    versions: Vec<VersionView>,
    apply_href: String,
}

async fn service(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path((region, code)): Path<(String, String)>,
) -> Response {
    match catalogue::published_service(state.db.lagging(), &region, &code, None).await {
        Ok(published) => service_page(lang, &uri, published),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

async fn service_version(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path((region, code, version)): Path<(String, String, String)>,
) -> Response {
    let Ok(version) = version.parse::<i64>() else {
        return error_page(lang, &uri, AppError::NotFound);
    };
    match catalogue::published_service(state.db.lagging(), &region, &code, Some(version)).await {
        Ok(published) => service_page(lang, &uri, published),
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

/// Renders from what the store keeps of the published catalogue: no query on a cache hit.
fn service_page(lang: Lang, uri: &Uri, published: PublishedService) -> Response {
    let PublishedService { detail, versions, time_zone: zone } = published;
    let s = &detail.standard;
    let base = format!("/layanan/{}/{}", detail.service.region_code, detail.service.code);
    let lang_q = if lang == Lang::En { "?lang=en" } else { "" };
    let name = lang.pick(&s.name, &s.name_en).to_owned();
    render(&ServicePage {
        chrome: Chrome::new(lang, name.clone(), uri),
        name,
        summary: s.summary.clone(),
        agency_name: detail.service.agency_name.clone(),
        agency_href: format!("/instansi/{}{lang_q}", detail.service.agency_id),
        government_name: detail.service.government_name.clone(),
        time: working_days(lang, s.sla_days),
        fee: fee_text(lang, s.fee.0),
        fee_legal_basis: s.fee_legal_basis.clone(),
        product: s.product.clone(),
        complaint_handling: s.complaint_handling.clone(),
        requirements: s
            .requirements
            .iter()
            .map(|r| RequirementView { document: r.document.clone(), note: r.note.clone(), held: r.held_by_government })
            .collect(),
        steps: s
            .steps
            .iter()
            .zip(&detail.step_unit_names)
            .map(|(st, unit)| StepView {
                description: st.description.clone(),
                unit: unit.clone(),
                time: working_days(lang, st.sla_days),
            })
            .collect(),
        version: detail.version.version,
        sk_number: s.sk_number.clone(),
        effective_date: s.effective_date.format("%d-%m-%Y").to_string(),
        is_old_version: detail.version.version != detail.service.current_version,
        current_href: format!("{base}{lang_q}"),
        apply_href: format!("{base}/ajukan"),
        versions: versions
            .iter()
            .map(|v| VersionView {
                version: v.version,
                href: format!("{base}/versi/{}{lang_q}", v.version),
                when: zone.format(v.created_at),
                note: v.change_note.clone(),
            })
            .collect(),
    })
}

pub struct UnitView {
    pub name: String,
    pub depth: usize,
}

pub struct AgencyServiceView {
    pub href: String,
    pub name: String,
    pub time: String,
    pub fee: String,
}

#[derive(askama::Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    chrome: Chrome,
    name: String,
    government_name: String,
    maklumat: String,
    address: String,
    phone: String,
    email: String,
    units: Vec<UnitView>,
    services: Vec<AgencyServiceView>,
}

async fn agency(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(lang, &uri, AppError::NotFound);
    };
    let loaded: Result<_, StoreError> = async {
        let agency = org::agency(state.db.lagging(), id).await?;
        let government = org::government(state.db.lagging(), agency.government_id).await?;
        let units = org::units(state.db.lagging(), id).await?;
        let filter = ServiceFilter { agency_id: Some(id), ..Default::default() };
        let services =
            catalogue::search_services(state.db.lagging(), &filter, Paging::new(1, Paging::MAX_PER_PAGE)).await?;
        Ok((agency, government, units, services))
    }
    .await;
    let (agency, government, units, services) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    render(&AgencyPage {
        chrome: Chrome::new(lang, agency.name.clone(), &uri),
        units: units.iter().map(|u| UnitView { name: u.name.clone(), depth: org::unit_depth(u, &units) }).collect(),
        services: services
            .items
            .iter()
            .map(|s| AgencyServiceView {
                href: service_href(lang, s),
                name: lang.pick(&s.name, &s.name_en).to_owned(),
                time: working_days(lang, s.sla_days),
                fee: fee_text(lang, s.fee),
            })
            .collect(),
        name: agency.name,
        government_name: government.name,
        maklumat: agency.maklumat,
        address: agency.address,
        phone: agency.phone,
        email: agency.email,
    })
}
