//! `qris`: the QRIS payload codec on one core, without a server or a database — dynamic codes
//! written (`encode_dynamic`) and read (`decode`) a second, over varied amounts and bill numbers.
//! `--only qris` runs it alone, without the data set and the ceilings the other scenarios need.

use super::{Scenario, machine, print_scenarios};
use crate::RunError;
use balai_domain::Rupiah;
use balai_domain::payments::qris::{self, Merchant};
use serde::Serialize;
use std::hint::black_box;
use std::time::Instant;

/// Each timed loop's length, and the untimed run before it.
const SECONDS: f64 = 2.0;
const WARM_UP_SECONDS: f64 = 0.3;
/// Distinct bills the loops go round.
const BILLS: u64 = 4_096;

fn merchant() -> Merchant {
    Merchant {
        nmid: "ID1020012345678".into(),
        criteria: "UBE".into(),
        mcc: "9399".into(),
        name: "BAPENDA KAB CONTOH".into(),
        city: "SLEMAN".into(),
        postal_code: "55511".into(),
    }
}

/// Amounts from 1 rupiah to 10^12 and bill numbers of 1 to 20 digits, from a fixed seed.
fn bills() -> Vec<(Rupiah, String)> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..BILLS)
        .map(|_| {
            let digits = 1 + next() % 12;
            let amount = 1 + next() % 10u64.pow(digits as u32);
            let bill = (next() % 10u64.pow(1 + (next() % 19) as u32)).to_string();
            (Rupiah(amount as i64), bill)
        })
        .collect()
}

/// Runs `op` on item after item, round and round, for a warm-up and then for [`SECONDS`]: the
/// operations timed, how many of them failed, and the seconds they took.
fn timed<T>(items: &[T], mut op: impl FnMut(&T) -> bool) -> (u64, u64, f64) {
    if items.is_empty() {
        return (0, 0, 0.0);
    }
    let mut next = 0;
    let mut run = |seconds: f64| {
        let started = Instant::now();
        let (mut ops, mut failed) = (0u64, 0u64);
        loop {
            // The clock is read once per 256 operations.
            for _ in 0..256 {
                failed += u64::from(!op(black_box(&items[next])));
                next = (next + 1) % items.len();
            }
            ops += 256;
            let elapsed = started.elapsed().as_secs_f64();
            if elapsed >= seconds {
                return (ops, failed, elapsed);
            }
        }
    };
    run(WARM_UP_SECONDS);
    run(SECONDS)
}

/// The two rows of the bench's table: `qris_encode` and `qris_decode`.
pub fn measure(say: impl Fn(&str)) -> Vec<Scenario> {
    let merchant = merchant();
    let bills = bills();
    let payloads: Vec<String> =
        bills.iter().filter_map(|(amount, bill)| qris::encode_dynamic(&merchant, *amount, bill).ok()).collect();
    let mut rows = Vec::new();

    say("qris: encode_dynamic on one core");
    let (ops, failed, seconds) = timed(&bills, |(amount, bill)| {
        qris::encode_dynamic(&merchant, *amount, bill).map(|p| black_box(p).len()).is_ok()
    });
    rows.push(row("qris_encode", ops, failed, seconds, format!("{} varied bills", bills.len())));

    say("qris: decode on one core");
    let (ops, failed, seconds) =
        timed(&payloads, |payload| qris::decode(payload).map(|q| black_box(q).amount.is_some()).unwrap_or(false));
    let lengths = payloads.iter().map(String::len);
    let note = format!(
        "{} payloads of {}–{} bytes",
        payloads.len(),
        lengths.clone().min().unwrap_or(0),
        lengths.max().unwrap_or(0)
    );
    rows.push(row("qris_decode", ops, failed, seconds, note));
    rows
}

fn row(name: &'static str, ops: u64, failed: u64, seconds: f64, what: String) -> Scenario {
    let per_s = ops as f64 / seconds.max(1e-9);
    Scenario {
        name,
        per_s: Some(per_s),
        p50_ms: None,
        p95_ms: None,
        p99_ms: None,
        ceiling: None,
        ratio: None,
        goal: None,
        met: None,
        ops,
        failed,
        note: Some(format!("one core, {what}: {:.0} ns each over {seconds:.1} s", 1e9 / per_s.max(1e-9))),
    }
}

#[derive(Serialize)]
struct Report {
    measured_at: String,
    machine: super::Machine,
    scenarios: Vec<Scenario>,
}

/// `balai bench --only qris`: the codec alone; no data directory, database or server is made.
pub fn run_alone(json: bool, load_average: String) -> Result<(), RunError> {
    let started = Instant::now();
    let say = |what: &str| {
        if !json {
            eprintln!("[{:>6.1} s] {what}", started.elapsed().as_secs_f64());
        }
    };
    let scenarios = measure(say);
    let report = Report {
        measured_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        machine: machine(load_average),
        scenarios,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| RunError::Io(e.to_string()))?);
    } else {
        let m = &report.machine;
        println!(
            "balai bench — qris alone, {} ({} cores, {} GB, load {})",
            report.measured_at, m.cores, m.memory_gb, m.load_average_at_start
        );
        print_scenarios(&report.scenarios);
    }
    match report.scenarios.iter().find(|s| s.failed > 0 || s.ops == 0) {
        Some(s) => Err(RunError::Io(format!("{}: {} operations failed", s.name, s.failed))),
        None => Ok(()),
    }
}
