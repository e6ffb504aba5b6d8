//! Sunlight's application layer: what the edges (the HTTP API and pages in `sunlight-web`, the
//! `sunlight` command line) ask of the engine and the store, written once.
//!
//! An edge parses its input, calls [`App`] (or a function of this crate's modules), and renders
//! the answer; it holds no rule and no write of its own. Domain rules — who may read a case,
//! who oversees, which channels open which categories — live in `sunlight-core`; this crate
//! orchestrates: it reads a file, asks core what it means, and commits it through the store or
//! the engine.
//!
//! - [`import`]: a power-list file → the changes it implies → a proposal or a publication.
//! - [`export`]: the list in force as XLSX, CSV or JSON.
//! - [`registry`]: holiday schedules and discretion benchmarks from their published files.
//! - [`feeds`]: business systems registered, their event batches read and ingested.
//! - [`files`]: materials as files — checked by content, stored by digest, read back.
//! - [`erase`]: personal data erased when its retention period ends (个人信息保护法 第四十七条).
//! - [`search`]: the power list's full-text index, following the store's bus.
//! - [`ops`]: the server's duties over time (the list in force when the date turns, signed
//!   checkpoints, forgetting old idempotency keys).

pub mod documents;
pub mod erase;
pub mod export;
pub mod feeds;
pub mod files;
pub mod import;
pub mod notify;
pub mod ops;
pub mod registry;
pub mod search;
pub mod signin;

use std::sync::Arc;
use sunlight_core::clock::{Clock, Zone};
use sunlight_core::{Date, DomainError, Timestamp};
use sunlight_engine::{Engine, EngineConfig, EngineError};
use sunlight_exchange::ImportError;
use sunlight_store::{Store, StoreError};

/// What a refusal or failure of the application layer is; each edge renders it in its way
/// (problem+json, an HTML page, a line on stderr).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain's rules refused the input.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A file could not be read; every problem has its row or line and column.
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Something that is nobody's input went wrong (a writer failed, no randomness).
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// One running Sunlight: the store, the engine started on it, the clock and zone dates are
/// counted in, and the search index that follows the store.
pub struct App {
    pub store: Store,
    /// Every process's commands go through it.
    pub engine: Engine,
    pub clock: Arc<dyn Clock>,
    /// The zone dates are counted in (China Standard Time by default).
    pub zone: Zone,
    /// The power list's full-text index (derived from the store).
    pub search: Arc<search::Search>,
    /// The departments' seals and what documents are rendered with.
    pub sealer: Arc<documents::Sealer>,
}

impl App {
    /// Starts the engine (and its supervision, as `config` says) on the current runtime and
    /// subscribes the search index to the store's bus: nobody invalidates it by hand.
    pub fn start(store: Store, clock: Arc<dyn Clock>, zone: Zone, config: EngineConfig) -> Self {
        let engine = Engine::start(store.clone(), clock.clone(), zone, config);
        let search = Arc::new(search::Search::new());
        {
            let search = Arc::downgrade(&search);
            store.bus().subscribe(move |change| {
                if let (sunlight_store::Change::Registry, Some(s)) = (change, search.upgrade()) {
                    s.invalidate();
                }
            });
        }
        Self {
            store,
            engine,
            clock,
            zone,
            search,
            sealer: Arc::default(),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Today in the configured zone.
    pub fn today(&self) -> Date {
        self.zone.date(self.clock.now())
    }
}

impl App {
    /// The colour supervision gives `case` now, on its region's calendar and the configured
    /// warning windows: what every page shows (`supervision::colour_now`).
    pub async fn colour(
        &self,
        case: &sunlight_core::case::Case,
    ) -> AppResult<sunlight_core::supervision::Colour> {
        let calendar = self.store.calendar(Some(case.opened.region)).await?;
        Ok(sunlight_core::supervision::colour_now(
            case,
            &calendar,
            self.zone,
            &self.engine.config().supervision,
            self.now(),
        ))
    }
}
