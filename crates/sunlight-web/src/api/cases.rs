//! Cases (办件): submit, act along the flow, read state, history and inboxes; per-use approvals
//! (一事一审) and discretion benchmarks.
//!
//! Staff act with their bearer token. The applicant acts (supplement, withdraw, rate) by giving
//! the query code handed out at submission in the `X-Query-Code` header. Every command goes
//! through the case engine; its `Idempotency-Key` is also the engine's, so a retry after a
//! crash between commit and response still writes nothing twice.

use crate::SharedState;
use crate::auth::{Staff, bearer};
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Code, Problem};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use sunlight_core::calendar::Stop;
use sunlight_core::case::{
    Actor, Applicant, Case, CaseCommand, CaseStatus, Channel, Deadlines, Decision, DecisionInput,
    Delivery, DeliveryMethod, Opened, OpenedTask, Rating, ReceiptNumber, Submission,
    SupplementItem, TaskState,
};
use sunlight_core::discretion::Benchmark;
use sunlight_core::power::TimeLimit;
use sunlight_core::{
    CreditCode, Date, PowerCategory, PowerCode, RegionCode, Role, Timestamp, User, zh_en,
};
use sunlight_engine::{Ack, HistoryItem};
use sunlight_store::{Checkout, TaskRow};
use utoipa::{IntoParams, ToSchema};

fn idempotency_key(headers: &HeaderMap, principal: &str) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.trim().is_empty())
        .map(|k| format!("{principal}:{}", k.trim()))
}

fn receipt(s: &str) -> ApiResult<ReceiptNumber> {
    Ok(ReceiptNumber::parse(s)?)
}

/// The same answer whether the case does not exist or is not the caller's to see.
fn no_case(r: impl std::fmt::Display) -> ApiError {
    ApiError::not_found(zh_en!("没有办件“{r}”", "case «{r}» not found"))
}

async fn readable_case(state: &SharedState, user: &User, r: &ReceiptNumber) -> ApiResult<Case> {
    let case = state.engine.case(r).await?.ok_or_else(|| no_case(r))?;
    if !user.may_read_case(&case) {
        // Not found rather than forbidden: a receipt number of another department is not ours to confirm.
        return Err(no_case(r));
    }
    Ok(case)
}

/// A case as the API shows it to those who may read it (`User::may_read_case`): the case as its events
/// left it, the applicant included, but not the hash of the applicant's query code — a
/// credential's verifier, from which the eight digits are found by trying them all. Fields are
/// listed here one by one, so that nothing added to the case reaches callers unless it is
/// listed too.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub opened: OpenedView,
    pub status: CaseStatus,
    #[schema(value_type = String)]
    pub submitted_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub accepted_on: Option<Date>,
    pub deadlines: Deadlines,
    /// Finished clock stops.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stops: Vec<Stop>,
    /// The stop running now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended: Option<Stop>,
    pub extension_days: u32,
    pub supplement_notices: u32,
    pub tasks: Vec<TaskState>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub joins: BTreeMap<String, u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub finished_at: Option<Timestamp>,
    /// Events applied so far; the optimistic-concurrency version.
    pub version: u64,
}

/// The facts of a submission as the API shows them: all of them but the query code's hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedView {
    pub receipt: ReceiptNumber,
    pub power: PowerCode,
    pub power_version: i64,
    pub power_name: String,
    pub category: PowerCategory,
    pub region: RegionCode,
    pub department: CreditCode,
    pub applicant: Applicant,
    pub channel: Channel,
    pub form: serde_json::Value,
    pub materials: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<TimeLimit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committed_limit: Option<TimeLimit>,
    /// The per-use approval (一事一审) this case used, for an uncommon power.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout: Option<i64>,
    pub opened: Vec<OpenedTask>,
    /// Deadlines run from submission when the flow has no accept step (立案 of a penalty).
    pub deadlines: Deadlines,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub accepted_on: Option<Date>,
}

impl From<Opened> for OpenedView {
    fn from(o: Opened) -> Self {
        Self {
            receipt: o.receipt,
            power: o.power,
            power_version: o.power_version,
            power_name: o.power_name,
            category: o.category,
            region: o.region,
            department: o.department,
            applicant: o.applicant,
            channel: o.channel,
            form: o.form,
            materials: o.materials,
            statutory_limit: o.statutory_limit,
            committed_limit: o.committed_limit,
            checkout: o.checkout,
            opened: o.opened,
            deadlines: o.deadlines,
            accepted_on: o.accepted_on,
        }
    }
}

