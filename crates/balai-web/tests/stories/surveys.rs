//! SKM stories: a citizen whose application was completed answers the survey from the link in the
//! message once (a second visit is told so); wrong answers are named; an expired or unknown link
//! says so; an officer's kiosk records a walk-in respondent once per tap; and anyone reads an
//! agency's results in Indonesian number format, with a bad period or agency named.

use crate::officers::{PASSWORD, officer, password};
use crate::support::{TestApp, TestResponse, urlencode};
use axum::http::StatusCode;
use balai_domain::identity::Role;
use balai_domain::surveys::Period;

crate::on_both_engines!(
    a_citizen_answers_from_the_link_once_and_a_second_visit_is_told_so,
    an_answer_outside_one_to_four_is_refused_with_its_field_named_and_nothing_is_kept,
    an_expired_or_unknown_link_shows_a_page_that_says_so,
    the_kiosk_records_a_walk_in_respondent_once_per_tap_and_only_for_staff_of_the_agency,
    the_public_results_show_the_index_in_the_readers_format_and_name_a_bad_period_or_agency,
    an_import_with_bad_rows_lists_every_one_and_keeps_nothing_and_a_good_file_is_kept_whole,
    the_report_downloads_as_xlsx_and_pdf,
);

/// Completes Maria's application and returns the token of the survey link mailed to her.
async fn invited(app: &TestApp) -> String {
    let officer_id = officer(app, "petugas", Role::Officer, Some("disdukcapil")).await;
    crate::applications::marias_issued_document(app, officer_id).await;
    mailed_token(app).await
}

/// The token of the newest survey link in the outbox (sent to Maria).
pub(crate) async fn mailed_token(app: &TestApp) -> String {
    let messages = balai_store::notify::recent(&app.db, &app.vault, 20).await.unwrap();
    let invitation = messages.iter().find(|m| m.template == "survey-invitation").expect("an invitation was sent");
    assert_eq!(invitation.recipient, balai_store::seed::DEMO_CITIZEN_EMAIL, "to Maria's contact on record");
    let at = invitation.body.find("/survei/").expect("the message carries the link") + "/survei/".len();
    invitation.body[at..at + 43].to_owned()
}

/// Every answer given, plus a profile: the form a respondent sends.
fn answers(csrf: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), csrf.into())];
    for (i, score) in ["4", "3", "3", "4", "3", "4", "4", "3", "2"].iter().enumerate() {
        fields.push((format!("U{}", i + 1), (*score).into()));
    }
    fields.extend([
        ("sex".into(), "P".into()),
        ("age".into(), "30-39".into()),
        ("education".into(), "s1".into()),
        ("occupation".into(), "swasta".into()),
        ("suggestion".into(), "Ruang tunggu perlu kipas.".into()),
    ]);
    fields
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn responses(app: &TestApp, channel: &str) -> i64 {
    let (n,): (i64,) = app
        .db
        .fetch_one(balai_store::query("SELECT COUNT(*) FROM survey_responses WHERE channel = $1").bind(channel))
        .await
        .unwrap();
    n
}

/// Opens the link and answers it; returns the answer.
async fn answer(app: &TestApp, token: &str, fields: impl Fn(&str) -> Vec<(String, String)>) -> TestResponse {
    let path = format!("/survei/{token}");
    let form = app.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let csrf = form.cookie("balai_login_csrf").expect("the form sets its token");
    app.post_form(&path, &format!("balai_login_csrf={csrf}"), &refs(&fields(&csrf))).await
}

async fn a_citizen_answers_from_the_link_once_and_a_second_visit_is_told_so(app: TestApp) {
    let token = invited(&app).await;
    let before = responses(&app, "link").await;
    let form = app.get(&format!("/survei/{token}")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Survei Kepuasan Masyarakat"), "{}", form.body);
    assert!(form.body.contains("kesesuaian persyaratan pelayanan"), "U1's question in Indonesian");
    assert!(form.body.contains("Sangat sesuai") && form.body.contains("Gratis"), "the answers' own wording");
    assert_eq!(form.header("cache-control"), "no-store");
    let english = app.get(&format!("/survei/{token}?lang=en")).await;
    assert!(english.body.contains("requirements fit the service"), "U1's question in English");

    let thanks = answer(&app, &token, answers).await;
    assert_eq!(thanks.status, StatusCode::OK, "{}", thanks.body);
    assert!(thanks.body.contains("Terima kasih"), "{}", thanks.body);
    assert!(thanks.body.contains("/skm/disdukcapil?pemda=53.71"), "a link to the results: {}", thanks.body);
    assert_eq!(responses(&app, "link").await, before + 1);

    let again = app.get(&format!("/survei/{token}")).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Survei ini sudah diisi"), "{}", again.body);
    // A second post (another tab, a replay) is told the same and changes nothing.
    let form = app.get("/pengaduan/lacak").await;
    let csrf = form.cookie("balai_login_csrf").unwrap();
    let replay =
        app.post_form(&format!("/survei/{token}"), &format!("balai_login_csrf={csrf}"), &refs(&answers(&csrf))).await;
    assert_eq!(replay.status, StatusCode::CONFLICT);
    assert_eq!(responses(&app, "link").await, before + 1, "the first response is the one kept");
}

async fn an_answer_outside_one_to_four_is_refused_with_its_field_named_and_nothing_is_kept(app: TestApp) {
    let token = invited(&app).await;
    let before = responses(&app, "link").await;
    let refused = answer(&app, &token, |csrf| {
        let mut fields = answers(csrf);
        fields.retain(|(k, _)| k != "U1");
        for (k, v) in fields.iter_mut() {
            if k == "U3" {
                *v = "5".into();
            }
        }
        fields
    })
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("U3 Waktu penyelesaian:"), "the summary names the element: {}", refused.body);
    assert!(refused.body.contains("U1 Persyaratan:"), "a missing answer too");
    assert!(refused.body.contains("href=\"#U3\"") && refused.body.contains("id=\"U3-error\""));
    assert!(refused.body.contains("value=\"swasta\" selected"), "what was given is kept");
    assert_eq!(responses(&app, "link").await, before, "nothing is kept");
    // The link still works for a good answer.
    assert_eq!(answer(&app, &token, answers).await.status, StatusCode::OK);
}

