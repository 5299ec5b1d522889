//! A flowing A4 report of one or more pages: the letterhead, a title, then headings, paragraphs and
//! tables, with page numbers in the footer. Tables that run over a page repeat their header row.
//! Set in the same embedded DejaVu Sans as the issued document, so its text can be copied and
//! searched (and read by screen readers).

use crate::font::Font;
use crate::page::{BOLD, Page, REGULAR, Weight};
use crate::{DocumentError, deflate};
use pdf_writer::{Content, Filter, Finish, Pdf, Rect, Ref, TextStr};
use sha2::{Digest, Sha256};

const PAGE_WIDTH: f32 = 595.276;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where the text area ends; the footer sits below it.
const BODY_BOTTOM: f32 = PAGE_HEIGHT - 60.0;
const FOOTER_LINE: f32 = PAGE_HEIGHT - 44.0;
const ACCENT: (f32, f32, f32) = (0.08, 0.20, 0.40);
const MUTED: f32 = 0.33;
/// A report longer than this is refused rather than typeset.
pub const MAX_REPORT_PAGES: usize = 400;

/// A report: who issues it, its title, and its parts in order. Texts are printed as given.
#[derive(Debug, Clone)]
pub struct Report {
    /// "Pemerintah Kabupaten …".
    pub government: String,
    /// The agency (dinas, badan), printed under the government.
    pub agency: String,
    pub title: String,
    /// Lines under the title (the unit, the period).
    pub subtitle: Vec<String>,
    pub blocks: Vec<Block>,
    /// Printed at the foot of every page before the page number (e.g. the report's name).
    pub footer: String,
    /// The page number's words: `("Halaman", "dari")` gives "Halaman 2 dari 5".
    pub page_words: (String, String),
    /// The document's language tag ("id", "en").
    pub lang: String,
}

#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    /// A smaller, grey paragraph (notes under a table).
    Note(String),
    Table(Table),
    /// Vertical space in points.
    Space(f32),
}

#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Rows printed in bold (a total, the index): by their position in `rows`.
    pub bold_rows: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    /// The column's share of the table's width (any positive numbers; they are scaled to fit).
    pub width: f32,
    pub align: Align,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Centre,
}

/// The page being set (its content, fonts and text primitives) and the pages done.
struct Typesetter {
    pages: Vec<Content>,
    page: Page,
    /// The baseline of the next line, from the top of the page.
    y: f32,
}

impl Typesetter {
    fn gray(&mut self, gray: f32) {
        self.page.content.set_fill_gray(gray).set_stroke_gray(gray);
    }

    fn rgb(&mut self, (r, g, b): (f32, f32, f32)) {
        self.page.content.set_fill_rgb(r, g, b).set_stroke_rgb(r, g, b);
    }

    fn rule(&mut self, top: f32, thickness: f32, x0: f32, x1: f32) {
        let y = PAGE_HEIGHT - top;
        self.page.content.set_line_width(thickness).move_to(x0, y).line_to(x1, y).stroke();
    }

    /// Starts a new page when `height` more points do not fit on this one.
    fn room_for(&mut self, height: f32) -> Result<bool, DocumentError> {
        if self.y + height <= BODY_BOTTOM {
            return Ok(false);
        }
        self.pages.push(std::mem::replace(&mut self.page.content, Content::new()));
        if self.pages.len() >= MAX_REPORT_PAGES {
            return Err(DocumentError::TooLong);
        }
        self.y = MARGIN + 12.0;
        Ok(true)
    }

    fn paragraph(
        &mut self,
        weight: Weight,
        size: f32,
        leading: f32,
        gray: f32,
        text: &str,
    ) -> Result<(), DocumentError> {
        for line in self.page.wrap(weight, size, text, CONTENT_WIDTH) {
            self.room_for(leading)?;
            self.gray(gray);
            self.page.text(weight, size, MARGIN, self.y, &line);
            self.y += leading;
        }
        Ok(())
    }

    fn centred(&mut self, weight: Weight, size: f32, leading: f32, text: &str) {
        for line in self.page.wrap(weight, size, text, CONTENT_WIDTH) {
            let x = (PAGE_WIDTH - self.page.width(weight, size, &line)) / 2.0;
            self.page.text(weight, size, x, self.y, &line);
            self.y += leading;
        }
    }

