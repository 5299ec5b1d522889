//! Fixed texts, declared once per context in both languages.
//!
//! Each context's page module has one `texts!` block (`pages/catalogue/texts.rs`,
//! `pages/identity/texts.rs`, …); handlers say `texts::SIGN_IN.get(lang)` and never write a
//! literal pair inline. Every block registers its list in [`CONTEXTS`], and the tests below check
//! that no text is missing or empty in either language and that both carry the same placeholders.
//! Texts every context may answer with (problem titles and details at the edge) live in [`common`].
//! A further test fails when a literal pair is picked inline anywhere in the crate's source.

use balai_domain::Lang;

/// A fixed text in Bahasa Indonesia and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub id: &'static str,
    pub en: &'static str,
}

impl Text {
    /// The text in the reader's language.
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.id, self.en)
    }

    /// The text with each `{name}` replaced by its value (values are already in the reader's language).
    pub fn fill(self, lang: Lang, values: &[(&str, &str)]) -> String {
        // One pass over the text: a value is never searched again, so a name or note that happens to
        // contain `{at}` is shown as written.
        let mut out = String::new();
        let mut rest = self.get(lang);
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let known = after.find('}').and_then(|end| {
                let (_, value) = values.iter().find(|(name, _)| *name == &after[..end])?;
                Some((value, end))
            });
            match known {
                Some((value, end)) => {
                    out.push_str(value);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The `{name}` placeholders of one language's text, sorted.
    pub fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .match_indices('{')
            .filter_map(|(start, _)| {
                let rest = &text[start + 1..];
                let end = rest.find('}')?;
                let name = &rest[..end];
                (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(name)
            })
            .collect();
        found.sort_unstable();
        found
    }
}

/// Declares a context's texts: `texts! { SIGN_IN = "Masuk" / "Sign in"; … }` makes one `Text`
/// constant each and `ALL`, the context's list for the completeness tests.
macro_rules! texts {
    ($($(#[$attr:meta])* $name:ident = $id:literal / $en:literal;)*) => {
        $($(#[$attr])* pub(crate) const $name: $crate::texts::Text = $crate::texts::Text { id: $id, en: $en };)*
        /// Every fixed text of this context, with its name (read by the completeness tests).
        #[cfg_attr(not(test), allow(dead_code))]
        pub(crate) const ALL: &[(&str, $crate::texts::Text)] = &[$((stringify!($name), $name)),*];
    };
}
pub(crate) use texts;

pub(crate) mod common;

/// Every context's texts, by context name. A new context's `texts!` block is added here.
#[cfg(test)]
pub(crate) const CONTEXTS: &[(&str, &[(&str, Text)])] = &[
    ("common", common::ALL),
    ("applications", crate::pages::applications::texts::ALL),
    ("applications api", crate::applications::texts::ALL),
    ("calendar", crate::pages::calendar::texts::ALL),
    ("catalogue", crate::pages::catalogue::texts::ALL),
    ("catalogue fields", crate::pages::catalogue::texts::FIELD_LABELS),
    ("complaints", crate::pages::complaints::texts::ALL),
    ("cases", crate::pages::cases::texts::ALL),
    ("complaints work", crate::pages::complaints::work_texts::ALL),
    ("dashboard", crate::pages::dashboard::texts::ALL),
    ("dashboard public", crate::pages::dashboard::public::texts::ALL),
    ("dashboard live", crate::pages::dashboard::stream::texts::ALL),
    ("dashboard agency", crate::pages::dashboard::agency::texts::ALL),
    ("open data", crate::pages::dashboard::open_data::texts::ALL),
    ("identity", crate::pages::identity::texts::ALL),
    ("notify", crate::pages::notify::texts::ALL),
    ("open311", crate::pages::open311::texts::ALL),
    ("payments pay", crate::pages::payments::pay::texts::ALL),
    ("payments treasury", crate::pages::payments::treasury_texts::ALL),
    ("surveys", crate::pages::surveys::texts::ALL),
    ("whistleblowing", crate::pages::whistleblowing::texts::ALL),
];

/// The lines of `source` where `.pick(` is called with a string literal: a fixed text written
/// inline instead of in a `texts!` block. A pick of data (`lang.pick(&c.name_id, &c.name_en)`) is
/// not a fixed text and passes; so does a line comment.
#[cfg(test)]
fn inline_picks(source: &str) -> Vec<usize> {
    // The dot is checked apart, so this file holds no such call itself.
    const CALL: &str = "pick(";
    source
        .match_indices(CALL)
        .filter(|(at, _)| source[..*at].ends_with('.'))
        .filter(|(at, _)| {
            let line_start = source[..*at].rfind('\n').map_or(0, |n| n + 1);
            !source[line_start..*at].trim_start().starts_with("//")
        })
        .filter(|(at, _)| {
            let argument = source[at + CALL.len()..].trim_start();
            argument.starts_with('"') || argument.starts_with("r\"") || argument.starts_with("r#")
        })
        .map(|(at, _)| source[..at].matches('\n').count() + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read the source directory") {
            let path = entry.expect("read a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_fixed_text_is_written_inline_outside_its_contexts_texts_block() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        files.sort();
        let mut found = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(root).expect("under the crate").to_string_lossy().replace('\\', "/");
            let source = std::fs::read_to_string(file).expect("read a source file");
            found.extend(inline_picks(&source).into_iter().map(|line| format!("{relative}:{line}")));
        }
        assert!(
            found.is_empty(),
            "fixed texts picked inline; declare them in the context's texts! block:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_guard_sees_literal_picks_and_lets_data_and_comments_pass() {
        let source = "let a = lang.pick(\"Ya\", \"Yes\");\n\
                      let b = lang.pick(&c.name_id, &c.name_en);\n\
                      // lang.pick(\"dalam komentar\", \"in a comment\")\n\
                      let d = lang\n    .pick(\n        \"Panjang\",\n        \"Long\",\n    );\n\
                      let e = ui.pick(r\"mentah\", r\"raw\");\n";
        assert_eq!(inline_picks(source), vec![1, 5, 9]);
    }

    #[test]
    fn no_text_is_missing_or_empty_in_either_language_and_both_carry_the_same_placeholders() {
        let mut problems = Vec::new();
        for (context, texts) in CONTEXTS {
            for (name, text) in *texts {
                if text.id.trim().is_empty() {
                    problems.push(format!("{context}::{name} has no Indonesian text"));
                }
                if text.en.trim().is_empty() {
                    problems.push(format!("{context}::{name} has no English text"));
                }
                if Text::placeholders(text.id) != Text::placeholders(text.en) {
                    problems.push(format!("{context}::{name}: the two languages name different placeholders"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn each_text_name_is_declared_once_per_context() {
        for (context, texts) in CONTEXTS {
            let mut names: Vec<&str> = texts.iter().map(|(n, _)| *n).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(before, names.len(), "{context} declares a text name twice");
        }
    }

    #[test]
    fn a_text_is_filled_in_the_readers_language() {
        let text = Text { id: "{n} hari kerja", en: "{n} working days" };
        assert_eq!(text.fill(Lang::Id, &[("n", "5")]), "5 hari kerja");
        assert_eq!(text.fill(Lang::En, &[("n", "5")]), "5 working days");
        assert_eq!(Text::placeholders("{b} dan {a} {a b} {}"), vec!["a", "b"]);
        let note = Text { id: "{by}: {note} ({n}) {other}", en: "" };
        assert_eq!(
            note.fill(Lang::Id, &[("by", "{note}"), ("note", "{n} {n}"), ("n", "5")]),
            "{note}: {n} {n} (5) {other}"
        );
    }
}
