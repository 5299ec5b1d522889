//! The layout of the one A4 page: letterhead (kop surat), title and number, the particulars,
//! a note on how to verify, the QR code with the issuer block, and a footer.

use crate::font::Font;
use crate::{DocumentError, IssuedDocument, deflate, indonesian_date, qr};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN: f32 = 64.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// About 43 mm: large enough for a phone to read from arm's length, and on a 150 dpi scan.
pub(crate) const QR_SIZE: f32 = 122.0;
/// Lowest the particulars may push the QR block before the page is declared full.
pub(crate) const FOOTER_TOP: f32 = PAGE_HEIGHT - 64.0;

/// Navy, for the letterhead rules and title: reads as official and prints well in grey.
pub(crate) const ACCENT: (f32, f32, f32) = (0.08, 0.20, 0.40);
pub(crate) const MUTED: f32 = 0.33;

/// The resource names of the two embedded fonts, shared with the report layout.
pub(crate) const REGULAR: Name<'static> = Name(b"F1");
pub(crate) const BOLD: Name<'static> = Name(b"F2");

#[derive(Clone, Copy)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One page's content stream with the two fonts it is set in: the text primitives the issued
/// document and the report layout share.
pub(crate) struct Page {
    pub(crate) content: Content,
    pub(crate) regular: Font,
    pub(crate) bold: Font,
}

impl Page {
    /// An empty page with the embedded DejaVu Sans, regular and bold.
    pub(crate) fn new() -> Result<Page, DocumentError> {
        Ok(Page {
            content: Content::new(),
            regular: Font::new("DejaVuSans", dejavu::sans::regular())?,
            bold: Font::new("DejaVuSans-Bold", dejavu::sans::bold())?,
        })
    }

