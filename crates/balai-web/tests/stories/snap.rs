//! Virtual-account payments over SNAP: a stand-in bank speaks SNAP over real HTTP to the app served
//! on a loopback port. It asks for a token, asks what a virtual account is for, and pays it: the
//! invoice is paid and the case moves on. Each refusal (a wrong signature, a stale time, an expired
//! token, a reused X-EXTERNAL-ID, an unknown account, a wrong amount, a bill already paid or
//! expired) answers SNAP's code and pays nothing.

use crate::support::TestApp;
use balai_domain::payments::BillNumber;
use balai_gateway::snap::{self, RsaPrivateKey};
use balai_store::audit::Actor;
use balai_store::payments::{self, PaymentSettings};
use balai_store::query;
use balai_web::WebConfig;
use balai_web::snap::SnapConfig;
use chrono::{DateTime, Duration, FixedOffset, SecondsFormat, Utc};
use serde_json::{Value, json};

const PRIVATE_KEY: &str = include_str!("../../../balai-gateway/tests/data/snap-test-only-bank-private.pem");
const PUBLIC_KEY: &str = include_str!("../../../balai-gateway/tests/data/snap-test-only-bank-public.pem");
const CLIENT_ID: &str = "bank-ntt-uji";
const CLIENT_SECRET: &str = "rahasia-klien-snap-uji-0001";
const PARTNER_SERVICE_ID: &str = "12345";
/// How long the stories' invoices stay payable.
const LIFETIME_MINUTES: i64 = 30;

crate::on_both_engines!(
    a_bank_pays_a_bill_over_snap_and_the_case_moves_on,
    every_refusal_answers_snaps_code_and_pays_nothing,
);

/// The SNAP settings the stand-in bank was given (its test-only public key).
pub fn config() -> SnapConfig {
    SnapConfig::new(CLIENT_ID, CLIENT_SECRET, PUBLIC_KEY, PARTNER_SERVICE_ID).unwrap()
}

/// The stand-in bank: its key, its agent, and the app's address and clock.
#[derive(Clone)]
struct Bank {
    base: String,
    key: RsaPrivateKey,
    agent: ureq::Agent,
    clock: balai_web::Clock,
}

struct Answer {
    status: u16,
    body: Value,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl Answer {
    fn code(&self) -> &str {
        self.body["responseCode"].as_str().unwrap_or_default()
    }
}

fn wib(at: DateTime<Utc>) -> String {
    at.with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap()).to_rfc3339_opts(SecondsFormat::Secs, false)
}

impl Bank {
    fn now(&self) -> String {
        wib(self.clock.now())
    }

    async fn post(&self, path: &str, headers: Vec<(String, String)>, body: String) -> Answer {
        let (agent, url) = (self.agent.clone(), format!("{}{path}", self.base));
        tokio::task::spawn_blocking(move || {
            let mut request = agent.post(&url).header("content-type", "application/json");
            for (name, value) in &headers {
                request = request.header(name, value);
            }
            let mut response = request.send(body.as_bytes()).expect("the app answers");
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().unwrap_or_default();
            let body = serde_json::from_str(&text).unwrap_or(Value::Null);
            Answer { status, body }
        })
        .await
        .unwrap()
    }

    /// Asks for a token sent at `sent_at` with a signature made for `signed_at`.
    async fn token_as(&self, signed_at: &str, sent_at: &str) -> Answer {
        let signature = snap::sign_access_token_request(&self.key, CLIENT_ID, signed_at);
        let headers = vec![
            ("X-CLIENT-KEY".into(), CLIENT_ID.into()),
            ("X-TIMESTAMP".into(), sent_at.into()),
            ("X-SIGNATURE".into(), signature),
        ];
        self.post(snap_path("token"), headers, json!({"grantType": "client_credentials"}).to_string()).await
    }

    async fn token(&self) -> String {
        let now = self.now();
        let answer = self.token_as(&now, &now).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.code(), "2007300");
        assert_eq!(answer.body["tokenType"], "Bearer");
        assert_eq!(answer.body["expiresIn"], "900");
        answer.body["accessToken"].as_str().unwrap().to_owned()
    }

    /// A transaction call signed with `secret` at `timestamp` (the body pretty-printed: the
    /// signature covers its minified form).
    async fn call_as(&self, call: Call<'_>, secret: &str, timestamp: &str) -> Answer {
        let path = snap_path(call.service);
        let body = serde_json::to_string_pretty(&call.body).unwrap();
        let signature =
            snap::transaction_signature(secret.as_bytes(), "POST", path, call.token, body.as_bytes(), timestamp)
                .unwrap();
        let headers = vec![
            ("Authorization".into(), format!("Bearer {}", call.token)),
            ("X-TIMESTAMP".into(), timestamp.into()),
            ("X-SIGNATURE".into(), signature),
            ("X-PARTNER-ID".into(), CLIENT_ID.into()),
            ("X-EXTERNAL-ID".into(), call.external_id.into()),
            ("CHANNEL-ID".into(), "95221".into()),
        ];
        self.post(path, headers, body).await
    }

    async fn call(&self, call: Call<'_>) -> Answer {
        self.call_as(call, CLIENT_SECRET, &self.now()).await
    }
}

