//! The demo's non-cash payment: each demo government's QRIS merchant (the regional treasury) and
//! one service per government paid at submission. The NMIDs are illustrative and belong to no one.

use crate::audit::Actor;
use crate::payments::{self, PaymentSettings};
use crate::{StoreError, Tx, query};
use chrono::{DateTime, Utc};

struct DemoMerchant {
    region_code: &'static str,
    nmid: &'static str,
    merchant_name: &'static str,
    merchant_city: &'static str,
    postal_code: &'static str,
    /// Paid before the work starts (invoiced at submission).
    upfront: &'static str,
}

const MERCHANTS: [DemoMerchant; 2] = [
    DemoMerchant {
        region_code: "53",
        nmid: "ID2026530000017",
        merchant_name: "BAPENDA PROV NTT",
        merchant_city: "KUPANG",
        postal_code: "85111",
        upfront: "STNK-5-TAHUN",
    },
    DemoMerchant {
        region_code: "53.71",
        nmid: "ID2026537100013",
        merchant_name: "BPKAD KOTA KUPANG",
        merchant_city: "KUPANG",
        postal_code: "85111",
        upfront: "UJI-KIR",
    },
];

/// Seeds the demo governments' payment facts, in the seed's transaction, before any application.
pub(crate) async fn seed_in(tx: &mut Tx, now: DateTime<Utc>) -> Result<(), StoreError> {
    let actor = Actor::system("seed");
    for m in &MERCHANTS {
        let found: Option<(i64,)> =
            tx.fetch_optional(query("SELECT id FROM governments WHERE region_code = $1").bind(m.region_code)).await?;
        let Some((government_id,)) = found else { continue };
        let settings = PaymentSettings {
            government_id,
            nmid: m.nmid.into(),
            merchant_name: m.merchant_name.into(),
            merchant_city: m.merchant_city.into(),
            postal_code: m.postal_code.into(),
            mcc: "9399".into(),
            merchant_criteria: "UBE".into(),
            qris_expiry_minutes: balai_domain::payments::DEFAULT_QRIS_EXPIRY_MINUTES,
            va_expiry_minutes: balai_domain::payments::DEFAULT_VA_EXPIRY_MINUTES,
        };
        payments::put_settings_in(tx, &actor, &settings, now).await?;
        let service: Option<(i64,)> = tx
            .fetch_optional(
                query("SELECT id FROM services WHERE government_id = $1 AND code = $2")
                    .bind(government_id)
                    .bind(m.upfront),
            )
            .await?;
        if let Some((service_id,)) = service {
            payments::set_upfront_in(tx, &actor, government_id, service_id).await?;
        }
    }
    Ok(())
}
