use super::*;

fn answers(scores: [i64; 9]) -> Answers {
    Answers::new(scores.map(|value| Score::new(value).expect("1–4")))
}

fn tally_of(rows: &[[i64; 9]]) -> Tally {
    let mut tally = Tally::default();
    for row in rows {
        tally.add(&answers(*row));
    }
    tally
}

/// `n` respondents whose scores add up to `total` (9n ≤ total ≤ 36n), spread as a spreadsheet would
/// hold them: every score starts at 1 and the rest is handed out one point at a time.
fn respondents_with_total(n: usize, total: u64) -> Tally {
    let mut rows = vec![[1i64; 9]; n];
    let mut left = total - 9 * n as u64;
    'outer: for round in 0..3 {
        for row in rows.iter_mut() {
            for score in row.iter_mut() {
                if left == 0 {
                    break 'outer;
                }
                if *score == 1 + round {
                    *score += 1;
                    left -= 1;
                }
            }
        }
    }
    assert_eq!(left, 0, "total out of reach");
    tally_of(&rows)
}

/// Five respondents, worked by hand: the sums per element are 14 11 11 15 14 14 13 12 13 (117).
const FIVE: [[i64; 9]; 5] = [
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [3, 2, 3, 4, 3, 3, 3, 2, 3],
    [2, 3, 3, 3, 3, 3, 3, 3, 3],
    [4, 2, 1, 3, 3, 3, 3, 2, 3],
    [2, 1, 1, 2, 2, 2, 1, 2, 1],
];

#[test]
fn nrr_per_element_is_the_mean_score_of_that_element() {
    let index = tally_of(&FIVE).index(Weighting::Standard).unwrap();
    assert_eq!(index.respondents, 5);
    let expected = ["2,80", "2,20", "2,20", "3,00", "2,80", "2,80", "2,60", "2,40", "2,60"];
    for (element, nrr) in Element::ALL.into_iter().zip(expected) {
        assert_eq!(index.nrr(element).display(Lang::Id), nrr, "{element}");
    }
    assert_eq!(index.nrr(Element::U4).to_f64(), 3.0);
    assert_eq!(index.nrr(Element::U8).scaled(3), 2_400);
}

#[test]
fn ikm_is_the_mean_nrr_times_25() {
    // 117 / 5 / 9 × 25 = 65.00 exactly: grade C.
    let index = tally_of(&FIVE).index(Weighting::Standard).unwrap();
    assert_eq!(index.ikm.fixed2(), "65.00");
    assert_eq!(index.grade, Grade::C);
    // One point less: 116 / 45 × 25 = 64.44: grade D.
    let mut rows = FIVE;
    rows[0][0] = 2;
    let index = tally_of(&rows).index(Weighting::Standard).unwrap();
    assert_eq!(index.ikm.fixed2(), "64.44");
    assert_eq!(index.grade, Grade::D);
}

#[test]
fn grade_edges_are_decided_on_the_value_rounded_to_two_decimals() {
    // 1,000 respondents, so the index moves by 25/9,000 ≈ 0.0028 per point.
    let cases = [
        (23_398, "64.99", Grade::D), // 64.9944
        (23_399, "65.00", Grade::C), // 64.9972: below 65 unrounded, C once rounded
        (27_577, "76.60", Grade::C), // 76.6028
        (27_578, "76.61", Grade::B), // 76.6056
        (31_789, "88.30", Grade::B), // 88.3028
        (31_790, "88.31", Grade::A), // 88.3056
    ];
    for (total, shown, grade) in cases {
        let index = respondents_with_total(1_000, total).index(Weighting::Standard).unwrap();
        assert_eq!((index.ikm.fixed2().as_str(), index.grade), (shown, grade), "total {total}");
    }
}

#[test]
fn grades_read_as_the_regulation_names_them() {
    let read = |grade: Grade| (grade.letter(), grade.meaning(Lang::Id), grade.meaning(Lang::En));
    assert_eq!(read(Grade::A), ("A", "Sangat baik", "Very good"));
    assert_eq!(read(Grade::B), ("B", "Baik", "Good"));
    assert_eq!(read(Grade::C), ("C", "Kurang baik", "Poor"));
    assert_eq!(read(Grade::D), ("D", "Tidak baik", "Bad"));
}

#[test]
fn grade_bands_meet_exactly_at_their_edges() {
    assert_eq!(Grade::of_hundredths(10_000), Grade::A);
    assert_eq!(Grade::of_hundredths(8_831), Grade::A);
    assert_eq!(Grade::of_hundredths(8_830), Grade::B);
    assert_eq!(Grade::of_hundredths(7_661), Grade::B);
    assert_eq!(Grade::of_hundredths(7_660), Grade::C);
    assert_eq!(Grade::of_hundredths(6_500), Grade::C);
    assert_eq!(Grade::of_hundredths(6_499), Grade::D);
    assert_eq!(Grade::of_hundredths(2_500), Grade::D);
}

