//! The supervision dashboard (电子监察): the live board by colour and department, the red and
//! yellow cases, the alerts to act on, and charts. The page listens to the live stream and
//! reloads its live part (rendered here, `?fragment=live`) when something changes.

use super::charts::{Bar, Series, bars};
use super::portal::colour_label;
use super::{PageError, Posted, Visitor, forbidden, month_start, render};
use crate::SharedState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use sunlight_core::case::Actor;
use sunlight_core::supervision::life::RecordMeasure;
use sunlight_core::supervision::{AlertAct, Measure};
use sunlight_core::{Date, Role, zh_en};
use sunlight_store::{Alert, AlertFilter, FigureQuery, GroupBy};

pub(crate) struct LiveData {
    running: u64,
    colours: Vec<(&'static str, &'static str, u64)>,
    departments: Vec<(String, Vec<u64>)>,
    attention: Vec<AttentionRow>,
    alerts: Vec<AlertRow>,
}

struct AttentionRow {
    receipt: String,
    power: String,
    department: String,
    colour: String,
    colour_label: &'static str,
    committed: String,
    statutory: String,
}

pub(crate) struct AlertRow {
    pub(crate) id: i64,
    pub(crate) rule: String,
    /// The severity and state as the page's language says them (预警 · 待签收).
    pub(crate) severity_label: String,
    pub(crate) state_label: String,
    pub(crate) subject: String,
    pub(crate) department: String,
    pub(crate) detail: String,
    pub(crate) raised: String,
    pub(crate) state: String,
    pub(crate) explanation: String,
    pub(crate) can_close: bool,
    pub(crate) can_answer: bool,
}

#[derive(Template)]
#[template(path = "watch.html")]
struct WatchPage<'a> {
    v: &'a Visitor,
    live: LiveData,
    charts: Vec<String>,
    measures: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "watch_live.html")]
struct LiveFragment<'a> {
    v: &'a Visitor,
    live: LiveData,
    measures: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct WatchQuery {
    #[serde(default)]
    fragment: String,
}

const COLOURS: [&str; 4] = ["red_card", "red", "yellow", "blue"];

fn measures() -> Vec<(&'static str, &'static str)> {
    Measure::ALL
        .into_iter()
        .map(|m| (m.as_str(), m.zh()))
        .collect()
}

async fn department_names(state: &SharedState) -> HashMap<String, String> {
    let _ = state.search.ensure(&state.store).await;
    state.search.names().departments.iter().cloned().collect()
}

pub(crate) fn alert_rows(
    v: &Visitor,
    alerts: Vec<Alert>,
    names: &HashMap<String, String>,
    zone: sunlight_core::clock::Zone,
) -> Vec<AlertRow> {
    let user = v.user.as_ref();
    let supervisor = v.has(Role::Supervisor);
    alerts
        .into_iter()
        .map(|a| {
            let ours = user
                .and_then(|u| u.department.as_ref())
                .is_some_and(|d| d.as_str() == a.department);
            AlertRow {
                id: a.id,
                rule: if v.lang.is_en() {
                    a.rule.clone()
                } else {
                    a.rule_name.clone()
                },
                severity_label: severity_label(v, &a.severity),
                state_label: state_label(v, &a.state),
                subject: a.subject.clone(),
                department: names.get(&a.department).cloned().unwrap_or_default(),
                detail: a.detail.clone(),
                raised: sunlight_core::Timestamp::from_millisecond(a.raised_at_ms)
                    .map(|t| zone.format(t))
                    .unwrap_or_default()
                    .get(..16)
                    .unwrap_or("")
                    .replace('T', " "),
                can_close: supervisor && a.state == "explained",
                can_answer: ours && matches!(a.state.as_str(), "raised" | "acknowledged"),
                state: a.state,
                explanation: a.explanation.unwrap_or_default(),
            }
        })
        .collect()
}

