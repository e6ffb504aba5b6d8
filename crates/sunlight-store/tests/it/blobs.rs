use crate::harness::now;
use sunlight_core::case::MediaType;
use sunlight_store::{BlobPlace, Store, StoreError};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n";

/// Files are kept by digest, once, in the database or a directory, and read back checked.
pub async fn files_are_kept_by_digest_in_the_database_or_a_directory(store: &Store) {
    let a = store.put_blob(PDF, MediaType::Pdf, now()).await.unwrap();
    use sha2::Digest;
    assert_eq!(a.sha256, hex::encode(sha2::Sha256::digest(PDF)));
    assert_eq!(a.size, PDF.len() as u64);
    let again = store.put_blob(PDF, MediaType::Pdf, now()).await.unwrap();
    assert_eq!(again, a, "the same bytes are one file");
    let (meta, bytes) = store.blob(&a.sha256).await.unwrap().unwrap();
    assert_eq!((meta, bytes.as_slice()), (a.clone(), PDF));
    assert!(store.blob(&"0".repeat(64)).await.unwrap().is_none());

    // A directory store: the row has the facts, the file the bytes, named by the digest.
    let dir = tempfile::tempdir().unwrap();
    let in_dir = store
        .clone()
        .with_blobs(BlobPlace::Directory(dir.path().to_path_buf()));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let b = in_dir.put_blob(&png, MediaType::Png, now()).await.unwrap();
    let path = dir.path().join(&b.sha256[..2]).join(&b.sha256[2..]);
    assert_eq!(std::fs::read(&path).unwrap(), png);
    assert_eq!(in_dir.blob(&b.sha256).await.unwrap().unwrap().1, png);
    // What is kept in the database stays readable after switching to a directory.
    assert_eq!(in_dir.blob(&a.sha256).await.unwrap().unwrap().1, PDF);
    // A file altered on disk is not handed out as the original.
    std::fs::write(&path, b"\x89PNG tampered").unwrap();
    match in_dir.blob(&b.sha256).await {
        Err(StoreError::Corrupt(m)) => assert!(m.contains("no longer matches"), "{m}"),
        other => panic!("{other:?}"),
    }
}