#[test]
fn the_legacy_weight_is_0_11_per_element_and_only_when_asked() {
    // 117 points from 5 respondents: 0.11 × (117/5) × 25 = 64.35, a D where the regulation gives C.
    let tally = tally_of(&FIVE);
    let legacy = tally.index(Weighting::Legacy011).unwrap();
    assert_eq!(legacy.ikm.fixed2(), "64.35");
    assert_eq!(legacy.grade, Grade::D);
    assert_eq!(legacy.weighting, Weighting::Legacy011);
    assert_eq!(Weighting::default(), Weighting::Standard);
    // Every answer 4: 0.11 × 36 × 25 = 99.00, where the regulation gives 100.00.
    let best = tally_of(&[[4; 9]; 3]);
    assert_eq!(best.index(Weighting::Legacy011).unwrap().ikm.fixed2(), "99.00");
    assert_eq!(best.index(Weighting::Standard).unwrap().ikm.fixed2(), "100.00");
    assert_eq!(tally_of(&[[1; 9]]).index(Weighting::Standard).unwrap().ikm.fixed2(), "25.00");
}

#[test]
fn no_respondents_have_no_index() {
    assert_eq!(Tally::default().index(Weighting::Standard), None);
}

#[test]
fn tallies_merge_as_if_counted_together() {
    let mut first = tally_of(&FIVE[..2]);
    first.merge(&tally_of(&FIVE[2..]));
    assert_eq!(first, tally_of(&FIVE));
    assert_eq!(first.sum(Element::U4), 15);
}

#[test]
fn rounding_is_half_up_in_both_languages() {
    // 2/3 = 0.666… → 0.67; 1/8 = 0.125 → 0.13.
    assert_eq!(Exact::new(2, 3).display(Lang::Id), "0,67");
    assert_eq!(Exact::new(1, 8).fixed2(), "0.13");
    assert_eq!(Exact::new(1, 200).fixed2(), "0.01");
    assert_eq!(Exact::new(1, 201).fixed2(), "0.00");
    assert_eq!(Exact::new(7, 2).scaled(0), 4);
}

#[test]
fn minimum_samples_follow_krejcie_and_morgan() {
    for (population, sample) in
        [(100, 80), (1_000, 278), (10_000, 370), (75_000, 382), (1_000_000, 384), (10, 10), (50, 44), (500, 217)]
    {
        assert_eq!(minimum_sample(population), sample, "N = {population}");
    }
    assert_eq!(minimum_sample(0), 0);
    assert_eq!(minimum_sample(1), 1);
    assert_eq!(minimum_sample(u64::MAX), 384);
    assert!(sample_met(278, 1_000));
    assert!(!sample_met(277, 1_000));
}

#[test]
fn answers_outside_1_to_4_are_refused_naming_the_field() {
    let mut fields = ResponseFields { scores: [Some("3"); 9], ..Default::default() };
    fields.scores[2] = Some("5");
    fields.scores[6] = Some("0");
    fields.scores[8] = None;
    let errors = fields.validate().unwrap_err();
    assert_eq!(errors.for_field("U3"), Some(&Rule::OutOfRange { min: 1, max: 4 }));
    assert_eq!(errors.for_field("U7"), Some(&Rule::OutOfRange { min: 1, max: 4 }));
    assert_eq!(errors.for_field("U9"), Some(&Rule::Required));
    assert_eq!(errors.0.len(), 3);
    for text in ["x", "2.5", "-1"] {
        fields.scores = [Some("3"); 9];
        fields.scores[0] = Some(text);
        assert_eq!(
            fields.validate().unwrap_err().for_field("U1"),
            Some(&Rule::OutOfRange { min: 1, max: 4 }),
            "{text:?}"
        );
    }
    for blank in ["", "  "] {
        fields.scores[0] = Some(blank);
        assert_eq!(fields.validate().unwrap_err().for_field("U1"), Some(&Rule::Required), "{blank:?}");
    }
}

#[test]
fn a_valid_response_keeps_its_answers_profile_and_suggestion() {
    let fields = ResponseFields {
        scores: [Some("4"), Some(" 3 "), Some("2.0"), Some("1"), Some("4"), Some("4"), Some("4"), Some("4"), Some("4")],
        sex: Some("perempuan"),
        age: Some("34"),
        education: Some("S1"),
        occupation: Some(""),
        suggestion: Some("  Antrean lebih tertib.  "),
    };
    let response = fields.validate().unwrap();
    assert_eq!(response.answers.score(Element::U2).value(), 3);
    assert_eq!(response.answers.score(Element::U3).value(), 2);
    assert_eq!(response.profile.sex, Some(Sex::Female));
    assert_eq!(response.profile.age_band, Some(AgeBand::From30To39));
    assert_eq!(response.profile.education, Some(Education::Bachelor));
    assert_eq!(response.profile.occupation, None);
    assert_eq!(response.suggestion, "Antrean lebih tertib.");
}

