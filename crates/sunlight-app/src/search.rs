//! The power list's search index as the server keeps it: built from the store once (at start-up,
//! in the background, or by the first search), rebuilt after every publication and import.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use sunlight_core::Power;
use sunlight_search::{PowerDoc, PowerIndex};
use sunlight_store::Store;
use tokio::sync::Mutex;

/// The index and how current it is.
pub struct Search {
    index: Arc<PowerIndex>,
    /// Publications seen by the last rebuild; 0 = never built.
    built: AtomicU64,
    /// Publications so far (bumped by every publish or import).
    wanted: AtomicU64,
    rebuilding: Mutex<()>,
    /// The store's list generation the index was last built from.
    generation: std::sync::atomic::AtomicI64,
    /// Departments and regions (code, name) as of the last rebuild: every list page's filters.
    names: std::sync::RwLock<Arc<Names>>,
}

/// The registry's names the pages show beside codes.
#[derive(Debug, Default)]
pub struct Names {
    pub departments: Vec<(String, String)>,
    pub regions: Vec<(String, String)>,
}

impl Names {
    pub fn department(&self, code: &str) -> Option<&str> {
        self.departments
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.as_str())
    }
}

impl Default for Search {
    fn default() -> Self {
        Self::new()
    }
}

impl Search {
    pub fn new() -> Self {
        Self {
            index: Arc::new(PowerIndex::new().expect("an empty in-memory index")),
            built: AtomicU64::new(0),
            wanted: AtomicU64::new(1),
            rebuilding: Mutex::new(()),
            generation: std::sync::atomic::AtomicI64::new(-1),
            names: Default::default(),
        }
    }

    pub fn index(&self) -> &PowerIndex {
        &self.index
    }

    /// Departments and regions by code, as of the last rebuild.
    pub fn names(&self) -> Arc<Names> {
        self.names.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The list (or a department or region) changed: the next [`Search::ensure`] rebuilds.
    pub fn invalidate(&self) {
        self.wanted.fetch_add(1, Ordering::SeqCst);
    }

    /// Rebuilds the index if the store's list moved on since it was built, whoever published
    /// (this process rebuilds after its own publications at once; this notices the others').
    pub async fn follow(&self, store: &Store) -> Result<(), sunlight_store::StoreError> {
        if store.list_generation().await? != self.generation.load(Ordering::SeqCst) {
            self.invalidate();
        }
        self.ensure(store).await
    }

    /// Rebuilds the index if the list changed since it was built; one rebuild at a time.
    pub async fn ensure(&self, store: &Store) -> Result<(), sunlight_store::StoreError> {
        let wanted = self.wanted.load(Ordering::SeqCst);
        if self.built.load(Ordering::SeqCst) >= wanted {
            return Ok(());
        }
        let _guard = self.rebuilding.lock().await;
        let wanted = self.wanted.load(Ordering::SeqCst);
        if self.built.load(Ordering::SeqCst) >= wanted {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let generation = store.list_generation().await?;
        let departments = store.departments().await?;
        let names: HashMap<String, String> = departments
            .iter()
            .map(|d| (d.credit_code.to_string(), d.name.clone()))
            .collect();
        let regions = store.regions().await?;
        *self.names.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(Names {
            departments: departments
                .into_iter()
                .map(|d| (d.credit_code.to_string(), d.name))
                .collect(),
            regions: regions
                .into_iter()
                .map(|r| (r.code.to_string(), r.name))
                .collect(),
        });
        let mut docs = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = store.current_powers_after(after.as_deref(), 2_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.code.to_string());
            docs.extend(page.iter().map(|p| doc_of(p, &names)));
        }
        let n = docs.len();
        let index = self.index.clone();
        tokio::task::spawn_blocking(move || index.replace_all(docs))
            .await
            .map_err(|e| sunlight_store::StoreError::Corrupt(e.to_string()))?
            .map_err(|e| sunlight_store::StoreError::Corrupt(e.to_string()))?;
        self.built.store(wanted, Ordering::SeqCst);
        self.generation.store(generation, Ordering::SeqCst);
        tracing::info!(
            powers = n,
            ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        Ok(())
    }
}

/// A power as the index holds it.
pub fn doc_of(p: &Power, departments: &HashMap<String, String>) -> PowerDoc {
    let mut text = String::new();
    for b in &p.legal_basis {
        text.push_str(&format!("{}{} {}\n", b.instrument, b.article, b.text));
    }
    for c in &p.guide.conditions {
        text.push_str(c);
        text.push('\n');
    }
    for m in &p.guide.materials {
        text.push_str(&m.name);
        text.push('\n');
    }
    if let Some(b) = &p.basic_code {
        text.push_str(b);
    }
    PowerDoc {
        code: p.code.to_string(),
        name: p.name.clone(),
        category: p.category.as_str().to_string(),
        department: p.department.to_string(),
        department_name: departments
            .get(p.department.as_str())
            .cloned()
            .unwrap_or_default(),
        region: p.region.to_string(),
        usage: p.usage.as_str().to_string(),
        status: p.status.as_str().to_string(),
        moved_to: match p.status {
            sunlight_core::PowerStatus::Active | sunlight_core::PowerStatus::StrictlyControlled => {
                String::new()
            }
            ref s => s.zh(),
        },
        text,
    }
}
