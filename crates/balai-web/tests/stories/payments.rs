//! A citizen pays retribusi, end to end over HTTP: the app is served on a loopback port, Maria
//! applies for a service paid first (Uji KIR), her invoice's QRIS code reads back as the bill, the
//! demo gateway sends the signed callback over HTTP to the same server, the invoice is paid and
//! the application with it, and the receipt's seal checks at `/verifikasi/{id}`. An invoice left
//! to expire is replaced by a new one from the payment page.

use crate::applications::{Part, file, multipart};
use crate::support::{TestApp, html_unescape};
use balai_domain::Rupiah;
use balai_domain::payments::qris;
use balai_store::query;
use balai_web::auth::CookieSecurity;
use balai_web::{PaymentsConfig, WebConfig};
use serde_json::{Value, json};

crate::on_both_engines!(
    maria_pays_her_bill_with_the_demo_gateway_and_the_receipt_proves_itself,
    an_expired_bill_is_replaced_from_the_payment_page_and_the_new_one_is_paid,
);

const SECRET: &[u8] = b"rahasia-gateway-uji-0001";
const SERVICE: &str = "UJI-KIR";
const MERCHANT: &str = "BPKAD KOTA KUPANG";

/// The app as a browser meets it: served on a loopback port, its demo gateway calling it back.
struct Served {
    base: String,
    agent: ureq::Agent,
    citizen: String,
}

struct Answer {
    status: u16,
    location: String,
    content_type: String,
    bytes: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The value attribute of the hidden input `name`.
    fn hidden(&self, name: &str) -> String {
        let text = self.text();
        let marker = format!("name=\"{name}\" value=\"");
        let start = text.find(&marker).unwrap_or_else(|| panic!("no hidden {name}: {text}")) + marker.len();
        text[start..].split('"').next().unwrap_or_default().to_owned()
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text())
    }
}

enum Body {
    Empty,
    Json(Value),
    Form(Vec<(String, String)>),
    Multipart(String, Vec<u8>),
}

impl Served {
    async fn start(app: &TestApp) -> Served {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let web = WebConfig {
            default_region: Some("53.71".into()),
            demo_inbox: true,
            register: crate::support::demo_register(),
            secure_cookies: CookieSecurity::Secure,
            clock: app.clock.clone(),
            payments: PaymentsConfig {
                callback_secret: Some(SECRET.to_vec()),
                partner_service_id: Some("12345".into()),
                demo_gateway_origin: Some(base.clone()),
            },
            ..WebConfig::default()
        };
        let router = balai_web::app(app.db.clone(), app.vault.clone(), web);
        tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap()
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .new_agent();
        let citizen = crate::identity::signed_in_citizen(app).await;
        Served { base, agent, citizen }
    }

    async fn send(&self, method: &str, path: &str, cookie: &str, body: Body) -> Answer {
        let (agent, url, cookie, method) =
            (self.agent.clone(), format!("{}{path}", self.base), cookie.to_owned(), method.to_owned());
        tokio::task::spawn_blocking(move || {
            let answer = |mut r: ureq::http::Response<ureq::Body>| {
                let header =
                    |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let (location, content_type) = (header("location"), header("content-type"));
                let bytes = r.body_mut().with_config().limit(50 * 1024 * 1024).read_to_vec().unwrap();
                Answer { status: r.status().as_u16(), location, content_type, bytes }
            };
            if method == "GET" {
                let mut request = agent.get(&url);
                if !cookie.is_empty() {
                    request = request.header("cookie", &cookie);
                }
                return answer(request.call().expect("the app answers"));
            }
            let mut request = agent.post(&url);
            if !cookie.is_empty() {
                request = request.header("cookie", &cookie);
            }
            let sent = match body {
                Body::Empty => request.send_empty(),
                Body::Json(v) => request
                    .header("content-type", "application/json")
                    .header("idempotency-key", "uji-kir-maria-1")
                    .send(v.to_string().as_bytes()),
                Body::Form(fields) => {
                    let encoded: Vec<String> = fields
                        .iter()
                        .map(|(k, v)| format!("{}={}", crate::support::urlencode(k), crate::support::urlencode(v)))
                        .collect();
                    request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .send(encoded.join("&").as_bytes())
                }
                Body::Multipart(content_type, bytes) => request.header("content-type", &content_type).send(&bytes[..]),
            };
            answer(sent.expect("the app answers"))
        })
        .await
        .unwrap()
    }

