use super::*;

const PUBLIC_SPKI: &str = include_str!("../../tests/data/snap-test-only-bank-public.pem");
const PUBLIC_PKCS1: &str = include_str!("../../tests/data/snap-test-only-bank-public-pkcs1.pem");
const PRIVATE: &str = include_str!("../../tests/data/snap-test-only-bank-private.pem");
const CLIENT_ID: &str = "balai-bank";
const TIMESTAMP: &str = "2026-12-05T10:00:00+07:00";
// printf 'balai-bank|2026-12-05T10:00:00+07:00' | openssl dgst -sha256 -sign <private> | base64 -w0
const OPENSSL_SIGNATURE: &str = "J6lajX6sqKj3PG9Er00naFVCnxb6YNQh6UMqwHgrqPjcmPJ3MQQV84xzhfyfmMr1vv+yqJARS4wqgPhoAF5l6RpBKzzR2zNelXdCPsQ7XuMuuMwbqCOimaN61snNhaRxjFHasHl7gO9pRas2eaBjmO7g6Z9H6VA7i0f7ZXQk3LSg9fs6cUDgDoRk8FggvEdqULmyBL+9pbwtdqwVjc3oRDUHKKwnkgBtMo3S10I5nvCqPyL1Uwx8z+odA++x7LpKpsbB8/Lmg5UfgQXNcBwnuLNbXmnDWLrSm/g9iJcIon+KBMRkIp0bKZLDw64t4S8CDHHCZVMTXzK5Bh8qh3X0jg==";

fn private_key() -> RsaPrivateKey {
    parse_private_key_pem(PRIVATE).unwrap()
}

#[test]
fn both_public_key_encodings_read_as_the_same_key() {
    let spki = parse_public_key_pem(PUBLIC_SPKI).unwrap();
    let pkcs1 = parse_public_key_pem(PUBLIC_PKCS1).unwrap();
    assert_eq!(spki, pkcs1);
    assert_eq!(spki, RsaPublicKey::from(&private_key()));
    assert_eq!(spki.size() * 8, 2048);
}

#[test]
fn a_private_key_reads_and_other_text_does_not() {
    assert!(parse_private_key_pem(PRIVATE).is_ok());
    assert_eq!(parse_private_key_pem(PUBLIC_SPKI), Err(SnapError::InvalidKey));
    assert_eq!(parse_private_key_pem("hello"), Err(SnapError::InvalidKey));
}

#[test]
fn other_pem_is_not_a_public_key() {
    for pem in ["", "hello", PRIVATE, &PUBLIC_SPKI.replace("PUBLIC KEY", "RSA PUBLIC KEY"), &PUBLIC_SPKI[..200]] {
        assert_eq!(parse_public_key_pem(pem), Err(SnapError::InvalidKey), "{pem:.40}");
    }
    let padded = format!("{PUBLIC_SPKI}{}", " ".repeat(MAX_PEM_LEN));
    assert_eq!(parse_public_key_pem(&padded), Err(SnapError::InvalidKey));
}

#[test]
fn a_1024_bit_key_is_refused() {
    // openssl genrsa 1024 | openssl rsa -pubout
    let small = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDEhl/ai4sW9KvtQFXb7tGvVt80
VWElkME7SeZHx6PZ5pIZmEfRixM3/WRfwUDXCfN1w2aQFdTT6IuUyORvr6pSwflx
mAlxMXwNsXceZ4kqwwUvL6+Vm0GeRqs9WSZ+uZnfCudhqXpV1NoTtccVoR/t17yk
kdrUqZk6R42Wr+5h5wIDAQAB
-----END PUBLIC KEY-----";
    assert_eq!(parse_public_key_pem(small), Err(SnapError::InvalidKey));
}

#[test]
fn the_access_token_signature_matches_openssl_and_verifies() {
    let key = parse_public_key_pem(PUBLIC_SPKI).unwrap();
    let signed = sign_access_token_request(&private_key(), CLIENT_ID, TIMESTAMP);
    assert_eq!(signed, OPENSSL_SIGNATURE, "PKCS#1 v1.5 is deterministic");
    assert_eq!(verify_access_token_signature(&key, CLIENT_ID, TIMESTAMP, OPENSSL_SIGNATURE), Ok(()));
}

