//! An Open311 `POST requests` body, decoded as axum's `Form` decodes it, read into a filing and
//! checked against a service's extra questions (a fixed set, or any JSON before a NUL byte).
//!
//! - Nothing panics; reading takes the first value of each field, and every `attribute[…]` pair.
//! - Decode → encode → decode gives the same pairs, and so the same filing and the same verdict.
//! - An accepted filing has a location, a description within bounds, a one-line title taken from
//!   the description, an answer to every required question and a well-typed value for each answer.
//! - A refusal names a field that was posted or that the checks require.

#![no_main]

use balai_domain::complaints::MAX_TEXT_CHARS;
use balai_domain::complaints::open311::{
    Attribute, Filing, MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTES, MAX_FILED_TITLE_CHARS, attributes,
};
use libfuzzer_sys::fuzz_target;

const QUESTIONS: &str = r#"[
  {"code":"depth","datatype":"number","required":true,"description":"Kedalaman lubang (cm)"},
  {"code":"lane","datatype":"singlevaluelist","values":[{"key":"kiri","name":"Kiri"},{"key":"kanan","name":"Kanan"}]},
  {"code":"note","datatype":"text"}
]"#;

fn first<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

fn check(form: &[(String, String)], questions: &[Attribute]) {
    let filing = Filing::read(form);
    for (name, value) in [
        ("api_key", filing.api_key),
        ("jurisdiction_id", filing.jurisdiction_id),
        ("service_code", filing.service_code),
        ("lat", filing.lat),
        ("long", filing.long),
        ("address_string", filing.address_string),
        ("description", filing.description),
        ("email", filing.email),
        ("phone", filing.phone),
        ("media_url", filing.media_url),
    ] {
        assert_eq!(value, first(form, name));
    }
    let answers = form.iter().filter(|(k, _)| k.starts_with("attribute[") && k.ends_with(']')).count();
    assert_eq!(filing.answers.len(), answers);

    match filing.check(questions) {
        Ok(checked) => {
            assert!(filing.media_url.trim().is_empty());
            assert!(
                !(filing.lat.trim().is_empty()
                    && filing.long.trim().is_empty()
                    && filing.address_string.trim().is_empty())
            );
            assert!(filing.description.chars().count() <= MAX_TEXT_CHARS);
            assert!(checked.title.chars().count() <= MAX_FILED_TITLE_CHARS);
            assert!(!checked.title.contains('\n'));
            assert!(filing.description.contains(&checked.title));
            let description = filing.description.trim();
            if description.is_empty() {
                assert!(checked.text.is_empty());
            } else {
                assert!(checked.text.starts_with(description));
            }
            assert_eq!(checked.name, checked.name.trim());
            for (key, value) in &filing.answers {
                let code = &key["attribute[".len()..key.len() - 1];
                let question = questions.iter().find(|q| q.code == code).expect("only known questions are answered");
                let value = value.trim();
                assert!(value.chars().count() <= MAX_ATTRIBUTE_CHARS);
                if !value.is_empty() {
                    match question.datatype.as_str() {
                        "number" => assert!(value.parse::<f64>().unwrap().is_finite()),
                        "singlevaluelist" | "multivaluelist" => assert!(question.values.iter().any(|v| v.key == value)),
                        _ => {}
                    }
                    if !description.is_empty() {
                        assert!(checked.text.contains(value));
                    }
                }
            }
            for question in questions.iter().filter(|q| q.required) {
                assert!(!first(form, &format!("attribute[{}]", question.code)).trim().is_empty());
            }
        }
        Err(refusal) => {
            assert!(!refusal.message.is_empty());
            let posted = form.iter().any(|(k, _)| *k == refusal.field);
            let required = questions.iter().any(|q| q.required && refusal.field == format!("attribute[{}]", q.code));
            assert!(posted || required || refusal.field == "lat", "refused field {:?}", refusal.field);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (questions, body) = match data.iter().position(|&b| b == 0) {
        Some(at) => (attributes(&String::from_utf8_lossy(&data[..at])), &data[at + 1..]),
        None => (attributes(QUESTIONS), data),
    };
    assert!(questions.len() <= MAX_ATTRIBUTES);
    // What axum's `Form<Vec<(String, String)>>` does with the body.
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else { return };
    check(&form, &questions);
    // Encode → decode: the same pairs, so the same filing and verdict.
    let encoded = serde_urlencoded::to_string(&form).expect("pairs of strings encode");
    let again: Vec<(String, String)> = serde_urlencoded::from_str(&encoded).expect("an encoded form decodes");
    assert_eq!(again, form);
    let (filing, again_filing) = (Filing::read(&form), Filing::read(&again));
    assert_eq!(filing, again_filing);
    assert_eq!(filing.check(&questions), again_filing.check(&questions));
});
