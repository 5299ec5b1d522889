//! The administration's front page: each government the officer may see, its services and work.

use crate::AppState;
use crate::auth::Admin;
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, no_store, render};
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use balai_domain::identity::{Action, Target};
use balai_store::catalogue::{self, ServiceFilter};
use balai_store::org;
use balai_store::{Paging, StoreError};
use chrono::Utc;

/// The administration front page's fixed texts.
pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Kelola katalog layanan"
            / "Manage the service catalogue";
        SIGN_OUT = "Keluar"
            / "Sign out";
        SIGN_OUT_EVERYWHERE = "Keluar dari semua perangkat"
            / "Sign out on every device";
        NEW_SERVICE = "Tambah layanan"
            / "Add a service";
        SERVICE = "Layanan"
            / "Service";
        VERSION = "Versi"
            / "Version";
        EDIT = "Ubah"
            / "Edit";
        CALENDAR = "Kalender hari kerja"
            / "Working-day calendar";
        MAKLUMAT = "Maklumat pelayanan"
            / "Service pledge";
        OFFICERS = "Petugas"
            / "Officers";
        CASES = "Kasus saya"
            / "My cases";
        COUNTER = "Loket: verifikasi warga"
            / "Counter: verify a citizen";
        TEMPLATES = "Templat pesan"
            / "Message texts";
        OPEN311 = "Kunci API Open311"
            / "Open311 API keys";
        FORM = "Formulir"
            / "Form";
        COMPLAINTS = "Pengaduan masyarakat dan aturannya"
            / "Public complaints and their rules";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin", get(home)).route("/admin/katalog", get(dashboard))
}

// ---- dashboard ------------------------------------------------------------------------------

struct AdminServiceRow {
    name: String,
    code: String,
    agency: String,
    version: i64,
    public_href: String,
    edit_href: String,
    form_href: String,
}

struct AdminGovernment {
    region_code: String,
    name: String,
    calendar_href: String,
    /// The officer administration page, for those who may manage officers.
    officers_href: Option<String>,
    agencies: Vec<(i64, String)>,
    services: Vec<AdminServiceRow>,
}

#[derive(askama::Template)]
#[template(path = "admin_list.html")]
struct DashboardPage {
    chrome: Chrome,
    heading: &'static str,
    csrf: String,
    sign_out_label: &'static str,
    sign_out_everywhere_label: &'static str,
    new_label: &'static str,
    service_label: &'static str,
    version_label: &'static str,
    edit_label: &'static str,
    form_label: &'static str,
    calendar_label: &'static str,
    maklumat_label: &'static str,
    officers_label: &'static str,
    /// Staff who work cases see their work list first.
    cases_label: Option<&'static str>,
    /// Front-desk staff verify citizens at the counter.
    counter_label: Option<&'static str>,
    /// Deployment-wide admins edit the notification texts.
    templates_label: Option<&'static str>,
    /// Those who publish the complaint rules (and see the complaints).
    complaints_label: Option<&'static str>,
    open311_label: Option<&'static str>,
    governments: Vec<AdminGovernment>,
}

/// An officer's home is their work: the queue of their unit, what is due first. Those who work no
/// cases (administrators, auditors) land on the catalogue and its tools.
async fn home(State(state): State<AppState>, lang: RequestLang, uri: Uri, admin: Admin) -> Response {
    if admin.principal.role == balai_domain::identity::Role::Treasurer {
        return crate::pages::payments::treasury::treasurer_home(&state, lang.0, &uri, &admin).await;
    }
    if crate::pages::applications::works_cases(&admin) {
        return crate::pages::applications::queue_home(&state, lang.0, &uri, &admin, Default::default()).await;
    }
    dashboard(State(state), lang, uri, admin).await
}

async fn dashboard(State(state): State<AppState>, RequestLang(lang): RequestLang, uri: Uri, admin: Admin) -> Response {
    let loaded: Result<Vec<AdminGovernment>, StoreError> = async {
        let mut out = Vec::new();
        for g in org::governments(&state.db).await? {
            if !admin.manages(g.id) {
                continue;
            }
            let filter = ServiceFilter { region_code: Some(g.region_code.clone()), ..Default::default() };
            let mut services = Vec::new();
            let mut page = 1;
            loop {
                let found =
                    catalogue::search_services(state.db.lagging(), &filter, Paging::new(page, Paging::MAX_PER_PAGE))
                        .await?;
                let pages = found.pages();
                services.extend(found.items.into_iter().map(|s| AdminServiceRow {
                    public_href: format!("/layanan/{}/{}", s.region_code, s.code),
                    edit_href: format!("/admin/layanan/{}/{}/ubah", s.region_code, s.code),
                    form_href: format!("/admin/layanan/{}/{}/formulir", s.region_code, s.code),
                    name: s.name,
                    code: s.code,
                    agency: s.agency_name,
                    version: s.current_version,
                }));
                if page >= pages {
                    break;
                }
                page += 1;
            }
            let agencies =
                org::agencies(state.db.lagging(), Some(&g.region_code), Paging::new(1, Paging::MAX_PER_PAGE))
                    .await?
                    .items
                    .into_iter()
                    .map(|a| (a.id, a.name))
                    .collect();
            let this_year = g.zone().local_date(Utc::now()).format("%Y");
            out.push(AdminGovernment {
                calendar_href: format!("/admin/kalender/{}/{this_year}", g.region_code),
                officers_href: admin
                    .may(Action::ManageOfficers, &Target::government(g.id))
                    .then(|| format!("/admin/petugas/{}", g.region_code)),
                region_code: g.region_code,
                name: g.name,
                agencies,
                services,
            });
        }
        Ok(out)
    }
    .await;
    let governments = match loaded {
        Ok(g) => g,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let heading = texts::HEADING.get(lang);
    let mut chrome = Chrome::new(lang, heading, &uri);
    chrome.admin_name = Some(admin.display_name.clone());
    no_store(render(&DashboardPage {
        chrome,
        heading,
        csrf: admin.csrf_token.clone(),
        sign_out_label: texts::SIGN_OUT.get(lang),
        sign_out_everywhere_label: texts::SIGN_OUT_EVERYWHERE.get(lang),
        new_label: texts::NEW_SERVICE.get(lang),
        service_label: texts::SERVICE.get(lang),
        version_label: texts::VERSION.get(lang),
        edit_label: texts::EDIT.get(lang),
        form_label: texts::FORM.get(lang),
        calendar_label: texts::CALENDAR.get(lang),
        maklumat_label: texts::MAKLUMAT.get(lang),
        officers_label: texts::OFFICERS.get(lang),
        cases_label: admin.principal.role.is_agency_bound().then(|| texts::CASES.get(lang)),
        counter_label: admin
            .principal
            .government_id
            .is_some_and(|g| admin.may(Action::VerifyCitizenAtCounter, &Target::government(g)))
            .then(|| texts::COUNTER.get(lang)),
        templates_label: admin.may(Action::ManageTemplates, &Target::default()).then(|| texts::TEMPLATES.get(lang)),
        complaints_label: {
            let target = admin.principal.government_id.map(Target::government).unwrap_or_default();
            admin.may(Action::ManageComplaints, &target).then(|| texts::COMPLAINTS.get(lang))
        },
        open311_label: (admin.may(Action::ManageComplaints, &Target::default())
            || admin
                .principal
                .government_id
                .is_some_and(|g| admin.may(Action::ManageComplaints, &Target::government(g))))
        .then(|| texts::OPEN311.get(lang)),
        governments,
    }))
}
