//! The receiving treasurer reconciles a day: imports the bank's statement (a bad file is refused
//! whole, each bad line named), reads the day's matches and totals, downloads them as CSV and XLSX;
//! asks for a refund that a second treasurer approves, never the one who asked.

use crate::applications::{file, post_multipart, text};
use crate::officers::{PASSWORD, officer, password};
use crate::support::TestApp;
use axum::http::StatusCode;
use balai_domain::Rupiah;
use balai_domain::identity::Role;
use balai_domain::payments::Channel;
use balai_store::payments::{self, IncomingPayment, Mismatch};
use balai_store::query;

crate::on_both_engines_with_work!(
    a_treasurer_imports_a_statement_reads_the_day_and_downloads_it,
    a_refund_asked_by_one_treasurer_is_approved_by_another,
);

/// The TOTP key the story officers are enrolled with.
const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A treasurer of Kota Kupang, signed in with password and second factor: their session cookie.
pub(crate) async fn treasurer(app: &TestApp, username: &str) -> String {
    officer(app, username, Role::Treasurer, None).await;
    let first = password(app, username, PASSWORD).await;
    let half = format!(
        "balai_admin_totp={}",
        first.cookie("balai_admin_totp").expect("a treasurer is asked for the second factor")
    );
    let page = app.get_with_cookie("/admin/masuk/faktor-kedua", &half).await;
    let step = app.clock.now().timestamp() as u64 / 30;
    let code = balai_auth::totp::code_at(SECRET, step * 30).unwrap();
    let done = app
        .post_form(
            "/admin/masuk/faktor-kedua",
            &half,
            &[("csrf", &page.hidden("csrf")), ("code", &code), ("next", "/admin")],
        )
        .await;
    format!("balai_admin={}", done.cookie("balai_admin").expect("signed in"))
}

/// A demo bill paid now through the gateway: (bill number, amount, payment id, invoice public id).
async fn paid_bill(app: &TestApp, transaction_id: &str) -> (String, i64, i64, String) {
    let (case_id, citizen_id): (i64, i64) = app
        .db
        .fetch_one(query(
            "SELECT c.id, c.citizen_id FROM cases c JOIN invoices i ON i.case_id = c.id \
             WHERE c.status = 'awaiting_payment' ORDER BY c.id LIMIT 1",
        ))
        .await
        .expect("the demo has a case waiting for its payment");
    let invoice = payments::renew_as_citizen(&app.db, citizen_id, case_id, app.clock.now()).await.unwrap();
    let payment = IncomingPayment {
        source: "generic",
        transaction_id,
        bill_number: &invoice.bill_number,
        amount: Rupiah(invoice.amount),
        channel: Channel::Qris,
        paid_at: app.clock.now(),
        failed: false,
    };
    payments::settle(&app.db, &app.vault, &payment, Mismatch::Hold, app.clock.now()).await.unwrap();
    let (payment_id,): (i64,) = app
        .db
        .fetch_one(query("SELECT id FROM payments WHERE transaction_id = $1").bind(transaction_id))
        .await
        .unwrap();
    (invoice.bill_number, invoice.amount, payment_id, invoice.public_id)
}

/// Today in Kota Kupang (WITA).
fn today(app: &TestApp) -> String {
    balai_domain::calendar::IndonesianTimeZone::Wita.local_date(app.clock.now()).to_string()
}

