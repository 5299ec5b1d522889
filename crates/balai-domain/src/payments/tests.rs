use super::*;

#[test]
fn damm_check_digit_matches_the_published_example() {
    // The worked example of the Damm algorithm: 572 has check digit 4, and 5724 checks to 0.
    assert_eq!(damm_digit("572"), 4);
    assert_eq!(damm_digit("5724"), 0);
    assert_eq!(damm_digit(""), 0);
}

#[test]
fn a_composed_bill_number_is_fourteen_digits_from_the_region_and_serial() {
    let bill = BillNumber::compose("32.73", 42);
    assert_eq!(bill.as_str().len(), 14);
    assert!(bill.as_str().starts_with("3273000000042"));
    assert_eq!(BillNumber::parse(bill.as_str()), Ok(bill.clone()));
    // A province's two-digit code is padded, so every government's numbers have one length.
    let province = BillNumber::compose("32", 7);
    assert!(province.as_str().starts_with("3200000000007"));
    assert_eq!(province.as_str().len(), 14);
    assert_ne!(BillNumber::compose("32.73", 1), BillNumber::compose("32.74", 1));
    assert_ne!(BillNumber::compose("32.73", 1), BillNumber::compose("32.73", 2));
}

#[test]
fn every_single_wrong_digit_and_every_neighbour_swap_is_caught() {
    for serial in [0u64, 1, 9, 10, 123_456_789, 987_654_321, 55_555] {
        let bill = BillNumber::compose("73.71", serial);
        let digits: Vec<u8> = bill.as_str().bytes().collect();
        for i in 0..digits.len() {
            for d in b'0'..=b'9' {
                if d == digits[i] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[i] = d;
                let typo = String::from_utf8(typo).unwrap();
                assert_eq!(BillNumber::parse(&typo), Err(BillNumberError::CheckDigit), "{typo}");
            }
            if i + 1 < digits.len() && digits[i] != digits[i + 1] {
                let mut swapped = digits.clone();
                swapped.swap(i, i + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                assert_eq!(BillNumber::parse(&swapped), Err(BillNumberError::CheckDigit), "{swapped}");
            }
        }
    }
}

#[test]
fn a_typed_bill_number_is_checked_for_length_and_digits() {
    assert_eq!(BillNumber::parse("0"), Err(BillNumberError::Length));
    assert_eq!(BillNumber::parse(""), Err(BillNumberError::Length));
    assert_eq!(BillNumber::parse("123456789012345678901"), Err(BillNumberError::Length));
    assert_eq!(BillNumber::parse("57a4"), Err(BillNumberError::NotDigits));
    assert_eq!(BillNumber::parse("５７２４"), Err(BillNumberError::NotDigits), "full-width digits are not digits");
    assert_eq!(BillNumber::parse(" 5724 ").map(|b| b.to_string()), Ok("5724".to_owned()));
    // Twenty digits is the longest a virtual account's customer number may be.
    let body = "1234567890123456789";
    let twenty = format!("{body}{}", damm_digit(body));
    assert_eq!(BillNumber::parse(&twenty).map(|b| b.as_str().len()), Ok(20));
    let two = format!("7{}", damm_digit("7"));
    assert!(BillNumber::parse(&two).is_ok());
}

#[test]
fn the_invoice_state_table_is_exactly_gov_uk_pay_plus_refunds() {
    use InvoiceEvent as E;
    use InvoiceStatus as S;
    let allowed = [
        (S::Created, E::Start, S::Started),
        (S::Created, E::Submit, S::Submitted),
        (S::Started, E::Submit, S::Submitted),
        (S::Created, E::Succeed, S::Success),
        (S::Started, E::Succeed, S::Success),
        (S::Submitted, E::Succeed, S::Success),
        (S::Created, E::Fail, S::Failed),
        (S::Started, E::Fail, S::Failed),
        (S::Submitted, E::Fail, S::Failed),
        (S::Created, E::Cancel, S::Cancelled),
        (S::Started, E::Cancel, S::Cancelled),
        (S::Submitted, E::Cancel, S::Cancelled),
        (S::Created, E::Expire, S::Expired),
        (S::Started, E::Expire, S::Expired),
        (S::Submitted, E::Expire, S::Expired),
        (S::Success, E::Refund, S::Refunded),
    ];
    for from in S::ALL {
        for event in E::ALL {
            let expected = allowed.iter().find(|(f, e, _)| *f == from && *e == event).map(|(_, _, to)| *to);
            match expected {
                Some(to) => assert_eq!(next_status(from, event), Ok(to), "{from:?} {event:?}"),
                None => assert_eq!(
                    next_status(from, event),
                    Err(InvoiceError::NotAllowed { from, event }),
                    "{from:?} {event:?}"
                ),
            }
        }
    }
}

#[test]
fn only_open_invoices_take_money() {
    let payable: Vec<_> = InvoiceStatus::ALL.into_iter().filter(|s| s.is_payable()).collect();
    assert_eq!(payable, [InvoiceStatus::Created, InvoiceStatus::Started, InvoiceStatus::Submitted]);
}

#[test]
fn codes_read_back_and_labels_are_in_both_languages() {
    for s in InvoiceStatus::ALL {
        assert_eq!(InvoiceStatus::parse(s.code()), Some(s));
        assert!(!s.label(Lang::Id).is_empty());
        assert!(!s.label(Lang::En).is_empty());
    }
    assert_eq!(InvoiceStatus::parse("paid"), None);
    assert_eq!(InvoiceStatus::Success.label(Lang::Id), "Lunas");
    assert_eq!(InvoiceStatus::Success.label(Lang::En), "Paid");
    for c in [Channel::Qris, Channel::VirtualAccount, Channel::Counter] {
        assert_eq!(Channel::parse(c.code()), Some(c));
    }
    assert_eq!(Channel::parse("cash"), None);
    assert_eq!(Channel::Counter.label(Lang::Id), "Loket");
    assert_eq!(Channel::Counter.label(Lang::En), "Counter");
}

#[test]
fn a_payment_pays_only_an_open_invoice_of_the_same_amount() {
    let bill = Rupiah(15_000);
    assert_eq!(match_payment(InvoiceStatus::Created, bill, Rupiah(15_000)), Match::Pays);
    assert_eq!(match_payment(InvoiceStatus::Started, bill, Rupiah(15_000)), Match::Pays);
    assert_eq!(match_payment(InvoiceStatus::Submitted, bill, Rupiah(15_000)), Match::Pays);
    assert_eq!(match_payment(InvoiceStatus::Started, bill, Rupiah(14_999)), Match::WrongAmount);
    assert_eq!(match_payment(InvoiceStatus::Started, bill, Rupiah(15_001)), Match::WrongAmount);
    assert_eq!(match_payment(InvoiceStatus::Success, bill, Rupiah(15_000)), Match::AlreadyPaid);
    assert_eq!(match_payment(InvoiceStatus::Refunded, bill, Rupiah(15_000)), Match::AlreadyPaid);
    for closed in [InvoiceStatus::Expired, InvoiceStatus::Cancelled, InvoiceStatus::Failed] {
        assert_eq!(match_payment(closed, bill, Rupiah(15_000)), Match::NotPayable, "{closed:?}");
    }
}

#[test]
fn an_invoice_is_the_fee_and_a_free_service_has_none() {
    assert_eq!(invoice_amount(Rupiah(0)), Err(AmountError::NoFee));
    assert_eq!(invoice_amount(Rupiah(-5)), Err(AmountError::NoFee));
    assert_eq!(invoice_amount(Rupiah(1)), Ok(Rupiah(1)));
    assert_eq!(invoice_amount(Rupiah(MAX_AMOUNT)), Ok(Rupiah(MAX_AMOUNT)));
    assert_eq!(invoice_amount(Rupiah(MAX_AMOUNT + 1)), Err(AmountError::TooLarge));
}

#[test]
fn refunds_never_pass_what_was_paid_even_when_asked_at_once() {
    let paid = Rupiah(100_000);
    assert_eq!(refundable(paid, Rupiah(0)), Rupiah(100_000));
    assert_eq!(refundable(paid, Rupiah(30_000)), Rupiah(70_000));
    assert_eq!(refundable(paid, Rupiah(120_000)), Rupiah(0));
    assert_eq!(check_refund(paid, Rupiah(0), Rupiah(100_000), Rupiah(100_000)), Ok(()));
    assert_eq!(check_refund(paid, Rupiah(0), Rupiah(100_000), Rupiah(1)), Ok(()));
    assert_eq!(
        check_refund(paid, Rupiah(0), Rupiah(100_000), Rupiah(100_001)),
        Err(AmountError::RefundAboveRefundable { refundable: Rupiah(100_000) })
    );
    assert_eq!(check_refund(paid, Rupiah(0), Rupiah(100_000), Rupiah(0)), Err(AmountError::RefundNotPositive));
    // Two officers saw Rp100.000 refundable; the first refunded Rp60.000, so the second's request
    // names a figure that is no longer true and is refused, though Rp50.000 alone would fit.
    assert_eq!(
        check_refund(paid, Rupiah(60_000), Rupiah(100_000), Rupiah(40_000)),
        Err(AmountError::RefundableChanged { named: Rupiah(100_000), refundable: Rupiah(40_000) })
    );
    assert_eq!(check_refund(paid, Rupiah(60_000), Rupiah(40_000), Rupiah(40_000)), Ok(()));
    assert_eq!(
        check_refund(paid, Rupiah(60_000), Rupiah(40_000), Rupiah(40_001)),
        Err(AmountError::RefundAboveRefundable { refundable: Rupiah(40_000) })
    );
}

#[test]
fn invoice_events_are_written_by_their_names() {
    let codes: Vec<&str> = InvoiceEvent::ALL.into_iter().map(InvoiceEvent::code).collect();
    assert_eq!(codes, ["start", "submit", "succeed", "fail", "cancel", "expire", "refund"]);
    let refused = InvoiceError::NotAllowed { from: InvoiceStatus::Refunded, event: InvoiceEvent::Start };
    assert_eq!(refused.to_string(), "an invoice that is refunded cannot start");
}

#[test]
fn a_qr_lasts_a_day_and_a_virtual_account_three_by_default() {
    assert_eq!(DEFAULT_QRIS_EXPIRY_MINUTES, 1_440, "24 hours");
    assert_eq!(DEFAULT_VA_EXPIRY_MINUTES, 4_320, "3 days");
}
