//! Persistence for Sunlight behind one interface, [`Store`], with two backends chosen from the
//! database URL: SQLite (`sqlite:sunlight.db`, embedded, the default) and PostgreSQL
//! (`postgres://…`, for a province). Both run the same SQL through sqlx's `Any` driver; each
//! has its own embedded, append-only migrations folder because their DDL differs.
//!
//! Writes that change the list happen in one transaction each: a published proposal's versions,
//! heads and projection rows commit together or not at all.

mod alerts;
mod blobs;
mod bus;
mod calendar;
mod cases;
mod commit;
mod complaints;
mod documents;
mod feeds;
mod figures;
mod idempotency;
mod ledger;
mod notify;
mod powers;
mod privacy;
mod proposals;
mod registry;
pub mod schema;
mod sql;
mod staff;

pub use alerts::{Accountability, Alert, AlertFilter, NewAlert, Relation, party_key};
pub use blobs::{BlobMeta, BlobPlace};
pub use bus::{Bus, Change};
pub use calendar::{LoadedYear, OFFICIAL_SOURCE, PROVISIONAL_SOURCE, Scope};
pub use cases::{CaseBatch, CaseListing, CaseSearch, CaseWrite, Checkout, TaskRow};
pub use commit::{Commit, NoRows, Projection, Rows, Write};
pub use complaints::Complaint;
pub use documents::{DocumentRow, SealKeyRow};
pub use feeds::{FeedReceipt, FeedSource};
pub use figures::{FigureQuery, Figures, GroupBy, ListLimits};
pub use idempotency::{Claim, KEY_RETENTION_DAYS};
pub use ledger::{NewEntry, StoredEntry, VerifyReport};
pub use notify::{
    CODE_MINUTES, CODE_RESEND_SECONDS, CODE_SENDS_PER_HOUR, CODE_TRIES, Channel, CodeCheck,
    CodeIssue, Message, NewNotice, OutboxRow,
};
pub use powers::{PowerFilter, PowerSummary, PowerVersion, VersionMeta};
pub use privacy::{Erasable, Erase, EraseReport, Erased, NotErasable};
pub use proposals::{ChangeError, PublishMeta};
pub use staff::{LOCK_MINUTES, LoginOutcome, MAX_FAILED_LOGINS, SESSION_HOURS, Session};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;
use sunlight_core::{DomainError, FieldError};

/// The database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The domain's rules refused the input.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// Some changes of a batch were refused; each error names its change's index.
    #[error("{} change(s) refused: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    Rejected(Vec<ChangeError>),
    #[error("{what} «{key}» not found")]
    NotFound { what: &'static str, key: String },
    /// Someone else changed the same thing first.
    #[error("conflict: {0}")]
    Conflict(sunlight_core::Text),
    #[error("unsupported database URL «{0}»: use sqlite:FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, key: impl ToString) -> Self {
        Self::NotFound {
            what,
            key: key.to_string(),
        }
    }

    pub(crate) fn invalid(field: &str, message: sunlight_core::Text) -> Self {
        Self::Domain(DomainError::Invalid(vec![FieldError::new(field, message)]))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A page of a list, with an opaque cursor for the next page.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub next: Option<String>,
}

/// The registry's store. Cheap to clone (a pool handle).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where write transactions run. On SQLite one connection of its own: writers queue here
    /// instead of sleeping in SQLite's busy handler, and its page cache stays warm (a WAL
    /// reader's cache is dropped whenever another connection commits). On PostgreSQL, `pool`.
    writer: AnyPool,
    backend: Backend,
    counts: std::sync::Arc<std::sync::Mutex<powers::CountCache>>,
    calendars: std::sync::Arc<std::sync::Mutex<calendar::CalendarCache>>,
    ledger: std::sync::Arc<std::sync::Mutex<ledger::LedgerCache>>,
    bus: Bus,
    /// What hashing a new password costs (standard unless a test suite asks for less).
    password_cost: sunlight_core::staff::HashCost,
    /// Where file contents live.
    blobs: BlobPlace,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite:FILE`, created if absent, or `postgres://…`).
    pub async fn connect(url: &str) -> Result<Self> {
        install_default_drivers();
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let rest = rest.trim_start_matches("//");
            let sep = if rest.contains('?') { '&' } else { '?' };
            let url = if rest.contains("mode=") {
                format!("sqlite://{rest}")
            } else {
                format!("sqlite://{rest}{sep}mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let options = || AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                // WAL lets readers run beside the writer. FULL sync makes every commit durable
                // against power loss too (one fsync per commit: the case engine's group commit
                // shares it among many commands).
                // A 32 MB page cache and memory-mapped reads keep list scans off read(2).
                // The writer copies the log back into the database every 8,000 pages (32 MB)
                // instead of SQLite's 1,000: the hot pages a busy engine rewrites in every
                // commit are copied once per checkpoint, and checkpoints stall a commit 8× less
                // often (`bench engine`: ~1,950 → ~2,150 cases/s). A checkpoint beside the
                // writer (PASSIVE, from another connection) cannot keep up: the log never
                // restarts while readers use it, and grew by 100 MB/s. Its statement journals
                // (a multi-row upsert's undo) stay in memory.
                let sqlite = |n: u32, writer: bool| {
                    options().max_connections(n).after_connect(move |conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456;")
                                .await?;
                            if writer {
                                conn.execute("PRAGMA wal_autocheckpoint = 8000; PRAGMA temp_store = MEMORY;")
                                    .await?;
                            }
                            Ok(())
                        })
                    })
                };
                let writer = sqlite(1, true).connect(&url).await?;
                let pool = sqlite(8, false).connect(&url).await?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = options().max_connections(16).connect(&url).await?;
                (pool.clone(), pool)
            }
        };
        Ok(Self {
            pool,
            writer,
            backend,
            counts: Default::default(),
            calendars: Default::default(),
            ledger: Default::default(),
            bus: Bus::default(),
            password_cost: sunlight_core::staff::HashCost::STANDARD,
            blobs: BlobPlace::Database,
        })
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads and then writes can meet another doing
    /// the same and fail with "database is locked"; this way the second waits its turn and then
    /// sees the first one's outcome (a clear conflict instead of an internal error).
    pub(crate) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Where committed changes are published ([`Change`]).
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the embedded migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Whether the store holds any power yet (a fresh database answers false).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM power_heads")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

impl Store {
    /// Runs one statement outside any transaction (administrative work such as creating a
    /// database for tests). Never pass user input here.
    pub async fn execute_raw(&self, statement: &str) -> Result<()> {
        self.pool
            .execute(sql::dynamic(statement.to_string()))
            .await?;
        Ok(())
    }
}
