//! Payments: a service with a fee is invoiced for the fee of its standard; a gateway's payment
//! settles the invoice once and moves the case on in the same transaction; money that does not pay
//! its invoice is held for the treasurer (or refused, when a bank asks first); nothing is paid twice.

use crate::billing::{Billing, FEE, apply, at, audit_verifies, billing_in, count, gateway_payment, vault};
use crate::support::{Fixture, birth_certificate, fixture};
use balai_domain::applications::{ApplicationEvent, ApplicationStatus};
use balai_domain::identity::Role;
use balai_domain::nik::Nik;
use balai_domain::payments::{BillNumber, InvoiceStatus};
use balai_store::applications::{self, Instruction};
use balai_store::audit::Actor;
use balai_store::identity::citizens::{self, NewCitizen};
use balai_store::identity::officers::{self, NewOfficer};
use balai_store::payments::{self, IncomingPayment, Invoice, Mismatch, PaymentSettings, Settlement};
use balai_store::{Db, StoreError, catalogue, query};
use chrono::{DateTime, Duration, NaiveDate, Utc};

crate::conformance!(
    a_fee_is_invoiced_at_the_payment_step_and_the_gateway_payment_moves_the_case_on,
    a_repeated_notification_changes_nothing_and_a_second_payment_is_held_not_taken,
    a_wrong_amount_is_held_for_review_and_a_bank_asking_first_is_refused,
    an_unknown_bill_keeps_nothing,
    a_service_paid_first_is_invoiced_at_submission_and_its_case_never_waits,
    an_expired_invoice_holds_late_money_and_the_citizen_can_ask_for_a_new_one,
    a_counter_payment_pays_the_open_invoice_so_a_qr_cannot_take_the_money_twice,
    a_failed_payment_fails_the_invoice_and_a_rejected_case_cancels_it,
    a_government_without_payment_settings_invoices_nothing,
    a_citizen_sees_only_their_own_invoice,
    a_free_service_cannot_be_invoiced,
    a_merchant_the_qr_cannot_carry_is_refused_naming_the_field,
);

struct World {
    f: Fixture,
    citizen: i64,
    other_citizen: i64,
    front_desk_officer: i64,
    records_officer: i64,
    verifier: i64,
    billing: Billing,
}

async fn world(db: &Db, takes_payment: bool, upfront: bool) -> World {
    let f = fixture(db).await;
    let mut tx = db.begin().await.unwrap();
    let actor = Actor::system("test");
    let billing = billing_in(&mut tx, &f, takes_payment, upfront).await;
    let nik = Nik::parse("5371011708850002", NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).unwrap();
    let new = NewCitizen { full_name: "Yohanes Benu".into(), ..NewCitizen::default() };
    let other_citizen = citizens::create_citizen(&mut tx, &actor, &vault(), &nik, &new).await.unwrap();
    let mut ids = Vec::new();
    for (role, unit, name) in [
        (Role::Officer, Some(f.front_desk.id), "loket"),
        (Role::Officer, Some(f.records.id), "arsip"),
        (Role::Verifier, None, "verifikator"),
    ] {
        let new = NewOfficer {
            government_id: Some(f.government.id),
            agency_id: Some(f.agency.id),
            unit_id: unit,
            role,
            username: name,
            display_name: name,
            password_hash: "!",
        };
        ids.push(officers::create_officer(&mut tx, &actor, &new).await.unwrap());
    }
    tx.commit().await.unwrap();
    World {
        citizen: billing.citizen,
        f,
        other_citizen,
        front_desk_officer: ids[0],
        records_officer: ids[1],
        verifier: ids[2],
        billing,
    }
}

async fn submit(db: &Db, w: &World, key: &str) -> i64 {
    apply(db, &w.f, &w.billing, key).await
}

/// Submits and verifies the first step: the case now waits for payment at its last step.
async fn awaiting_payment(db: &Db, w: &World, key: &str) -> i64 {
    let case_id = submit(db, w, key).await;
    let verify = Instruction::default();
    applications::act_as_officer(
        db,
        &vault(),
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Verify,
        &verify,
        at(7, 10),
    )
    .await
    .unwrap();
    case_id
}

async fn status_of(db: &Db, case_id: i64) -> String {
    let (status,): (String,) =
        db.fetch_one(query("SELECT status FROM cases WHERE id = $1").bind(case_id)).await.unwrap();
    status
}

