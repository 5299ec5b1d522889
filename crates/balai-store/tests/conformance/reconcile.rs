//! Reconciliation and refunds: the bank's statement is imported whole or not at all and each line
//! matched by bill number and amount; a day shows what the bank and Balai each saw; a refund is asked
//! by one treasurer and decided by another, never past what was paid.

use crate::billing::{Billing, FEE, apply, at, audit_verifies, billing_in, count, gateway_payment, vault};
use crate::support::{Fixture, fixture, fixture_in};
use balai_domain::Rupiah;
use balai_domain::identity::Role;
use balai_domain::payments::BillNumber;
use balai_store::audit::{self, Actor};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::payments::reconcile::{self, MatchStatus, MismatchReason, StatementFormat};
use balai_store::payments::refunds::{self, RefundStatus};
use balai_store::payments::{self, Invoice, Mismatch};
use balai_store::{Db, StoreError, query};
use chrono::{DateTime, NaiveDate, Utc};

crate::conformance!(
    statement_lines_are_matched_unmatched_and_mismatched_and_the_day_adds_up,
    a_bad_line_is_named_by_line_and_column_and_nothing_is_kept,
    the_same_file_twice_is_refused,
    a_refused_caller_writes_nothing_and_leaves_no_leaf,
    a_refund_above_what_is_refundable_or_naming_a_stale_figure_is_refused_by_field,
    two_refund_requests_cannot_together_pass_what_was_paid,
    the_requester_cannot_approve_their_own_refund_and_a_second_treasurer_can,
    a_full_refund_moves_the_invoice_to_refunded_and_a_partial_one_does_not,
    a_held_payment_is_refunded_without_touching_its_invoice,
);

fn day7() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
}

struct World {
    f: Fixture,
    /// The billed service and the citizen who applies for it.
    billing: Billing,
    treasurer: i64,
    second_treasurer: i64,
    /// A front-desk officer of the agency: not a treasurer.
    officer: i64,
    /// The head of the agency: may approve its refunds, not ask for them.
    head: i64,
    /// A treasurer of another government.
    stranger: i64,
}

async fn officer(tx: &mut balai_store::Tx, government_id: i64, agency_id: Option<i64>, role: Role, name: &str) -> i64 {
    let new = NewOfficer {
        government_id: Some(government_id),
        agency_id,
        unit_id: None,
        role,
        username: name,
        display_name: name,
        password_hash: "!",
    };
    officers::create_officer(tx, &Actor::system("test"), &new).await.unwrap()
}

/// A government that takes non-cash payment, a service invoiced at submission, a citizen, two
/// treasurers and the others who must be refused.
async fn world(db: &Db) -> World {
    let f = fixture(db).await;
    let mut tx = db.begin().await.unwrap();
    let billing = billing_in(&mut tx, &f, true, true).await;
    let g = f.government.id;
    let treasurer = officer(&mut tx, g, None, Role::Treasurer, "bendahara").await;
    let second_treasurer = officer(&mut tx, g, None, Role::Treasurer, "bendahara2").await;
    let front = officer(&mut tx, g, Some(f.agency.id), Role::Officer, "loket").await;
    let head = officer(&mut tx, g, Some(f.agency.id), Role::AgencyHead, "kadis").await;
    let other = fixture_in(&mut tx, "53.01", "dukcapil-kupang").await;
    let stranger = officer(&mut tx, other.government.id, None, Role::Treasurer, "bendahara-lain").await;
    tx.commit().await.unwrap();
    World { f, billing, treasurer, second_treasurer, officer: front, head, stranger }
}

/// Submits an application: its invoice is issued at once.
async fn invoiced(db: &Db, w: &World, key: &str) -> Invoice {
    let case_id = apply(db, &w.f, &w.billing, key).await;
    payments::latest_invoice_of_case(db, case_id).await.unwrap().expect("invoiced at submission")
}

