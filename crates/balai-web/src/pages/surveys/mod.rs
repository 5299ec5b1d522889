//! SKM (Survei Kepuasan Masyarakat) pages: the questionnaire behind a one-time link
//! (`/survei/{token}`), the kiosk an officer opens at a unit's counter (`/admin/skm/kios`), and the
//! public results of an agency (`/skm/{agency}?periode=2026-Q3`). The questions, answers, profile
//! choices, validation and the index are the domain's; these pages only lay them out.

mod import;
mod kiosk;
mod link;
mod results;
pub(crate) mod texts;

use crate::AppState;
use axum::Router;
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::surveys::{AgeBand, Education, Element, Occupation, ResponseFields, Score, Sex};
use balai_domain::validation::FieldErrors;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/survei/{token}", get(link::show).post(link::answer))
        .route("/admin/skm/kios", get(kiosk::show).post(kiosk::record))
        .route("/skm/{agency}", get(results::show))
        .route("/skm/{agency}/{file}", get(results::report))
        .merge(import::routes())
}

/// The texts of this context, by name, for templates: `{{ s.t("SEND") }}`.
#[derive(Debug, Clone, Copy)]
pub struct S(pub Lang);

impl S {
    pub fn t(&self, name: &str) -> &'static str {
        texts::ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }
}

/// One answer of a question, as a radio button.
pub struct AnswerOption {
    pub value: u8,
    pub label: &'static str,
    pub checked: bool,
}

/// One of the nine questions.
pub struct Question {
    /// `U1`…`U9`: the field name, and the id of its first radio button.
    pub code: &'static str,
    pub name: &'static str,
    pub text: &'static str,
    pub options: Vec<AnswerOption>,
    pub error: Option<String>,
}

/// A profile choice, as a select.
pub struct Select {
    pub field: &'static str,
    pub label: &'static str,
    /// (code, label, selected)
    pub options: Vec<(&'static str, &'static str, bool)>,
    pub error: Option<String>,
}

/// The questionnaire as a page shows it: what was posted, and what is wrong with it.
pub struct Questionnaire {
    pub questions: Vec<Question>,
    pub selects: Vec<Select>,
    pub suggestion: String,
    pub suggestion_error: Option<String>,
}

/// Every field name a survey form may be refused on (the summary links to each by id).
const FIELDS: [&str; 17] = [
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "U7",
    "U8",
    "U9",
    "sex",
    "age",
    "education",
    "occupation",
    "suggestion",
    "unit",
    "service",
    "idempotency_key",
];

fn field_name(field: &str) -> &'static str {
    FIELDS.iter().copied().find(|f| *f == field).unwrap_or("suggestion")
}

/// The posted value of a field (the last one, if it came twice).
fn posted<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The posted form as the domain reads a response.
fn response_fields(form: &[(String, String)]) -> ResponseFields<'_> {
    ResponseFields {
        scores: Element::ALL.map(|element| posted(form, element.code())),
        sex: posted(form, "sex"),
        age: posted(form, "age"),
        education: posted(form, "education"),
        occupation: posted(form, "occupation"),
        suggestion: posted(form, "suggestion"),
    }
}

/// The label a refused field is named by in the summary: the element's name, or the form's label.
fn field_label(lang: Lang, field: &str) -> String {
    if let Some(element) = Element::parse(field).filter(|_| field.len() == 2) {
        return format!("{} {}", element.code(), element.name(lang));
    }
    let text = match field {
        "sex" => texts::SEX,
        "age" => texts::AGE,
        "education" => texts::EDUCATION,
        "occupation" => texts::OCCUPATION,
        "unit" => texts::KIOSK_UNIT,
        "service" => texts::KIOSK_SERVICE,
        _ => texts::SUGGESTION,
    };
    text.get(lang).to_owned()
}

