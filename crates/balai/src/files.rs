//! What Balai writes to disk is for its own user only: the data directory and its subdirectories are
//! 0700, the SQLite database with its `-wal` and `-shm` files, the keys and uploaded files 0600.
//!
//! The process starts by setting its umask to 077, so every file it creates — including the `-wal`
//! and `-shm` files SQLite creates later on its own — is private from birth, with no window in which
//! another user could open it. Directories and database files left by an older version are tightened
//! at start.

use crate::RunError;
use std::path::Path;

/// Makes every file and directory this process creates private to its user (Unix).
pub fn private_by_default() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file mode creation mask; it cannot fail and touches no memory.
    unsafe {
        libc::umask(0o077);
    }
}

/// Creates `dir` (and missing parents) as 0700. An existing directory is left as it is: it may be
/// the operator's (a key file configured elsewhere); the data directory is tightened by its caller.
pub fn create_private_dir(dir: &Path) -> Result<(), RunError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| RunError::Io(format!("cannot create {}: {e}", dir.display())))
}

/// Tightens a file or directory to `mode` if it exists and is looser.
pub fn restrict(path: &Path, mode: u32) -> Result<(), RunError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(metadata) = std::fs::metadata(path) else { return Ok(()) };
        if metadata.permissions().mode() & 0o777 & !mode != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| RunError::Io(format!("cannot make {} private (mode {mode:o}): {e}", path.display())))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Tightens the SQLite database file and its companions to 0600.
pub fn restrict_database(db_file: &Path) -> Result<(), RunError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db_file.as_os_str().to_owned();
        name.push(suffix);
        restrict(Path::new(&name), 0o600)?;
    }
    Ok(())
}
