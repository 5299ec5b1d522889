//! The payment receipt (bukti pembayaran retribusi): one A4 page in the issued document's letterhead,
//! fonts and QR code, sealed the same way, so the same verification page vouches for it.

use crate::page::{
    CONTENT_WIDTH, FOOTER_TOP, MARGIN, MUTED, PAGE_HEIGHT, PAGE_WIDTH, Page, QR_SIZE, Weight, clean, write_pdf,
};
use crate::{DocumentError, qr};

/// The receipt's title, as printed and as the verification page names it.
pub const RECEIPT_TITLE: &str = "Bukti Pembayaran Retribusi";

/// What a payment receipt says. Every field is printed as given; it names no person.
#[derive(Debug, Clone, Copy)]
pub struct PaymentReceipt<'a> {
    /// "Pemerintah Kota …".
    pub government: &'a str,
    /// The agency whose service the retribusi is for.
    pub agency: &'a str,
    /// The receipt's own number.
    pub receipt_number: &'a str,
    /// The invoice's bill number (on the QR and the virtual account).
    pub bill_number: &'a str,
    /// The service the fee is for.
    pub service: &'a str,
    /// The amount in figures, e.g. "Rp150.000".
    pub amount: &'a str,
    /// How it was paid, e.g. "QRIS".
    pub channel: &'a str,
    /// Who received the money (the QRIS merchant: the regional treasury).
    pub merchant: &'a str,
    /// When it was paid, in the government's time zone, e.g. "5 Desember 2026 14.03 WITA".
    pub paid_at: &'a str,
    /// The date the receipt is issued, e.g. "5 Desember 2026".
    pub issued_on: &'a str,
    /// The case's tracking number.
    pub tracking_number: &'a str,
    /// Where the receipt is verified: `{base_url}/verifikasi/{id}`; the QR code points there.
    pub verify_url: &'a str,
}

/// Renders the receipt as a one-page A4 PDF. The output depends only on the input.
pub fn render_receipt(receipt: &PaymentReceipt) -> Result<Vec<u8>, DocumentError> {
    let government = clean(receipt.government);
    let agency = clean(receipt.agency);
    let number = clean(receipt.receipt_number);
    let url = receipt.verify_url.trim();
    let matrix = qr::Matrix::new(url)?;
    let mut page = Page::new()?;

    let mut y = page.letterhead(&government, &agency, RECEIPT_TITLE, &number);

    // The amount, large: what a reader looks for first.
    y += 34.0;
    let amount = clean(receipt.amount);
    y = page.centred(Weight::Bold, 26.0, 30.0, y, &amount);
    page.fill_gray(MUTED);
    y = page.centred(Weight::Regular, 11.0, 15.0, y, "LUNAS");

    // Particulars.
    y += 22.0;
    let label_width = 128.0;
    let value_x = MARGIN + label_width + 12.0;
    let rows: [(&str, String, Weight); 8] = [
        ("Nomor tagihan", clean(receipt.bill_number), Weight::Bold),
        ("Layanan", clean(receipt.service), Weight::Regular),
        ("Jumlah", amount.clone(), Weight::Bold),
        ("Cara bayar", clean(receipt.channel), Weight::Regular),
        ("Diterima oleh", clean(receipt.merchant), Weight::Regular),
        ("Waktu bayar", clean(receipt.paid_at), Weight::Regular),
        ("Nomor pelacakan", clean(receipt.tracking_number), Weight::Regular),
        ("Tanggal terbit", clean(receipt.issued_on), Weight::Regular),
    ];
    for (label, value, weight) in rows {
        page.fill_gray(MUTED);
        page.text(Weight::Regular, 11.0, MARGIN, y, label);
        page.text(Weight::Regular, 11.0, MARGIN + label_width, y, ":");
        page.fill_gray(0.0);
        let next = page.paragraph(weight, 11.0, 16.0, value_x, y, PAGE_WIDTH - MARGIN - value_x, &value);
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
        "Bukti ini diterbitkan secara elektronik setelah pembayaran diterima dan disegel dengan tanda \
         tangan digital pemerintah daerah. Siapa saja dapat memeriksa keaslian dan keutuhannya dengan \
         memindai kode QR di bawah ini atau membuka alamat verifikasi yang tertera.",
    );

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
    iy = page.paragraph(
        Weight::Regular,
        10.5,
        15.0,
        issuer_x,
        iy,
        issuer_width,
        &format!("Diterbitkan pada {}", clean(receipt.issued_on)),
    );
    iy += 6.0;
    iy = page.paragraph(Weight::Bold, 10.5, 15.0, issuer_x, iy, issuer_width, &agency);
    iy = page.paragraph(Weight::Regular, 10.5, 15.0, issuer_x, iy, issuer_width, &government);
    iy += 10.0;
    page.fill_gray(MUTED);
    iy = page.paragraph(Weight::Regular, 9.0, 12.0, issuer_x, iy, issuer_width, "Ditandatangani secara elektronik");

    if qy.max(iy) > FOOTER_TOP - 12.0 {
        return Err(DocumentError::TooLong);
    }

    page.fill_gray(0.6);
    page.rule(FOOTER_TOP, 0.5, MARGIN, PAGE_WIDTH - MARGIN);
    page.fill_gray(MUTED);
    let footer = format!("{RECEIPT_TITLE} · Nomor {number}");
    let mut fy = FOOTER_TOP + 14.0;
    for line in page.wrap(Weight::Regular, 8.0, &footer, CONTENT_WIDTH) {
        let x = (PAGE_WIDTH - page.width(Weight::Regular, 8.0, &line)) / 2.0;
        page.text(Weight::Regular, 8.0, x, fy, &line);
        fy += 10.0;
    }

    write_pdf(page, RECEIPT_TITLE, &number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt<'a>(service: &'a str, url: &'a str) -> PaymentReceipt<'a> {
        PaymentReceipt {
            government: "Pemerintah Kota Kupang",
            agency: "Dinas Perhubungan",
            receipt_number: "BPR/537100000012/2026",
            bill_number: "537100000012",
            service,
            amount: "Rp150.000",
            channel: "QRIS",
            merchant: "BPKAD KOTA KUPANG",
            paid_at: "5 Desember 2026 14.03 WITA",
            issued_on: "5 Desember 2026",
            tracking_number: "K7QX-4M9P-2",
            verify_url: url,
        }
    }

    #[test]
    fn a_receipt_is_one_deterministic_page_whose_seal_checks() {
        let r = receipt("Uji Berkala Kendaraan Bermotor", "http://127.0.0.1:8080/verifikasi/abc123");
        let pdf = render_receipt(&r).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, render_receipt(&r).unwrap(), "the same receipt renders to the same bytes");
        assert_ne!(pdf, render_receipt(&PaymentReceipt { amount: "Rp150.001", ..r }).unwrap());
        let key = crate::DocumentKeys::from_master([7; 32]).signing_key("53.71");
        let seal = crate::seal(&pdf, &key);
        assert_eq!(
            crate::check(&pdf, &seal.sha256_hex, &seal.signature_b64, &key.verifying_key()),
            crate::Verdict::Genuine
        );
    }

    #[test]
    fn a_service_name_too_long_for_the_page_is_refused_not_cut() {
        let long = "Layanan dengan nama yang sangat panjang sekali ".repeat(60);
        let r = receipt(&long, "http://127.0.0.1:8080/verifikasi/abc123");
        assert!(matches!(render_receipt(&r), Err(DocumentError::TooLong)));
    }
}
