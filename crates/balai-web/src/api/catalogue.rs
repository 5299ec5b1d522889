//! Catalogue API: services with their full standard, agencies with their units.

use super::answers;
use super::positive;
use crate::AppState;
use crate::error::Expected;
use crate::error::{ApiError, AppError};
use crate::i18n::RequestLang;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use balai_domain::money::Rupiah;
use balai_store::catalogue::{self, ServiceFilter, ServiceSummary};
use balai_store::{Page, Paging, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route("/v1/services", get(list_services))
        .route("/v1/services/{code}", get(get_service))
        .route("/v1/agencies", get(list_agencies))
        .route("/v1/agencies/{id}", get(get_agency))
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(Debug, Deserialize, IntoParams)]
pub struct ServiceQuery {
    /// Region code of the government, e.g. `53.71`. All governments when absent.
    government: Option<String>,
    /// Words that must all appear in the service's name, English name or keywords.
    q: Option<String>,
    /// Category code, e.g. `kependudukan`.
    category: Option<String>,
    /// Agency id.
    #[param(required = false, value_type = i64, minimum = 1)]
    agency: Option<String>,
    /// Page number, from 1.
    #[param(required = false, value_type = i64, minimum = 1, maximum = 10000, default = 1)]
    page: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(required = false, value_type = i64, minimum = 1, maximum = 100, default = 20)]
    per_page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceItem {
    code: String,
    government: String,
    government_name: String,
    agency_id: i64,
    agency_name: String,
    category: String,
    name: String,
    name_en: String,
    summary: String,
    /// Completion time in working days (hari kerja).
    sla_days: i64,
    /// Fee in whole rupiah.
    fee: i64,
    /// The fee as shown to people, e.g. `Rp1.250.000`.
    fee_display: String,
    version: i64,
    href: String,
}