    async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, &self.citizen.clone(), Body::Empty).await
    }

    async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let fields = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.send("POST", path, &self.citizen.clone(), Body::Form(fields)).await
    }

    async fn post_multipart(&self, path: &str, cookie: &str, parts: &[Part<'_>]) -> Answer {
        let (content_type, bytes) = multipart(parts);
        self.send("POST", path, cookie, Body::Multipart(content_type, bytes)).await
    }

    /// Maria applies for Uji KIR through the API, attaching a photo for each required document she
    /// does not already hold: the answer carries the invoice issued at submission.
    async fn apply_for_uji_kir(&self) -> Value {
        let form = self.get(&format!("/api/v1/services/{SERVICE}/form?government=53.71")).await;
        assert_eq!(form.status, 200, "{form:?}");
        let form = form.json();
        let mut documents = Vec::new();
        for document in form["documents"].as_array().unwrap().iter().filter(|d| d["required"] == true) {
            let code = document["code"].as_str().unwrap();
            if let Some(held) = document["on_file"].as_i64() {
                documents.push(json!({"code": code, "on_file": held}));
                continue;
            }
            let photo = crate::applications::jpeg(64, 48);
            let parts = [file("file", "stnk.jpg", "image/jpeg", &photo)];
            let sent = self.post_multipart("/api/v1/uploads?government=53.71", &self.citizen.clone(), &parts).await;
            assert_eq!(sent.status, 201, "{sent:?}");
            documents.push(json!({"code": code, "upload": sent.json()["id"]}));
        }
        let body = json!({"government": "53.71", "service": SERVICE, "fields": {}, "documents": documents});
        let submitted = self.send("POST", "/api/v1/applications", &self.citizen.clone(), Body::Json(body)).await;
        assert_eq!(submitted.status, 201, "{submitted:?}");
        submitted.json()
    }
}

/// The modules of the page's QR code, read from its SVG path (`M{x} {y}h{len}v1h-{len}z` per run
/// of dark modules) and decoded as a scanner would.
fn qr_on_page(svg: &str) -> String {
    let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap();
    let size: u32 = view.parse().unwrap();
    let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let scale = 8;
    let mut image = image::GrayImage::from_pixel(size * scale, size * scale, image::Luma([255]));
    for run in path.split('M').filter(|r| !r.is_empty()) {
        let (at, rest) = run.split_once('h').unwrap();
        let (x, y) = at.split_once(' ').unwrap();
        let (x, y): (u32, u32) = (x.parse().unwrap(), y.parse().unwrap());
        let len: u32 = rest.split('v').next().unwrap().parse().unwrap();
        for px in x * scale..(x + len) * scale {
            for py in y * scale..(y + 1) * scale {
                image.put_pixel(px, py, image::Luma([0]));
            }
        }
    }
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(image.width() as usize, image.height() as usize, |x, y| {
            image.get_pixel(x as u32, y as u32)[0]
        });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the page");
    grids[0].decode().expect("a readable QR code").1
}

/// The invoice's and the application's state in the database.
async fn paid_state(app: &TestApp, bill: &str) -> (String, Option<String>, Option<String>, String) {
    let (status, channel, receipt): (String, Option<String>, Option<String>) = app
        .db
        .fetch_one(query("SELECT status, channel, receipt_id FROM invoices WHERE bill_number = $1").bind(bill))
        .await
        .unwrap();
    let (case_status,): (String,) = app
        .db
        .fetch_one(
            query("SELECT c.status FROM cases c JOIN invoices i ON i.case_id = c.id WHERE i.bill_number = $1")
                .bind(bill),
        )
        .await
        .unwrap();
    (status, channel, receipt, case_status)
}