    fn table(&mut self, table: &Table) -> Result<(), DocumentError> {
        const SIZE: f32 = 9.5;
        const LEADING: f32 = 12.5;
        const PAD: f32 = 4.0;
        let total: f32 = table.columns.iter().map(|c| c.width.max(0.1)).sum();
        let widths: Vec<f32> = table.columns.iter().map(|c| c.width.max(0.1) / total * CONTENT_WIDTH).collect();
        let header: Vec<String> = table.columns.iter().map(|c| c.title.clone()).collect();
        // A table without column titles has no header row.
        let has_header = header.iter().any(|title| !title.trim().is_empty());
        // The header never sits alone at the foot of a page: room for it and a row first.
        self.room_for(2.0 * (2.0 * LEADING + 2.0 * PAD))?;
        if has_header {
            self.table_row(&header, &widths, table, Weight::Bold, SIZE, LEADING, PAD, true)?;
        } else {
            self.gray(0.6);
            let top = self.y - LEADING + 2.0;
            self.rule(top, 0.5, MARGIN, MARGIN + CONTENT_WIDTH);
        }
        for (i, row) in table.rows.iter().enumerate() {
            let weight = if table.bold_rows.contains(&i) { Weight::Bold } else { Weight::Regular };
            if self.table_row(row, &widths, table, weight, SIZE, LEADING, PAD, false)? {
                // A new page: the header again, then this row.
                if has_header {
                    self.table_row(&header, &widths, table, Weight::Bold, SIZE, LEADING, PAD, true)?;
                }
                self.table_row(row, &widths, table, weight, SIZE, LEADING, PAD, false)?;
            }
        }
        Ok(())
    }

    /// One row; returns true (and draws nothing) when it needed a new page first.
    #[allow(clippy::too_many_arguments)]
    fn table_row(
        &mut self,
        cells: &[String],
        widths: &[f32],
        table: &Table,
        weight: Weight,
        size: f32,
        leading: f32,
        pad: f32,
        header: bool,
    ) -> Result<bool, DocumentError> {
        let wrapped: Vec<Vec<String>> = widths
            .iter()
            .enumerate()
            .map(|(i, width)| {
                let text = cells.get(i).map(String::as_str).unwrap_or("");
                self.page.wrap(weight, size, text, width - 2.0 * pad)
            })
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = lines as f32 * leading + 2.0 * pad;
        if self.room_for(height)? && !header {
            return Ok(true);
        }
        let top = self.y - leading + 2.0;
        if header {
            self.page.content.set_fill_gray(0.92);
            self.page.content.rect(MARGIN, PAGE_HEIGHT - top - height, CONTENT_WIDTH, height).fill_nonzero();
        }
        self.gray(0.0);
        let mut x = MARGIN;
        for (i, column_lines) in wrapped.iter().enumerate() {
            let align = table.columns.get(i).map(|c| c.align).unwrap_or(Align::Left);
            let width = widths[i];
            let mut baseline = self.y + pad;
            for line in column_lines {
                let text_width = self.page.width(weight, size, line);
                let tx = match align {
                    Align::Left => x + pad,
                    Align::Right => x + width - pad - text_width,
                    Align::Centre => x + (width - text_width) / 2.0,
                };
                self.page.text(weight, size, tx, baseline, line);
                baseline += leading;
            }
            x += width;
        }
        self.gray(0.6);
        self.rule(top + height, 0.5, MARGIN, MARGIN + CONTENT_WIDTH);
        if header {
            self.rule(top, 0.5, MARGIN, MARGIN + CONTENT_WIDTH);
        }
        self.y += height;
        Ok(false)
    }
}

