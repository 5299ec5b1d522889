//! Where cleaned uploads are kept: any `object_store` backend, a local directory by default.

use std::path::Path as FsPath;
use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::{Cleaned, FileError};

/// Keeps cleaned uploads under `uploads/{government_id}/{random 128-bit hex}`. Keys never come
/// from the file name, so a name cannot choose, guess or overwrite another citizen's file.
#[derive(Debug, Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
}

impl FileStore {
    /// A store in a local directory, created if missing. Writes are synced to disk before `put`
    /// returns, so an application that refers to an upload never outlives the upload in a power cut.
    pub fn local(dir: &FsPath) -> Result<FileStore, FileError> {
        std::fs::create_dir_all(dir).map_err(FileError::StorageSetup)?;
        let store = LocalFileSystem::new_with_prefix(dir).map_err(FileError::Storage)?.with_fsync(true);
        Ok(FileStore::from_store(Arc::new(store)))
    }

    /// A store in memory: for tests and servers configured without storage (nothing survives a restart).
    pub fn in_memory() -> FileStore {
        FileStore::from_store(Arc::new(object_store::memory::InMemory::new()))
    }

    /// A store over any backend, e.g. an S3-compatible bucket built from configuration.
    pub fn from_store(store: Arc<dyn ObjectStore>) -> FileStore {
        FileStore { store }
    }

    /// Stores a cleaned upload and returns its new key.
    pub async fn put(&self, government_id: i64, cleaned: &Cleaned) -> Result<String, FileError> {
        let key = format!("uploads/{government_id}/{:032x}", rand::random::<u128>());
        let options = PutOptions {
            // Never replace an existing object, however unlikely a repeated key is.
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        self.store
            .put_opts(&Path::from(key.as_str()), PutPayload::from(cleaned.bytes.clone()), options)
            .await
            .map_err(FileError::Storage)?;
        Ok(key)
    }

    /// The bytes stored under `key`.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, FileError> {
        let path = parse_key(key)?;
        let result = self.store.get(&path).await.map_err(storage_error)?;
        let bytes = result.bytes().await.map_err(storage_error)?;
        Ok(bytes.to_vec())
    }

    /// Deletes the file under `key`; deleting a file that is already gone succeeds.
    pub async fn delete(&self, key: &str) -> Result<(), FileError> {
        let path = parse_key(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(FileError::Storage(err)),
        }
    }
}

fn storage_error(err: object_store::Error) -> FileError {
    match err {
        object_store::Error::NotFound { .. } => FileError::NotFound,
        err => FileError::Storage(err),
    }
}

/// Accepts only keys this store hands out, so a key taken from a request cannot reach any other
/// object in the bucket or directory.
fn parse_key(key: &str) -> Result<Path, FileError> {
    let mut parts = key.split('/');
    let valid = parts.next() == Some("uploads")
        && parts.next().is_some_and(|g| g.parse::<i64>().is_ok())
        && parts.next().is_some_and(|id| id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        && parts.next().is_none();
    if valid { Ok(Path::from(key)) } else { Err(FileError::InvalidKey) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keys_of_the_upload_shape_are_accepted() {
        assert!(parse_key("uploads/7/0123456789abcdef0123456789abcdef").is_ok());
        for bad in [
            "",
            "uploads/7",
            "uploads/x/0123456789abcdef0123456789abcdef",
            "uploads/7/0123456789ABCDEF0123456789ABCDEF",
            "uploads/7/../../etc/passwd",
            "other/7/0123456789abcdef0123456789abcdef",
            "uploads/7/0123456789abcdef0123456789abcdef/x",
        ] {
            assert!(matches!(parse_key(bad), Err(FileError::InvalidKey)), "{bad}");
        }
    }
}