struct Call<'a> {
    service: &'static str,
    token: &'a str,
    external_id: &'a str,
    body: Value,
}

fn snap_path(service: &str) -> &'static str {
    match service {
        "token" => balai_web::snap::TOKEN_PATH,
        "inquiry" => balai_web::snap::INQUIRY_PATH,
        _ => balai_web::snap::PAYMENT_PATH,
    }
}

fn inquiry<'a>(token: &'a str, external_id: &'a str, bill: &str) -> Call<'a> {
    let body = json!({
        "partnerServiceId": snap::padded_partner_service_id(PARTNER_SERVICE_ID),
        "customerNo": bill,
        "virtualAccountNo": snap::virtual_account_number(PARTNER_SERVICE_ID, bill),
        "trxDateInit": "2026-12-05T10:00:00+07:00",
        "channelCode": 6011,
        "inquiryRequestId": format!("inq-{external_id}"),
    });
    Call { service: "inquiry", token, external_id, body }
}

fn payment<'a>(token: &'a str, external_id: &'a str, request_id: &str, bill: &str, amount: &str) -> Call<'a> {
    let body = json!({
        "partnerServiceId": snap::padded_partner_service_id(PARTNER_SERVICE_ID),
        "customerNo": bill,
        "virtualAccountNo": snap::virtual_account_number(PARTNER_SERVICE_ID, bill),
        "virtualAccountName": "Retribusi",
        "paymentRequestId": request_id,
        "channelCode": 6011,
        "paidAmount": {"value": amount, "currency": "IDR"},
        "referenceNo": format!("ref-{request_id}"),
        "flagAdvise": "N",
    });
    Call { service: "payment", token, external_id, body }
}

/// An open invoice of the seeded work: its bill number, amount, case and service name.
struct OpenBill {
    bill: String,
    amount: i64,
    case_id: i64,
    service_name: String,
}

/// Kota Kupang takes non-cash payment, its seeded work is invoiced as cases reach their payment
/// step, and the app (sharing the story's database and clock) serves SNAP on a loopback port.
async fn bank_and_bills(app: &TestApp) -> (Bank, Vec<OpenBill>) {
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let settings = PaymentSettings {
        government_id: government.id,
        nmid: "ID2026537100013".into(),
        merchant_name: "BPKAD KOTA KUPANG".into(),
        merchant_city: "KUPANG".into(),
        postal_code: "85111".into(),
        mcc: "9399".into(),
        merchant_criteria: "UBE".into(),
        qris_expiry_minutes: LIFETIME_MINUTES,
        va_expiry_minutes: LIFETIME_MINUTES,
    };
    let mut tx = app.db.begin().await.unwrap();
    payments::put_settings_in(&mut tx, &Actor::system("test"), &settings, app.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
    app.seed_demo_work().await;
    // Cases waiting for their fee; each gets an invoice payable from now (seeded ones may be old).
    let waiting: Vec<(i64, i64)> = app
        .db
        .fetch_all(query(
            "SELECT id, citizen_id FROM cases WHERE status = 'awaiting_payment' AND citizen_id IS NOT NULL \
             ORDER BY id LIMIT 2",
        ))
        .await
        .unwrap();
    let mut bills = Vec::new();
    for (case_id, citizen_id) in waiting {
        let invoice = payments::renew_as_citizen(&app.db, citizen_id, case_id, app.clock.now()).await.unwrap();
        let (service_name,): (String,) = app
            .db
            .fetch_one(
                query(
                    "SELECT v.name FROM services s JOIN service_versions v \
                     ON v.service_id = s.id AND v.version = s.current_version WHERE s.id = $1",
                )
                .bind(invoice.service_id),
            )
            .await
            .unwrap();
        assert!(invoice.is_open(app.clock.now()));
        bills.push(OpenBill { bill: invoice.bill_number, amount: invoice.amount, case_id, service_name });
    }
    assert!(bills.len() >= 2, "the seeded work leaves open invoices to pay: {}", bills.len());

    let web = WebConfig {
        default_region: Some("53.71".into()),
        clock: app.clock.clone(),
        snap: Some(config()),
        ..WebConfig::default()
    };
    let router = balai_web::app(app.db.clone(), app.vault.clone(), web);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
    });
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .new_agent();
    let bank = Bank { base, key: snap::parse_private_key_pem(PRIVATE_KEY).unwrap(), agent, clock: app.clock.clone() };
    (bank, bills)
}

