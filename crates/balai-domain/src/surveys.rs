//! SKM (Survei Kepuasan Masyarakat, PermenPANRB 14/2017): the nine elements and their answer wording,
//! the respondent's profile, and the index computed exactly.
//!
//! NRR per element = sum of scores / respondents; IKM = mean NRR × 25. Both are kept as fractions of
//! integers, so a grade edge (64.99/65.00, 76.60/76.61, 88.30/88.31) is decided on the exact value
//! rounded once to two decimals, never on a float that drifted. Legacy spreadsheets weight each NRR by
//! 0.11 instead of 1/9: that is [`Weighting::Legacy011`], chosen explicitly, never silently.

use crate::Lang;
use crate::validation::{FieldErrors, Rule};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::fmt;

/// One of the nine elements (unsur). Stored by code (`U1`…`U9`), never by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Element {
    U1,
    U2,
    U3,
    U4,
    U5,
    U6,
    U7,
    U8,
    U9,
}

impl Element {
    pub const ALL: [Element; 9] = [
        Element::U1,
        Element::U2,
        Element::U3,
        Element::U4,
        Element::U5,
        Element::U6,
        Element::U7,
        Element::U8,
        Element::U9,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Element::U1 => "U1",
            Element::U2 => "U2",
            Element::U3 => "U3",
            Element::U4 => "U4",
            Element::U5 => "U5",
            Element::U6 => "U6",
            Element::U7 => "U7",
            Element::U8 => "U8",
            Element::U9 => "U9",
        }
    }

    /// `U1`…`U9`, in any letter case.
    pub fn parse(code: &str) -> Option<Element> {
        Element::ALL.into_iter().find(|element| element.code().eq_ignore_ascii_case(code.trim()))
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The element's name as the regulation lists it.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Element::U1, Lang::Id) => "Persyaratan",
            (Element::U1, Lang::En) => "Requirements",
            (Element::U2, Lang::Id) => "Sistem, mekanisme, dan prosedur",
            (Element::U2, Lang::En) => "System, mechanism and procedure",
            (Element::U3, Lang::Id) => "Waktu penyelesaian",
            (Element::U3, Lang::En) => "Completion time",
            (Element::U4, Lang::Id) => "Biaya/tarif",
            (Element::U4, Lang::En) => "Cost/tariff",
            (Element::U5, Lang::Id) => "Produk spesifikasi jenis pelayanan",
            (Element::U5, Lang::En) => "Product as specified for the service",
            (Element::U6, Lang::Id) => "Kompetensi pelaksana",
            (Element::U6, Lang::En) => "Competence of the staff",
            (Element::U7, Lang::Id) => "Perilaku pelaksana",
            (Element::U7, Lang::En) => "Conduct of the staff",
            (Element::U8, Lang::Id) => "Penanganan pengaduan, saran, dan masukan",
            (Element::U8, Lang::En) => "Handling of complaints, suggestions and input",
            (Element::U9, Lang::Id) => "Sarana dan prasarana",
            (Element::U9, Lang::En) => "Facilities and infrastructure",
        }
    }

    /// The question put to the respondent.
    pub fn question(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Element::U1, Lang::Id) => {
                "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"
            }
            (Element::U1, Lang::En) => "How well do the service's requirements fit the service?",
            (Element::U2, Lang::Id) => "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
            (Element::U2, Lang::En) => "How easy is the procedure of this unit's service?",
            (Element::U3, Lang::Id) => "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
            (Element::U3, Lang::En) => "How quickly was the service delivered?",
            (Element::U4, Lang::Id) => "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
            (Element::U4, Lang::En) => "How fair is the cost or tariff of the service?",
            (Element::U5, Lang::Id) => {
                "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?"
            }
            (Element::U5, Lang::En) => "How well does what you received match what the service standard promises?",
            (Element::U6, Lang::Id) => {
                "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?"
            }
            (Element::U6, Lang::En) => "How competent were the staff who served you?",
            (Element::U7, Lang::Id) => {
                "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?"
            }
            (Element::U7, Lang::En) => "How polite and friendly were the staff?",
            (Element::U8, Lang::Id) => "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
            (Element::U8, Lang::En) => "How are complaints from service users handled?",
            (Element::U9, Lang::Id) => "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
            (Element::U9, Lang::En) => "How good are the facilities?",
        }
    }

    /// The wording of an answer (1 worst … 4 best), as the model questionnaire words it.
    pub fn answer(self, score: Score, lang: Lang) -> &'static str {
        let words: [&str; 4] = match (self, lang) {
            (Element::U1 | Element::U5, Lang::Id) => ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
            (Element::U1 | Element::U5, Lang::En) => ["Not fitting", "Hardly fitting", "Fitting", "Very fitting"],
            (Element::U2, Lang::Id) => ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
            (Element::U2, Lang::En) => ["Not easy", "Hardly easy", "Easy", "Very easy"],
            (Element::U3, Lang::Id) => ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
            (Element::U3, Lang::En) => ["Not quick", "Hardly quick", "Quick", "Very quick"],
            (Element::U4, Lang::Id) => ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
            (Element::U4, Lang::En) => ["Very expensive", "Rather expensive", "Cheap", "Free"],
            (Element::U6, Lang::Id) => ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
            (Element::U6, Lang::En) => ["Not competent", "Hardly competent", "Competent", "Very competent"],
            (Element::U7, Lang::Id) => {
                ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"]
            }
            (Element::U7, Lang::En) => [
                "Not polite and friendly",
                "Hardly polite and friendly",
                "Polite and friendly",
                "Very polite and friendly",
            ],
            (Element::U8, Lang::Id) => {
                ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"]
            }
            (Element::U8, Lang::En) => {
                ["There is none", "There is one, but it does not work", "It works, not fully", "Well managed"]
            }
            (Element::U9, Lang::Id) => ["Buruk", "Cukup", "Baik", "Sangat baik"],
            (Element::U9, Lang::En) => ["Poor", "Fair", "Good", "Very good"],
        };
        words[usize::from(score.value() - 1)]
    }
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An answer: 1 (worst) to 4 (best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Score(u8);

impl Score {
    pub const ALL: [Score; 4] = [Score(1), Score(2), Score(3), Score(4)];

    pub fn new(value: i64) -> Option<Score> {
        u8::try_from(value).ok().filter(|v| (1..=4).contains(v)).map(Score)
    }

    /// `"3"`, with surrounding spaces; `"3.0"` as spreadsheets write whole numbers. Nothing else.
    pub fn parse(text: &str) -> Option<Score> {
        let text = text.trim();
        let whole = text.strip_suffix(".0").unwrap_or(text);
        whole.parse::<i64>().ok().and_then(Score::new)
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

/// One respondent's nine answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Answers([Score; 9]);

impl Answers {
    pub fn new(scores: [Score; 9]) -> Answers {
        Answers(scores)
    }

    /// Every element answered 1–4, each error naming its field (`U1`…`U9`).
    pub fn from_fields(value_of: impl Fn(Element) -> Option<String>) -> Result<Answers, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut scores = [Score(1); 9];
        for element in Element::ALL {
            match value_of(element) {
                None => errors.push(element.code(), Rule::Required),
                Some(text) if text.trim().is_empty() => errors.push(element.code(), Rule::Required),
                Some(text) => match Score::parse(&text) {
                    Some(score) => scores[element.index()] = score,
                    None => errors.push(element.code(), Rule::OutOfRange { min: 1, max: 4 }),
                },
            }
        }
        errors.into_result().map(|()| Answers(scores))
    }

    pub fn score(&self, element: Element) -> Score {
        self.0[element.index()]
    }
}

/// A fraction of two integers, exact; rounded only when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exact {
    numerator: u128,
    denominator: u128,
}

impl Exact {
    fn new(numerator: u128, denominator: u128) -> Exact {
        Exact { numerator, denominator: denominator.max(1) }
    }

    /// Rounded half up to `decimals` places, as an integer of that many hundredths (or thousandths…).
    pub fn scaled(self, decimals: u32) -> u128 {
        let scale = 10u128.pow(decimals);
        (2 * self.numerator * scale + self.denominator) / (2 * self.denominator)
    }

    /// Rounded half up to two decimals, in hundredths: 7661 is 76.61.
    pub fn hundredths(self) -> u128 {
        self.scaled(2)
    }

    /// The nearest float, for JSON; grading never reads it.
    pub fn to_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// `76,61` (Indonesian decimal comma) or `76.61`, two decimals.
    pub fn display(self, lang: Lang) -> String {
        let hundredths = self.hundredths();
        let separator = match lang {
            Lang::Id => ',',
            Lang::En => '.',
        };
        format!("{}{separator}{:02}", hundredths / 100, hundredths % 100)
    }

    /// Two decimals, with a point: for files and JSON.
    pub fn fixed2(self) -> String {
        self.display(Lang::En)
    }
}

/// How the nine NRR are weighted into the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Each element weighs 1/9: IKM = mean NRR × 25 (the regulation).
    #[default]
    Standard,
    /// Each element weighs 0.11, as many older spreadsheets do; only when asked for.
    Legacy011,
}