#[test]
fn the_access_token_signature_binds_client_and_time() {
    let key = parse_public_key_pem(PUBLIC_SPKI).unwrap();
    let bad = Err(SnapError::BadSignature);
    assert_eq!(verify_access_token_signature(&key, "other-bank", TIMESTAMP, OPENSSL_SIGNATURE), bad);
    assert_eq!(verify_access_token_signature(&key, CLIENT_ID, "2026-12-05T10:00:01+07:00", OPENSSL_SIGNATURE), bad);
    assert_eq!(verify_access_token_signature(&key, CLIENT_ID, TIMESTAMP, "not base64!"), bad);
    assert_eq!(verify_access_token_signature(&key, CLIENT_ID, TIMESTAMP, ""), bad);
    assert_eq!(verify_access_token_signature(&key, CLIENT_ID, TIMESTAMP, &"A".repeat(4000)), bad);
    let mut flipped = BASE64.decode(OPENSSL_SIGNATURE).unwrap();
    flipped[100] ^= 1;
    assert_eq!(verify_access_token_signature(&key, CLIENT_ID, TIMESTAMP, &BASE64.encode(flipped)), bad);
}

#[test]
fn minify_removes_whitespace_outside_strings_only() {
    let body = b" {\n  \"a\" : \"x y\\\" z\\\\\" ,\t\"b\": [ 1, 2 ,{ \"c\" :null} ],\r\n \"d\":\"   12345\" } \n";
    assert_eq!(minify_json(body).unwrap(), r#"{"a":"x y\" z\\","b":[1,2,{"c":null}],"d":"   12345"}"#);
    assert_eq!(minify_json("{\"nama\": \"Retribusi Pasar\"}".as_bytes()).unwrap(), r#"{"nama":"Retribusi Pasar"}"#);
    assert_eq!(minify_json(b"{\"z\":1,\"a\":2}").unwrap(), r#"{"z":1,"a":2}"#, "key order kept");
}

#[test]
fn minify_refuses_what_is_not_json() {
    for body in [&b""[..], b"{", b"{\"a\":1} {}", b"{'a':1}", b"\xff", b"{\"a\":1,}", b"nul"] {
        assert_eq!(minify_json(body), Err(SnapError::InvalidJson), "{body:?}");
    }
}

const SECRET: &[u8] = b"client-secret-test";
const PATH: &str = "/v1.0/transfer-va/inquiry";
const TOKEN: &str = "tok-abc";
const PRETTY: &str = r#"{
    "partnerServiceId": "   12345",
    "customerNo": "2026120500001",
    "virtualAccountNo": "   123452026120500001"
}"#;
// python3: body = the minified PRETTY; hashlib.sha256(body).hexdigest()
const STRING_TO_SIGN: &str = "POST:/v1.0/transfer-va/inquiry:tok-abc:cdf9fcafb7fab406e6ec65f07796e51ce0294cf2a4c8a2a7505ebffc297723db:2026-12-05T10:00:00+07:00";
// python3: base64.b64encode(hmac.new(b"client-secret-test", STRING_TO_SIGN, hashlib.sha512).digest())
const TRANSACTION_SIGNATURE: &str =
    "CXm7UuDZzn1Ek+qiIaM6PmE0Xg4K3EMaNN0N/GDEYOptz/ww7sKzD8Mk8G5hnvFKz/iek0jkzFmFIK7hsZ7y8g==";

#[test]
fn the_transaction_string_and_signature_match_independent_values() {
    let text = transaction_string_to_sign("POST", PATH, TOKEN, PRETTY.as_bytes(), TIMESTAMP).unwrap();
    assert_eq!(text, STRING_TO_SIGN);
    let signature = transaction_signature(SECRET, "POST", PATH, TOKEN, PRETTY.as_bytes(), TIMESTAMP).unwrap();
    assert_eq!(signature, TRANSACTION_SIGNATURE);
    let empty = transaction_string_to_sign("GET", "/x", TOKEN, b"", TIMESTAMP).unwrap();
    assert_eq!(
        empty,
        format!("GET:/x:{TOKEN}:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:{TIMESTAMP}")
    );
}

#[test]
fn the_transaction_signature_verifies_and_binds_every_part() {
    let body = PRETTY.as_bytes();
    let ok = verify_transaction_signature(SECRET, "POST", PATH, TOKEN, body, TIMESTAMP, TRANSACTION_SIGNATURE);
    assert_eq!(ok, Ok(()));
    let compact = minify_json(body).unwrap();
    let same =
        verify_transaction_signature(SECRET, "POST", PATH, TOKEN, compact.as_bytes(), TIMESTAMP, TRANSACTION_SIGNATURE);
    assert_eq!(same, Ok(()), "whitespace outside strings is not signed");

    let bad = Err(SnapError::BadSignature);
    let changed = PRETTY.replace("2026120500001\"", "2026120500002\"");
    let check = |secret: &[u8], method: &str, path: &str, token: &str, body: &[u8], ts: &str, sig: &str| {
        verify_transaction_signature(secret, method, path, token, body, ts, sig)
    };
    let sig = TRANSACTION_SIGNATURE;
    assert_eq!(check(b"other", "POST", PATH, TOKEN, body, TIMESTAMP, sig), bad);
    assert_eq!(check(SECRET, "PUT", PATH, TOKEN, body, TIMESTAMP, sig), bad);
    assert_eq!(check(SECRET, "POST", "/v1.0/transfer-va/payment", TOKEN, body, TIMESTAMP, sig), bad);
    assert_eq!(check(SECRET, "POST", PATH, "tok-abd", body, TIMESTAMP, sig), bad);
    assert_eq!(check(SECRET, "POST", PATH, TOKEN, changed.as_bytes(), TIMESTAMP, sig), bad);
    assert_eq!(check(SECRET, "POST", PATH, TOKEN, body, "2026-12-05T10:00:01+07:00", sig), bad);
    assert_eq!(check(SECRET, "POST", PATH, TOKEN, body, TIMESTAMP, &sig[..87]), bad);
    assert_eq!(check(SECRET, "POST", PATH, TOKEN, body, TIMESTAMP, &format!("{}A==", &sig[..85])), bad);
    assert_eq!(check(SECRET, "POST", PATH, TOKEN, body, TIMESTAMP, &"*".repeat(88)), bad);
    assert_eq!(check(SECRET, "POST", PATH, TOKEN, b"{", TIMESTAMP, sig), Err(SnapError::InvalidJson));
}

#[test]
fn timestamps_need_an_offset() {
    let t = parse_timestamp(TIMESTAMP).unwrap();
    assert_eq!(t.timestamp(), 1_796_439_600);
    assert_eq!(t.offset().local_minus_utc(), 7 * 3600);
    assert_eq!(parse_timestamp("2026-12-05T03:00:00Z").unwrap(), t);
    assert_eq!(parse_timestamp("2026-12-05T10:00:00.123+07:00").unwrap().timestamp(), 1_796_439_600);
    for s in ["2026-12-05T10:00:00", "2026-12-05", "20261205T100000+0700", "", "2026-13-05T10:00:00+07:00"] {
        assert_eq!(parse_timestamp(s), Err(SnapError::InvalidTimestamp), "{s}");
    }
    assert_eq!(
        parse_timestamp(&format!("2026-12-05T10:00:00.{}+07:00", "1".repeat(30))),
        Err(SnapError::InvalidTimestamp)
    );
    assert!(timestamp_is_fresh(t, 1_796_439_600 + 300));
    assert!(timestamp_is_fresh(t, 1_796_439_600 - 300));
    assert!(!timestamp_is_fresh(t, 1_796_439_600 + 301));
    assert!(!timestamp_is_fresh(t, 1_796_439_600 - 301));
}

#[test]
fn amounts_are_whole_rupiah_with_two_decimals() {
    assert_eq!(format_amount(150_000), "150000.00");
    assert_eq!(parse_amount("150000.00"), Ok(150_000));
    assert_eq!(parse_amount("150000.0"), Ok(150_000));
    assert_eq!(parse_amount("150000"), Ok(150_000));
    assert_eq!(parse_amount(&format_amount(MAX_AMOUNT)), Ok(MAX_AMOUNT));
    for s in [
        "150000.50",
        "150000.",
        ".00",
        "",
        "-1.00",
        "+1.00",
        "0.00",
        "1,000.00",
        "1e5",
        " 1.00",
        "1.000",
        "10000000000001.00",
        "99999999999999999999.00",
        "١٢٣.00",
    ] {
        assert_eq!(parse_amount(s), Err(SnapError::InvalidAmount), "{s:?}");
    }
    assert_eq!(Amount::idr(150_000), Amount { value: "150000.00".into(), currency: "IDR".into() });
    assert_eq!(Amount::idr(150_000).rupiah(), Ok(150_000));
    assert_eq!(Amount { value: "1.00".into(), currency: "USD".into() }.rupiah(), Err(SnapError::InvalidCurrency));
}

#[test]
fn virtual_account_numbers_pad_the_partner_service_id() {
    assert_eq!(padded_partner_service_id("12345"), "   12345");
    assert_eq!(padded_partner_service_id("   12345"), "   12345");
    assert_eq!(virtual_account_number("12345", "2026120500001"), "   123452026120500001");
    assert_eq!(virtual_account_number("   12345", "2026120500001"), "   123452026120500001");
    assert_eq!(virtual_account_number("88881234", "7"), "888812347");

    assert_eq!(bill_number_of_virtual_account("   12345", "   123452026120500001"), Ok("2026120500001"));
    assert_eq!(bill_number_of_virtual_account("12345", "123452026120500001"), Ok("2026120500001"), "spaces dropped");
    let bad = Err(SnapError::InvalidVirtualAccount);
    assert_eq!(bill_number_of_virtual_account("   12345", "   543212026120500001"), bad);
    assert_eq!(bill_number_of_virtual_account("   12345", "   12345"), bad);
    assert_eq!(bill_number_of_virtual_account("   12345", "   12345 2026"), bad);
    assert_eq!(bill_number_of_virtual_account("   12345", &format!("   12345{}", "1".repeat(21))), bad);
    assert_eq!(bill_number_of_virtual_account("", "12345"), bad);
    for bill in ["1", "2026120500001", &"9".repeat(20)] {
        let va = virtual_account_number("12345", bill);
        assert_eq!(bill_number_of_virtual_account("12345", &va), Ok(bill));
    }
}

#[test]
fn response_codes_are_status_service_and_case() {
    assert_eq!(response_code(200, Service::Inquiry, "00"), "2002400");
    let cases = [
        (SnapOutcome::Successful, Service::Inquiry, "2002400", "Successful"),
        (SnapOutcome::Successful, Service::Payment, "2002500", "Successful"),
        (SnapOutcome::Successful, Service::Token, "2007300", "Successful"),
        (SnapOutcome::UnauthorizedSignature, Service::Token, "4017300", "Unauthorized. [Signature]"),
        (SnapOutcome::UnauthorizedSignature, Service::Inquiry, "4012400", "Unauthorized. [Signature]"),
        (SnapOutcome::UnauthorizedToken, Service::Payment, "4012500", "Unauthorized. [Token]"),
        (SnapOutcome::BillNotFound, Service::Inquiry, "4042412", "Invalid Bill/Virtual Account [Not Found]"),
        (SnapOutcome::BillNotFound, Service::Payment, "4042512", "Invalid Bill/Virtual Account [Not Found]"),
        (SnapOutcome::InvalidAmount, Service::Payment, "4042513", "Invalid Amount"),
        (SnapOutcome::PaidBill, Service::Payment, "4042514", "Paid Bill"),
        (SnapOutcome::PaidBill, Service::Inquiry, "4042414", "Paid Bill"),
        (SnapOutcome::BillExpired, Service::Inquiry, "4042419", "Invalid Bill/Virtual Account [Expired]"),
        (SnapOutcome::BillExpired, Service::Payment, "4042519", "Invalid Bill/Virtual Account [Expired]"),
        (SnapOutcome::Conflict, Service::Payment, "4092500", "Conflict"),
        (SnapOutcome::InvalidFieldFormat, Service::Payment, "4002501", "Invalid Field Format"),
        (SnapOutcome::InvalidMandatoryField, Service::Inquiry, "4002402", "Invalid Mandatory Field"),
        (SnapOutcome::GeneralError, Service::Payment, "5002500", "General Error"),
    ];
    for (outcome, service, code, message) in cases {
        assert_eq!(outcome.code(service), code, "{outcome:?}");
        assert_eq!(outcome.message(), message);
        assert_eq!(outcome.http_status().to_string(), code[..3]);
    }
}

#[test]
fn wire_types_use_snap_names() {
    let inquiry: InquiryRequest = serde_json::from_str(
        r#"{"partnerServiceId":"   12345","customerNo":"2026120500001","virtualAccountNo":"   123452026120500001",
            "trxDateInit":"2026-12-05T10:00:00+07:00","channelCode":6011,"language":"ID","amount":null,
            "inquiryRequestId":"inq-1","additionalInfo":{},"somethingNew":true}"#,
    )
    .unwrap();
    assert_eq!(inquiry.virtual_account_no, "   123452026120500001");
    assert_eq!(inquiry.inquiry_request_id, "inq-1");
    assert_eq!(inquiry.channel_code, Some(serde_json::json!(6011)));

    let payment: PaymentRequest = serde_json::from_str(
        r#"{"partnerServiceId":"   12345","customerNo":"2026120500001","virtualAccountNo":"   123452026120500001",
            "virtualAccountName":"Retribusi","paymentRequestId":"pay-1","channelCode":"6011",
            "paidAmount":{"value":"150000.00","currency":"IDR"},"trxDateTime":"2026-12-05T10:01:00+07:00",
            "referenceNo":"ref-77","flagAdvise":"N"}"#,
    )
    .unwrap();
    assert_eq!(payment.paid_amount.rupiah(), Ok(150_000));
    assert_eq!(payment.reference_no.as_deref(), Some("ref-77"));

    let token = serde_json::to_value(AccessTokenResponse::granted("abc".into())).unwrap();
    assert_eq!(
        token,
        serde_json::json!({"responseCode":"2007300","responseMessage":"Successful","accessToken":"abc",
            "tokenType":"Bearer","expiresIn":"900"})
    );
    let refused = serde_json::to_value(AccessTokenResponse::refused(SnapOutcome::UnauthorizedSignature)).unwrap();
    assert_eq!(refused, serde_json::json!({"responseCode":"4017300","responseMessage":"Unauthorized. [Signature]"}));
    let request: AccessTokenRequest = serde_json::from_str(r#"{"grantType":"client_credentials"}"#).unwrap();
    assert_eq!(request.grant_type, GRANT_TYPE);

    let data = InquiryData {
        inquiry_status: "00".into(),
        inquiry_reason: Reason::new("Success", "Sukses"),
        partner_service_id: "   12345".into(),
        customer_no: "2026120500001".into(),
        virtual_account_no: "   123452026120500001".into(),
        virtual_account_name: "Retribusi Pasar".into(),
        inquiry_request_id: "inq-1".into(),
        total_amount: Amount::idr(150_000),
        virtual_account_trx_type: "C".into(),
        expired_date: None,
    };
    let answer = serde_json::to_value(InquiryResponse {
        response_code: "2002400".into(),
        response_message: "Successful".into(),
        virtual_account_data: Some(data),
    })
    .unwrap();
    let va = &answer["virtualAccountData"];
    assert_eq!(va["totalAmount"], serde_json::json!({"value":"150000.00","currency":"IDR"}));
    assert_eq!(va["inquiryReason"]["indonesia"], "Sukses");
    assert_eq!(va["virtualAccountTrxType"], "C");
    assert!(va.get("expiredDate").is_none());
    assert_eq!(
        serde_json::to_value(ErrorResponse::new(SnapOutcome::Conflict, Service::Payment)).unwrap(),
        serde_json::json!({"responseCode":"4092500","responseMessage":"Conflict"})
    );
}