/// Printable text: control characters become spaces, runs of spaces one.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Typesets the report as an A4 PDF. Deterministic: the same report gives the same bytes.
pub fn render_report(report: &Report) -> Result<Vec<u8>, DocumentError> {
    let mut t = Typesetter { pages: Vec::new(), page: Page::new()?, y: 0.0 };

    // Letterhead.
    t.rgb(ACCENT);
    t.y = MARGIN + t.page.regular.ascender(14.0);
    t.centred(Weight::Bold, 14.0, 18.0, &clean(&report.government).to_uppercase());
    t.centred(Weight::Bold, 12.0, 15.0, &clean(&report.agency).to_uppercase());
    t.y -= 4.0;
    let y = t.y;
    t.rule(y, 2.0, MARGIN, PAGE_WIDTH - MARGIN);
    t.rule(y + 3.5, 0.6, MARGIN, PAGE_WIDTH - MARGIN);
    t.y += 34.0;
    t.centred(Weight::Bold, 16.0, 20.0, &clean(&report.title).to_uppercase());
    t.gray(0.0);
    for line in &report.subtitle {
        t.centred(Weight::Regular, 11.0, 15.0, &clean(line));
    }
    t.y += 14.0;

    for block in &report.blocks {
        match block {
            Block::Heading(text) => {
                // A heading never sits alone at the foot of a page.
                t.room_for(60.0)?;
                t.y += 8.0;
                t.rgb(ACCENT);
                let text = clean(text);
                for line in t.page.wrap(Weight::Bold, 12.0, &text, CONTENT_WIDTH) {
                    t.page.text(Weight::Bold, 12.0, MARGIN, t.y, &line);
                    t.y += 16.0;
                }
                t.y += 4.0;
            }
            Block::Paragraph(text) => {
                t.paragraph(Weight::Regular, 10.5, 14.5, 0.0, &clean(text))?;
                t.y += 4.0;
            }
            Block::Note(text) => {
                t.paragraph(Weight::Regular, 8.5, 11.5, MUTED, &clean(text))?;
                t.y += 3.0;
            }
            Block::Table(table) => {
                let cleaned = Table {
                    columns: table
                        .columns
                        .iter()
                        .map(|c| Column { title: clean(&c.title), width: c.width, align: c.align })
                        .collect(),
                    rows: table.rows.iter().map(|row| row.iter().map(|cell| clean(cell)).collect()).collect(),
                    bold_rows: table.bold_rows.clone(),
                };
                t.y += 12.0;
                t.table(&cleaned)?;
                t.y += 8.0;
            }
            Block::Space(points) => t.y += points.clamp(0.0, 200.0),
        }
    }
    t.pages.push(std::mem::replace(&mut t.page.content, Content::new()));

    // Footers, now that the number of pages is known.
    let count = t.pages.len();
    let footer = clean(&report.footer);
    let mut pages = std::mem::take(&mut t.pages);
    for (i, page) in pages.iter_mut().enumerate() {
        std::mem::swap(&mut t.page.content, page);
        t.gray(0.6);
        t.rule(FOOTER_LINE, 0.5, MARGIN, PAGE_WIDTH - MARGIN);
        t.gray(MUTED);
        let number = format!("{} {} {} {count}", report.page_words.0, i + 1, report.page_words.1);
        let number_width = t.page.width(Weight::Regular, 8.0, &number);
        t.page.text(Weight::Regular, 8.0, PAGE_WIDTH - MARGIN - number_width, FOOTER_LINE + 13.0, &number);
        let room = CONTENT_WIDTH - number_width - 16.0;
        if let Some(line) = t.page.wrap(Weight::Regular, 8.0, &footer, room).first() {
            t.page.text(Weight::Regular, 8.0, MARGIN, FOOTER_LINE + 13.0, line);
        }
        std::mem::swap(&mut t.page.content, page);
    }

    write_pdf(pages, &t.page.regular, &t.page.bold, &clean(&report.title), &report.lang)
}

fn write_pdf(
    pages: Vec<Content>,
    regular: &Font,
    bold: &Font,
    title: &str,
    lang: &str,
) -> Result<Vec<u8>, DocumentError> {
    let catalog_ref = Ref::new(1);
    let pages_ref = Ref::new(2);
    let info_ref = Ref::new(3);
    let regular_ref = Ref::new(4);
    let bold_ref = Ref::new(4 + Font::OBJECTS);
    let first_page = 4 + 2 * Font::OBJECTS;
    let count = i32::try_from(pages.len()).map_err(|_| DocumentError::TooLong)?;
    let page_refs: Vec<Ref> = (0..count).map(|i| Ref::new(first_page + 2 * i)).collect();

    let mut pdf = Pdf::new();
    {
        let mut catalog = pdf.catalog(catalog_ref);
        catalog.pages(pages_ref).lang(TextStr(lang));
        catalog.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(pages_ref).kids(page_refs.iter().copied()).count(count);
    let mut hasher = Sha256::new();
    for (content, page_ref) in pages.into_iter().zip(&page_refs) {
        let content_ref = Ref::new(page_ref.get() + 1);
        let mut page = pdf.page(*page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(pages_ref).contents(content_ref);
        page.resources().fonts().pair(REGULAR, regular_ref).pair(BOLD, bold_ref);
        page.finish();
        let content = content.finish();
        hasher.update(&*content);
        pdf.stream(content_ref, &deflate(&content)).filter(Filter::FlateDecode);
    }
    pdf.document_info(info_ref).title(TextStr(title)).producer(TextStr("Balai"));
    regular.write(&mut pdf, regular_ref)?;
    bold.write(&mut pdf, bold_ref)?;
    let id = hasher.finalize()[..16].to_vec();
    pdf.set_file_id((id.clone(), id));
    Ok(pdf.finish())
}
