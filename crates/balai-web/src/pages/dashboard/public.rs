//! `/dasbor`: the public performance dashboard. Aggregates only (no case, no person), read through
//! the lagging door; charts drawn on the server as SVG, each followed by its data table and a CSV
//! download; the filter is a GET form, so everything works without JavaScript.

use crate::AppState;
use crate::api::dashboard::{DashboardQuery, read_scope};
use crate::i18n::RequestLang;
use crate::pages::{Chrome, error_page, render};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use balai_domain::Lang;
use balai_domain::complaints::GeoBox;
use balai_domain::dashboard::tenths;
use balai_domain::surveys::Weighting;
use balai_store::dashboard::{self, PublicMap, RankedAgency, UnitSatisfaction, Week};
use balai_store::{Paging, org};
use std::fmt::Write as _;

pub(crate) mod texts {
    crate::texts::texts! {
        HEADING = "Dasbor kinerja pelayanan"
            / "Service performance dashboard";
        INTRO = "Angka dari seluruh permohonan dan pengaduan, tanpa data pribadi. Hari dihitung menurut zona waktu pemerintah daerah."
            / "Figures from every application and complaint, without personal data. Days follow the government's time zone.";
        FILTER = "Saring"
            / "Filter";
        FROM = "Dari tanggal"
            / "From";
        TO = "Sampai tanggal"
            / "To";
        AGENCY = "Perangkat daerah"
            / "Agency";
        ALL_AGENCIES = "Semua perangkat daerah"
            / "All agencies";
        SERVICE = "Kode layanan (boleh kosong)"
            / "Service code (optional)";
        SHOW = "Tampilkan"
            / "Show";
        APPLICATIONS = "Permohonan"
            / "Applications";
        COMPLAINTS = "Pengaduan"
            / "Complaints";
        RECEIVED = "Diterima"
            / "Received";
        COMPLETED = "Selesai"
            / "Completed";
        BACKLOG = "Belum selesai di akhir periode"
            / "Open at the end of the period";
        SLA = "Diputus tepat waktu"
            / "Decided on time";
        AVERAGE = "Rata-rata hari kerja"
            / "Average working days";
        P90 = "Persentil 90 hari kerja"
            / "90th percentile, working days";
        VERIFIED_ON_TIME = "Diverifikasi tepat waktu"
            / "Verified on time";
        RESOLVED_ON_TIME = "Selesai tepat waktu"
            / "Resolved on time";
        TREND = "Tren mingguan"
            / "Weekly trend";
        TREND_CAPTION = "Permohonan dan pengaduan per minggu (minggu mulai hari Senin)"
            / "Applications and complaints per week (weeks start on Monday)";
        WEEK = "Minggu mulai"
            / "Week starting";
        RANKING = "Peringkat perangkat daerah"
            / "Agency ranking";
        RANKING_CAPTION = "Perangkat daerah menurut persentase kasus yang ditutup tepat waktu"
            / "Agencies by the share of cases closed on time";
        CLOSED = "Ditutup"
            / "Closed";
        ON_TIME = "Tepat waktu"
            / "On time";
        SHARE = "Persentase tepat waktu"
            / "Share on time";
        CSV = "Unduh tabel (CSV)"
            / "Download the table (CSV)";
        NONE = "—"
            / "—";
        API = "Data yang sama tersedia sebagai JSON di /api/v1/dashboard/{panel}."
            / "The same data is available as JSON at /api/v1/dashboard/{panel}.";
        MORE_THAN_60 = "lebih dari 60"
            / "more than 60";
        SATISFACTION = "Indeks Kepuasan Masyarakat (IKM) per unit layanan"
            / "Public satisfaction index (IKM) per service unit";
        SATISFACTION_CAPTION = "IKM per unit layanan dari Survei Kepuasan Masyarakat pada periode ini (skala 25–100, mutu A sampai D)"
            / "IKM per service unit from the public satisfaction survey in this period (scale 25–100, grade A to D)";
        UNIT = "Unit layanan"
            / "Service unit";
        RESPONDENTS = "Responden"
            / "Respondents";
        IKM = "IKM"
            / "IKM";
        GRADE = "Mutu pelayanan"
            / "Grade";
        NO_RESPONDENTS = "Belum ada responden survei kepuasan pada periode ini."
            / "No satisfaction survey respondents in this period.";
        MAP = "Peta pengaduan publik"
            / "Map of public complaints";
        MAP_CAPTION = "Pengaduan publik pada periode ini menurut lokasinya"
            / "Public complaints in this period by their location";
        MAP_TABLE_CAPTION = "Pengaduan publik di peta per kategori"
            / "Public complaints on the map by category";
        CATEGORY = "Kategori"
            / "Category";
        REPORTS = "Laporan"
            / "Reports";
        MAP_NOTE = "Peta hanya memuat laporan publik yang berlokasi: laporan rahasia dan laporan WBS tidak pernah ditampilkan. Saringan perangkat daerah dan layanan tidak berlaku untuk peta, karena laporan masuk ke meja pengaduan sebelum diteruskan ke perangkat daerah; periode tetap berlaku."
            / "The map shows public reports with a location only: confidential and whistleblowing reports are never shown. The agency and service filters do not apply to the map, since a report reaches the complaint desk before any agency; the period does.";
        MAP_TRUNCATED = "Hanya {count} laporan terbaru pada periode ini yang dimuat."
            / "Only the newest {count} reports of the period are shown.";
        MAP_EMPTY = "Tidak ada laporan publik berlokasi pada periode ini."
            / "No public reports with a location in this period.";
        MAP_LINK = "Lihat dan telusuri semua laporan di halaman pengaduan"
            / "See and browse every report on the complaints page";
        OPEN_DATA = "Data terbuka: angka harian per perangkat daerah dan layanan (CSV, JSON, CC BY 4.0)"
            / "Open data: daily figures per agency and service (CSV, JSON, CC BY 4.0)";
    }
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/dasbor", get(page)).route("/dasbor/{file}", get(csv))
}

pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn percent(permille: Option<i64>, lang: Lang) -> String {
    permille.map_or_else(|| texts::NONE.get(lang).to_owned(), |p| format!("{} %", tenths(p)))
}

fn query_string(q: &DashboardQuery) -> String {
    let mut parts = Vec::new();
    for (name, value) in [
        ("government", &q.government),
        ("agency", &q.agency),
        ("service", &q.service),
        ("from", &q.from),
        ("to", &q.to),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{name}={}", crate::pages::urlencode(v)));
        }
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// A bar chart of labelled values (one series), drawn to a fixed viewBox that scales to the screen.
fn bar_chart(title: &str, bars: &[(String, i64)]) -> String {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let width = 640;
    let height = 200;
    let n = bars.len().max(1) as i64;
    let slot = (width - 40) / n;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        height + 20,
        esc(title)
    );
    let _ = write!(svg, "<line x1=\"30\" y1=\"{height}\" x2=\"{width}\" y2=\"{height}\" stroke=\"#444\"/>");
    for (i, (label, value)) in bars.iter().enumerate() {
        let h = value * (height - 10) / max;
        let x = 35 + i as i64 * slot;
        let w = (slot - 4).max(1);
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{h}\" fill=\"#1f5f8b\"><title>{}: {value}</title></rect>",
            height - h,
            esc(label)
        );
    }
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"12\" font-size=\"12\">{max}</text><text x=\"0\" y=\"{height}\" font-size=\"12\">0</text>"
    );
    svg.push_str("</svg>");
    svg
}

fn trend_table(weeks: &[Week], lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        texts::WEEK.get(lang),
        texts::APPLICATIONS.get(lang),
        texts::COMPLETED.get(lang),
        texts::COMPLAINTS.get(lang),
        texts::RESOLVED_ON_TIME.get(lang),
    ];
    let rows = weeks
        .iter()
        .map(|w| {
            vec![
                w.week_start.to_string(),
                w.applications_received.to_string(),
                w.applications_completed.to_string(),
                w.complaints_received.to_string(),
                w.complaints_resolved.to_string(),
            ]
        })
        .collect();
    (head, rows)
}

