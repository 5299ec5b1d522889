//! Applications pages: a citizen applies and follows the case; anyone tracks it by its number; an
//! officer works the unit's queue; anyone checks an issued document.

mod apply;
mod form_editor;
mod mine;
mod report;
pub(crate) mod texts;
mod track;
mod verify;
mod work;

use crate::AppState;
use axum::Router;
use balai_domain::Lang;
use balai_domain::applications::ApplicationStatus;
use balai_domain::calendar::IndonesianTimeZone;
use chrono::{DateTime, Utc};

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(apply::routes())
        .merge(form_editor::routes())
        .merge(mine::routes())
        .merge(report::routes())
        .merge(track::routes())
        .merge(verify::routes())
        .merge(work::routes())
}

pub(crate) use work::{queue_home, works_cases};

/// The texts of this context, by name, for templates: `{{ l.t("TRACK") }}`. A test checks that
/// every name a template asks for exists.
#[derive(Debug, Clone, Copy)]
pub struct L(pub Lang);

impl L {
    pub fn t(&self, name: &str) -> &'static str {
        texts::ALL.iter().find(|(n, _)| *n == name).map_or("?", |(_, text)| text.get(self.0))
    }

    pub fn status(&self, status: &ApplicationStatus) -> &'static str {
        status.label(self.0)
    }
}

/// One line of a case's history, as `case_route.html` shows it.
pub(crate) struct EventLine {
    pub at: String,
    pub what: String,
    pub reason: String,
}

/// A case's history in the government's zone and the reader's language.
pub(crate) fn history(
    lang: Lang,
    zone: IndonesianTimeZone,
    events: &[balai_store::cases::CaseEvent],
) -> Vec<EventLine> {
    events
        .iter()
        .map(|e| EventLine { at: zone.format(e.at), what: event_label(lang, &e.event), reason: e.reason.clone() })
        .collect()
}

/// What a case event is called in the history.
pub(crate) fn event_label(lang: Lang, event: &str) -> String {
    match event {
        "submitted" => texts::EVENT_SUBMITTED.get(lang).to_owned(),
        "breach" => texts::EVENT_BREACH.get(lang).to_owned(),
        "payment_received" => texts::EVENT_PAYMENT_RECEIVED.get(lang).to_owned(),
        other => balai_domain::applications::ApplicationEvent::parse(other)
            .map(|e| e.label(lang).to_owned())
            .unwrap_or_else(|| other.to_owned()),
    }
}

/// A moment as the government's people read it: `5 Des 2026 14.30 WITA`.
pub(crate) fn when(zone: IndonesianTimeZone, at: Option<DateTime<Utc>>) -> String {
    at.map(|t| zone.format(t)).unwrap_or_default()
}

/// A deadline's last working day: the instant stored is the start of the next day, so the day shown
/// is the one before it, in the government's zone.
pub(crate) fn due_day(zone: IndonesianTimeZone, due_at: Option<DateTime<Utc>>) -> String {
    due_at
        .map(|t| {
            let day = zone.local_date(t - chrono::Duration::seconds(1));
            format!("{} {}", balai_documents::indonesian_date(day), zone.code())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_text_a_template_asks_for_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut asked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            // A context's own folder (`templates/complaints/`) asks its own texts.
            if path.is_dir() {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("l.t(\"") {
                let rest = &text[i + 5..];
                let name = &rest[..rest.find('"').unwrap()];
                assert!(super::texts::ALL.iter().any(|(n, _)| *n == name), "{}: {name}", path.display());
                asked += 1;
            }
        }
        assert!(asked > 20, "the applications templates ask for their texts ({asked})");
    }
}