/// Each refusal as the summary lists it: the field's id and a message naming the field.
pub(crate) fn summary(lang: Lang, errors: &FieldErrors) -> Vec<(&'static str, String)> {
    errors
        .0
        .iter()
        .map(|e| (field_name(&e.field), format!("{}: {}", field_label(lang, &e.field), e.rule.message(lang))))
        .collect()
}

/// The questionnaire filled with what was posted, each refusal next to its field.
pub(crate) fn questionnaire(lang: Lang, form: &[(String, String)], errors: &FieldErrors) -> Questionnaire {
    let error_of = |field: &str| errors.for_field(field).map(|rule| rule.message(lang));
    let questions = Element::ALL
        .into_iter()
        .map(|element| {
            let chosen = posted(form, element.code()).and_then(Score::parse);
            Question {
                code: element.code(),
                name: element.name(lang),
                text: element.question(lang),
                options: Score::ALL
                    .into_iter()
                    .map(|score| AnswerOption {
                        value: score.value(),
                        label: element.answer(score, lang),
                        checked: chosen == Some(score),
                    })
                    .collect(),
                error: error_of(element.code()),
            }
        })
        .collect();
    #[allow(clippy::too_many_arguments)]
    fn select<T: Copy + 'static>(
        lang: Lang,
        form: &[(String, String)],
        field: &'static str,
        label: &'static str,
        all: &'static [T],
        code: fn(T) -> &'static str,
        name: fn(T, Lang) -> &'static str,
        error: Option<String>,
    ) -> Select {
        let chosen = posted(form, field).unwrap_or_default();
        Select {
            field,
            label,
            options: all.iter().map(|&c| (code(c), name(c, lang), code(c) == chosen)).collect(),
            error,
        }
    }
    let selects = vec![
        select(lang, form, "sex", texts::SEX.get(lang), Sex::ALL, Sex::code, Sex::label, error_of("sex")),
        select(lang, form, "age", texts::AGE.get(lang), AgeBand::ALL, AgeBand::code, AgeBand::label, error_of("age")),
        select(
            lang,
            form,
            "education",
            texts::EDUCATION.get(lang),
            Education::ALL,
            Education::code,
            Education::label,
            error_of("education"),
        ),
        select(
            lang,
            form,
            "occupation",
            texts::OCCUPATION.get(lang),
            Occupation::ALL,
            Occupation::code,
            Occupation::label,
            error_of("occupation"),
        ),
    ];
    Questionnaire {
        questions,
        selects,
        suggestion: posted(form, "suggestion").unwrap_or_default().chars().take(4_000).collect(),
        suggestion_error: error_of("suggestion"),
    }
}

/// `1.234` or `1,234`.
pub(crate) fn grouped(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let separator = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use balai_domain::validation::Rule;

    #[test]
    fn a_refused_answer_is_named_by_its_element_in_the_summary_and_next_to_its_question() {
        let form: Vec<(String, String)> = vec![("U3".into(), "5".into()), ("sex".into(), "X".into())];
        let errors = response_fields(&form).validate().expect_err("refused");
        assert_eq!(errors.for_field("U3"), Some(&Rule::OutOfRange { min: 1, max: 4 }));
        let listed = summary(Lang::Id, &errors);
        let u3 = listed.iter().find(|(field, _)| *field == "U3").expect("U3 listed");
        assert!(u3.1.starts_with("U3 Waktu penyelesaian: "), "{}", u3.1);
        assert!(listed.iter().any(|(field, _)| *field == "sex"));
        let page = questionnaire(Lang::En, &form, &errors);
        assert!(page.questions[2].error.is_some() && page.questions[0].error.is_some(), "U1 is missing");
        assert_eq!(page.questions[2].options.iter().filter(|o| o.checked).count(), 0, "5 is no answer");
    }

    #[test]
    fn numbers_are_grouped_in_the_readers_way() {
        assert_eq!(grouped(1_234_567, Lang::Id), "1.234.567");
        assert_eq!(grouped(384, Lang::En), "384");
        assert_eq!(grouped(1000, Lang::En), "1,000");
    }
}
