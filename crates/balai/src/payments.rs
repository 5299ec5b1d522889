//! `balai payments merchant` and `balai payments upfront`: a government's non-cash payment set up by
//! an operator (its QRIS merchant as the regional treasury registered it, and the services paid first).

use crate::RunError;
use crate::config::Config;
use balai_store::audit::Actor;
use balai_store::payments::{self, PaymentSettings};
use balai_store::{Db, StoreError, org};

/// The merchant a government's QR codes name.
pub struct MerchantArgs<'a> {
    pub government: &'a str,
    pub nmid: &'a str,
    pub name: &'a str,
    pub city: &'a str,
    pub postal_code: &'a str,
    pub mcc: &'a str,
    pub criteria: &'a str,
    pub qris_minutes: i64,
    pub va_minutes: i64,
}

async fn open(config: &Config, region: &str) -> Result<(Db, i64), RunError> {
    let db = Db::connect(&config.database_url()).await?;
    if !db.schema_is_current().await? {
        return Err(RunError::Io("the database is not at the current schema; run `balai migrate` first".into()));
    }
    match org::government_by_region(&db, region.trim()).await {
        Ok(g) => Ok((db, g.id)),
        Err(StoreError::NotFound) => {
            Err(RunError::Invalid(format!("--government: no government with region code {region}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// The flag that gives a setting.
fn flag(setting: &str) -> &'static str {
    match setting {
        "merchant_name" => "--name",
        "merchant_city" => "--city",
        "merchant_criteria" => "--criteria",
        "postal_code" => "--postal-code",
        "mcc" => "--mcc",
        _ => "--nmid",
    }
}

/// Names the settings a refusal is about, as the flags spell them.
fn refused(e: StoreError) -> RunError {
    match e {
        StoreError::Invalid(errors) => RunError::Invalid(
            errors
                .0
                .iter()
                .map(|f| format!("{}: {}", flag(&f.field), f.rule.message(balai_domain::Lang::En)))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        other => other.into(),
    }
}

pub async fn set_merchant(config: &Config, args: &MerchantArgs<'_>) -> Result<(), RunError> {
    let (db, government_id) = open(config, args.government).await?;
    let settings = PaymentSettings {
        government_id,
        nmid: args.nmid.trim().to_owned(),
        merchant_name: args.name.trim().to_owned(),
        merchant_city: args.city.trim().to_owned(),
        postal_code: args.postal_code.trim().to_owned(),
        mcc: args.mcc.trim().to_owned(),
        merchant_criteria: args.criteria.trim().to_owned(),
        qris_expiry_minutes: args.qris_minutes,
        va_expiry_minutes: args.va_minutes,
    };
    for (flag, minutes) in [("--qris-minutes", args.qris_minutes), ("--va-minutes", args.va_minutes)] {
        if !(5..=43_200).contains(&minutes) {
            return Err(RunError::Invalid(format!("{flag}: from 5 minutes to 30 days (43200)")));
        }
    }
    let mut tx = db.begin().await?;
    payments::put_settings_in(&mut tx, &Actor::system("balai payments"), &settings, chrono::Utc::now())
        .await
        .map_err(refused)?;
    tx.commit().await?;
    db.close().await;
    eprintln!(
        "{}: QRIS merchant {} ({}, {}); QR codes last {} minutes, virtual accounts {} minutes",
        args.government,
        settings.merchant_name,
        settings.nmid,
        settings.merchant_city,
        args.qris_minutes,
        args.va_minutes
    );
    Ok(())
}

pub async fn set_upfront(config: &Config, region: &str, service: &str) -> Result<(), RunError> {
    let (db, government_id) = open(config, region).await?;
    let found: Option<(i64,)> = db
        .fetch_optional(
            balai_store::query("SELECT id FROM services WHERE government_id = $1 AND code = $2")
                .bind(government_id)
                .bind(service.trim()),
        )
        .await?;
    let Some((service_id,)) = found else {
        return Err(RunError::Invalid(format!("--service: no service {service} at {region}")));
    };
    let mut tx = db.begin().await?;
    payments::set_upfront_in(&mut tx, &Actor::system("balai payments"), government_id, service_id).await.map_err(
        |e| match e {
            StoreError::Invalid(_) => {
                RunError::Invalid(format!("--service: {service} has no fee, so nothing to pay first"))
            }
            other => other.into(),
        },
    )?;
    tx.commit().await?;
    db.close().await;
    eprintln!("{region}: {service} is invoiced when it is applied for, and paid before the work starts");
    Ok(())
}