impl From<Case> for CaseView {
    fn from(c: Case) -> Self {
        Self {
            opened: c.opened.into(),
            status: c.status,
            submitted_at: c.submitted_at,
            accepted_on: c.accepted_on,
            deadlines: c.deadlines,
            stops: c.stops,
            suspended: c.suspended,
            extension_days: c.extension_days,
            supplement_notices: c.supplement_notices,
            tasks: c.tasks,
            joins: c.joins,
            decision: c.decision,
            delivery: c.delivery,
            rating: c.rating,
            finished_at: c.finished_at,
            version: c.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SubmitBody {
    #[serde(flatten)]
    pub submission: Submission,
    /// `window` (a clerk on the applicant's behalf) or `ex` (opened by the department itself,
    /// e.g. 立案); staff only. Online when absent.
    #[serde(default)]
    pub channel: Option<Channel>,
}

/// Submit an application. Anonymous calls apply online; a signed-in clerk applies at the window.
/// The answer carries the receipt number and, once, the query code.
#[utoipa::path(post, path = "/api/cases", tag = "cases", request_body = SubmitBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry safely")),
    responses((status = 201, body = Ack), (status = 422, body = Problem)))]
pub async fn submit(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SubmitBody>,
) -> ApiResult<(StatusCode, ApiJson<Ack>)> {
    let (actor, channel) = match bearer(&headers) {
        Some(token) => {
            let user = state
                .store
                .session_user(token, state.clock.now())
                .await?
                .ok_or_else(ApiError::unauthenticated)?;
            (Actor::Staff(user), body.channel.unwrap_or(Channel::Window))
        }
        None if body.channel.is_some_and(|c| c != Channel::Online) => {
            return Err(ApiError::unauthenticated());
        }
        None => (Actor::Applicant, Channel::Online),
    };
    let key = idempotency_key(&headers, actor.name());
    let ack = state
        .engine
        .submit(body.submission, channel, actor, key)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(ack)))
}

/// A command on a case, by `type`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandBody {
    Claim {
        task: u32,
    },
    Accept {
        task: u32,
    },
    /// 一次告知: the items with their reasons (missing required materials are added), and
    /// the working days to supply them in (the configured default if absent).
    RequestSupplement {
        task: u32,
        #[serde(default)]
        items: Vec<SupplementItem>,
        #[serde(default)]
        days: Option<u32>,
        #[serde(default)]
        note: String,
    },
    /// Every item of the open notice: files uploaded first (`POST /api/cases/{receipt}/files`)
    /// and named here by digest; paper materials (`materials`) at the window only.
    Supplement {
        #[serde(default)]
        materials: Vec<String>,
        #[serde(default)]
        files: Vec<FileRef>,
    },
    Refuse {
        task: u32,
        reason: String,
        legal_basis: String,
    },
    Complete {
        task: u32,
        #[serde(default)]
        outcome: String,
        #[serde(default)]
        opinion: String,
        /// Usernames of the other people of a two-person step.
        #[serde(default)]
        co_actors: Vec<String>,
    },
    Decide {
        task: u32,
        decision: DecisionInput,
        #[serde(default)]
        opinion: String,
    },
    Deliver {
        task: u32,
        method: DeliveryMethod,
        #[schema(value_type = String, format = Date)]
        date: Date,
    },
    Suspend {
        reason: String,
    },
    Resume,
    Extend {
        days: u32,
        reason: String,
    },
    Withdraw {
        #[serde(default)]
        reason: String,
    },
    Rate {
        level: u8,
        #[serde(default)]
        comment: String,
        /// Required for a 差评 (level 1 or 2).
        #[serde(default)]
        reasons: Vec<sunlight_core::case::RatingReason>,
    },
    /// The department's answer to a 差评 (整改反馈).
    Rectify {
        verified: String,
        measures: String,
        revisit: String,
    },
}