#[test]
fn unknown_profile_answers_and_long_suggestions_are_refused() {
    let long = "a".repeat(SUGGESTION_MAX + 1);
    let fields = ResponseFields {
        scores: [Some("3"); 9],
        sex: Some("x"),
        age: Some("7"),
        education: Some("S9"),
        occupation: Some("astronot"),
        suggestion: Some(&long),
    };
    let errors = fields.validate().unwrap_err();
    for field in ["sex", "age", "education", "occupation"] {
        assert_eq!(errors.for_field(field), Some(&Rule::Unknown), "{field}");
    }
    assert_eq!(errors.for_field("suggestion"), Some(&Rule::TooLong { max: SUGGESTION_MAX }));
}

#[test]
fn ages_fall_into_their_bands() {
    let cases =
        [(19, AgeBand::Under20), (20, AgeBand::From20To29), (29, AgeBand::From20To29), (30, AgeBand::From30To39)];
    for (age, band) in cases {
        assert_eq!(AgeBand::of_age(age), band);
    }
    assert_eq!(AgeBand::of_age(49), AgeBand::From40To49);
    assert_eq!(AgeBand::of_age(50), AgeBand::From50To59);
    assert_eq!(AgeBand::of_age(59), AgeBand::From50To59);
    assert_eq!(AgeBand::of_age(60), AgeBand::From60);
    assert_eq!(AgeBand::of_age(39), AgeBand::From30To39);
    assert_eq!(AgeBand::of_age(40), AgeBand::From40To49);
    assert_eq!(AgeBand::parse_or_age("40-49"), Some(AgeBand::From40To49));
    assert_eq!(AgeBand::parse_or_age("10"), Some(AgeBand::Under20));
    assert_eq!(AgeBand::parse_or_age("120"), Some(AgeBand::From60));
    assert_eq!(AgeBand::parse_or_age("121"), None);
    assert_eq!(AgeBand::parse_or_age("9"), None);
}

#[test]
fn every_element_has_its_own_wording_in_both_languages() {
    for element in Element::ALL {
        assert_eq!(Element::parse(&element.code().to_lowercase()), Some(element));
        for lang in [Lang::Id, Lang::En] {
            assert!(!element.name(lang).is_empty());
            assert!(element.question(lang).ends_with('?'));
            let words: Vec<_> = Score::ALL.iter().map(|&score| element.answer(score, lang)).collect();
            let mut unique = words.clone();
            unique.dedup();
            assert_eq!(unique.len(), 4, "{element} {words:?}");
        }
    }
    assert_eq!(Element::U4.answer(Score::new(4).unwrap(), Lang::Id), "Gratis");
    assert_eq!(Element::U1.name(Lang::Id), "Persyaratan");
    assert_eq!(Element::U9.name(Lang::En), "Facilities and infrastructure");
    assert_eq!(Element::U8.to_string(), "U8");
    assert_eq!(Element::U8.answer(Score::new(1).unwrap(), Lang::Id), "Tidak ada");
    assert_eq!(Element::parse("U10"), None);
    assert_eq!(Score::parse("4"), Score::new(4));
    assert_eq!(Score::new(5), None);
    assert_eq!(Score::new(0), None);
    assert_eq!(Score::new(256 + 3), None);
}

#[test]
fn periods_parse_and_bound_their_days() {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(Period::parse("2026-Q3").unwrap().bounds(), (day(2026, 7, 1), day(2026, 10, 1)));
    assert_eq!(Period::parse("2026-Q4").unwrap().bounds(), (day(2026, 10, 1), day(2027, 1, 1)));
    assert_eq!(Period::parse("2026-Q1").unwrap().bounds(), (day(2026, 1, 1), day(2026, 4, 1)));
    assert_eq!(Period::parse("2025-S2").unwrap().bounds(), (day(2025, 7, 1), day(2026, 1, 1)));
    assert_eq!(Period::parse("2025-h1").unwrap().bounds(), (day(2025, 1, 1), day(2025, 7, 1)));
    assert_eq!(Period::parse("2024").unwrap().bounds(), (day(2024, 1, 1), day(2025, 1, 1)));
    for bad in ["2026-Q5", "2026-Q0", "2026-S3", "26", "2026-", "1999", "2101", "2026-Q12", "x", "+2026", "2026-X1"] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
    assert_eq!(Period::quarter_of(day(2026, 6, 30)), Period::Quarter { year: 2026, quarter: 2 });
    assert_eq!(Period::quarter_of(day(2026, 7, 1)), Period::Quarter { year: 2026, quarter: 3 });
    assert_eq!(Period::parse("2026-Q2").unwrap().code(), "2026-Q2");
    assert_eq!(Period::parse("2026-h2").unwrap().code(), "2026-S2");
    assert_eq!(Period::parse("2026").unwrap().label(Lang::Id), "Tahun 2026");
    assert_eq!(Period::parse("2026-Q4").unwrap().label(Lang::Id), "Triwulan IV 2026");
    let quarters: Vec<String> = (1..=3).map(|q| Period::Quarter { year: 2026, quarter: q }.label(Lang::Id)).collect();
    assert_eq!(quarters, ["Triwulan I 2026", "Triwulan II 2026", "Triwulan III 2026"]);
    assert_eq!(Period::parse("2026-S1").unwrap().label(Lang::Id), "Semester I 2026");
    assert_eq!(Period::parse("2026-S2").unwrap().label(Lang::En), "H2 2026");
}
