//! Notification texts: shipped defaults, admin edits checked before they are stored, audited, and
//! used by the next message.

use balai_domain::Lang;
use balai_domain::notify::{MessageKind, Problem};
use balai_store::Db;
use balai_store::audit::{self, Actor, Finding};
use balai_store::notify::templates;

crate::conformance!(
    the_shipped_text_is_sent_until_an_admin_edits_it_and_again_after_a_reset,
    a_text_that_would_send_a_broken_message_is_refused_with_each_problem_and_not_stored,
    an_edited_text_changed_behind_the_platforms_back_is_named_by_verify,
);

async fn compose(db: &Db, lang: Lang) -> (String, String) {
    let mut tx = db.begin().await.unwrap();
    let composed = templates::compose(&mut tx, MessageKind::SignInCode, lang, &[("code", "482913"), ("minutes", "5")])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    composed
}

async fn the_shipped_text_is_sent_until_an_admin_edits_it_and_again_after_a_reset(db: Db) {
    let (subject, body) = compose(&db, Lang::Id).await;
    assert_eq!(subject, "Kode masuk Balai");
    assert!(body.starts_with("Kode masuk Balai: 482913. Berlaku 5 menit."), "{body}");

    let checked = templates::check_text(
        MessageKind::SignInCode,
        Lang::Id,
        "Kode Pemkot Kupang",
        "{{ code }} adalah kode masuk Anda ({{ minutes }} menit). Petugas tidak pernah meminta kode ini.",
    )
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    templates::save_text(&mut tx, &Actor::officer(1), &checked).await.unwrap();
    tx.commit().await.unwrap();

    let (subject, body) = compose(&db, Lang::Id).await;
    assert_eq!(subject, "Kode Pemkot Kupang");
    assert_eq!(body, "482913 adalah kode masuk Anda (5 menit). Petugas tidak pernah meminta kode ini.");
    let (_, english) = compose(&db, Lang::En).await;
    assert!(english.starts_with("Balai sign-in code: 482913."), "the other language keeps its text");
    let listed = templates::texts(&db).await.unwrap();
    let edited: Vec<_> = listed.iter().filter(|t| t.edited_at.is_some()).map(|t| t.lang).collect();
    assert_eq!(edited, [Lang::Id]);

    let mut tx = db.begin().await.unwrap();
    assert!(templates::reset_text(&mut tx, &Actor::officer(1), MessageKind::SignInCode, Lang::Id).await.unwrap());
    tx.commit().await.unwrap();
    assert!(compose(&db, Lang::Id).await.1.starts_with("Kode masuk Balai: 482913."));

    let (size, _) = audit::head(&db).await.unwrap();
    let leaves = audit::leaves(&db, 0, size as i64).await.unwrap();
    let actions: Vec<&str> =
        leaves.iter().filter(|l| l.subject_table == "message_templates").map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["notify.template.save", "notify.template.reset"]);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

/// The problems a text should be refused with: (field, problem).
type Expected = Vec<(&'static str, Problem)>;

async fn a_text_that_would_send_a_broken_message_is_refused_with_each_problem_and_not_stored(db: Db) {
    let cases: [(&str, &str, Expected); 5] = [
        ("", "Kode: {{ code }}", vec![("subject", Problem::Required)]),
        ("Kode", "Silakan masuk ke Balai.", vec![("body", Problem::MissingValue("code"))]),
        ("Kode {{ nik }}", "Kode: {{ code }}", vec![("subject", Problem::UnknownValue("nik".into()))]),
        ("Kode", "Kode: {{ code ", vec![("body", Problem::Syntax { line: Some(1) })]),
        (
            "Kode",
            &"Kode: {{ code }}. Lorem ipsum dolor sit amet. ".repeat(8),
            vec![("body", Problem::TooLong { max: 300, chars: 336 })],
        ),
    ];
    for (subject, body, expected) in cases {
        let refused = templates::check_text(MessageKind::SignInCode, Lang::Id, subject, body).expect_err("refused");
        let found: Vec<(&str, Problem)> = refused.into_iter().map(|p| (p.field, p.problem)).collect();
        assert_eq!(found, expected, "subject {subject:?} body {body:?}");
    }
    assert!(templates::texts(&db).await.unwrap().iter().all(|t| t.edited_at.is_none()), "nothing was stored");
    assert_eq!(audit::head(&db).await.unwrap().0, 0, "and nothing logged");
}

async fn an_edited_text_changed_behind_the_platforms_back_is_named_by_verify(db: Db) {
    let checked = templates::check_text(MessageKind::SignInCode, Lang::En, "Code", "Code {{ code }}").unwrap();
    let mut tx = db.begin().await.unwrap();
    templates::save_text(&mut tx, &Actor::officer(1), &checked).await.unwrap();
    tx.commit().await.unwrap();
    db.execute(balai_store::query("UPDATE message_templates SET body = 'Send your code {{ code }} to 0812'"))
        .await
        .unwrap();
    match audit::verify(&db, &[]).await.unwrap() {
        Err(Finding::AlteredRecord { table, .. }) => assert_eq!(table, "message_templates"),
        other => panic!("expected the altered text to be named, got {other:?}"),
    }
}