fn categories_table(map: &PublicMap, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![texts::CATEGORY.get(lang), texts::REPORTS.get(lang)];
    let rows = map
        .categories
        .iter()
        .map(|c| vec![lang.pick(&c.name_id, &c.name_en).to_owned(), c.reports.to_string()])
        .collect();
    (head, rows)
}

/// The map's box: the government's area, else the box around the points (with a margin).
fn map_box(map: &PublicMap) -> Option<GeoBox> {
    if map.area.is_some() {
        return map.area;
    }
    let first = map.points.first()?;
    let mut area = GeoBox { min_lat: first.lat, max_lat: first.lat, min_lon: first.lon, max_lon: first.lon };
    for p in &map.points {
        area.min_lat = area.min_lat.min(p.lat);
        area.max_lat = area.max_lat.max(p.lat);
        area.min_lon = area.min_lon.min(p.lon);
        area.max_lon = area.max_lon.max(p.lon);
    }
    area.min_lat -= 0.01;
    area.max_lat += 0.01;
    area.min_lon -= 0.01;
    area.max_lon += 0.01;
    Some(area)
}

/// A scatter of the map's points in its box, drawn on the server (no tiles: it works offline).
fn map_svg(title: &str, map: &PublicMap, lang: Lang) -> String {
    let Some(area) = map_box(map) else { return String::new() };
    let width = 640.0;
    let lat_span = (area.max_lat - area.min_lat).max(1e-6);
    let lon_span = (area.max_lon - area.min_lon).max(1e-6);
    // Degrees of longitude shrink with latitude: near the equator barely.
    let middle = ((area.min_lat + area.max_lat) / 2.0).to_radians().cos().max(0.1);
    let height = (width * lat_span / (lon_span * middle)).clamp(200.0, 640.0);
    let mut svg = format!(
        "<svg class=\"chart map\" viewBox=\"0 0 {width} {height:.0}\" role=\"img\" aria-label=\"{}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height:.0}\" \
         fill=\"#f4f6f8\" stroke=\"#767676\"/>",
        esc(title)
    );
    let names: std::collections::HashMap<&str, &str> =
        map.categories.iter().map(|c| (c.code.as_str(), lang.pick(&c.name_id, &c.name_en))).collect();
    for p in &map.points {
        let x = (p.lon - area.min_lon) / lon_span * width;
        let y = (area.max_lat - p.lat) / lat_span * height;
        let name = names.get(p.category.as_str()).copied().unwrap_or(p.category.as_str());
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#b3261e\" stroke=\"#fff\"><title>{} — {}</title></circle>",
            esc(name),
            p.submitted_on
        );
    }
    svg.push_str("</svg>");
    svg
}

fn satisfaction_table(units: &[UnitSatisfaction], lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        texts::UNIT.get(lang),
        texts::AGENCY.get(lang),
        texts::RESPONDENTS.get(lang),
        texts::IKM.get(lang),
        texts::GRADE.get(lang),
    ];
    let rows = units
        .iter()
        .map(|u| {
            let index = u.tally.index(Weighting::Standard);
            vec![
                u.unit_name.clone(),
                u.agency_name.clone(),
                u.tally.respondents.to_string(),
                index.map_or_else(|| texts::NONE.get(lang).to_owned(), |i| i.ikm.display(lang)),
                index.map_or_else(
                    || texts::NONE.get(lang).to_owned(),
                    |i| format!("{} ({})", i.grade.letter(), i.grade.meaning(lang)),
                ),
            ]
        })
        .collect();
    (head, rows)
}

fn ranking_table(rows: &[RankedAgency], lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let head = vec![
        texts::AGENCY.get(lang),
        texts::RECEIVED.get(lang),
        texts::CLOSED.get(lang),
        texts::ON_TIME.get(lang),
        texts::SHARE.get(lang),
    ];
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.received.to_string(),
                r.closed.to_string(),
                r.closed_on_time.to_string(),
                percent(r.compliance_permille(), lang),
            ]
        })
        .collect();
    (head, rows)
}