async fn invoice_status(app: &TestApp, bill: &str) -> String {
    payments::invoice_by_bill_number(&app.db, bill).await.unwrap().unwrap().status
}

async fn case_status(app: &TestApp, case_id: i64) -> String {
    let (status,): (String,) =
        app.db.fetch_one(query("SELECT status FROM cases WHERE id = $1").bind(case_id)).await.unwrap();
    status
}

/// Payments kept for a bill, by outcome.
async fn kept(app: &TestApp, bill: &str) -> Vec<(String, String)> {
    app.db
        .fetch_all(
            query(
                "SELECT p.source, p.outcome FROM payments p JOIN invoices i ON i.id = p.invoice_id \
                 WHERE i.bill_number = $1 ORDER BY p.id",
            )
            .bind(bill),
        )
        .await
        .unwrap()
}

async fn a_bank_pays_a_bill_over_snap_and_the_case_moves_on(app: TestApp) {
    let (bank, bills) = bank_and_bills(&app).await;
    let bill = &bills[0];
    assert_eq!(case_status(&app, bill.case_id).await, "awaiting_payment");
    let token = bank.token().await;

    let asked = bank.call(inquiry(&token, "100001", &bill.bill)).await;
    assert_eq!((asked.status, asked.code()), (200, "2002400"), "{asked:?}");
    let data = &asked.body["virtualAccountData"];
    assert_eq!(data["inquiryStatus"], "00");
    assert_eq!(data["customerNo"], bill.bill.as_str());
    assert_eq!(data["partnerServiceId"], "   12345");
    assert_eq!(data["virtualAccountNo"], format!("   12345{}", bill.bill));
    assert_eq!(data["totalAmount"], json!({"value": snap::format_amount(bill.amount), "currency": "IDR"}));
    // The service's name (cut to 64 characters for the bank's screen), not the citizen's.
    let name = data["virtualAccountName"].as_str().unwrap();
    assert!(!name.is_empty() && name.chars().count() <= 64 && bill.service_name.starts_with(name), "{name}");
    assert_eq!(data["virtualAccountTrxType"], "C");
    assert_eq!(data["inquiryRequestId"], "inq-100001");
    let before = invoice_status(&app, &bill.bill).await;
    assert!(before == "created" || before == "started", "{before}");

    let amount = snap::format_amount(bill.amount);
    let paid = bank.call(payment(&token, "100002", "pay-0001", &bill.bill, &amount)).await;
    assert_eq!((paid.status, paid.code()), (200, "2002500"), "{paid:?}");
    let data = &paid.body["virtualAccountData"];
    assert_eq!(data["paymentFlagStatus"], "00");
    assert_eq!(data["paymentRequestId"], "pay-0001");
    assert_eq!(data["paidAmount"], json!({"value": amount, "currency": "IDR"}));
    assert_eq!(data["referenceNo"], "ref-pay-0001");

    let invoice = payments::invoice_by_bill_number(&app.db, &bill.bill).await.unwrap().unwrap();
    assert_eq!(invoice.status, "success");
    assert_eq!(invoice.channel.as_deref(), Some("va"));
    assert_eq!(invoice.paid_amount, bill.amount);
    assert_ne!(case_status(&app, bill.case_id).await, "awaiting_payment", "the case moved on");
    assert_eq!(kept(&app, &bill.bill).await, [("snap".to_owned(), "paid".to_owned())]);

    // The bank repeats the same payment (its id) with a new call id: the same answer, nothing new.
    let again = bank.call(payment(&token, "100003", "pay-0001", &bill.bill, &amount)).await;
    assert_eq!((again.status, again.code()), (200, "2002500"), "{again:?}");
    assert_eq!(kept(&app, &bill.bill).await.len(), 1, "nothing paid twice");
}