async fn count_issued(app: &TestApp) -> i64 {
    let (n,): (i64,) = app.db.fetch_one(query("SELECT COUNT(*) FROM issued_documents")).await.unwrap();
    n
}

async fn maria_id(app: &TestApp) -> i64 {
    let nik = balai_domain::nik::Nik::parse("5371045203900003", chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let id = balai_store::identity::citizens::citizen_id_by_nik(&mut tx, &app.vault, &nik).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    id
}

async fn maria_pays_her_bill_with_the_demo_gateway_and_the_receipt_proves_itself(app: TestApp) {
    let served = Served::start(&app).await;
    let submitted = served.apply_for_uji_kir().await;
    let invoice = &submitted["invoice"];
    let (id, bill) = (invoice["id"].as_str().unwrap().to_owned(), invoice["bill_number"].as_str().unwrap().to_owned());
    assert_eq!(invoice["amount"], 85_000, "the standard's fee: {submitted}");
    assert_eq!(invoice["status"], "created");
    let tracking = submitted["tracking_number"].as_str().unwrap().to_owned();

    // The page after applying (the case page, fresh) links the bill.
    let (case_id,): (i64,) =
        app.db.fetch_one(query("SELECT id FROM cases WHERE tracking_number = $1").bind(&tracking)).await.unwrap();
    let fresh = served.get(&format!("/akun/permohonan/{case_id}?baru=1")).await;
    assert!(fresh.text().contains(&format!("id=\"payment-link\" href=\"/bayar/{id}\">Bayar Rp85.000<")), "{fresh:?}");

    // The API's QRIS payload is the bill: our reader finds its amount, bill number and merchant.
    let doc = served.get(&format!("/api/v1/invoices/{id}")).await;
    assert_eq!(doc.status, 200, "{doc:?}");
    let doc = doc.json();
    let payload = doc["qris"].as_str().expect("a QRIS payload while payable").to_owned();
    let read = qris::decode(&payload).unwrap();
    assert!(read.dynamic, "a code for one payment");
    assert_eq!(read.amount, Some(Rupiah(85_000)));
    assert_eq!(read.bill_number.as_deref(), Some(bill.as_str()));
    assert_eq!(read.merchant_name, MERCHANT);
    assert_eq!(doc["virtual_account"], format!("   12345{bill}"));

    // Someone else, or nobody, cannot open it.
    let anonymous = served.send("GET", &format!("/bayar/{id}"), "", Body::Empty).await;
    assert_eq!(anonymous.status, 303, "{anonymous:?}");
    assert!(anonymous.location.starts_with("/masuk?next="), "{}", anonymous.location);
    let unknown = served.get("/bayar/abcdefghijkmnpqrstuv").await;
    assert_eq!(unknown.status, 404, "{unknown:?}");

    // The payment page: the amount, the payee, the QR of the same payload, the account to transfer to.
    let page = served.get(&format!("/bayar/{id}")).await;
    assert_eq!(page.status, 200, "{page:?}");
    let html = page.text();
    assert!(html.contains("id=\"amount\">Rp85.000<"), "{html}");
    assert!(html.contains(MERCHANT) && html.contains("Menunggu pembayaran"), "{html}");
    assert!(html.contains("Pindai dengan aplikasi bank atau dompet digital apa pun"), "{html}");
    let svg = html.split("<div class=\"qris\" id=\"qris\">").nth(1).unwrap().split("</svg>").next().unwrap();
    assert!(svg.contains("role=\"img\""), "{svg}");
    assert!(svg.contains(&format!("aria-label=\"Kode QRIS untuk membayar Rp85.000 kepada {MERCHANT}\"")), "{svg}");
    assert_eq!(qr_on_page(svg), payload, "the QR code on the page is the QRIS payload, not an address");
    let text = html.split("id=\"qris-payload\"").nth(1).unwrap().split('>').nth(1).unwrap().split('<').next().unwrap();
    assert_eq!(html_unescape(text), payload, "the payload to copy");
    assert!(html.contains(&format!("id=\"virtual-account\">12345{bill}<")), "{html}");
    let (status, ..) = paid_state(&app, &bill).await;
    assert_eq!(status, "started", "opening the page starts the invoice");

    // No receipt for a bill not paid.
    let early = served.get(&format!("/bayar/{id}/bukti.pdf")).await;
    assert_eq!(early.status, 404, "{early:?}");

    // A forged form does nothing; Maria's own pays through the demo gateway, over HTTP.
    let csrf = page.hidden("csrf");
    let forged =
        served.post_form(&format!("/demo/gateway/bayar/{id}"), &[("csrf", "ditebak"), ("channel", "qris")]).await;
    assert_eq!(forged.status, 403, "{forged:?}");
    assert_eq!(paid_state(&app, &bill).await.0, "started");
    let paid = served.post_form(&format!("/demo/gateway/bayar/{id}"), &[("csrf", &csrf), ("channel", "qris")]).await;
    assert_eq!(paid.status, 303, "{paid:?}");
    assert_eq!(paid.location, format!("/bayar/{id}"));
    let (status, channel, receipt, case_status) = paid_state(&app, &bill).await;
    assert_eq!((status.as_str(), channel.as_deref(), receipt), ("success", Some("qris"), None));
    assert_eq!(case_status, "in_progress", "paid first, the work starts");
    let (paid_at, receipt_number): (Option<chrono::DateTime<chrono::Utc>>, Option<String>) = app
        .db
        .fetch_one(
            query(
                "SELECT a.paid_at, a.receipt_number FROM applications a JOIN cases c ON c.id = a.case_id \
                   WHERE c.tracking_number = $1",
            )
            .bind(&tracking),
        )
        .await
        .unwrap();
    assert!(paid_at.is_some(), "the application is paid");
    assert_eq!(receipt_number.as_deref(), Some(bill.as_str()));
    let mine = served.get(&format!("/api/v1/me/applications/{tracking}")).await;
    assert_eq!(mine.json()["invoice"]["status"], "success", "{mine:?}");

    // The page says so, and offers the receipt; the case page links it too.
    let page = served.get(&format!("/bayar/{id}")).await;
    let html = page.text();
    assert!(html.contains("<h2 id=\"paid-heading\">Lunas</h2>") && html.contains("id=\"paid-with\">QRIS<"), "{html}");
    assert!(html.contains(&format!("href=\"/bayar/{id}/bukti.pdf\"")), "{html}");
    assert!(!html.contains("id=\"qris\"") && !html.contains("id=\"demo-gateway\""), "nothing left to pay: {html}");
    let case_page = served.get(&format!("/akun/permohonan/{case_id}")).await;
    assert!(case_page.text().contains(&format!("href=\"/bayar/{id}/bukti.pdf\">Bukti bayar<")), "{case_page:?}");

    // Nobody else records a receipt for her bill: the command does not find it, and writes nothing.
    let documents_before = count_issued(&app).await;
    let stranger = balai_store::payments::receipts::NewReceipt {
        id: "kwitansiOrangLain00001".into(),
        number: "BPR/0/2026".into(),
        product: "Bukti Pembayaran Retribusi".into(),
        issuer: "Dinas".into(),
        issued_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        sha256: "00".repeat(32),
        signature: String::new(),
        object_key: "nowhere".into(),
    };
    let refused =
        balai_store::payments::receipts::record_receipt_as_citizen(&app.db, -1, &id, &stranger, app.clock.now()).await;
    assert!(matches!(refused, Err(balai_store::StoreError::NotFound)), "{refused:?}");
    assert_eq!(count_issued(&app).await, documents_before);
    assert_eq!(paid_state(&app, &bill).await.2, None);

    // The receipt: a PDF rendered once, whose QR code opens its verification page.
    let pdf = served.get(&format!("/bayar/{id}/bukti.pdf")).await;
    assert_eq!(pdf.status, 200, "{pdf:?}");
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let again = served.get(&format!("/bayar/{id}/bukti.pdf")).await;
    assert_eq!(again.bytes, pdf.bytes, "a second request serves the kept file");
    let (.., receipt, _) = paid_state(&app, &bill).await;
    let receipt = receipt.expect("the invoice names its receipt");
    assert_eq!(count_issued(&app).await, documents_before + 1, "one receipt, however often it is asked for");
    // Asked for again through the command, the invoice keeps its receipt.
    let again = balai_store::payments::receipts::record_receipt_as_citizen(
        &app.db,
        maria_id(&app).await,
        &id,
        &balai_store::payments::receipts::NewReceipt { id: "kwitansiKeduaKalinya01".into(), ..stranger },
        app.clock.now(),
    )
    .await
    .unwrap();
    assert!(matches!(&again, balai_store::payments::receipts::Recorded::Existing(r) if r.id == receipt), "{again:?}");
    assert_eq!(count_issued(&app).await, documents_before + 1);
    let (kept,): (i64,) =
        app.db.fetch_one(query("SELECT COUNT(*) FROM issued_documents WHERE id = $1").bind(&receipt)).await.unwrap();
    assert_eq!(kept, 1);
    let verify_path = format!("/verifikasi/{receipt}");
    if let Some(codes) = crate::applications::qr_codes_on(&pdf.bytes) {
        assert_eq!(codes.len(), 1, "{codes:?}");
        assert_eq!(url::Url::parse(&codes[0]).unwrap().path(), verify_path);
    }
    let verification = served.send("GET", &verify_path, "", Body::Empty).await;
    assert_eq!(verification.status, 200, "{verification:?}");
    let text = verification.text();
    assert!(text.contains("Bukti Pembayaran Retribusi") && text.contains(&format!("BPR/{bill}/")), "{text}");
    let checked =
        served.post_multipart(&verify_path, "", &[file("file", "bukti.pdf", "application/pdf", &pdf.bytes)]).await;
    assert!(checked.text().contains("Berkas yang Anda periksa asli dan tidak berubah."), "{checked:?}");
    let mut altered = pdf.bytes.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 1;
    let checked =
        served.post_multipart(&verify_path, "", &[file("file", "bukti.pdf", "application/pdf", &altered)]).await;
    assert!(checked.text().contains("TIDAK ASLI"), "{checked:?}");

    // The receipt is not the case's output: the public tracking page does not offer it.
    let public = served.send("GET", &format!("/lacak/{tracking}"), "", Body::Empty).await;
    assert!(!public.text().contains(&receipt), "{public:?}");
    assert!(balai_store::audit::verify(&app.db, &[]).await.unwrap().is_ok(), "the log vouches for every change");
}

async fn an_expired_bill_is_replaced_from_the_payment_page_and_the_new_one_is_paid(app: TestApp) {
    // Kota Kupang's bills stay payable for 30 minutes.
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let mut settings = balai_store::payments::settings(&app.db, government.id).await.unwrap().unwrap();
    settings.qris_expiry_minutes = 30;
    settings.va_expiry_minutes = 30;
    let mut tx = app.db.begin().await.unwrap();
    let actor = balai_store::audit::Actor::system("test");
    balai_store::payments::put_settings_in(&mut tx, &actor, &settings, app.clock.now()).await.unwrap();
    tx.commit().await.unwrap();
    let served = Served::start(&app).await;
    let submitted = served.apply_for_uji_kir().await;
    let old = submitted["invoice"]["id"].as_str().unwrap().to_owned();
    let old_bill = submitted["invoice"]["bill_number"].as_str().unwrap().to_owned();

    // Half an hour later the bill can no longer be paid, and the page offers a new one.
    app.clock.advance(chrono::Duration::minutes(31));
    let page = served.get(&format!("/bayar/{old}")).await;
    let html = page.text();
    assert!(html.contains("id=\"invoice-status\">Kedaluwarsa<"), "{page:?}");
    assert!(!html.contains("id=\"qris\"") && !html.contains("id=\"demo-gateway\""), "{html}");
    assert!(html.contains("Buat tagihan baru"), "{html}");
    let csrf = page.hidden("csrf");
    let renewed = served.post_form(&format!("/bayar/{old}/baru"), &[("csrf", &csrf)]).await;
    assert_eq!(renewed.status, 303, "{renewed:?}");
    let new = renewed.location.strip_prefix("/bayar/").expect("to the new bill").to_owned();
    assert_ne!(new, old);

    let page = served.get(&format!("/bayar/{new}")).await;
    assert!(page.text().contains("id=\"amount\">Rp85.000<"), "{page:?}");
    let new_bill = page.text().split("id=\"bill-number\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_ne!(new_bill, old_bill, "a new bill number");
    // The old page now points to the new bill, and offers nothing to pay.
    let old_page = served.get(&format!("/bayar/{old}")).await;
    assert!(old_page.text().contains(&format!("href=\"/bayar/{new}\"")), "{old_page:?}");
    assert!(!old_page.text().contains("id=\"renew\""), "{old_page:?}");

    let paid = served
        .post_form(&format!("/demo/gateway/bayar/{new}"), &[("csrf", &page.hidden("csrf")), ("channel", "va")])
        .await;
    assert_eq!(paid.status, 303, "{paid:?}");
    let (status, channel, ..) = paid_state(&app, &new_bill).await;
    assert_eq!((status.as_str(), channel.as_deref()), ("success", Some("va")));
    assert_eq!(paid_state(&app, &old_bill).await.0, "expired");
    let verified = balai_store::audit::verify(&app.db, &[]).await.unwrap();
    assert!(verified.is_ok(), "the log vouches for every change: {verified:?}");
}

/// Maria's application for Uji KIR, submitted through the store with placeholder uploads: the id of
/// the invoice issued at submission (for the route table).
pub(crate) async fn marias_invoice(app: &TestApp) -> String {
    use balai_store::applications::{self, Application, DocumentChoice, DocumentSource};
    let government = balai_store::org::government_by_region(&app.db, "53.71").await.unwrap();
    let nik = balai_domain::nik::Nik::parse("5371045203900003", chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let maria = balai_store::identity::citizens::citizen_id_by_nik(&mut tx, &app.vault, &nik).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    let terms = applications::form_terms(&app.db, government.id, SERVICE, Some(maria)).await.unwrap();
    let now = app.clock.now();
    let mut documents = Vec::new();
    for document in terms.documents.iter().filter(|d| d.required) {
        let source = match terms.on_file.iter().find(|(code, _)| *code == document.code) {
            Some((_, held)) => DocumentSource::OnFile(*held),
            None => {
                let object = format!("uploads/{}/tagihan-{}", government.id, document.code);
                let upload = applications::record_upload(
                    &app.db,
                    maria,
                    government.id,
                    &object,
                    "image/jpeg",
                    1234,
                    &"ab".repeat(32),
                    now,
                )
                .await
                .unwrap();
                DocumentSource::Upload(upload.id)
            }
        };
        documents.push(DocumentChoice { code: document.code.clone(), source });
    }
    let fields = serde_json::Map::new();
    let application = Application {
        government_id: government.id,
        service_code: SERVICE,
        fields: &fields,
        documents: &documents,
        idempotency_key: "tagihan-maria",
        lang: balai_domain::Lang::Id,
    };
    let submitted = applications::submit(&app.db, &app.vault, maria, &application, now).await.unwrap();
    let invoice = balai_store::payments::latest_invoice_of_case(&app.db, submitted.case_id).await.unwrap();
    invoice.expect("Uji KIR is invoiced at submission").public_id
}
