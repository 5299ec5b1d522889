use crate::support::{birth_certificate, fixture};
use balai_ledger::{verify_consistency, verify_inclusion};
use balai_store::audit::{self, Actor, Finding, Subject};
use balai_store::{Db, calendar, catalogue, query};

crate::conformance!(
    every_catalogue_change_is_a_leaf_and_the_log_verifies,
    altering_a_stored_column_is_named,
    deleting_rows_is_named,
    swapping_rows_is_named,
    an_edited_entry_is_named_with_its_record,
    tampering_with_a_sealed_bundle_is_named,
    a_row_written_around_the_log_is_named,
    a_rewritten_leaf_is_caught_by_the_signed_checkpoint,
    an_altered_tree_node_is_named,
    proofs_from_the_store_verify_against_the_head,
    proofs_and_leaves_cross_bundle_and_tile_edges,
    a_rolled_back_change_leaves_no_gap,
    concurrent_writers_get_a_total_order_without_gaps,
    readers_see_every_leaf_while_bundles_are_sealed,
    a_log_in_the_first_layout_is_converted_and_still_verifies,
    a_first_layout_log_altered_before_the_upgrade_is_refused,
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

/// A small log is all tail: one row per leaf, `(entry, leaf hash)`.
async fn tail(db: &Db) -> Vec<(String, Vec<u8>)> {
    db.fetch_all(query("SELECT entry, leaf_hash FROM audit_tail ORDER BY seq")).await.unwrap()
}

async fn store_tail_row(db: &Db, seq: i64, (entry, hash): &(String, Vec<u8>)) {
    db.execute(
        query("UPDATE audit_tail SET entry = $1, leaf_hash = $2 WHERE seq = $3")
            .bind(entry)
            .bind(hash.clone())
            .bind(seq),
    )
    .await
    .unwrap();
}

/// What a careful forger does after editing entries: recompute their hashes and the head, so only a
/// checkpoint signed before the edit (or the entries' own sequence numbers) can tell.
async fn reseal_tail_and_head(db: &Db) {
    let mut range = balai_ledger::CompactRange::new();
    let rows: Vec<(i64, String)> = db.fetch_all(query("SELECT seq, entry FROM audit_tail ORDER BY seq")).await.unwrap();
    for (seq, entry) in rows {
        let hash = balai_ledger::leaf_hash(entry.as_bytes());
        db.execute(query("UPDATE audit_tail SET leaf_hash = $1 WHERE seq = $2").bind(hash.to_vec()).bind(seq))
            .await
            .unwrap();
        range.append(hash).unwrap();
    }
    let frontier = range.frontier().iter().map(audit::hex).collect::<Vec<_>>().join(",");
    db.execute(query("UPDATE audit_head SET size = $1, frontier = $2").bind(range.size() as i64).bind(frontier))
        .await
        .unwrap();
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
    // Now a leaf itself.
    db.execute(query("DELETE FROM audit_tail WHERE seq = 3")).await.unwrap();
    assert_eq!(finding(&db).await, Finding::MissingLeaf { index: 3, found: Some(4) });
    // Even when the forger also rebuilds the head, the gap in the sequence shows.
    reseal_tail_and_head(&db).await;
    assert_eq!(finding(&db).await, Finding::MissingLeaf { index: 3, found: Some(4) });
}

async fn swapping_rows_is_named(db: Db) {
    let (_, _) = a_service(&db).await;
    // Swap leaves 1 and 2 (both categories), hashes included.
    let rows = tail(&db).await;
    store_tail_row(&db, 1, &rows[2]).await;
    store_tail_row(&db, 2, &rows[1]).await;
    reseal_tail_and_head(&db).await;
    let found = finding(&db).await;
    assert_eq!(found, Finding::MissingLeaf { index: 1, found: Some(2) });
    assert_eq!(found.to_string(), "missing or reordered leaf: expected index 1, found 2");
}

async fn an_edited_entry_is_named_with_its_record(db: Db) {
    let (_, _) = a_service(&db).await;
    let original = tail(&db).await;
    let (entry, hash) = &original[1];
    let edited = entry.replace("catalogue.category.create", "catalogue.category.delete");
    assert_ne!(&edited, entry, "the test edits something");
    store_tail_row(&db, 1, &(edited, hash.clone())).await;
    match finding(&db).await {
        Finding::AlteredLeaf { index, table, .. } => assert_eq!((index, table.as_str()), (1, "service_categories")),
        other => panic!("unexpected {other}"),
    }
    // An entry cut short is not read as anything.
    store_tail_row(&db, 1, &original[1]).await;
    let (entry, hash) = &original[4];
    store_tail_row(&db, 4, &(entry[..40].to_owned(), hash.clone())).await;
    assert_eq!(finding(&db).await, Finding::UnreadableLeaf { index: 4 });
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
    // A careful forger rewrites leaf 5's action and recomputes its hash and the head.
    let mut leaf = audit::leaves(&db, 5, 6).await.unwrap().remove(0);
    leaf.action = "catalogue.unit.forged".into();
    store_tail_row(&db, 5, &(String::from_utf8(leaf.entry_bytes()).unwrap(), Vec::new())).await;
    reseal_tail_and_head(&db).await;
    assert_eq!(finding(&db).await, Finding::CheckpointMismatch { size: size as i64 });
}

/// Enough leaves for a second tile row: nodes of level 8 and above live in tile level 1.
async fn a_log_of(db: &Db, leaves: i64) {
    let mut tx = db.begin().await.unwrap();
    for i in 0..leaves {
        audit::record_event(&mut tx, &Actor::system("test"), "test.event", &Subject::new("events", i), None, None)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn an_altered_tree_node_is_named(db: Db) {
    a_log_of(&db, 600).await;
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
    // Tile (1, 0) holds the level-8 nodes 0 and 1 (leaves 0..512); zero the second.
    db.execute(
        query("UPDATE audit_tiles SET hashes = CAST(substr(hashes, 1, 32) || $1 AS BLOB) WHERE level = 1 AND idx = 0")
            .bind(vec![0u8; 32]),
    )
    .await
    .unwrap();
    assert_eq!(finding(&db).await, Finding::AlteredNode { level: 8, index: 1 });
    // A leaf hash missing from the bottom tile names the leaf.
    db.execute(query(
        "UPDATE audit_tiles SET hashes = CAST(substr(hashes, 1, 320) AS BLOB) WHERE level = 0 AND idx = 1",
    ))
    .await
    .unwrap();
    assert_eq!(finding(&db).await, Finding::AlteredLeaf { index: 266, table: "events".into(), id: "266".into() });
}

/// The lines of sealed bundle `idx`.
async fn bundle(db: &Db, idx: i64) -> Vec<String> {
    let (entries,): (String,) =
        db.fetch_one(query("SELECT entries FROM audit_bundles WHERE idx = $1").bind(idx)).await.unwrap();
    entries.split('\n').map(str::to_owned).collect()
}

async fn store_bundle(db: &Db, idx: i64, lines: &[String]) {
    db.execute(query("UPDATE audit_bundles SET entries = $1 WHERE idx = $2").bind(lines.join("\n")).bind(idx))
        .await
        .unwrap();
}

async fn tampering_with_a_sealed_bundle_is_named(db: Db) {
    a_log_of(&db, 600).await;
    let original = bundle(&db, 1).await;
    assert_eq!(original.len(), 256, "a sealed bundle holds 256 leaves");
    let mut lines = original.clone();
    lines[10] = lines[10].replace("test.event", "test.evenT");
    store_bundle(&db, 1, &lines).await;
    assert_eq!(finding(&db).await, Finding::AlteredLeaf { index: 266, table: "events".into(), id: "266".into() });
    let mut lines = original.clone();
    lines.swap(20, 21);
    store_bundle(&db, 1, &lines).await;
    assert_eq!(finding(&db).await, Finding::MissingLeaf { index: 276, found: Some(277) });
    let mut lines = original.clone();
    lines.pop();
    store_bundle(&db, 1, &lines).await;
    assert_eq!(finding(&db).await, Finding::MissingLeaf { index: 511, found: Some(512) });
    db.execute(query("DELETE FROM audit_bundles WHERE idx = 1")).await.unwrap();
    assert_eq!(finding(&db).await, Finding::MissingLeaf { index: 256, found: Some(512) });
}

async fn proofs_and_leaves_cross_bundle_and_tile_edges(db: Db) {
    a_log_of(&db, 600).await;
    let (size, root) = audit::head(&db).await.unwrap();
    assert_eq!(size, 600);
    let leaves = audit::leaves(&db, 250, 520).await.unwrap();
    assert_eq!(leaves.iter().map(|l| l.seq).collect::<Vec<_>>(), (250..520).collect::<Vec<_>>());
    for n in [1u64, 255, 256, 257, 511, 512, 513, 600] {
        let root_n = audit::root_at(&db, n).await.unwrap();
        for i in [0, n / 3, n / 2, n - 1] {
            let (leaf, proof) = audit::inclusion_proof(&db, i, n).await.unwrap();
            verify_inclusion(&leaf, i, n, &proof, &root_n).unwrap_or_else(|e| panic!("inclusion {i} in {n}: {e}"));
        }
        let proof = audit::consistency_proof(&db, n, size).await.unwrap();
        verify_consistency(n, size, &proof, &root_n, &root).unwrap_or_else(|e| panic!("consistency {n}..{size}: {e}"));
    }
    // The log grows past the edges and the old proofs still hold.
    a_log_of(&db, 100).await;
    let (leaf, proof) = audit::inclusion_proof(&db, 599, 600).await.unwrap();
    verify_inclusion(&leaf, 599, 600, &proof, &root).unwrap();
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
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
    // Enough appends to seal a bundle while writers race.
    let each = 24;
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

/// Puts the current log back in the first storage layout (one row per leaf), as a database written
/// before the tiled layout would hold it.
async fn back_to_the_first_layout(db: &Db) {
    let time = if db.backend() == balai_store::Backend::Postgres { "TIMESTAMPTZ" } else { "TEXT" };
    let leaves = audit::leaves(db, 0, audit::size(db).await.unwrap() as i64).await.unwrap();
    db.execute(balai_store::dynamic_query(format!(
        "CREATE TABLE audit_leaves_v1 (seq BIGINT PRIMARY KEY, government_id BIGINT, recorded_at {time} NOT NULL, \
         actor_role TEXT NOT NULL, actor_id TEXT NOT NULL, action TEXT NOT NULL, subject_table TEXT NOT NULL, \
         subject_id TEXT NOT NULL, state_hash TEXT, purpose TEXT, leaf_hash TEXT NOT NULL)"
    )))
    .await
    .unwrap();
    db.execute(query("CREATE TABLE audit_nodes_v1 (level BIGINT NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL)"))
        .await
        .unwrap();
    for l in leaves {
        db.execute(
            query(
                "INSERT INTO audit_leaves_v1 (seq, government_id, recorded_at, actor_role, actor_id, action, subject_table, \
                 subject_id, state_hash, purpose, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(l.seq)
            .bind(l.government_id)
            .bind(l.recorded_at)
            .bind(l.actor_role)
            .bind(l.actor_id)
            .bind(l.action)
            .bind(l.subject_table)
            .bind(l.subject_id)
            .bind(l.state_hash)
            .bind(l.purpose)
            .bind(l.leaf_hash),
        )
        .await
        .unwrap();
    }
    for table in ["audit_bundles", "audit_tiles", "audit_tail"] {
        db.execute(balai_store::dynamic_query(format!("DELETE FROM {table}"))).await.unwrap();
    }
    db.execute(query("UPDATE audit_head SET layout = 1")).await.unwrap();
}

async fn a_log_in_the_first_layout_is_converted_and_still_verifies(db: Db) {
    let (_, _) = a_service(&db).await;
    a_log_of(&db, 300).await;
    let (size, root) = audit::head(&db).await.unwrap();
    let before = audit::leaves(&db, 0, size as i64).await.unwrap();
    assert!(audit::save_checkpoint(&db, size, &root, "signed before the upgrade").await.unwrap());
    assert!(db.schema_is_current().await.unwrap());
    back_to_the_first_layout(&db).await;
    assert!(!db.schema_is_current().await.unwrap(), "read-only commands can tell an unconverted log");

    db.migrate().await.expect("the upgrade converts the log");
    assert!(db.schema_is_current().await.unwrap());
    assert_eq!(audit::head(&db).await.unwrap(), (size, root));
    assert_eq!(audit::leaves(&db, 0, size as i64).await.unwrap(), before, "every leaf is the same leaf");
    let (verified, _) = audit::verify(&db, &[]).await.unwrap().expect("the converted log verifies");
    assert_eq!(verified.root, root, "and matches the checkpoint signed before");
    assert!(db.execute(query("SELECT 1 FROM audit_leaves_v1")).await.is_err(), "the old tables are gone");
    // The log goes on from where it was.
    a_log_of(&db, 1).await;
    assert_eq!(audit::size(&db).await.unwrap(), size + 1);
    assert!(audit::verify(&db, &[]).await.unwrap().is_ok());
}

async fn a_first_layout_log_altered_before_the_upgrade_is_refused(db: Db) {
    let (_, _) = a_service(&db).await;
    back_to_the_first_layout(&db).await;
    db.execute(query("UPDATE audit_leaves_v1 SET action = 'catalogue.unit.forged' WHERE seq = 5")).await.unwrap();
    let refused = db.migrate().await.expect_err("an altered log is not converted");
    let message = refused.to_string();
    assert!(message.contains("leaf 5") && message.contains("units"), "{message}");
    let (layout,): (i64,) = db.fetch_one(query("SELECT layout FROM audit_head")).await.unwrap();
    assert_eq!(layout, 1, "nothing was converted");
    let (old,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM audit_leaves_v1")).await.unwrap();
    assert_eq!(old, 9);
}

async fn readers_see_every_leaf_while_bundles_are_sealed(db: Db) {
    // A writer appends one leaf per transaction across two seals while a reader keeps reading the
    // whole log: a page must never lose the leaves a seal moved from the tail into a bundle.
    let writer = {
        let db = db.clone();
        tokio::spawn(async move {
            for i in 0..600 {
                let mut tx = db.begin().await.unwrap();
                audit::record_event(
                    &mut tx,
                    &Actor::system("test"),
                    "test.event",
                    &Subject::new("events", i),
                    None,
                    None,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() {
        let size = audit::size(&db).await.unwrap() as i64;
        let leaves = audit::leaves(&db, 0, size).await.unwrap();
        assert_eq!(leaves.iter().map(|l| l.seq).collect::<Vec<_>>(), (0..size).collect::<Vec<_>>(), "read {reads}");
        reads += 1;
    }
    writer.await.unwrap();
    assert!(reads > 10, "the reader overlapped the writer ({reads} reads)");
}
