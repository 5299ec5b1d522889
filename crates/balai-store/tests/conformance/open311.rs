//! Open311 client applications and what the GeoReport v2 API reads: a key is shown once, kept as a
//! hash, works until it is revoked, and only a government's administrator adds or revokes one; the
//! reads list public reports only, with redacted texts, filtered and bounded.

use crate::complaints::{World, at, monday, report, vault, world};
use balai_domain::complaints::{ComplaintEvent, ComplaintStatus};
use balai_domain::identity::Role;
use balai_store::audit::{self, Actor};
use balai_store::complaints::open311::{self, RequestFilter};
use balai_store::complaints::{self, Instruction, NewReport};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::{Db, StoreError, query};

crate::conformance!(
    a_key_works_until_it_is_revoked_and_only_an_administrator_manages_keys,
    the_reads_show_public_reports_only_with_redacted_texts_and_honour_their_filters,
);

async fn a_key_works_until_it_is_revoked_and_only_an_administrator_manages_keys(db: Db) {
    let w: World = world(&db).await;
    let (client, key) =
        open311::create_client_as_officer(&db, w.admin, Some(w.f.government.id), " Aplikasi Warga ", monday())
            .await
            .unwrap();
    assert_eq!(client.name, "Aplikasi Warga");
    assert_eq!(client.created_by, Some(w.admin));
    assert!(client.serves(w.f.government.id) && !client.serves(w.f.government.id + 1000));
    let (stored,): (String,) =
        db.fetch_one(query("SELECT key_hash FROM open311_clients WHERE id = $1").bind(client.id)).await.unwrap();
    assert_ne!(stored, key, "the key itself is not kept");
    assert_eq!(open311::client_by_key(&db, &key).await.unwrap(), Some(client.clone()));
    assert_eq!(open311::client_by_key(&db, "kunci-tebakan").await.unwrap(), None);
    assert_eq!(open311::client_by_key(&db, "").await.unwrap(), None);

    // An agency's officer may neither add nor revoke; a government's admin may not add a key for
    // every government of the deployment.
    let refused =
        open311::create_client_as_officer(&db, w.agency_officer, Some(w.f.government.id), "X", monday()).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let refused = open311::create_client_as_officer(&db, w.admin, None, "Semua", monday()).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let refused = open311::revoke_as_officer(&db, w.agency_officer, client.id, monday()).await;
    assert!(matches!(refused, Err(StoreError::Forbidden)), "{refused:?}");
    let refused = open311::create_client_as_officer(&db, w.admin, Some(w.f.government.id), "  ", monday()).await;
    assert!(matches!(&refused, Err(StoreError::Invalid(e)) if e.0.iter().any(|f| f.field == "name")), "{refused:?}");
    assert_eq!(open311::client_by_key(&db, &key).await.unwrap(), Some(client.clone()), "still valid");

    // A deployment-wide administrator adds one for every government.
    let mut tx = db.begin().await.unwrap();
    let root = officers::create_officer(
        &mut tx,
        &Actor::system("test"),
        &NewOfficer {
            government_id: None,
            agency_id: None,
            unit_id: None,
            role: Role::GovernmentAdmin,
            username: "root",
            display_name: "Root",
            password_hash: "!",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (everywhere, other_key) =
        open311::create_client_as_officer(&db, root, None, "Nasional", monday()).await.unwrap();
    assert!(everywhere.serves(w.f.government.id) && everywhere.serves(w.f.government.id + 1000));
    assert_ne!(other_key, key);
    let listed: Vec<i64> = open311::list(&db).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(listed, vec![everywhere.id, client.id], "newest first");

    let before = audit::size(&db).await.unwrap();
    open311::revoke_as_officer(&db, w.admin, client.id, at(8, 9)).await.unwrap();
    assert_eq!(audit::size(&db).await.unwrap(), before + 1, "the revocation is a leaf");
    assert_eq!(open311::client_by_key(&db, &key).await.unwrap(), None, "a revoked key is refused");
    open311::revoke_as_officer(&db, w.admin, client.id, at(8, 10)).await.unwrap();
    assert_eq!(audit::size(&db).await.unwrap(), before + 1, "revoking twice changes nothing");
    let revoked = open311::list(&db).await.unwrap().into_iter().find(|c| c.id == client.id).unwrap();
    assert_eq!(revoked.revoked_at, Some(at(8, 9)));
    assert!(!revoked.serves(w.f.government.id));
    let missing = open311::revoke_as_officer(&db, w.admin, client.id + 1000, at(8, 10)).await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");
    if let Err(finding) = audit::verify(&db, &[]).await.unwrap() {
        panic!("a client row without its leaf: {finding}");
    }
}

async fn the_reads_show_public_reports_only_with_redacted_texts_and_honour_their_filters(db: Db) {
    let w = world(&db).await;
    let (client, _) =
        open311::create_client_as_officer(&db, w.admin, Some(w.f.government.id), "Aplikasi", monday()).await.unwrap();
    let text = "Lubang besar, hubungi saya di 081234567890.";
    let mut public = report(&w, "", text);
    public.open311_client_id = Some(client.id);
    let public = complaints::file_report(&db, &vault(), &public, monday()).await.unwrap();
    let secret = NewReport { confidential: true, ..report(&w, "", "Rahasia: pungutan liar di loket.") };
    let secret = complaints::file_report(&db, &vault(), &secret, at(7, 10)).await.unwrap();
    let later = NewReport { category_code: "SAMPAH", ..report(&w, "", "Sampah belum diangkut.") };
    let later = complaints::file_report(&db, &vault(), &later, at(8, 10)).await.unwrap();
    let closing = Instruction { reason: "Ditutup; info lanjut ke petugas@contoh.id", ..Instruction::default() };
    complaints::act_as_officer(
        &db,
        &vault(),
        w.desk_officer,
        later.case_id,
        ComplaintEvent::CloseUnresolved,
        &closing,
        at(8, 11),
    )
    .await
    .unwrap();

    let gov = w.f.government.id;
    let all = open311::requests(&db, gov, &RequestFilter::default(), 100).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|r| r.tracking_number.as_str()).collect();
    assert_eq!(ids, vec![later.tracking_number.as_str(), public.tracking_number.as_str()], "newest first, no rahasia");
    let first = &all[1];
    assert!(!first.closed && first.status == ComplaintStatus::Submitted);
    assert!(!first.description.contains("081234567890") && first.description.starts_with("Lubang besar"));
    assert_eq!(first.expected_at, public.due_at);
    assert_eq!(first.requested_at, monday());
    assert_eq!(first.service_code, "JALAN-RUSAK");
    assert!(first.location.is_some_and(|p| (p.lat + 10.1772).abs() < 1e-6 && (p.lon - 123.607).abs() < 1e-6));
    let closed = &all[0];
    assert!(closed.closed && closed.status == ComplaintStatus::Unresolved);
    assert!(closed.status_notes.starts_with("Ditutup") && !closed.status_notes.contains("petugas@contoh.id"));
    assert_eq!(closed.updated_at, at(8, 11));

    assert_eq!(open311::request(&db, gov, secret.tracking_number.as_str()).await.unwrap(), None);
    assert_eq!(open311::request(&db, gov + 1000, public.tracking_number.as_str()).await.unwrap(), None);
    assert_eq!(open311::request(&db, gov, "BUKAN-NOMOR").await.unwrap(), None);
    let found = open311::request(&db, gov, &public.tracking_number.as_str().to_lowercase()).await.unwrap();
    assert_eq!(found.map(|r| r.case_id), Some(public.case_id), "a number is found however it is cased");

    let only = |filter: RequestFilter| {
        let db = db.clone();
        async move {
            let found = open311::requests(&db, gov, &filter, 100).await.unwrap();
            found.into_iter().map(|r| r.case_id).collect::<Vec<_>>()
        }
    };
    let ids = vec![public.tracking_number.as_str().to_string(), secret.tracking_number.as_str().to_string()];
    assert_eq!(only(RequestFilter { ids, ..RequestFilter::default() }).await, vec![public.case_id]);
    assert_eq!(only(RequestFilter { open: Some(false), ..RequestFilter::default() }).await, vec![later.case_id]);
    assert_eq!(only(RequestFilter { open: Some(true), ..RequestFilter::default() }).await, vec![public.case_id]);
    assert_eq!(only(RequestFilter { since: Some(at(8, 0)), ..RequestFilter::default() }).await, vec![later.case_id]);
    assert_eq!(only(RequestFilter { until: Some(at(8, 0)), ..RequestFilter::default() }).await, vec![public.case_id]);
    let bad_ids = RequestFilter { ids: vec!["x".into()], ..RequestFilter::default() };
    assert!(only(bad_ids).await.is_empty());
    assert_eq!(open311::requests(&db, gov, &RequestFilter::default(), 1).await.unwrap().len(), 1, "bounded");

    let updates = open311::updates(&db, gov, None, None, 100).await.unwrap();
    assert!(updates.iter().all(|u| u.tracking_number != secret.tracking_number.as_str()), "no rahasia update");
    let last = updates.last().unwrap();
    assert_eq!(last.tracking_number, later.tracking_number.as_str());
    assert_eq!(last.status, ComplaintStatus::Unresolved);
    assert!(last.description.starts_with("Ditutup") && !last.description.contains("petugas@contoh.id"));
    let recent = open311::updates(&db, gov, Some(at(8, 10)), None, 100).await.unwrap();
    assert!(recent.iter().all(|u| u.at >= at(8, 10)) && recent.iter().any(|u| u.at == at(8, 11)));
    assert!(
        open311::updates(&db, gov, None, Some(monday() - chrono::Duration::days(1)), 100).await.unwrap().is_empty()
    );
}
