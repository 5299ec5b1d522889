//! Notification texts: the shipped text of each message kind and language, or an admin's edit of it.
//! Texts are MiniJinja templates (sandboxed: no files, no code), checked when saved — they must parse,
//! use only the values the message offers, use the ones it needs, fit the channel, and fill in within
//! a fuel budget — and rendered with strict undefined values, so a message never goes out with a hole
//! in it.
//!
//! Checking renders the text, which costs CPU an admin chooses; so a text is checked into a
//! [`CheckedText`] before any transaction opens, and [`save_text`] takes only that: the write lock
//! (SQLite's single writer) is never held while a template runs.

use crate::audit::{self, Actor, AuditedTable, BoxFuture, Subject};
use crate::identity::access::authorize_officer;
use crate::{Db, StoreError, Tx, query};
use balai_domain::Lang;
use balai_domain::identity::{Action, Target};
use balai_domain::notify::{MessageKind, Problem, TextProblem};
use chrono::{DateTime, Utc};
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::collections::BTreeMap;

/// A message text as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText {
    pub kind: MessageKind,
    pub lang: Lang,
    pub subject: String,
    pub body: String,
    /// When an admin last changed it; `None` for the shipped text.
    pub edited_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub(crate) struct TemplateRow {
    id: i64,
    template: String,
    lang: String,
    subject: String,
    body: String,
    updated_at: DateTime<Utc>,
}

pub(crate) const TEMPLATE_COLUMNS: &str = "id, template, lang, subject, body, updated_at";

/// The values a text is filled with, owned (MiniJinja values outlive the borrow they came from).
fn context<'a>(values: impl Iterator<Item = (&'a str, &'a str)>) -> minijinja::Value {
    minijinja::Value::from_pairs(values.map(|(name, value)| (name.to_owned(), value.to_owned())))
}

fn environment<'source>() -> Environment<'source> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Bounds the time and memory of every render: a text of nested loops stops at the budget.
    env.set_fuel(Some(MessageKind::MAX_RENDER_FUEL));
    env
}

/// An edited text that passed [`check_text`], ready to be saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedText {
    kind: MessageKind,
    lang: Lang,
    subject: String,
    body: String,
}

/// Checks an edited text, outside any transaction; every problem found, subject first.
pub fn check_text(kind: MessageKind, lang: Lang, subject: &str, body: &str) -> Result<CheckedText, Vec<TextProblem>> {
    let problems = check(kind, subject, body);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CheckedText { kind, lang, subject: subject.to_owned(), body: body.to_owned() })
}

/// Checks an edited text; every problem found, subject first.
pub fn check(kind: MessageKind, subject: &str, body: &str) -> Vec<TextProblem> {
    let mut problems = Vec::new();
    let examples: BTreeMap<&str, &str> = kind.variables().iter().copied().collect();
    let env = environment();
    for (field, source) in [("subject", subject), ("body", body)] {
        let problem = |problem| TextProblem { field, problem };
        if source.trim().is_empty() {
            problems.push(problem(Problem::Required));
            continue;
        }
        let template = match env.template_from_str(source) {
            Ok(t) => t,
            Err(e) => {
                problems.push(problem(Problem::Syntax { line: e.line() }));
                continue;
            }
        };
        let used = template.undeclared_variables(false);
        let mut unknown: Vec<&String> = used.iter().filter(|v| !examples.contains_key(v.as_str())).collect();
        unknown.sort();
        let mut found = false;
        for name in unknown {
            problems.push(problem(Problem::UnknownValue(name.clone())));
            found = true;
        }
        if field == "body" {
            for name in kind.required() {
                if !used.contains(*name) {
                    problems.push(problem(Problem::MissingValue(name)));
                    found = true;
                }
            }
        }
        if found {
            continue;
        }
        let max = if field == "subject" { MessageKind::MAX_SUBJECT_CHARS } else { kind.max_body_chars() };
        match template.render(context(examples.iter().map(|(k, v)| (*k, *v)))) {
            Ok(text) if text.chars().count() > max => {
                problems.push(problem(Problem::TooLong { max, chars: text.chars().count() }))
            }
            Ok(_) => {}
            Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => {
                problems.push(problem(Problem::TooMuchWork { max: MessageKind::MAX_RENDER_FUEL }))
            }
            Err(e) => problems.push(problem(Problem::Syntax { line: e.line() })),
        }
    }
    problems
}

async fn stored(tx: &mut Tx, kind: MessageKind, lang: Lang) -> Result<Option<TemplateRow>, StoreError> {
    tx.fetch_optional(
        crate::dynamic_query(format!(
            "SELECT {TEMPLATE_COLUMNS} FROM message_templates WHERE template = $1 AND lang = $2"
        ))
        .bind(kind.code())
        .bind(lang.code()),
    )
    .await
}

fn text_of(kind: MessageKind, lang: Lang, row: Option<TemplateRow>) -> MessageText {
    match row {
        Some(row) => MessageText { kind, lang, subject: row.subject, body: row.body, edited_at: Some(row.updated_at) },
        None => {
            let (subject, body) = kind.default_text(lang);
            MessageText { kind, lang, subject: subject.into(), body: body.into(), edited_at: None }
        }
    }
}

