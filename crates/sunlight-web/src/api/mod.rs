//! The JSON API under `/api`, documented by OpenAPI 3.1 at `/api/openapi.json`.

pub mod calendars;
pub mod cases;
pub mod feeds;
pub mod ledger;
pub mod powers;
pub mod proposals;
pub mod registry;
pub mod supervision;
pub mod verify;

use crate::SharedState;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sunlight (阳光) API",
        description = "The power list (权力清单) and its companion lists: read, filter, as-of, diff; propose, review, publish; import and export.\n\nErrors are `application/problem+json` with a stable `code` — one of the `Code` schema, each always with the same HTTP status; see the `Problem` schema. A problem's `title`, `detail` and each field's `label` and `message` are in Chinese (zh-CN) unless `Accept-Language` prefers English; `field` stays the machine path. Every mutating call accepts an `Idempotency-Key` header: a retry with the same key returns the first response and changes nothing.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "powers", description = "The power list (权力清单)"),
        (name = "review", description = "Changing the list: propose → 法制审核 → publish"),
        (name = "registry", description = "Regions, departments, negative list, 五统一 consistency"),
        (name = "exchange", description = "Import and export as XLSX, CSV, JSON"),
        (name = "auth", description = "Sign-in and staff"),
        (name = "calendar", description = "Working-day calendars and deadlines"),
        (name = "cases", description = "Cases (办件) along their power's flow; per-use approvals; discretion benchmarks"),
        (name = "ledger", description = "The tamper-evident ledger: checkpoints and proofs (RFC 9162)"),
        (name = "supervision", description = "Electronic supervision (电子监察): rules, the live board and stream, alerts, accountability"),
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<SharedState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(powers::list))
        .routes(routes!(powers::get))
        .routes(routes!(powers::versions))
        .routes(routes!(powers::version))
        .routes(routes!(powers::diff_versions))
        .routes(routes!(powers::flow))
        .routes(routes!(powers::flow_svg))
        .routes(routes!(powers::riskmap_svg))
        .routes(routes!(powers::check_flow))
        .routes(routes!(proposals::list, proposals::create))
        .routes(routes!(proposals::get))
        .routes(routes!(proposals::approve))
        .routes(routes!(proposals::reject))
        .routes(routes!(proposals::withdraw))
        .routes(routes!(proposals::publish))
        .routes(routes!(proposals::import))
        .routes(routes!(registry::regions))
        .routes(routes!(registry::put_region))
        .routes(routes!(registry::departments))
        .routes(routes!(registry::put_department))
        .routes(routes!(
            registry::negative_list,
            registry::put_negative_list
        ))
        .routes(routes!(registry::consistency))
        .routes(routes!(registry::login))
        .routes(routes!(registry::logout))
        .routes(routes!(registry::me))
        .routes(routes!(registry::users, registry::add_user))
        .routes(routes!(registry::export))
        .routes(routes!(calendars::list))
        .routes(routes!(calendars::year, calendars::put_year))
        .routes(routes!(calendars::deadline))
        .routes(routes!(cases::submit))
        .routes(routes!(cases::get))
        .routes(routes!(cases::command))
        .routes(routes!(cases::upload))
        .routes(routes!(cases::history))
        .routes(routes!(cases::tasks))
        .routes(routes!(cases::inbox))
        .routes(routes!(cases::request_checkout))
        .routes(routes!(cases::decide_checkout))
        .routes(routes!(cases::benchmark, cases::put_benchmark))
        .routes(routes!(ledger::checkpoint))
        .routes(routes!(ledger::sign))
        .routes(routes!(ledger::inclusion))
        .routes(routes!(ledger::receipt_proofs))
        .routes(routes!(verify::by_number, verify::by_file))
        .routes(routes!(ledger::consistency))
        .routes(routes!(supervision::rules))
        .routes(routes!(supervision::board))
        .routes(routes!(supervision::stream))
        .routes(routes!(supervision::alerts))
        .routes(routes!(supervision::alert))
        .routes(routes!(supervision::act))
        .routes(routes!(supervision::record_measure, supervision::measures))
        .routes(routes!(feeds::create, feeds::list))
        .routes(routes!(feeds::ingest))
        .routes(routes!(supervision::figures))
        .routes(routes!(supervision::limits))
        .routes(routes!(supervision::scores))
        .routes(routes!(
            supervision::declare_relation,
            supervision::relations
        ))
}
