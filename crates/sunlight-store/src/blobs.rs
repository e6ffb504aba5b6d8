//! Files (materials, later documents), kept by the SHA-256 of their content: the ledger and
//! the case hold only the digest. The facts (type, size, when) are a row of `blobs` on every
//! backend; the content is in that row (SQLite BLOB, PostgreSQL BYTEA) or, with a
//! [`BlobPlace::Directory`], in a file named by its digest (`ab/cdef…`), written to a
//! temporary name, synced and renamed, so a crash leaves either the whole file or none.
//!
//! Storing is idempotent (the same bytes are stored once) and happens before the command that
//! refers to the file is decided; a file no command ever took stays unreferenced (a sweep of
//! those is left for later).

use crate::{Result, Store, StoreError, sql};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::path::PathBuf;
use sunlight_core::Timestamp;
use sunlight_core::case::MediaType;

/// Where file contents live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BlobPlace {
    /// In the database's `blobs` table.
    #[default]
    Database,
    /// In a directory (shared by every server of the deployment).
    Directory(PathBuf),
}

/// A stored file's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub sha256: String,
    pub media_type: MediaType,
    pub size: u64,
}

impl Store {
    /// This store keeping file contents at `place`.
    pub fn with_blobs(mut self, place: BlobPlace) -> Self {
        self.blobs = place;
        self
    }

    /// Stores `bytes` (already checked to be `media_type`) and answers its digest. The same
    /// bytes stored twice are one blob.
    pub async fn put_blob(
        &self,
        bytes: &[u8],
        media_type: MediaType,
        now: Timestamp,
    ) -> Result<BlobMeta> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let meta = BlobMeta {
            sha256: sha256.clone(),
            media_type,
            size: bytes.len() as u64,
        };
        if self.blob_meta(&sha256).await?.is_some() {
            return Ok(meta);
        }
        let content = match &self.blobs {
            BlobPlace::Database => Some(bytes),
            BlobPlace::Directory(dir) => {
                write_file(dir, &sha256, bytes).await?;
                None
            }
        };
        sqlx::query(
            "INSERT INTO blobs (sha256, media_type, size, content, stored_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha256)
        .bind(media_type.as_str())
        .bind(bytes.len() as i64)
        .bind(content)
        .bind(sql::millis(now))
        .execute(&self.pool)
        .await?;
        Ok(meta)
    }

    /// A stored file's facts.
    pub async fn blob_meta(&self, sha256: &str) -> Result<Option<BlobMeta>> {
        let row = sqlx::query("SELECT media_type, size FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let media: String = r.try_get("media_type")?;
            Ok(BlobMeta {
                sha256: sha256.to_string(),
                media_type: MediaType::parse(&media)
                    .ok_or_else(|| StoreError::Corrupt(format!("blob {sha256}: type «{media}»")))?,
                size: r.try_get::<i64, _>("size")? as u64,
            })
        })
        .transpose()
    }

    /// A stored file: its facts and content, checked against its digest.
    pub async fn blob(&self, sha256: &str) -> Result<Option<(BlobMeta, Vec<u8>)>> {
        let row = sqlx::query("SELECT media_type, size, content FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let media: String = r.try_get("media_type")?;
        let meta = BlobMeta {
            sha256: sha256.to_string(),
            media_type: MediaType::parse(&media)
                .ok_or_else(|| StoreError::Corrupt(format!("blob {sha256}: type «{media}»")))?,
            size: r.try_get::<i64, _>("size")? as u64,
        };
        let content: Option<Vec<u8>> = r.try_get("content")?;
        let bytes = match (content, &self.blobs) {
            (Some(b), _) => b,
            (None, BlobPlace::Directory(dir)) => {
                tokio::fs::read(path_of(dir, sha256)).await.map_err(|e| {
                    StoreError::Corrupt(format!(
                        "blob {sha256} is missing from {}: {e}",
                        dir.display()
                    ))
                })?
            }
            (None, BlobPlace::Database) => {
                return Err(StoreError::Corrupt(format!(
                    "blob {sha256} is kept in a directory, but this server keeps files in the database"
                )));
            }
        };
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(StoreError::Corrupt(format!(
                "blob {sha256}: its content no longer matches its digest"
            )));
        }
        Ok(Some((meta, bytes)))
    }
}

fn path_of(dir: &std::path::Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(&sha256[2..])
}

async fn write_file(dir: &std::path::Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let (dir, sha256, bytes) = (dir.to_path_buf(), sha256.to_string(), bytes.to_vec());
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let io = |e: std::io::Error| {
            StoreError::Corrupt(format!(
                "the file store {} cannot be written: {e}",
                dir.display()
            ))
        };
        let path = path_of(&dir, &sha256);
        if path.exists() {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(&dir);
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = parent.join(format!(".{}.{}.tmp", &sha256[2..], std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("the file store's writer failed: {e}")))?
}