/// The quality grade (mutu pelayanan) of a converted index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Grade {
    A,
    B,
    C,
    D,
}

impl Grade {
    /// Grades a converted index given in hundredths (7661 is 76.61): A 88.31–100, B 76.61–88.30,
    /// C 65.00–76.60, D below.
    pub fn of_hundredths(hundredths: u128) -> Grade {
        match hundredths {
            8831.. => Grade::A,
            7661.. => Grade::B,
            6500.. => Grade::C,
            _ => Grade::D,
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    /// The performance (kinerja unit pelayanan) the grade stands for.
    pub fn meaning(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Grade::A, Lang::Id) => "Sangat baik",
            (Grade::A, Lang::En) => "Very good",
            (Grade::B, Lang::Id) => "Baik",
            (Grade::B, Lang::En) => "Good",
            (Grade::C, Lang::Id) => "Kurang baik",
            (Grade::C, Lang::En) => "Poor",
            (Grade::D, Lang::Id) => "Tidak baik",
            (Grade::D, Lang::En) => "Bad",
        }
    }
}

/// Sums of scores per element over a set of respondents: what is stored and added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub respondents: u64,
    pub sums: [u64; 9],
}

impl Tally {
    pub fn add(&mut self, answers: &Answers) {
        self.respondents += 1;
        for element in Element::ALL {
            self.sums[element.index()] += u64::from(answers.score(element).value());
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.respondents += other.respondents;
        for (sum, more) in self.sums.iter_mut().zip(other.sums) {
            *sum += more;
        }
    }

    pub fn sum(&self, element: Element) -> u64 {
        self.sums[element.index()]
    }

    /// The index of these respondents, or `None` when there are none.
    pub fn index(&self, weighting: Weighting) -> Option<Index> {
        if self.respondents == 0 {
            return None;
        }
        let n = u128::from(self.respondents);
        let total: u128 = self.sums.iter().map(|&sum| u128::from(sum)).sum();
        // Standard: 25 × (Σ sums / n) / 9. Legacy: 25 × 0.11 × Σ sums / n = 11 × Σ sums / (4 n).
        let ikm = match weighting {
            Weighting::Standard => Exact::new(25 * total, 9 * n),
            Weighting::Legacy011 => Exact::new(11 * total, 4 * n),
        };
        let nrr = Element::ALL.map(|element| Exact::new(u128::from(self.sum(element)), n));
        Some(Index {
            respondents: self.respondents,
            weighting,
            nrr,
            ikm,
            grade: Grade::of_hundredths(ikm.hundredths()),
        })
    }
}

/// The computed index of a set of respondents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub respondents: u64,
    pub weighting: Weighting,
    nrr: [Exact; 9],
    /// The converted value (25–100 under the standard weighting).
    pub ikm: Exact,
    /// Decided on the converted value rounded to two decimals.
    pub grade: Grade,
}

