//! The audit commands and the checkpoint signing key: `balai audit verify` and `balai audit witness`.

use crate::RunError;
use crate::config::Config;
use balai_ledger::{Checkpoint, NoteSigner, NoteVerifier, open_checkpoint, verify_consistency};
use balai_store::{Db, audit};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Loads the checkpoint signing key, or creates it when the log has never been signed.
/// A missing or unreadable key over a log that already has checkpoints is an error: a new key would
/// make every earlier checkpoint unverifiable, which is exactly what a forger would want.
pub async fn load_or_create_key(config: &Config, db: &Db) -> Result<NoteSigner, RunError> {
    let path = config.audit_key_path();
    let signed = audit::checkpoint_count(db).await?;
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let signer = NoteSigner::from_skey(text.trim())
                .map_err(|e| RunError::Key(format!("the audit signing key {} cannot be read: {e}", path.display())))?;
            if signer.verifier().name() != config.audit_origin {
                return Err(RunError::Key(format!(
                    "the audit signing key {} is for origin {:?}, but audit_origin is {:?}",
                    path.display(),
                    signer.verifier().name(),
                    config.audit_origin
                )));
            }
            if let Some(latest) = audit::latest_checkpoint(db).await? {
                open_checkpoint(&latest.note, &config.audit_origin, &signer.verifier()).map_err(|_| {
                    RunError::Key(format!(
                        "the audit signing key {} did not sign this log's checkpoints; restore the right key",
                        path.display()
                    ))
                })?;
            }
            Ok(signer)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && signed == 0 => create_key(&path, &config.audit_origin),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(RunError::Key(format!(
            "the audit log has {signed} signed checkpoint(s) but the signing key {} is missing; restore it from backup \
             (a new key is never generated over an existing log)",
            path.display()
        ))),
        Err(e) => Err(RunError::Key(format!("the audit signing key {} cannot be read: {e}", path.display()))),
    }
}

