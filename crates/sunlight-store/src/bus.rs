//! Committed changes, told to whoever subscribed — the supervision monitor, the search index,
//! (later) notifications — once the transaction that made them has committed. Nobody who
//! changes something pokes a subscriber: the store (or the engine, for the batches it
//! commits) publishes, and each subscriber decides what the change means to it.
//!
//! Subscribers are called in the publisher's task, in order, before the publisher answers
//! its own caller; they must be quick (hand the change to their own task) and must not fail.
//! So a change the engine committed reaches the monitor before the command is acknowledged.

use crate::alerts::NewAlert;
use std::sync::{Arc, RwLock};
use sunlight_core::supervision::Watched;

/// What changed.
#[derive(Debug, Clone)]
pub enum Change {
    /// The power list, a region or a department changed (a publication, a version coming
    /// into force, an import, the admin pages).
    Registry,
    /// A working-day calendar changed: every deadline instant may move.
    Calendars,
    /// Running cases changed — the engine's, or those fed by departments' own systems — with
    /// the alerts raised in the same transaction.
    Cases {
        watched: Vec<Watched>,
        alerts: Vec<NewAlert>,
    },
}

type Subscriber = Arc<dyn Fn(&Change) + Send + Sync>;

/// The bus: shared by every clone of a [`crate::Store`].
#[derive(Clone, Default)]
pub struct Bus {
    subscribers: Arc<RwLock<Vec<Subscriber>>>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus").finish_non_exhaustive()
    }
}

impl Bus {
    /// Calls `f` with every change published from now on.
    pub fn subscribe(&self, f: impl Fn(&Change) + Send + Sync + 'static) {
        self.subscribers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::new(f));
    }

    /// Whether nobody listens (then a publisher may skip building the change).
    pub fn is_empty(&self) -> bool {
        self.subscribers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// Tells every subscriber (call only after the change has committed).
    pub fn publish(&self, change: &Change) {
        let subscribers = self
            .subscribers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for s in subscribers {
            s(change);
        }
    }
}