impl Index {
    /// The mean score (nilai rata-rata) of one element, 1–4.
    pub fn nrr(&self, element: Element) -> Exact {
        self.nrr[element.index()]
    }
}

/// Krejcie & Morgan's minimum sample for a population of `population` (services delivered in the
/// period): S = 3.841·N·0.25 / (0.0025·(N−1) + 3.841·0.25), rounded to the nearest whole respondent
/// as the published table does (N=100→80, 1,000→278, 75,000→382, 1,000,000→384).
pub fn minimum_sample(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    // Multiplied through by 100,000: S = 96,025·N / (250·(N−1) + 96,025).
    let n = u128::from(population);
    let numerator = 96_025 * n;
    let denominator = 250 * (n - 1) + 96_025;
    let rounded = (2 * numerator + denominator) / (2 * denominator);
    u64::try_from(rounded).unwrap_or(u64::MAX).min(population)
}

/// Whether a period's respondents meet the minimum sample for its population.
pub fn sample_met(respondents: u64, population: u64) -> bool {
    respondents >= minimum_sample(population)
}

/// The period a result covers: a quarter, a semester or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Period {
    Quarter { year: i32, quarter: u8 },
    Semester { year: i32, semester: u8 },
    Year { year: i32 },
}

impl Period {
    /// `2026-Q3`, `2026-S1` (or `2026-H1`), `2026`. Years 2000–2100.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let (year, part) = match text.split_once('-') {
            Some((year, part)) => (year, Some(part)),
            None => (text, None),
        };
        // Four characters that parse into 2000–2100 can only be four digits.
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if !(2000..=2100).contains(&year) {
            return None;
        }
        let Some(part) = part else { return Some(Period::Year { year }) };
        let (kind, number) = part.split_at_checked(1)?;
        let number: u8 = if number.len() == 1 { number.parse().ok()? } else { return None };
        match kind {
            "Q" | "q" if (1..=4).contains(&number) => Some(Period::Quarter { year, quarter: number }),
            "S" | "s" | "H" | "h" if (1..=2).contains(&number) => Some(Period::Semester { year, semester: number }),
            _ => None,
        }
    }

    pub fn code(self) -> String {
        match self {
            Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Period::Semester { year, semester } => format!("{year}-S{semester}"),
            Period::Year { year } => format!("{year}"),
        }
    }

    /// The quarter a day falls in.
    pub fn quarter_of(day: NaiveDate) -> Period {
        let quarter = u8::try_from(day.month0() / 3 + 1).unwrap_or(1);
        Period::Quarter { year: day.year(), quarter }
    }

    /// The first day of the period and the first day after it.
    pub fn bounds(self) -> (NaiveDate, NaiveDate) {
        let (year, first_month, months) = match self {
            Period::Quarter { year, quarter } => (year, u32::from(quarter) * 3 - 2, 3),
            Period::Semester { year, semester } => (year, u32::from(semester) * 6 - 5, 6),
            Period::Year { year } => (year, 1, 12),
        };
        let start = NaiveDate::from_ymd_opt(year, first_month, 1).unwrap_or(NaiveDate::MIN);
        let end = start.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
        (start, end)
    }

    pub fn label(self, lang: Lang) -> String {
        match (self, lang) {
            (Period::Quarter { year, quarter }, Lang::Id) => format!("Triwulan {} {year}", roman(quarter)),
            (Period::Quarter { year, quarter }, Lang::En) => format!("Q{quarter} {year}"),
            (Period::Semester { year, semester }, Lang::Id) => format!("Semester {} {year}", roman(semester)),
            (Period::Semester { year, semester }, Lang::En) => format!("H{semester} {year}"),
            (Period::Year { year }, Lang::Id) => format!("Tahun {year}"),
            (Period::Year { year }, Lang::En) => format!("Year {year}"),
        }
    }
}

