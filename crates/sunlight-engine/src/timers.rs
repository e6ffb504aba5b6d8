//! The one timer queue every process kind's timers run on: each instance's next due instant
//! in one ordered set; the task sleeps until the first (or until the supervised clock jumps,
//! or a commit sets a timer) and fires it — the kind turns that into a command issued as
//! `Actor::Timer` through its own writer, so a time-driven act is decided and ledgered like
//! any other. A timer that fires on a state that has moved on is refused by the rules and
//! changes nothing.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;
use sunlight_core::Timestamp;
use sunlight_core::clock::Clock;
use tokio::sync::mpsc;

/// Runs until `set` closes or `fire` answers `false` (the writer is gone). `initial` are the
/// timers stored at start-up.
pub(crate) async fn run<F, Fut>(
    kind: &'static str,
    clock: Arc<dyn Clock>,
    initial: sunlight_store::Result<Vec<(String, Timestamp)>>,
    mut set: mpsc::UnboundedReceiver<(String, Timestamp)>,
    mut fire: F,
) where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = bool>,
{
    let jumped = Arc::new(tokio::sync::Notify::new());
    {
        let jumped = jumped.clone();
        clock.on_jump(Arc::new(move || jumped.notify_one()));
    }
    let mut queue: BTreeSet<(Timestamp, String)> = BTreeSet::new();
    let mut at: HashMap<String, Timestamp> = HashMap::new();
    let mut put = |queue: &mut BTreeSet<(Timestamp, String)>, id: String, t: Timestamp| {
        if let Some(old) = at.insert(id.clone(), t) {
            queue.remove(&(old, id.clone()));
        }
        queue.insert((t, id));
    };
    match initial {
        Ok(ts) => {
            for (id, t) in ts {
                put(&mut queue, id, t);
            }
        }
        Err(e) => tracing::error!(kind, error = %e, "timers could not be loaded"),
    }
    loop {
        let now = clock.now();
        while let Some((t, id)) = queue.first().cloned() {
            if t > now {
                break;
            }
            queue.pop_first();
            if !fire(id).await {
                return;
            }
        }
        let sleep = queue
            .first()
            .map(|(t, _)| t.duration_since(now).unsigned_abs())
            .unwrap_or(std::time::Duration::from_secs(3600))
            .min(std::time::Duration::from_secs(3600));
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = jumped.notified() => {}
            s = set.recv() => match s {
                Some((id, t)) => put(&mut queue, id, t),
                None => return,
            },
        }
    }
}