async fn invoice_of(db: &Db, case_id: i64) -> Invoice {
    payments::latest_invoice_of_case(db, case_id).await.unwrap().expect("the case has an invoice")
}

fn paid<'a>(invoice: &'a Invoice, transaction_id: &'a str, amount: i64, when: DateTime<Utc>) -> IncomingPayment<'a> {
    gateway_payment(invoice, transaction_id, amount, when)
}

async fn a_fee_is_invoiced_at_the_payment_step_and_the_gateway_payment_moves_the_case_on(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = submit(&db, &w, "k1").await;
    assert!(payments::latest_invoice_of_case(&db, case_id).await.unwrap().is_none(), "not invoiced at submission");
    let verify = Instruction::default();
    applications::act_as_officer(
        &db,
        &vault(),
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Verify,
        &verify,
        at(7, 10),
    )
    .await
    .unwrap();
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::AwaitingPayment.code());
    let invoice = invoice_of(&db, case_id).await;
    assert_eq!(invoice.amount, FEE, "the fee of the standard the case was opened under");
    assert_eq!(invoice.status, "created");
    assert_eq!(invoice.expires_at - invoice.created_at, Duration::days(3), "the longer of the channels' times");
    let bill = BillNumber::parse(&invoice.bill_number).expect("a bill number with a valid check digit");
    assert!(bill.as_str().starts_with("5371"), "{bill}");
    assert_eq!(bill.as_str().len(), 14);

    let outcome = payments::settle(&db, &vault(), &paid(&invoice, "GW-1", FEE, at(7, 11)), Mismatch::Hold, at(7, 11))
        .await
        .unwrap();
    let Settlement::Paid { invoice: settled } = outcome else { panic!("paid, got {outcome:?}") };
    assert_eq!(settled.status, InvoiceStatus::Success.code());
    assert_eq!(settled.paid_amount, FEE);
    assert_eq!(settled.channel.as_deref(), Some("qris"));
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::InProgress.code(), "the case moved on by itself");
    let (paid_at, receipt): (Option<DateTime<Utc>>, Option<String>) = db
        .fetch_one(query("SELECT paid_at, receipt_number FROM applications WHERE case_id = $1").bind(case_id))
        .await
        .unwrap();
    assert!(paid_at.is_some());
    assert_eq!(receipt.as_deref(), Some(invoice.bill_number.as_str()));
    let events: Vec<(String,)> = db
        .fetch_all(query("SELECT event FROM invoice_events WHERE invoice_id = $1 ORDER BY id").bind(invoice.id))
        .await
        .unwrap();
    assert_eq!(events, [("issue".to_owned(),), ("succeed".to_owned(),)]);
    // The officer can now complete: the fee is paid.
    let file = applications::case_file_for_officer(&db, &vault(), w.records_officer, case_id).await;
    assert!(file.is_ok());
    audit_verifies(&db).await;
}

async fn a_repeated_notification_changes_nothing_and_a_second_payment_is_held_not_taken(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    let first = paid(&invoice, "GW-1", FEE, at(7, 11));
    assert!(matches!(
        payments::settle(&db, &vault(), &first, Mismatch::Hold, at(7, 11)).await.unwrap(),
        Settlement::Paid { .. }
    ));
    let version = invoice_of(&db, case_id).await.version;
    let leaves =
        count(&db, "SELECT COUNT(*) FROM audit_tail").await + count(&db, "SELECT COUNT(*) FROM audit_bundles").await;
    assert_eq!(
        payments::settle(&db, &vault(), &first, Mismatch::Hold, at(7, 12)).await.unwrap(),
        Settlement::Duplicate
    );
    assert_eq!(invoice_of(&db, case_id).await.version, version, "the replay changed nothing");
    let after =
        count(&db, "SELECT COUNT(*) FROM audit_tail").await + count(&db, "SELECT COUNT(*) FROM audit_bundles").await;
    assert_eq!(after, leaves, "and wrote no leaf");

    // The same bill paid again under another transaction: the money is kept for a refund, not taken.
    let second = paid(&invoice, "GW-2", FEE, at(7, 13));
    let outcome = payments::settle(&db, &vault(), &second, Mismatch::Hold, at(7, 13)).await.unwrap();
    assert!(matches!(outcome, Settlement::AlreadyPaid { held: true, .. }), "{outcome:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments WHERE outcome = 'paid'").await, 1, "paid once");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments WHERE outcome = 'held_paid_twice'").await, 1);
    // A bank asking first is told the bill is paid, and nothing is kept.
    let third = IncomingPayment { source: "snap", ..paid(&invoice, "VA-3", FEE, at(7, 14)) };
    let outcome = payments::settle(&db, &vault(), &third, Mismatch::Refuse, at(7, 14)).await.unwrap();
    assert!(matches!(outcome, Settlement::AlreadyPaid { held: false, .. }), "{outcome:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments").await, 2);
    audit_verifies(&db).await;
}