/// Who acts on case `r`: staff by their bearer token, or the applicant by the query code in
/// `X-Query-Code` (wrong guesses count against the receipt number as on the lookup page).
async fn acting(state: &SharedState, headers: &HeaderMap, r: &ReceiptNumber) -> ApiResult<Actor> {
    Ok(match bearer(headers) {
        Some(token) => Actor::Staff(
            state
                .store
                .session_user(token, state.clock.now())
                .await?
                .ok_or_else(ApiError::unauthenticated)?,
        ),
        None => {
            let code = headers
                .get("x-query-code")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(ApiError::unauthenticated)?;
            match crate::auth::applicant_case(state, r, code, None).await {
                Ok(_) => {}
                Err(crate::auth::Guess::Locked(wait)) => {
                    return Err(ApiError::new(
                        Code::TooManyGuesses,
                        zh_en!(
                            "办件“{r}”的查询码错误次数过多，请 {m} 分钟后再试",
                            "too many wrong query codes for «{r}»; try again in {m} minute(s)",
                            m = wait.as_secs().div_ceil(60),
                        ),
                    ));
                }
                Err(crate::auth::Guess::Wrong) => return Err(no_case(r)),
                Err(crate::auth::Guess::Failed(e)) => return Err(e),
            }
            Actor::Applicant
        }
    })
}

/// Act on a case along its flow. Staff use their bearer token; the applicant (supplement,
/// withdraw, rate) gives the query code in `X-Query-Code`.
#[utoipa::path(post, path = "/api/cases/{receipt}/commands", tag = "cases", request_body = CommandBody,
    params(("receipt" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "retry safely"),
           ("X-Query-Code" = Option<String>, Header, description = "the applicant's query code")),
    responses((status = 200, body = Ack), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn command(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiPath(r): ApiPath<String>,
    ApiJson(body): ApiJson<CommandBody>,
) -> ApiResult<ApiJson<Ack>> {
    let r = receipt(&r)?;
    let actor = acting(&state, &headers, &r).await?;
    let cmd = match body {
        CommandBody::Claim { task } => CaseCommand::Claim { task },
        CommandBody::Accept { task } => CaseCommand::Accept { task },
        CommandBody::RequestSupplement {
            task,
            items,
            days,
            note,
        } => CaseCommand::RequestSupplement {
            task,
            items,
            days,
            note,
        },
        CommandBody::Supplement { materials, files } => {
            let refs: Vec<(String, String)> =
                files.into_iter().map(|f| (f.material, f.sha256)).collect();
            CaseCommand::Supplement {
                materials,
                files: state.resolve_files(&refs).await?,
            }
        }
        CommandBody::Refuse {
            task,
            reason,
            legal_basis,
        } => CaseCommand::Refuse {
            task,
            reason,
            legal_basis,
        },
        CommandBody::Complete {
            task,
            outcome,
            opinion,
            co_actors,
        } => {
            let mut users = Vec::with_capacity(co_actors.len());
            for (i, name) in co_actors.iter().enumerate() {
                let u = state.store.user(name).await?.ok_or_else(|| {
                    ApiError::field(
                        &format!("co_actors[{i}]"),
                        zh_en!("没有工作人员“{name}”", "no member of staff «{name}»"),
                    )
                })?;
                users.push(u);
            }
            CaseCommand::Complete {
                task,
                outcome,
                opinion,
                co_actors: users,
            }
        }
        CommandBody::Decide {
            task,
            decision,
            opinion,
        } => CaseCommand::Decide {
            task,
            decision,
            opinion,
        },
        CommandBody::Deliver { task, method, date } => CaseCommand::Deliver { task, method, date },
        CommandBody::Suspend { reason } => CaseCommand::Suspend { reason },
        CommandBody::Resume => CaseCommand::Resume,
        CommandBody::Extend { days, reason } => CaseCommand::Extend { days, reason },
        CommandBody::Withdraw { reason } => CaseCommand::Withdraw { reason },
        CommandBody::Rate {
            level,
            comment,
            reasons,
        } => CaseCommand::Rate(Rating {
            level,
            comment,
            reasons,
            rectification: None,
        }),
        CommandBody::Rectify {
            verified,
            measures,
            revisit,
        } => CaseCommand::Rectify(sunlight_core::case::Rectified {
            verified,
            measures,
            revisit,
        }),
    };
    let key = idempotency_key(&headers, &format!("{}@{r}", actor.name()));
    Ok(ApiJson(state.app.act(r, cmd, actor, key).await?))
}

/// A file named by its digest, as a command refers to one uploaded before.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FileRef {
    /// The material it is (as the notice or the guide names it).
    pub material: String,
    pub sha256: String,
}

