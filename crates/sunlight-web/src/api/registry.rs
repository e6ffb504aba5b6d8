//! Regions, departments, the negative list, 五统一 consistency, staff and sign-in, exports.

use crate::SharedState;
use crate::auth::{Staff, bearer};
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Code, Problem};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sunlight_core::consistency::{ConsistencyReport, report};
use sunlight_core::negative::NegativeItem;
use sunlight_core::{CreditCode, Department, Region, Role, User, Username};
use sunlight_exchange::Format;
use sunlight_store::{LoginOutcome, Page};
use utoipa::{IntoParams, ToSchema};

fn page<T>(items: Vec<T>) -> Page<T> {
    Page {
        total: items.len() as i64,
        items,
        next: None,
    }
}

/// The region tree, top down.
#[utoipa::path(get, path = "/api/regions", tag = "registry", responses((status = 200, body = Page<Region>)))]
pub async fn regions(State(state): State<SharedState>) -> ApiResult<ApiJson<Page<Region>>> {
    Ok(ApiJson(page(state.store.regions().await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    /// Only departments of this region (12 or 6 digits).
    pub region: Option<String>,
}

/// Implementing departments (实施主体).
#[utoipa::path(get, path = "/api/departments", tag = "registry", params(DepartmentQuery), responses((status = 200, body = Page<Department>)))]
pub async fn departments(
    State(state): State<SharedState>,
    ApiQuery(q): ApiQuery<DepartmentQuery>,
) -> ApiResult<ApiJson<Page<Department>>> {
    let region = q
        .region
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(sunlight_core::RegionCode::parse)
        .transpose()?;
    let all = state.store.departments().await?;
    Ok(ApiJson(page(
        all.into_iter()
            .filter(|d| region.is_none_or(|r| d.region == r))
            .collect(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegionIn {
    pub name: String,
    /// province, city, county, township or village (must agree with the code)
    pub level: String,
}

/// Add or rename a region (administrators). Its parent, which the code determines, must exist.
#[utoipa::path(put, path = "/api/regions/{code}", tag = "registry", params(("code" = String, Path)), request_body = RegionIn,
    responses((status = 200, body = Region), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_region(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<RegionIn>,
) -> ApiResult<ApiJson<Region>> {
    user.require(Role::Admin)?;
    let code = sunlight_core::RegionCode::parse(&code)?;
    let level = sunlight_core::RegionLevel::parse(&body.level).ok_or_else(|| {
        ApiError::field(
            "level",
            sunlight_core::zh_en!(
                "“{l}”：应为 province、city、county、township 或 village",
                "«{l}»: province, city, county, township or village",
                l = &body.level,
            ),
        )
    })?;
    let region = Region::new(code, &body.name, level, code.parent())?;
    state.store.put_region(&region).await?;
    Ok(ApiJson(region))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DepartmentIn {
    pub name: String,
    /// 12-digit (or 6-digit) region code
    pub region: String,
    /// legal_agency, authorized_organization or entrusted_organization (or 法定机关 …)
    pub nature: String,
}

/// Add or rename a department (administrators), identified by its credit code.
#[utoipa::path(put, path = "/api/departments/{credit_code}", tag = "registry", params(("credit_code" = String, Path)), request_body = DepartmentIn,
    responses((status = 200, body = Department), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_department(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<DepartmentIn>,
) -> ApiResult<ApiJson<Department>> {
    user.require(Role::Admin)?;
    let mut errors = Vec::new();
    let cc = CreditCode::parse(&code)
        .map_err(|e| errors.extend(e.field_errors().to_vec()))
        .ok();
    let region = sunlight_core::RegionCode::parse(&body.region)
        .map_err(|e| errors.extend(e.field_errors().to_vec()))
        .ok();
    let nature = sunlight_core::DepartmentNature::parse(&body.nature);
    if nature.is_none() {
        errors.push(sunlight_core::FieldError::new(
            "nature",
            sunlight_core::zh_en!(
                "“{n}”：应为 legal_agency（法定机关）、authorized_organization（授权组织）或 entrusted_organization（受委托组织）",
                "«{n}»: legal_agency, authorized_organization or entrusted_organization",
                n = &body.nature,
            ),
        ));
    }
    let (Some(cc), Some(region), Some(nature)) = (cc, region, nature) else {
        return Err(ApiError::invalid(errors));
    };
    let d = Department::new(cc, &body.name, region, nature)?;
    state.store.put_department(&d).await?;
    Ok(ApiJson(d))
}

/// Replace the whole negative list (registry editors); it is published as a whole.
#[utoipa::path(put, path = "/api/negative-list", tag = "registry", request_body = Vec<NegativeItem>,
    responses((status = 200, body = Page<NegativeItem>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_negative_list(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiJson(items): ApiJson<Vec<NegativeItem>>,
) -> ApiResult<ApiJson<Page<NegativeItem>>> {
    user.require(Role::RegistryEditor)?;
    let errors: Vec<_> = items
        .iter()
        .enumerate()
        .flat_map(|(i, it)| {
            [("industry", &it.industry), ("item", &it.item)]
                .into_iter()
                .filter(|(_, v)| v.trim().is_empty())
                .map(move |(f, _)| {
                    sunlight_core::FieldError::new(
                        format!("[{i}].{f}"),
                        sunlight_core::zh_en!("内容为空", "is empty"),
                    )
                })
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    state.store.replace_negative_list(&items).await?;
    Ok(ApiJson(page(items)))
}

/// The negative list (负面清单) for enterprise investment.
#[utoipa::path(get, path = "/api/negative-list", tag = "registry", responses((status = 200, body = Page<NegativeItem>)))]
pub async fn negative_list(
    State(state): State<SharedState>,
) -> ApiResult<ApiJson<Page<NegativeItem>>> {
    Ok(ApiJson(page(state.store.negative_list().await?)))
}

/// Cross-level consistency (五统一): every divergence among powers sharing a basic code.
#[utoipa::path(get, path = "/api/consistency", tag = "registry", responses((status = 200, body = ConsistencyReport)))]
pub async fn consistency(
    State(state): State<SharedState>,
) -> ApiResult<ApiJson<ConsistencyReport>> {
    let powers = state.store.powers_sharing_basic_codes().await?;
    Ok(ApiJson(report(&powers)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    pub user: User,
}

/// Sign in; answers a bearer token. Five wrong passwords in a row lock the account for 15 minutes.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = Login,
    responses((status = 200, body = SessionOut), (status = 401, body = Problem), (status = 423, body = Problem)))]
pub async fn login(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<Login>,
) -> ApiResult<ApiJson<SessionOut>> {
    match state
        .store
        .login(body.username.trim(), &body.password, state.clock.now())
        .await?
    {
        LoginOutcome::Ok(s) => Ok(ApiJson(SessionOut {
            token: s.token,
            expires_at: state.zone.format(s.expires_at),
            user: s.user,
        })),
        LoginOutcome::Refused => Err(ApiError::new(
            Code::InvalidCredentials,
            sunlight_core::zh_en!("用户名或密码不正确", "wrong user name or password"),
        )),
        LoginOutcome::Locked { until } => Err(ApiError::new(
            Code::AccountLocked,
            sunlight_core::zh_en!(
                "连续登录失败次数过多，请于 {t} 之后再试",
                "too many failed sign-ins; try again after {t}",
                t = state.zone.format(until),
            ),
        )),
    }
}

/// Sign out: the token stops working.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<SharedState>,
    headers: axum::http::HeaderMap,
) -> ApiResult<StatusCode> {
    let token = bearer(&headers).ok_or_else(ApiError::unauthenticated)?;
    state.store.logout(token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/me", tag = "auth", responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(Staff(user): Staff) -> ApiJson<User> {
    ApiJson(user)
}

/// Staff accounts (administrators and auditors).
#[utoipa::path(get, path = "/api/users", tag = "auth", responses((status = 200, body = Page<User>), (status = 403, body = Problem)))]
pub async fn users(
    State(state): State<SharedState>,
    Staff(user): Staff,
) -> ApiResult<ApiJson<Page<User>>> {
    if !user.has(Role::Admin) {
        user.require(Role::Auditor)?;
    }
    Ok(ApiJson(page(state.store.users().await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub department: Option<String>,
    pub roles: Vec<String>,
    pub password: String,
}

/// Add a member of staff (administrators).
#[utoipa::path(post, path = "/api/users", tag = "auth", request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_user(
    State(state): State<SharedState>,
    Staff(admin): Staff,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, ApiJson<User>)> {
    admin.require(Role::Admin)?;
    let mut errors = Vec::new();
    let username = Username::parse(&body.username)
        .map_err(|e| errors.extend(e.field_errors().to_vec()))
        .ok();
    let department = body
        .department
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| {
            CreditCode::parse(d).map_err(|e| {
                errors.extend(
                    e.field_errors()
                        .iter()
                        .map(|f| f.clone().within("department")),
                )
            })
        })
        .transpose()
        .ok()
        .flatten();
    let mut roles = Vec::new();
    for (i, r) in body.roles.iter().enumerate() {
        match Role::parse(r) {
            Some(role) => roles.push(role),
            None => errors.push(sunlight_core::FieldError::new(
                format!("roles[{i}]"),
                sunlight_core::zh_en!("“{r}”不是角色", "«{r}» is not a role"),
            )),
        }
    }
    let (Some(username), true) = (username, errors.is_empty()) else {
        return Err(ApiError::invalid(errors));
    };
    let user = User {
        username,
        display_name: body.display_name.trim().to_string(),
        department,
        roles,
    };
    state
        .store
        .add_user(&user, &body.password, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(user)))
}

/// The whole power list in force, as XLSX, CSV or JSON; re-importing it changes nothing.
#[utoipa::path(get, path = "/api/exports/{file}", tag = "exchange",
    params(("file" = String, Path, description = "powers.xlsx, powers.csv or powers.json")),
    responses((status = 200, description = "the file"), (status = 404, body = Problem)))]
pub async fn export(
    State(state): State<SharedState>,
    ApiPath(file): ApiPath<String>,
) -> ApiResult<Response> {
    let format = match file.strip_prefix("powers.") {
        Some(ext) => Format::from_name(ext),
        None => None,
    }
    .ok_or_else(|| {
        ApiError::not_found(sunlight_core::zh_en!(
            "没有导出文件“{file}”：可导出 powers.xlsx、powers.csv 或 powers.json",
            "no export «{file}»: powers.xlsx, powers.csv or powers.json"
        ))
    })?;
    let bytes = sunlight_app::export::powers(&state.store, format).await?;
    let today = state.zone.date(state.clock.now());
    let disposition = format!(
        "attachment; filename=\"powers-{today}.{}\"",
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