async fn an_expired_or_unknown_link_shows_a_page_that_says_so(app: TestApp) {
    let token = invited(&app).await;
    let unknown = app.get(&format!("/survei/{}", "A".repeat(43))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("Tautan survei tidak dikenal"), "{}", unknown.body);
    let garbage = app.get("/survei/bukan%20token").await;
    assert_eq!(garbage.status, StatusCode::NOT_FOUND);
    assert!(app.clock.advance(chrono::Duration::days(31)));
    let expired = app.get(&format!("/survei/{token}")).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("sudah kedaluwarsa"), "{}", expired.body);
}

async fn the_kiosk_records_a_walk_in_respondent_once_per_tap_and_only_for_staff_of_the_agency(app: TestApp) {
    officer(&app, "loket-skm", Role::Officer, Some("disdukcapil")).await;
    let signed_in = password(&app, "loket-skm", PASSWORD).await;
    let cookie = format!("balai_admin={}", signed_in.cookie("balai_admin").unwrap());
    let page = app.get_with_cookie("/admin/skm/kios", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("disdukcapil-dafduk"), "the agency's units are offered");
    let key = page.hidden("idempotency_key");
    let mut fields = answers(&page.hidden("csrf"));
    fields.push(("idempotency_key".into(), key.clone()));
    fields.push(("unit".into(), "disdukcapil-dafduk".into()));
    let before = responses(&app, "kiosk").await;
    let first = app.post_form("/admin/skm/kios", &cookie, &refs(&fields)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    assert!(first.header("location").contains("tercatat=1"));
    let double = app.post_form("/admin/skm/kios", &cookie, &refs(&fields)).await;
    assert_eq!(double.status, StatusCode::SEE_OTHER);
    assert_eq!(responses(&app, "kiosk").await, before + 1, "a double tap records once");
    let next = app.get_with_cookie(first.header("location"), &cookie).await;
    assert!(next.body.contains("jawaban tercatat"), "{}", next.body);
    assert_ne!(next.hidden("idempotency_key"), key, "the next respondent gets a fresh key");
    assert!(next.body.contains("value=\"disdukcapil-dafduk\" selected"), "the unit stays chosen");

    // A wrong answer names its field; an unknown unit too.
    let mut wrong = fields.clone();
    for (k, v) in wrong.iter_mut() {
        match k.as_str() {
            "U9" => *v = "0".into(),
            "unit" => *v = "unit-lain".into(),
            "idempotency_key" => *v = "kunci-lain".into(),
            _ => {}
        }
    }
    let refused = app.post_form("/admin/skm/kios", &cookie, &refs(&wrong)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("U9 Sarana dan prasarana:") && refused.body.contains("id=\"unit-error\""));
    assert_eq!(responses(&app, "kiosk").await, before + 1);

    // An inspector belongs to no unit's counter.
    officer(&app, "inspektur-skm", Role::Inspector, None).await;
    let inspector = password(&app, "inspektur-skm", PASSWORD).await;
    let inspector = format!("balai_admin={}", inspector.cookie("balai_admin").unwrap());
    assert_eq!(app.get_with_cookie("/admin/skm/kios", &inspector).await.status, StatusCode::FORBIDDEN);
}

async fn the_public_results_show_the_index_in_the_readers_format_and_name_a_bad_period_or_agency(app: TestApp) {
    let token = invited(&app).await;
    assert_eq!(answer(&app, &token, answers).await.status, StatusCode::OK);
    let today = app.clock.now().date_naive();
    let quarter = Period::quarter_of(today).code();
    let page = app.get(&format!("/skm/disdukcapil?periode={}", urlencode(&quarter))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let ikm = {
        let at = page.body.find("id=\"ikm-value\">").expect("an index is shown") + "id=\"ikm-value\">".len();
        let rest = &page.body[at..];
        rest[..rest.find('<').unwrap()].to_owned()
    };
    let (whole, decimals) = ikm.split_once(',').unwrap_or_else(|| panic!("a decimal comma: {ikm}"));
    assert!(whole.parse::<u32>().is_ok_and(|n| (25..=100).contains(&n)) && decimals.len() == 2, "{ikm}");
    assert!(page.body.contains("Mutu pelayanan"), "{}", page.body);
    assert!(page.body.contains("U3 Waktu penyelesaian"), "the element table");
    assert!(page.body.contains("Per unit pelayanan"));
    assert!(page.body.contains("id=\"sample-note\""));
    let english = app.get(&format!("/skm/disdukcapil?periode={}&lang=en", urlencode(&quarter))).await;
    assert!(english.body.contains(&ikm.replace(',', ".")), "the same value with a point in English");

    let year = app.get(&format!("/skm/disdukcapil?periode={}", &quarter[..4])).await;
    assert_eq!(year.status, StatusCode::OK);
    let bad = app.get("/skm/disdukcapil?periode=2026-Q5").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("periode") && bad.body.contains("2026-Q5"), "{}", bad.body);
    let unknown = app.get("/skm/tidak-ada?periode=2026").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.body.contains("tidak-ada"), "{}", unknown.body);
}

