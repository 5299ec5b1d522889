//! Writes a sample output document, to look at the layout:
//! `cargo run -p balai-documents --example sample -- sample.pdf`

use balai_documents::{IssuedDocument, render_pdf};
use chrono::NaiveDate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sample.pdf".to_owned());
    let doc = IssuedDocument {
        government: "Pemerintah Kabupaten Sumba Timur",
        agency: "Dinas Kependudukan dan Pencatatan Sipil",
        product: "Kartu Keluarga",
        service: "Penerbitan Kartu Keluarga Baru",
        citizen_name: "Ni Made Ayu Pradnyaswari",
        document_number: "5311-KK-20261205-000417",
        issued_on: NaiveDate::from_ymd_opt(2026, 12, 5).ok_or("date")?,
        zone_label: "WITA",
        verify_url: "https://layanan.sumbatimurkab.go.id/verifikasi/7f3c2a9e-51d4-4c1b-9a6e-2b8d0c4e6f11",
        tracking_number: "K7XW-9QPM-3D",
    };
    std::fs::write(&path, render_pdf(&doc)?)?;
    println!("{path}");
    Ok(())
}
