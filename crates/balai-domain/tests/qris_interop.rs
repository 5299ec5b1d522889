//! The QRIS codec against an independent implementation, the Python `qriskit` package: for the same
//! bills qriskit builds the same payloads byte for byte and we read them; qriskit reads ours without
//! an error or a warning and finds the same fields and CRC; we read codes of other shapes qriskit makes
//! (static, a second merchant account, a reference label, tags out of order) and refuse a fraction of
//! a rupiah, which qriskit accepts.
//!
//! Needs `python3` with the `qriskit` package (`python3 -m pip install qriskit`). Without it the test
//! fails when `CI` is set and otherwise says it was skipped. The Python side is `qris_interop.py`.

use balai_domain::Rupiah;
use balai_domain::payments::qris::{CRITERIA, DecodeErrorKind, Merchant, decode, encode_dynamic};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/qris_interop.py");

/// What the script printed for `mode` given `input`, or why qriskit could not be run.
fn qriskit(mode: &str, input: &Value) -> Result<Value, String> {
    let mut child = Command::new("python3")
        .arg(SCRIPT)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => Ok(serde_json::from_slice(&output.stdout).unwrap()),
        Some(3) => Err(stderr.trim().to_owned()),
        _ => panic!("qris_interop.py {mode} failed ({}): {stderr}", output.status),
    }
}

/// The script's answer, or `None` (after saying so) when qriskit is missing outside CI.
fn answer(mode: &str, input: &Value) -> Option<Value> {
    match qriskit(mode, input) {
        Ok(value) => Some(value),
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("the Python qriskit package is needed (python3 -m pip install qriskit): {why}")
        }
        Err(why) => {
            eprintln!("skipped: the Python qriskit package is not available ({why}); python3 -m pip install qriskit");
            None
        }
    }
}

struct Bill {
    merchant: Merchant,
    amount: i64,
    bill_number: String,
}

/// The regency's own bill, the extremes, and bills drawn from a fixed seed: names and cities from all
/// of printable ASCII (quotes, backslashes, spaces at either end), amounts from 1 to 10^12.
fn bills() -> Vec<Bill> {
    let regency = Merchant {
        nmid: "ID1020012345678".into(),
        criteria: "UBE".into(),
        mcc: "9399".into(),
        name: "BAPENDA KAB CONTOH".into(),
        city: "SLEMAN".into(),
        postal_code: "55511".into(),
    };
    let mut bills = vec![
        Bill { merchant: regency.clone(), amount: 150_000, bill_number: "2026120500017".into() },
        Bill { merchant: regency.clone(), amount: 1, bill_number: "1".into() },
        Bill { merchant: regency, amount: 1_000_000_000_000, bill_number: "12345678901234567890".into() },
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..60 {
        let nmid = format!("ID{}", rng.text(13, b'0', 10));
        let mcc = rng.text(4, b'0', 10);
        let postal_code = rng.text(5, b'0', 10);
        let name_len = 1 + rng.below(25);
        let name = rng.text(name_len, b' ', 95);
        let city_len = 1 + rng.below(15);
        let city = rng.text(city_len, b' ', 95);
        let bill_len = 1 + rng.below(20);
        let bill_number = rng.text(bill_len, b'0', 10);
        let criteria = CRITERIA[rng.below(5) as usize].to_owned();
        let amount = 1 + rng.below(1_000_000_000_000) as i64;
        bills.push(Bill { merchant: Merchant { nmid, criteria, mcc, name, city, postal_code }, amount, bill_number });
    }
    bills
}

/// xorshift: the same bills on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    /// `len` characters from `from` to `from + span - 1`.
    fn text(&mut self, len: u64, from: u8, span: u64) -> String {
        (0..len).map(|_| char::from(from + self.below(span) as u8)).collect()
    }
}

#[test]
fn qriskit_builds_the_same_payloads_and_we_read_them() {
    let bills = bills();
    let cases: Vec<Value> = bills
        .iter()
        .map(|b| {
            let m = &b.merchant;
            json!({"nmid": m.nmid, "criteria": m.criteria, "mcc": m.mcc, "name": m.name, "city": m.city,
                   "postal_code": m.postal_code, "amount": b.amount, "bill_number": b.bill_number})
        })
        .collect();
    let Some(theirs) = answer("build", &Value::from(cases)) else { return };
    let theirs = theirs.as_array().unwrap();
    assert_eq!(theirs.len(), bills.len());
    for (bill, payload) in bills.iter().zip(theirs) {
        let payload = payload.as_str().unwrap();
        let ours = encode_dynamic(&bill.merchant, Rupiah(bill.amount), &bill.bill_number).unwrap();
        assert_eq!(ours, payload, "qriskit built another payload for {:?}", bill.merchant);
        let read = decode(payload).unwrap_or_else(|e| panic!("{e}: {payload}"));
        let m = &bill.merchant;
        assert!(read.dynamic);
        assert_eq!(read.nmid.as_deref(), Some(m.nmid.as_str()));
        assert_eq!(read.merchant_criteria.as_deref(), Some(m.criteria.as_str()));
        assert_eq!(read.mcc, m.mcc);
        assert_eq!(read.currency, "360");
        assert_eq!(read.amount, Some(Rupiah(bill.amount)));
        assert_eq!(read.country, "ID");
        assert_eq!(read.merchant_name, m.name);
        assert_eq!(read.merchant_city, m.city);
        assert_eq!(read.postal_code.as_deref(), Some(m.postal_code.as_str()));
        assert_eq!(read.bill_number.as_deref(), Some(bill.bill_number.as_str()));
    }
}

