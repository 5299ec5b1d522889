use super::*;

fn field(key: &str, kind: FieldKind, required: bool) -> FormField {
    FormField {
        key: key.into(),
        label: format!("Label {key}"),
        label_en: format!("Label {key} (en)"),
        kind,
        required,
        prefill: None,
    }
}

fn option(value: &str) -> ChoiceOption {
    ChoiceOption { value: value.into(), label: format!("Pilihan {value}"), label_en: format!("Option {value}") }
}

/// A form with one field of every kind.
fn form() -> Vec<FormField> {
    vec![
        FormField { prefill: Some(Prefill::FullName), ..field("nama", FieldKind::Text { max_chars: 10 }, true) },
        field("luas_m2", FieldKind::Number { min: 1, max: 500 }, true),
        FormField { prefill: Some(Prefill::BirthDate), ..field("tanggal_lahir", FieldKind::Date, false) },
        field("jenis", FieldKind::Choice { options: vec![option("baru"), option("perpanjangan")] }, true),
        FormField { prefill: Some(Prefill::Address), ..field("alamat", FieldKind::Address, true) },
        field("bermotor", FieldKind::YesNo, false),
        field("catatan", FieldKind::Text { max_chars: 50 }, false),
    ]
}

fn values(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn good() -> Map<String, Value> {
    values(json!({
        "nama": "  Maria Bano ",
        "luas_m2": 120,
        "tanggal_lahir": "1990-02-28",
        "jenis": "baru",
        "alamat": {"region": "5371041001", "street": " Jl. El Tari No. 5 "},
        "bermotor": false,
    }))
}

fn problems(submitted: Value) -> Vec<(String, FieldRule)> {
    let mut submitted_map = good();
    for (k, v) in values(submitted) {
        submitted_map.insert(k, v);
    }
    match validate_fields(&form(), &submitted_map) {
        Ok(values) => panic!("accepted: {values:?}"),
        Err(problems) => problems.into_iter().map(|p| (p.field, p.rule)).collect(),
    }
}

fn one(submitted: Value) -> (String, FieldRule) {
    let found = problems(submitted);
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn a_good_form_passes_the_admin_check() {
    assert_eq!(check_form(&form()), Ok(()));
    assert_eq!(check_form(&[]), Ok(()));
}

#[test]
fn keys_must_be_short_lowercase_words_and_unique() {
    let long_enough = format!("a{}", "b".repeat(MAX_KEY_CHARS - 1));
    let mut fields: Vec<FormField> =
        [long_enough.as_str(), "a", "a_1", "z9_"].iter().map(|k| field(k, FieldKind::YesNo, false)).collect();
    assert_eq!(check_form(&fields), Ok(()));
    for bad in ["", "1a", "_a", "Nama", "nama-lengkap", "nama lengkap", "namä", &format!("{long_enough}c")] {
        fields.push(field(bad, FieldKind::YesNo, false));
        let errors = check_form(&fields).unwrap_err();
        assert_eq!(errors.0.len(), 1, "{bad:?}: {errors:?}");
        assert!(matches!(errors.for_field("fields[4].key"), Some(Rule::Format { .. })), "{bad:?}");
        fields.pop();
    }
    fields.push(field("a_1", FieldKind::Date, true));
    assert_eq!(check_form(&fields).unwrap_err().for_field("fields[4].key"), Some(&Rule::Duplicate));
}

#[test]
fn a_form_has_at_most_forty_fields() {
    let fields: Vec<FormField> =
        (0..MAX_FORM_FIELDS).map(|i| field(&format!("f{i}"), FieldKind::YesNo, false)).collect();
    assert_eq!(check_form(&fields), Ok(()));
    let mut more = fields.clone();
    more.push(field("extra", FieldKind::YesNo, false));
    let errors = check_form(&more).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.for_field("fields"), Some(&Rule::TooMany { max: MAX_FORM_FIELDS }));
}

#[test]
fn labels_in_both_languages_are_required_and_bounded() {
    let mut f = form();
    f[0].label = "  ".into();
    f[1].label_en = "x".repeat(MAX_LABEL_CHARS + 1);
    f[2].label = "é".repeat(MAX_LABEL_CHARS);
    let errors = check_form(&f).unwrap_err();
    assert_eq!(errors.0.len(), 2, "{errors:?}");
    assert_eq!(errors.for_field("fields[0].label"), Some(&Rule::Required));
    assert_eq!(errors.for_field("fields[1].label_en"), Some(&Rule::TooLong { max: MAX_LABEL_CHARS }));
}

#[test]
fn choices_offer_one_to_fifty_distinct_options() {
    let choice = |options: Vec<ChoiceOption>| vec![field("jenis", FieldKind::Choice { options }, true)];
    assert_eq!(check_form(&choice(vec![option("a")])), Ok(()));
    let fifty: Vec<ChoiceOption> = (0..MAX_CHOICE_OPTIONS).map(|i| option(&format!("o{i}"))).collect();
    assert_eq!(check_form(&choice(fifty.clone())), Ok(()));
    let mut fifty_one = fifty;
    fifty_one.push(option("lagi"));
    assert_eq!(
        check_form(&choice(fifty_one)).unwrap_err().for_field("fields[0].options"),
        Some(&Rule::TooMany { max: MAX_CHOICE_OPTIONS })
    );
    assert_eq!(check_form(&choice(vec![])).unwrap_err().for_field("fields[0].options"), Some(&Rule::Required));

    let errors = check_form(&choice(vec![
        option("a"),
        option("a"),
        option(" "),
        option(" b"),
        option(&"v".repeat(MAX_OPTION_VALUE_CHARS + 1)),
        ChoiceOption { label_en: String::new(), ..option("c") },
    ]))
    .unwrap_err();
    assert_eq!(errors.0.len(), 5, "{errors:?}");
    assert_eq!(errors.for_field("fields[0].options[0].value"), None);
    assert_eq!(errors.for_field("fields[0].options[1].value"), Some(&Rule::Duplicate));
    assert_eq!(errors.for_field("fields[0].options[2].value"), Some(&Rule::Required));
    assert!(matches!(errors.for_field("fields[0].options[3].value"), Some(Rule::Format { .. })));
    assert_eq!(errors.for_field("fields[0].options[4].value"), Some(&Rule::TooLong { max: MAX_OPTION_VALUE_CHARS }));
    assert_eq!(errors.for_field("fields[0].options[5].label_en"), Some(&Rule::Required));
}

#[test]
fn numbers_need_a_minimum_no_larger_than_the_maximum() {
    let number = |min, max| vec![field("n", FieldKind::Number { min, max }, true)];
    assert_eq!(check_form(&number(5, 5)), Ok(()));
    assert_eq!(check_form(&number(i64::MIN, i64::MAX)), Ok(()));
    assert_eq!(check_form(&number(6, 5)).unwrap_err().for_field("fields[0].max"), Some(&Rule::BelowMinimum { min: 6 }));
}

#[test]
fn text_allows_one_to_five_thousand_characters() {
    let text = |max_chars| vec![field("t", FieldKind::Text { max_chars }, true)];
    assert_eq!(check_form(&text(1)), Ok(()));
    assert_eq!(check_form(&text(MAX_TEXT_CHARS)), Ok(()));
    for bad in [0, MAX_TEXT_CHARS + 1] {
        assert_eq!(
            check_form(&text(bad)).unwrap_err().for_field("fields[0].max_chars"),
            Some(&Rule::OutOfRange { min: 1, max: 5000 }),
            "{bad}"
        );
    }
}

#[test]
fn a_prefill_must_fit_the_field() {
    let fits = [
        (Prefill::FullName, FieldKind::Text { max_chars: 100 }),
        (Prefill::Email, FieldKind::Text { max_chars: 100 }),
        (Prefill::Phone, FieldKind::Text { max_chars: 20 }),
        (Prefill::BirthDate, FieldKind::Date),
        (Prefill::Address, FieldKind::Address),
    ];
    let kinds = [
        FieldKind::Text { max_chars: 100 },
        FieldKind::Number { min: 0, max: 1 },
        FieldKind::Date,
        FieldKind::Choice { options: vec![option("a")] },
        FieldKind::Address,
        FieldKind::YesNo,
    ];
    for (prefill, good_kind) in fits {
        for kind in &kinds {
            let f = vec![FormField { prefill: Some(prefill), ..field("f", kind.clone(), false) }];
            let same = std::mem::discriminant(kind) == std::mem::discriminant(&good_kind);
            assert_eq!(check_form(&f).is_ok(), same, "{prefill:?} on {kind:?}");
            if !same {
                assert_eq!(check_form(&f).unwrap_err().for_field("fields[0].prefill"), Some(&Rule::NotForThisKind));
            }
        }
    }
}

#[test]
fn forms_are_stored_as_tagged_json() {
    let f = form();
    let stored = serde_json::to_value(&f).unwrap();
    assert_eq!(stored[0]["kind"], json!({"type": "text", "max_chars": 10}));
    assert_eq!(stored[0]["prefill"], json!("full_name"));
    assert_eq!(stored[1]["kind"], json!({"type": "number", "min": 1, "max": 500}));
    assert_eq!(stored[3]["kind"]["type"], json!("choice"));
    assert_eq!(
        stored[3]["kind"]["options"][1],
        json!({"value": "perpanjangan", "label": "Pilihan perpanjangan", "label_en": "Option perpanjangan"})
    );
    assert_eq!(stored[5]["kind"], json!({"type": "yes_no"}));
    let back: Vec<FormField> = serde_json::from_value(stored).unwrap();
    assert_eq!(back, f);
    for prefill in [Prefill::FullName, Prefill::BirthDate, Prefill::Address, Prefill::Email, Prefill::Phone] {
        assert_eq!(serde_json::to_value(prefill).unwrap(), prefill.code());
    }
}

#[test]
fn the_schema_describes_each_kind_of_field() {
    let schema = json_schema(&form());
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"], json!(["nama", "luas_m2", "jenis", "alamat"]));
    let p = &schema["properties"];
    assert_eq!(p.as_object().unwrap().len(), 7);
    assert_eq!(
        p["nama"],
        json!({"type": "string", "minLength": 1, "maxLength": 10, "title": "Label nama",
               "x-title-en": "Label nama (en)", "x-prefill": "full_name"})
    );
    assert_eq!(
        p["catatan"],
        json!({"type": "string", "maxLength": 50, "title": "Label catatan", "x-title-en": "Label catatan (en)"})
    );
    assert_eq!(p["luas_m2"]["type"], "integer");
    assert_eq!(p["luas_m2"]["minimum"], 1);
    assert_eq!(p["luas_m2"]["maximum"], 500);
    assert_eq!(p["tanggal_lahir"]["type"], "string");
    assert_eq!(p["tanggal_lahir"]["format"], "date");
    assert_eq!(p["tanggal_lahir"]["x-prefill"], "birth_date");
    assert_eq!(p["jenis"]["enum"], json!(["baru", "perpanjangan"]));
    assert_eq!(p["bermotor"]["type"], "boolean");
    let address = &p["alamat"];
    assert_eq!(address["type"], "object");
    assert_eq!(address["required"], json!(["region", "street"]));
    assert_eq!(address["additionalProperties"], false);
    assert_eq!(address["properties"]["region"], json!({"type": "string", "pattern": "^\\d{10}$"}));
    assert_eq!(address["properties"]["street"]["maxLength"], 500);
    assert_eq!(address["title"], "Label alamat");

    let empty = json_schema(&[]);
    assert_eq!(empty["required"], json!([]));
    assert_eq!(empty["properties"], json!({}));
}

#[test]
fn a_good_submission_comes_back_normalised_with_only_the_forms_keys() {
    let out = validate_fields(&form(), &good()).unwrap();
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        json!({
            "nama": "Maria Bano",
            "luas_m2": 120,
            "tanggal_lahir": "1990-02-28",
            "jenis": "baru",
            "alamat": {"region": "5371041001", "street": "Jl. El Tari No. 5"},
            "bermotor": false,
        })
    );
    assert_eq!(out.get("catatan"), None);
    assert_eq!(out.as_map().len(), 6);
}