/// A stored file's facts.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct StoredFile {
    pub sha256: String,
    pub size: u64,
    pub media_type: sunlight_core::case::MediaType,
}

/// Uploads one file (PDF, OFD, JPEG or PNG, judged by content; the body is the file) for a
/// case's next command, by its staff (bearer) or its applicant (`X-Query-Code`). Answers its
/// digest; the same bytes uploaded twice are one file.
#[utoipa::path(post, path = "/api/cases/{receipt}/files", tag = "cases",
    params(("receipt" = String, Path), ("X-Query-Code" = Option<String>, Header, description = "the applicant's query code")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = StoredFile), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiPath(r): ApiPath<String>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, ApiJson<StoredFile>)> {
    let r = receipt(&r)?;
    // Staff: only of a case they may read (any other case is "not found").
    if let Actor::Staff(user) = acting(&state, &headers, &r).await? {
        readable_case(&state, &user, &r).await?;
    }
    let upload = sunlight_app::files::Upload {
        field: "body".into(),
        material: String::new(),
        bytes: body.to_vec(),
    };
    let f = state
        .store_files(std::slice::from_ref(&upload))
        .await?
        .remove(0);
    Ok((
        StatusCode::CREATED,
        ApiJson(StoredFile {
            sha256: f.sha256,
            size: f.size,
            media_type: f.media_type,
        }),
    ))
}

/// A case as its department sees it: applicant, materials, tasks, deadlines, decision.
#[utoipa::path(get, path = "/api/cases/{receipt}", tag = "cases", params(("receipt" = String, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<ApiJson<CaseView>> {
    let r = receipt(&r)?;
    Ok(ApiJson(readable_case(&state, &user, &r).await?.into()))
}

/// Every event of a case, with who, when and why, as the ledger holds it — but for the
/// submission's query code hash, which is nobody's to read (see [`CaseView`]).
#[utoipa::path(get, path = "/api/cases/{receipt}/history", tag = "cases", params(("receipt" = String, Path)),
    responses((status = 200, body = Vec<HistoryItem>), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<ApiJson<Vec<HistoryItem>>> {
    let r = receipt(&r)?;
    readable_case(&state, &user, &r).await?;
    let mut items = state.engine.history(&r).await?;
    for item in &mut items {
        // `case.submitted` carries the submission's facts (`Opened`) at its top level, a
        // reissued code its own hash.
        if let Some(event) = item.event.as_object_mut() {
            event.remove("query_code_hash");
            event.remove("code_hash");
        }
    }
    Ok(ApiJson(items))
}

/// The open tasks of a case.
#[utoipa::path(get, path = "/api/cases/{receipt}/tasks", tag = "cases", params(("receipt" = String, Path)),
    responses((status = 200, body = Vec<TaskRow>), (status = 404, body = Problem)))]
pub async fn tasks(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(r): ApiPath<String>,
) -> ApiResult<ApiJson<Vec<TaskRow>>> {
    let r = receipt(&r)?;
    readable_case(&state, &user, &r).await?;
    Ok(ApiJson(state.engine.open_tasks(&r).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    pub limit: Option<u32>,
}

/// 待办: the open tasks of the signed-in user's department and roles, soonest due first.
#[utoipa::path(get, path = "/api/inbox", tag = "cases", params(InboxQuery),
    responses((status = 200, body = Vec<TaskRow>), (status = 401, body = Problem)))]
