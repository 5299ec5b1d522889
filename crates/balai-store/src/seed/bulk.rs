//! Bulk data for benchmarks: many public complaint reports (each a case) written by set-based
//! statements, so a data set of ten million cases takes minutes, not hours. The rows are the shape
//! the commands write (a case and its report), without audit leaves: nothing reads them as history.

use crate::{Backend, Db, StoreError, dynamic_query, query};
use balai_domain::catalogue::{DocumentType, ProcedureStep, Requirement, ServiceStandard};
use balai_domain::money::Rupiah;

/// Rows written per statement: bounded so one batch's transaction stays small on both engines.
const BATCH: i64 = 250_000;

/// Adds `count` public reports to the government's complaint desk, spread over its categories and
/// a kilometre-wide patch of its area; `progress` hears the running total after each batch.
pub async fn add_public_reports(
    db: &Db,
    government_id: i64,
    count: i64,
    mut progress: impl FnMut(i64),
) -> Result<(), StoreError> {
    let (agency, unit, rules): (i64, i64, i64) = db
        .fetch_one(
            query(
                "SELECT u.agency_id, u.id, r.id FROM complaint_rules r JOIN units u ON u.id = r.desk_unit_id \
                 WHERE r.government_id = $1 ORDER BY r.version DESC LIMIT 1",
            )
            .bind(government_id),
        )
        .await?;
    let categories: Vec<(i64,)> = db
        .fetch_all(
            query("SELECT id FROM complaint_categories WHERE government_id = $1 ORDER BY id").bind(government_id),
        )
        .await?;
    let Some(&(first,)) = categories.first() else { return Err(StoreError::NotFound) };
    let category_count = categories.len() as i64;
    // SQLite has no generate_series in its default build; PostgreSQL's recursive CTE is slow.
    let series = match db.backend() {
        Backend::Sqlite => "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)",
        Backend::Postgres => "WITH n(i) AS (SELECT generate_series(1, $1))",
    };
    // Spread over the last two years, a day apart, so the dashboard's daily aggregates cover as many
    // days as a real desk's would; the text matches how each engine keeps a timestamp written by
    // the commands (SQLite: RFC 3339 text with microseconds), so ranges and order compare alike.
    let backend = db.backend();
    let days_before = move |now: &str| match backend {
        Backend::Sqlite => {
            format!("strftime('%Y-%m-%dT%H:%M:%S', {now}, '-' || ((i + $2) % 730) || ' days') || '.000000+00:00'")
        }
        Backend::Postgres => format!("{now} - make_interval(days => CAST((i + $2) % 730 AS INTEGER))"),
    };
    let (opened, submitted) = (days_before("$6"), days_before("$7"));
    let now = chrono::Utc::now();
    let mut written = 0;
    while written < count {
        let batch = BATCH.min(count - written);
        let (max_id,): (i64,) = db.fetch_one(query("SELECT COALESCE(MAX(id), 0) FROM cases")).await?;
        let mut tx = db.begin().await?;
        tx.execute(
            dynamic_query(format!(
                "{series} INSERT INTO cases (id, government_id, kind, agency_id, unit_id, title, opened_at, \
                 tracking_number, status, current_step, due_at, version) SELECT $2 + i, $3, 'complaint', $4, $5, \
                 'Laporan', {opened}, 'BENCH-' || CAST($2 + i AS TEXT), 'submitted', 0, $6, 1 FROM n"
            ))
            .bind(batch)
            .bind(max_id)
            .bind(government_id)
            .bind(agency)
            .bind(unit)
            .bind(now),
        )
        .await?;
        tx.execute(
            dynamic_query(format!(
                "{series} INSERT INTO complaints (case_id, government_id, report_kind, channel, category_id, text, \
                 public_title, public_text, lat_e6, lon_e6, address, anonymous, confidential, public, secret_hash, \
                 rules_id, reopen_count, supporters, submitted_at) SELECT $2 + i, $3, 'pengaduan', 'web', \
                 $4 + ((i + $2) % $5), 'Teks', 'Laporan', 'Teks', -10177200 + ((i + $2) % 1000) * 50, \
                 123607000 + ((i + $2) % 997) * 50, '', TRUE, FALSE, TRUE, 'x', $6, 0, 0, {submitted} FROM n"
            ))
            .bind(batch)
            .bind(max_id)
            .bind(government_id)
            .bind(first)
            .bind(category_count)
            .bind(rules)
            .bind(now),
        )
        .await?;
        tx.commit().await?;
        written += batch;
        progress(written);
    }
    if db.backend() == Backend::Postgres {
        // A PostgreSQL identity column does not see explicit ids: move it past them.
        db.execute(dynamic_query(
            "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases))".into(),
        ))
        .await?;
        db.execute(dynamic_query("ANALYZE cases".into())).await?;
        db.execute(dynamic_query("ANALYZE complaints".into())).await?;
    }
    Ok(())
}