#[test]
fn values_as_an_html_form_sends_them_are_read() {
    let mut submitted = good();
    submitted.insert("luas_m2".into(), json!(" 42 "));
    submitted.insert("bermotor".into(), json!("true"));
    submitted.insert("catatan".into(), json!("   "));
    submitted.insert("tanggal_lahir".into(), Value::Null);
    let out = validate_fields(&form(), &submitted).unwrap().into_map();
    assert_eq!(out["luas_m2"], json!(42));
    assert_eq!(out["bermotor"], json!(true));
    assert!(!out.contains_key("catatan"));
    assert!(!out.contains_key("tanggal_lahir"));
}

#[test]
fn missing_required_fields_are_named() {
    let mut submitted = good();
    submitted.remove("nama");
    submitted.insert("jenis".into(), json!(""));
    submitted.insert("luas_m2".into(), Value::Null);
    let found = validate_fields(&form(), &submitted).unwrap_err();
    let named: Vec<_> = found.iter().map(|p| (p.field.as_str(), p.rule.clone())).collect();
    assert_eq!(
        named,
        [("nama", FieldRule::Required), ("luas_m2", FieldRule::Required), ("jenis", FieldRule::Required)]
    );
    // Optional fields may be left out.
    let mut minimal = good();
    minimal.remove("tanggal_lahir");
    minimal.remove("bermotor");
    assert!(validate_fields(&form(), &minimal).is_ok());
}

