//! `balai export` and `balai import`: moving a deployment between databases, SQLite to PostgreSQL or
//! back, as JSON Lines (the format and its checks are `balai_store::transfer`'s).

use crate::RunError;
use crate::config::Config;
use balai_store::transfer::{self, TransferError};
use balai_store::{Db, audit, identity};
use base64::Engine;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

fn from_transfer(e: TransferError) -> RunError {
    match e {
        TransferError::Store(e) => RunError::Store(e),
        other => RunError::Io(other.to_string()),
    }
}

const KEYS_NOTE: &str = "Personal data stays sealed as stored, under this deployment's personal-data key: the target \
                         needs the same key files (keys/personal-data.key, keys/audit-ed25519.key, keys/documents.key) \
                         and the files/ directory. Keep the export as private as the data directory.";

/// `balai export FILE|-`: the configured database, from one read snapshot, to FILE (never over an
/// existing file) or standard output. Servers may keep running.
pub async fn export(config: &Config, file: &str) -> Result<(), RunError> {
    if let Some(path) = config.sqlite_file()
        && !path.is_file()
    {
        return Err(RunError::Io(format!("there is no database at {}", path.display())));
    }
    let db = Db::connect(&config.database_url()).await?;
    let result = if file == "-" {
        let stdout = std::io::stdout();
        let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
        transfer::export(&db, &mut out).await
    } else {
        write_file(&db, Path::new(file)).await
    };
    db.close().await;
    let exported = result.map_err(from_transfer)?;
    let header = &exported.header;
    let rows: u64 = header.tables.iter().map(|t| t.rows).sum();
    // The export may be on standard output: everything else goes to standard error.
    eprintln!(
        "ok: exported {rows} rows of {} tables ({} lines) from {}, schema {}; audit log {} leaves, root {}",
        header.tables.len(),
        exported.lines,
        header.engine,
        header.schema_version,
        header.audit.size,
        header.audit.root
    );
    eprintln!("  {KEYS_NOTE}");
    Ok(())
}

async fn write_file(db: &Db, path: &Path) -> Result<transfer::Exported, TransferError> {
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot create {} (an export never replaces a file): {e}", path.display()),
        )
    })?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    match transfer::export(db, &mut out).await {
        Ok(exported) => {
            out.flush()?;
            out.get_ref().sync_all()?;
            Ok(exported)
        }
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(path);
            Err(e)
        }
    }
}

/// `balai import FILE|-`: loads an export into the configured database, which must be empty, in one
/// transaction; then checks the audit log there and whether the key in the data directory opens the
/// sealed data.
pub async fn import(config: &Config, file: &str) -> Result<(), RunError> {
    if config.sqlite_file().is_some() {
        crate::demo::prepare_data_dir(config)?;
    }
    let db = Db::connect(&config.database_url()).await?;
    if let Some(path) = config.sqlite_file() {
        crate::files::restrict_database(&path)?;
    }
    let result = if file == "-" {
        let stdin = std::io::stdin();
        let mut input = BufReader::with_capacity(1 << 20, stdin.lock());
        transfer::import(&db, &mut input).await
    } else {
        match std::fs::File::open(file) {
            Ok(f) => transfer::import(&db, &mut BufReader::with_capacity(1 << 20, f)).await,
            Err(e) => Err(std::io::Error::new(e.kind(), format!("cannot read {file}: {e}")).into()),
        }
    };
    let checked = match result {
        Ok(imported) => report(config, &db, &imported).await,
        Err(e) => Err(from_transfer(e)),
    };
    db.close().await;
    checked
}

async fn report(config: &Config, db: &Db, imported: &transfer::Imported) -> Result<(), RunError> {
    let header = &imported.header;
    println!(
        "ok: imported {} rows of {} tables from a {} export (schema {}, taken {})",
        imported.rows,
        header.tables.len(),
        header.engine,
        header.schema_version,
        header.exported_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if imported.rounded_timestamps > 0 {
        println!(
            "  {} timestamps were kept to the microsecond (PostgreSQL keeps no finer); the {} audited records \
             this changed are recorded again, by system:import ({})",
            imported.rounded_timestamps,
            imported.rerecorded,
            transfer::ROUNDED_ACTION
        );
    }
    // The log as `balai audit verify` checks it (the checkpoints' signatures need the key file: run
    // `balai audit verify` once the keys are in place).
    match audit::verify(db, &[]).await? {
        Ok((verified, _)) => println!(
            "  audit log verified: {} leaves (the export's {} and {} new), root {}",
            verified.size,
            header.audit.size,
            verified.size.saturating_sub(header.audit.size),
            base64::engine::general_purpose::STANDARD.encode(verified.root)
        ),
        Err(finding) => return Err(RunError::Verify(format!("the imported audit log: {finding}"))),
    }
    let key = config.personal_data_key_path();
    match std::fs::read_to_string(&key) {
        Ok(text) => {
            let vault = identity::Vault::from_master_text(&text)
                .map_err(|e| RunError::Key(format!("the personal-data key {} cannot be read: {e}", key.display())))?;
            let unopened = identity::sealed::unopened(db, &vault).await?;
            if unopened.is_empty() {
                println!("  the personal-data key {} opens the sealed data", key.display());
            } else {
                println!(
                    "  warning: the personal-data key {} does not open the sealed data: copy the source's keys/ here",
                    key.display()
                );
            }
        }
        Err(_) => println!(
            "  Copy the source's key files into {} (personal-data.key, audit-ed25519.key, documents.key) and its \
             files/ into {} before serving: the personal data stays sealed under the source's key.",
            key.parent().unwrap_or(Path::new(".")).display(),
            config.files_path().display()
        ),
    }
    Ok(())
}