async fn a_wrong_amount_is_held_for_review_and_a_bank_asking_first_is_refused(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    for amount in [FEE - 1, FEE + 1] {
        let refused = IncomingPayment { source: "snap", ..paid(&invoice, "VA-x", amount, at(7, 11)) };
        let outcome = payments::settle(&db, &vault(), &refused, Mismatch::Refuse, at(7, 11)).await.unwrap();
        assert!(matches!(outcome, Settlement::WrongAmount { held: false, .. }), "{outcome:?}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments").await, 0, "a refused payment keeps nothing");
    let short = paid(&invoice, "GW-short", FEE - 1_000, at(7, 11));
    let outcome = payments::settle(&db, &vault(), &short, Mismatch::Hold, at(7, 11)).await.unwrap();
    assert!(matches!(outcome, Settlement::WrongAmount { held: true, .. }), "{outcome:?}");
    let (outcome, amount): (String, i64) =
        db.fetch_one(query("SELECT outcome, amount FROM payments WHERE transaction_id = 'GW-short'")).await.unwrap();
    assert_eq!((outcome.as_str(), amount), ("held_amount", FEE - 1_000), "held with what arrived");
    assert_eq!(invoice_of(&db, case_id).await.status, "created", "never marked paid");
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::AwaitingPayment.code(), "the case still waits");
    audit_verifies(&db).await;
}

async fn an_unknown_bill_keeps_nothing(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    let mut digits: Vec<u8> = invoice.bill_number.bytes().collect();
    digits[5] = if digits[5] == b'9' { b'1' } else { digits[5] + 1 };
    let typo = String::from_utf8(digits).unwrap();
    let unknown = BillNumber::compose("53.71", 999_999).to_string();
    for bill in [typo.as_str(), unknown.as_str(), "12", "not a bill"] {
        let payment = IncomingPayment { bill_number: bill, ..paid(&invoice, "GW-u", FEE, at(7, 11)) };
        assert_eq!(
            payments::settle(&db, &vault(), &payment, Mismatch::Hold, at(7, 11)).await.unwrap(),
            Settlement::UnknownBill,
            "{bill}"
        );
        assert!(payments::invoice_by_bill_number(&db, bill).await.unwrap().is_none());
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments").await, 0);
    assert_eq!(
        payments::invoice_by_bill_number(&db, &invoice.bill_number).await.unwrap().map(|i| i.id),
        Some(invoice.id)
    );
}

async fn a_service_paid_first_is_invoiced_at_submission_and_its_case_never_waits(db: Db) {
    let w = world(&db, true, true).await;
    let case_id = submit(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    assert_eq!((invoice.amount, invoice.status.as_str()), (FEE, "created"), "invoiced at submission");
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::InProgress.code(), "the work starts at once");
    let payment = paid(&invoice, "GW-1", FEE, at(7, 9) + Duration::minutes(5));
    assert!(matches!(
        payments::settle(&db, &vault(), &payment, Mismatch::Hold, at(7, 10)).await.unwrap(),
        Settlement::Paid { .. }
    ));
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::InProgress.code());
    let verify = Instruction::default();
    let moved = applications::act_as_officer(
        &db,
        &vault(),
        w.front_desk_officer,
        case_id,
        ApplicationEvent::Verify,
        &verify,
        at(7, 11),
    )
    .await
    .unwrap();
    assert_eq!(moved.status, ApplicationStatus::InProgress.code(), "paid already: the last step does not wait");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM invoices").await, 1, "no second invoice");
    audit_verifies(&db).await;
}