#[test]
fn each_kind_refuses_what_does_not_fit() {
    assert_eq!(one(json!({"nama": 5})), ("nama".into(), FieldRule::WrongType { expected: "string" }));
    assert_eq!(one(json!({"nama": "a".repeat(11)})), ("nama".into(), FieldRule::TooLong { max: 10 }));
    // Ten characters, however many bytes.
    assert!(
        validate_fields(&form(), &{
            let mut v = good();
            v.insert("nama".into(), json!("é".repeat(10)));
            v
        })
        .is_ok()
    );
    assert_eq!(one(json!({"luas_m2": 0})), ("luas_m2".into(), FieldRule::OutOfRange { min: 1, max: 500 }));
    assert_eq!(one(json!({"luas_m2": 501})), ("luas_m2".into(), FieldRule::OutOfRange { min: 1, max: 500 }));
    for bad in [json!(1.5), json!("12a"), json!(true), json!([1])] {
        assert_eq!(one(json!({"luas_m2": bad})), ("luas_m2".into(), FieldRule::WrongType { expected: "integer" }));
    }
    for bad in ["2026-02-30", "26-02-01", "2026-2-1", "01-02-2026", "kemarin"] {
        assert_eq!(one(json!({"tanggal_lahir": bad})), ("tanggal_lahir".into(), FieldRule::BadDate), "{bad}");
    }
    assert_eq!(
        one(json!({"tanggal_lahir": 20260201})),
        ("tanggal_lahir".into(), FieldRule::WrongType { expected: "string" })
    );
    assert_eq!(one(json!({"jenis": "lama"})), ("jenis".into(), FieldRule::NotAnOption));
    assert_eq!(one(json!({"jenis": "Baru"})), ("jenis".into(), FieldRule::NotAnOption));
    assert_eq!(one(json!({"jenis": ["baru"]})), ("jenis".into(), FieldRule::WrongType { expected: "string" }));
    for bad in [json!("ya"), json!(1), json!("on")] {
        assert_eq!(one(json!({"bermotor": bad})), ("bermotor".into(), FieldRule::WrongType { expected: "boolean" }));
    }
}

