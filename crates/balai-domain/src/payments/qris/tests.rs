use super::*;
use proptest::prelude::*;

/// A regency's revenue office and one bill. Its CRC was computed apart from this code, with
/// Python's `binascii.crc_hqx(payload, 0xFFFF)` (CRC-16/CCITT-FALSE).
///
/// Offsets: 00 at 0, 01 at 6, 51 at 12 (value 16..60), 52 at 60, 53 at 68 (value 72), 54 at 75
/// (value 79..85), 58 at 85, 59 at 91 (value 95..113), 60 at 113, 61 at 123, 62 at 132 (value
/// 136..153, its 01 at 136), 63 at 153 (value 157..161).
const KNOWN: &str = "00020101021251440014ID.CO.QRIS.WWW0215ID10200123456780303UBE520493995303360540615000058\
                     02ID5918BAPENDA KAB CONTOH6006SLEMAN6105555116217011320261205000176304D945";

fn merchant() -> Merchant {
    Merchant {
        nmid: "ID1020012345678".into(),
        criteria: "UBE".into(),
        mcc: "9399".into(),
        name: "BAPENDA KAB CONTOH".into(),
        city: "SLEMAN".into(),
        postal_code: "55511".into(),
    }
}

fn tlv(tag: u8, value: &str) -> String {
    format!("{tag:02}{:02}{value}", value.len())
}

/// `body` followed by tag 63 with the right CRC.
fn sealed(body: &str) -> String {
    let head = format!("{body}6304");
    format!("{head}{:04X}", crc16_ccitt_false(head.as_bytes()))
}

/// The known payload's elements before the CRC, with `change` applied, sealed again.
fn known_with(change: impl FnOnce(&mut Vec<(u8, String)>)) -> String {
    let mut elements = decode(KNOWN).unwrap().tags;
    elements.pop();
    change(&mut elements);
    sealed(&elements.iter().map(|(tag, value)| tlv(*tag, value)).collect::<String>())
}

fn set(elements: &mut [(u8, String)], tag: u8, value: &str) {
    elements.iter_mut().find(|(t, _)| *t == tag).unwrap().1 = value.to_owned();
}

