mod support;

use balai_files::{FileError, FileStore, Limits, clean};

fn key_shape(key: &str, government_id: i64) -> bool {
    let prefix = format!("uploads/{government_id}/");
    key.strip_prefix(&prefix)
        .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
}

#[tokio::test]
async fn put_get_delete_round_trip_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    let store = FileStore::local(&root).unwrap();
    let cleaned = clean(&support::png(12, 8), &Limits::default()).unwrap();

    let key = store.put(7, &cleaned).await.unwrap();
    assert!(key_shape(&key, 7), "{key}");
    assert_eq!(std::fs::read(root.join(&key)).unwrap(), cleaned.bytes);
    assert_eq!(store.get(&key).await.unwrap(), cleaned.bytes);

    let other = store.put(7, &cleaned).await.unwrap();
    assert_ne!(key, other, "each upload gets its own key");

    store.delete(&key).await.unwrap();
    assert!(matches!(store.get(&key).await, Err(FileError::NotFound)));
    store.delete(&key).await.expect("deleting again is fine");
    assert_eq!(store.get(&other).await.unwrap(), cleaned.bytes, "the other copy stays");
}

#[tokio::test]
async fn keys_not_handed_out_by_the_store_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secret.txt"), b"x").unwrap();
    let store = FileStore::local(dir.path()).unwrap();
    for key in ["secret.txt", "uploads/7/../../secret.txt", "uploads/7/abc"] {
        assert!(matches!(store.get(key).await, Err(FileError::InvalidKey)), "{key}");
        assert!(matches!(store.delete(key).await, Err(FileError::InvalidKey)), "{key}");
    }
    assert!(dir.path().join("secret.txt").exists());
}
