//! Open311 client keys, managed by a government's administrator: the clients they may manage, a new
//! key (shown once, kept only as its hash) and revoking one.

use super::{Chrome, error_page, no_store, render};
use crate::AppState;
use crate::auth::Admin;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::posted::OfficerPost;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use balai_domain::Lang;
use balai_domain::identity::{Action, Target};
use balai_store::StoreError;
use balai_store::complaints::open311::{self, Client};
use balai_store::org::{self, Government};
use serde::Deserialize;

/// The page's fixed texts.
pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Kunci API Open311"
            / "Open311 API keys";
        INTRO = "Aplikasi lain (mis. aplikasi warga) mengirim laporan lewat API Open311 GeoReport v2 dengan kunci ini. Kunci hanya ditampilkan sekali saat dibuat."
            / "Other applications (a citizens' app, say) file reports through the Open311 GeoReport v2 API with these keys. A key is shown only once, when it is made.";
        NAME = "Nama aplikasi"
            / "Application name";
        GOVERNMENT = "Pemerintah"
            / "Government";
        EVERY_GOVERNMENT = "Semua pemerintah"
            / "Every government";
        CREATED = "Dibuat"
            / "Created";
        STATE = "Status"
            / "Status";
        ACTIVE = "Aktif"
            / "Active";
        REVOKED = "Dicabut"
            / "Revoked";
        REVOKE = "Cabut kunci"
            / "Revoke the key";
        NONE = "Belum ada kunci."
            / "No keys yet.";
        NEW_HEADING = "Kunci baru"
            / "New key";
        CREATE = "Buat kunci"
            / "Make a key";
        KEY_SHOWN_ONCE = "Salin kunci ini sekarang: kunci tidak akan ditampilkan lagi."
            / "Copy this key now: it will not be shown again.";
        REVOKED_NOTICE = "Kunci dicabut."
            / "Key revoked.";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/open311", get(show).post(create)).route("/admin/open311/{id}/cabut", post(revoke))
}

struct ClientRow {
    id: i64,
    name: String,
    government: String,
    created: String,
    active: bool,
}

struct GovernmentChoice {
    value: String,
    name: String,
}

#[derive(askama::Template)]
#[template(path = "admin_open311.html")]
struct KeysPage {
    chrome: Chrome,
    intro: &'static str,
    csrf: String,
    clients: Vec<ClientRow>,
    governments: Vec<GovernmentChoice>,
    new_key: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
    name: String,
    name_label: &'static str,
    government_label: &'static str,
    created_label: &'static str,
    state_label: &'static str,
    active_label: &'static str,
    revoked_label: &'static str,
    revoke_label: &'static str,
    none_label: &'static str,
    new_heading: &'static str,
    create_label: &'static str,
    key_shown_once: &'static str,
}

fn may_manage(admin: &Admin, government_id: Option<i64>) -> bool {
    let target = government_id.map(Target::government).unwrap_or_default();
    admin.may(Action::ManageComplaints, &target)
}

/// Whether this officer may manage any client key at all.
fn manages_keys(admin: &Admin) -> bool {
    admin.principal.role == balai_domain::identity::Role::GovernmentAdmin
        && (admin.principal.government_id.is_none() || may_manage(admin, admin.principal.government_id))
}

struct Shown {
    new_key: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
    name: String,
}