#[test]
fn the_bounds_of_each_kind_are_accepted() {
    let mut v = good();
    v.insert("luas_m2".into(), json!(500));
    v.insert("nama".into(), json!("a".repeat(10)));
    v.insert("tanggal_lahir".into(), json!("2024-02-29"));
    v.insert("jenis".into(), json!("perpanjangan"));
    v.insert("alamat".into(), json!({"region": "5371041001", "street": "j".repeat(MAX_STREET_CHARS)}));
    assert!(validate_fields(&form(), &v).is_ok());
    v.insert("luas_m2".into(), json!(1));
    assert!(validate_fields(&form(), &v).is_ok());
}

#[test]
fn an_address_needs_a_village_that_exists_and_a_street() {
    assert_eq!(one(json!({"alamat": "Jl. El Tari"})), ("alamat".into(), FieldRule::WrongType { expected: "object" }));
    for bad in ["537104100", "53710410011", "53.71.04.1001", "5371040000", "5371991001", "abcdefghij", "0000000000"] {
        assert_eq!(
            one(json!({"alamat": {"region": bad, "street": "Jl. El Tari"}})),
            ("alamat.region".into(), FieldRule::BadRegion),
            "{bad}"
        );
    }
    assert_eq!(
        one(json!({"alamat": {"region": 5371041001u64, "street": "Jl. El Tari"}})),
        ("alamat.region".into(), FieldRule::BadRegion)
    );
    assert_eq!(
        problems(json!({"alamat": {}})),
        [("alamat.region".into(), FieldRule::Required), ("alamat.street".into(), FieldRule::Required)]
    );
    assert_eq!(
        one(json!({"alamat": {"region": "5371041001", "street": "j".repeat(MAX_STREET_CHARS + 1)}})),
        ("alamat.street".into(), FieldRule::TooLong { max: MAX_STREET_CHARS })
    );
    assert_eq!(
        one(json!({"alamat": {"region": "5371041001", "street": "Jl. El Tari", "rt": "01"}})),
        ("alamat.rt".into(), FieldRule::UnknownField)
    );
    // Another district that exists.
    let mut v = good();
    v.insert("alamat".into(), json!({"region": "5371012001", "street": "Jl. Alak"}));
    assert!(validate_fields(&form(), &v).is_ok());
}

