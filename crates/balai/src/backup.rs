//! `balai backup DIR`: a consistent copy of a SQLite deployment, taken while it serves.
//!
//! The database is copied by SQLite itself (`VACUUM INTO`, one read transaction: the copy is the
//! database as one moment saw it, whatever servers write meanwhile), never by copying the file and its
//! write-ahead log. The data directory follows — uploaded files, issued documents, the keys — copied
//! after the snapshot: a file is written before the row that refers to it commits and is never deleted,
//! so every file the snapshot refers to is already there; files written later are copied too and are
//! simply not referred to. Keys and the file store configured outside the data directory are copied to
//! their default places in the backup, so the backup is a data directory: `balai serve --data-dir DIR`
//! runs on it as it is.
//!
//! The backup is built in a sibling directory and renamed into place when complete, so a directory
//! named DIR is always a whole backup. `manifest.json` records the moment, the database's size and
//! SHA-256, the audit log's size and root in the snapshot, and every copied file with its size and
//! SHA-256.

use crate::RunError;
use crate::config::Config;
use balai_store::{Db, audit, dynamic_query, query};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The database file's name in the backup (the default in a data directory).
const DATABASE: &str = "balai.db";
const MANIFEST: &str = "manifest.json";

#[derive(Serialize)]
struct Manifest {
    format: &'static str,
    version: u32,
    balai_version: &'static str,
    taken_at: chrono::DateTime<chrono::Utc>,
    database: DatabaseEntry,
    audit: AuditEntry,
    files: Totals,
    /// Files the snapshot refers to that the file store no longer had.
    missing_files: Vec<String>,
    entries: Vec<FileEntry>,
}

#[derive(Serialize)]
struct DatabaseEntry {
    engine: &'static str,
    file: &'static str,
    bytes: u64,
    sha256: String,
    /// The latest migration applied.
    schema_version: i64,
}

#[derive(Serialize)]
struct AuditEntry {
    size: u64,
    /// Base64, as `balai audit verify` prints it.
    root: String,
    /// Whether `--verify` recomputed the whole log in the snapshot.
    verified: bool,
}

#[derive(Serialize, Default)]
struct Totals {
    count: u64,
    bytes: u64,
}

