//! Outside feeds (业务系统接入): a department's business system is registered and handed a
//! token once; it posts its case events in batches. The event format is
//! `supervision::feed::FeedEvent`. A batch with any malformed event is refused whole, every
//! problem named by `events[i].field`; events taken before (same `source_id`) are duplicates
//! and change nothing.

use crate::{App, AppError, AppResult};
use sunlight_core::supervision::feed::FeedEvent;
use sunlight_core::{DomainError, FieldError, User, zh_en};
use sunlight_store::{FeedReceipt, FeedSource};

/// At most this many events in one batch.
pub const MAX_EVENTS: usize = 10_000;
/// A batch's refusal lists at most this many problems.
const MAX_ERRORS: usize = 500;

/// A newly registered business system and its token, shown this once.
#[derive(Debug)]
pub struct Registered {
    pub feed: FeedSource,
    pub token: String,
}

impl App {
    /// Registers a department's business system under `name` (2–32 lower-case letters, digits
    /// and hyphens) and makes its token.
    pub async fn register_feed(
        &self,
        name: &str,
        department: &str,
        by: &User,
    ) -> AppResult<Registered> {
        let name = name.trim();
        if name.len() < 2
            || name.len() > 32
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(DomainError::field(
                "name",
                zh_en!(
                    "名称应为 2–32 位小写字母、数字或连字符，如 zjb-jst",
                    "2–32 lower-case letters, digits and hyphens, e.g. zjb-jst"
                ),
            )
            .into());
        }
        let mut bytes = [0u8; 24];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::Internal(format!("random token: {e}")))?;
        let token = format!("slf_{}", hex::encode(bytes));
        let feed = self
            .store
            .add_feed_source(
                name,
                department.trim(),
                &token,
                by.username.as_str(),
                self.now(),
            )
            .await?;
        Ok(Registered { feed, token })
    }

    /// Reads a batch `{"events": [...]}` from `source` and ingests it: the same rules as for
    /// the engine's cases watch the events, their alerts are raised at once, and the fed cases
    /// are timed (colours, deadlines) like any other.
    pub async fn ingest_feed(&self, source: &FeedSource, body: &[u8]) -> AppResult<FeedReceipt> {
        let events = parse_batch(body)?;
        Ok(self
            .store
            .ingest_feed(
                source,
                &events,
                &self.engine.config().supervision,
                self.zone,
                self.now(),
            )
            .await?)
    }
}

/// Reads `{"events": [...]}` event by event, so that each problem names its event and field.
pub fn parse_batch(body: &[u8]) -> Result<Vec<FeedEvent>, DomainError> {
    let doc: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| DomainError::field("body", zh_en!("不是 JSON：{e}", "not JSON: {e}")))?;
    let Some(items) = doc.get("events").and_then(|v| v.as_array()) else {
        return Err(DomainError::field(
            "events",
            zh_en!(
                "请求内容应为 {{\"events\": [ … ]}}，即事件数组",
                "the body is {{\"events\": [ … ]}}, an array of events"
            ),
        ));
    };
    if items.is_empty() || items.len() > MAX_EVENTS {
        return Err(DomainError::field(
            "events",
            zh_en!(
                "每批 1 至 {MAX_EVENTS} 个事件，本批有 {n} 个",
                "1 to {MAX_EVENTS} events per batch; this one has {n}",
                n = items.len(),
            ),
        ));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("events[{i}]");
        match serde_path_to_error::deserialize::<_, FeedEvent>(item) {
            Ok(e) => {
                errors.extend(e.validate(&path));
                events.push(e);
            }
            Err(err) => {
                let at = err.path().to_string();
                let field = if at == "." || at.is_empty() {
                    path
                } else {
                    format!("{path}.{at}")
                };
                let why = err.into_inner().to_string();
                errors.push(FieldError::new(field, zh_en!("格式不符：{why}", "{why}")));
            }
        }
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(DomainError::Invalid(errors))
    }
}
