use crate::support::{birth_certificate, fixture};
use balai_ledger::{verify_consistency, verify_inclusion};
use balai_store::audit::{self, Actor, Finding, Subject};
use balai_store::{Db, calendar, catalogue, dynamic_query, query};

crate::conformance!(
    every_catalogue_change_is_a_leaf_and_the_log_verifies,
    altering_a_stored_column_is_named,
    deleting_rows_is_named,
    swapping_rows_is_named,
    a_row_written_around_the_log_is_named,
    a_rewritten_leaf_is_caught_by_the_signed_checkpoint,
    an_altered_tree_node_is_named,
    proofs_from_the_store_verify_against_the_head,
    a_rolled_back_change_leaves_no_gap,
    concurrent_writers_get_a_total_order_without_gaps,
);

async fn a_service(db: &Db) -> (crate::support::Fixture, i64) {
    let f = fixture(db).await;
    let mut tx = db.begin().await.unwrap();
    let standard = birth_certificate(f.front_desk.id, f.records.id);
    let id = catalogue::create_service(&mut tx, &f.agency, "kependudukan", "AKTA-LAHIR", &standard, &Actor::officer(1))
        .await
        .unwrap();
    calendar::replace_year(
        &mut tx,
        &Actor::officer(1),
        f.government.id,
        2026,
        &[calendar::Holiday {
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(),
            name: "Natal".into(),
            kind: calendar::HolidayKind::LiburNasional,
        }],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (f, id)
}

async fn finding(db: &Db) -> Finding {
    match audit::verify(db, &[]).await.unwrap() {
        Ok((v, _)) => panic!("expected a finding, the log verified at size {}", v.size),
        Err(f) => f,
    }
}

async fn every_catalogue_change_is_a_leaf_and_the_log_verifies(db: Db) {
    let (f, service_id) = a_service(&db).await;
    let (size, root) = audit::head(&db).await.unwrap();
    // government, 2 categories, agency, 2 units, service + version, calendar year
    assert_eq!(size, 9);
    let (verified, _) = audit::verify(&db, &[]).await.unwrap().expect("untouched log verifies");
    assert_eq!((verified.size, verified.root), (size, root));

    let about_service = audit::leaves_about(&db, &Subject::new("services", service_id)).await.unwrap();
    assert_eq!(about_service.len(), 1);
    assert_eq!(about_service[0].action, "catalogue.service.create");
    assert_eq!((about_service[0].actor_role.as_str(), about_service[0].actor_id.as_str()), ("officer", "1"));
    assert_eq!(about_service[0].government_id, Some(f.government.id));
    assert!(about_service[0].state_hash.as_ref().is_some_and(|h| h.len() == 64));

    let mut tx = db.begin().await.unwrap();
    catalogue::update_maklumat(&mut tx, &Actor::officer(2), f.agency.id, "Maklumat baru").await.unwrap();
    tx.commit().await.unwrap();
    let about_agency = audit::leaves_about(&db, &Subject::new("agencies", f.agency.id)).await.unwrap();
    assert_eq!(about_agency.last().unwrap().action, "catalogue.agency.maklumat");
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "a recorded change keeps the log valid");

    let page = audit::leaves(&db, 0, 3).await.unwrap();
    assert_eq!(page.iter().map(|l| l.seq).collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(page[0].action, "catalogue.government.create");
}

async fn altering_a_stored_column_is_named(db: Db) {
    let (_, service_id) = a_service(&db).await;
    let (version_id,): (i64,) =
        db.fetch_one(query("SELECT id FROM service_versions WHERE service_id = $1").bind(service_id)).await.unwrap();
    db.execute(query("UPDATE service_versions SET fee = 50000 WHERE id = $1").bind(version_id)).await.unwrap();
    match finding(&db).await {
        Finding::AlteredRecord { table, id, .. } => {
            assert_eq!((table.as_str(), id), ("service_versions", version_id.to_string()))
        }
        other => panic!("unexpected {other}"),
    }
}

async fn deleting_rows_is_named(db: Db) {
    let (f, _) = a_service(&db).await;
    db.execute(query("DELETE FROM holidays WHERE government_id = $1").bind(f.government.id)).await.unwrap();
    let found = finding(&db).await;
    assert_eq!(
        found,
        Finding::AlteredRecord { index: 8, table: "calendar_years".into(), id: format!("{}/2026", f.government.id) },
        "{found}"
    );
    db.execute(query("DELETE FROM audit_leaves WHERE seq = 3")).await.unwrap();
    assert_eq!(finding(&db).await, Finding::MissingLeaf { index: 3, found: Some(4) });
}

async fn swapping_rows_is_named(db: Db) {
    let (_, _) = a_service(&db).await;
    // Swap the contents of leaves 1 and 2 (both categories), hashes included.
    let rows: Vec<(i64, String, String)> = db
        .fetch_all(query("SELECT seq, subject_id, leaf_hash FROM audit_leaves WHERE seq IN (1, 2) ORDER BY seq"))
        .await
        .unwrap();
    for (seq, other) in [(rows[0].0, &rows[1]), (rows[1].0, &rows[0])] {
        db.execute(
            query("UPDATE audit_leaves SET subject_id = $1, leaf_hash = $2 WHERE seq = $3")
                .bind(&other.1)
                .bind(&other.2)
                .bind(seq),
        )
        .await
        .unwrap();
    }
    match finding(&db).await {
        Finding::AlteredLeaf { index, table, .. } => assert_eq!((index, table.as_str()), (1, "service_categories")),
        other => panic!("unexpected {other}"),
    }
}

async fn a_row_written_around_the_log_is_named(db: Db) {
    let (f, _) = a_service(&db).await;
    let id: (i64,) = db
        .fetch_one(
            query("INSERT INTO service_categories (government_id, code, name_id, name_en) VALUES ($1, 'x', 'X', 'X') RETURNING id")
                .bind(f.government.id),
        )
        .await
        .unwrap();
    assert_eq!(
        finding(&db).await,
        Finding::UnrecordedRecord { table: "service_categories".into(), id: id.0.to_string() }
    );
}

async fn a_rewritten_leaf_is_caught_by_the_signed_checkpoint(db: Db) {
    let (_, _) = a_service(&db).await;
    let (size, root) = audit::head(&db).await.unwrap();
    assert!(audit::save_checkpoint(&db, size, &root, "note text").await.unwrap());
    assert!(!audit::save_checkpoint(&db, size, &root, "again").await.unwrap(), "one checkpoint per size");
    assert_eq!(audit::latest_checkpoint(&db).await.unwrap().unwrap().size, size as i64);
    // A careful forger rewrites leaf 5's action and recomputes its hash, the nodes and the head.
    let mut leaf = audit::leaves(&db, 5, 6).await.unwrap().remove(0);
    leaf.action = "catalogue.unit.forged".into();
    let forged_hash = audit::hex(&leaf.computed_hash());
    db.execute(
        query("UPDATE audit_leaves SET action = $1, leaf_hash = $2 WHERE seq = 5")
            .bind(&leaf.action)
            .bind(&forged_hash),
    )
    .await
    .unwrap();
    let all = audit::leaves(&db, 0, size as i64).await.unwrap();
    let mut range = balai_ledger::CompactRange::new();
    db.execute(query("DELETE FROM audit_nodes")).await.unwrap();
    for l in &all {
        let mut nodes = Vec::new();
        range.append_with(audit::unhex(&l.leaf_hash).unwrap(), |n| nodes.push(n)).unwrap();
        for n in nodes {
            db.execute(
                query("INSERT INTO audit_nodes (level, idx, hash) VALUES ($1, $2, $3)")
                    .bind(i64::from(n.id.level()))
                    .bind(n.id.index() as i64)
                    .bind(audit::hex(&n.hash)),
            )
            .await
            .unwrap();
        }
    }
    let frontier = range.frontier().iter().map(audit::hex).collect::<Vec<_>>().join(",");
    db.execute(query("UPDATE audit_head SET frontier = $1").bind(frontier)).await.unwrap();
    assert_eq!(finding(&db).await, Finding::CheckpointMismatch { size: size as i64 });
}

async fn an_altered_tree_node_is_named(db: Db) {
    let (_, _) = a_service(&db).await;
    db.execute(dynamic_query(format!(
        "UPDATE audit_nodes SET hash = '{}' WHERE level = 2 AND idx = 1",
        "00".repeat(32)
    )))
    .await
    .unwrap();
    assert_eq!(finding(&db).await, Finding::AlteredNode { level: 2, index: 1 });
}

async fn proofs_from_the_store_verify_against_the_head(db: Db) {
    let (_, _) = a_service(&db).await;
    let (size, root) = audit::head(&db).await.unwrap();
    for n in 1..=size {
        let root_n = audit::root_at(&db, n).await.unwrap();
        for i in 0..n {
            let (leaf, proof) = audit::inclusion_proof(&db, i, n).await.unwrap();
            verify_inclusion(&leaf, i, n, &proof, &root_n).unwrap_or_else(|e| panic!("inclusion {i} in {n}: {e}"));
        }
        let proof = audit::consistency_proof(&db, n, size).await.unwrap();
        verify_consistency(n, size, &proof, &root_n, &root).unwrap_or_else(|e| panic!("consistency {n}..{size}: {e}"));
    }
    assert!(matches!(
        audit::inclusion_proof(&db, 0, size + 1).await,
        Err(audit::ProofRequestError::OutOfRange { param: "size", .. })
    ));
    assert!(matches!(
        audit::inclusion_proof(&db, size, size).await,
        Err(audit::ProofRequestError::OutOfRange { param: "index", .. })
    ));
    assert!(matches!(
        audit::consistency_proof(&db, 3, size + 1).await,
        Err(audit::ProofRequestError::OutOfRange { param: "to", .. })
    ));
    assert!(matches!(
        audit::consistency_proof(&db, 5, 3).await,
        Err(audit::ProofRequestError::OutOfRange { param: "from", .. })
    ));
}

async fn a_rolled_back_change_leaves_no_gap(db: Db) {
    let (f, _) = a_service(&db).await;
    let (before, _) = audit::head(&db).await.unwrap();
    {
        let mut tx = db.begin().await.unwrap();
        catalogue::update_maklumat(&mut tx, &Actor::officer(1), f.agency.id, "dibatalkan").await.unwrap();
        // dropped: rolled back
    }
    assert_eq!(audit::head(&db).await.unwrap().0, before);
    let mut tx = db.begin().await.unwrap();
    catalogue::update_maklumat(&mut tx, &Actor::officer(1), f.agency.id, "jadi").await.unwrap();
    tx.commit().await.unwrap();
    let last = audit::leaves(&db, before as i64, before as i64 + 1).await.unwrap();
    assert_eq!(last.len(), 1, "the next change takes the freed number");
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn concurrent_writers_get_a_total_order_without_gaps(db: Db) {
    let f = fixture(&db).await;
    let (before, _) = audit::head(&db).await.unwrap();
    let writers = 12;
    let each = 8;
    let mut handles = Vec::new();
    for w in 0..writers {
        let db = db.clone();
        let agency_id = f.agency.id;
        handles.push(tokio::spawn(async move {
            for i in 0..each {
                let mut tx = db.begin().await.unwrap();
                catalogue::update_maklumat(&mut tx, &Actor::officer(w), agency_id, &format!("penulis {w} ke-{i}"))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let (after, _) = audit::head(&db).await.unwrap();
    assert_eq!(after - before, (writers * each) as u64);
    let leaves = audit::leaves(&db, 0, after as i64).await.unwrap();
    assert_eq!(
        leaves.iter().map(|l| l.seq).collect::<Vec<_>>(),
        (0..after as i64).collect::<Vec<_>>(),
        "no gaps, no duplicates"
    );
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok(), "the last maklumat matches the last leaf");
}