fn create_key(path: &Path, origin: &str) -> Result<NoteSigner, RunError> {
    let signer = NoteSigner::generate(origin).map_err(|e| RunError::Key(format!("cannot create an audit key: {e}")))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| RunError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| RunError::Io(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(signer.to_skey().as_bytes())
        .and_then(|_| file.write_all(b"\n"))
        .map_err(|e| RunError::Io(format!("cannot write {}: {e}", path.display())))?;
    tracing::info!(path = %path.display(), "created the audit checkpoint signing key");
    Ok(signer)
}

fn b64(hash: &[u8]) -> String {
    STANDARD.encode(hash)
}

/// `balai audit verify`: recompute everything; print `ok: …` or the first finding and fail.
pub async fn verify(
    config: &Config,
    since_checkpoint: Option<PathBuf>,
    public_key: Option<String>,
) -> Result<(), RunError> {
    let db = Db::connect(&config.database_url()).await?;
    // Verification only reads: it does not migrate a database written by an older Balai behind the
    // operator's back.
    if !db.schema_is_current().await? {
        return Err(RunError::Verify(
            "this database was written by an older Balai; run `balai migrate` first \
             (it converts the audit log to the current layout and checks every old leaf on the way)"
                .into(),
        ));
    }
    let verifier = match public_key {
        Some(vkey) => NoteVerifier::from_vkey(vkey.trim()).map_err(|e| RunError::Key(format!("--public-key: {e}")))?,
        None => {
            let path = config.audit_key_path();
            let text = std::fs::read_to_string(&path).map_err(|e| {
                RunError::Key(format!(
                    "cannot read the audit key {} ({e}); pass --public-key VKEY instead",
                    path.display()
                ))
            })?;
            NoteSigner::from_skey(text.trim())
                .map_err(|e| RunError::Key(format!("{}: {e}", path.display())))?
                .verifier()
        }
    };
    let external: Option<Checkpoint> = match &since_checkpoint {
        None => None,
        Some(file) => {
            let note = std::fs::read_to_string(file)
                .map_err(|e| RunError::Io(format!("cannot read {}: {e}", file.display())))?;
            Some(open_checkpoint(&note, verifier.name(), &verifier).map_err(|e| {
                RunError::Verify(format!(
                    "the checkpoint in {} does not verify with this log's key: {e}",
                    file.display()
                ))
            })?)
        }
    };
    let extra: Vec<u64> = external.iter().map(|c| c.size).collect();
    let (verified, roots) = match audit::verify(&db, &extra).await? {
        Ok(v) => v,
        Err(finding) => return Err(RunError::Verify(finding.to_string())),
    };
    for stored in &verified.checkpoints {
        let opened = open_checkpoint(&stored.note, verifier.name(), &verifier).map_err(|e| {
            RunError::Verify(format!("the stored checkpoint at size {} has a bad signature: {e}", stored.size))
        })?;
        if opened.size != stored.size as u64 || audit::hex(&opened.root) != stored.root {
            return Err(RunError::Verify(format!(
                "the stored checkpoint at size {} says something else than its note",
                stored.size
            )));
        }
    }
    if let Some(c) = &external
        && roots.get(&c.size) != Some(&c.root)
    {
        return Err(RunError::Verify(format!(
            "the log does not contain the checkpoint from {} (size {}): history was rewritten or truncated",
            since_checkpoint.as_deref().unwrap_or(Path::new("?")).display(),
            c.size
        )));
    }
    println!(
        "ok: {} leaves, root {}, {} signed checkpoint(s) verified{}",
        verified.size,
        b64(&verified.root),
        verified.checkpoints.len(),
        external.map(|c| format!(", consistent with the external checkpoint at size {}", c.size)).unwrap_or_default()
    );
    Ok(())
}

#[derive(serde::Serialize, serde::Deserialize)]
struct WitnessState {
    url: String,
    public_key: String,
    checkpoint: String,
}

/// `balai audit witness URL`: fetch a Balai's latest checkpoint and check it extends the one seen before.
pub fn witness(url: &str, state_dir: &Path) -> Result<(), RunError> {
    let base = url.trim_end_matches('/');
    let fetch = |path: &str| -> Result<String, RunError> {
        let mut response = ureq::get(&format!("{base}{path}"))
            .call()
            .map_err(|e| RunError::Verify(format!("cannot fetch {base}{path}: {e}")))?;
        response.body_mut().read_to_string().map_err(|e| RunError::Verify(format!("cannot read {base}{path}: {e}")))
    };
    let vkey = fetch("/api/v1/audit/public-key")?.trim().to_owned();
    let verifier =
        NoteVerifier::from_vkey(&vkey).map_err(|e| RunError::Verify(format!("the published key is not valid: {e}")))?;
    let note = fetch("/api/v1/audit/checkpoint")?;
    let current = open_checkpoint(&note, verifier.name(), &verifier)
        .map_err(|e| RunError::Verify(format!("the published checkpoint does not verify: {e}")))?;

    std::fs::create_dir_all(state_dir)
        .map_err(|e| RunError::Io(format!("cannot create {}: {e}", state_dir.display())))?;
    let file = state_dir.join(format!("{}.json", sanitize(base)));
    let previous: Option<WitnessState> = match std::fs::read_to_string(&file) {
        Ok(text) => {
            Some(serde_json::from_str(&text).map_err(|e| RunError::Io(format!("{} is damaged: {e}", file.display())))?)
        }
        Err(_) => None,
    };
    let message = match &previous {
        None => format!("first contact: trusting key {} and checkpoint at size {}", verifier.name(), current.size),
        Some(prev) => {
            if prev.public_key != vkey {
                return Err(RunError::Verify(format!(
                    "the log's public key changed since the last visit (was {}, now {vkey})",
                    prev.public_key
                )));
            }
            let old = open_checkpoint(&prev.checkpoint, verifier.name(), &verifier)
                .map_err(|e| RunError::Verify(format!("the stored checkpoint no longer verifies: {e}")))?;
            if current.size < old.size {
                return Err(RunError::Verify(format!("the log shrank from {} to {} leaves", old.size, current.size)));
            }
            if current.size == old.size {
                if current.root != old.root {
                    return Err(RunError::Verify(format!("two different roots were signed for size {}", old.size)));
                }
                format!("unchanged at size {}", current.size)
            } else {
                let body = fetch(&format!("/api/v1/audit/proof/consistency?from={}&to={}", old.size, current.size))?;
                let parsed: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| RunError::Verify(format!("bad consistency proof: {e}")))?;
                let proof: Vec<[u8; 32]> = parsed["proof"]
                    .as_array()
                    .ok_or_else(|| RunError::Verify("bad consistency proof: no proof array".into()))?
                    .iter()
                    .map(|h| {
                        h.as_str()
                            .and_then(|s| STANDARD.decode(s).ok())
                            .and_then(|b| <[u8; 32]>::try_from(b).ok())
                            .ok_or_else(|| RunError::Verify("bad consistency proof: not a hash".into()))
                    })
                    .collect::<Result<_, _>>()?;
                verify_consistency(old.size, current.size, &proof, &old.root, &current.root).map_err(|e| {
                    RunError::Verify(format!(
                        "the log at size {} does not extend the checkpoint seen at size {}: {e}",
                        current.size, old.size
                    ))
                })?;
                format!("consistent from size {} to {}", old.size, current.size)
            }
        }
    };
    let state = WitnessState { url: base.to_owned(), public_key: vkey, checkpoint: note };
    std::fs::write(&file, serde_json::to_string_pretty(&state).expect("state serialises"))
        .map_err(|e| RunError::Io(format!("cannot write {}: {e}", file.display())))?;
    println!("ok: {message}");
    Ok(())
}

fn sanitize(url: &str) -> String {
    url.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}
