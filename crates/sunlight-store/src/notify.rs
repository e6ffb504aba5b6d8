//! Notifications: the outbox (SMS and email, written in the transaction of the event they tell
//! of, delivered afterwards with retries), the in-portal messages, and applicants' sign-in
//! codes.
//!
//! Delivery is claimed row by row with a lease ([`Store::claim_notice`]): a server that dies
//! mid-send leaves its claim to expire and the row is tried again, so a notice is sent at
//! least once; each carries its outbox id as the gateway's reference and the email's
//! Message-ID, so a receiver can drop the one duplicate a crash between sending and
//! recording can cause.

use crate::sql::{self, Cell, Col, Marks};
use crate::{Result, Store};
use sqlx::Row;
use sunlight_core::Timestamp;

/// How a notice reaches someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Sms,
    Email,
    /// A message on the applicant's 我的办件 page (written at once, needs no delivery).
    Portal,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
            Self::Portal => "portal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Sms, Self::Email, Self::Portal]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// A notice to write with a batch: one row per channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub channel: Channel,
    /// The phone number, the address, or (portal) the owner key.
    pub recipient: String,
    pub topic: &'static str,
    pub reference: String,
    pub subject: String,
    pub zh: String,
    pub en: String,
}

/// An outbox row waiting for (or past) delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub topic: String,
    pub reference: String,
    pub subject: String,
    pub body: String,
    pub attempts: u32,
    pub state: String,
    pub last_error: Option<String>,
    pub created_at_ms: i64,
    pub sent_at_ms: Option<i64>,
}

/// A message on an applicant's page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub id: i64,
    pub topic: String,
    pub reference: String,
    pub zh: String,
    pub en: String,
    pub at_ms: i64,
    pub read: bool,
}

