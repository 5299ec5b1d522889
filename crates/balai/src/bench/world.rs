//! The data set a benchmark runs against: the demo's catalogue and complaint desks, one simple
//! service to apply for, a signed-in citizen per client, a signed-in officer, an Open311 key, and
//! as many generated cases as asked for.

use crate::RunError;
use crate::config::Config;
use balai_domain::identity::Assurance;
use balai_domain::nik::Nik;
use balai_store::audit::Actor;
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::{self, PrincipalKind, Vault};
use balai_store::{Db, catalogue, org, query, seed};
use chrono::{Duration, Utc};

/// The government every scenario works in (Kota Kupang in the demo seed).
pub const REGION: &str = "53.71";
/// The service citizens apply for: one required document, two steps, no fee, no form fields.
pub const SERVICE: &str = "BENCH-AKTA";
pub const DOCUMENT: &str = "surat_keterangan";
/// A published standard of the seeded catalogue, read by `service_read`.
pub const READ_SERVICE: &str = "AKTA-LAHIR";

#[derive(Clone, serde::Serialize)]
pub struct World {
    pub government_id: i64,
    /// `Cookie` header values, one signed-in citizen per client.
    pub citizen_cookies: Vec<String>,
    pub officer_cookie: String,
    pub officer_csrf: String,
    pub open311_key: String,
    /// An active complaint category of the government (also its Open311 service code).
    pub category: String,
}

pub async fn prepare(config: &Config, db: &Db, vault: &Vault, clients: usize) -> Result<World, RunError> {
    seed::seed_demo(db).await?;
    let government = org::government_by_region(db, REGION).await?;
    let actor = Actor::system("balai bench");
    let (agency_id,): (i64,) = db
        .fetch_one(
            query("SELECT id FROM agencies WHERE government_id = $1 AND code = 'disdukcapil'").bind(government.id),
        )
        .await?;
    let units: Vec<(i64,)> =
        db.fetch_all(query("SELECT id FROM units WHERE agency_id = $1 ORDER BY id LIMIT 2").bind(agency_id)).await?;
    let agency = org::agency(db, agency_id).await?;
    let mut tx = db.begin().await?;
    if catalogue::service_by_code(db, REGION, SERVICE).await.is_err() {
        let (first, last) = match units.as_slice() {
            [a, b, ..] => (a.0, b.0),
            [a] => (a.0, a.0),
            [] => return Err(RunError::Io("the demo agency disdukcapil has no units".into())),
        };
        catalogue::create_service(
            &mut tx,
            &agency,
            "kependudukan",
            SERVICE,
            &seed::bulk::birth_certificate_standard(first, last),
            &actor,
        )
        .await?;
    }
    // The names cookies travel under on a served (not demo) Balai, as `serve` chooses them.
    let cookies = crate::demo::cookie_security(config.secure_cookies, false);
    let now = Utc::now();
    let expires = now + Duration::hours(12);
    let today = now.date_naive();
    let mut citizen_cookies = Vec::with_capacity(clients);
    for i in 0..clients {
        // Kota Kupang district 537101, born 1 January 1990, serial i + 1 (clients are at most 999).
        let nik = Nik::parse(&format!("5371010101900{:03}", i + 1), today)
            .map_err(|e| RunError::Io(format!("bench NIK {i}: {e:?}")))?;
        let id = match citizens::citizen_id_by_nik(&mut tx, vault, &nik).await? {
            Some(id) => id,
            None => {
                let new = NewCitizen {
                    full_name: format!("Warga Uji {i}"),
                    birth_place: "Kupang".into(),
                    ..NewCitizen::default()
                };
                citizens::create_citizen(&mut tx, &actor, vault, &nik, &new).await?
            }
        };
        let token = balai_web::auth::random_token();
        identity::open_citizen_session(
            &mut tx,
            id,
            &balai_web::auth::token_hash(&token),
            &balai_web::auth::random_token(),
            expires,
            Assurance::Basic,
        )
        .await?;
        citizen_cookies.push(format!("{}={token}", cookies.name(balai_web::identity::CITIZEN_COOKIE)));
    }
    tx.commit().await?;
    let officer_id = crate::demo::ensure_demo_officer(db).await?;
    let (token, officer_csrf) = (balai_web::auth::random_token(), balai_web::auth::random_token());
    let mut tx = db.begin().await?;
    identity::open_session(
        &mut tx,
        PrincipalKind::Officer,
        officer_id,
        &balai_web::auth::token_hash(&token),
        &officer_csrf,
        expires,
    )
    .await?;
    tx.commit().await?;
    let open311_key = crate::open311::demo_key(config, db).await?;
    let (category,): (String,) = db
        .fetch_one(
            query(
                "SELECT code FROM complaint_categories WHERE government_id = $1 AND active = TRUE ORDER BY id LIMIT 1",
            )
            .bind(government.id),
        )
        .await?;
    Ok(World {
        government_id: government.id,
        citizen_cookies,
        officer_cookie: format!("{}={token}", cookies.name(balai_web::auth::SESSION_COOKIE)),
        officer_csrf,
        open311_key,
        category,
    })
}

