use balai_domain::IndonesianTimeZone;
use balai_domain::catalogue::{DocumentType, ProcedureStep, Requirement, ServiceStandard};
use balai_domain::money::Rupiah;
use balai_domain::region::RegionCode;
use balai_store::audit::Actor;
use balai_store::catalogue;
use balai_store::org::{self, Agency, Government, NewAgency, Unit};
use balai_store::{Db, Pool, Tx};
use chrono::NaiveDate;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh, migrated database for one test. PostgreSQL databases are dropped when the test ends,
/// pass or fail.
pub struct TestDb {
    pub db: Db,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("balai.db").display());
        let db = Db::connect(&url).await.expect("sqlite opens");
        db.migrate().await.expect("sqlite migrates");
        TestDb { db, _dir: Some(dir), pg_drop: None }
    }

    pub async fn postgres() -> Option<TestDb> {
        let admin_url = std::env::var("BALAI_TEST_POSTGRES_URL").ok()?;
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name =
            format!("balai_test_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), rand_suffix());
        let admin = Db::connect(&admin_url).await.expect("PostgreSQL at BALAI_TEST_POSTGRES_URL answers");
        admin
            .execute(balai_store::dynamic_query(format!("CREATE DATABASE {name}")))
            .await
            .expect("create test database");
        admin.close().await;
        let url = with_database(&admin_url, &name);
        let db = Db::connect(&url).await.expect("test database opens");
        db.migrate().await.expect("postgres migrates");
        Some(TestDb { db, _dir: None, pg_drop: Some((admin_url, name)) })
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos() as u64).unwrap_or(0)
}

fn with_database(url: &str, name: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("valid URL");
    parsed.set_path(&format!("/{name}"));
    parsed.to_string()
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg_drop.take() else {
            return;
        };
        // Drop runs inside the test's (blocked) runtime, so the test's pool cannot be closed politely
        // here; a thread with its own runtime drops the database, forcing its connections closed.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                if let Ok(admin) = Db::connect(&admin_url).await {
                    let _ = admin
                        .execute(balai_store::dynamic_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .await;
                    admin.close().await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// A small government: one agency with two units (one nested), two categories.
pub struct Fixture {
    pub government: Government,
    pub agency: Agency,
    pub front_desk: Unit,
    pub records: Unit,
}

pub async fn fixture(db: &Db) -> Fixture {
    let mut tx = db.begin().await.unwrap();
    let f = fixture_in(&mut tx, "53.71", "disdukcapil").await;
    tx.commit().await.unwrap();
    f
}

pub async fn fixture_in(tx: &mut Tx, region: &str, agency_code: &str) -> Fixture {
    let government = org::create_government(
        tx,
        &Actor::system("test"),
        &RegionCode::parse(region).unwrap(),
        &format!("Pemerintah {region}"),
        IndonesianTimeZone::Wita,
    )
    .await
    .unwrap();
    catalogue::create_category(
        tx,
        &Actor::system("test"),
        government.id,
        "kependudukan",
        "Kependudukan",
        "Civil registration",
    )
    .await
    .unwrap();
    catalogue::create_category(tx, &Actor::system("test"), government.id, "perizinan", "Perizinan", "Permits")
        .await
        .unwrap();
    let agency = org::create_agency(
        tx,
        &Actor::system("test"),
        government.id,
        &NewAgency {
            code: agency_code.into(),
            name: "Dinas Kependudukan dan Pencatatan Sipil".into(),
            short_name: "Disdukcapil".into(),
            address: "Jl. Timor Raya, Kupang".into(),
            phone: "(0380) 123456".into(),
            email: "disdukcapil@example.go.id".into(),
            maklumat: "Kami sanggup melayani sesuai standar.".into(),
        },
    )
    .await
    .unwrap();
    let front_desk =
        org::create_unit(tx, &Actor::system("test"), &agency, None, &format!("{agency_code}-loket"), "Seksi Loket")
            .await
            .unwrap();
    let records = org::create_unit(
        tx,
        &Actor::system("test"),
        &agency,
        Some(front_desk.id),
        &format!("{agency_code}-arsip"),
        "Subseksi Arsip",
    )
    .await
    .unwrap();
    Fixture { government, agency, front_desk, records }
}

pub fn birth_certificate(unit_a: i64, unit_b: i64) -> ServiceStandard {
    ServiceStandard {
        name: "Penerbitan Akta Kelahiran".into(),
        name_en: "Birth certificate".into(),
        summary: "Akta kelahiran untuk bayi yang baru lahir.".into(),
        keywords: vec!["akta".into(), "lahir".into(), "bayi".into()],
        requirements: vec![
            Requirement {
                document: "Surat keterangan lahir".into(),
                doc_type: DocumentType::SuratKeterangan,
                held_by_government: false,
                note: "asli".into(),
            },
            Requirement {
                document: "Kartu Keluarga".into(),
                doc_type: DocumentType::Kk,
                held_by_government: true,
                note: String::new(),
            },
        ],
        steps: vec![
            ProcedureStep { description: "Verifikasi berkas".into(), unit_id: unit_a, sla_days: 2 },
            ProcedureStep { description: "Penerbitan akta".into(), unit_id: unit_b, sla_days: 3 },
        ],
        sla_days: 5,
        fee: Rupiah(0),
        fee_legal_basis: "UU 24/2013 Pasal 79A".into(),
        product: "Kutipan akta kelahiran".into(),
        complaint_handling: "SP4N-LAPOR!".into(),
        legal_basis: vec!["UU 23/2006".into(), "UU 24/2013".into()],
        facilities: "Loket dan ruang tunggu".into(),
        competence: "Operator terlatih".into(),
        internal_supervision: "Kepala bidang".into(),
        staff_count: 3,
        service_guarantee: "Tepat waktu".into(),
        security_guarantee: "Data aman".into(),
        performance_evaluation: "Tiap semester".into(),
        sk_number: "470/1/2025".into(),
        effective_date: NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
    }
}

/// A second pool of its own on the same database: to the database, another process.
pub async fn another_pool(db: &Db) -> Db {
    let pool = match db.pool() {
        Pool::Sqlite(pool) => Pool::Sqlite(
            sqlx::SqlitePool::connect_with((*pool.connect_options()).clone()).await.expect("a second SQLite pool"),
        ),
        Pool::Postgres(pool) => Pool::Postgres(
            sqlx::PgPool::connect_with((*pool.connect_options()).clone()).await.expect("a second PostgreSQL pool"),
        ),
    };
    Db::from(pool)
}

/// Issues documents without rendering one: a random public id and the number the product prints.
pub struct FakeIssuer;

impl balai_store::seed::DocumentIssuer for FakeIssuer {
    fn issue<'a>(
        &'a self,
        request: &'a balai_store::seed::DocumentRequest<'a>,
    ) -> balai_store::audit::BoxFuture<'a, Result<balai_store::applications::IssuedDocument, String>> {
        use balai_store::applications;
        Box::pin(async move {
            let file = request.file;
            let issued_on = request.government.zone().local_date(request.now);
            let id: String = format!("{:032x}", rand::random::<u128>()).chars().take(22).collect();
            let product = if file.product.is_empty() { file.public.service.clone() } else { file.product.clone() };
            Ok(applications::IssuedDocument {
                number: applications::document_number(&file.service_code, &file.public.tracking_number, issued_on),
                doc_type: applications::output_document_type(&product).code().to_owned(),
                product,
                issuer: request.agency.to_owned(),
                issued_on,
                sha256: "00".repeat(32),
                signature: "not-signed".into(),
                object_key: format!("uploads/{}/{id}", request.government.id),
                id,
            })
        })
    }
}
