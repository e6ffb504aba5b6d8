//! Remembered responses of mutating calls, by the caller's `Idempotency-Key`.
//!
//! A call first claims its key (a row with status 0 = in progress); when it finishes, its
//! response is stored, and a retry with the same key and the same request gets that response
//! back without anything being done twice.

use crate::sql;
use crate::{Result, Store};
use sqlx::Row;
use sunlight_core::Timestamp;

/// What a claim on a key finds.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// First use: go ahead, then [`Store::idempotency_finish`].
    Fresh,
    /// Done before: answer this.
    Replay {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
    /// Another call with this key is running now.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

impl Store {
    pub async fn idempotency_claim(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
        now: Timestamp,
    ) -> Result<Claim> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (principal, key, request_hash, status, content_type, body, created_at)
             VALUES ($1, $2, $3, 0, '', $4, $5) ON CONFLICT (principal, key) DO NOTHING",
        )
        .bind(principal)
        .bind(key)
        .bind(request_hash)
        .bind(Vec::<u8>::new())
        .bind(sql::millis(now))
        .execute(&self.writer)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::Fresh);
        }
        let row = sqlx::query(
            "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE principal = $1 AND key = $2",
        )
        .bind(principal)
        .bind(key)
        .fetch_one(&self.pool)
        .await?;
        if row.try_get::<String, _>("request_hash")? != request_hash {
            return Ok(Claim::Mismatch);
        }
        let status: i64 = row.try_get("status")?;
        if status == 0 {
            return Ok(Claim::InProgress);
        }
        Ok(Claim::Replay {
            status: status as u16,
            content_type: row.try_get("content_type")?,
            body: row.try_get("body")?,
        })
    }

    pub async fn idempotency_finish(
        &self,
        principal: &str,
        key: &str,
        status: u16,
        content_type: &str,
        body: &[u8],
    ) -> Result<()> {
        sqlx::query("UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3 WHERE principal = $4 AND key = $5")
            .bind(i64::from(status))
            .bind(content_type)
            .bind(body.to_vec())
            .bind(principal)
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Forgets a claim whose call failed on our side, so a retry runs again.
    pub async fn idempotency_release(&self, principal: &str, key: &str) -> Result<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND status = 0",
        )
        .bind(principal)
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }
}

/// How long a remembered result answers a retry, an API call's or an engine command's. A
/// retry later than that is a new request (an engine command then meets the case as it is now:
/// a task finished meanwhile refuses a second completion).
pub const KEY_RETENTION_DAYS: i64 = 7;

impl Store {
    /// Forgets the results remembered before `before` (API responses and engine command
    /// results); returns how many went.
    pub async fn forget_keys(&self, before: Timestamp) -> Result<u64> {
        let at = sql::millis(before);
        let mut tx = self.write_tx().await?;
        let commands = sqlx::query("DELETE FROM command_keys WHERE at < $1")
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let calls = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(commands + calls)
    }
}