#[derive(Serialize)]
struct FileEntry {
    path: String,
    bytes: u64,
    sha256: String,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> RunError {
    RunError::Io(format!("{what} {}: {e}", path.display()))
}

/// `balai backup DIR`.
pub async fn run(config: &Config, dir: &Path, verify: bool) -> Result<(), RunError> {
    let Some(db_file) = config.sqlite_file() else {
        return Err(RunError::Io(
            "balai backup copies a SQLite deployment, and this one is on PostgreSQL: back its database up with \
             pg_dump (or pg_basebackup for the whole cluster), or move it with `balai export`, and copy the data \
             directory's keys/ and files/ with it"
                .into(),
        ));
    };
    if !db_file.is_file() {
        return Err(RunError::Io(format!("there is no database at {}", db_file.display())));
    }
    if dir.exists() {
        return Err(RunError::Io(format!(
            "{} already exists: a backup goes into a new directory, never over another",
            dir.display()
        )));
    }
    let name = dir.file_name().ok_or_else(|| RunError::Io(format!("{} names no directory", dir.display())))?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    crate::files::create_private_dir(&parent)?;
    let parent = parent.canonicalize().map_err(|e| io("cannot open", &parent, e))?;
    let data_dir =
        config.data_dir.canonicalize().map_err(|e| io("cannot open the data directory", &config.data_dir, e))?;
    if parent.starts_with(&data_dir) {
        return Err(RunError::Io(format!(
            "{} is inside the data directory {}: put the backup elsewhere",
            dir.display(),
            data_dir.display()
        )));
    }
    let target = parent.join(name);
    let mut staging_name = name.to_os_string();
    staging_name.push(format!(".partial-{}", std::process::id()));
    let staging = parent.join(staging_name);
    crate::files::create_private_dir(&staging)?;
    let result = take(config, &db_file, &data_dir, &staging, verify).await;
    let manifest = match result {
        Ok(manifest) => manifest,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    std::fs::rename(&staging, &target).map_err(|e| io("cannot move the finished backup to", &target, e))?;
    sync_dir(&parent);
    println!("ok: backup in {}", target.display());
    println!(
        "  database: {DATABASE}, {} bytes, schema {}; audit log {} leaves, root {}{}",
        manifest.database.bytes,
        manifest.database.schema_version,
        manifest.audit.size,
        manifest.audit.root,
        if manifest.audit.verified { " (verified)" } else { "" }
    );
    println!("  files: {} ({} bytes), keys included; manifest: {MANIFEST}", manifest.files.count, manifest.files.bytes);
    if !manifest.missing_files.is_empty() {
        println!(
            "  note: {} file(s) the database refers to were not in the file store when it was copied (listed in \
             {MANIFEST} under missing_files)",
            manifest.missing_files.len()
        );
    }
    println!(
        "  Restore: with Balai stopped, serve with --data-dir {} (or put its contents in the data directory).\n  \
         It holds the keys that open the personal data: keep it as private as the data directory.",
        target.display()
    );
    Ok(())
}

async fn take(
    config: &Config,
    db_file: &Path,
    data_dir: &Path,
    staging: &Path,
    verify: bool,
) -> Result<Manifest, RunError> {
    let taken_at = chrono::Utc::now();
    let snapshot = staging.join(DATABASE);
    let snapshot_text =
        snapshot.to_str().ok_or_else(|| RunError::Io(format!("{} is not a UTF-8 path", snapshot.display())))?;
    let source = Db::connect(&config.database_url()).await?;
    let copied = source.execute(query("VACUUM INTO $1").bind(snapshot_text)).await;
    source.close().await;
    copied?;

    // What the snapshot holds: its schema, its audit head, the files it refers to.
    let snap = Db::connect(&format!("sqlite://{snapshot_text}")).await?;
    let read = async {
        let (schema_version,): (Option<i64>,) =
            snap.fetch_one(query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")).await?;
        let (size, root) = audit::head(&snap).await?;
        let verified = if verify {
            match audit::verify(&snap, &[]).await? {
                Ok(_) => true,
                Err(finding) => return Err(RunError::Verify(format!("the snapshot's audit log: {finding}"))),
            }
        } else {
            false
        };
        let mut keys = Vec::new();
        for table in tables_with_object_keys(&snap).await? {
            let rows: Vec<(String,)> =
                snap.fetch_all(dynamic_query(format!("SELECT object_key FROM \"{table}\""))).await?;
            keys.extend(rows.into_iter().map(|(k,)| k));
        }
        Ok::<_, RunError>((schema_version.unwrap_or(0), size, root, verified, keys))
    }
    .await;
    snap.close().await;
    let (schema_version, size, root, verified, object_keys) = read?;

    // The data directory, less the live database, then what lives outside it.
    let mut entries = Vec::new();
    let db_dir = db_file.parent().and_then(|p| p.canonicalize().ok()).unwrap_or_default();
    let skip: Vec<PathBuf> = ["", "-wal", "-shm", "-journal"]
        .iter()
        .filter_map(|suffix| {
            let mut name = db_file.file_name()?.to_owned();
            name.push(suffix);
            Some(db_dir.join(name))
        })
        .collect();
    copy_tree(data_dir, staging, Path::new(""), &skip, &mut entries)?;
    let files_dir = config.files_path();
    if let Ok(files) = files_dir.canonicalize()
        && !files.starts_with(data_dir)
    {
        copy_tree(&files, &staging.join("files"), Path::new("files"), &skip, &mut entries)?;
    }
    for (path, default) in [
        (config.audit_key_path(), "audit-ed25519.key"),
        (config.personal_data_key_path(), "personal-data.key"),
        (config.document_key_path(), "documents.key"),
    ] {
        if let Ok(path) = path.canonicalize()
            && !path.starts_with(data_dir)
        {
            crate::files::create_private_dir(&staging.join("keys"))?;
            let relative = Path::new("keys").join(default);
            if let Some(entry) = copy_file(&path, &staging.join(&relative), &relative)? {
                entries.push(entry);
            }
        }
    }
    let missing_files: Vec<String> =
        object_keys.into_iter().filter(|key| !staging.join("files").join(key).is_file()).collect();

    let (bytes, sha256) = hash_file(&snapshot)?;
    std::fs::File::open(&snapshot).and_then(|f| f.sync_all()).map_err(|e| io("cannot sync", &snapshot, e))?;
    let files = Totals { count: entries.len() as u64, bytes: entries.iter().map(|e| e.bytes).sum() };
    let manifest = Manifest {
        format: "balai-backup",
        version: 1,
        balai_version: env!("CARGO_PKG_VERSION"),
        taken_at,
        database: DatabaseEntry { engine: "sqlite", file: DATABASE, bytes, sha256, schema_version },
        audit: AuditEntry { size, root: base64::engine::general_purpose::STANDARD.encode(root), verified },
        files,
        missing_files,
        entries,
    };
    let path = staging.join(MANIFEST);
    let mut text = serde_json::to_vec_pretty(&manifest).map_err(|e| RunError::Io(e.to_string()))?;
    text.push(b'\n');
    let mut file = std::fs::File::create(&path).map_err(|e| io("cannot write", &path, e))?;
    file.write_all(&text).and_then(|_| file.sync_all()).map_err(|e| io("cannot write", &path, e))?;
    sync_dir(staging);
    Ok(manifest)
}

/// The tables with an `object_key` column: rows that refer to a file in the file store.
async fn tables_with_object_keys(db: &Db) -> Result<Vec<String>, RunError> {
    let rows = db
        .fetch_text_rows(query(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND p.name = 'object_key'",
        ))
        .await?;
    Ok(rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect())
}

/// Copies the regular files under `from` into `to` (private), recording each under `relative`.
fn copy_tree(
    from: &Path,
    to: &Path,
    relative: &Path,
    skip: &[PathBuf],
    entries: &mut Vec<FileEntry>,
) -> Result<(), RunError> {
    crate::files::create_private_dir(to)?;
    let mut children: Vec<_> = std::fs::read_dir(from)
        .map_err(|e| io("cannot read", from, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    children.sort();
    for path in children {
        let Some(name) = path.file_name() else { continue };
        if skip.contains(&path) {
            continue;
        }
        // Followed when a link points at a file; a linked directory is not followed.
        let Ok(metadata) = std::fs::metadata(&path) else { continue };
        let link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if metadata.is_dir() && !link {
            copy_tree(&path, &to.join(name), &relative.join(name), skip, entries)?;
            sync_dir(&to.join(name));
        } else if metadata.is_file()
            && let Some(entry) = copy_file(&path, &to.join(name), &relative.join(name))?
        {
            entries.push(entry);
        }
    }
    Ok(())
}

/// Copies one file, hashing it on the way and syncing the copy; `None` when it vanished meanwhile
/// (a temporary file finishing its life).
fn copy_file(from: &Path, to: &Path, relative: &Path) -> Result<Option<FileEntry>, RunError> {
    let mut input = match std::fs::File::open(from) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("cannot read", from, e)),
    };
    let mut output =
        std::fs::OpenOptions::new().write(true).create_new(true).open(to).map_err(|e| io("cannot create", to, e))?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf).map_err(|e| io("cannot read", from, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n]).map_err(|e| io("cannot write", to, e))?;
        bytes += n as u64;
    }
    output.sync_all().map_err(|e| io("cannot sync", to, e))?;
    Ok(Some(FileEntry { path: relative.display().to_string(), bytes, sha256: hex(&hasher.finalize()) }))
}

fn hash_file(path: &Path) -> Result<(u64, String), RunError> {
    let mut file = std::fs::File::open(path).map_err(|e| io("cannot read", path, e))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| io("cannot read", path, e))?;
    Ok((bytes, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes a directory's entries durable (best effort: not every platform syncs directories).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
