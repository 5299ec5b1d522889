//! Audit log benchmark (not a test): append latency inside a transaction, inclusion proof latency on a
//! large log, and `verify` throughput.
//!
//! ```sh
//! taskset -c 0 cargo run --release -p balai-store --example audit_bench -- 10000000   # SQLite in a temp dir
//! BALAI_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1/postgres \
//!   cargo run --release -p balai-store --example audit_bench -- 1000000        # PostgreSQL (creates a database)
//! ```
//!
//! `BALAI_BENCH_SQLITE_FILE=path` and `BALAI_BENCH_KEEP_POSTGRES=1` keep the loaded log for later runs;
//! `BALAI_BENCH_PROOFS_ONLY=1` skips verify, `BALAI_BENCH_VERIFY_ONLY=1` skips appends and proofs.

use balai_ledger::{CompactRange, TILE_WIDTH, TileId};
use balai_store::audit::{self, Actor, Leaf, Subject};
use balai_store::{Db, dynamic_query, query};
use chrono::Utc;
use rand::Rng;
use sha2::Digest;
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
            // BALAI_BENCH_KEEP_POSTGRES keeps the loaded database between runs, like BALAI_BENCH_SQLITE_FILE.
            let keep = std::env::var_os("BALAI_BENCH_KEEP_POSTGRES").is_some();
            let admin = Db::connect(&admin_url).await.unwrap();
            if !keep {
                admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_bench".into())).await.unwrap();
            }
            // Fails harmlessly when a kept database exists.
            let _ = admin.execute(dynamic_query("CREATE DATABASE balai_bench".into())).await;
            let mut url = url::Url::parse(&admin_url).unwrap();
            url.set_path("/balai_bench");
            (Db::connect(url.as_str()).await.unwrap(), (!keep).then_some(admin))
        }
        Err(_) => {
            // BALAI_BENCH_SQLITE_FILE keeps the loaded log, so a later run measures without loading.
            let file = std::env::var("BALAI_BENCH_SQLITE_FILE")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|_| dir.path().join("bench.db"));
            (Db::connect(&format!("sqlite://{}", file.display())).await.unwrap(), None)
        }
    };
    db.migrate().await.unwrap();
    println!("backend: {:?}, target log size: {leaves}", db.backend());
    if audit::size(&db).await.unwrap() < leaves {
        bulk_load(&db, leaves).await;
    }
    // BALAI_BENCH_VERIFY_ONLY=1 skips appends and proofs, to profile verification alone.
    if std::env::var_os("BALAI_BENCH_VERIFY_ONLY").is_none() {
        measure_appends(&db).await;
    }
    measure_proofs_and_verify(&db).await;
    db.close().await;
    if let Some(admin) = cleanup {
        admin.execute(dynamic_query("DROP DATABASE IF EXISTS balai_bench WITH (FORCE)".into())).await.unwrap();
    }
}

/// The leaf the bench writes at `seq`: half are changes to a record (1,000 subjects, so verify keeps
/// a latest-state table as it would for a real log), half are reads with a purpose.
fn bench_leaf(seq: u64, recorded_at: chrono::DateTime<Utc>) -> Leaf {
    let change = seq.is_multiple_of(2);
    Leaf {
        seq: seq as i64,
        government_id: Some(1),
        recorded_at,
        actor_role: "officer".into(),
        actor_id: (seq % 37).to_string(),
        action: if change { "catalogue.service.update".into() } else { "identity.citizen.read".into() },
        subject_table: if change { "services".into() } else { "citizen_reads_bench".into() },
        subject_id: (seq % 1000).to_string(),
        // The services do not exist in the bench database, so their state is the absent state.
        state_hash: change.then(|| audit::hex(&sha2::Sha256::digest(b"null").into())),
        purpose: (!change).then(|| "Verifikasi berkas permohonan akta kelahiran anak kedua".to_owned()),
        leaf_hash: String::new(),
    }
}

