//! Audit log benchmark (not a test): append latency inside a transaction, inclusion proof latency on a
//! large log, and `verify` throughput.
//!
//! ```sh
//! cargo run --release -p balai-store --example audit_bench -- 10000000          # SQLite in a temp dir
//! BALAI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres \
//!   cargo run --release -p balai-store --example audit_bench -- 1000000        # PostgreSQL (creates a database)
//! ```

use balai_ledger::CompactRange;
use balai_store::audit::{self, Actor, Leaf, Subject};
use balai_store::{Db, Value, dynamic_query, query};
use chrono::Utc;
use rand::Rng;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let leaves: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let (db, cleanup) = match std::env::var("BALAI_BENCH_POSTGRES_URL") {
        Ok(admin_url) => {
            let admin = Db::connect(&admin_url).await.unwrap();
            admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_bench".into())).await.unwrap();
            admin.execute(dynamic_query("CREATE DATABASE balai_bench".into())).await.unwrap();
            let mut url = url::Url::parse(&admin_url).unwrap();
            url.set_path("/balai_bench");
            (Db::connect(url.as_str()).await.unwrap(), Some(admin))
        }
        Err(_) => {
            // BALAI_BENCH_SQLITE_FILE keeps the loaded log, so a later run measures proofs and verify only.
            let file = std::env::var("BALAI_BENCH_SQLITE_FILE")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|_| dir.path().join("bench.db"));
            (Db::connect(&format!("sqlite://{}", file.display())).await.unwrap(), None)
        }
    };
    db.migrate().await.unwrap();
    println!("backend: {:?}, target log size: {leaves}", db.backend());
    let loaded = audit::size(&db).await.unwrap() >= leaves;

    if !loaded {
        append_and_load(&db, leaves).await;
    }
    measure_proofs_and_verify(&db).await;
    db.close().await;
    if let Some(admin) = cleanup {
        admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_bench WITH (FORCE)".into())).await.unwrap();
    }
}