/// A gateway reports `amount` paid for the invoice at `when`; returns the kept payment's id.
async fn pay(db: &Db, invoice: &Invoice, transaction_id: &str, amount: i64, when: DateTime<Utc>) -> i64 {
    let payment = gateway_payment(invoice, transaction_id, amount, when);
    payments::settle(db, &vault(), &payment, Mismatch::Hold, when).await.unwrap();
    let (id,): (i64,) =
        db.fetch_one(query("SELECT id FROM payments WHERE transaction_id = $1").bind(transaction_id)).await.unwrap();
    id
}

/// A paid invoice and its payment.
async fn paid_invoice(db: &Db, w: &World, key: &str) -> (Invoice, i64) {
    let invoice = invoiced(db, w, key).await;
    let payment = pay(db, &invoice, &format!("GW-{key}"), FEE, at(7, 10)).await;
    (payments::invoice_by_public_id(db, &invoice.public_id).await.unwrap().unwrap(), payment)
}

fn csv(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("value_date,amount,bill_number,bank_reference,description\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text.into_bytes()
}

fn fields(error: StoreError) -> Vec<String> {
    match error {
        StoreError::Invalid(e) => e.0.into_iter().map(|f| f.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

async fn import(db: &Db, w: &World, who: i64, bytes: &[u8]) -> Result<reconcile::Imported, StoreError> {
    reconcile::import_statement_as_officer(db, who, w.f.government.id, bytes, StatementFormat::Csv, at(8, 9)).await
}

async fn statement_lines_are_matched_unmatched_and_mismatched_and_the_day_adds_up(db: Db) {
    let w = world(&db).await;
    let (a, a_payment) = paid_invoice(&db, &w, "a").await;
    let not_paid = invoiced(&db, &w, "b").await;
    let held = invoiced(&db, &w, "c").await;
    let held_payment = pay(&db, &held, "GW-short", FEE - 10_000, at(7, 11)).await;
    let (_, unseen_payment) = paid_invoice(&db, &w, "d").await;
    let unknown = BillNumber::compose("53.71", 999_999);
    let file = csv(&[
        format!("2026-12-07,{FEE}.00,{},BNK-1,QRIS MARIA 081234567890", a.bill_number),
        format!("2026-12-07,{FEE},,BNK-2,\"TRF {} HP 0812-3456-7890\"", not_paid.bill_number),
        format!("2026-12-07,{FEE},{},BNK-3,second transfer", a.bill_number),
        format!("2026-12-07,40000,{},BNK-4,short", held.bill_number),
        format!("2026-12-07,{FEE},{unknown},BNK-5,unknown bill"),
        "2026-12-07,12000,,BNK-6,SETORAN TUNAI".to_owned(),
        format!("2026-12-08,{FEE},{},BNK-7,another day", not_paid.bill_number),
    ]);
    let imported = import(&db, &w, w.treasurer, &file).await.unwrap();
    assert_eq!((imported.lines, imported.matched, imported.mismatched, imported.unmatched), (7, 1, 4, 2));

    let day = reconcile::reconciliation_day(&db, w.treasurer, w.f.government.id, day7()).await.unwrap();
    let seen: Vec<(i64, MatchStatus, Option<MismatchReason>)> =
        day.lines.iter().map(|l| (l.line_number, l.status(), l.reason())).collect();
    assert_eq!(
        seen,
        [
            (2, MatchStatus::Matched, None),
            (3, MatchStatus::Mismatched, Some(MismatchReason::NotPaid)),
            (4, MatchStatus::Mismatched, Some(MismatchReason::Twice)),
            (5, MatchStatus::Mismatched, Some(MismatchReason::Held)),
            (6, MatchStatus::Unmatched, None),
            (7, MatchStatus::Unmatched, None),
        ],
        "the 8 December line is another day's"
    );
    assert_eq!(day.lines[0].payment_id, Some(a_payment));
    assert_eq!(day.lines[1].bill_number.as_deref(), Some(not_paid.bill_number.as_str()), "found in the description");
    assert!(!day.lines[1].description.contains("3456"), "a phone number is not kept: {}", day.lines[1].description);
    assert!(!day.lines[0].description.contains("081234567890"), "{}", day.lines[0].description);
    assert_eq!(day.lines[3].payment_id, Some(held_payment));
    assert_eq!(day.lines[0].service_name.as_deref(), Some("Penerbitan Akta Kelahiran"));

    let missing: Vec<i64> = day.not_on_statement.iter().map(|p| p.payment_id).collect();
    assert_eq!(missing, [unseen_payment], "Balai's paid payment that no line claims");
    assert_eq!(day.total.received, Rupiah(2 * FEE), "two paid payments that day; a held one is not received");
    assert_eq!(day.total.on_statement, Rupiah(4 * FEE + 40_000 + 12_000));
    assert_eq!(day.total.difference(), Rupiah(2 * FEE + 40_000 + 12_000));
    assert_eq!(day.by_service.len(), 2, "the service, and lines naming no invoice: {:?}", day.by_service);
    assert_eq!(day.by_service[0].received, Rupiah(2 * FEE));
    assert_eq!(day.by_service[0].on_statement, Rupiah(3 * FEE + 40_000));
    assert_eq!((day.by_service[1].id, day.by_service[1].on_statement), (None, Rupiah(FEE + 12_000)));
    assert_eq!(day.by_agency[0].name.as_deref(), Some("Disdukcapil"));
    audit_verifies(&db).await;
}

async fn a_bad_line_is_named_by_line_and_column_and_nothing_is_kept(db: Db) {
    let w = world(&db).await;
    let (a, _) = paid_invoice(&db, &w, "a").await;
    let leaves = audit::size(&db).await.unwrap();
    let file = csv(&[
        format!("2026-12-07,{FEE},{},BNK-1,good", a.bill_number),
        format!("07-12-2026,{FEE},{},BNK-2,bad date", a.bill_number),
        "2026-12-07,50.000,,BNK-3,dotted amount".to_owned(),
        "2026-12-07,5000,53710000000010,BNK-4,wrong check digit".to_owned(),
    ]);
    let error = import(&db, &w, w.treasurer, &file).await.unwrap_err();
    assert_eq!(fields(error), ["lines[3].value_date", "lines[4].amount", "lines[5].bill_number"]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_statements").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_statement_lines").await, 0, "not even the good line");
    assert_eq!(audit::size(&db).await.unwrap(), leaves);
}

async fn the_same_file_twice_is_refused(db: Db) {
    let w = world(&db).await;
    let file = csv(&["2026-12-07,12000,,BNK-6,SETORAN".to_owned()]);
    import(&db, &w, w.treasurer, &file).await.unwrap();
    let again = import(&db, &w, w.second_treasurer, &file).await.unwrap_err();
    assert_eq!(fields(again), ["file"]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_statements").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_statement_lines").await, 1);
}

async fn a_refused_caller_writes_nothing_and_leaves_no_leaf(db: Db) {
    let w = world(&db).await;
    let (_, payment) = paid_invoice(&db, &w, "a").await;
    let file = csv(&["2026-12-07,12000,,BNK-6,SETORAN".to_owned()]);
    let leaves = audit::size(&db).await.unwrap();
    for who in [w.officer, w.head, w.stranger] {
        let import = import(&db, &w, who, &file).await;
        assert!(matches!(import, Err(StoreError::Forbidden)), "{who}: {import:?}");
        let day = reconcile::reconciliation_day(&db, who, w.f.government.id, day7()).await;
        assert!(matches!(day, Err(StoreError::Forbidden)), "{who}: {day:?}");
        let asked =
            refunds::request_refund_as_officer(&db, who, payment, Rupiah(1), Rupiah(FEE), "Salah bayar", at(8, 9))
                .await;
        assert!(matches!(asked, Err(StoreError::Forbidden)), "{who}: {asked:?}");
    }
    // A bad file from a refused caller is refused for who they are, not for the file.
    let bad = import(&db, &w, w.stranger, b"nonsense").await;
    assert!(matches!(bad, Err(StoreError::Forbidden)), "{bad:?}");
    let refund = refunds::request_refund_as_officer(
        &db,
        w.treasurer,
        payment,
        Rupiah(FEE),
        Rupiah(FEE),
        "Layanan batal",
        at(8, 9),
    )
    .await
    .unwrap();
    let leaves_after_request = audit::size(&db).await.unwrap();
    assert_eq!(leaves_after_request, leaves + 1);
    for who in [w.officer, w.stranger] {
        let decided = refunds::decide_refund_as_officer(&db, who, refund.id, true, "", at(8, 10)).await;
        assert!(matches!(decided, Err(StoreError::Forbidden)), "{who}: {decided:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bank_statements").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds WHERE status = 'requested'").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds").await, 1);
    assert_eq!(count(&db, "SELECT refunded_amount FROM payments").await, 0);
    assert_eq!(audit::size(&db).await.unwrap(), leaves_after_request);
}

async fn a_refund_above_what_is_refundable_or_naming_a_stale_figure_is_refused_by_field(db: Db) {
    let w = world(&db).await;
    let (_, payment) = paid_invoice(&db, &w, "a").await;
    let ask = |amount: i64, named: i64| {
        let db = db.clone();
        async move {
            refunds::request_refund_as_officer(
                &db,
                w.treasurer,
                payment,
                Rupiah(amount),
                Rupiah(named),
                "Salah bayar",
                at(8, 9),
            )
            .await
        }
    };
    assert_eq!(fields(ask(FEE + 1, FEE).await.unwrap_err()), ["amount"]);
    assert_eq!(fields(ask(0, FEE).await.unwrap_err()), ["amount"]);
    assert_eq!(fields(ask(1_000, FEE + 5).await.unwrap_err()), ["refundable"]);
    let missing_reason =
        refunds::request_refund_as_officer(&db, w.treasurer, payment, Rupiah(1_000), Rupiah(FEE), "  ", at(8, 9)).await;
    assert_eq!(fields(missing_reason.unwrap_err()), ["reason"]);
    let phone_in_reason = refunds::request_refund_as_officer(
        &db,
        w.treasurer,
        payment,
        Rupiah(1_000),
        Rupiah(FEE),
        "Hubungi 0812-3456-7890",
        at(8, 9),
    )
    .await;
    assert_eq!(fields(phone_in_reason.unwrap_err()), ["reason"]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds").await, 0);

    let form = refunds::refundable_payment(&db, w.treasurer, payment).await.unwrap();
    assert_eq!(form.refundable(), Rupiah(FEE));
    ask(20_000, FEE).await.unwrap();
    let form = refunds::refundable_payment(&db, w.treasurer, payment).await.unwrap();
    assert_eq!(form.refundable(), Rupiah(30_000), "a request not yet decided counts");
    assert_eq!(fields(ask(10_000, FEE).await.unwrap_err()), ["refundable"], "the form's figure is stale");
    ask(30_000, 30_000).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds").await, 2);
}

async fn two_refund_requests_cannot_together_pass_what_was_paid(db: Db) {
    let w = world(&db).await;
    let (_, payment) = paid_invoice(&db, &w, "a").await;
    let ask = |who: i64| {
        let db = db.clone();
        async move {
            refunds::request_refund_as_officer(&db, who, payment, Rupiah(30_000), Rupiah(FEE), "Salah bayar", at(8, 9))
                .await
        }
    };
    let (first, second) = tokio::join!(ask(w.treasurer), ask(w.second_treasurer));
    let passed = [&first, &second].iter().filter(|r| r.is_ok()).count();
    assert_eq!(passed, 1, "{first:?} {second:?}");
    let refused = if first.is_ok() { second } else { first };
    assert_eq!(fields(refused.unwrap_err()), ["refundable"]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM refunds").await, 1);
    audit_verifies(&db).await;
}

async fn the_requester_cannot_approve_their_own_refund_and_a_second_treasurer_can(db: Db) {
    let w = world(&db).await;
    let (_, payment) = paid_invoice(&db, &w, "a").await;
    let refund = refunds::request_refund_as_officer(
        &db,
        w.treasurer,
        payment,
        Rupiah(10_000),
        Rupiah(FEE),
        "Kelebihan bayar",
        at(8, 9),
    )
    .await
    .unwrap();
    let leaves = audit::size(&db).await.unwrap();
    let own = refunds::decide_refund_as_officer(&db, w.treasurer, refund.id, true, "", at(8, 10)).await;
    assert!(matches!(own, Err(StoreError::Forbidden)), "four eyes: {own:?}");
    let own_reject = refunds::decide_refund_as_officer(&db, w.treasurer, refund.id, false, "batal", at(8, 10)).await;
    assert!(matches!(own_reject, Err(StoreError::Forbidden)), "{own_reject:?}");
    assert_eq!(audit::size(&db).await.unwrap(), leaves);
    let open = refunds::open_refunds(&db, w.second_treasurer, w.f.government.id, 50).await.unwrap();
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [refund.id]);

    let approved =
        refunds::decide_refund_as_officer(&db, w.second_treasurer, refund.id, true, "", at(8, 10)).await.unwrap();
    assert_eq!(approved.status(), RefundStatus::Approved);
    assert_eq!(approved.decided_by, Some(w.second_treasurer));
    let again = refunds::decide_refund_as_officer(&db, w.head, refund.id, true, "", at(8, 11)).await;
    assert!(matches!(again, Err(StoreError::StaleVersion { .. })), "decided once: {again:?}");
    assert_eq!(count(&db, "SELECT refunded_amount FROM payments").await, 10_000);
    assert!(refunds::open_refunds(&db, w.treasurer, w.f.government.id, 50).await.unwrap().is_empty());

    // The head of the invoice's agency may decide too; a rejection needs its note.
    let second = refunds::request_refund_as_officer(
        &db,
        w.treasurer,
        payment,
        Rupiah(5_000),
        Rupiah(40_000),
        "Kelebihan bayar",
        at(8, 12),
    )
    .await
    .unwrap();
    let no_note = refunds::decide_refund_as_officer(&db, w.head, second.id, false, " ", at(8, 13)).await;
    assert_eq!(fields(no_note.unwrap_err()), ["note"]);
    let rejected = refunds::decide_refund_as_officer(&db, w.head, second.id, false, "Tidak ada kelebihan", at(8, 13))
        .await
        .unwrap();
    assert_eq!(rejected.status(), RefundStatus::Rejected);
    assert_eq!(count(&db, "SELECT refunded_amount FROM payments").await, 10_000, "a rejection refunds nothing");
    let form = refunds::refundable_payment(&db, w.treasurer, payment).await.unwrap();
    assert_eq!(form.refundable(), Rupiah(40_000), "a rejected request no longer counts");
    audit_verifies(&db).await;
}

async fn a_full_refund_moves_the_invoice_to_refunded_and_a_partial_one_does_not(db: Db) {
    let w = world(&db).await;
    let (invoice, payment) = paid_invoice(&db, &w, "a").await;
    assert_eq!(invoice.status, "success");
    let decide = |amount: i64, named: i64| {
        let db = db.clone();
        async move {
            let refund = refunds::request_refund_as_officer(
                &db,
                w.treasurer,
                payment,
                Rupiah(amount),
                Rupiah(named),
                "Permohonan dibatalkan",
                at(8, 9),
            )
            .await
            .unwrap();
            refunds::decide_refund_as_officer(&db, w.second_treasurer, refund.id, true, "Sesuai", at(8, 10))
                .await
                .unwrap()
        }
    };
    decide(20_000, FEE).await;
    let partly = payments::invoice_by_public_id(&db, &invoice.public_id).await.unwrap().unwrap();
    assert_eq!((partly.status.as_str(), partly.refunded_amount), ("success", 20_000));
    decide(30_000, 30_000).await;
    let refunded = payments::invoice_by_public_id(&db, &invoice.public_id).await.unwrap().unwrap();
    assert_eq!((refunded.status.as_str(), refunded.refunded_amount), ("refunded", FEE));
    let events = payments::invoice_events(&db, invoice.id).await.unwrap();
    assert_eq!(events.last().map(|e| (e.event.as_str(), e.to_status.as_str())), Some(("refund", "refunded")));
    let form = refunds::refundable_payment(&db, w.treasurer, payment).await.unwrap();
    assert_eq!(form.refundable(), Rupiah(0));
    let more =
        refunds::request_refund_as_officer(&db, w.treasurer, payment, Rupiah(1), Rupiah(0), "x", at(8, 11)).await;
    assert_eq!(fields(more.unwrap_err()), ["amount"]);
    // A statement line for the refunded invoice is mismatched.
    let file = csv(&[format!("2026-12-07,{FEE},{},BNK-1,QRIS", invoice.bill_number)]);
    import(&db, &w, w.treasurer, &file).await.unwrap();
    let day = reconcile::reconciliation_day(&db, w.treasurer, w.f.government.id, day7()).await.unwrap();
    assert_eq!(day.lines[0].reason(), Some(MismatchReason::Refunded));
    audit_verifies(&db).await;
}

async fn a_held_payment_is_refunded_without_touching_its_invoice(db: Db) {
    let w = world(&db).await;
    let invoice = invoiced(&db, &w, "a").await;
    let held = pay(&db, &invoice, "GW-short", FEE - 1_000, at(7, 11)).await;
    let listed = refunds::held_payments(&db, w.treasurer, w.f.government.id, 50).await.unwrap();
    assert_eq!(
        listed.iter().map(|p| (p.payment_id, p.refundable())).collect::<Vec<_>>(),
        [(held, Rupiah(FEE - 1_000))]
    );
    let refund = refunds::request_refund_as_officer(
        &db,
        w.treasurer,
        held,
        Rupiah(FEE - 1_000),
        Rupiah(FEE - 1_000),
        "Nominal tidak sesuai tagihan",
        at(8, 9),
    )
    .await
    .unwrap();
    refunds::decide_refund_as_officer(&db, w.second_treasurer, refund.id, true, "", at(8, 10)).await.unwrap();
    let after = payments::invoice_by_public_id(&db, &invoice.public_id).await.unwrap().unwrap();
    assert_eq!((after.status.as_str(), after.refunded_amount), ("created", 0), "the invoice was never paid");
    assert!(refunds::held_payments(&db, w.treasurer, w.f.government.id, 50).await.unwrap().is_empty());
    audit_verifies(&db).await;
}

/// For the registry's coverage test: a statement and a refund request in a populated database (a
/// treasurer of Kota Kupang imports the demo's statement; a refund is asked for the first kept payment).
pub async fn populate(db: &Db) {
    let government = balai_store::org::government_by_region(db, "53.71").await.unwrap();
    let mut tx = db.begin().await.unwrap();
    let treasurer = officer(&mut tx, government.id, None, Role::Treasurer, "bendahara-uji").await;
    tx.commit().await.unwrap();
    // The demo's own statement: its latest day's paid payments as the bank shows them, and a deposit.
    let file = reconcile::demo_statement(db, government.id).await.unwrap().expect("the demo has paid payments");
    let imported =
        reconcile::import_statement_as_officer(db, treasurer, government.id, &file, StatementFormat::Csv, Utc::now())
            .await
            .unwrap();
    assert!(imported.matched >= 1 && imported.unmatched >= 1, "{imported:?}");
    assert!(reconcile::demo_statement(db, government.id).await.unwrap().is_none(), "once per government");
    let first: Option<(i64,)> = db
        .fetch_optional(
            query("SELECT id FROM payments WHERE government_id = $1 AND outcome <> 'failed' ORDER BY id LIMIT 1")
                .bind(government.id),
        )
        .await
        .unwrap();
    if let Some((payment,)) = first {
        let form = refunds::refundable_payment(db, treasurer, payment).await.unwrap();
        if form.refundable().0 > 0 {
            refunds::request_refund_as_officer(db, treasurer, payment, Rupiah(1), form.refundable(), "Uji", Utc::now())
                .await
                .unwrap();
        }
    }
}