/// Every message kind in every language, as it would be sent now.
pub async fn texts(db: &Db) -> Result<Vec<MessageText>, StoreError> {
    let mut tx = db.begin_read().await?;
    let mut out = Vec::new();
    for kind in MessageKind::ALL {
        for lang in Lang::ALL {
            let row = stored(&mut tx, kind, lang).await?;
            out.push(text_of(kind, lang, row));
        }
    }
    tx.commit().await?;
    Ok(out)
}

/// Saves an admin's checked text (replacing an earlier edit). The change is a leaf of the audit log.
/// A deployment admin saves a message text (checked beforehand by [`check_text`], outside the
/// transaction: rendering is CPU the admin chooses and must not run while the writer is held).
pub async fn save_text_as_officer(db: &Db, officer_id: i64, text: &CheckedText) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    authorize_officer(&mut tx, officer_id, Action::ManageTemplates, &Target::default()).await?;
    save_text(&mut tx, &Actor::officer(officer_id), text).await?;
    tx.commit().await
}

/// A deployment admin puts a message text back to Balai's wording.
pub async fn reset_text_as_officer(
    db: &Db,
    officer_id: i64,
    kind: MessageKind,
    lang: Lang,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    authorize_officer(&mut tx, officer_id, Action::ManageTemplates, &Target::default()).await?;
    let reset = reset_text(&mut tx, &Actor::officer(officer_id), kind, lang).await?;
    tx.commit().await?;
    Ok(reset)
}

pub async fn save_text(tx: &mut Tx, actor: &Actor, text: &CheckedText) -> Result<(), StoreError> {
    let CheckedText { kind, lang, subject, body } = text;
    let (kind, lang) = (*kind, *lang);
    let now = Utc::now();
    let id = match stored(tx, kind, lang).await? {
        Some(row) => {
            tx.execute(
                query("UPDATE message_templates SET subject = $1, body = $2, updated_at = $3 WHERE id = $4")
                    .bind(subject)
                    .bind(body)
                    .bind(now)
                    .bind(row.id),
            )
            .await?;
            row.id
        }
        None => {
            tx.insert(
                query(
                    "INSERT INTO message_templates (template, lang, subject, body, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(kind.code())
                .bind(lang.code())
                .bind(subject)
                .bind(body)
                .bind(now),
            )
            .await?
        }
    };
    audit::record_change(tx, actor, "notify.template.save", &Subject::new("message_templates", id), None).await?;
    Ok(())
}

/// Goes back to the shipped text. Returns whether there was an edit to drop.
pub async fn reset_text(tx: &mut Tx, actor: &Actor, kind: MessageKind, lang: Lang) -> Result<bool, StoreError> {
    let Some(row) = stored(tx, kind, lang).await? else { return Ok(false) };
    tx.execute(query("DELETE FROM message_templates WHERE id = $1").bind(row.id)).await?;
    audit::record_change(tx, actor, "notify.template.reset", &Subject::new("message_templates", row.id), None).await?;
    Ok(true)
}

/// The subject and body of a message from the current text, in the transaction that enqueues it.
pub async fn compose(
    tx: &mut Tx,
    kind: MessageKind,
    lang: Lang,
    values: &[(&str, &str)],
) -> Result<(String, String), StoreError> {
    let text = text_of(kind, lang, stored(tx, kind, lang).await?);
    let values = context(values.iter().copied());
    let env = environment();
    let filled = |source: &str| {
        env.render_str(source, values.clone())
            .map_err(|e| StoreError::Corrupt(format!("message text {} ({}): {e}", kind.code(), lang.code())))
    };
    Ok((filled(&text.subject)?, filled(&text.body)?))
}

// ---- audited state ----------------------------------------------------------------------------

/// Admin-edited texts are audited rows.
pub(crate) const AUDITED: &[AuditedTable] = &[AuditedTable::new("message_templates", template_state)];

fn template_state<'a>(tx: &'a mut Tx, id: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
    audit::row_state::<TemplateRow>(
        tx,
        "message_templates",
        crate::dynamic_query(format!("SELECT {TEMPLATE_COLUMNS} FROM message_templates WHERE id = $1")),
        id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_of_nested_loops_is_refused_quickly_naming_the_work_limit() {
        // Eight to the seventh power iterations: seconds of CPU without a budget.
        let open: String = (0..7).map(|i| format!("{{% for v{i} in \"abcdefgh\" %}}")).collect();
        let body = format!("{open}x{}{{{{ code }}}}", "{% endfor %}".repeat(7));
        let started = std::time::Instant::now();
        let refused = check_text(MessageKind::SignInCode, Lang::Id, "Kode", &body).expect_err("refused");
        assert!(started.elapsed() < std::time::Duration::from_millis(500), "took {:?}", started.elapsed());
        let max = MessageKind::MAX_RENDER_FUEL;
        assert_eq!(refused, [TextProblem { field: "body", problem: Problem::TooMuchWork { max } }]);
        assert!(refused[0].message(Lang::En, MessageKind::SignInCode).contains("more than 20000 steps"));
    }

    #[test]
    fn the_shipped_texts_fit_the_work_limit() {
        for lang in Lang::ALL {
            let (subject, body) = MessageKind::SignInCode.default_text(lang);
            assert!(check_text(MessageKind::SignInCode, lang, subject, body).is_ok(), "{lang:?}");
        }
    }
}