#[test]
fn qriskit_reads_ours_without_an_issue() {
    let bills = bills();
    let ours: Vec<String> =
        bills.iter().map(|b| encode_dynamic(&b.merchant, Rupiah(b.amount), &b.bill_number).unwrap()).collect();
    let Some(readings) = answer("check", &json!(ours)) else { return };
    let readings = readings.as_array().unwrap();
    assert_eq!(readings.len(), bills.len());
    for ((bill, payload), r) in bills.iter().zip(&ours).zip(readings) {
        let m = &bill.merchant;
        assert_eq!(r["payload"], payload.as_str());
        assert_eq!(r["valid"], true, "{payload}: {}", r["issues"]);
        assert_eq!(r["issues"], json!([]), "{payload}");
        assert_eq!(r["crc"], &payload[payload.len() - 4..]);
        assert_eq!(r["resealed"], payload.as_str(), "qriskit computes another CRC");
        assert_eq!(r["dynamic"], true);
        assert_eq!(r["guid"], "ID.CO.QRIS.WWW");
        assert_eq!(r["nmid"], m.nmid.as_str());
        assert_eq!(r["criteria"], m.criteria.as_str());
        assert_eq!(r["mcc"], m.mcc.as_str());
        assert_eq!(r["currency"], "360");
        assert_eq!(r["amount"], bill.amount.to_string());
        assert_eq!(r["country"], "ID");
        assert_eq!(r["name"], m.name.as_str());
        assert_eq!(r["city"], m.city.as_str());
        assert_eq!(r["postal_code"], m.postal_code.as_str());
        assert_eq!(r["bill_number"], bill.bill_number.as_str());
        for fee in ["55", "56", "57"] {
            assert!(!r["tags"].as_array().unwrap().contains(&json!(fee)), "tag {fee} in {payload}");
        }
    }
}

#[test]
fn we_read_other_shapes_qriskit_makes() {
    let Some(others) = answer("others", &json!(null)) else { return };
    for label in ["static", "dynamic", "with_bill", "reordered"] {
        let r = &others[label];
        let payload = r["payload"].as_str().unwrap();
        assert_eq!(r["valid"], true, "{label}: qriskit finds {}", r["issues"]);
        let read = decode(payload).unwrap_or_else(|e| panic!("{label}: {e}: {payload}"));
        let text = |v: &Value| v.as_str().map(str::to_owned);
        assert_eq!(Value::from(read.dynamic), r["dynamic"], "{label}");
        assert_eq!(read.nmid, text(&r["nmid"]), "{label}");
        assert_eq!(read.merchant_criteria, text(&r["criteria"]), "{label}");
        assert_eq!(read.mcc, r["mcc"], "{label}");
        assert_eq!(read.currency, r["currency"], "{label}");
        assert_eq!(read.amount, r["amount"].as_str().map(|a| Rupiah::parse(a).unwrap()), "{label}");
        assert_eq!(read.country, r["country"], "{label}");
        assert_eq!(read.merchant_name, r["name"], "{label}");
        assert_eq!(read.merchant_city, r["city"], "{label}");
        assert_eq!(read.postal_code, text(&r["postal_code"]), "{label}");
        assert_eq!(read.bill_number, text(&r["bill_number"]), "{label}");
        let tags: Vec<Value> = read.tags.iter().map(|(t, _)| Value::from(format!("{t:02}"))).collect();
        assert_eq!(Value::from(tags), r["tags"], "{label}");
    }
    assert_eq!(others["static"]["amount"], Value::Null);
    assert_eq!(others["with_bill"]["bill_number"], "20261205001");
    assert_eq!(others["reordered"]["tags"][1], "62", "the reordered code is not out of order");

    // 25000.50: qriskit accepts half a rupiah, we refuse it and say where.
    let cents = others["cents"]["payload"].as_str().unwrap();
    assert_eq!(others["cents"]["amount"], "25000.50");
    let error = decode(cents).unwrap_err();
    assert_eq!((error.tag, error.kind), (Some(54), DecodeErrorKind::AmountFraction));
    assert_eq!(error.offset, cents.find("540825000.50").unwrap() + 4);
}
