//! The QRIS payload reader on any bytes: it never panics; bytes that are not UTF-8 are refused, and
//! text is read as its bytes are; an error points inside the payload (or just past it, for a missing
//! tag); an accepted payload is exactly its elements, 00 first and 63 last, with whole positive
//! amounts; and an accepted dynamic code written again from what was read reads back the same.

#![no_main]

use balai_domain::Rupiah;
use balai_domain::payments::qris::{self, MAX_PAYLOAD_LEN, Merchant};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let read = qris::decode_bytes(data);
    match std::str::from_utf8(data) {
        Ok(text) => assert_eq!(qris::decode(text), read),
        Err(_) => assert!(read.is_err(), "bytes that are not UTF-8 were accepted"),
    }
    let qris = match read {
        Ok(qris) => qris,
        Err(error) => {
            assert!(error.offset <= data.len().min(MAX_PAYLOAD_LEN), "{error} in {} bytes", data.len());
            assert!(error.sub_tag.is_none() || matches!(error.tag, Some(51 | 62)), "{error}");
            assert!(!error.to_string().is_empty());
            return;
        }
    };

    // What was read is the payload, element by element.
    let rebuilt: String = qris.tags.iter().map(|(tag, value)| format!("{tag:02}{:02}{value}", value.len())).collect();
    assert_eq!(rebuilt.as_bytes(), data);
    assert_eq!(qris.tags.first().map(|(tag, _)| *tag), Some(0));
    assert_eq!(qris.tags.last().map(|(tag, _)| *tag), Some(63));
    if let Some(amount) = qris.amount {
        assert!(amount > Rupiah::ZERO && amount <= qris::MAX_AMOUNT);
        assert_eq!(qris.currency, "360");
    }

    // A dynamic code with everything a bill needs, written again by our encoder when its fields are
    // within what we write (theirs may be looser), reads back the same.
    let (true, Some(amount), Some(nmid), Some(criteria), Some(postal_code), Some(bill)) = (
        qris.dynamic,
        qris.amount,
        qris.nmid.clone(),
        qris.merchant_criteria.clone(),
        qris.postal_code.clone(),
        qris.bill_number.clone(),
    ) else {
        return;
    };
    let merchant = Merchant {
        nmid,
        criteria,
        mcc: qris.mcc.clone(),
        name: qris.merchant_name.clone(),
        city: qris.merchant_city.clone(),
        postal_code,
    };
    let Ok(payload) = qris::encode_dynamic(&merchant, amount, &bill) else {
        return;
    };
    let again = qris::decode(&payload).expect("our own payload is refused");
    assert!(again.dynamic);
    assert_eq!(again.amount, Some(amount));
    assert_eq!(again.nmid.as_deref(), Some(merchant.nmid.as_str()));
    assert_eq!(again.merchant_criteria.as_deref(), Some(merchant.criteria.as_str()));
    assert_eq!(again.mcc, merchant.mcc);
    assert_eq!(again.merchant_name, merchant.name);
    assert_eq!(again.merchant_city, merchant.city);
    assert_eq!(again.postal_code.as_deref(), Some(merchant.postal_code.as_str()));
    assert_eq!(again.bill_number.as_deref(), Some(bill.as_str()));
    assert_eq!((again.currency.as_str(), again.country.as_str()), ("360", "ID"));
});