async fn an_expired_invoice_holds_late_money_and_the_citizen_can_ask_for_a_new_one(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    let later = invoice.expires_at + Duration::minutes(1);
    assert_eq!(payments::expire_due(&db, invoice.expires_at - Duration::minutes(1), 10).await.unwrap(), 0);
    assert_eq!(payments::expire_due(&db, later, 10).await.unwrap(), 1);
    assert_eq!(invoice_of(&db, case_id).await.status, "expired");
    let late = paid(&invoice, "GW-late", FEE, later);
    let outcome = payments::settle(&db, &vault(), &late, Mismatch::Hold, later).await.unwrap();
    assert!(matches!(outcome, Settlement::NotPayable { held: true, .. }), "{outcome:?}");
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::AwaitingPayment.code());
    // Another citizen cannot renew it; the owner gets a new bill number.
    assert!(matches!(
        payments::renew_as_citizen(&db, w.other_citizen, case_id, later).await,
        Err(StoreError::NotFound)
    ));
    let renewed = payments::renew_as_citizen(&db, w.citizen, case_id, later).await.unwrap();
    assert_ne!(renewed.bill_number, invoice.bill_number);
    assert_eq!(renewed.status, "created");
    assert!(renewed.expires_at > later);
    // While that one is open, asking again returns it rather than a third.
    let again = payments::renew_as_citizen(&db, w.citizen, case_id, later).await.unwrap();
    assert_eq!(again.id, renewed.id);
    let on_time = paid(&renewed, "GW-2", FEE, later);
    assert!(matches!(
        payments::settle(&db, &vault(), &on_time, Mismatch::Hold, later).await.unwrap(),
        Settlement::Paid { .. }
    ));
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::InProgress.code());
    audit_verifies(&db).await;
}

async fn a_counter_payment_pays_the_open_invoice_so_a_qr_cannot_take_the_money_twice(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    let counter = Instruction { receipt_number: Some("KW/2026/00042"), ..Instruction::default() };
    applications::act_as_officer(
        &db,
        &vault(),
        w.verifier,
        case_id,
        ApplicationEvent::RecordPayment,
        &counter,
        at(7, 11),
    )
    .await
    .unwrap();
    let after = invoice_of(&db, case_id).await;
    assert_eq!((after.status.as_str(), after.channel.as_deref()), ("success", Some("counter")));
    let qr = paid(&invoice, "GW-1", FEE, at(7, 12));
    let outcome = payments::settle(&db, &vault(), &qr, Mismatch::Hold, at(7, 12)).await.unwrap();
    assert!(matches!(outcome, Settlement::AlreadyPaid { held: true, .. }), "{outcome:?}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM payments WHERE outcome = 'paid'").await, 1);
    audit_verifies(&db).await;
}

async fn a_failed_payment_fails_the_invoice_and_a_rejected_case_cancels_it(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    let failed = IncomingPayment { failed: true, ..paid(&invoice, "GW-f", FEE, at(7, 11)) };
    let outcome = payments::settle(&db, &vault(), &failed, Mismatch::Hold, at(7, 11)).await.unwrap();
    assert!(matches!(outcome, Settlement::Failed { .. }), "{outcome:?}");
    assert_eq!(invoice_of(&db, case_id).await.status, "failed");
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::AwaitingPayment.code());
    let renewed = payments::renew_as_citizen(&db, w.citizen, case_id, at(7, 12)).await.unwrap();
    assert_eq!(renewed.status, "created");
    let reject = Instruction { reason: "Berkas tidak sesuai", ..Instruction::default() };
    applications::act_as_officer(
        &db,
        &vault(),
        w.records_officer,
        case_id,
        ApplicationEvent::Reject,
        &reject,
        at(7, 13),
    )
    .await
    .unwrap();
    assert_eq!(invoice_of(&db, case_id).await.status, "cancelled", "a rejected case is not billed");
    let late = paid(&renewed, "GW-late", FEE, at(7, 14));
    let outcome = payments::settle(&db, &vault(), &late, Mismatch::Hold, at(7, 14)).await.unwrap();
    assert!(matches!(outcome, Settlement::NotPayable { held: true, .. }), "{outcome:?}");
    audit_verifies(&db).await;
}

