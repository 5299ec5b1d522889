use balai_store::audit::Actor;
use balai_store::identity;
use balai_store::{Db, StoreError};
use chrono::{Duration, Utc};

crate::conformance!(an_admin_signs_in_and_out, expired_sessions_do_not_open_and_are_purged, usernames_are_unique);

async fn an_admin(db: &Db, username: &str) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = identity::create_admin(&mut tx, &Actor::system("test"), None, username, "Admin Balai", "$argon2id$fake")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn an_admin_signs_in_and_out(db: Db) {
    let id = an_admin(&db, "admin").await;
    let admin = identity::admin_by_username(&db, "admin").await.unwrap().expect("admin exists");
    assert_eq!((admin.id, admin.display_name.as_str(), admin.government_id), (id, "Admin Balai", None));
    assert!(identity::admin_by_username(&db, "nobody").await.unwrap().is_none());

    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    identity::create_session(&mut tx, "hash-1", id, "csrf-1", now + Duration::hours(8)).await.unwrap();
    tx.commit().await.unwrap();
    let session = identity::session(&db, "hash-1", now).await.unwrap().expect("live session");
    assert_eq!((session.admin_id, session.username.as_str(), session.csrf_token.as_str()), (id, "admin", "csrf-1"));
    let mut tx = db.begin().await.unwrap();
    identity::delete_session(&mut tx, "hash-1", id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(identity::session(&db, "hash-1", now).await.unwrap().is_none(), "signed out");
}

async fn expired_sessions_do_not_open_and_are_purged(db: Db) {
    let id = an_admin(&db, "admin").await;
    let now = Utc::now();
    let mut tx = db.begin().await.unwrap();
    identity::create_session(&mut tx, "old", id, "c", now - Duration::minutes(1)).await.unwrap();
    identity::create_session(&mut tx, "new", id, "c", now + Duration::minutes(30)).await.unwrap();
    tx.commit().await.unwrap();
    assert!(identity::session(&db, "old", now).await.unwrap().is_none());
    assert_eq!(identity::purge_expired_sessions(&db, now).await.unwrap(), 1);
    assert!(identity::session(&db, "new", now).await.unwrap().is_some());
}

async fn usernames_are_unique(db: Db) {
    an_admin(&db, "admin").await;
    let mut tx = db.begin().await.unwrap();
    let again = identity::create_admin(&mut tx, &Actor::system("test"), None, "admin", "Other", "x").await;
    assert!(matches!(again, Err(StoreError::Database(_))));
}
