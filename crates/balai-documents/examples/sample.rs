//! Writes a sample output document, to look at the layout:
//! `cargo run -p balai-documents --example sample -- sample.pdf [long]` (`long`: long names, to
//! see the wrapping)

use balai_documents::{IssuedDocument, render_pdf};
use chrono::NaiveDate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "sample.pdf".to_owned());
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
    let long = std::env::args().nth(2).is_some();
    let doc = if long {
        IssuedDocument {
            government: "Pemerintah Daerah Kabupaten Kepulauan Siau Tagulandang Biaro",
            agency: "Dinas Penanaman Modal, Pelayanan Terpadu Satu Pintu, Tenaga Kerja dan Transmigrasi Daerah",
            citizen_name: "Raden Ajeng Kartika Dewi Sekar Ayu Maharani Puspitasari Wulandari Kusumawardhani Sasmitaningrum Prameswari",
            ..doc
        }
    } else {
        doc
    };
    std::fs::write(&path, render_pdf(&doc)?)?;
    println!("{path}");
    Ok(())
}
