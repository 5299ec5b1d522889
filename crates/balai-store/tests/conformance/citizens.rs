//! Citizens, their sealed personal data, one-time codes and citizen sessions.

use balai_domain::contact::Channel;
use balai_domain::identity::Assurance;
use balai_domain::nik::{Nik, Sex};
use balai_store::audit::{self, Actor};
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::codes::{self, CodeCheck, ContactOnRecord, Throttled};
use balai_store::identity::register::RegisterRecord;
use balai_store::identity::{self, PrincipalKind, Vault};
use balai_store::{Db, query};
use chrono::{Duration, NaiveDate, Utc};

crate::conformance!(
    personal_data_is_sealed_at_rest_and_opens_for_the_record,
    held_documents_and_contacts_are_part_of_the_audited_record,
    the_contact_on_record_and_its_level_come_from_the_record,
    the_right_code_signs_in_and_creates_the_record_from_the_register_once,
    a_request_to_a_destination_not_on_record_sends_nothing_and_opens_nothing,
    a_code_is_entered_only_with_its_pending_token_and_for_its_nik,
    wrong_codes_count_down_and_a_dead_code_stays_dead,
    codes_expire_after_five_minutes,
    a_new_code_replaces_the_open_one_but_a_strangers_request_does_not,
    codes_are_throttled_per_nik_and_destination_and_per_client,
    citizen_sessions_open_close_and_close_everywhere,
    the_public_log_names_citizens_by_pseudonym_and_verify_follows_older_leaves_by_id,
    the_pending_sign_in_shows_only_a_masked_recipient,
);

const NIK: &str = "5371045203900003";

fn vault() -> Vault {
    Vault::from_master(&[42; 32])
}

