//! The power list: list and filter, one power, its history, as-of reads and diffs.

use crate::SharedState;
use crate::error::{AcceptLang, ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sunlight_core::diff::{FieldChange, diff};
use sunlight_core::{Date, PowerCategory, Text, Usage, zh_en};
use sunlight_store::{Page, PowerFilter, PowerSummary, PowerVersion, VersionMeta};
use utoipa::{IntoParams, ToSchema};

/// Filters of `GET /api/powers`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 12-digit region code (6-digit accepted).
    pub region: Option<String>,
    /// Credit code of the implementing department.
    pub department: Option<String>,
    /// Category: `licensing`, `01`, or `行政许可`.
    pub category: Option<String>,
    /// `active`, `strictly_controlled`, `cancelled`, `delegated` or `merged`.
    pub status: Option<String>,
    /// `common` or `uncommon`.
    pub usage: Option<String>,
    /// Only the sub-items of this main item.
    pub parent: Option<String>,
    /// Powers sharing this basic code (基本编码).
    pub basic_code: Option<String>,
    /// Part of the name or code.
    pub q: Option<String>,
    /// Read the list as it stood on this date (YYYY-MM-DD).
    pub as_of: Option<String>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
}

const STATUSES: [&str; 5] = [
    "active",
    "strictly_controlled",
    "cancelled",
    "delegated",
    "merged",
];

pub fn parse_date(field: &str, s: &str) -> Result<Date, ApiError> {
    s.trim().parse().map_err(|_| {
        ApiError::field(
            field,
            zh_en!(
                "“{s}”不是日期（格式为 YYYY-MM-DD）",
                "«{s}» is not a date (YYYY-MM-DD)"
            ),
        )
    })
}

/// Parses an optional, possibly empty query value, noting a value that does not parse.
fn parse_opt<T>(
    errors: &mut Vec<sunlight_core::FieldError>,
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    complaint: Text,
) -> Option<T> {
    let v = value.filter(|v| !v.is_empty())?;
    let parsed = parse(v);
    if parsed.is_none() {
        errors.push(sunlight_core::FieldError::new(
            field,
            complaint.prefixed(&format!("“{v}”"), &format!("«{v}» ")),
        ));
    }
    parsed
}

/// An optional date parameter (empty means absent).
fn optional_date(field: &str, value: Option<&str>) -> Result<Option<Date>, ApiError> {
    value
        .filter(|d| !d.is_empty())
        .map(|d| parse_date(field, d))
        .transpose()
}

/// A power (in force, or as of a date) and its published flow; 404 if either is missing.
async fn power_with_flow(
    state: &SharedState,
    code: &str,
    as_of: Option<Date>,
) -> Result<(PowerVersion, sunlight_core::flow::Flow), ApiError> {
    let mut v = state
        .store
        .power(code, as_of)
        .await?
        .ok_or_else(|| not_listed(code))?;
    let flow = v.power.flow.take().ok_or_else(|| {
        ApiError::not_found(zh_en!(
            "事项 {code} 尚未公布运行流程",
            "power {code} has no published flow"
        ))
    })?;
    Ok((v, flow))
}

fn not_listed(code: &str) -> ApiError {
    ApiError::not_found(zh_en!(
        "事项 {code} 不在权力清单内",
        "power {code} is not in the list"
    ))
}

fn no_version(code: &str, version: i64) -> ApiError {
    ApiError::not_found(zh_en!(
        "事项 {code} 没有第 {version} 版",
        "power {code} has no version {version}"
    ))
}