async fn a_treasurer_imports_a_statement_reads_the_day_and_downloads_it(app: TestApp) {
    let (bill, amount, _, _) = paid_bill(&app, "GW-rekon-1").await;
    let cookie = treasurer(&app, "bendahara-rekon").await;
    let home = app.get_with_cookie("/admin/pembayaran", &cookie).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Impor rekening koran"), "{}", home.body);
    let admin_home = app.get_with_cookie("/admin", &cookie).await;
    assert!(admin_home.body.contains("Impor rekening koran"), "a treasurer's home is this page: {}", admin_home.body);
    let csrf = home.hidden("csrf");
    let day = today(&app);

    let bad = format!(
        "value_date,amount,bill_number,bank_reference,description\n{day},{amount},{bill},BNK-1,QRIS\n{day},50.000,,BNK-2,x\n"
    );
    let parts = [text("csrf", &csrf), file("file", "rekening.csv", "text/csv", bad.as_bytes())];
    let refused = post_multipart(&app, "/admin/pembayaran/impor", &cookie, &parts).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("Baris 3, kolom amount"), "{}", refused.body);
    let (kept,): (i64,) = app.db.fetch_one(query("SELECT COUNT(*) FROM bank_statements")).await.unwrap();
    assert_eq!(kept, 0, "nothing of a bad file is kept");

    let good = format!(
        "value_date,amount,bill_number,bank_reference,description\n\
         {day},{amount},{bill},BNK-1,QRIS BUDI 081234567890\n\
         {day},{},{bill},BNK-2,transfer kurang\n\
         {day},12000,,BNK-3,SETORAN TUNAI\n",
        amount - 1_000
    );
    let parts = [text("csrf", &csrf), file("file", "rekening.csv", "text/csv", good.as_bytes())];
    let done = post_multipart(&app, "/admin/pembayaran/impor", &cookie, &parts).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("3 baris, 1 cocok, 1 tidak cocok, 1 tidak dikenal"), "{}", done.body);
    let again = post_multipart(&app, "/admin/pembayaran/impor", &cookie, &parts).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("sudah pernah diimpor"), "{}", again.body);

    let page = app.get_with_cookie(&format!("/admin/pembayaran/rekonsiliasi?tanggal={day}"), &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Cocok") && page.body.contains("Tidak cocok: nominal berbeda"), "{}", page.body);
    assert!(page.body.contains(&Rupiah(amount).to_string()), "amounts as rupiah: {}", page.body);
    assert!(!page.body.contains("081234567890"), "a payer's phone number is not kept");
    let english = app.get_with_cookie(&format!("/admin/pembayaran/rekonsiliasi?tanggal={day}&lang=en"), &cookie).await;
    assert!(english.body.contains("Matched") && english.body.contains("Received in Balai"), "{}", english.body);

    let csv = app.get_with_cookie(&format!("/admin/pembayaran/rekonsiliasi.csv?tanggal={day}"), &cookie).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.contains(&format!("{amount},{bill},BNK-1")) && csv.body.contains("Cocok"), "{}", csv.body);
    let xlsx = app
        .raw(
            axum::http::Request::get(format!("/admin/pembayaran/rekonsiliasi.xlsx?tanggal={day}"))
                .header(axum::http::header::COOKIE, &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = axum::body::to_bytes(xlsx.into_body(), usize::MAX).await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");

    // An officer who is not a treasurer is refused the pages and the import.
    officer(&app, "petugas-rekon", Role::Officer, Some("disdukcapil")).await;
    let signed_in = password(&app, "petugas-rekon", PASSWORD).await;
    let petugas = format!("balai_admin={}", signed_in.cookie("balai_admin").unwrap());
    assert_eq!(app.get_with_cookie("/admin/pembayaran", &petugas).await.status, StatusCode::FORBIDDEN);
    let day_page = app.get_with_cookie(&format!("/admin/pembayaran/rekonsiliasi.csv?tanggal={day}"), &petugas).await;
    assert_eq!(day_page.status, StatusCode::FORBIDDEN);
}

async fn a_refund_asked_by_one_treasurer_is_approved_by_another(app: TestApp) {
    let (_, amount, payment_id, public_id) = paid_bill(&app, "GW-refund-1").await;
    let first = treasurer(&app, "bendahara-satu").await;
    let form = app.get_with_cookie(&format!("/admin/pembayaran/pengembalian?pembayaran={payment_id}"), &first).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.hidden("refundable"), amount.to_string(), "the refundable amount travels with the form");
    assert!(form.body.contains(&Rupiah(amount).to_string()));
    let csrf = form.hidden("csrf");
    let pid = payment_id.to_string();
    let amount_text = amount.to_string();

    let stale = app
        .post_form(
            "/admin/pembayaran/pengembalian",
            &first,
            &[("csrf", &csrf), ("payment", &pid), ("amount", "1000"), ("refundable", "1"), ("reason", "Batal")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("sudah berubah menjadi"), "{}", stale.body);
    let too_much = app
        .post_form(
            "/admin/pembayaran/pengembalian",
            &first,
            &[
                ("csrf", &csrf),
                ("payment", &pid),
                ("amount", &(amount + 1).to_string()),
                ("refundable", &amount_text),
                ("reason", "Batal"),
            ],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_much.body.contains("id=\"amount-error\""), "{}", too_much.body);

    let asked = app
        .post_form(
            "/admin/pembayaran/pengembalian",
            &first,
            &[
                ("csrf", &csrf),
                ("payment", &pid),
                ("amount", &amount_text),
                ("refundable", &amount_text),
                ("reason", "Permohonan dibatalkan pemohon"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("menunggu keputusan orang lain"), "{}", asked.body);
    assert!(asked.body.contains("menunggu bendahara lain"), "the asker sees no approve button: {}", asked.body);
    let (refund_id,): (i64,) = app.db.fetch_one(query("SELECT id FROM refunds")).await.unwrap();
    let rid = refund_id.to_string();

    let own = app
        .post_form(
            "/admin/pembayaran/pengembalian/putusan",
            &first,
            &[("csrf", &csrf), ("refund", &rid), ("decision", "approve"), ("note", "")],
        )
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "four eyes: {}", own.body);
    assert!(own.body.contains("diputuskan oleh orang lain"), "{}", own.body);

    let second = treasurer(&app, "bendahara-dua").await;
    let home = app.get_with_cookie("/admin/pembayaran", &second).await;
    assert!(home.body.contains(&format!("id=\"refund-{refund_id}\"")), "{}", home.body);
    let approved = app
        .post_form(
            "/admin/pembayaran/pengembalian/putusan",
            &second,
            &[("csrf", &home.hidden("csrf")), ("refund", &rid), ("decision", "approve"), ("note", "Sesuai")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert!(approved.body.contains(&format!("Pengembalian #{refund_id} disetujui")), "{}", approved.body);
    let invoice = payments::invoice_by_public_id(&app.db, &public_id).await.unwrap().unwrap();
    assert_eq!((invoice.status.as_str(), invoice.refunded_amount), ("refunded", amount));
    let again = app
        .post_form(
            "/admin/pembayaran/pengembalian/putusan",
            &second,
            &[("csrf", &home.hidden("csrf")), ("refund", &rid), ("decision", "reject"), ("note", "x")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "decided once: {}", again.body);
    if let Err(finding) = balai_store::audit::verify(&app.db, &[]).await.unwrap() {
        panic!("the audit log does not verify: {finding:?}");
    }
}