#[test]
fn unknown_keys_are_named_and_too_many_are_not_looked_at() {
    assert_eq!(one(json!({"hacked": 1})), ("hacked".into(), FieldRule::UnknownField));
    let mut v = good();
    for i in 0..(MAX_FORM_FIELDS - v.len()) {
        v.insert(format!("x{i}"), json!(1));
    }
    assert_eq!(v.len(), MAX_FORM_FIELDS);
    assert_eq!(validate_fields(&form(), &v).unwrap_err().len(), MAX_FORM_FIELDS - good().len());
    v.insert("one_more".into(), json!(1));
    assert_eq!(
        validate_fields(&form(), &v).unwrap_err(),
        [FieldProblem { field: String::new(), rule: FieldRule::TooManyFields { max: MAX_FORM_FIELDS } }]
    );
}

#[test]
fn every_problem_reads_as_a_sentence_in_each_language() {
    let rules = [
        FieldRule::TooManyFields { max: 40 },
        FieldRule::UnknownField,
        FieldRule::Required,
        FieldRule::WrongType { expected: "string" },
        FieldRule::WrongType { expected: "integer" },
        FieldRule::WrongType { expected: "boolean" },
        FieldRule::WrongType { expected: "object" },
        FieldRule::OutOfRange { min: 1, max: 9 },
        FieldRule::TooLong { max: 7 },
        FieldRule::NotAnOption,
        FieldRule::BadDate,
        FieldRule::BadRegion,
    ];
    let mut seen = HashSet::new();
    for rule in rules {
        for lang in Lang::ALL {
            let message = FieldProblem::new("luas", rule.clone()).message(lang);
            assert!(message.ends_with('.'), "{message}");
            assert!(seen.insert(message.clone()), "repeated: {message}");
        }
    }
    assert_eq!(
        FieldProblem::new("luas", FieldRule::UnknownField).message(Lang::Id),
        "Formulir ini tidak memiliki isian \"luas\"."
    );
    assert_eq!(
        FieldProblem::new("luas", FieldRule::OutOfRange { min: 1, max: 9 }).message(Lang::En),
        "Must be a whole number from 1 to 9."
    );
    // The new validation rules an admin sees.
    assert_eq!(Rule::BelowMinimum { min: 6 }.message(Lang::Id), "Tidak boleh kurang dari 6.");
    assert_ne!(Rule::NotForThisKind.message(Lang::Id), Rule::NotForThisKind.message(Lang::En));
    let problem = serde_json::to_value(FieldProblem::new("luas", FieldRule::TooLong { max: 7 })).unwrap();
    assert_eq!(problem, json!({"field": "luas", "rule": "too_long", "max": 7}));
}

fn requirement(document: &str, doc_type: DocumentType, held: bool) -> Requirement {
    Requirement { document: document.into(), doc_type, held_by_government: held, note: String::new() }
}

#[test]
fn documents_come_from_the_requirements_with_unique_codes() {
    let docs = required_documents(&[
        requirement("KTP-el pemohon", DocumentType::Ktp, true),
        requirement(" Kartu Keluarga ", DocumentType::Kk, true),
        requirement("KTP-el saksi 1", DocumentType::Ktp, false),
        requirement("Surat keterangan lahir", DocumentType::SuratKeterangan, false),
        requirement("KTP-el saksi 2", DocumentType::Ktp, false),
        requirement("Akta kelahiran anak", DocumentType::AktaKelahiran, false),
        requirement("Akta kelahiran ibu", DocumentType::AktaKelahiran, false),
    ]);
    let codes: Vec<&str> = docs.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["ktp", "kk", "ktp-2", "surat_keterangan", "ktp-3", "akta_kelahiran", "akta_kelahiran-2"]);
    assert_eq!(docs[1].name, "Kartu Keluarga");
    assert_eq!(
        docs.iter().map(|d| d.held_by_government).collect::<Vec<_>>(),
        [true, true, false, false, false, false, false]
    );
    assert_eq!(docs[3].doc_type, DocumentType::SuratKeterangan);
    for doc in &docs {
        assert!(doc.required);
        assert_eq!(doc.accepted, ["application/pdf", "image/jpeg", "image/png"]);
    }
    assert!(required_documents(&[]).is_empty());
}