/// Removes what [`add_public_reports`] wrote (the rows without history), e.g. before verifying the
/// audit log, which rightly names every audited row that has no leaf.
pub async fn remove_public_reports(db: &Db) -> Result<u64, StoreError> {
    let (low, high): (Option<i64>, Option<i64>) =
        db.fetch_one(query("SELECT MIN(id), MAX(id) FROM cases WHERE tracking_number LIKE 'BENCH-%'")).await?;
    let (Some(low), Some(high)) = (low, high) else { return Ok(0) };
    let mut removed = 0;
    let mut from = low;
    while from <= high {
        let to = from.saturating_add(BATCH);
        let mut tx = db.begin().await?;
        tx.execute(
            query(
                "DELETE FROM complaints WHERE case_id >= $1 AND case_id < $2 AND case_id IN \
                 (SELECT id FROM cases WHERE id >= $1 AND id < $2 AND tracking_number LIKE 'BENCH-%')",
            )
            .bind(from)
            .bind(to),
        )
        .await?;
        removed += tx
            .execute(
                query("DELETE FROM cases WHERE id >= $1 AND id < $2 AND tracking_number LIKE 'BENCH-%'")
                    .bind(from)
                    .bind(to),
            )
            .await?;
        tx.commit().await?;
        from = to;
    }
    Ok(removed)
}

/// The service the benchmarks apply for: a birth certificate with one required document (code
/// `surat_keterangan`), two steps at the given units, no fee and no form fields.
pub fn birth_certificate_standard(first_unit_id: i64, second_unit_id: i64) -> ServiceStandard {
    ServiceStandard {
        name: "Penerbitan Akta Kelahiran".into(),
        name_en: "Birth certificate".into(),
        summary: "Akta kelahiran.".into(),
        keywords: vec!["akta".into()],
        requirements: vec![Requirement {
            document: "Surat keterangan lahir".into(),
            doc_type: DocumentType::SuratKeterangan,
            held_by_government: false,
            note: String::new(),
        }],
        steps: vec![
            ProcedureStep { description: "Verifikasi berkas".into(), unit_id: first_unit_id, sla_days: 2 },
            ProcedureStep { description: "Penerbitan".into(), unit_id: second_unit_id, sla_days: 3 },
        ],
        sla_days: 5,
        fee: Rupiah(0),
        fee_legal_basis: "UU 24/2013".into(),
        product: "Kutipan akta kelahiran".into(),
        complaint_handling: "SP4N-LAPOR!".into(),
        legal_basis: vec!["UU 24/2013".into()],
        facilities: "Loket".into(),
        competence: "Operator".into(),
        internal_supervision: "Kepala bidang".into(),
        staff_count: 3,
        service_guarantee: "Tepat waktu".into(),
        security_guarantee: "Aman".into(),
        performance_evaluation: "Semester".into(),
        sk_number: "470/1/2025".into(),
        effective_date: chrono::NaiveDate::from_ymd_opt(2025, 1, 2).unwrap_or_default(),
    }
}