/// Writes a batch's notices inside its transaction.
pub(crate) async fn insert_notices(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    marks: Marks,
    notices: &[NewNotice],
    at: Timestamp,
) -> Result<()> {
    let at = sql::millis(at);
    let mut outbox = sql::JsonRows::default();
    let mut messages = sql::JsonRows::default();
    for n in notices {
        match n.channel {
            Channel::Portal => messages.push(&[
                Cell::Text(&n.recipient),
                Cell::Text(n.topic),
                Cell::Text(&n.reference),
                Cell::Text(&n.zh),
                Cell::Text(&n.en),
                Cell::Int(at),
            ]),
            Channel::Sms | Channel::Email => outbox.push(&[
                Cell::Text(n.channel.as_str()),
                Cell::Text(&n.recipient),
                Cell::Text(n.topic),
                Cell::Text(&n.reference),
                Cell::Text(&n.subject),
                Cell::Text(&n.zh),
                Cell::Int(at),
                Cell::Int(at),
            ]),
        }
    }
    if !outbox.is_empty() {
        sqlx::query(sql::dynamic(sql::insert_json(
            marks,
            "outbox",
            &[
                ("channel", Col::Text),
                ("recipient", Col::Text),
                ("topic", Col::Text),
                ("reference", Col::Text),
                ("subject", Col::Text),
                ("body", Col::Text),
                ("created_at", Col::Int),
                ("next_at", Col::Int),
            ],
        )))
        .bind(outbox.finish())
        .execute(&mut **tx)
        .await?;
    }
    if !messages.is_empty() {
        sqlx::query(sql::dynamic(sql::insert_json(
            marks,
            "messages",
            &[
                ("owner", Col::Text),
                ("topic", Col::Text),
                ("reference", Col::Text),
                ("zh", Col::Text),
                ("en", Col::Text),
                ("at", Col::Int),
            ],
        )))
        .bind(messages.finish())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn outbox_row(r: &sqlx::any::AnyRow) -> Result<OutboxRow> {
    let channel: String = r.try_get("channel")?;
    Ok(OutboxRow {
        id: r.try_get("id")?,
        channel: Channel::parse(&channel).unwrap_or(Channel::Sms),
        recipient: r.try_get("recipient")?,
        topic: r.try_get("topic")?,
        reference: r.try_get("reference")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        attempts: r.try_get::<i64, _>("attempts")? as u32,
        state: r.try_get("state")?,
        last_error: r.try_get("last_error")?,
        created_at_ms: r.try_get("created_at")?,
        sent_at_ms: r.try_get("sent_at")?,
    })
}

const OUTBOX_COLS: &str = "id, channel, recipient, topic, reference, subject, body, CAST(attempts AS BIGINT) AS attempts, state, last_error, created_at, sent_at";

impl Store {
    /// Writes notices outside any process (a sign-in code): one statement, its own
    /// transaction.
    pub async fn enqueue_notices(&self, notices: &[NewNotice], at: Timestamp) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let marks = sql::Marks::of(&tx);
        insert_notices(&mut tx, marks, notices, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Outbox rows due by `now` and not claimed by a live lease, oldest first.
    pub async fn due_notices(&self, now: Timestamp, limit: u32) -> Result<Vec<OutboxRow>> {
        let now = sql::millis(now);
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {OUTBOX_COLS} FROM outbox
             WHERE state = 'pending' AND next_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
             ORDER BY next_at, id LIMIT $2"
        )))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    /// When the next pending row falls due (`None`: nothing pending).
    pub async fn next_notice_at(&self) -> Result<Option<Timestamp>> {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(CASE WHEN lease_until IS NOT NULL AND lease_until > next_at THEN lease_until ELSE next_at END)
             FROM outbox WHERE state = 'pending'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(at.and_then(|ms| Timestamp::from_millisecond(ms).ok()))
    }

    /// Claims row `id` for one attempt until `lease_until`; `false` if another deliverer holds
    /// it or it is no longer pending.
    pub async fn claim_notice(
        &self,
        id: i64,
        now: Timestamp,
        lease_until: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET lease_until = $1, attempts = attempts + 1
             WHERE id = $2 AND state = 'pending' AND (lease_until IS NULL OR lease_until < $3)",
        )
        .bind(sql::millis(lease_until))
        .bind(id)
        .bind(sql::millis(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Row `id` was delivered.
    pub async fn notice_sent(&self, id: i64, at: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL WHERE id = $2",
        )
        .bind(sql::millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An attempt at row `id` failed: try again at `retry_at`, or (`None`) give up.
    pub async fn notice_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<()> {
        let error: String = error.chars().take(500).collect();
        match retry_at {
            Some(at) => {
                sqlx::query(
                    "UPDATE outbox SET next_at = $1, lease_until = NULL, last_error = $2 WHERE id = $3",
                )
                .bind(sql::millis(at))
                .bind(error)
                .bind(id)
                .execute(&self.pool)
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = $1 WHERE id = $2",
                )
                .bind(error)
                .bind(id)
                .execute(&self.pool)
                .await?
            }
        };
        Ok(())
    }

    /// The outbox rows about `reference` (a case or complaint), oldest first: what its page
    /// shows staff as "who was told what, and did it arrive".
    pub async fn notices_about(&self, reference: &str) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {OUTBOX_COLS} FROM outbox WHERE reference = $1 ORDER BY id"
        )))
        .bind(reference)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_row).collect()
    }

    /// Rows in each state: (pending, sent, failed).
    pub async fn outbox_counts(&self) -> Result<(u64, u64, u64)> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut out = (0, 0, 0);
        for r in rows {
            let state: String = r.try_get("state")?;
            let n = r.try_get::<i64, _>("n")? as u64;
            match state.as_str() {
                "pending" => out.0 = n,
                "sent" => out.1 = n,
                _ => out.2 += n,
            }
        }
        Ok(out)
    }

    /// The newest messages of `owner`, newest first.
    pub async fn messages(&self, owner: &str, limit: u32) -> Result<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT id, topic, reference, zh, en, at, read_at FROM messages
             WHERE owner = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(owner)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Message {
                    id: r.try_get("id")?,
                    topic: r.try_get("topic")?,
                    reference: r.try_get("reference")?,
                    zh: r.try_get("zh")?,
                    en: r.try_get("en")?,
                    at_ms: r.try_get("at")?,
                    read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
                })
            })
            .collect()
    }

    /// Marks every message of `owner` read.
    pub async fn read_messages(&self, owner: &str, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE messages SET read_at = $1 WHERE owner = $2 AND read_at IS NULL")
            .bind(sql::millis(at))
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The receipt numbers of `owner`'s cases, newest first.
    pub async fn cases_of_owner(&self, owner: &str, limit: u32) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT receipt FROM cases WHERE owner = $1 ORDER BY submitted_at DESC LIMIT $2",
        )
        .bind(owner)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?)
    }
}