    fn font(&self, weight: Weight) -> &Font {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    pub(crate) fn width(&self, weight: Weight, size: f32, text: &str) -> f32 {
        self.font(weight).width(text, size)
    }

    /// Text with its baseline `baseline` points below the top of the page.
    pub(crate) fn text(&mut self, weight: Weight, size: f32, x: f32, baseline: f32, text: &str) {
        let (font, name) = match weight {
            Weight::Regular => (&mut self.regular, REGULAR),
            Weight::Bold => (&mut self.bold, BOLD),
        };
        let encoded = font.encode(text);
        self.content
            .begin_text()
            .set_font(name, size)
            .set_text_matrix([1.0, 0.0, 0.0, 1.0, x, PAGE_HEIGHT - baseline])
            .show(Str(&encoded))
            .end_text();
    }

    /// Greedy line breaking at spaces; a word wider than the line (a URL) breaks anywhere.
    pub(crate) fn wrap(&self, weight: Weight, size: f32, text: &str, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
            if self.width(weight, size, &candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(weight, size, &line) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A wrapped paragraph from `x`; returns the baseline below its last line.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn paragraph(
        &mut self,
        weight: Weight,
        size: f32,
        leading: f32,
        x: f32,
        mut baseline: f32,
        max_width: f32,
        text: &str,
    ) -> f32 {
        for line in self.wrap(weight, size, text, max_width) {
            self.text(weight, size, x, baseline, &line);
            baseline += leading;
        }
        baseline
    }

    /// Wrapped lines, each centred on the page; returns the baseline below the last line.
    /// The letterhead every document of a government opens with (government and agency over a
    /// double rule), then its title and number; the baseline below them.
    pub(crate) fn letterhead(&mut self, government: &str, agency: &str, title: &str, number: &str) -> f32 {
        self.fill_rgb(ACCENT);
        let mut y = MARGIN + self.regular.ascender(15.0);
        y = self.centred(Weight::Bold, 15.0, 19.0, y, &government.to_uppercase());
        y = self.centred(Weight::Bold, 12.5, 16.0, y, &agency.to_uppercase());
        y -= 4.0;
        self.rule(y, 2.0, MARGIN, PAGE_WIDTH - MARGIN);
        self.rule(y + 3.5, 0.6, MARGIN, PAGE_WIDTH - MARGIN);
        y += 52.0;
        y = self.centred(Weight::Bold, 20.0, 25.0, y, &title.to_uppercase());
        self.fill_gray(0.0);
        self.centred(Weight::Regular, 11.5, 15.0, y + 2.0, &format!("Nomor: {number}"))
    }

    pub(crate) fn centred(&mut self, weight: Weight, size: f32, leading: f32, mut baseline: f32, text: &str) -> f32 {
        for line in self.wrap(weight, size, text, CONTENT_WIDTH) {
            let x = (PAGE_WIDTH - self.width(weight, size, &line)) / 2.0;
            self.text(weight, size, x, baseline, &line);
            baseline += leading;
        }
        baseline
    }

    pub(crate) fn rule(&mut self, top: f32, thickness: f32, x0: f32, x1: f32) {
        let y = PAGE_HEIGHT - top;
        self.content.set_line_width(thickness).move_to(x0, y).line_to(x1, y).stroke();
    }

    pub(crate) fn fill_rgb(&mut self, (r, g, b): (f32, f32, f32)) {
        self.content.set_fill_rgb(r, g, b).set_stroke_rgb(r, g, b);
    }

    pub(crate) fn fill_gray(&mut self, gray: f32) {
        self.content.set_fill_gray(gray).set_stroke_gray(gray);
    }

    /// The QR code, its dark modules starting at `x` (aligned with the text) and its quiet zone
    /// (included in `QR_SIZE`) starting at `top`.
    pub(crate) fn qr(&mut self, matrix: &qr::Matrix, x: f32, top: f32) {
        let modules = (matrix.width + 2 * qr::QUIET_ZONE) as f32;
        let m = QR_SIZE / modules;
        let x = x - qr::QUIET_ZONE as f32 * m;
        let origin_x = x + qr::QUIET_ZONE as f32 * m;
        let origin_top = top + qr::QUIET_ZONE as f32 * m;
        self.content.set_fill_gray(1.0);
        self.content.rect(x, PAGE_HEIGHT - top - QR_SIZE, QR_SIZE, QR_SIZE).fill_nonzero();
        self.content.set_fill_gray(0.0);
        for (row, column, len) in matrix.runs() {
            self.content.rect(
                origin_x + column as f32 * m,
                PAGE_HEIGHT - origin_top - (row + 1) as f32 * m,
                len as f32 * m,
                m,
            );
        }
        self.content.fill_nonzero();
    }
}

/// Printable text: control characters (a stray newline in a name) become spaces.
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn render(doc: &IssuedDocument) -> Result<Vec<u8>, DocumentError> {
    let government = clean(doc.government);
    let agency = clean(doc.agency);
    let product = clean(doc.product);
    let service = clean(doc.service);
    let citizen_name = clean(doc.citizen_name);
    let number = clean(doc.document_number);
    let tracking = clean(doc.tracking_number);
    let zone = clean(doc.zone_label);
    let url = doc.verify_url.trim();
    let date = indonesian_date(doc.issued_on);
    let dated = if zone.is_empty() { date.clone() } else { format!("{date} ({zone})") };
    let matrix = qr::Matrix::new(url)?;

    let mut page = Page::new()?;

    let mut y = page.letterhead(&government, &agency, &product, &number);

    // Particulars.
    y += 30.0;
    y = page.paragraph(
        Weight::Regular,
        11.0,
        16.0,
        MARGIN,
        y,
        CONTENT_WIDTH,
        &format!("{agency}, {government}, menerbitkan dokumen ini kepada:"),
    );
    y += 8.0;
    let label_width = 128.0;
    let value_x = MARGIN + label_width + 12.0;
    let rows: [(&str, &str, Weight); 6] = [
        ("Nama", &citizen_name, Weight::Bold),
        ("Dokumen", &product, Weight::Regular),
        ("Nomor dokumen", &number, Weight::Regular),
        ("Layanan", &service, Weight::Regular),
        ("Nomor pelacakan", &tracking, Weight::Regular),
        ("Tanggal terbit", &dated, Weight::Regular),
    ];
    for (label, value, weight) in rows {
        page.fill_gray(MUTED);
        page.text(Weight::Regular, 11.0, MARGIN, y, label);
        page.text(Weight::Regular, 11.0, MARGIN + label_width, y, ":");
        page.fill_gray(0.0);
        let next = page.paragraph(weight, 11.0, 16.0, value_x, y, PAGE_WIDTH - MARGIN - value_x, value);
        y = next + 6.0;
    }

    y += 14.0;
    y = page.paragraph(
        Weight::Regular,
        10.5,
        15.0,
        MARGIN,
        y,
        CONTENT_WIDTH,
        "Dokumen ini diterbitkan secara elektronik dan disegel dengan tanda tangan digital \
         instansi penerbit. Siapa saja dapat memeriksa keaslian dan keutuhannya dengan memindai \
         kode QR di bawah ini atau membuka alamat verifikasi yang tertera.",
    );

    // The QR code (left) and the issuer (right), low on the page unless the particulars need
    // the room.
    let block_top = (y + 24.0).max(PAGE_HEIGHT - 330.0);
    page.qr(&matrix, MARGIN, block_top);
    page.fill_gray(MUTED);
    let caption_width = 190.0;
    let mut qy = block_top + QR_SIZE + 6.0;
    qy = page.paragraph(Weight::Regular, 8.5, 11.0, MARGIN, qy, caption_width, "Pindai untuk memeriksa keaslian:");
    qy = page.paragraph(Weight::Regular, 8.0, 10.5, MARGIN, qy, caption_width, url);

    let issuer_x = PAGE_WIDTH / 2.0 + 30.0;
    let issuer_width = PAGE_WIDTH - MARGIN - issuer_x;
    let mut iy = block_top + 24.0;
    page.fill_gray(0.0);
    iy = page.paragraph(Weight::Regular, 10.5, 15.0, issuer_x, iy, issuer_width, &format!("Diterbitkan pada {date}"));
    iy += 6.0;
    iy = page.paragraph(Weight::Bold, 10.5, 15.0, issuer_x, iy, issuer_width, &agency);
    iy = page.paragraph(Weight::Regular, 10.5, 15.0, issuer_x, iy, issuer_width, &government);
    iy += 10.0;
    page.fill_gray(MUTED);
    iy = page.paragraph(Weight::Regular, 9.0, 12.0, issuer_x, iy, issuer_width, "Ditandatangani secara elektronik");

    if qy.max(iy) > FOOTER_TOP - 12.0 {
        return Err(DocumentError::TooLong);
    }

    // Footer.
    page.fill_gray(0.6);
    page.rule(FOOTER_TOP, 0.5, MARGIN, PAGE_WIDTH - MARGIN);
    page.fill_gray(MUTED);
    // The issuer is in the letterhead; the footer names the document on every printout's edge.
    let footer = format!("{product} · Nomor {number}");
    let mut fy = FOOTER_TOP + 14.0;
    for line in page.wrap(Weight::Regular, 8.0, &footer, CONTENT_WIDTH) {
        let x = (PAGE_WIDTH - page.width(Weight::Regular, 8.0, &line)) / 2.0;
        page.text(Weight::Regular, 8.0, x, fy, &line);
        fy += 10.0;
    }

    write_pdf(page, &product, &number)
}

pub(crate) fn write_pdf(page: Page, product: &str, number: &str) -> Result<Vec<u8>, DocumentError> {
    let catalog_ref = Ref::new(1);
    let pages_ref = Ref::new(2);
    let page_ref = Ref::new(3);
    let content_ref = Ref::new(4);
    let info_ref = Ref::new(5);
    let regular_ref = Ref::new(6);
    let bold_ref = Ref::new(6 + Font::OBJECTS);

    let content = page.content.finish();
    let mut pdf = Pdf::new();
    let title = format!("{product} {number}");
    {
        let mut catalog = pdf.catalog(catalog_ref);
        catalog.pages(pages_ref).lang(TextStr("id"));
        catalog.viewer_preferences().display_doc_title(true);
    }
    pdf.pages(pages_ref).kids([page_ref]).count(1);
    let mut pdf_page = pdf.page(page_ref);
    pdf_page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(pages_ref).contents(content_ref);
    pdf_page.resources().fonts().pair(REGULAR, regular_ref).pair(BOLD, bold_ref);
    pdf_page.finish();

    let compressed = deflate(&content);
    pdf.stream(content_ref, &compressed).filter(Filter::FlateDecode);
    pdf.document_info(info_ref).title(TextStr(&title)).producer(TextStr("Balai"));
    page.regular.write(&mut pdf, regular_ref)?;
    page.bold.write(&mut pdf, bold_ref)?;

    // The file identifier, derived from the content so equal documents stay byte-equal.
    let id = Sha256::digest(&*content)[..16].to_vec();
    pdf.set_file_id((id.clone(), id));
    Ok(pdf.finish())
}
