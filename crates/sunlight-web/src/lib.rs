//! Sunlight's HTTP face: the JSON API (OpenAPI 3.1 at `/api/openapi.json`, errors as
//! `application/problem+json`) and the pages.
//!
//! [`app`] builds the whole application from an [`AppState`]; [`serve`] runs it on a listener
//! until a shutdown signal, so tests can start the real server on port 0.

pub mod api;
mod auth;
pub mod client;
pub mod error;
pub mod flowsvg;
mod idempotency;
pub mod limiter;
mod pages;
pub mod sms_stub;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use sunlight_app::App;
use sunlight_core::clock::{Clock, Zone};
use sunlight_store::Store;
use tower_http::trace::TraceLayer;

pub use sunlight_app::SystemClock;

/// What every request handler shares: the application (store, engine, clock, search index),
/// which it derefs to, and what only the HTTP edge keeps.
pub struct AppState {
    pub app: Arc<App>,
    pub ledger: LedgerKey,
    /// Wrong query-code guesses per receipt number and client.
    pub limiter: limiter::Limiter,
    /// How a client's address is told (behind a proxy, from its header).
    pub client: client::ClientAddress,
}

impl std::ops::Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

/// The key that signs checkpoints (kept in a file outside the database) and the log's name.
#[derive(Default)]
pub struct LedgerKey {
    pub signer: Option<Arc<sunlight_ledger::Signer>>,
    /// e.g. `sunlight 330183`
    pub origin: String,
}

impl AppState {
    /// State with a case engine started on the current runtime, and no ledger key.
    pub fn new(store: Store, clock: Arc<dyn Clock>, zone: Zone) -> Self {
        Self::with_engine(store, clock, zone, sunlight_engine::EngineConfig::default())
    }

    /// The same, with the engine (and supervision) configured.
    pub fn with_engine(
        store: Store,
        clock: Arc<dyn Clock>,
        zone: Zone,
        config: sunlight_engine::EngineConfig,
    ) -> Self {
        Self::of(Arc::new(App::start(store, clock, zone, config)))
    }

    /// The HTTP edge of a started application.
    pub fn of(app: Arc<App>) -> Self {
        Self {
            app,
            ledger: LedgerKey {
                signer: None,
                origin: "sunlight".into(),
            },
            limiter: limiter::Limiter::default(),
            client: client::ClientAddress::default(),
        }
    }
}

pub type SharedState = Arc<AppState>;

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = api::router().split_for_parts();
    doc
}

/// The whole application. The search index is built in the background from here on (a search
/// before it is ready waits for it).
pub fn app(state: AppState) -> Router {
    let state: SharedState = Arc::new(state);
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let s = state.clone();
        rt.spawn(async move {
            if let Err(e) = s.search.ensure(&s.store).await {
                tracing::warn!(error = %e, "search index");
            }
        });
    }
    let (api, doc) = api::router().split_for_parts();
    let doc = Arc::new(doc);
    let api = api
        .route(
            "/api/openapi.json",
            get(move || {
                let doc = doc.clone();
                async move { Json(doc.as_ref().clone()) }
            }),
        )
        .route(
            "/api/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(DefaultBodyLimit::max(idempotency::MAX_BODY));
    pages::router()
        .merge(api)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(error::layer))
        // 5xx are logged once, by `error::layer`, with their cause.
        .layer(TraceLayer::new_for_http().on_failure(()))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