pub(super) fn html_table(caption: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    // A region of its own, reachable by keyboard, so a table wider than a phone scrolls inside it.
    let mut t = format!(
        "<div class=\"table-scroll\" role=\"region\" aria-label=\"{0}\" tabindex=\"0\"><table><caption>{0}</caption><thead><tr>",
        esc(caption)
    );
    for h in head {
        let _ = write!(t, "<th scope=\"col\">{}</th>", esc(h));
    }
    t.push_str("</tr></thead><tbody>");
    for row in rows {
        t.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(t, "<th scope=\"row\">{}</th>", esc(cell));
            } else {
                let _ = write!(t, "<td>{}</td>", esc(cell));
            }
        }
        t.push_str("</tr>");
    }
    t.push_str("</tbody></table></div>");
    t
}

pub(super) fn csv_text(head: &[&str], rows: &[Vec<String>]) -> String {
    let cell = |c: &str| {
        // A cell a spreadsheet would read as a formula is quoted as text.
        let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<f64>().is_err() {
            format!("'{c}")
        } else {
            c.to_owned()
        };
        if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c }
    };
    let mut out = String::new();
    out.push_str(&head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[derive(askama::Template)]
#[template(path = "dashboard_public.html")]
struct DashboardPage {
    chrome: Chrome,
    body: String,
}

async fn page(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let (government, scope, today) = match read_scope(&state, lang, &q).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e),
    };
    let db = state.db.lagging();
    let loaded = async {
        let overview = dashboard::overview(db, &scope, today).await?;
        let weeks = dashboard::trend(db, &scope).await?;
        let ranking = dashboard::ranking(db, &scope).await?;
        let agencies = org::agencies(db, Some(&government.region_code), Paging::new(1, Paging::MAX_PER_PAGE)).await?;
        Ok::<_, balai_store::StoreError>((overview, weeks, ranking, agencies))
    }
    .await;
    let (overview, weeks, ranking, agencies) = match loaded {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let t = |text: &crate::texts::Text| text.get(lang);
    let qs = query_string(&q);
    let amp = if qs.is_empty() { "?" } else { "&" };
    let lang_tail = if lang == Lang::En { format!("{amp}lang=en") } else { String::new() };
    let mut b = String::new();
    let _ =
        write!(b, "<h1>{}</h1><p>{} ({})</p>", esc(t(&texts::HEADING)), esc(t(&texts::INTRO)), esc(&government.name));

    // The filter: a GET form.
    let _ = write!(
        b,
        "<form method=\"get\" action=\"/dasbor\" class=\"card\"><fieldset><legend>{}</legend>\
         <input type=\"hidden\" name=\"government\" value=\"{}\">",
        esc(t(&texts::FILTER)),
        esc(&government.region_code)
    );
    if lang == Lang::En {
        b.push_str("<input type=\"hidden\" name=\"lang\" value=\"en\">");
    }
    let _ = write!(
        b,
        "<div class=\"field\"><label for=\"from\">{}</label><input type=\"date\" id=\"from\" name=\"from\" value=\"{}\"></div>\
         <div class=\"field\"><label for=\"to\">{}</label><input type=\"date\" id=\"to\" name=\"to\" value=\"{}\"></div>\
         <div class=\"field\"><label for=\"agency\">{}</label><select id=\"agency\" name=\"agency\"><option value=\"\">{}</option>",
        esc(t(&texts::FROM)),
        scope.period.from,
        esc(t(&texts::TO)),
        scope.period.to,
        esc(t(&texts::AGENCY)),
        esc(t(&texts::ALL_AGENCIES))
    );
    for agency in &agencies.items {
        let selected = if Some(agency.id) == scope.agency_id { " selected" } else { "" };
        let _ = write!(b, "<option value=\"{}\"{selected}>{}</option>", esc(&agency.code), esc(&agency.name));
    }
    let _ = write!(
        b,
        "</select></div><div class=\"field\"><label for=\"service\">{}</label><input id=\"service\" name=\"service\" value=\"{}\" maxlength=\"64\"></div>\
         <button type=\"submit\">{}</button></fieldset></form>",
        esc(t(&texts::SERVICE)),
        esc(q.service.as_deref().unwrap_or_default()),
        esc(t(&texts::SHOW))
    );

    // The figures.
    let a = &overview.applications;
    let c = &overview.complaints;
    let p90 = match a.p90_working_days {
        Some(d) if d > balai_domain::dashboard::MAX_BUCKET_DAYS => t(&texts::MORE_THAN_60).to_owned(),
        Some(d) => d.to_string(),
        None => t(&texts::NONE).to_owned(),
    };
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-apps\"><h2 id=\"h-apps\">{}</h2><dl class=\"facts\" id=\"applications\">\
         <div><dt>{}</dt><dd data-figure=\"applications.received\">{}</dd></div>\
         <div><dt>{}</dt><dd data-figure=\"applications.completed\">{}</dd></div>\
         <div><dt>{}</dt><dd data-figure=\"applications.backlog\">{}</dd></div>\
         <div><dt>{}</dt><dd>{}</dd></div><div><dt>{}</dt><dd>{}</dd></div><div><dt>{}</dt><dd>{}</dd></div></dl></section>",
        esc(t(&texts::APPLICATIONS)),
        esc(t(&texts::RECEIVED)),
        a.received,
        esc(t(&texts::COMPLETED)),
        a.completed,
        esc(t(&texts::BACKLOG)),
        a.backlog,
        esc(t(&texts::SLA)),
        percent(a.sla_compliance_permille, lang),
        esc(t(&texts::AVERAGE)),
        a.average_working_days_tenths.map_or_else(|| t(&texts::NONE).to_owned(), tenths),
        esc(t(&texts::P90)),
        esc(&p90),
    );
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-comp\"><h2 id=\"h-comp\">{}</h2><dl class=\"facts\" id=\"complaints\">\
         <div><dt>{}</dt><dd data-figure=\"complaints.received\">{}</dd></div>\
         <div><dt>{}</dt><dd>{} / {}</dd></div><div><dt>{}</dt><dd>{} / {}</dd></div>\
         <div><dt>{}</dt><dd data-figure=\"complaints.backlog\">{}</dd></div></dl></section>",
        esc(t(&texts::COMPLAINTS)),
        esc(t(&texts::RECEIVED)),
        c.received,
        esc(t(&texts::VERIFIED_ON_TIME)),
        c.verified_on_time,
        c.verified,
        esc(t(&texts::RESOLVED_ON_TIME)),
        c.resolved_on_time,
        c.resolved,
        esc(t(&texts::BACKLOG)),
        c.backlog,
    );

    // Live figures, for browsers that follow the stream; the page is complete without them.
    b.push_str(&super::stream::live_region(lang, &q, &scope, today));

    // The weekly trend: a chart, its table, its CSV.
    let bars: Vec<(String, i64)> =
        weeks.iter().map(|w| (w.week_start.to_string(), w.applications_received + w.complaints_received)).collect();
    let (head, rows) = trend_table(&weeks, lang);
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-trend\"><h2 id=\"h-trend\">{}</h2>{}{}<p><a href=\"/dasbor/trend.csv{qs}{lang_tail}\" download>{}</a></p></section>",
        esc(t(&texts::TREND)),
        bar_chart(t(&texts::TREND_CAPTION), &bars),
        html_table(t(&texts::TREND_CAPTION), &head, &rows),
        esc(t(&texts::CSV))
    );
    let bars: Vec<(String, i64)> =
        ranking.iter().map(|r| (r.name.clone(), r.compliance_permille().unwrap_or(0) / 10)).collect();
    let (head, rows) = ranking_table(&ranking, lang);
    let _ = write!(
        b,
        "<section aria-labelledby=\"h-rank\"><h2 id=\"h-rank\">{}</h2>{}{}<p><a href=\"/dasbor/ranking.csv{qs}{lang_tail}\" download>{}</a></p></section>",
        esc(t(&texts::RANKING)),
        bar_chart(t(&texts::RANKING_CAPTION), &bars),
        html_table(t(&texts::RANKING_CAPTION), &head, &rows),
        esc(t(&texts::CSV))
    );
    // SKM per unit: a chart of the IKM, its table, its CSV.
    let units = match dashboard::satisfaction(db, &scope).await {
        Ok(units) => units,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let _ = write!(b, "<section aria-labelledby=\"h-skm\"><h2 id=\"h-skm\">{}</h2>", esc(t(&texts::SATISFACTION)));
    if units.is_empty() {
        let _ = write!(b, "<p>{}</p>", esc(t(&texts::NO_RESPONDENTS)));
    } else {
        let bars: Vec<(String, i64)> = units
            .iter()
            .map(|u| {
                let ikm = u.tally.index(Weighting::Standard).map_or(0, |i| i.ikm.hundredths() / 100);
                (u.unit_name.clone(), i64::try_from(ikm).unwrap_or(0))
            })
            .collect();
        let (head, rows) = satisfaction_table(&units, lang);
        let _ = write!(
            b,
            "{}{}<p><a href=\"/dasbor/satisfaction.csv{qs}{lang_tail}\" download>{}</a></p>",
            bar_chart(t(&texts::SATISFACTION_CAPTION), &bars),
            html_table(t(&texts::SATISFACTION_CAPTION), &head, &rows),
            esc(t(&texts::CSV))
        );
    }
    b.push_str("</section>");
    // The map of public complaints: a scatter, its table per category, its CSV, the full map's link.
    let map = match dashboard::public_map(db, &scope).await {
        Ok(map) => map,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let _ = write!(b, "<section aria-labelledby=\"h-map\"><h2 id=\"h-map\">{}</h2>", esc(t(&texts::MAP)));
    if map.points.is_empty() {
        let _ = write!(b, "<p>{}</p>", esc(t(&texts::MAP_EMPTY)));
    } else {
        let (head, rows) = categories_table(&map, lang);
        let _ = write!(
            b,
            "{}{}<p><a href=\"/dasbor/map.csv{qs}{lang_tail}\" download>{}</a></p>",
            map_svg(t(&texts::MAP_CAPTION), &map, lang),
            html_table(t(&texts::MAP_TABLE_CAPTION), &head, &rows),
            esc(t(&texts::CSV))
        );
    }
    if map.truncated {
        let count = dashboard::MAP_POINTS.to_string();
        let _ = write!(b, "<p>{}</p>", esc(&texts::MAP_TRUNCATED.fill(lang, &[("count", &count)])));
    }
    let lang_query = if lang == Lang::En { "?lang=en" } else { "" };
    let _ = write!(
        b,
        "<p class=\"muted\">{}</p><p><a href=\"/pengaduan{lang_query}\">{}</a></p></section>",
        esc(t(&texts::MAP_NOTE)),
        esc(t(&texts::MAP_LINK))
    );
    let _ = write!(b, "<p class=\"muted small\">{}</p>", esc(t(&texts::API)));
    let _ = write!(b, "<p><a href=\"/open-data{lang_query}\">{}</a></p>", esc(t(&texts::OPEN_DATA)));
    render(&DashboardPage { chrome: Chrome::new(lang, t(&texts::HEADING), &uri), body: b })
}

/// `/dasbor/trend.csv` and `/dasbor/ranking.csv`: the tables as UTF-8 CSV attachments.
async fn csv(
    State(state): State<AppState>,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(file): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let panel = match file.as_str() {
        "trend.csv" => "trend",
        "ranking.csv" => "ranking",
        "satisfaction.csv" => "satisfaction",
        "map.csv" => "map",
        _ => return error_page(lang, &uri, crate::error::AppError::NotFound),
    };
    let (government, scope, _) = match read_scope(&state, lang, &q).await {
        Ok(found) => found,
        Err(e) => return error_page(lang, &uri, e),
    };
    let db = state.db.lagging();
    let table = match panel {
        "trend" => dashboard::trend(db, &scope).await.map(|w| trend_table(&w, lang)),
        "satisfaction" => dashboard::satisfaction(db, &scope).await.map(|u| satisfaction_table(&u, lang)),
        "map" => dashboard::public_map(db, &scope).await.map(|m| categories_table(&m, lang)),
        _ => dashboard::ranking(db, &scope).await.map(|r| ranking_table(&r, lang)),
    };
    let (head, rows) = match table {
        Ok(t) => t,
        Err(e) => return error_page(lang, &uri, e.into()),
    };
    let name = format!(
        "dasbor-{panel}-{}-{}-{}.csv",
        government.region_code.replace('.', ""),
        scope.period.from,
        scope.period.to
    );
    let mut response = csv_text(&head, &rows).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