fn refused(payload: impl AsRef<[u8]>) -> DecodeError {
    match decode_bytes(payload.as_ref()) {
        Ok(qris) => panic!("accepted: {qris:?}"),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_refused(
    payload: impl AsRef<[u8]>,
    tag: Option<u8>,
    sub_tag: Option<u8>,
    offset: usize,
    kind: DecodeErrorKind,
) {
    let error = refused(payload);
    assert_eq!(error, DecodeError { tag, sub_tag, offset, kind }, "{error}");
}

/// The textbook bit-by-bit CRC, beside the table the codec uses.
fn crc_bitwise(bytes: &[u8]) -> u16 {
    let mut crc = 0xFFFFu16;
    for &byte in bytes {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

#[test]
fn crc_check_value() {
    assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    assert_eq!(crc16_ccitt_false(b""), 0xFFFF);
    assert_eq!(crc16_ccitt_false(&KNOWN.as_bytes()[..157]), 0xD945);
}

#[test]
fn encodes_the_known_payload() {
    let payload = encode_dynamic(&merchant(), Rupiah(150_000), "2026120500017").unwrap();
    assert_eq!(payload, KNOWN);
}

#[test]
fn decodes_the_known_payload() {
    let qris = decode(KNOWN).unwrap();
    assert!(qris.dynamic);
    assert_eq!(qris.nmid.as_deref(), Some("ID1020012345678"));
    assert_eq!(qris.merchant_criteria.as_deref(), Some("UBE"));
    assert_eq!(qris.mcc, "9399");
    assert_eq!(qris.currency, "360");
    assert_eq!(qris.amount, Some(Rupiah(150_000)));
    assert_eq!(qris.country, "ID");
    assert_eq!(qris.merchant_name, "BAPENDA KAB CONTOH");
    assert_eq!(qris.merchant_city, "SLEMAN");
    assert_eq!(qris.postal_code.as_deref(), Some("55511"));
    assert_eq!(qris.bill_number.as_deref(), Some("2026120500017"));
    let tags: Vec<u8> = qris.tags.iter().map(|(t, _)| *t).collect();
    assert_eq!(tags, [0, 1, 51, 52, 53, 54, 58, 59, 60, 61, 62, 63]);
    assert_eq!(qris.tags[2].1, "0014ID.CO.QRIS.WWW0215ID10200123456780303UBE");
    assert_eq!(qris.tags[11].1, "D945");
}

#[test]
fn never_a_tip_or_convenience_fee() {
    for amount in [1, 2_500, 150_000, 9_999_999_999_999] {
        let qris = decode(&encode_dynamic(&merchant(), Rupiah(amount), "7").unwrap()).unwrap();
        let tags: Vec<u8> = qris.tags.iter().map(|(t, _)| *t).collect();
        assert_eq!(tags, [0, 1, 51, 52, 53, 54, 58, 59, 60, 61, 62, 63], "amount {amount}");
        assert_eq!(qris.amount, Some(Rupiah(amount)));
    }
}

#[test]
fn amounts_are_whole_rupiah_without_leading_zeros() {
    let tag_54 = |amount| {
        let qris = decode(&encode_dynamic(&merchant(), Rupiah(amount), "1").unwrap()).unwrap();
        qris.tags.into_iter().find(|(t, _)| *t == 54).unwrap().1
    };
    assert_eq!(tag_54(1), "1");
    assert_eq!(tag_54(10_000), "10000");
    assert_eq!(tag_54(9_999_999_999_999), "9999999999999");
}

#[test]
fn encode_names_the_field() {
    let with = |change: fn(&mut Merchant)| {
        let mut m = merchant();
        change(&mut m);
        encode_dynamic(&m, Rupiah(1_000), "1").unwrap_err()
    };
    let long_name = with(|m| m.name = "BADAN PENDAPATAN DAERAH KA".into());
    assert_eq!(long_name, EncodeError::TooLong { field: Field::MerchantName, len: 26, max: 25 });
    assert_eq!(long_name.to_string(), "merchant name (tag 59) is 26 characters, longer than 25");
    let accented = with(|m| m.name = "DINAS PERHUBUNGAN CIANJÜR".into());
    assert_eq!(accented, EncodeError::NotPrintableAscii { field: Field::MerchantName, position: 23 });
    assert_eq!(
        accented.to_string(),
        "merchant name (tag 59) has a character that is not printable ASCII at position 23"
    );
    assert_eq!(
        with(|m| m.name = "DINAS\nKOTA".into()),
        EncodeError::NotPrintableAscii { field: Field::MerchantName, position: 5 }
    );
    assert_eq!(with(|m| m.name = String::new()), EncodeError::Empty { field: Field::MerchantName });
    assert_eq!(
        with(|m| m.city = "KOTA YOGYAKARTA1".into()),
        EncodeError::TooLong { field: Field::MerchantCity, len: 16, max: 15 }
    );
    assert_eq!(
        with(|m| m.city = "\u{7F}".into()),
        EncodeError::NotPrintableAscii { field: Field::MerchantCity, position: 0 }
    );
    assert_eq!(with(|m| m.city = String::new()), EncodeError::Empty { field: Field::MerchantCity });
    assert_eq!(
        with(|m| m.nmid = "ID10200123456789".into()),
        EncodeError::TooLong { field: Field::Nmid, len: 16, max: 15 }
    );
    assert_eq!(with(|m| m.nmid = "ID-1020".into()), EncodeError::NotAlphanumeric { field: Field::Nmid, position: 2 });
    assert_eq!(with(|m| m.nmid = String::new()), EncodeError::Empty { field: Field::Nmid });
    let criteria = with(|m| m.criteria = "XYZ".into());
    assert_eq!(criteria, EncodeError::UnknownCriteria);
    assert_eq!(criteria.to_string(), "merchant criteria (tag 51.03) must be one of UMI, UKE, UME, UBE, URE");
    assert_eq!(with(|m| m.criteria = "ube".into()), EncodeError::UnknownCriteria);
    assert_eq!(with(|m| m.mcc = "939".into()), EncodeError::WrongLength { field: Field::Mcc, len: 4 });
    assert_eq!(with(|m| m.mcc = "93999".into()), EncodeError::WrongLength { field: Field::Mcc, len: 4 });
    assert_eq!(with(|m| m.mcc = "93a9".into()), EncodeError::NotDigits { field: Field::Mcc });
    assert_eq!(with(|m| m.mcc = String::new()), EncodeError::Empty { field: Field::Mcc });
    let postal = with(|m| m.postal_code = "5551".into());
    assert_eq!(postal, EncodeError::WrongLength { field: Field::PostalCode, len: 5 });
    assert_eq!(postal.to_string(), "postal code (tag 61) must be 5 digits");
    assert_eq!(with(|m| m.postal_code = "5551A".into()), EncodeError::NotDigits { field: Field::PostalCode });
}

#[test]
fn the_longest_fields_fit() {
    let m = Merchant {
        nmid: "ID1020012345678".into(),
        criteria: "UMI".into(),
        mcc: "0000".into(),
        name: "BADAN PENDAPATAN DAERAH K".into(),
        city: "KOTA YOGYAKARTA".into(),
        postal_code: "00000".into(),
    };
    let bill = "1234567890123456789012345";
    let qris = decode(&encode_dynamic(&m, MAX_AMOUNT, bill).unwrap()).unwrap();
    assert_eq!(qris.merchant_name, m.name);
    assert_eq!(qris.merchant_city, m.city);
    assert_eq!(qris.bill_number.as_deref(), Some(bill));
    assert_eq!(qris.amount, Some(MAX_AMOUNT));
}

#[test]
fn encode_refuses_bad_bill_numbers_and_amounts() {
    let m = merchant();
    let bill = |b: &str| encode_dynamic(&m, Rupiah(1_000), b).unwrap_err();
    let letters = bill("INV-001");
    assert_eq!(letters, EncodeError::NotDigits { field: Field::BillNumber });
    assert_eq!(letters.to_string(), "bill number (tag 62.01) must be digits only");
    assert_eq!(bill(""), EncodeError::Empty { field: Field::BillNumber });
    assert_eq!(bill("12345678901234567890123456"), EncodeError::TooLong { field: Field::BillNumber, len: 26, max: 25 });
    let amount = |a: i64| encode_dynamic(&m, Rupiah(a), "1").unwrap_err();
    assert_eq!(amount(0), EncodeError::AmountNotPositive { amount: Rupiah(0) });
    assert_eq!(amount(-5_000), EncodeError::AmountNotPositive { amount: Rupiah(-5_000) });
    assert_eq!(amount(0).to_string(), "amount (tag 54) must be positive, not Rp0");
    assert_eq!(amount(10_000_000_000_000), EncodeError::AmountTooLarge { amount: Rupiah(10_000_000_000_000) });
    assert_eq!(amount(i64::MIN), EncodeError::AmountNotPositive { amount: Rupiah(i64::MIN) });
}

#[test]
fn a_value_over_99_characters_is_refused() {
    let mut out = String::new();
    assert_eq!(push(&mut out, 62, &"1".repeat(100)), Err(EncodeError::ValueTooLong { tag: 62, len: 100 }));
    assert_eq!(out, "");
    push(&mut out, 62, &"1".repeat(99)).unwrap();
    assert_eq!(&out[..4], "6299");
    assert_eq!(out.len(), 103);
    assert_eq!(
        EncodeError::ValueTooLong { tag: 5, len: 100 }.to_string(),
        "tag 05 has a value of 100 characters; a two-digit length holds at most 99"
    );
}

#[test]
fn refuses_a_first_tag_other_than_00() {
    let payload = sealed(&KNOWN[6..153].replacen("010212", "010212000201", 1));
    assert_refused(&payload, Some(1), None, 0, DecodeErrorKind::FirstTagNotFormat);
    let error = refused(&payload);
    assert_eq!(error.to_string(), "tag 01 at offset 0: the first tag must be 00 (payload format indicator)");
}

#[test]
fn refuses_a_last_tag_other_than_63() {
    assert_refused(&KNOWN[..153], Some(62), None, 132, DecodeErrorKind::LastTagNotCrc);
    // The CRC in the middle, another tag after it.
    let moved = format!("{}{}{}", &KNOWN[..132], &KNOWN[153..], &KNOWN[132..153]);
    assert_refused(moved, Some(62), None, 140, DecodeErrorKind::LastTagNotCrc);
}

#[test]
fn refuses_a_wrong_crc() {
    let flipped = format!("{}D946", &KNOWN[..157]);
    assert_refused(&flipped, Some(63), None, 157, DecodeErrorKind::CrcMismatch { expected: 0xD945, found: 0xD946 });
    assert_eq!(refused(&flipped).to_string(), "tag 63 at offset 157: the CRC is D946 but the payload's is D945");
    // One character of the name changed, the CRC kept.
    let renamed = KNOWN.replacen("CONTOH", "CONTOX", 1);
    assert!(matches!(refused(renamed).kind, DecodeErrorKind::CrcMismatch { expected: _, found: 0xD945 }));
    assert_refused(format!("{}D94G", &KNOWN[..157]), Some(63), None, 157, DecodeErrorKind::CrcNotHex);
    assert_refused(format!("{}6303D94", &KNOWN[..153]), Some(63), None, 157, DecodeErrorKind::CrcNotHex);
    assert_refused(format!("{}6305D945A", &KNOWN[..153]), Some(63), None, 157, DecodeErrorKind::CrcNotHex);
    assert_refused(format!("{}+D94", &KNOWN[..157]), Some(63), None, 157, DecodeErrorKind::CrcNotHex);
    // Lower-case hexadecimal digits carry the same number: accepted from others.
    assert_eq!(decode(&format!("{}d945", &KNOWN[..157])).unwrap().amount, Some(Rupiah(150_000)));
}

#[test]
fn refuses_a_duplicate_tag() {
    let twice = sealed(&format!("{}5802ID{}", &KNOWN[..91], &KNOWN[91..153]));
    assert_refused(&twice, Some(58), None, 91, DecodeErrorKind::DuplicateTag);
    assert_eq!(refused(&twice).to_string(), "tag 58 at offset 91: the tag appears twice");
    let nmid_twice = known_with(|e| set(e, 51, "0014ID.CO.QRIS.WWW0215ID10200123456780215ID1020012345679"));
    assert_refused(&nmid_twice, Some(51), Some(2), 16 + 37, DecodeErrorKind::DuplicateTag);
    assert_eq!(refused(&nmid_twice).to_string(), "tag 51.02 at offset 53: the tag appears twice");
    let bill_twice = known_with(|e| set(e, 62, "01132026120500017010299"));
    assert_refused(&bill_twice, Some(62), Some(1), 136 + 17, DecodeErrorKind::DuplicateTag);
}

#[test]
fn refuses_a_length_past_the_end() {
    assert_refused(&KNOWN[..159], Some(63), None, 155, DecodeErrorKind::LengthPastEnd { declared: 4, remaining: 2 });
    assert_eq!(
        refused(&KNOWN[..159]).to_string(),
        "tag 63 at offset 155: the length 4 runs past the end (2 characters left)"
    );
    let inside = known_with(|e| set(e, 62, "0114202612050001"));
    assert_refused(&inside, Some(62), Some(1), 138, DecodeErrorKind::LengthPastEnd { declared: 14, remaining: 12 });
    assert_refused("0002010", None, None, 6, DecodeErrorKind::Truncated);
    assert_refused("000201010", Some(1), None, 6, DecodeErrorKind::Truncated);
    assert_refused("0002010101", Some(1), None, 8, DecodeErrorKind::LengthPastEnd { declared: 1, remaining: 0 });
    assert_refused("00020101021", Some(1), None, 8, DecodeErrorKind::LengthPastEnd { declared: 2, remaining: 1 });
}

#[test]
fn refuses_a_tag_or_length_that_is_not_digits() {
    let tag = sealed(&format!("{}5A02ID{}", &KNOWN[..85], &KNOWN[91..153]));
    assert_refused(&tag, None, None, 85, DecodeErrorKind::TagNotDigits);
    let length = sealed(&format!("{}58 2ID{}", &KNOWN[..85], &KNOWN[91..153]));
    assert_refused(&length, Some(58), None, 87, DecodeErrorKind::LengthNotDigits);
    assert_eq!(refused(&length).to_string(), "tag 58 at offset 87: the length is not two digits");
    let sub = known_with(|e| set(e, 51, "0014ID.CO.QRIS.WWW02xxID1020012345678"));
    assert_refused(&sub, Some(51), Some(2), 36, DecodeErrorKind::LengthNotDigits);
    let sub_tag = known_with(|e| set(e, 62, "A113202612050001"));
    assert_refused(&sub_tag, Some(62), None, 136, DecodeErrorKind::TagNotDigits);
    let zero = sealed(&format!("{}5900{}", &KNOWN[..91], &KNOWN[113..153]));
    assert_refused(&zero, Some(59), None, 93, DecodeErrorKind::LengthZero);
}

#[test]
fn refuses_malformed_amounts() {
    let with_amount = |value: &str| known_with(|e| set(e, 54, value));
    for (value, kind) in [
        ("15000.50", DecodeErrorKind::AmountFraction),
        ("15000.05", DecodeErrorKind::AmountFraction),
        ("15000.5", DecodeErrorKind::AmountFraction),
        ("0", DecodeErrorKind::AmountZero),
        ("000", DecodeErrorKind::AmountZero),
        ("0.00", DecodeErrorKind::AmountZero),
        ("1.000", DecodeErrorKind::AmountNotNumber),
        ("15.000,00", DecodeErrorKind::AmountNotNumber),
        ("150000.", DecodeErrorKind::AmountNotNumber),
        (".50", DecodeErrorKind::AmountNotNumber),
        ("-5000", DecodeErrorKind::AmountNotNumber),
        ("+5000", DecodeErrorKind::AmountNotNumber),
        ("1e5", DecodeErrorKind::AmountNotNumber),
        ("Rp5000", DecodeErrorKind::AmountNotNumber),
        ("1.0.0", DecodeErrorKind::AmountNotNumber),
        (" 5000", DecodeErrorKind::AmountNotNumber),
        ("12345678901234", DecodeErrorKind::AmountTooLong),
        ("1234567890.000", DecodeErrorKind::AmountTooLong),
    ] {
        assert_refused(with_amount(value), Some(54), None, 79, kind);
    }
    assert_eq!(refused(with_amount("abc")).to_string(), "tag 54 at offset 79: the amount is not a number");
    for (value, rupiah) in [
        ("150000.00", 150_000),
        ("150000.0", 150_000),
        ("000150000", 150_000),
        ("1", 1),
        ("9999999999999", 9_999_999_999_999),
        ("9999999999.00", 9_999_999_999),
    ] {
        assert_eq!(decode(&with_amount(value)).unwrap().amount, Some(Rupiah(rupiah)), "{value}");
    }
}

#[test]
fn refuses_an_amount_in_another_currency() {
    let dollars = known_with(|e| set(e, 53, "840"));
    assert_refused(&dollars, Some(53), None, 72, DecodeErrorKind::AmountNotRupiah);
    // Without an amount the currency is only reported.
    let static_dollars = known_with(|e| {
        set(e, 53, "840");
        e.retain(|(t, _)| *t != 54);
    });
    assert_eq!(decode(&static_dollars).unwrap().currency, "840");
}

#[test]
fn refuses_bytes_that_are_not_printable_ascii() {
    let name = "BAPENDA KAB CONTÖH";
    let payload = sealed(&format!("{}59{:02}{name}{}", &KNOWN[..91], name.len(), &KNOWN[113..153]));
    assert_refused(&payload, Some(59), None, 95 + 16, DecodeErrorKind::NotPrintableAscii { byte: 0xC3 });
    assert_eq!(refused(&payload).to_string(), "tag 59 at offset 111: byte 0xC3 is not printable ASCII");
    let newline = KNOWN.replacen("SLEMAN", "SLEMA\n", 1);
    assert_refused(&newline, Some(60), None, 122, DecodeErrorKind::NotPrintableAscii { byte: b'\n' });
    let mut bytes = KNOWN.as_bytes().to_vec();
    bytes[3] = 0xFF;
    assert_refused(&bytes, Some(0), None, 3, DecodeErrorKind::NotPrintableAscii { byte: 0xFF });
    bytes[3] = b'2';
    bytes[0] = 0x80;
    assert_refused(&bytes, None, None, 0, DecodeErrorKind::NotPrintableAscii { byte: 0x80 });
    let inside = known_with(|e| set(e, 62, "0113202612050\t017"));
    assert_refused(&inside, Some(62), None, 149, DecodeErrorKind::NotPrintableAscii { byte: b'\t' });
    assert_refused("00020\u{e9}", Some(0), None, 5, DecodeErrorKind::NotPrintableAscii { byte: 0xC3 });
    // A space is printable: a leading one is a tag that is not two digits.
    assert_refused(" 00020101", None, None, 0, DecodeErrorKind::TagNotDigits);
}

#[test]
fn refuses_missing_mandatory_tags() {
    for tag in [52, 53, 58, 59, 60] {
        let payload = known_with(|e| e.retain(|(t, _)| *t != tag));
        assert_refused(&payload, Some(tag), None, payload.len(), DecodeErrorKind::Missing);
    }
    let no_postal_code = known_with(|e| e.retain(|(t, _)| *t != 61));
    assert_refused(&no_postal_code, Some(61), None, 152, DecodeErrorKind::Missing);
    assert_eq!(refused(&no_postal_code).to_string(), "tag 61 at offset 152: a mandatory tag is missing");
    // A postal code is mandatory in Indonesia only.
    let abroad = known_with(|e| {
        e.retain(|(t, _)| *t != 61);
        set(e, 58, "SG");
    });
    let qris = decode(&abroad).unwrap();
    assert_eq!((qris.country.as_str(), qris.postal_code), ("SG", None));
    assert_refused("6304D945", Some(63), None, 0, DecodeErrorKind::FirstTagNotFormat);
    assert_refused(sealed("000201"), Some(52), None, 14, DecodeErrorKind::Missing);
}

#[test]
fn reads_the_point_of_initiation() {
    assert_refused(known_with(|e| set(e, 1, "13")), Some(1), None, 10, DecodeErrorKind::PointOfInitiation);
    assert_refused(known_with(|e| set(e, 1, "1")), Some(1), None, 10, DecodeErrorKind::PointOfInitiation);
    assert!(!decode(&known_with(|e| set(e, 1, "11"))).unwrap().dynamic);
    let without = decode(&known_with(|e| e.retain(|(t, _)| *t != 1))).unwrap();
    assert!(!without.dynamic);
    assert_eq!(without.amount, Some(Rupiah(150_000)));
}

#[test]
fn refuses_a_format_indicator_other_than_01() {
    assert_refused(known_with(|e| set(e, 0, "02")), Some(0), None, 4, DecodeErrorKind::FormatIndicator);
}

#[test]
fn bounds_the_length() {
    // Unreserved templates (80–99) pad the known payload to exactly 512 bytes.
    let padded = known_with(|e| {
        for tag in [80, 81, 82] {
            e.push((tag, "x".repeat(99)));
        }
        e.push((83, "y".repeat(38)));
    });
    assert_eq!(padded.len(), 512);
    assert_eq!(decode(&padded).unwrap().tags.len(), 16);
    let longer = known_with(|e| {
        for tag in [80, 81, 82] {
            e.push((tag, "x".repeat(99)));
        }
        e.push((83, "y".repeat(39)));
    });
    assert_refused(&longer, None, None, 512, DecodeErrorKind::TooLong { len: 513 });
    assert_refused("", None, None, 0, DecodeErrorKind::Empty);
    assert_refused("x".repeat(100_000), None, None, 512, DecodeErrorKind::TooLong { len: 100_000 });
}

#[test]
fn reads_a_static_code_from_another_issuer() {
    // A static code with a second merchant account (tag 26) and a terminal label (62.07).
    let body = [
        tlv(0, "01"),
        tlv(1, "11"),
        tlv(26, &(tlv(0, "COM.EXAMPLE.WWW") + &tlv(1, "936000140000012345"))),
        tlv(51, &(tlv(0, QRIS_GUID) + &tlv(2, "ID2020012345678") + &tlv(3, "UMI"))),
        tlv(52, "5499"),
        tlv(53, "360"),
        tlv(58, "ID"),
        tlv(59, "WARUNG BU SRI"),
        tlv(60, "BANTUL"),
        tlv(61, "55711"),
        tlv(62, &tlv(7, "T01")),
    ]
    .concat();
    let qris = decode(&sealed(&body)).unwrap();
    assert!(!qris.dynamic);
    assert_eq!(qris.amount, None);
    assert_eq!(qris.bill_number, None);
    assert_eq!(qris.nmid.as_deref(), Some("ID2020012345678"));
    assert_eq!(qris.merchant_criteria.as_deref(), Some("UMI"));
    assert_eq!(qris.tags[2], (26, "0015COM.EXAMPLE.WWW0118936000140000012345".to_owned()));
}

fn arb_merchant() -> impl Strategy<Value = Merchant> {
    ("[A-Z0-9]{1,15}", prop::sample::select(CRITERIA.to_vec()), "[0-9]{4}", "[ -~]{1,25}", "[ -~]{1,15}", "[0-9]{5}")
        .prop_map(|(nmid, criteria, mcc, name, city, postal_code)| Merchant {
            nmid,
            criteria: criteria.to_owned(),
            mcc,
            name,
            city,
            postal_code,
        })
}

proptest! {
    #[test]
    fn crc_table_matches_the_bitwise_definition(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        prop_assert_eq!(crc16_ccitt_false(&bytes), crc_bitwise(&bytes));
    }

    #[test]
    fn encode_then_decode_round_trips(
        m in arb_merchant(),
        amount in 1i64..=1_000_000_000_000,
        bill in "[0-9]{1,20}",
    ) {
        let payload = encode_dynamic(&m, Rupiah(amount), &bill).unwrap();
        prop_assert!(payload.len() <= MAX_PAYLOAD_LEN);
        let qris = decode(&payload).unwrap();
        prop_assert!(qris.dynamic);
        prop_assert_eq!(qris.nmid.as_deref(), Some(m.nmid.as_str()));
        prop_assert_eq!(qris.merchant_criteria.as_deref(), Some(m.criteria.as_str()));
        prop_assert_eq!(&qris.mcc, &m.mcc);
        prop_assert_eq!(&qris.currency, "360");
        prop_assert_eq!(qris.amount, Some(Rupiah(amount)));
        prop_assert_eq!(&qris.country, "ID");
        prop_assert_eq!(&qris.merchant_name, &m.name);
        prop_assert_eq!(&qris.merchant_city, &m.city);
        prop_assert_eq!(qris.postal_code.as_deref(), Some(m.postal_code.as_str()));
        prop_assert_eq!(qris.bill_number.as_deref(), Some(bill.as_str()));
        // The elements read back are the payload, byte for byte.
        let rebuilt: String = qris.tags.iter().map(|(t, v)| tlv(*t, v)).collect();
        prop_assert_eq!(rebuilt, payload);
    }

    #[test]
    fn tags_in_another_order_read_the_same(
        m in arb_merchant(),
        amount in 1i64..=1_000_000_000_000,
        bill in "[0-9]{1,20}",
        seed in any::<u64>(),
    ) {
        let payload = encode_dynamic(&m, Rupiah(amount), &bill).unwrap();
        let ours = decode(&payload).unwrap();
        let mut middle: Vec<(u8, String)> = ours.tags[1..ours.tags.len() - 1].to_vec();
        // The sub-tags of 51 in another order too.
        let account = middle.iter_mut().find(|(t, _)| *t == 51).unwrap();
        account.1 = tlv(3, &m.criteria) + &tlv(0, QRIS_GUID) + &tlv(2, &m.nmid);
        shuffle(&mut middle, seed);
        let body: String = std::iter::once(tlv(0, "01")).chain(middle.iter().map(|(t, v)| tlv(*t, v))).collect();
        let theirs = decode(&sealed(&body)).unwrap();
        prop_assert_eq!(&theirs.tags[1..11], &middle[..]);
        prop_assert_eq!(Qris { tags: Vec::new(), ..theirs }, Qris { tags: Vec::new(), ..ours });
    }
}

/// A Fisher–Yates shuffle from a seed (xorshift), so a failing case is reproduced from the seed.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}
