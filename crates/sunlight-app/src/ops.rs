//! The server's duties over time, started by `sunlight serve` beside the engine's own timers:
//! bringing the list in force up to date when the date turns (and at start), following
//! publications made by other processes into the search index, signing ledger checkpoints, and
//! forgetting remembered results (idempotency keys) older than a week.

use crate::{App, AppResult};
use std::sync::Arc;
use std::time::Duration;
use sunlight_core::Timestamp;
use sunlight_store::Store;

/// How often the list's date and the other processes' publications are looked at.
const FOLLOW_EVERY: Duration = Duration::from_secs(60);

impl App {
    /// What a server does once before it serves: versions that came into force while it was
    /// down are applied, and fed cases' figures stored before they were kept are filled in.
    pub async fn prepare(&self) -> AppResult<()> {
        let moved = self.store.refresh_current(self.today()).await?;
        if moved > 0 {
            tracing::info!(moved, "versions that came into force were applied");
        }
        let filled = self.store.fill_feed_figures(self.zone).await?;
        if filled > 0 {
            tracing::info!(
                filled,
                "figures of fed cases stored before they were kept filled in"
            );
        }
        Ok(())
    }

    /// Versions published ahead of their effective date come into force when the date turns;
    /// another process (the command line, another server) may publish beside this one. Either
    /// way the search index follows. Once a day (and now) remembered results older than a week
    /// are forgotten. Runs until the runtime stops.
    pub fn spawn_daily(self: &Arc<Self>) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut last = app.today();
            forget_old_keys(&app.store, app.now()).await;
            loop {
                tokio::time::sleep(FOLLOW_EVERY).await;
                let today = app.today();
                if today != last {
                    match app.store.refresh_current(today).await {
                        Ok(n) => tracing::info!(%today, moved = n, "list brought up to date"),
                        Err(e) => tracing::error!(error = %e, "refreshing the list in force"),
                    }
                    forget_old_keys(&app.store, app.now()).await;
                    last = today;
                }
                if let Err(e) = app.search.follow(&app.store).await {
                    tracing::error!(error = %e, "search index");
                }
            }
        });
    }

    /// Signs a checkpoint of the ledger now and then every `every`, as `origin`.
    pub fn spawn_checkpoints(
        &self,
        signer: Arc<sunlight_ledger::Signer>,
        origin: String,
        every: Duration,
    ) {
        let (store, clock) = (self.store.clone(), self.clock.clone());
        tokio::spawn(async move {
            loop {
                if let Err(e) = store.sign_checkpoint(&signer, &origin, clock.now()).await {
                    tracing::error!(error = %e, "signing a ledger checkpoint");
                }
                tokio::time::sleep(every).await;
            }
        });
    }
}

async fn forget_old_keys(store: &Store, now: Timestamp) {
    let cutoff = now - jiff::SignedDuration::from_hours(24 * sunlight_store::KEY_RETENTION_DAYS);
    match store.forget_keys(cutoff).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(forgotten = n, "remembered results older than a week"),
        Err(e) => tracing::error!(error = %e, "forgetting old remembered results"),
    }
}