fn roman(number: u8) -> &'static str {
    match number {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

macro_rules! profile_choice {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $id:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) { $(($name::$variant, Lang::Id) => $id, ($name::$variant, Lang::En) => $en),+ }
            }

            /// By code or by its Indonesian or English label, in any letter case.
            pub fn parse(text: &str) -> Option<$name> {
                let text = text.trim();
                $name::ALL.iter().copied().find(|choice| {
                    choice.code().eq_ignore_ascii_case(text)
                        || choice.label(Lang::Id).eq_ignore_ascii_case(text)
                        || choice.label(Lang::En).eq_ignore_ascii_case(text)
                })
            }
        }
    };
}

profile_choice!(
    /// Jenis kelamin.
    Sex {
        Male = "L", "Laki-laki", "Male";
        Female = "P", "Perempuan", "Female";
    }
);

profile_choice!(
    /// Umur, in bands.
    AgeBand {
        Under20 = "lt20", "Di bawah 20 tahun", "Under 20";
        From20To29 = "20-29", "20–29 tahun", "20–29";
        From30To39 = "30-39", "30–39 tahun", "30–39";
        From40To49 = "40-49", "40–49 tahun", "40–49";
        From50To59 = "50-59", "50–59 tahun", "50–59";
        From60 = "60+", "60 tahun ke atas", "60 and over";
    }
);

