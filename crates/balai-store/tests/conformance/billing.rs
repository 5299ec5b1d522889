//! What the payments and reconciliation suites share: a government that bills a service's fee, a
//! citizen who holds her family card, applications submitted for the fee, and gateway payments.

use crate::support::{Fixture, birth_certificate};
use balai_domain::Lang;
use balai_domain::Rupiah;
use balai_domain::nik::Nik;
use balai_domain::payments::Channel;
use balai_store::applications::{self, Application, DocumentChoice, DocumentSource};
use balai_store::audit::{self, Actor};
use balai_store::identity::Vault;
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::payments::{self, IncomingPayment, Invoice, PaymentSettings};
use balai_store::{Db, Tx, catalogue, query};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// The fee of the billed service.
pub const FEE: i64 = 50_000;

pub fn vault() -> Vault {
    Vault::from_master(&[7; 32])
}

/// `hour` WITA on `day` December 2026.
pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).unwrap() - Duration::hours(8)
}

/// A government's QRIS merchant as the regional treasury registered it.
pub fn merchant(government_id: i64) -> PaymentSettings {
    PaymentSettings {
        government_id,
        nmid: "ID2026537100013".into(),
        merchant_name: "BPKAD KOTA KUPANG".into(),
        merchant_city: "KUPANG".into(),
        postal_code: "85111".into(),
        mcc: "9399".into(),
        merchant_criteria: "UBE".into(),
        qris_expiry_minutes: 24 * 60,
        va_expiry_minutes: 3 * 24 * 60,
    }
}

/// The billed service and the citizen who applies for it.
pub struct Billing {
    pub citizen: i64,
    pub kk_on_file: i64,
}

/// In the fixture's government: working days for 2026–2027, the birth certificate with a fee of
/// [`FEE`], the QRIS merchant when `takes_payment` (else fees are paid at the counter), the service
/// paid first when `upfront`, and Maria with her family card on file.
pub async fn billing_in(tx: &mut Tx, f: &Fixture, takes_payment: bool, upfront: bool) -> Billing {
    let actor = Actor::system("test");
    for year in [2026, 2027] {
        balai_store::calendar::replace_year(tx, &actor, f.government.id, year, &[]).await.unwrap();
    }
    let mut standard = birth_certificate(f.front_desk.id, f.records.id);
    standard.fee = Rupiah(FEE);
    let service_id =
        catalogue::create_service(tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &actor).await.unwrap();
    if takes_payment {
        payments::put_settings_in(tx, &actor, &merchant(f.government.id), at(1, 8)).await.unwrap();
        if upfront {
            payments::set_upfront_in(tx, &actor, f.government.id, service_id).await.unwrap();
        }
    }
    let nik = Nik::parse("5371045203900003", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let new = NewCitizen { full_name: "Maria Yosefina Lado".into(), ..NewCitizen::default() };
    let citizen = citizens::create_citizen(tx, &actor, &vault(), &nik, &new).await.unwrap();
    let kk = HeldDocument {
        doc_type: "kk".into(),
        number: Some("5371010101010001".into()),
        issuer: "Disdukcapil".into(),
        issued_on: None,
    };
    citizens::hold_document(tx, &actor, &vault(), citizen, &kk).await.unwrap();
    let (kk_on_file,): (i64,) = tx
        .fetch_one(query("SELECT id FROM citizen_documents WHERE citizen_id = $1 AND doc_type = 'kk'").bind(citizen))
        .await
        .unwrap();
    Billing { citizen, kk_on_file }
}

/// Maria applies for the billed service with the idempotency key `key`; the case's id.
pub async fn apply(db: &Db, f: &Fixture, b: &Billing, key: &str) -> i64 {
    let fields = serde_json::Map::new();
    let key_name = format!("uploads/{}/{key}", f.government.id);
    let upload =
        applications::record_upload(db, b.citizen, f.government.id, &key_name, "image/jpeg", 1234, "ab", at(7, 8))
            .await
            .unwrap()
            .id;
    let documents = [
        DocumentChoice { code: "surat_keterangan".into(), source: DocumentSource::Upload(upload) },
        DocumentChoice { code: "kk".into(), source: DocumentSource::OnFile(b.kk_on_file) },
    ];
    let application = Application {
        government_id: f.government.id,
        service_code: "AKTA-LAHIR",
        fields: &fields,
        documents: &documents,
        idempotency_key: key,
        lang: Lang::Id,
    };
    applications::submit(db, &vault(), b.citizen, &application, at(7, 9)).await.unwrap().case_id
}

/// What a gateway reports: `amount` paid by QRIS for the invoice's bill at `when`.
pub fn gateway_payment<'a>(
    invoice: &'a Invoice,
    transaction_id: &'a str,
    amount: i64,
    when: DateTime<Utc>,
) -> IncomingPayment<'a> {
    IncomingPayment {
        source: "generic",
        transaction_id,
        bill_number: &invoice.bill_number,
        amount: Rupiah(amount),
        channel: Channel::Qris,
        paid_at: when,
        failed: false,
    }
}

pub async fn count(db: &Db, sql: &'static str) -> i64 {
    let (n,): (i64,) = db.fetch_one(query(sql)).await.unwrap();
    n
}

pub async fn audit_verifies(db: &Db) {
    if let Err(finding) = audit::verify(db, &[]).await.unwrap() {
        panic!("the audit log does not verify: {finding:?}");
    }
}
