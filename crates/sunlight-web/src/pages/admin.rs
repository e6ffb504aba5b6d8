//! Administration (系统管理): staff and their roles, departments, the loaded calendars.

use super::{Posted, Visitor, forbidden, message, problems, render};
use crate::SharedState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sunlight_core::{CreditCode, Department, DepartmentNature, RegionCode, Role, User, Username};

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
        .map(|c| (c.scope, c.year, c.source, c.days))
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
    let built = (|| -> Result<User, String> {
        let username = Username::parse(form.get("username")).map_err(|e| e.to_string())?;
        let department = match form.get("department") {
            "" => None,
            d => Some(CreditCode::parse(d).map_err(|e| e.to_string())?),
        };
        let roles: Vec<Role> = form
            .all("roles")
            .iter()
            .filter_map(|r| Role::parse(r))
            .collect();
        if roles.is_empty() {
            return Err("roles: choose at least one role".into());
        }
        Ok(User {
            username,
            display_name: form.get("display_name").to_string(),
            department,
            roles,
        })
    })();
    let user = match built {
        Ok(u) => u,
        Err(e) => return page(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await,
    };
    let password = form.get("password");
    if password.chars().count() < 10 {
        return page(
            &state,
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("password: at least 10 characters".into()),
        )
        .await;
    }
    match state
        .store
        .add_user(&user, password, state.clock.now())
        .await
    {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            page(&state, &v, e.status, Some(e.detail)).await
        }
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
    let built = (|| -> Result<Department, String> {
        let code = CreditCode::parse(form.get("credit_code")).map_err(|e| e.to_string())?;
        let region = RegionCode::parse(form.get("region")).map_err(|e| e.to_string())?;
        let nature = DepartmentNature::parse(form.get("nature")).ok_or_else(|| {
            format!(
                "nature: «{}» is not a kind of department",
                form.get("nature")
            )
        })?;
        Department::new(code, form.get("name"), region, nature).map_err(|e| e.to_string())
    })();
    let d = match built {
        Ok(d) => d,
        Err(e) => return page(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await,
    };
    match state.store.put_department(&d).await {
        Ok(()) => Redirect::to("/admin").into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            message(&v, e.status, v.t("未能保存", "Not saved"), &e.detail)
        }
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
        Ok(s) => s,
        Err(e) => return page(&state, &v, e.status, Some(e.detail)).await,
    };
    let schedule =
        match sunlight_core::calendar::YearSchedule::from_holiday_cn(form.get("schedule")) {
            Ok(s) => s,
            Err(e) => {
                let text = problems(&ApiError::from(e)).join("；");
                return page(&state, &v, StatusCode::UNPROCESSABLE_ENTITY, Some(text)).await;
            }
        };
    match state
        .store
        .put_year_schedule(
            scope,
            &schedule,
            "admin page",
            user.username.as_str(),
            state.clock.now(),
        )
        .await
    {
        Ok(_) => Redirect::to("/admin").into_response(),
        Err(e) => {
            let e = ApiError::from(e);
            page(&state, &v, e.status, Some(e.detail)).await
        }
    }
}