async fn a_government_without_payment_settings_invoices_nothing(db: Db) {
    let w = world(&db, false, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::AwaitingPayment.code());
    assert!(payments::latest_invoice_of_case(&db, case_id).await.unwrap().is_none());
    // The counter path still works on its own.
    let counter = Instruction { receipt_number: Some("KW/2026/00042"), ..Instruction::default() };
    applications::act_as_officer(
        &db,
        &vault(),
        w.verifier,
        case_id,
        ApplicationEvent::RecordPayment,
        &counter,
        at(7, 11),
    )
    .await
    .unwrap();
    assert_eq!(status_of(&db, case_id).await, ApplicationStatus::InProgress.code());
}

async fn a_citizen_sees_only_their_own_invoice(db: Db) {
    let w = world(&db, true, false).await;
    let case_id = awaiting_payment(&db, &w, "k1").await;
    let invoice = invoice_of(&db, case_id).await;
    let own = payments::invoice_for_citizen(&db, w.citizen, &invoice.public_id).await.unwrap();
    assert_eq!(own.id, invoice.id);
    assert!(matches!(
        payments::invoice_for_citizen(&db, w.other_citizen, &invoice.public_id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(payments::invoice_for_citizen(&db, w.citizen, "../etc").await, Err(StoreError::NotFound)));
    // Opening the payment page starts the invoice, once.
    let opened = payments::open_as_citizen(&db, w.citizen, &invoice.public_id, at(7, 11)).await.unwrap();
    assert_eq!(opened.status, "started");
    let again = payments::open_as_citizen(&db, w.citizen, &invoice.public_id, at(7, 12)).await.unwrap();
    assert_eq!(again.version, opened.version);
    assert!(matches!(
        payments::open_as_citizen(&db, w.other_citizen, &invoice.public_id, at(7, 12)).await,
        Err(StoreError::NotFound)
    ));
    audit_verifies(&db).await;
}

async fn a_free_service_cannot_be_invoiced(db: Db) {
    let w = world(&db, true, false).await;
    let mut tx = db.begin().await.unwrap();
    let actor = Actor::system("test");
    let free = birth_certificate(w.f.front_desk.id, w.f.records.id);
    let free_id =
        catalogue::create_service(&mut tx, &w.f.agency, "kependudukan", "AKTA-GRATIS", &free, &actor).await.unwrap();
    let refused = payments::set_upfront_in(&mut tx, &actor, w.f.government.id, free_id).await;
    let Err(StoreError::Invalid(errors)) = refused else { panic!("refused, got {refused:?}") };
    assert!(errors.for_field("fee").is_some(), "{errors:?}");
    assert!(matches!(
        payments::set_upfront_in(&mut tx, &actor, w.f.government.id + 1000, free_id).await,
        Err(StoreError::NotFound)
    ));
    drop(tx);
    let (n,): (i64,) = db.fetch_one(query("SELECT COUNT(*) FROM payment_upfront_services")).await.unwrap();
    assert_eq!(n, 0, "nothing kept");
}

async fn a_merchant_the_qr_cannot_carry_is_refused_naming_the_field(db: Db) {
    let w = world(&db, true, false).await;
    let good = payments::settings(&db, w.f.government.id).await.unwrap().expect("settings");
    let actor = Actor::system("test");
    for (bad, field) in [
        (
            PaymentSettings { merchant_name: "BADAN PENGELOLAAN KEUANGAN DAERAH".into(), ..good.clone() },
            "merchant_name",
        ),
        (PaymentSettings { merchant_city: "KOTA KUPANG TIMUR RAYA".into(), ..good.clone() }, "merchant_city"),
        (PaymentSettings { postal_code: "851".into(), ..good.clone() }, "postal_code"),
        (PaymentSettings { nmid: "ID-2026".into(), ..good.clone() }, "nmid"),
        (PaymentSettings { mcc: "93a9".into(), ..good.clone() }, "mcc"),
        (PaymentSettings { merchant_criteria: "XYZ".into(), ..good.clone() }, "merchant_criteria"),
    ] {
        let mut tx = db.begin().await.unwrap();
        let refused = payments::put_settings_in(&mut tx, &actor, &bad, at(2, 8)).await;
        let Err(StoreError::Invalid(errors)) = refused else { panic!("{field}: refused, got {refused:?}") };
        assert!(errors.for_field(field).is_some(), "{field}: {errors:?}");
    }
    assert_eq!(payments::settings(&db, w.f.government.id).await.unwrap(), Some(good), "unchanged");
}