impl AgeBand {
    /// The band of an age in whole years (spreadsheets often hold the age itself).
    pub fn of_age(years: u32) -> AgeBand {
        match years {
            0..=19 => AgeBand::Under20,
            20..=29 => AgeBand::From20To29,
            30..=39 => AgeBand::From30To39,
            40..=49 => AgeBand::From40To49,
            50..=59 => AgeBand::From50To59,
            _ => AgeBand::From60,
        }
    }

    /// A band's code or label, or an age of 10–120 years.
    pub fn parse_or_age(text: &str) -> Option<AgeBand> {
        AgeBand::parse(text).or_else(|| {
            let text = text.trim();
            let whole = text.strip_suffix(".0").unwrap_or(text);
            whole.parse::<u32>().ok().filter(|age| (10..=120).contains(age)).map(AgeBand::of_age)
        })
    }
}

profile_choice!(
    /// Pendidikan terakhir.
    Education {
        Primary = "sd", "SD ke bawah", "Primary school or less";
        LowerSecondary = "smp", "SMP", "Lower secondary";
        UpperSecondary = "sma", "SMA/SMK", "Upper secondary";
        Diploma = "diploma", "D1–D3", "Diploma (D1–D3)";
        Bachelor = "s1", "D4/S1", "Bachelor (D4/S1)";
        Postgraduate = "s2", "S2 ke atas", "Master's or higher";
    }
);

profile_choice!(
    /// Pekerjaan utama.
    Occupation {
        CivilServant = "pns", "PNS", "Civil servant";
        Military = "tni", "TNI", "Armed forces";
        Police = "polri", "POLRI", "Police";
        Private = "swasta", "Pegawai swasta", "Private employee";
        SelfEmployed = "wirausaha", "Wirausaha", "Self-employed";
        Student = "pelajar", "Pelajar/mahasiswa", "Student";
        Other = "lainnya", "Lainnya", "Other";
    }
);

/// Who answered, as far as they chose to say: every part is optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Profile {
    pub sex: Option<Sex>,
    pub age_band: Option<AgeBand>,
    pub education: Option<Education>,
    pub occupation: Option<Occupation>,
}

/// The longest suggestion kept.
pub const SUGGESTION_MAX: usize = 2_000;

/// One response: the answers, the profile and a suggestion, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    pub answers: Answers,
    pub profile: Profile,
    pub suggestion: String,
}

/// A response as posted or read from a file: texts by field name (`U1`…`U9`, `sex`, `age`,
/// `education`, `occupation`, `suggestion`).
#[derive(Debug, Clone, Default)]
pub struct ResponseFields<'a> {
    pub scores: [Option<&'a str>; 9],
    pub sex: Option<&'a str>,
    pub age: Option<&'a str>,
    pub education: Option<&'a str>,
    pub occupation: Option<&'a str>,
    pub suggestion: Option<&'a str>,
}

impl ResponseFields<'_> {
    /// Every rule broken, each naming its field; a blank profile part is left unsaid, not an error.
    pub fn validate(&self) -> Result<Response, FieldErrors> {
        let mut errors = FieldErrors::default();
        let answers = match Answers::from_fields(|element| self.scores[element.index()].map(str::to_owned)) {
            Ok(answers) => Some(answers),
            Err(found) => {
                errors.0.extend(found.0);
                None
            }
        };
        fn choice<T>(
            errors: &mut FieldErrors,
            field: &str,
            text: Option<&str>,
            parse: fn(&str) -> Option<T>,
        ) -> Option<T> {
            let text = text.map(str::trim).filter(|text| !text.is_empty())?;
            let parsed = parse(text);
            if parsed.is_none() {
                errors.push(field, Rule::Unknown);
            }
            parsed
        }
        let profile = Profile {
            sex: choice(&mut errors, "sex", self.sex, Sex::parse),
            age_band: choice(&mut errors, "age", self.age, AgeBand::parse_or_age),
            education: choice(&mut errors, "education", self.education, Education::parse),
            occupation: choice(&mut errors, "occupation", self.occupation, Occupation::parse),
        };
        let suggestion = errors.optional_text("suggestion", self.suggestion.unwrap_or(""), SUGGESTION_MAX);
        match answers {
            Some(answers) if errors.is_empty() => Ok(Response { answers, profile, suggestion }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