async fn append_and_load(db: &Db, leaves: u64) {
    // 1. What an append adds to a transaction.
    let actor = Actor::officer(1);
    let mut appends = Vec::new();
    let mut transactions = Vec::new();
    for i in 0..5_000 {
        let started = Instant::now();
        let mut tx = db.begin().await.unwrap();
        let t0 = Instant::now();
        audit::record_event(&mut tx, &actor, "bench.event", &Subject::new("admins", i), None, None).await.unwrap();
        appends.push(t0.elapsed());
        tx.commit().await.unwrap();
        transactions.push(started.elapsed());
    }
    report("append inside a transaction", appends);
    report("whole transaction (begin, append, commit)", transactions);

    // 2. Bulk-load the rest of the log (leaves + nodes) the way appends would have written them.
    let (start_size, _) = audit::head(db).await.unwrap();
    let existing = audit::leaves(db, 0, start_size as i64).await.unwrap();
    let mut range = CompactRange::new();
    for l in &existing {
        range.append(audit::unhex(&l.leaf_hash).unwrap()).unwrap();
    }
    let load_started = Instant::now();
    // SQLite expands one JSON array per batch into rows (json_each), so a 10M-leaf log loads in
    // minutes; PostgreSQL takes multi-row inserts. Both write exactly what appends would have.
    let sqlite = db.backend() == balai_store::Backend::Sqlite;
    let batch = if sqlite { 50_000u64 } else { 2000u64 };
    let mut seq = start_size;
    let now = Utc::now();
    let recorded_at = chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap();
    while seq < leaves {
        let end = (seq + batch).min(leaves);
        let mut tx = db.begin().await.unwrap();
        let mut batch_leaves = Vec::new();
        let mut nodes: Vec<(i64, i64, String)> = Vec::new();
        for s in seq..end {
            let mut leaf = Leaf {
                seq: s as i64,
                government_id: Some(1),
                recorded_at,
                actor_role: "system".into(),
                actor_id: "bench".into(),
                action: "bench.event".into(),
                subject_table: "admins".into(),
                subject_id: (s % 1000).to_string(),
                state_hash: None,
                purpose: None,
                leaf_hash: String::new(),
            };
            let hash = leaf.computed_hash();
            leaf.leaf_hash = audit::hex(&hash);
            range
                .append_with(hash, |n| nodes.push((i64::from(n.id.level()), n.id.index() as i64, audit::hex(&n.hash))))
                .unwrap();
            batch_leaves.push(leaf);
        }
        if sqlite {
            let rows: Vec<(i64, &str, &str)> =
                batch_leaves.iter().map(|l| (l.seq, l.subject_id.as_str(), l.leaf_hash.as_str())).collect();
            tx.execute(
                query(
                    "INSERT INTO audit_leaves (seq, government_id, recorded_at, actor_role, actor_id, action, subject_table, \
                     subject_id, state_hash, purpose, leaf_hash) \
                     SELECT json_extract(value, '$[0]'), 1, $2, 'system', 'bench', 'bench.event', 'admins', \
                     json_extract(value, '$[1]'), NULL, NULL, json_extract(value, '$[2]') FROM json_each($1)",
                )
                .bind(serde_json::to_string(&rows).unwrap())
                .bind(recorded_at),
            )
            .await
            .unwrap();
            if !nodes.is_empty() {
                tx.execute(
                    query(
                        "INSERT INTO audit_nodes (level, idx, hash) SELECT json_extract(value, '$[0]'), \
                         json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each($1)",
                    )
                    .bind(serde_json::to_string(&nodes).unwrap()),
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
            seq = end;
            continue;
        }
        let mut leaf_sql = String::from(
            "INSERT INTO audit_leaves (seq, government_id, recorded_at, actor_role, actor_id, action, subject_table, subject_id, state_hash, purpose, leaf_hash) VALUES ",
        );
        let mut leaf_args: Vec<Value> = Vec::new();
        for (i, leaf) in batch_leaves.into_iter().enumerate() {
            let b = leaf_args.len();
            if i > 0 {
                leaf_sql.push(',');
            }
            leaf_sql.push_str(&format!(
                "(${},${},${},${},${},${},${},${},NULL,NULL,${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
            leaf_args.extend([
                Value::from(leaf.seq),
                Value::from(leaf.government_id),
                Value::from(leaf.recorded_at),
                Value::from(leaf.actor_role),
                Value::from(leaf.actor_id),
                Value::from(leaf.action),
                Value::from(leaf.subject_table),
                Value::from(leaf.subject_id),
                Value::from(leaf.leaf_hash),
            ]);
        }
        let mut q = dynamic_query(leaf_sql);
        for a in leaf_args {
            q = q.bind(a);
        }
        tx.execute(q).await.unwrap();
        if !nodes.is_empty() {
            let mut node_sql = String::from("INSERT INTO audit_nodes (level, idx, hash) VALUES ");
            for i in 0..nodes.len() {
                if i > 0 {
                    node_sql.push(',');
                }
                node_sql.push_str(&format!("(${},${},${})", 3 * i + 1, 3 * i + 2, 3 * i + 3));
            }
            let mut q = dynamic_query(node_sql);
            for (level, idx, hash) in nodes {
                q = q.bind(level).bind(idx).bind(hash);
            }
            tx.execute(q).await.unwrap();
        }
        tx.commit().await.unwrap();
        seq = end;
    }
    let frontier = range.frontier().iter().map(audit::hex).collect::<Vec<_>>().join(",");
    db.execute(query("UPDATE audit_head SET size = $1, frontier = $2 WHERE id = 1").bind(leaves as i64).bind(frontier))
        .await
        .unwrap();
    println!("bulk load of {} leaves: {:.1} s", leaves - start_size, load_started.elapsed().as_secs_f64());
}

async fn measure_proofs_and_verify(db: &Db) {
    // 3. Inclusion proofs on the full log.
    let (size, root) = audit::head(db).await.unwrap();
    let mut rng = rand::thread_rng();
    let mut proofs = Vec::new();
    for _ in 0..2_000 {
        let index = rng.gen_range(0..size);
        let t0 = Instant::now();
        let (leaf, proof) = audit::inclusion_proof(db, index, size).await.unwrap();
        proofs.push(t0.elapsed());
        balai_ledger::verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
    }
    report(&format!("inclusion proof on a {size}-leaf log"), proofs);

    // 4. Whole-log verification.
    if std::env::var_os("BALAI_BENCH_PROOFS_ONLY").is_some() {
        return;
    }
    let t0 = Instant::now();
    let (verified, _) = audit::verify(db, &[]).await.unwrap().unwrap_or_else(|f| panic!("verify failed: {f}"));
    let elapsed = t0.elapsed().as_secs_f64();
    println!("verify: {} leaves in {elapsed:.1} s = {:.0} leaves/s", verified.size, verified.size as f64 / elapsed);
}