pub async fn inbox(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<ApiJson<Vec<TaskRow>>> {
    let Some(dept) = &user.department else {
        return Ok(ApiJson(vec![]));
    };
    let roles: Vec<&str> = user.roles.iter().map(|r| r.as_str()).collect();
    let limit = i64::from(q.limit.unwrap_or(100).clamp(1, 500));
    Ok(ApiJson(
        state.store.inbox(dept.as_str(), &roles, limit).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckoutRequest {
    pub power: String,
    /// Why this uncommon power must be used now.
    pub reason: String,
}

/// Request a per-use approval (一事一审) to use an uncommon power once (case officer).
#[utoipa::path(post, path = "/api/checkouts", tag = "cases", request_body = CheckoutRequest,
    responses((status = 201, body = Checkout), (status = 403, body = Problem)))]
pub async fn request_checkout(
    State(state): State<SharedState>,
    Staff(user): Staff,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CheckoutRequest>,
) -> ApiResult<(StatusCode, ApiJson<Checkout>)> {
    user.require(Role::CaseOfficer)?;
    let power = state
        .store
        .power(body.power.trim(), None)
        .await?
        .ok_or_else(|| not_listed(&body.power))?;
    if power.power.usage != sunlight_core::Usage::Uncommon {
        return Err(ApiError::field(
            "power",
            zh_en!(
                "常用权力无需一事一审",
                "a common power needs no per-use approval"
            ),
        ));
    }
    let key = idempotency_key(&headers, &format!("{}@checkouts", user.username));
    let ack = state
        .engine
        .request_checkout(
            power.power.code.as_str(),
            &body.reason,
            Actor::Staff(user),
            key,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(stored_checkout(&state, &ack.id).await?),
    ))
}

async fn stored_checkout(state: &SharedState, id: &str) -> ApiResult<Checkout> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::not_found(zh_en!("没有一事一审申请 {id}", "no per-use approval {id}"))
    })?;
    state.store.checkout(id).await?.ok_or_else(|| {
        ApiError::not_found(zh_en!("没有一事一审申请 {id}", "no per-use approval {id}"))
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckoutDecision {
    pub approve: bool,
    /// How long the window stays open, in hours (default 72).
    #[serde(default)]
    pub hours: Option<u32>,
}

/// Approve (opening a time-boxed window, closed by its first use or its expiry) or reject a
/// per-use approval (approver, not the requester).
#[utoipa::path(post, path = "/api/checkouts/{id}/decision", tag = "cases", request_body = CheckoutDecision,
    params(("id" = i64, Path)),
    responses((status = 200, body = Checkout), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn decide_checkout(
    State(state): State<SharedState>,
    Staff(user): Staff,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CheckoutDecision>,
) -> ApiResult<ApiJson<Checkout>> {
    user.require(Role::Approver)?;
    let now = state.clock.now();
    let hours = i64::from(body.hours.unwrap_or(72).clamp(1, 24 * 30));
    let closes = now + jiff::SignedDuration::from_hours(hours);
    let key = idempotency_key(&headers, &format!("{}@checkout/{id}", user.username));
    let ack = state
        .engine
        .decide_checkout(id, body.approve, closes, Actor::Staff(user), key)
        .await?;
    Ok(ApiJson(stored_checkout(&state, &ack.id).await?))
}

/// A penalty power's discretion benchmark (自由裁量基准), public.
#[utoipa::path(get, path = "/api/benchmarks/{power}", tag = "cases", params(("power" = String, Path)),
    responses((status = 200, body = Benchmark), (status = 404, body = Problem)))]
pub async fn benchmark(
    State(state): State<SharedState>,
    ApiPath(power): ApiPath<String>,
) -> ApiResult<ApiJson<Benchmark>> {
    state
        .store
        .benchmark(&power)
        .await?
        .map(|(_, b)| ApiJson(b))
        .ok_or_else(|| {
            ApiError::not_found(zh_en!(
                "事项“{power}”没有裁量基准",
                "no benchmark for «{power}»"
            ))
        })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct BenchmarkBody {
    #[serde(flatten)]
    pub benchmark: Benchmark,
    /// The document that adopts it.
    pub reason: String,
}

fn not_listed(code: &str) -> ApiError {
    ApiError::field(
        "power",
        zh_en!("“{code}”不在权力清单内", "«{code}» is not in the list"),
    )
}

/// Publish a new version of a penalty power's benchmark (registry editor).
#[utoipa::path(put, path = "/api/benchmarks/{power}", tag = "cases", request_body = BenchmarkBody,
    params(("power" = String, Path)),
    responses((status = 200, body = Benchmark), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_benchmark(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(power): ApiPath<String>,
    ApiJson(body): ApiJson<BenchmarkBody>,
) -> ApiResult<ApiJson<Benchmark>> {
    user.require(Role::RegistryEditor)?;
    if body.benchmark.power.as_str() != power {
        return Err(ApiError::field(
            "power",
            zh_en!(
                "请求内容中的事项与路径中的不一致",
                "the body names another power than the path"
            ),
        ));
    }
    sunlight_app::registry::put_benchmark(
        &state.store,
        &body.benchmark,
        &body.reason,
        user.username.as_str(),
        state.now(),
    )
    .await?;
    Ok(ApiJson(body.benchmark))
}