async fn live(state: &SharedState, v: &Visitor) -> Option<LiveData> {
    let monitor = state.engine.monitor()?;
    let board = monitor.board(200).await;
    let names = department_names(state).await;
    let colours = COLOURS
        .into_iter()
        .map(|c| {
            (
                c,
                colour_label(v.lang, c),
                board.by_colour.get(c).copied().unwrap_or(0),
            )
        })
        .collect();
    let mut departments: Vec<(String, Vec<u64>)> = board
        .by_department
        .iter()
        .map(|(d, m)| {
            (
                names.get(d).cloned().unwrap_or_else(|| d.clone()),
                COLOURS
                    .iter()
                    .map(|c| m.get(*c).copied().unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    departments.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let attention = board
        .attention
        .iter()
        .map(|c| {
            let colour = serde_json::to_value(c.colour)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            AttentionRow {
                receipt: c.receipt.clone(),
                power: c.power_name.clone(),
                department: names.get(&c.department).cloned().unwrap_or_default(),
                colour_label: colour_label(v.lang, &colour),
                colour,
                committed: c.committed.clone().unwrap_or_default(),
                statutory: c.statutory.clone().unwrap_or_default(),
            }
        })
        .collect();
    let alerts = state
        .store
        .alerts(&AlertFilter {
            state: Some("open".into()),
            limit: Some(100),
            ..AlertFilter::default()
        })
        .await
        .unwrap_or_default();
    Some(LiveData {
        running: board.running,
        colours,
        departments,
        attention,
        alerts: alert_rows(v, alerts, &names, state.zone),
    })
}

async fn charts(state: &SharedState, v: &Visitor) -> Vec<String> {
    let names = department_names(state).await;
    let today = state.zone.date(state.clock.now());
    let year_from = Date::new(today.year(), 1, 1).unwrap_or(today);
    let next_month = month_start(today, -1);
    let by_dept = state
        .store
        .figures(
            &FigureQuery::period(year_from, next_month, GroupBy::Department),
            state.zone,
        )
        .await
        .unwrap_or_default();
    let name = |k: &str| names.get(k).cloned().unwrap_or_else(|| k.to_string());
    let mut out = Vec::new();
    // 1. On-time rate per department.
    let mut rows: Vec<Bar> = by_dept
        .iter()
        .filter(|f| f.completed > 0)
        .map(|f| Bar {
            label: name(&f.key),
            values: vec![f.on_time_rate.unwrap_or(0.0) * 100.0],
            text: format!(
                "{:.0}% ({}/{})",
                f.on_time_rate.unwrap_or(0.0) * 100.0,
                f.completed_on_time,
                f.completed
            ),
        })
        .collect();
    rows.sort_by(|a, b| b.values[0].total_cmp(&a.values[0]));
    out.push(bars(
        &format!(
            "{} {}",
            today.year(),
            v.t("年按时办结率（按部门）", "on-time rate by department")
        ),
        &[Series {
            name: "",
            colour: "#2e7d32",
        }],
        &rows,
        100.0,
        false,
    ));
    // 2. Actual vs committed vs statutory working days.
    let rows: Vec<Bar> = by_dept
        .iter()
        .filter(|f| f.completed > 0)
        .map(|f| Bar {
            label: name(&f.key),
            values: vec![
                f.avg_actual_days.unwrap_or(0.0),
                f.avg_committed_days.unwrap_or(0.0),
                f.avg_statutory_days.unwrap_or(0.0),
            ],
            text: String::new(),
        })
        .collect();
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().copied())
        .fold(0.0, f64::max);
    out.push(bars(
        v.t(
            "平均实际、承诺、法定办理工作日",
            "Mean working days: actual, committed, statutory",
        ),
        &[
            Series {
                name: v.t("实际", "actual"),
                colour: "#1565c0",
            },
            Series {
                name: v.t("承诺", "committed"),
                colour: "#f9a825",
            },
            Series {
                name: v.t("法定", "statutory"),
                colour: "#9aa5b1",
            },
        ],
        &rows,
        max,
        false,
    ));
    // 3. Alerts per rule, month by month (last six months).
    let mut months: Vec<(String, BTreeMap<String, i64>)> = Vec::new();
    for back in (0..6).rev() {
        let (from, to) = (month_start(today, back), month_start(today, back - 1));
        let f = state
            .store
            .figures(&FigureQuery::period(from, to, GroupBy::Region), state.zone)
            .await
            .unwrap_or_default();
        let mut by_rule = BTreeMap::new();
        for g in f {
            for (rule, n) in g.alerts {
                *by_rule.entry(rule).or_insert(0) += n;
            }
        }
        months.push((from.to_string()[..7].to_string(), by_rule));
    }
    let mut totals: BTreeMap<String, i64> = BTreeMap::new();
    for (_, m) in &months {
        for (r, n) in m {
            *totals.entry(r.clone()).or_insert(0) += n;
        }
    }
    let mut rules: Vec<(String, i64)> = totals.into_iter().collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.1));
    rules.truncate(6);
    const PALETTE: [&str; 6] = [
        "#c62828", "#f9a825", "#1565c0", "#6a1b9a", "#2e7d32", "#00838f",
    ];
    let rule_names: Vec<String> = rules
        .iter()
        .map(|(r, _)| {
            sunlight_core::supervision::RuleId::parse(r)
                .map(|id| {
                    if v.lang.is_en() {
                        r.clone()
                    } else {
                        id.rule().name.to_string()
                    }
                })
                .unwrap_or_else(|| r.clone())
        })
        .collect();
    let series: Vec<Series> = rule_names
        .iter()
        .zip(PALETTE)
        .map(|(n, c)| Series {
            name: n.as_str(),
            colour: c,
        })
        .collect();
    let rows: Vec<Bar> = months
        .iter()
        .map(|(m, by)| {
            let values: Vec<f64> = rules
                .iter()
                .map(|(r, _)| *by.get(r).unwrap_or(&0) as f64)
                .collect();
            let total: i64 = by.values().sum();
            Bar {
                label: m.clone(),
                values,
                text: total.to_string(),
            }
        })
        .collect();
    let max = months
        .iter()
        .map(|(_, by)| by.values().sum::<i64>() as f64)
        .fold(0.0, f64::max);
    out.push(bars(
        v.t("各月预警（按规则）", "Alerts per month by rule"),
        &series,
        &rows,
        max,
        true,
    ));
    // 4. This month's scores, ranked.
    let month = state
        .store
        .figures(
            &FigureQuery::period(month_start(today, 0), next_month, GroupBy::Department),
            state.zone,
        )
        .await
        .unwrap_or_default();
    let weights = &state.engine.config().supervision.score;
    let mut rows: Vec<Bar> = month
        .iter()
        .map(|f| {
            let score = weights.score(&f.alerts, f.early_rate);
            Bar {
                label: name(&f.key),
                values: vec![score],
                text: format!("{score:.1}"),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.values[0].total_cmp(&a.values[0]));
    out.push(bars(
        &format!(
            "{} {}",
            &month_start(today, 0).to_string()[..7],
            v.t("月度考评得分排名", "monthly score ranking")
        ),
        &[Series {
            name: "",
            colour: "#b71c1c",
        }],
        &rows,
        100.0,
        false,
    ));
    out
}

pub async fn board(
    State(state): State<SharedState>,
    v: Visitor,
    q: Result<Query<WatchQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = v.staff() {
        return r;
    }
    if !v.oversees() {
        return forbidden(&v);
    }
    let Some(live_data) = live(&state, &v).await else {
        return PageError::new(
            &v,
            ApiError::not_found(zh_en!(
                "本服务器未运行电子监察。",
                "This server runs no supervision monitor."
            )),
        )
        .into_response();
    };
    if q.is_ok_and(|Query(q)| q.fragment == "live") {
        return render(
            &v,
            StatusCode::OK,
            &LiveFragment {
                v: &v,
                live: live_data,
                measures: measures(),
            },
        );
    }
    let charts = charts(&state, &v).await;
    render(
        &v,
        StatusCode::OK,
        &WatchPage {
            v: &v,
            live: live_data,
            charts,
            measures: measures(),
        },
    )
}

/// One act on an alert from a page: acknowledge or explain (its department), close or dismiss
/// (a supervisor), or record an accountability measure for it (a supervisor).
pub async fn act(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    let back = super::local_path(form.get("back"))
        .unwrap_or("/watch")
        .to_string();
    let alert = match state.store.alert(id).await {
        Ok(Some(a))
            if v.oversees()
                || user
                    .department
                    .as_ref()
                    .is_some_and(|d| d.as_str() == a.department) =>
        {
            a
        }
        _ => {
            return PageError::new(
                &v,
                ApiError::not_found(zh_en!("没有预警 {id}", "no alert {id}")),
            )
            .into_response();
        }
    };
    let result = match form.get("act") {
        "measure" => {
            let Some(measure) = Measure::parse(form.get("measure")) else {
                return PageError::new(
                    &v,
                    ApiError::field(
                        "measure",
                        zh_en!(
                            "“{m}”不是问责措施",
                            "«{m}» is not a measure",
                            m = form.get("measure"),
                        ),
                    ),
                )
                .into_response();
            };
            state
                .engine
                .record_measure(
                    RecordMeasure {
                        id: 0,
                        department: alert.department.clone(),
                        staff: Some(form.get("staff").trim().to_string()).filter(|s| !s.is_empty()),
                        measure,
                        reason: form.get("reason").to_string(),
                        alerts: vec![id],
                    },
                    Actor::Staff(user),
                    None,
                )
                .await
                .map(|_| ())
        }
        a => {
            let act = match a {
                "acknowledge" => AlertAct::Acknowledge,
                "explain" => AlertAct::Explain {
                    reason: form.get("reason").to_string(),
                    evidence: form.get("evidence").to_string(),
                },
                "close" => AlertAct::Close {
                    note: form.get("note").to_string(),
                },
                "dismiss" => AlertAct::Dismiss {
                    reason: form.get("reason").to_string(),
                },
                other => {
                    return PageError::new(
                        &v,
                        ApiError::field(
                            "act",
                            zh_en!(
                                "“{other}”不是预警处置操作",
                                "«{other}» is not an act on an alert"
                            ),
                        ),
                    )
                    .into_response();
                }
            };
            state
                .engine
                .act_on_alert(id, act, Actor::Staff(user), None)
                .await
                .map(|_| ())
        }
    };
    match result {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}

/// An alert's severity in the page's language (预警, warning).
fn severity_label(v: &Visitor, severity: &str) -> String {
    match sunlight_core::supervision::Severity::parse(severity) {
        Some(s) if !v.lang.is_en() => s.zh().to_string(),
        _ => severity.replace('_', " "),
    }
}

/// An alert's state in the page's language (待签收, raised).
fn state_label(v: &Visitor, state: &str) -> String {
    match sunlight_core::supervision::AlertState::parse(state) {
        Some(s) if !v.lang.is_en() => s.zh().to_string(),
        _ => state.replace('_', " "),
    }
}