impl ListQuery {
    pub fn into_filter(self) -> Result<PowerFilter, ApiError> {
        let mut errors = Vec::new();
        let category = parse_opt(
            &mut errors,
            "category",
            self.category.as_deref(),
            PowerCategory::parse,
            zh_en!("不是职权类型", "is not a power category"),
        );
        let usage = parse_opt(
            &mut errors,
            "usage",
            self.usage.as_deref(),
            Usage::parse,
            zh_en!(
                "应为 common（常用）或 uncommon（非常用）",
                "is not common or uncommon"
            ),
        );
        if let Some(s) = self
            .status
            .as_deref()
            .filter(|s| !s.is_empty() && !STATUSES.contains(s))
        {
            errors.push(sunlight_core::FieldError::new(
                "status",
                zh_en!(
                    "“{s}”：应为 {list} 之一",
                    "«{s}»: one of {list}",
                    list = STATUSES.join(", "),
                ),
            ));
        }
        let region = match self
            .region
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(sunlight_core::RegionCode::parse)
        {
            Some(Ok(r)) => Some(r.to_string()),
            Some(Err(e)) => {
                errors.extend(e.field_errors().iter().cloned());
                None
            }
            None => None,
        };
        let as_of = match self.as_of.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => match parse_date("as_of", d) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.extend(e.errors);
                    None
                }
            },
            None => None,
        };
        if self
            .limit
            .is_some_and(|l| l == 0 || l > PowerFilter::MAX_LIMIT)
        {
            errors.push(sunlight_core::FieldError::new(
                "limit",
                zh_en!(
                    "应为 1 至 {max}",
                    "between 1 and {max}",
                    max = PowerFilter::MAX_LIMIT,
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Ok(PowerFilter {
            region,
            department: nonempty(self.department),
            category,
            status: nonempty(self.status),
            usage,
            parent: nonempty(self.parent),
            basic_code: nonempty(self.basic_code),
            q: nonempty(self.q),
            as_of,
            cursor: nonempty(self.cursor),
            limit: self.limit.unwrap_or(PowerFilter::DEFAULT_LIMIT),
        })
    }
}

/// List and filter the powers in force (or as of a date).
#[utoipa::path(get, path = "/api/powers", tag = "powers", params(ListQuery),
    responses((status = 200, body = Page<PowerSummary>), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<SharedState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<ApiJson<Page<PowerSummary>>> {
    Ok(ApiJson(state.store.list_powers(&q.into_filter()?).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Read the power as it stood on this date (YYYY-MM-DD).
    pub as_of: Option<String>,
}

/// One power with its service guide and responsibility list, in force or as of a date.
#[utoipa::path(get, path = "/api/powers/{code}", tag = "powers", params(("code" = String, Path), AsOf),
    responses((status = 200, body = PowerVersion), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<SharedState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<ApiJson<PowerVersion>> {
    let as_of = optional_date("as_of", q.as_of.as_deref())?;
    match state.store.power(&code, as_of).await? {
        Some(v) => Ok(ApiJson(v)),
        None => Err(match as_of {
            Some(d) => ApiError::not_found(zh_en!(
                "{d} 时事项 {code} 不在权力清单内",
                "power {code} was not in the list on {d}"
            )),
            None => not_listed(&code),
        }),
    }
}

/// Every version of a power: who changed it, when, why.
#[utoipa::path(get, path = "/api/powers/{code}/versions", tag = "powers", params(("code" = String, Path)),
    responses((status = 200, body = Vec<VersionMeta>), (status = 404, body = Problem)))]
pub async fn versions(
    State(state): State<SharedState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<ApiJson<Vec<VersionMeta>>> {
    let history = state.store.power_history(&code).await?;
    if history.is_empty() {
        return Err(not_listed(&code));
    }
    Ok(ApiJson(history))
}

/// One version of a power.
#[utoipa::path(get, path = "/api/powers/{code}/versions/{version}", tag = "powers",
    params(("code" = String, Path), ("version" = i64, Path)),
    responses((status = 200, body = PowerVersion), (status = 404, body = Problem)))]
pub async fn version(
    State(state): State<SharedState>,
    ApiPath((code, version)): ApiPath<(String, i64)>,
) -> ApiResult<ApiJson<PowerVersion>> {
    state
        .store
        .power_version(&code, version)
        .await?
        .map(ApiJson)
        .ok_or_else(|| no_version(&code, version))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PowerDiff {
    pub code: String,
    pub from: VersionMeta,
    pub to: VersionMeta,
    pub changes: Vec<FieldChange>,
}

/// What changed between two versions of a power, field by field.
#[utoipa::path(get, path = "/api/powers/{code}/diff", tag = "powers", params(("code" = String, Path), DiffQuery),
    responses((status = 200, body = PowerDiff), (status = 404, body = Problem)))]
pub async fn diff_versions(
    State(state): State<SharedState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<ApiJson<PowerDiff>> {
    let load = |v: i64| {
        let state = state.clone();
        let code = code.clone();
        async move {
            state
                .store
                .power_version(&code, v)
                .await?
                .ok_or_else(|| no_version(&code, v))
        }
    };
    let (a, b) = (load(q.from).await?, load(q.to).await?);
    Ok(ApiJson(PowerDiff {
        changes: diff(&a.power, &b.power),
        code,
        from: a.meta,
        to: b.meta,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlowQuery {
    /// Read the power as it stood on this date (YYYY-MM-DD).
    pub as_of: Option<String>,
    /// json (default), toml (the authoring format) or bpmn (BPMN 2.0 XML for Camunda Modeler / bpmn.io)
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlowOut {
    pub code: String,
    pub version: i64,
    pub flow: sunlight_core::flow::Flow,
    /// Working days along the longest way through the flow.
    pub total_days: u32,
}

/// The procedure of a power (权力运行流程图) with its risk points (廉政风险防控图).
#[utoipa::path(get, path = "/api/powers/{code}/flow", tag = "powers", params(("code" = String, Path), FlowQuery),
    responses((status = 200, body = FlowOut), (status = 404, body = Problem)))]
pub async fn flow(
    State(state): State<SharedState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<FlowQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let as_of = optional_date("as_of", q.as_of.as_deref())?;
    let (v, flow) = power_with_flow(&state, &code, as_of).await?;
    match q.format.as_deref().unwrap_or("json") {
        "toml" => Ok((
            [(
                axum::http::header::CONTENT_TYPE,
                "application/toml; charset=utf-8",
            )],
            flow.to_toml(),
        )
            .into_response()),
        "bpmn" => {
            let name = format!("{} {}", v.power.name, v.power.code);
            let xml = sunlight_exchange::to_bpmn(&flow, &name);
            Ok((
                [(
                    axum::http::header::CONTENT_TYPE,
                    "application/xml; charset=utf-8",
                )],
                xml,
            )
                .into_response())
        }
        "json" => Ok(ApiJson(FlowOut {
            code,
            version: v.meta.version,
            total_days: flow.total_days(),
            flow,
        })
        .into_response()),
        other => Err(ApiError::field(
            "format",
            zh_en!(
                "“{other}”：应为 json、toml 或 bpmn",
                "«{other}»: json, toml or bpmn"
            ),
        )),
    }
}

async fn svg(
    state: &SharedState,
    code: &str,
    as_of: Option<String>,
    view: crate::flowsvg::View,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let as_of = optional_date("as_of", as_of.as_deref())?;
    let (_, flow) = power_with_flow(state, code, as_of).await?;
    let body = tokio::task::spawn_blocking(move || crate::flowsvg::render(&flow, view))
        .await
        .map_err(|e| ApiError::internal(format!("rendering failed: {e}")))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "image/svg+xml; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}

/// The flowchart (权力运行流程图) as SVG.
#[utoipa::path(get, path = "/api/powers/{code}/flow.svg", tag = "powers", params(("code" = String, Path), AsOf),
    responses((status = 200, content_type = "image/svg+xml", description = "the flowchart"), (status = 404, body = Problem)))]
pub async fn flow_svg(
    State(state): State<SharedState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<axum::response::Response> {
    svg(&state, &code, q.as_of, crate::flowsvg::View::Flowchart).await
}

/// The integrity-risk map (廉政风险防控图) as SVG: risk steps coloured by level, with controls.
#[utoipa::path(get, path = "/api/powers/{code}/riskmap.svg", tag = "powers", params(("code" = String, Path), AsOf),
    responses((status = 200, content_type = "image/svg+xml", description = "the risk map"), (status = 404, body = Problem)))]
pub async fn riskmap_svg(
    State(state): State<SharedState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<axum::response::Response> {
    svg(&state, &code, q.as_of, crate::flowsvg::View::RiskMap).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// toml or bpmn (default: from Content-Type)
    pub format: Option<String>,
    /// The committed limit in working days the flow must fit.
    pub committed_days: Option<u32>,
    /// The statutory limit in working days.
    pub statutory_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlowCheck {
    pub flow: sunlight_core::flow::Flow,
    pub total_days: u32,
    /// Every problem, by node, in the request's language; empty when the flow is valid.
    pub errors: Vec<FlowProblem>,
    /// The flowchart as it would be published (SVG), for a live preview.
    pub svg: String,
}

/// One problem of a flow.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlowProblem {
    /// The node (or edge `from→to`) concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub kind: sunlight_core::flow::FlowErrorKind,
    /// What is wrong, in the request's language (`Accept-Language`).
    pub message: String,
}

/// Read and check a flow written in TOML or drawn as BPMN, without saving anything.
#[utoipa::path(post, path = "/api/flows/check", tag = "powers", params(CheckQuery),
    request_body(content = String, content_type = "application/toml"),
    responses((status = 200, body = FlowCheck), (status = 422, body = Problem)))]
pub async fn check_flow(
    AcceptLang(lang): AcceptLang,
    headers: axum::http::HeaderMap,
    ApiQuery(q): ApiQuery<CheckQuery>,
    body: String,
) -> ApiResult<ApiJson<FlowCheck>> {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bpmn = match q.format.as_deref() {
        Some("bpmn") => true,
        Some("toml") => false,
        Some(other) => {
            return Err(ApiError::field(
                "format",
                zh_en!("“{other}”：应为 toml 或 bpmn", "«{other}»: toml or bpmn"),
            ));
        }
        None => ct.contains("xml"),
    };
    let flow = if bpmn {
        sunlight_exchange::from_bpmn(&body).map_err(ApiError::invalid)?
    } else {
        sunlight_core::flow::Flow::from_toml(&body)?
    };
    let limits = sunlight_core::flow::Limits {
        committed: q.committed_days.map(sunlight_core::TimeLimit::working_days),
        statutory: q.statutory_days.map(sunlight_core::TimeLimit::working_days),
    };
    let errors = flow
        .validate(limits)
        .into_iter()
        .map(|e| FlowProblem {
            message: e.message.get(lang).to_string(),
            node: e.node,
            kind: e.kind,
        })
        .collect();
    let svg = crate::flowsvg::render(&flow, crate::flowsvg::View::Flowchart);
    Ok(ApiJson(FlowCheck {
        total_days: flow.total_days(),
        flow,
        errors,
        svg,
    }))
}