/// Adds generated cases until the database holds `cases` of them.
pub async fn fill(db: &Db, government_id: i64, cases: i64, quiet: bool) -> Result<(), RunError> {
    let (have,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM cases")).await?;
    let missing = cases - have;
    if missing <= 0 {
        return Ok(());
    }
    let started = std::time::Instant::now();
    seed::bulk::add_public_reports(db, government_id, missing, |done| {
        if !quiet && missing >= 1_000_000 {
            eprintln!("  {done} of {missing} cases written ({:.0} s)", started.elapsed().as_secs_f64());
        }
    })
    .await?;
    Ok(())
}

/// The service whose fee the payment scenario settles: the bench service with a fee, invoiced at
/// submission.
pub const PAID_SERVICE: &str = "BENCH-RETRIBUSI";
pub const PAID_FEE: i64 = 25_000;

/// Opens `count` applications for the paid service through the store's own commands, each with its
/// invoice (and audit leaves), and returns their bill numbers: what a gateway will report paid.
pub async fn unpaid_bills(db: &Db, vault: &Vault, government_id: i64, count: usize) -> Result<Vec<String>, RunError> {
    use balai_store::applications::{self, Application, DocumentChoice, DocumentSource};
    let actor = Actor::system("balai bench");
    let (agency_id,): (i64,) = db
        .fetch_one(
            query("SELECT id FROM agencies WHERE government_id = $1 AND code = 'disdukcapil'").bind(government_id),
        )
        .await?;
    let units: Vec<(i64,)> =
        db.fetch_all(query("SELECT id FROM units WHERE agency_id = $1 ORDER BY id LIMIT 2").bind(agency_id)).await?;
    let (first, last) = match units.as_slice() {
        [a, b, ..] => (a.0, b.0),
        [a] => (a.0, a.0),
        [] => return Err(RunError::Io("the demo agency disdukcapil has no units".into())),
    };
    let agency = org::agency(db, agency_id).await?;
    let mut tx = db.begin().await?;
    let service_id = match catalogue::service_by_code(db, REGION, PAID_SERVICE).await {
        Ok(service) => service.service.id,
        Err(_) => {
            let mut standard = seed::bulk::birth_certificate_standard(first, last);
            standard.name = "Retribusi uji beban".into();
            standard.fee = balai_domain::Rupiah(PAID_FEE);
            standard.fee_legal_basis = "Perda Kota Kupang tentang Pajak dan Retribusi Daerah".into();
            // A document the government holds, so thousands of applications need no upload.
            standard.requirements = vec![balai_domain::catalogue::Requirement {
                document: "Kartu Keluarga".into(),
                doc_type: balai_domain::catalogue::DocumentType::Kk,
                held_by_government: true,
                note: String::new(),
            }];
            catalogue::create_service(&mut tx, &agency, "kependudukan", PAID_SERVICE, &standard, &actor).await?
        }
    };
    balai_store::payments::set_upfront_in(&mut tx, &actor, government_id, service_id).await?;
    let nik = Nik::parse("5371010101909999", Utc::now().date_naive())
        .map_err(|e| RunError::Io(format!("bench payer NIK: {e:?}")))?;
    let payer = match citizens::citizen_id_by_nik(&mut tx, vault, &nik).await? {
        Some(id) => id,
        None => {
            let new = NewCitizen { full_name: "Pembayar Uji".into(), ..NewCitizen::default() };
            let id = citizens::create_citizen(&mut tx, &actor, vault, &nik, &new).await?;
            let kk = citizens::HeldDocument {
                doc_type: "kk".into(),
                number: Some("5371010101090001".into()),
                issuer: "Disdukcapil Kota Kupang".into(),
                issued_on: None,
            };
            citizens::hold_document(&mut tx, &actor, vault, id, &kk).await?;
            id
        }
    };
    let (kk,): (i64,) = tx
        .fetch_one(query("SELECT id FROM citizen_documents WHERE citizen_id = $1 AND doc_type = 'kk'").bind(payer))
        .await?;
    tx.commit().await?;
    let run: u32 = rand::random();
    let fields = serde_json::Map::new();
    let mut bills = Vec::with_capacity(count);
    for i in 0..count {
        let now = Utc::now();
        let key = format!("bench-bill/{run}/{i}");
        let documents = [DocumentChoice { code: "kk".into(), source: DocumentSource::OnFile(kk) }];
        let application = Application {
            government_id,
            service_code: PAID_SERVICE,
            fields: &fields,
            documents: &documents,
            idempotency_key: &key,
            lang: balai_domain::Lang::Id,
        };
        let submitted = applications::submit(db, vault, payer, &application, now).await?;
        let invoice = balai_store::payments::latest_invoice_of_case(db, submitted.case_id)
            .await?
            .ok_or_else(|| RunError::Io("a bench application with a fee got no invoice".into()))?;
        bills.push(invoice.bill_number);
    }
    Ok(bills)
}