/// Loads the log up to `leaves` with exactly the rows appends would have written (bundles, tiles,
/// tail, head), a bundle per statement, so a 10M-leaf log loads in minutes on both engines.
async fn bulk_load(db: &Db, leaves: u64) {
    let load_started = Instant::now();
    let start = audit::size(db).await.unwrap();
    assert_eq!(start % TILE_WIDTH, 0, "the bench loads whole bundles");
    let mut range = CompactRange::new();
    for leaf in audit::leaves(db, 0, start as i64).await.unwrap() {
        range.append(audit::unhex(&leaf.leaf_hash).unwrap()).unwrap();
    }
    let now = Utc::now();
    let recorded_at = chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap();
    // Tiles above level 0 are few; they are written once at the end.
    let mut upper: std::collections::BTreeMap<(i64, i64), Vec<u8>> = Default::default();
    let mut seq = start;
    while seq < leaves {
        let mut tx = db.begin().await.unwrap();
        for _ in 0..64 {
            if seq >= leaves {
                break;
            }
            let end = (seq + TILE_WIDTH).min(leaves);
            let mut entries = Vec::with_capacity(256 * 260);
            let mut hashes = Vec::with_capacity(256 * 32);
            for s in seq..end {
                let entry = bench_leaf(s, recorded_at).entry_bytes();
                let hash = balai_ledger::leaf_hash(&entry);
                if s > seq {
                    entries.push(b'\n');
                }
                entries.extend_from_slice(&entry);
                hashes.extend_from_slice(&hash);
                range
                    .append_with(hash, |n| {
                        if let Some((tile, _)) = TileId::storing(n.id) {
                            upper
                                .entry((i64::from(tile.level), tile.index as i64))
                                .or_default()
                                .extend_from_slice(&n.hash);
                        }
                    })
                    .unwrap();
            }
            let idx = (seq / TILE_WIDTH) as i64;
            if end - seq < TILE_WIDTH {
                // The bundle being filled lives in the tail, a row per leaf.
                let entries = String::from_utf8(entries).unwrap();
                for (i, (entry, hash)) in entries.split('\n').zip(hashes.chunks(32)).enumerate() {
                    tx.execute(
                        query("INSERT INTO audit_tail (seq, entry, leaf_hash) VALUES ($1, $2, $3)")
                            .bind((seq + i as u64) as i64)
                            .bind(entry)
                            .bind(hash.to_vec()),
                    )
                    .await
                    .unwrap();
                }
                seq = end;
                continue;
            }
            tx.execute(
                query("INSERT INTO audit_bundles (idx, entries) VALUES ($1, $2)")
                    .bind(idx)
                    .bind(String::from_utf8(entries).unwrap()),
            )
            .await
            .unwrap();
            tx.execute(query("INSERT INTO audit_tiles (level, idx, hashes) VALUES (0, $1, $2)").bind(idx).bind(hashes))
                .await
                .unwrap();
            seq = end;
        }
        tx.commit().await.unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    tx.execute(query("DELETE FROM audit_tiles WHERE level > 0")).await.unwrap();
    for ((level, idx), hashes) in upper {
        tx.execute(
            query("INSERT INTO audit_tiles (level, idx, hashes) VALUES ($1, $2, $3)")
                .bind(level)
                .bind(idx)
                .bind(hashes),
        )
        .await
        .unwrap();
    }
    let frontier = range.frontier().iter().map(audit::hex).collect::<Vec<_>>().join(",");
    tx.execute(query("UPDATE audit_head SET size = $1, frontier = $2 WHERE id = 1").bind(leaves as i64).bind(frontier))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    println!("bulk load of {} leaves: {:.1} s", leaves - start, load_started.elapsed().as_secs_f64());
}

/// What an append adds to a transaction, on the loaded log (5,000 appends: about 20 bundles filled).
async fn measure_appends(db: &Db) {
    let actor = Actor::officer(1);
    let mut appends = Vec::new();
    let mut transactions = Vec::new();
    for i in 0..5_000 {
        let started = Instant::now();
        let mut tx = db.begin().await.unwrap();
        let t0 = Instant::now();
        audit::record_event(&mut tx, &actor, "bench.event", &Subject::new("events", i), None, None).await.unwrap();
        appends.push(t0.elapsed());
        tx.commit().await.unwrap();
        transactions.push(started.elapsed());
    }
    report("append inside a transaction", appends);
    report("whole transaction (begin, append, commit)", transactions);
}

async fn measure_proofs_and_verify(db: &Db) {
    // 3. Inclusion proofs on the full log.
    if std::env::var_os("BALAI_BENCH_VERIFY_ONLY").is_some() {
        return verify_once(db).await;
    }
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
    verify_once(db).await;
}

async fn verify_once(db: &Db) {
    let t0 = Instant::now();
    let cpu0 = cpu_seconds();
    let (verified, _) = audit::verify(db, &[]).await.unwrap().unwrap_or_else(|f| panic!("verify failed: {f}"));
    let elapsed = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!(
        "verify: {} leaves in {elapsed:.2} s = {:.0} leaves/s; process CPU {cpu:.2} s (all threads) = {:.0} leaves per CPU-second",
        verified.size,
        verified.size as f64 / elapsed,
        verified.size as f64 / cpu
    );
}

/// User + system CPU time of this process, all threads (Linux), so the figure is per core whatever
/// the database driver does on its own threads.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the name; 100 ticks a second.
    (ticks(11) + ticks(12)) / 100.0
}