fn nik(text: &str) -> Nik {
    Nik::parse(text, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap()
}

fn maria() -> NewCitizen {
    NewCitizen {
        full_name: "Maria Yosefina Lado".into(),
        birth_place: "Kupang".into(),
        birth_date: NaiveDate::from_ymd_opt(1990, 3, 12),
        sex: Some(Sex::Female),
        address: Some("Jl. Frans Seda No. 12, Kupang".into()),
        region_code: Some("53.71.04".into()),
        kk: Some("5371040101100021".into()),
        phone: Some("+6281234500011".into()),
        email: Some("maria.lado@contoh.id".into()),
    }
}

async fn create(db: &Db, vault: &Vault) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = citizens::create_citizen(&mut tx, &Actor::system("test"), vault, &nik(NIK), &maria()).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn personal_data_is_sealed_at_rest_and_opens_for_the_record(db: Db) {
    let vault = vault();
    let id = create(&db, &vault).await;

    let raw = db
        .fetch_text_rows(query("SELECT nik_hash, nik_enc, address_enc, kk_enc, phone_enc, email_enc FROM citizens"))
        .await
        .unwrap();
    let stored = raw[0].iter().flatten().cloned().collect::<Vec<_>>().join(" ");
    for secret in [NIK, "5371040101100021", "Frans Seda", "081234500011", "6281234500011", "maria.lado"] {
        assert!(!stored.contains(secret), "{secret} is stored in the clear");
    }

    let record = citizens::citizen(&db, &vault, id).await.unwrap().expect("record");
    assert_eq!(record.nik, NIK);
    assert_eq!(record.masked_nik(), "5371••••••••0003");
    assert_eq!(record.kk.as_deref(), Some("5371040101100021"));
    assert_eq!(record.address.as_deref(), Some("Jl. Frans Seda No. 12, Kupang"));
    assert_eq!(record.sex, Some(Sex::Female));
    assert_eq!(format!("{record:?}"), format!("Citizen({id})"), "Debug shows no personal data");

    let mut tx = db.begin().await.unwrap();
    assert_eq!(citizens::citizen_id_by_nik(&mut tx, &vault, &nik(NIK)).await.unwrap(), Some(id));
    assert_eq!(citizens::citizen_id_by_nik(&mut tx, &vault, &nik("5371011708850002")).await.unwrap(), None);
    drop(tx);

    let other_key = Vault::from_master(&[43; 32]);
    assert!(!citizens::vault_opens_records(&db, &other_key).await.unwrap(), "a wrong key is detected");
    assert!(citizens::vault_opens_records(&db, &vault).await.unwrap());
    assert!(citizens::citizen(&db, &other_key, id).await.is_err(), "a wrong key opens nothing");
}

async fn held_documents_and_contacts_are_part_of_the_audited_record(db: Db) {
    let vault = vault();
    let id = create(&db, &vault).await;
    let actor = Actor::system("test");
    let mut tx = db.begin().await.unwrap();
    let akta = HeldDocument {
        doc_type: "akta_kelahiran".into(),
        number: Some("5371-LT-12031990-0021".into()),
        issuer: "Disdukcapil Kota Kupang".into(),
        issued_on: NaiveDate::from_ymd_opt(1990, 3, 20),
    };
    citizens::hold_document(&mut tx, &actor, &vault, id, &akta).await.unwrap();
    let old = citizens::set_contact(
        &mut tx,
        &actor,
        "identity.citizen.contact",
        &vault,
        id,
        Channel::Email,
        "maria@baru.id",
        Assurance::Basic,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(old.as_deref(), Some("maria.lado@contoh.id"), "the contact it replaced");

    let record = citizens::citizen(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!(record.documents, vec![akta]);
    assert_eq!(record.email.as_deref(), Some("maria@baru.id"));
    let raw = db.fetch_text_rows(query("SELECT number_enc FROM citizen_documents")).await.unwrap();
    assert!(!raw[0][0].as_deref().unwrap().contains("0021"), "document numbers are sealed");

    let leaves = audit::leaves_about(&db, &subject_of(&db, id).await).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["identity.citizen.create", "identity.citizen.document", "identity.citizen.contact"]);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "the log vouches for the record");

    // A record changed behind the log's back is named by verify.
    db.execute(query("UPDATE citizens SET full_name = 'Orang Lain' WHERE id = $1").bind(id)).await.unwrap();
    let finding = audit::verify(&db, &[]).await.unwrap().expect_err("tampering is found");
    assert!(finding.to_string().contains("citizens"), "{finding}");
}

async fn subject_of(db: &Db, id: i64) -> audit::Subject {
    let mut tx = db.begin_read().await.unwrap();
    let subject = citizens::audit_subject(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    subject
}

/// What the population register holds of Maria, whom Balai does not hold yet.
fn in_register() -> ContactOnRecord {
    ContactOnRecord {
        recipient: "+6281234500011".into(),
        assurance: Assurance::Basic,
        register: Some(RegisterRecord {
            full_name: "Maria Yosefina Lado".into(),
            birth_place: "Kupang".into(),
            phone: Some("081234500011".into()),
            ..RegisterRecord::default()
        }),
    }
}

/// A code to Maria's phone as the register holds it (what the web layer does after its lookup).
async fn issue(db: &Db, vault: &Vault, nik_text: &str, client: &str) -> Result<codes::IssuedCode, Throttled> {
    let contact = in_register();
    issue_to(db, vault, nik_text, &contact.recipient.clone(), Some(&contact), client).await
}

async fn issue_to(
    db: &Db,
    vault: &Vault,
    nik_text: &str,
    target: &str,
    deliver: Option<&ContactOnRecord>,
    client: &str,
) -> Result<codes::IssuedCode, Throttled> {
    let mut tx = db.begin().await.unwrap();
    let issued =
        codes::issue_code(&mut tx, vault, &nik(nik_text), Channel::Whatsapp, target, deliver, client, Utc::now())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    issued
}

async fn check(db: &Db, vault: &Vault, issued: &codes::IssuedCode, code: &str) -> CodeCheck {
    let mut tx = db.begin().await.unwrap();
    let result = codes::check_code(&mut tx, vault, &issued.pending_token, None, code, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    result
}

fn code(issued: &codes::IssuedCode) -> &str {
    issued.code.as_deref().expect("a delivered code")
}

fn another(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

async fn the_contact_on_record_and_its_level_come_from_the_record(db: Db) {
    let vault = vault();
    assert!(
        codes::contact_on_record(&db, &vault, &nik(NIK), Channel::Sms).await.unwrap().is_none(),
        "no record: the caller asks the register"
    );
    let id = create(&db, &vault).await;
    let email = codes::contact_on_record(&db, &vault, &nik(NIK), Channel::Email).await.unwrap().unwrap().unwrap();
    assert_eq!((email.recipient.as_str(), email.assurance), ("maria.lado@contoh.id", Assurance::Basic));
    let phone = codes::contact_on_record(&db, &vault, &nik(NIK), Channel::Whatsapp).await.unwrap().unwrap().unwrap();
    assert_eq!(phone.recipient, "+6281234500011");
    assert!(phone.register.is_none());

    let mut tx = db.begin().await.unwrap();
    let actor = Actor::officer(1);
    citizens::set_contact(
        &mut tx,
        &actor,
        "identity.citizen.contact_at_counter",
        &vault,
        id,
        Channel::Sms,
        "+6285200000001",
        Assurance::Substantial,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let phone = codes::contact_on_record(&db, &vault, &nik(NIK), Channel::Sms).await.unwrap().unwrap().unwrap();
    assert_eq!((phone.recipient.as_str(), phone.assurance), ("+6285200000001", Assurance::Substantial));
    let record = citizens::citizen(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!((record.phone_assurance, record.email_assurance), (Assurance::Substantial, Assurance::Basic));
}

async fn the_right_code_signs_in_and_creates_the_record_from_the_register_once(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "203.0.113.7").await.unwrap();
    assert_eq!(code(&issued).len(), 6);
    assert!(issued.expires_at > Utc::now() + Duration::minutes(4));
    let raw = db
        .fetch_text_rows(query(
            "SELECT code_hash, recipient_enc, nik_enc, client_hash, register_enc FROM one_time_codes",
        ))
        .await
        .unwrap();
    let stored = raw[0].iter().flatten().cloned().collect::<Vec<_>>().join(" ");
    for secret in [code(&issued), NIK, "203.0.113.7", "Maria", "6281234500011"] {
        assert!(!stored.contains(secret), "{secret} is stored in the clear");
    }
    assert_eq!(citizens::count(&db).await.unwrap(), 0, "asking for a code creates no record");

    let CodeCheck::Accepted { citizen_id, created: true, assurance: Assurance::Basic } =
        check(&db, &vault, &issued, code(&issued)).await
    else {
        panic!("the right code signs in and creates the record from the register")
    };
    let record = citizens::citizen(&db, &vault, citizen_id).await.unwrap().unwrap();
    assert_eq!(
        (record.nik.as_str(), record.full_name.as_str(), record.phone.as_deref()),
        (NIK, "Maria Yosefina Lado", Some("+6281234500011"))
    );
    assert_eq!(check(&db, &vault, &issued, code(&issued)).await, CodeCheck::NoOpenCode, "a code works once");

    let held = codes::contact_on_record(&db, &vault, &nik(NIK), Channel::Sms).await.unwrap().unwrap().unwrap();
    let second = issue_to(&db, &vault, NIK, &held.recipient.clone(), Some(&held), "203.0.113.7").await.unwrap();
    assert_eq!(
        check(&db, &vault, &second, code(&second)).await,
        CodeCheck::Accepted { citizen_id, created: false, assurance: Assurance::Basic }
    );
    assert_eq!(citizens::count(&db).await.unwrap(), 1);
}

async fn a_request_to_a_destination_not_on_record_sends_nothing_and_opens_nothing(db: Db) {
    let vault = vault();
    let stranger = issue_to(&db, &vault, NIK, "+6289999999999", None, "198.51.100.9").await.unwrap();
    assert!(stranger.code.is_none(), "no code is made for a destination not on record");
    assert!(!stranger.pending_token.is_empty(), "the answer has the same shape");
    // Every six-digit code is wrong, and each try is counted like any wrong code.
    assert_eq!(check(&db, &vault, &stranger, "000000").await, CodeCheck::Wrong { attempts_left: 4 });
    assert_eq!(check(&db, &vault, &stranger, "123456").await, CodeCheck::Wrong { attempts_left: 3 });
    assert_eq!(citizens::count(&db).await.unwrap(), 0, "no record from a NIK alone");
    let pending = codes::pending_sign_in(&db, &vault, &stranger.pending_token, Utc::now()).await.unwrap().unwrap();
    assert_eq!(pending.masked_recipient, "+62899••••999", "the page shows what was typed, as for any request");
}

async fn a_code_is_entered_only_with_its_pending_token_and_for_its_nik(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "c").await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let wrong_nik = codes::check_code(
        &mut tx,
        &vault,
        &issued.pending_token,
        Some(&nik("5371011708850002")),
        code(&issued),
        Utc::now(),
    )
    .await
    .unwrap();
    let no_token =
        codes::check_code(&mut tx, &vault, "guessed-token", Some(&nik(NIK)), "000000", Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((wrong_nik, no_token), (CodeCheck::NoOpenCode, CodeCheck::NoOpenCode));
    // Someone who knows only the NIK spent none of the citizen's attempts.
    let pending = codes::pending_sign_in(&db, &vault, &issued.pending_token, Utc::now()).await.unwrap().unwrap();
    assert_eq!(pending.attempts_left, codes::CODE_ATTEMPTS);
    let mut tx = db.begin().await.unwrap();
    let right = codes::check_code(&mut tx, &vault, &issued.pending_token, Some(&nik(NIK)), code(&issued), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(right, CodeCheck::Accepted { created: true, .. }));
}

async fn wrong_codes_count_down_and_a_dead_code_stays_dead(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "c").await.unwrap();
    let wrong = another(code(&issued));
    for left in (0..codes::CODE_ATTEMPTS).rev() {
        assert_eq!(check(&db, &vault, &issued, &wrong).await, CodeCheck::Wrong { attempts_left: left });
    }
    assert_eq!(
        check(&db, &vault, &issued, code(&issued)).await,
        CodeCheck::NoOpenCode,
        "locked after 5 wrong attempts"
    );
    assert_eq!(citizens::count(&db).await.unwrap(), 0);
}

async fn codes_expire_after_five_minutes(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "c").await.unwrap();
    let later = Utc::now() + Duration::minutes(codes::CODE_MINUTES) + Duration::seconds(1);
    let mut tx = db.begin().await.unwrap();
    let result = codes::check_code(&mut tx, &vault, &issued.pending_token, None, code(&issued), later).await.unwrap();
    assert_eq!(result, CodeCheck::NoOpenCode);
}

async fn a_new_code_replaces_the_open_one_but_a_strangers_request_does_not(db: Db) {
    let vault = vault();
    let first = issue(&db, &vault, NIK, "c").await.unwrap();
    // A stranger naming another address for the same NIK cancels nothing.
    issue_to(&db, &vault, NIK, "mallory@contoh.id", None, "d").await.unwrap();
    let second = issue(&db, &vault, NIK, "c").await.unwrap();
    assert_eq!(check(&db, &vault, &first, code(&first)).await, CodeCheck::NoOpenCode, "replaced");
    assert!(matches!(check(&db, &vault, &second, code(&second)).await, CodeCheck::Accepted { .. }));

    let third = issue(&db, &vault, NIK, "c").await.unwrap();
    issue_to(&db, &vault, NIK, "mallory@contoh.id", None, "d").await.unwrap();
    assert!(matches!(check(&db, &vault, &third, code(&third)).await, CodeCheck::Accepted { .. }));
}

async fn codes_are_throttled_per_nik_and_destination_and_per_client(db: Db) {
    let vault = vault();
    for _ in 0..codes::MAX_CODES_PER_NIK {
        issue(&db, &vault, NIK, "198.51.100.1").await.unwrap();
    }
    let Err(Throttled::Nik { retry_after_seconds }) = issue(&db, &vault, NIK, "198.51.100.2").await else {
        panic!("the fourth code for one NIK and destination within 15 minutes is refused")
    };
    assert!((1..=codes::THROTTLE_WINDOW_MINUTES * 60).contains(&retry_after_seconds));
    // Requests naming a stranger's address count too (nothing tells them apart from outside)…
    for _ in 0..codes::MAX_CODES_PER_NIK {
        issue_to(&db, &vault, "5371011708850002", "mallory@contoh.id", None, "198.51.100.4").await.unwrap();
    }
    assert!(matches!(
        issue_to(&db, &vault, "5371011708850002", "MALLORY@contoh.id", None, "198.51.100.5").await,
        Err(Throttled::Nik { .. })
    ));
    // …but only against that destination: the citizen's own codes still come.
    let own = ContactOnRecord { recipient: "+6281337700022".into(), ..in_register() };
    assert!(issue_to(&db, &vault, "5371011708850002", "+6281337700022", Some(&own), "198.51.100.6").await.is_ok());

    // Many NIKs from one address: the per-address limit.
    let niks = [
        "5371011708850003",
        "5371011708850004",
        "5371011708850005",
        "5371011708850006",
        "5371011708850007",
        "5371011708850008",
        "5371011708850009",
        "5371011708850010",
        "5371011708850011",
        "5371011708850012",
    ];
    for n in &niks[..(codes::MAX_CODES_PER_CLIENT - codes::MAX_CODES_PER_NIK) as usize] {
        issue(&db, &vault, n, "198.51.100.1").await.unwrap();
    }
    assert!(matches!(issue(&db, &vault, niks[9], "198.51.100.1").await, Err(Throttled::Client { .. })));
    assert!(issue(&db, &vault, niks[9], "198.51.100.3").await.is_ok(), "other addresses are not affected");
}

async fn citizen_sessions_open_close_and_close_everywhere(db: Db) {
    let vault = vault();
    let id = create(&db, &vault).await;
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    identity::open_citizen_session(&mut tx, id, "phone", "csrf", now + Duration::hours(1), Assurance::Basic)
        .await
        .unwrap();
    identity::open_citizen_session(&mut tx, id, "laptop", "csrf", now + Duration::hours(1), Assurance::Substantial)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let live = identity::live_session(&db, PrincipalKind::Citizen, "phone", now).await.unwrap().expect("live");
    assert_eq!((live.principal_id, live.citizen_assurance()), (id, Assurance::Basic));
    let laptop = identity::live_session(&db, PrincipalKind::Citizen, "laptop", now).await.unwrap().expect("live");
    assert_eq!(laptop.citizen_assurance(), Assurance::Substantial, "each session keeps the level it was opened at");
    assert!(
        identity::live_session(&db, PrincipalKind::Officer, "phone", now).await.unwrap().is_none(),
        "kinds are separate"
    );
    assert!(
        identity::live_session(&db, PrincipalKind::Citizen, "phone", now + Duration::hours(2)).await.unwrap().is_none(),
        "expired"
    );

    let mut tx = db.begin().await.unwrap();
    identity::close_session(&mut tx, PrincipalKind::Citizen, "phone", id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(identity::live_session(&db, PrincipalKind::Citizen, "phone", now).await.unwrap().is_none());
    assert!(identity::live_session(&db, PrincipalKind::Citizen, "laptop", now).await.unwrap().is_some());

    let mut tx = db.begin().await.unwrap();
    assert_eq!(identity::close_all_sessions(&mut tx, PrincipalKind::Citizen, id).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert!(identity::live_session(&db, PrincipalKind::Citizen, "laptop", now).await.unwrap().is_none());
    let leaves = audit::leaves_about(&db, &subject_of(&db, id).await).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "identity.citizen.create",
            "identity.citizen.sign_in",
            "identity.citizen.sign_in",
            "identity.citizen.sign_out",
            "identity.citizen.sign_out_everywhere"
        ]
    );
}

async fn the_public_log_names_citizens_by_pseudonym_and_verify_follows_older_leaves_by_id(db: Db) {
    let vault = vault();
    let maria = create(&db, &vault).await;
    let mut tx = db.begin().await.unwrap();
    let yohanes = citizens::create_citizen(
        &mut tx,
        &Actor::system("test"),
        &vault,
        &nik("5371011708850002"),
        &NewCitizen { full_name: "Yohanes Benu".into(), ..NewCitizen::default() },
    )
    .await
    .unwrap();
    for (id, token) in [(maria, "m"), (yohanes, "y")] {
        identity::open_citizen_session(&mut tx, id, token, "c", Utc::now() + Duration::hours(1), Assurance::Basic)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let size = audit::size(&db).await.unwrap() as i64;
    let leaves = audit::leaves(&db, 0, size).await.unwrap();
    let sign_ins: Vec<_> = leaves.iter().filter(|l| l.action == "identity.citizen.sign_in").collect();
    assert_eq!(sign_ins.len(), 2);
    for leaf in &sign_ins {
        assert_eq!(leaf.actor_role, "citizen");
        assert_eq!(leaf.actor_id, leaf.subject_id, "the citizen acts on their own record");
        assert!(leaf.actor_id.starts_with('p') && leaf.actor_id.len() == 33, "{}", leaf.actor_id);
        for id in [maria, yohanes] {
            assert_ne!(leaf.actor_id, id.to_string(), "no leaf names a citizen by record id");
        }
    }
    assert_ne!(sign_ins[0].actor_id, sign_ins[1].actor_id, "each citizen has their own pseudonym");
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());

    // A deployment upgraded from before pseudonyms holds leaves naming the record by id; the newest
    // leaf, by id or by pseudonym, is the one the record must match.
    let mut tx = db.begin().await.unwrap();
    audit::record_change(
        &mut tx,
        &Actor::system("test"),
        "identity.citizen.legacy",
        &audit::Subject::new("citizens", maria),
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "an older-style leaf is followed");
    let mut tx = db.begin().await.unwrap();
    citizens::set_contact(
        &mut tx,
        &Actor::system("test"),
        "identity.citizen.contact",
        &vault,
        maria,
        Channel::Email,
        "maria@baru.id",
        Assurance::Basic,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "the newer leaf by pseudonym wins over the one by id");

    // A pseudonym changed behind the log's back leaves the record without a leaf that vouches for it.
    db.execute(
        query("UPDATE citizens SET audit_pseudonym = $1 WHERE id = $2")
            .bind("p".to_owned() + &"0".repeat(32))
            .bind(yohanes),
    )
    .await
    .unwrap();
    let finding = audit::verify(&db, &[]).await.unwrap().expect_err("a moved pseudonym is found");
    assert!(finding.to_string().contains("citizens"), "{finding}");
}

async fn the_pending_sign_in_shows_only_a_masked_recipient(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "c").await.unwrap();
    let pending = codes::pending_sign_in(&db, &vault, &issued.pending_token, Utc::now()).await.unwrap().expect("open");
    assert_eq!(
        (pending.channel, pending.masked_recipient.as_str(), pending.attempts_left),
        (Channel::Whatsapp, "+62812••••011", 5)
    );
    assert!(codes::pending_sign_in(&db, &vault, "not-a-token", Utc::now()).await.unwrap().is_none());
    let mut tx = db.begin().await.unwrap();
    let result =
        codes::check_code(&mut tx, &vault, &issued.pending_token, None, code(&issued), Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(result, CodeCheck::Accepted { created: true, .. }));
    assert!(codes::pending_sign_in(&db, &vault, &issued.pending_token, Utc::now()).await.unwrap().is_none(), "used");
}