async fn page(state: &AppState, lang: Lang, uri: &Uri, admin: &Admin, shown: Shown) -> Response {
    let loaded = async {
        let governments = org::governments(&state.db).await?;
        let clients = open311::list(&state.db).await?;
        Ok::<(Vec<Government>, Vec<Client>), StoreError>((governments, clients))
    }
    .await;
    let (governments, clients) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(lang, uri, e.into()),
    };
    let name_of = |id: Option<i64>| match id {
        None => texts::EVERY_GOVERNMENT.get(lang).to_owned(),
        Some(id) => governments.iter().find(|g| g.id == id).map(|g| g.name.clone()).unwrap_or_default(),
    };
    let rows = clients
        .iter()
        .filter(|c| may_manage(admin, c.government_id))
        .map(|c| {
            let zone = c.government_id.and_then(|id| governments.iter().find(|g| g.id == id)).map(Government::zone);
            let zone = zone.unwrap_or(balai_domain::calendar::IndonesianTimeZone::Wib);
            ClientRow {
                id: c.id,
                name: c.name.clone(),
                government: name_of(c.government_id),
                created: format!(
                    "{} {}",
                    c.created_at.with_timezone(&zone.offset()).format("%Y-%m-%d %H:%M"),
                    zone.code()
                ),
                active: c.revoked_at.is_none(),
            }
        })
        .collect();
    let mut choices: Vec<GovernmentChoice> = governments
        .iter()
        .filter(|g| may_manage(admin, Some(g.id)))
        .map(|g| GovernmentChoice { value: g.region_code.clone(), name: g.name.clone() })
        .collect();
    if may_manage(admin, None) {
        choices.push(GovernmentChoice { value: String::new(), name: texts::EVERY_GOVERNMENT.get(lang).to_owned() });
    }
    let mut chrome = Chrome::new(lang, texts::HEADING.get(lang), uri);
    chrome.admin_name = Some(admin.display_name.clone());
    let status = if shown.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = KeysPage {
        chrome,
        intro: texts::INTRO.get(lang),
        csrf: admin.csrf_token.clone(),
        clients: rows,
        governments: choices,
        new_key: shown.new_key,
        notice: shown.notice,
        error: shown.error,
        name: shown.name,
        name_label: texts::NAME.get(lang),
        government_label: texts::GOVERNMENT.get(lang),
        created_label: texts::CREATED.get(lang),
        state_label: texts::STATE.get(lang),
        active_label: texts::ACTIVE.get(lang),
        revoked_label: texts::REVOKED.get(lang),
        revoke_label: texts::REVOKE.get(lang),
        none_label: texts::NONE.get(lang),
        new_heading: texts::NEW_HEADING.get(lang),
        create_label: texts::CREATE.get(lang),
        key_shown_once: texts::KEY_SHOWN_ONCE.get(lang),
    };
    no_store((status, render(&page)).into_response())
}

#[derive(Deserialize)]
struct ShownQuery {
    dicabut: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    admin: Admin,
    axum::extract::Query(q): axum::extract::Query<ShownQuery>,
) -> Response {
    if !manages_keys(&admin) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let notice = q.dicabut.is_some().then(|| texts::REVOKED_NOTICE.get(lang));
    page(&state, lang, &uri, &admin, Shown { new_key: None, notice, error: None, name: String::new() }).await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    /// A region code; empty: every government (a deployment-wide administrator only).
    #[serde(default)]
    government: String,
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
}

crate::posted::csrf_form!(CreateForm, RevokeForm);

async fn create(
    State(state): State<AppState>,
    OfficerPost { admin, lang, uri, form }: OfficerPost<CreateForm>,
) -> Response {
    if !manages_keys(&admin) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let government_id = match form.government.trim() {
        "" => None,
        region => match org::government_by_region(&state.db, region).await {
            Ok(g) => Some(g.id),
            Err(e) => return error_page(lang, &uri, e.into()),
        },
    };
    let now = state.config.clock.now();
    match open311::create_client_as_officer(&state.db, admin.admin_id, government_id, &form.name, now).await {
        Ok((client, key)) => {
            tracing::info!(admin_id = admin.admin_id, client_id = client.id, "open311 client key made");
            let shown = Shown { new_key: Some(key), notice: None, error: None, name: String::new() };
            page(&state, lang, &uri, &admin, shown).await
        }
        Err(StoreError::Invalid(errors)) => {
            let message = errors
                .0
                .first()
                .map(|e| format!("{}: {}", texts::NAME.get(lang), e.rule.message(lang)))
                .unwrap_or_default();
            let shown = Shown { new_key: None, notice: None, error: Some(message), name: form.name };
            page(&state, lang, &uri, &admin, shown).await
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    OfficerPost { admin, lang, uri, form: _ }: OfficerPost<RevokeForm>,
) -> Response {
    if !manages_keys(&admin) {
        return error_page(lang, &uri, AppError::Forbidden);
    }
    let Ok(id) = id.parse::<i64>() else { return error_page(lang, &uri, AppError::NotFound) };
    match open311::revoke_as_officer(&state.db, admin.admin_id, id, state.config.clock.now()).await {
        Ok(()) => {
            tracing::info!(admin_id = admin.admin_id, client_id = id, "open311 client key revoked");
            Redirect::to("/admin/open311?dicabut=1").into_response()
        }
        Err(e) => error_page(lang, &uri, e.into()),
    }
}