async fn an_import_with_bad_rows_lists_every_one_and_keeps_nothing_and_a_good_file_is_kept_whole(app: TestApp) {
    use crate::applications::{file, post_multipart, text};
    officer(&app, "impor-skm", Role::Officer, Some("disdukcapil")).await;
    let signed_in = password(&app, "impor-skm", PASSWORD).await;
    let cookie = format!("balai_admin={}", signed_in.cookie("balai_admin").unwrap());
    let page = app.get_with_cookie("/admin/skm/impor", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = page.hidden("csrf");
    let before = responses(&app, "import").await;

    let bad = "U1;U2;U3;U4;U5;U6;U7;U8;U9;suggestion\n4;4;3;4;3;4;4;3;3;Baik\n5;4;3;4;3;4;4;3;3;\n4;4;3;4;;4;4;3;3;\n4;4;3;4;3;4;4;3;x;\n";
    let parts = [
        text("csrf", &csrf),
        text("unit", "disdukcapil-dafduk"),
        text("answered_on", ""),
        file("file", "skm.csv", "text/csv", bad.as_bytes()),
    ];
    let refused = post_multipart(&app, "/admin/skm/impor", &cookie, &parts).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    for row in ["Baris 3, kolom U1", "Baris 4, kolom U5", "Baris 5, kolom U9"] {
        assert!(refused.body.contains(row), "{row} is listed: {}", refused.body);
    }
    assert!(refused.body.contains("3 masalah"), "{}", refused.body);
    assert_eq!(responses(&app, "import").await, before, "nothing of a file with bad rows is imported");

    let good = "U1,U2,U3,U4,U5,U6,U7,U8,U9,sex,age\n4,4,3,4,3,4,4,3,3,P,34\n3,3,3,3,3,3,3,3,3,L,\n";
    let parts = [
        text("csrf", &csrf),
        text("unit", "disdukcapil-dafduk"),
        text("answered_on", ""),
        file("file", "skm.csv", "text/csv", good.as_bytes()),
    ];
    let done = post_multipart(&app, "/admin/skm/impor", &cookie, &parts).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("2 jawaban diimpor"), "{}", done.body);
    assert_eq!(responses(&app, "import").await, before + 2);

    let forged = [text("csrf", "ditebak"), file("file", "skm.csv", "text/csv", good.as_bytes())];
    assert_eq!(post_multipart(&app, "/admin/skm/impor", &cookie, &forged).await.status, StatusCode::FORBIDDEN);
    assert_eq!(responses(&app, "import").await, before + 2);
}

async fn the_report_downloads_as_xlsx_and_pdf(app: TestApp) {
    let token = invited(&app).await;
    assert_eq!(answer(&app, &token, answers).await.status, StatusCode::OK);
    let year = &Period::quarter_of(app.clock.now().date_naive()).code()[..4];
    let page = app.get(&format!("/skm/disdukcapil?periode={year}")).await;
    assert!(page.body.contains(&format!("/skm/disdukcapil/laporan.xlsx?periode={year}")), "{}", page.body);
    let xlsx = app.get(&format!("/skm/disdukcapil/laporan.xlsx?periode={year}")).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.body);
    assert!(xlsx.header("content-type").contains("spreadsheetml"));
    assert!(xlsx.header("content-disposition").contains(&format!("SKM-disdukcapil-{year}.xlsx")));
    assert!(xlsx.body.starts_with("PK"), "a zip: an XLSX workbook");
    let pdf = app.get(&format!("/skm/disdukcapil/laporan.pdf?periode={year}")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    assert_eq!(app.get("/skm/disdukcapil/laporan.doc?periode=2026").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/skm/disdukcapil/laporan.pdf?periode=kemarin").await.status, StatusCode::BAD_REQUEST);
}
