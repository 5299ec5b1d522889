//! Citizens, their sealed personal data, one-time codes and citizen sessions.

use balai_domain::contact::Channel;
use balai_domain::nik::{Nik, Sex};
use balai_store::audit::{self, Actor};
use balai_store::identity::citizens::{self, HeldDocument, NewCitizen};
use balai_store::identity::codes::{self, CodeCheck, Throttled};
use balai_store::identity::{self, PrincipalKind, Vault};
use balai_store::{Db, query};
use chrono::{Duration, NaiveDate, Utc};

crate::conformance!(
    personal_data_is_sealed_at_rest_and_opens_for_the_record,
    held_documents_and_contacts_are_part_of_the_audited_record,
    the_right_code_signs_in_and_creates_the_record_once,
    wrong_codes_count_down_and_a_dead_code_stays_dead,
    codes_expire_after_five_minutes,
    a_new_code_replaces_the_open_one,
    codes_are_throttled_per_nik_and_per_client,
    citizen_sessions_open_close_and_close_everywhere,
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
    citizens::set_contact(&mut tx, &actor, &vault, id, Channel::Email, "maria@baru.id").await.unwrap();
    tx.commit().await.unwrap();

    let record = citizens::citizen(&db, &vault, id).await.unwrap().unwrap();
    assert_eq!(record.documents, vec![akta]);
    assert_eq!(record.email.as_deref(), Some("maria@baru.id"));
    let raw = db.fetch_text_rows(query("SELECT number_enc FROM citizen_documents")).await.unwrap();
    assert!(!raw[0][0].as_deref().unwrap().contains("0021"), "document numbers are sealed");

    let leaves = audit::leaves_about(&db, &audit::Subject::new("citizens", id)).await.unwrap();
    let actions: Vec<&str> = leaves.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(actions, ["identity.citizen.create", "identity.citizen.document", "identity.citizen.contact"]);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "the log vouches for the record");

    // A record changed behind the log's back is named by verify.
    db.execute(query("UPDATE citizens SET full_name = 'Orang Lain' WHERE id = $1").bind(id)).await.unwrap();
    let finding = audit::verify(&db, &[]).await.unwrap().expect_err("tampering is found");
    assert!(finding.to_string().contains("citizens"), "{finding}");
}

async fn issue(db: &Db, vault: &Vault, nik_text: &str, client: &str) -> Result<codes::IssuedCode, Throttled> {
    let mut tx = db.begin().await.unwrap();
    let issued =
        codes::issue_code(&mut tx, vault, &nik(nik_text), Channel::Whatsapp, "+6281234500011", client, Utc::now())
            .await
            .unwrap();
    tx.commit().await.unwrap();
    issued
}

async fn check(db: &Db, vault: &Vault, nik_text: &str, code: &str) -> CodeCheck {
    let mut tx = db.begin().await.unwrap();
    let result = codes::check_code_for_nik(&mut tx, vault, &nik(nik_text), code, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    result
}

fn another(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

async fn the_right_code_signs_in_and_creates_the_record_once(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "203.0.113.7").await.unwrap();
    assert_eq!(issued.code.len(), 6);
    assert!(issued.expires_at > Utc::now() + Duration::minutes(4));
    let raw = db
        .fetch_text_rows(query("SELECT code_hash, recipient_enc, nik_enc, client_hash FROM one_time_codes"))
        .await
        .unwrap();
    let stored = raw[0].iter().flatten().cloned().collect::<Vec<_>>().join(" ");
    assert!(!stored.contains(&issued.code) && !stored.contains(NIK) && !stored.contains("203.0.113.7"));

    let CodeCheck::Accepted { citizen_id, created: true } = check(&db, &vault, NIK, &issued.code).await else {
        panic!("the right code signs in and creates the record")
    };
    let record = citizens::citizen(&db, &vault, citizen_id).await.unwrap().unwrap();
    assert_eq!((record.nik.as_str(), record.phone.as_deref()), (NIK, Some("+6281234500011")));
    assert_eq!(check(&db, &vault, NIK, &issued.code).await, CodeCheck::NoOpenCode, "a code works once");

    let second = issue(&db, &vault, NIK, "203.0.113.7").await.unwrap();
    assert_eq!(check(&db, &vault, NIK, &second.code).await, CodeCheck::Accepted { citizen_id, created: false });
    assert_eq!(citizens::count(&db).await.unwrap(), 1);
}

async fn wrong_codes_count_down_and_a_dead_code_stays_dead(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "c").await.unwrap();
    let wrong = another(&issued.code);
    for left in (0..codes::CODE_ATTEMPTS).rev() {
        assert_eq!(check(&db, &vault, NIK, &wrong).await, CodeCheck::Wrong { attempts_left: left });
    }
    assert_eq!(check(&db, &vault, NIK, &issued.code).await, CodeCheck::NoOpenCode, "locked after 5 wrong attempts");
    assert_eq!(citizens::count(&db).await.unwrap(), 0);
}

async fn codes_expire_after_five_minutes(db: Db) {
    let vault = vault();
    let issued = issue(&db, &vault, NIK, "c").await.unwrap();
    let later = Utc::now() + Duration::minutes(codes::CODE_MINUTES) + Duration::seconds(1);
    let mut tx = db.begin().await.unwrap();
    let result = codes::check_code_for_nik(&mut tx, &vault, &nik(NIK), &issued.code, later).await.unwrap();
    assert_eq!(result, CodeCheck::NoOpenCode);
}

async fn a_new_code_replaces_the_open_one(db: Db) {
    let vault = vault();
    let first = issue(&db, &vault, NIK, "c").await.unwrap();
    let second = issue(&db, &vault, NIK, "c").await.unwrap();
    if first.code != second.code {
        assert_eq!(check(&db, &vault, NIK, &first.code).await, CodeCheck::Wrong { attempts_left: 4 });
    }
    assert!(matches!(check(&db, &vault, NIK, &second.code).await, CodeCheck::Accepted { .. }));
}

async fn codes_are_throttled_per_nik_and_per_client(db: Db) {
    let vault = vault();
    for _ in 0..codes::MAX_CODES_PER_NIK {
        issue(&db, &vault, NIK, "198.51.100.1").await.unwrap();
    }
    let Err(Throttled::Nik { retry_after_seconds }) = issue(&db, &vault, NIK, "198.51.100.2").await else {
        panic!("the fourth code for one NIK within 15 minutes is refused")
    };
    assert!((1..=codes::THROTTLE_WINDOW_MINUTES * 60).contains(&retry_after_seconds));

    // Many NIKs from one address: the per-address limit (the NIK limit is per NIK).
    let niks = [
        "5371011708850002",
        "5371011708850003",
        "5371011708850004",
        "5371011708850005",
        "5371011708850006",
        "5371011708850007",
        "5371011708850008",
        "5371011708850009",
        "5371011708850010",
        "5371011708850011",
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
    for token in ["phone", "laptop"] {
        identity::open_session(&mut tx, PrincipalKind::Citizen, id, token, "csrf", now + Duration::hours(1))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let live = identity::live_session(&db, PrincipalKind::Citizen, "phone", now).await.unwrap().expect("live");
    assert_eq!(live.principal_id, id);
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
    let leaves = audit::leaves_about(&db, &audit::Subject::new("citizens", id)).await.unwrap();
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
        codes::check_code_for_pending(&mut tx, &vault, &issued.pending_token, &issued.code, Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(result, CodeCheck::Accepted { created: true, .. }));
    assert!(codes::pending_sign_in(&db, &vault, &issued.pending_token, Utc::now()).await.unwrap().is_none(), "used");
}