/// What became of a request for a sign-in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeIssue {
    /// Stored: send it.
    Issued,
    /// A code was sent less than a minute ago.
    TooSoon { wait_seconds: i64 },
    /// The hour's sends are used up.
    HourlyLimit,
}

/// What became of a code given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Valid,
    /// Wrong, expired, used up or never sent: the same answer for each, so nobody learns which.
    Invalid,
}

/// Sends a code may be asked for per number and hour, seconds between two, tries per code,
/// minutes a code lives.
pub const CODE_SENDS_PER_HOUR: i64 = 5;
pub const CODE_RESEND_SECONDS: i64 = 60;
pub const CODE_TRIES: i64 = 5;
pub const CODE_MINUTES: i64 = 10;

impl Store {
    /// Keeps `code_hash` as `owner`'s sign-in code unless the number asked too often.
    pub async fn issue_sign_in_code(
        &self,
        owner: &str,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<CodeIssue> {
        let now_ms = sql::millis(now);
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT sent_at, window_from, CAST(sends AS BIGINT) AS sends FROM sign_in_codes WHERE owner = $1",
        )
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        let (window_from, sends) = match row {
            Some(r) => {
                let sent_at: i64 = r.try_get("sent_at")?;
                let window_from: i64 = r.try_get("window_from")?;
                let sends: i64 = r.try_get("sends")?;
                let since = (now_ms - sent_at) / 1000;
                if since < CODE_RESEND_SECONDS {
                    return Ok(CodeIssue::TooSoon {
                        wait_seconds: CODE_RESEND_SECONDS - since,
                    });
                }
                if now_ms - window_from < 3_600_000 {
                    if sends >= CODE_SENDS_PER_HOUR {
                        return Ok(CodeIssue::HourlyLimit);
                    }
                    (window_from, sends + 1)
                } else {
                    (now_ms, 1)
                }
            }
            None => (now_ms, 1),
        };
        sqlx::query(
            "INSERT INTO sign_in_codes (owner, code_hash, expires_at, attempts, sent_at, window_from, sends)
             VALUES ($1, $2, $3, 0, $4, $5, $6)
             ON CONFLICT (owner) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
                attempts = 0, sent_at = excluded.sent_at, window_from = excluded.window_from, sends = excluded.sends",
        )
        .bind(owner)
        .bind(code_hash)
        .bind(now_ms + CODE_MINUTES * 60_000)
        .bind(now_ms)
        .bind(window_from)
        .bind(sends)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(CodeIssue::Issued)
    }

    /// Checks a code given back for `owner` with `matches` (the keyed-hash comparison); a valid
    /// code is used up, a wrong one counts against the code's tries.
    pub async fn check_sign_in_code(
        &self,
        owner: &str,
        now: Timestamp,
        matches: impl Fn(&str) -> bool,
    ) -> Result<CodeCheck> {
        let row = sqlx::query(
            "SELECT code_hash, expires_at, CAST(attempts AS BIGINT) AS attempts FROM sign_in_codes WHERE owner = $1",
        )
        .bind(owner)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(CodeCheck::Invalid);
        };
        let (hash, expires, attempts): (String, i64, i64) = (
            r.try_get("code_hash")?,
            r.try_get("expires_at")?,
            r.try_get("attempts")?,
        );
        if expires < sql::millis(now) || attempts >= CODE_TRIES || hash.is_empty() {
            return Ok(CodeCheck::Invalid);
        }
        // Count the try first (a guess is spent whether or not it is right), then use the
        // code up if it was right — only if nobody else used or spent it meanwhile.
        let counted = sqlx::query(
            "UPDATE sign_in_codes SET attempts = attempts + 1 WHERE owner = $1 AND code_hash = $2 AND attempts = $3",
        )
        .bind(owner)
        .bind(&hash)
        .bind(attempts)
        .execute(&self.pool)
        .await?;
        if counted.rows_affected() != 1 || !matches(&hash) {
            return Ok(CodeCheck::Invalid);
        }
        sqlx::query("UPDATE sign_in_codes SET code_hash = '' WHERE owner = $1")
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(CodeCheck::Valid)
    }
}
