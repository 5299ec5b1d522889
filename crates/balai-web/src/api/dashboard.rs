//! Dashboard API: the public panels as JSON, read from the aggregates through the lagging door.

use super::answers;
use crate::AppState;
use crate::error::{ApiError, AppError, Expected, Refusal};
use crate::i18n::RequestLang;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use balai_domain::Lang;
use balai_domain::dashboard::{DashboardFilter, FilterInput, Panel};
use balai_domain::surveys::Weighting;
use balai_domain::validation::FieldErrors;
use balai_store::{StoreError, dashboard, org};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/dashboard/{panel}", get(panel))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DashboardQuery {
    /// Region code of the government, e.g. `53.71`; the deployment's home government when absent.
    pub government: Option<String>,
    /// Agency code; every agency when absent.
    pub agency: Option<String>,
    /// Service code; every service when absent.
    pub service: Option<String>,
    /// First day of the period (`YYYY-MM-DD`, the government's local date); 30 days before `to` when absent.
    #[param(required = false, value_type = String, format = Date)]
    pub from: Option<String>,
    /// Last day of the period, included (`YYYY-MM-DD`); today when absent. At most three years after `from`.
    #[param(required = false, value_type = String, format = Date)]
    pub to: Option<String>,
}

/// A panel's figures. Rates are in tenths of a percent, averages in tenths of a working day, so
/// every number is an exact integer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PanelDoc {
    /// `overview`, `applications`, `complaints`, `trend`, `ranking`, `map` or `satisfaction` (SKM per unit).
    pub panel: String,
    pub government: String,
    pub from: String,
    pub to: String,
    /// The panel's data (its shape is the panel's).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// The filter's problems as a 400 naming the first parameter at fault.
pub(crate) fn filter_refusal(errors: &FieldErrors, lang: Lang) -> AppError {
    let first = errors.0.first();
    let param: &'static str = match first.map(|e| e.field.as_str()) {
        Some("from") => "from",
        Some("to") => "to",
        Some("service") => "service",
        _ => "agency",
    };
    if matches!(param, "from" | "to") {
        return AppError::BadParameter { param, expected: Expected::Date };
    }
    AppError::from(Refusal {
        status: StatusCode::BAD_REQUEST,
        problem_type: "/problems/bad-parameter",
        title: "Bad parameter",
        field: Some(param),
        rule: "unknown",
        message: first.map(|e| e.rule.message(lang)).unwrap_or_default(),
        retry_after: None,
        attempts_left: None,
    })
}

/// Reads the government and the filter of a dashboard request.
pub(crate) async fn read_scope(
    state: &AppState,
    lang: Lang,
    q: &DashboardQuery,
) -> Result<(org::Government, dashboard::Scope, chrono::NaiveDate), AppError> {
    let region = q
        .government
        .clone()
        .filter(|g| !g.is_empty())
        .or_else(|| state.config.default_region.clone())
        .ok_or(AppError::BadParameter { param: "government", expected: Expected::RegionCode })?;
    let db = state.db.lagging();
    let government = match org::government_by_region(db, &region).await {
        Ok(g) => g,
        Err(StoreError::NotFound) => {
            return Err(AppError::BadParameter { param: "government", expected: Expected::RegionCode });
        }
        Err(e) => return Err(e.into()),
    };
    let today = government.zone().local_date(state.config.clock.now());
    let input = FilterInput {
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        agency: q.agency.as_deref(),
        service: q.service.as_deref(),
    };
    let filter = DashboardFilter::parse(input, today).map_err(|e| filter_refusal(&e, lang))?;
    let scope = match dashboard::scope(db, government.id, &filter).await {
        Ok(scope) => scope,
        Err(StoreError::Invalid(e)) => return Err(filter_refusal(&e, lang)),
        Err(e) => return Err(e.into()),
    };
    Ok((government, scope, today))
}

/// One panel's data as JSON.
pub(crate) async fn panel_data(
    state: &AppState,
    panel: Panel,
    scope: &dashboard::Scope,
    today: chrono::NaiveDate,
) -> Result<serde_json::Value, StoreError> {
    let db = state.db.lagging();
    let value = match panel {
        Panel::Overview => serde_json::to_value(dashboard::overview(db, scope, today).await?),
        Panel::Applications => serde_json::to_value(dashboard::applications(db, scope, today).await?),
        Panel::Complaints => serde_json::to_value(dashboard::complaints(db, scope, today).await?),
        Panel::Trend => serde_json::to_value(dashboard::trend(db, scope).await?),
        Panel::Ranking => {
            let rows = dashboard::ranking(db, scope).await?;
            serde_json::to_value(
                rows.iter()
                    .map(|r| {
                        serde_json::json!({
                            "agency": r.code,
                            "name": r.name,
                            "received": r.received,
                            "closed": r.closed,
                            "closed_on_time": r.closed_on_time,
                            "sla_compliance_permille": r.compliance_permille(),
                        })
                    })
                    .collect::<Vec<_>>(),
            )
        }
        Panel::Map => serde_json::to_value(dashboard::map(db, scope).await?),
        Panel::Satisfaction => serde_json::to_value(
            dashboard::satisfaction(db, scope).await?.iter().map(satisfaction_line).collect::<Vec<_>>(),
        ),
    };
    value.map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// One unit's SKM result as the API gives it: the IKM (standard weighting) exact to two decimals
/// as text and in hundredths, its grade, and the respondents it stands on.
pub(crate) fn satisfaction_line(unit: &dashboard::UnitSatisfaction) -> serde_json::Value {
    let index = unit.tally.index(Weighting::Standard);
    serde_json::json!({
        "agency": unit.agency_code,
        "agency_name": unit.agency_name,
        "unit": unit.unit_code,
        "unit_name": unit.unit_name,
        "respondents": unit.tally.respondents,
        "ikm": index.map(|i| i.ikm.fixed2()),
        "ikm_hundredths": index.map(|i| i.ikm.hundredths() as u64),
        "grade": index.map(|i| i.grade.letter()),
    })
}

/// A dashboard panel: aggregates only, no personal data.
#[utoipa::path(get, path = "/api/v1/dashboard/{panel}", tag = "dashboard",
    params(("panel" = String, Path, description = "overview, applications, complaints, trend, ranking, map or satisfaction"), DashboardQuery),
    responses((status = 200, body = PanelDoc),
        (status = 400, response = answers::BadRequest),
        (status = 404, response = answers::NotFound)))]
pub async fn panel(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    Path(panel): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<PanelDoc>, ApiError> {
    let fail = |e: AppError| ApiError(e, lang);
    let panel = Panel::parse(&panel).ok_or_else(|| fail(AppError::NotFound))?;
    let (government, scope, today) = read_scope(&state, lang, &q).await.map_err(fail)?;
    let data = panel_data(&state, panel, &scope, today).await.map_err(|e| fail(e.into()))?;
    Ok(Json(PanelDoc {
        panel: panel.code().to_owned(),
        government: government.region_code,
        from: scope.period.from.to_string(),
        to: scope.period.to.to_string(),
        data,
    }))
}
