//! Administration (系统管理): staff and their roles, departments, the loaded calendars.

use super::{PageError, Posted, Visitor, forbidden, refusal_text, render};
use crate::SharedState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sunlight_core::{
    CreditCode, Department, DepartmentNature, RegionCode, Role, User, Username, zh_en,
};

fn admin(v: &Visitor) -> Result<User, Response> {
    let u = v.staff()?.clone();
    if u.roles.contains(&Role::Admin) {
        Ok(u)
    } else {
        Err(forbidden(v))
    }
}

struct UserRow {
    username: String,
    name: String,
    department: String,
    roles: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage<'a> {
    v: &'a Visitor,
    users: Vec<UserRow>,
    departments: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    calendars: Vec<(String, i16, String, usize)>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn page(
    state: &SharedState,
    v: &Visitor,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let _ = state.search.ensure(&state.store).await;
    let names = state.search.names();
    let users = state
        .store
        .users()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| UserRow {
            username: u.username.to_string(),
            name: u.display_name.clone(),
            department: u
                .department
                .as_ref()
                .map(|d| {
                    names
                        .department(d.as_str())
                        .unwrap_or(d.as_str())
                        .to_string()
                })
                .unwrap_or_default(),
            roles: u
                .roles
                .iter()
                .map(|r| r.zh())
                .collect::<Vec<_>>()
                .join("、"),
        })
        .collect();
    let calendars = state
        .store
        .calendar_years()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let scope = if c.scope == "national" {
                v.t("全国", "national").to_string()
            } else {
                c.scope
            };
            // Rows loaded before the source was written in Chinese.
            let source = c.source.replace(
                "shipped with Sunlight",
                v.t("系统内置", "shipped with Sunlight"),
            );
            (scope, c.year, source, c.days)
        })
        .collect();
    render(
        v,
        status,
        &AdminPage {
            v,
            users,
            departments: names.departments.clone(),
            regions: names.regions.clone(),
            calendars,
            roles: Role::ALL.iter().map(|r| (r.as_str(), r.zh())).collect(),
            error,
        },
    )
}

pub async fn index(State(state): State<SharedState>, v: Visitor) -> Response {
    if let Err(r) = admin(&v) {
        return r;
    }
    page(&state, &v, StatusCode::OK, None).await
}

/// Adds a member of staff with an initial password (they change it on first use).
pub async fn add_user(State(state): State<SharedState>, Posted { v, form }: Posted) -> Response {
    if let Err(r) = admin(&v) {
        return r;
    }
    let built = (|| -> Result<User, ApiError> {
        let username = Username::parse(form.get("username"))?;
        let department = match form.get("department") {
            "" => None,
            d => Some(CreditCode::parse(d)?),
        };
        let roles: Vec<Role> = form
            .all("roles")
            .iter()
            .filter_map(|r| Role::parse(r))
            .collect();
        if roles.is_empty() {
            return Err(ApiError::field(
                "roles",
                zh_en!("请至少选择一个角色", "choose at least one role"),
            ));
        }
        if form.get("password").chars().count() < 10 {
            return Err(ApiError::field(
                "password",
                zh_en!("初始密码至少 10 位", "at least 10 characters"),
            ));
        }
        Ok(User {
            username,
            display_name: form.get("display_name").to_string(),
            department,
            roles,
        })
    })();
    let done = match built {
        Ok(user) => state
            .store
            .add_user(&user, form.get("password"), state.clock.now())
            .await
            .map_err(ApiError::from),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => match refusal_text(&v, e) {
            Ok((status, text)) => page(&state, &v, status, Some(text)).await,
            Err(page) => page,
        },
    }
}

/// Adds or renames a department (实施主体).
pub async fn put_department(
    State(state): State<SharedState>,
    Posted { v, form }: Posted,
) -> Response {
    if let Err(r) = admin(&v) {
        return r;
    }
    let built = (|| -> Result<Department, ApiError> {
        let code = CreditCode::parse(form.get("credit_code"))?;
        let region = RegionCode::parse(form.get("region"))?;
        let nature = DepartmentNature::parse(form.get("nature")).ok_or_else(|| {
            ApiError::field(
                "nature",
                zh_en!(
                    "“{n}”不是主体性质",
                    "«{n}» is not a kind of department",
                    n = form.get("nature"),
                ),
            )
        })?;
        Ok(Department::new(code, form.get("name"), region, nature)?)
    })();
    let d = match built {
        Ok(d) => d,
        Err(e) => {
            return match refusal_text(&v, e) {
                Ok((status, text)) => page(&state, &v, status, Some(text)).await,
                Err(page) => page,
            };
        }
    };
    match state.store.put_department(&d).await {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}

/// Loads a year's working-day schedule (holiday-cn JSON) for the nation or a region.
pub async fn put_calendar(
    State(state): State<SharedState>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match admin(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let scope = match crate::api::calendars::scope(form.get("scope")) {
        Ok(scope) => scope,
        Err(e) => {
            return match refusal_text(&v, e) {
                Ok((status, text)) => page(&state, &v, status, Some(text)).await,
                Err(page) => page,
            };
        }
    };
    match sunlight_app::registry::put_year_schedule(
        &state.store,
        scope,
        form.get("schedule"),
        None,
        "admin page",
        user.username.as_str(),
        state.now(),
    )
    .await
    {
        Ok(_) => Redirect::to("/admin").into_response(),
        Err(e) => match refusal_text(&v, e) {
            Ok((status, text)) => page(&state, &v, status, Some(text)).await,
            Err(page) => page,
        },
    }
}
