//! A payment gateway tells Balai a bill was paid. Only a notification signed with the shared secret,
//! over the exact bytes and within five minutes, is believed; the same transaction again changes
//! nothing; money that does not pay its bill is held, never marked paid; a bill nobody issued is 404.

use crate::support::{CALLBACK_SECRET, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use balai_gateway::callback;
use balai_store::query;

crate::on_both_engines_with_work!(
    a_signed_notification_pays_the_bill_and_moves_the_case_on_once,
    a_bad_signature_or_a_stale_time_changes_nothing,
    a_wrong_amount_is_held_and_an_unknown_bill_is_404,
);

/// A bill of the demo waiting for its payment: (case id, bill number, amount, invoice's public id).
async fn bill_awaiting_payment(app: &TestApp) -> (i64, String, i64, String) {
    let (case_id, citizen_id): (i64, i64) = app
        .db
        .fetch_one(query(
            "SELECT c.id, c.citizen_id FROM cases c JOIN invoices i ON i.case_id = c.id \
             WHERE c.status = 'awaiting_payment' ORDER BY c.id LIMIT 1",
        ))
        .await
        .expect("the demo has a case waiting for its payment, with an invoice");
    // The citizen's open bill (a new one if the first ran out).
    let invoice = balai_store::payments::renew_as_citizen(&app.db, citizen_id, case_id, app.clock.now()).await.unwrap();
    (case_id, invoice.bill_number, invoice.amount, invoice.public_id)
}

fn notification(transaction_id: &str, bill: &str, amount: i64, at: chrono::DateTime<chrono::Utc>) -> String {
    serde_json::json!({
        "transaction_id": transaction_id,
        "bill_number": bill,
        "amount": amount,
        "status": "paid",
        "paid_at": at.to_rfc3339(),
        "channel": "qris",
    })
    .to_string()
}

async fn post(app: &TestApp, body: &str, signature: &str) -> crate::support::TestResponse {
    let request = Request::post("/api/v1/payments/callback/generic")
        .header(header::CONTENT_TYPE, "application/json")
        .header(callback::SIGNATURE_HEADER, signature)
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.request(request).await
}

async fn signed(app: &TestApp, body: &str) -> crate::support::TestResponse {
    let signature = callback::sign(CALLBACK_SECRET, app.clock.now().timestamp(), body.as_bytes());
    post(app, body, &signature).await
}

async fn case_status(app: &TestApp, case_id: i64) -> String {
    let (status,): (String,) =
        app.db.fetch_one(query("SELECT status FROM cases WHERE id = $1").bind(case_id)).await.unwrap();
    status
}

async fn kept_payments(app: &TestApp) -> i64 {
    let (n,): (i64,) = app.db.fetch_one(query("SELECT COUNT(*) FROM payments")).await.unwrap();
    n
}

async fn a_signed_notification_pays_the_bill_and_moves_the_case_on_once(app: TestApp) {
    let (case_id, bill, amount, _) = bill_awaiting_payment(&app).await;
    let before = kept_payments(&app).await;
    let body = notification("GW-0001", &bill, amount, app.clock.now());
    let answer = signed(&app, &body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json()["result"], "paid");
    assert_eq!(answer.json()["invoice_status"], "success");
    assert_eq!(case_status(&app, case_id).await, "in_progress", "the case moved on by itself");
    // The gateway retries (it did not see our answer): the same transaction changes nothing.
    let again = signed(&app, &body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["result"], "duplicate");
    assert_eq!(kept_payments(&app).await, before + 1, "kept once");
    // Another transaction for the same bill is money paid twice: held for a refund, not taken.
    let twice = signed(&app, &notification("GW-0002", &bill, amount, app.clock.now())).await;
    assert_eq!(twice.json()["result"], "held");
    let (paid,): (i64,) = app
        .db
        .fetch_one(query("SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE i.bill_number = $1 AND p.outcome = 'paid'").bind(bill))
        .await
        .unwrap();
    assert_eq!(paid, 1, "nothing is paid twice");
}

async fn a_bad_signature_or_a_stale_time_changes_nothing(app: TestApp) {
    let (case_id, bill, amount, _) = bill_awaiting_payment(&app).await;
    let before = kept_payments(&app).await;
    let now = app.clock.now();
    let body = notification("GW-0003", &bill, amount, now);
    let forged = callback::sign(b"a guessed secret", now.timestamp(), body.as_bytes());
    let stale = callback::sign(CALLBACK_SECRET, now.timestamp() - 301, body.as_bytes());
    let future = callback::sign(CALLBACK_SECRET, now.timestamp() + 301, body.as_bytes());
    // The signature of another body: a changed amount does not carry the original's signature.
    let other = callback::sign(CALLBACK_SECRET, now.timestamp(), notification("GW-0003", &bill, 1, now).as_bytes());
    for (signature, rule) in [
        (forged.as_str(), "signature"),
        (stale.as_str(), "stale_timestamp"),
        (future.as_str(), "stale_timestamp"),
        (other.as_str(), "signature"),
        ("", "signature"),
        ("t=abc,v1=zz", "signature"),
    ] {
        let answer = post(&app, &body, signature).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{signature}: {}", answer.body);
        assert_eq!(answer.header("content-type"), "application/problem+json");
        assert_eq!(answer.json()["errors"][0]["field"], "Balai-Signature", "{}", answer.body);
        assert_eq!(answer.json()["errors"][0]["rule"], rule, "{}", answer.body);
    }
    assert_eq!(kept_payments(&app).await, before, "nothing kept");
    assert_eq!(case_status(&app, case_id).await, "awaiting_payment", "nothing moved");
    // A body with whitespace added is other bytes: its old signature no longer holds.
    let signature = callback::sign(CALLBACK_SECRET, now.timestamp(), body.as_bytes());
    let answer = post(&app, &format!("{body} "), &signature).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

async fn a_wrong_amount_is_held_and_an_unknown_bill_is_404(app: TestApp) {
    let (case_id, bill, amount, _) = bill_awaiting_payment(&app).await;
    let before = kept_payments(&app).await;
    let short = signed(&app, &notification("GW-0004", &bill, amount - 1, app.clock.now())).await;
    assert_eq!(short.status, StatusCode::OK, "{}", short.body);
    assert_eq!(short.json()["result"], "held");
    assert_ne!(short.json()["invoice_status"], "success");
    assert_eq!(case_status(&app, case_id).await, "awaiting_payment", "never marked paid");
    assert_eq!(kept_payments(&app).await, before + 1, "held for the treasurer");

    let unknown = balai_domain::payments::BillNumber::compose("53.71", 987_654_321).to_string();
    let answer = signed(&app, &notification("GW-0005", &unknown, amount, app.clock.now())).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    assert_eq!(kept_payments(&app).await, before + 1, "nothing kept for an unknown bill");

    // Fields out of bounds are named, and nothing is kept.
    let bad = serde_json::json!({
        "transaction_id": "has spaces in it",
        "bill_number": "12ab",
        "amount": -5,
        "status": "paid",
        "paid_at": app.clock.now().to_rfc3339(),
        "channel": "qris",
    })
    .to_string();
    let answer = signed(&app, &bad).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    let fields: Vec<String> =
        answer.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(fields, ["transaction_id", "bill_number", "amount"]);
    let not_json = signed(&app, "{\"transaction_id\":").await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert_eq!(kept_payments(&app).await, before + 1);
}