impl From<ServiceSummary> for ServiceItem {
    fn from(s: ServiceSummary) -> Self {
        ServiceItem {
            href: format!("/api/v1/services/{}?government={}", s.code, s.region_code),
            fee_display: Rupiah(s.fee).to_string(),
            code: s.code,
            government: s.region_code,
            government_name: s.government_name,
            agency_id: s.agency_id,
            agency_name: s.agency_name,
            category: s.category_code,
            name: s.name,
            name_en: s.name_en,
            summary: s.summary,
            sla_days: s.sla_days,
            fee: s.fee,
            version: s.current_version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageOf<T> {
    items: Vec<T>,
    page: i64,
    per_page: i64,
    total: i64,
}

fn page_of<S, T: From<S>>(page: Page<S>) -> PageOf<T> {
    PageOf {
        items: page.items.into_iter().map(T::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }
}

fn paging(page: Option<&str>, per_page: Option<&str>) -> Result<Paging, AppError> {
    let page = super::page_number(page)?;
    let per_page = positive(per_page, "per_page", 20)?;
    if per_page > Paging::MAX_PER_PAGE {
        return Err(AppError::BadParameter { param: "per_page", expected: Expected::AtMost100 });
    }
    Ok(Paging::new(page, per_page))
}

/// Searches the current versions of services.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalogue", params(ServiceQuery),
    responses((status = 200, body = PageOf<ServiceItem>), (status = 400, response = answers::BadRequest)))]
pub async fn list_services(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<ServiceQuery>,
) -> ApiResult<PageOf<ServiceItem>> {
    let fail = |e: AppError| ApiError(e, lang);
    let paging = paging(q.page.as_deref(), q.per_page.as_deref()).map_err(fail)?;
    let agency_id = match q.agency.as_deref() {
        None | Some("") => None,
        Some(_) => Some(positive(q.agency.as_deref(), "agency", 1).map_err(fail)?),
    };
    let filter = ServiceFilter {
        region_code: q.government.filter(|g| !g.is_empty()),
        text: q.q.filter(|t| !t.trim().is_empty()),
        category_code: q.category.filter(|c| !c.is_empty()),
        agency_id,
    };
    let found = catalogue::search_services(state.db.lagging(), &filter, paging).await.map_err(|e| fail(e.into()))?;
    Ok(Json(page_of(found)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ServiceDetailQuery {
    /// Region code of the government; defaults to the deployment's home government.
    government: Option<String>,
    /// A past version number; the version in force when absent.
    #[param(required = false, value_type = i64, minimum = 1)]
    version: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequirementItem {
    document: String,
    doc_type: String,
    held_by_government: bool,
    note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepItem {
    description: String,
    unit_id: i64,
    unit_name: String,
    sla_days: i64,
}

/// A service's Standar Pelayanan: the six public components and the eight internal ones.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceStandardDoc {
    #[serde(flatten)]
    service: ServiceItem,
    /// The version shown here (may be older than `current_version`).
    shown_version: i64,
    current_version: i64,
    keywords: Vec<String>,
    requirements: Vec<RequirementItem>,
    steps: Vec<StepItem>,
    fee_legal_basis: String,
    product: String,
    complaint_handling: String,
    legal_basis: Vec<String>,
    facilities: String,
    competence: String,
    internal_supervision: String,
    staff_count: i64,
    service_guarantee: String,
    security_guarantee: String,
    performance_evaluation: String,
    sk_number: String,
    effective_date: String,
}

/// One service's full standard, by code within a government.
#[utoipa::path(get, path = "/api/v1/services/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "Service code, e.g. AKTA-LAHIR"), ServiceDetailQuery),
    responses((status = 200, body = ServiceStandardDoc),
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound)))]
pub async fn get_service(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Path(code): Path<String>,
    Query(q): Query<ServiceDetailQuery>,
) -> ApiResult<ServiceStandardDoc> {
    let fail = |e: AppError| ApiError(e, lang);
    let region = match q.government.filter(|g| !g.is_empty()).or_else(|| state.config.default_region.clone()) {
        Some(r) => r,
        None => {
            return Err(fail(AppError::BadParameter { param: "government", expected: Expected::RegionCode }));
        }
    };
    let detail = match q.version.as_deref() {
        None | Some("") => catalogue::service_by_code(state.db.lagging(), &region, &code).await,
        Some(_) => {
            let version = positive(q.version.as_deref(), "version", 1).map_err(fail)?;
            catalogue::service_version(state.db.lagging(), &region, &code, version).await
        }
    }
    .map_err(|e| fail(e.into()))?;
    let s = detail.standard;
    let current_version = detail.service.current_version;
    Ok(Json(ServiceStandardDoc {
        service: detail.service.into(),
        shown_version: detail.version.version,
        current_version,
        keywords: s.keywords,
        requirements: s
            .requirements
            .into_iter()
            .map(|r| RequirementItem {
                document: r.document,
                doc_type: r.doc_type.code().to_owned(),
                held_by_government: r.held_by_government,
                note: r.note,
            })
            .collect(),
        steps: s
            .steps
            .into_iter()
            .zip(detail.step_unit_names)
            .map(|(st, unit_name)| StepItem {
                description: st.description,
                unit_id: st.unit_id,
                unit_name,
                sla_days: st.sla_days,
            })
            .collect(),
        fee_legal_basis: s.fee_legal_basis,
        product: s.product,
        complaint_handling: s.complaint_handling,
        legal_basis: s.legal_basis,
        facilities: s.facilities,
        competence: s.competence,
        internal_supervision: s.internal_supervision,
        staff_count: s.staff_count,
        service_guarantee: s.service_guarantee,
        security_guarantee: s.security_guarantee,
        performance_evaluation: s.performance_evaluation,
        sk_number: s.sk_number,
        effective_date: s.effective_date.to_string(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AgencyQuery {
    /// Region code of the government, e.g. `53.71`. All governments when absent.
    government: Option<String>,
    /// Page number, from 1.
    #[param(required = false, value_type = i64, minimum = 1, maximum = 10000, default = 1)]
    page: Option<String>,
    /// Items per page, 1–100 (default 20).
    #[param(required = false, value_type = i64, minimum = 1, maximum = 100, default = 20)]
    per_page: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyItem {
    id: i64,
    government_id: i64,
    code: String,
    name: String,
    short_name: String,
    address: String,
    phone: String,
    email: String,
    maklumat: String,
    href: String,
}

impl From<org::Agency> for AgencyItem {
    fn from(a: org::Agency) -> Self {
        AgencyItem {
            href: format!("/api/v1/agencies/{}", a.id),
            id: a.id,
            government_id: a.government_id,
            code: a.code,
            name: a.name,
            short_name: a.short_name,
            address: a.address,
            phone: a.phone,
            email: a.email,
            maklumat: a.maklumat,
        }
    }
}

/// Agencies (OPD), by government.
#[utoipa::path(get, path = "/api/v1/agencies", tag = "catalogue", params(AgencyQuery),
    responses((status = 200, body = PageOf<AgencyItem>), (status = 400, response = answers::BadRequest)))]
pub async fn list_agencies(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Query(q): Query<AgencyQuery>,
) -> ApiResult<PageOf<AgencyItem>> {
    let fail = |e: AppError| ApiError(e, lang);
    let paging = paging(q.page.as_deref(), q.per_page.as_deref()).map_err(fail)?;
    let region = q.government.filter(|g| !g.is_empty());
    let found = org::agencies(state.db.lagging(), region.as_deref(), paging).await.map_err(|e| fail(e.into()))?;
    Ok(Json(page_of(found)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitItem {
    id: i64,
    parent_id: Option<i64>,
    code: String,
    name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDoc {
    #[serde(flatten)]
    agency: AgencyItem,
    units: Vec<UnitItem>,
    services: Vec<ServiceItem>,
}

/// One agency with its unit tree and services.
#[utoipa::path(get, path = "/api/v1/agencies/{id}", tag = "catalogue",
    params(("id" = i64, Path, minimum = 1, description = "Agency id")),
    responses((status = 200, body = AgencyDoc),
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound)))]
pub async fn get_agency(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Path(id): Path<String>,
) -> ApiResult<AgencyDoc> {
    let fail = |e: AppError| ApiError(e, lang);
    let id = positive(Some(&id), "id", 1).map_err(fail)?;
    let agency = org::agency(state.db.lagging(), id).await.map_err(|e| fail(e.into()))?;
    let units = org::units(state.db.lagging(), id).await.map_err(|e| fail(e.into()))?;
    let filter = ServiceFilter { agency_id: Some(id), ..Default::default() };
    let services = catalogue::search_services(state.db.lagging(), &filter, Paging::new(1, Paging::MAX_PER_PAGE))
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(Json(AgencyDoc {
        agency: agency.into(),
        units: units
            .into_iter()
            .map(|u| UnitItem { id: u.id, parent_id: u.parent_id, code: u.code, name: u.name })
            .collect(),
        services: services.items.into_iter().map(ServiceItem::from).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use balai_domain::catalogue::StandardField;
    use std::collections::BTreeSet;
    use utoipa::PartialSchema;

    fn property_names(schema: &serde_json::Value, names: &mut BTreeSet<String>) {
        match schema {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                    names.extend(properties.keys().cloned());
                }
                map.values().for_each(|v| property_names(v, names));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| property_names(v, names)),
            _ => {}
        }
    }

    #[test]
    fn the_service_document_carries_every_field_of_the_standard() {
        // The schema is derived from the same serde struct the JSON is, so this holds for both.
        let mut names = BTreeSet::new();
        property_names(&serde_json::to_value(ServiceStandardDoc::schema()).unwrap(), &mut names);
        property_names(&serde_json::to_value(ServiceItem::schema()).unwrap(), &mut names);
        assert!(!names.contains("no_such_field"));
        for field in StandardField::ALL {
            assert!(names.contains(field.key()), "the service document has no {}", field.key());
        }
    }
}