async fn every_refusal_answers_snaps_code_and_pays_nothing(app: TestApp) {
    let (bank, bills) = bank_and_bills(&app).await;
    let (bill, late) = (&bills[0], &bills[1]);
    let amount = snap::format_amount(bill.amount);

    // A token whose signature is not for what was sent, or sent at a stale time, is not issued.
    let stale = wib(app.clock.now() - Duration::minutes(6));
    let refused = bank.token_as("2026-12-05T10:00:00+07:00", &bank.now()).await;
    assert_eq!((refused.status, refused.code()), (401, "4017300"), "{refused:?}");
    assert_eq!(refused.body["responseMessage"], "Unauthorized. [Signature]");
    let refused = bank.token_as(&stale, &stale).await;
    assert_eq!((refused.status, refused.code()), (401, "4017300"), "{refused:?}");
    assert!(refused.body.get("accessToken").is_none());
    let token = bank.token().await;

    // A call signed with another secret, or at a stale time, or with a made-up token.
    let wrong = bank.call_as(inquiry(&token, "200001", &bill.bill), "rahasia-lain-sekali-0002", &bank.now()).await;
    assert_eq!((wrong.status, wrong.code()), (401, "4012400"), "{wrong:?}");
    assert_eq!(wrong.body["responseMessage"], "Unauthorized. [Signature]");
    let old = bank.call_as(inquiry(&token, "200002", &bill.bill), CLIENT_SECRET, &stale).await;
    assert_eq!((old.status, old.code()), (401, "4012400"), "{old:?}");
    let made_up = bank.call(payment("token-karangan", "200003", "pay-x", &bill.bill, &amount)).await;
    assert_eq!((made_up.status, made_up.code()), (401, "4012500"), "{made_up:?}");

    // An account Balai does not have (a well-formed bill number nobody was issued).
    let nobody = BillNumber::compose("5371", 999_999_999).to_string();
    let unknown = bank.call(inquiry(&token, "200004", &nobody)).await;
    assert_eq!((unknown.status, unknown.code()), (404, "4042412"), "{unknown:?}");
    let unknown = bank.call(payment(&token, "200005", "pay-unknown", &nobody, "1000.00")).await;
    assert_eq!((unknown.status, unknown.code()), (404, "4042512"), "{unknown:?}");

    // A wrong amount is refused, not held: the bill stays open and nothing is kept.
    let short = snap::format_amount(bill.amount - 1000);
    let wrong_amount = bank.call(payment(&token, "200006", "pay-short", &bill.bill, &short)).await;
    assert_eq!((wrong_amount.status, wrong_amount.code()), (404, "4042513"), "{wrong_amount:?}");
    let open = invoice_status(&app, &bill.bill).await;
    assert!(open == "created" || open == "started", "{open}");
    assert!(kept(&app, &bill.bill).await.is_empty());

    // X-EXTERNAL-ID is once a day: the right payment under a used id changes nothing.
    let reused = bank.call(payment(&token, "200006", "pay-right", &bill.bill, &amount)).await;
    assert_eq!((reused.status, reused.code()), (409, "4092500"), "{reused:?}");
    assert_eq!(invoice_status(&app, &bill.bill).await, open);
    assert!(kept(&app, &bill.bill).await.is_empty());

    let paid = bank.call(payment(&token, "200007", "pay-right", &bill.bill, &amount)).await;
    assert_eq!((paid.status, paid.code()), (200, "2002500"), "{paid:?}");

    // Paid: asked again it is a paid bill, and another payment of it is refused.
    let asked = bank.call(inquiry(&token, "200008", &bill.bill)).await;
    assert_eq!((asked.status, asked.code()), (404, "4042414"), "{asked:?}");
    let twice = bank.call(payment(&token, "200009", "pay-second", &bill.bill, &amount)).await;
    assert_eq!((twice.status, twice.code()), (404, "4042514"), "{twice:?}");
    assert_eq!(kept(&app, &bill.bill).await, [("snap".to_owned(), "paid".to_owned())], "nothing paid twice");

    // The bank's id of that payment, used again for another bill, pays nothing.
    let late_amount = snap::format_amount(late.amount);
    let reused_id = bank.call(payment(&token, "200013", "pay-right", &late.bill, &late_amount)).await;
    assert_eq!((reused_id.status, reused_id.code()), (409, "4092500"), "{reused_id:?}");
    assert!(kept(&app, &late.bill).await.is_empty());

    // Past the bill's time (and the token's): the old token is refused, a new one sees an expired bill.
    assert!(app.clock.advance(Duration::minutes(LIFETIME_MINUTES + 1)));
    let expired_token = bank.call(inquiry(&token, "200010", &late.bill)).await;
    assert_eq!((expired_token.status, expired_token.code()), (401, "4012400"), "{expired_token:?}");
    assert_eq!(expired_token.body["responseMessage"], "Unauthorized. [Token]");
    let token = bank.token().await;
    let expired = bank.call(inquiry(&token, "200011", &late.bill)).await;
    assert_eq!((expired.status, expired.code()), (404, "4042419"), "{expired:?}");
    let expired = bank.call(payment(&token, "200012", "pay-late", &late.bill, &late_amount)).await;
    assert_eq!((expired.status, expired.code()), (404, "4042519"), "{expired:?}");
    assert!(kept(&app, &late.bill).await.is_empty());
    assert_eq!(case_status(&app, late.case_id).await, "awaiting_payment");

    // No answer names a person: only the bill, its amount and the service.
    for answer in [&asked, &twice, &expired, &wrong_amount] {
        assert!(!answer.body.to_string().contains("Maria"), "{answer:?}");
    }
}
