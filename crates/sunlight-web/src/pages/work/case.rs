//! One case on the workbench: its page with exactly the acts its viewer may take, the acts
//! themselves, and its flowchart with the position marked.

use super::*;

pub(super) struct TaskLine {
    id: u32,
    name: String,
    department: String,
    status: &'static str,
    due: String,
    by: String,
    outcome: String,
    opinion: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(super) struct CasePage<'a> {
    v: &'a Visitor,
    receipt: String,
    power: String,
    power_code: String,
    status: String,
    colour: &'static str,
    colour_label: &'static str,
    applicant: Vec<(String, String)>,
    channel: String,
    submitted: String,
    accepted: String,
    committed: String,
    statutory: String,
    /// Where the case's clock stands, in words (计时中 / 计时暂停（补正中…）…).
    clock: String,
    clock_stopped: bool,
    /// The open one-time notice: number, items (material, reason), due, note.
    notice: Option<NoticeView>,
    /// Files the case holds: material, type, size, link.
    files: Vec<FileLine>,
    supplement_days: u32,
    supplement_max_days: u32,
    materials: Vec<(String, bool, bool)>,
    note: String,
    tasks: Vec<TaskLine>,
    history: Vec<(String, String, String)>,
    actions: Vec<Available>,
    /// For each step the viewer may complete that needs more than one person (两人以上环节):
    /// the task, how many others must join, and the colleagues who may (username, name).
    co_actors: Vec<CoActors>,
    task_names: Vec<(u32, String)>,
    suspensions: Vec<String>,
    decision: Option<String>,
    /// 好差评 in words, and the 整改 still owed (its day) or done (the answer).
    rating: Option<String>,
    rectification: Option<String>,
    error: Option<String>,
    done: Option<String>,
    idem: String,
    today: String,
    tiers: Vec<(&'static str, &'static str)>,
    is_penalty: bool,
    /// Who was told what (the outbox rows about the case): when, channel, recipient masked,
    /// topic, state and attempts.
    told: Vec<[String; 5]>,
    /// Documents issued under the seal: kind, number, link, status.
    documents: Vec<[String; 4]>,
}

/// A one-time notice as a page shows it.
pub(crate) struct NoticeView {
    pub number: u32,
    pub items: Vec<(String, String)>,
    pub due: String,
    pub note: String,
}

impl NoticeView {
    pub(crate) fn of(n: &sunlight_core::case::SupplementNotice) -> Self {
        Self {
            number: n.notice,
            items: n
                .items
                .iter()
                .map(|i| (i.material.clone(), i.reason.clone()))
                .collect(),
            due: n.due.to_string(),
            note: n.note.clone(),
        }
    }
}

/// A file of a case as a page lists it.
pub(crate) struct FileLine {
    pub material: String,
    pub kind: &'static str,
    pub size: String,
    pub href: String,
}

impl FileLine {
    /// `base`: where the case's files are served (`/work/cases/{r}/files`).
    pub(crate) fn list(c: &Case, base: &str) -> Vec<Self> {
        c.files
            .iter()
            .map(|f| Self {
                material: f.material.clone(),
                kind: match f.media_type {
                    sunlight_core::case::MediaType::Pdf => "PDF",
                    sunlight_core::case::MediaType::Ofd => "OFD",
                    sunlight_core::case::MediaType::Jpeg => "JPEG",
                    sunlight_core::case::MediaType::Png => "PNG",
                },
                size: if f.size >= 1_000_000 {
                    format!("{:.1} MB", f.size as f64 / 1_000_000.0)
                } else {
                    format!("{} KB", f.size.div_ceil(1000))
                },
                href: format!("{base}/{}", f.sha256),
            })
            .collect()
    }
}

/// A channel in words.
pub(crate) fn channel_label(v: &Visitor, c: sunlight_core::case::Channel) -> &'static str {
    use sunlight_core::case::Channel;
    match c {
        Channel::Online => v.t("网上申报", "online"),
        Channel::Window => v.t("窗口受理", "at the window"),
        Channel::Ex => v.t("依职权立案", "opened by the department"),
    }
}

impl CasePage<'_> {
    /// Where an act's form posts: a supplement received at the window carries files.
    pub(super) fn form_action(&self, a: &Available) -> String {
        match a {
            Available::ReceiveSupplement { .. } => {
                format!("/work/cases/{}/supplement", self.receipt)
            }
            _ => format!("/work/cases/{}/act", self.receipt),
        }
    }

    pub(super) fn form_enctype(&self, a: &Available) -> &'static str {
        match a {
            Available::ReceiveSupplement { .. } => "multipart/form-data",
            _ => "application/x-www-form-urlencoded",
        }
    }

    /// The others a step needs, if it needs any.
    pub(super) fn co_actors_of(&self, task: &u32) -> Option<&CoActors> {
        self.co_actors.iter().find(|c| c.task == *task)
    }

    pub(super) fn task_name(&self, id: &u32) -> String {
        self.task_names
            .iter()
            .find(|(t, _)| t == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

/// Who may join the viewer on a step that needs more than one person.
pub(super) struct CoActors {
    task: u32,
    /// How many others must join (the flow's `actors` less the viewer).
    others: usize,
    /// Colleagues who may: the task's department and role, not the viewer (username, name).
    colleagues: Vec<(String, String)>,
}

/// For each step among `actions` the viewer may complete whose node needs more than one person:
/// the colleagues who hold the step's role in its department — the people `Case::decide`
/// accepts as co-actors — the viewer left out.
async fn co_actor_choices(
    state: &SharedState,
    user: &User,
    c: &Case,
    power: Option<&sunlight_core::Power>,
    actions: &[Available],
) -> Vec<CoActors> {
    let Some(flow) = power.and_then(|p| p.flow.as_ref()) else {
        return vec![];
    };
    let mut out = Vec::new();
    for a in actions {
        let Available::Complete { task } = a else {
            continue;
        };
        let Some(t) = c.task(*task) else { continue };
        let needed = flow
            .node(&t.node)
            .and_then(|n| n.task())
            .map_or(1, |n| usize::from(n.actors));
        if needed < 2 {
            continue;
        }
        let role = Role::parse(&t.role);
        let colleagues = state
            .store
            .staff_of(t.department.as_str())
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.username != user.username && role.is_some_and(|r| u.has(r)))
            .map(|u| (u.username.to_string(), u.display_name))
            .collect();
        out.push(CoActors {
            task: *task,
            others: needed - 1,
            colleagues,
        });
    }
    out
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

pub(super) async fn readable(
    state: &SharedState,
    v: &Visitor,
    receipt: &str,
) -> Result<(User, Case), Response> {
    let user = v.staff()?.clone();
    let not_found = || {
        PageError::new(
            v,
            ApiError::not_found(zh_en!("没有办件“{receipt}”", "no case «{receipt}»")),
        )
        .into_response()
    };
    let Ok(r) = ReceiptNumber::parse(receipt) else {
        return Err(not_found());
    };
    match state.engine.case(&r).await {
        Ok(Some(c)) if user.may_read_case(&c) => Ok((user, c)),
        Ok(_) => Err(not_found()),
        Err(e) => Err(PageError::new(v, e).into_response()),
    }
}

pub(super) async fn case_view(
    state: &SharedState,
    v: &Visitor,
    user: &User,
    c: &Case,
    status: StatusCode,
    error: Option<String>,
    // The kind of the event an act just caused (`?done=`), said in words on the page.
    done: Option<String>,
) -> Response {
    let power = state
        .store
        .power_version(c.opened.power.as_str(), c.opened.power_version)
        .await
        .ok()
        .flatten()
        .map(|p| p.power);
    let today = state.zone.date(state.clock.now());
    let colour = crate::pages::colour_of(state, c).await;
    let materials = power
        .as_ref()
        .map(|p| {
            p.guide
                .materials
                .iter()
                .map(|m| {
                    (
                        m.name.clone(),
                        m.required,
                        c.opened.materials.contains(&m.name),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut people = crate::pages::People::new(state, v.lang);
    let applicant = match &c.opened.applicant {
        Applicant::Person {
            name,
            id_number,
            phone,
            email,
        } => vec![
            (v.t("姓名", "Name").to_string(), v.lang.personal(name)),
            (
                v.t("身份证号", "ID number").to_string(),
                v.lang.personal(id_number),
            ),
            (v.t("电话", "Phone").to_string(), v.lang.personal(phone)),
            (v.t("电子邮箱", "Email").to_string(), v.lang.personal(email)),
        ],
        Applicant::Organisation {
            name,
            credit_code,
            representative,
            phone,
            email,
        } => vec![
            (v.t("名称", "Name").to_string(), v.lang.personal(name)),
            (
                v.t("统一社会信用代码", "Credit code").to_string(),
                credit_code.clone(),
            ),
            (
                v.t("法定代表人", "Representative").to_string(),
                v.lang.personal(representative),
            ),
            (v.t("电话", "Phone").to_string(), v.lang.personal(phone)),
            (v.t("电子邮箱", "Email").to_string(), v.lang.personal(email)),
        ],
    };
    let events = state
        .engine
        .history(&c.opened.receipt)
        .await
        .unwrap_or_default();
    // `?done=<kind>` after an act: say it in words, as the history names the latest such event.
    let done = done.map(|kind| {
        let zh = events
            .iter()
            .rev()
            .find(|h| h.kind == kind && !h.zh.is_empty())
            .map(|h| h.zh.clone())
            .unwrap_or(kind);
        format!("{}{zh}", v.t("已办理：", "Done: "))
    });
    let mut history = crate::pages::timeline(&events, c);
    crate::pages::name_actors(&mut people, &events, &mut history).await;
    // The steps table names people as the timeline does (their department has its column).
    let mut tasks = Vec::with_capacity(c.tasks.len());
    for t in &c.tasks {
        let mut who: Vec<String> = t.done_by.iter().chain(&t.co_actors).cloned().collect();
        if who.is_empty() {
            who.extend(t.assignee.clone());
        }
        tasks.push(TaskLine {
            id: t.id,
            name: t.name.clone(),
            department: people.department(&t.department).await,
            status: match t.status {
                sunlight_core::case::TaskStatus::Open => v.t("办理中", "open"),
                sunlight_core::case::TaskStatus::Done => v.t("已完成", "done"),
                sunlight_core::case::TaskStatus::Cancelled => v.t("已取消", "cancelled"),
            },
            due: t.due.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            by: people.names(&who).await,
            outcome: t.outcome.clone().unwrap_or_default(),
            opinion: t.opinion.clone(),
        });
    }
    let actions = c.actions(user);
    let co_actors = co_actor_choices(state, user, c, power.as_ref(), &actions).await;
    let date =
        |d: Option<sunlight_core::Date>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let told = told(state, v, c.opened.receipt.as_str()).await;
    let documents = document_lines(
        state,
        v,
        c,
        &format!("/work/cases/{}/documents", c.opened.receipt),
    )
    .await;
    let page = CasePage {
        told,
        documents,
        v,
        receipt: c.opened.receipt.to_string(),
        power: c.opened.power_name.clone(),
        power_code: c.opened.power.to_string(),
        status: c.status.zh().to_string(),
        colour,
        colour_label: colour_label(v.lang, colour),
        applicant,
        channel: channel_label(v, c.opened.channel).to_string(),
        submitted: crate::pages::minute(state.zone, c.submitted_at),
        accepted: date(c.accepted_on),
        committed: date(c.deadlines.committed),
        statutory: date(c.deadlines.statutory),
        clock: c.clock().label(v.lang),
        clock_stopped: c.clock().stopped(),
        notice: c.supplement.as_ref().map(NoticeView::of),
        files: FileLine::list(c, &format!("/work/cases/{}/files", c.opened.receipt)),
        supplement_days: state.engine.config().service.supplement_days,
        supplement_max_days: state.engine.config().service.supplement_max_days,
        materials,
        note: c
            .opened
            .form
            .get("note")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string(),
        tasks,
        history,
        actions,
        co_actors,
        task_names: c.tasks.iter().map(|t| (t.id, t.name.clone())).collect(),
        suspensions: power
            .as_ref()
            .and_then(|p| p.flow.as_ref())
            .map(|f| f.suspensions.clone())
            .unwrap_or_default(),
        decision: c
            .decision
            .as_ref()
            .map(|d| format!("{} {} {}", d.verdict.outcome(), d.document_no, d.reasons)),
        rating: c.rating.as_ref().map(|r| r.summary(v.lang)),
        rectification: c
            .rating
            .as_ref()
            .and_then(|r| r.rectification.as_ref())
            .map(|x| match &x.done {
                None => format!("{} {}", v.t("待整改，反馈期限", "owed by"), x.due),
                Some(d) => format!(
                    "{}{} · {}{} · {}{}",
                    v.t("核实情况：", "Findings: "),
                    d.verified,
                    v.t("整改措施：", "Measures: "),
                    d.measures,
                    v.t("回访情况：", "Call-back: "),
                    d.revisit
                ),
            }),
        error,
        done,
        idem: crate::pages::random_hex(16),
        today: today.to_string(),
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.zh())).collect(),
        is_penalty: c.opened.category == sunlight_core::PowerCategory::Penalty,
    };
    render(v, status, &page)
}

pub async fn case_page(
    State(state): State<SharedState>,
    v: Visitor,
    Path(receipt): Path<String>,
    q: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (user, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = q.map(|Query(d)| d.done).ok().filter(|d| !d.is_empty());
    case_view(&state, &v, &user, &c, StatusCode::OK, None, done).await
}

/// The case's flowchart with the open steps and the steps done marked.
pub async fn case_flow(
    State(state): State<SharedState>,
    v: Visitor,
    Path(receipt): Path<String>,
) -> Response {
    let (_, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(Some(p)) = state
        .store
        .power_version(c.opened.power.as_str(), c.opened.power_version)
        .await
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(flow) = p.power.flow else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let open: Vec<&str> = c.open_tasks().map(|t| t.node.as_str()).collect();
    let done: Vec<&str> = c
        .tasks
        .iter()
        .filter(|t| t.status == sunlight_core::case::TaskStatus::Done)
        .map(|t| t.node.as_str())
        .collect();
    let svg = crate::flowsvg::render_position(&flow, crate::flowsvg::View::Flowchart, &open, &done);
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

pub(super) fn number(form: &FormData, key: &str) -> Result<u32, ApiError> {
    form.get(key).parse().map_err(|_| {
        ApiError::field(
            key,
            zh_en!("“{n}”不是数字", "«{n}» is not a number", n = form.get(key),),
        )
    })
}

/// The command a work form asks for.
pub(super) async fn command(state: &SharedState, form: &FormData) -> Result<CaseCommand, ApiError> {
    let task = || number(form, "task");
    let lines = |key: &str| -> Vec<String> {
        form.get(key)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(match form.get("action") {
        "claim" => CaseCommand::Claim { task: task()? },
        "accept" => CaseCommand::Accept { task: task()? },
        "request_supplement" => {
            // The guide's materials as a checklist (`item_{i}` ticked, `reason_{i}`), and
            // items the clerk names (`other_{k}`, `other_reason_{k}`).
            let mut items = Vec::new();
            for i in 0..200 {
                let m = form.get(&format!("item_{i}"));
                if !m.is_empty() {
                    items.push(SupplementItem {
                        material: m.to_string(),
                        reason: form.get(&format!("reason_{i}")).to_string(),
                    });
                }
                let other = form.get(&format!("other_{i}"));
                if !other.is_empty() {
                    items.push(SupplementItem {
                        material: other.to_string(),
                        reason: form.get(&format!("other_reason_{i}")).to_string(),
                    });
                }
            }
            items.extend(lines("extra").into_iter().map(|m| SupplementItem {
                material: m,
                reason: String::new(),
            }));
            let days = match form.get("days") {
                "" => None,
                d => Some(number(form, "days").map_err(|_| {
                    ApiError::field(
                        "days",
                        zh_en!("补正期限“{d}”不是天数", "«{d}» is not a number of days"),
                    )
                })?),
            };
            CaseCommand::RequestSupplement {
                task: task()?,
                items,
                days,
                note: form.get("note").to_string(),
            }
        }
        "refuse" => CaseCommand::Refuse {
            task: task()?,
            reason: form.get("reason").to_string(),
            legal_basis: form.get("legal_basis").to_string(),
        },
        "complete" => {
            // One field per colleague chosen (the page's selects post usernames); a field may
            // name several, separated by commas or spaces.
            let mut co_actors = Vec::new();
            for name in form
                .all("co_actors")
                .iter()
                .flat_map(|f| f.split([',', '，', ' ']))
                .filter(|s| !s.trim().is_empty())
            {
                match state.store.user(name.trim()).await {
                    Ok(Some(u)) => co_actors.push(u),
                    _ => {
                        return Err(ApiError::field(
                            "co_actors",
                            zh_en!("没有工作人员“{name}”", "no member of staff «{name}»"),
                        ));
                    }
                }
            }
            CaseCommand::Complete {
                task: task()?,
                outcome: form.get("outcome").to_string(),
                opinion: form.get("opinion").to_string(),
                co_actors,
            }
        }
        "decide" => {
            let verdict = if form.get("verdict") == "deny" {
                Verdict::Deny
            } else {
                Verdict::Approve
            };
            let penalty = if form.get("tier").is_empty() {
                None
            } else {
                let tier = Tier::parse(form.get("tier")).ok_or_else(|| {
                    ApiError::field(
                        "tier",
                        zh_en!(
                            "“{t}”不是裁量阶次",
                            "«{t}» is not a tier",
                            t = form.get("tier"),
                        ),
                    )
                })?;
                let yuan: f64 = form.get("amount_yuan").parse().map_err(|_| {
                    ApiError::field(
                        "amount_yuan",
                        zh_en!(
                            "“{a}”不是金额",
                            "«{a}» is not an amount",
                            a = form.get("amount_yuan"),
                        ),
                    )
                })?;
                Some(PenaltyInput {
                    violation: form.get("violation").to_string(),
                    tier,
                    amount_fen: (yuan * 100.0).round() as i64,
                    collective_reason: Some(form.get("collective_reason").to_string())
                        .filter(|s| !s.is_empty()),
                })
            };
            CaseCommand::Decide {
                task: task()?,
                decision: DecisionInput {
                    verdict,
                    document_no: form.get("document_no").to_string(),
                    reasons: form.get("reasons").to_string(),
                    legal_basis: form.get("legal_basis").to_string(),
                    penalty,
                    documents: vec![],
                },
                opinion: form.get("opinion").to_string(),
            }
        }
        "deliver" => CaseCommand::Deliver {
            task: task()?,
            method: match form.get("method") {
                "post" => DeliveryMethod::Post,
                "electronic" => DeliveryMethod::Electronic,
                _ => DeliveryMethod::InPerson,
            },
            date: form.get("date").parse().map_err(|_| {
                ApiError::field(
                    "date",
                    zh_en!("“{d}”不是日期", "«{d}» is not a date", d = form.get("date"),),
                )
            })?,
        },
        "suspend" => CaseCommand::Suspend {
            reason: form.get("reason").to_string(),
        },
        "resume" => CaseCommand::Resume,
        "rectify" => CaseCommand::Rectify(sunlight_core::case::Rectified {
            verified: form.get("verified").to_string(),
            measures: form.get("measures").to_string(),
            revisit: form.get("revisit").to_string(),
        }),
        "extend" => CaseCommand::Extend {
            days: number(form, "days")?,
            reason: form.get("reason").to_string(),
        },
        other => {
            return Err(ApiError::field(
                "action",
                zh_en!("“{other}”不是办件操作", "«{other}» is not an act on a case"),
            ));
        }
    })
}

pub async fn act(
    State(state): State<SharedState>,
    Path(receipt): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let (user, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let cmd = match command(&state, &form).await {
        Ok(cmd) => cmd,
        Err(e) => {
            let (status, text) = match refusal_text(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            return case_view(&state, &v, &user, &c, status, Some(text), None).await;
        }
    };
    let idem = form.get("idem");
    let key = (!idem.is_empty()).then(|| format!("{}:page:{idem}", user.username));
    let result = state
        .app
        .act(
            c.opened.receipt.clone(),
            cmd,
            Actor::Staff(user.clone()),
            key,
        )
        .await;
    answered(&state, &v, &user, c, result).await
}

/// The answer to an act on the case page: the case again by GET, saying what was done, or
/// the page (as the case stands now) with the refusal above it.
async fn answered(
    state: &SharedState,
    v: &Visitor,
    user: &User,
    c: Case,
    result: Result<sunlight_engine::Ack, impl Into<ApiError>>,
) -> Response {
    match result {
        Ok(ack) => Redirect::to(&format!(
            "/work/cases/{}?done={}",
            c.opened.receipt,
            crate::pages::urlencode(&ack.kind)
        ))
        .into_response(),
        Err(e) => {
            let (status, text) = match refusal_text(v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let c = crate::pages::as_it_stands(state, c).await;
            case_view(state, v, user, &c, status, Some(text), None).await
        }
    }
}

/// A supplement handed in at the window: per item of the notice, a file (`file_{i}`) or the
/// paper original seen (`paper_{i}` ticked); `material_{i}` names the item.
pub async fn receive_supplement(
    State(state): State<SharedState>,
    Path(receipt): Path<String>,
    Uploaded { v, form, files }: Uploaded,
) -> Response {
    let (user, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (uploads, paper) = supplied(&form, files);
    let idem = form.get("idem");
    let key = (!idem.is_empty()).then(|| format!("{}:page:{idem}", user.username));
    let result = state
        .supplement(&c, &uploads, paper, Actor::Staff(user.clone()), key)
        .await;
    answered(&state, &v, &user, c, result).await
}

/// What a supplement form carries: the files by item (`file_{i}` for `material_{i}`) and the
/// items whose paper originals were seen (`paper_{i}`).
pub(crate) fn supplied(
    form: &FormData,
    files: Vec<(String, Vec<u8>)>,
) -> (Vec<sunlight_app::files::Upload>, Vec<String>) {
    let material = |field: &str| -> String {
        field
            .strip_prefix("file_")
            .map(|i| form.get(&format!("material_{i}")).to_string())
            .unwrap_or_default()
    };
    let uploads = files
        .into_iter()
        .map(|(field, bytes)| sunlight_app::files::Upload {
            material: material(&field),
            field,
            bytes,
        })
        .collect();
    let paper = (0..200)
        .filter(|i| !form.get(&format!("paper_{i}")).is_empty())
        .map(|i| form.get(&format!("material_{i}")).to_string())
        .filter(|m| !m.is_empty())
        .collect();
    (uploads, paper)
}

/// A file of a case, to those who may read the case: shown inline (PDF and images), never
/// sniffed as anything else.
pub async fn case_file(
    State(state): State<SharedState>,
    v: Visitor,
    Path((receipt, sha)): Path<(String, String)>,
) -> Response {
    let (_, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    file_response(&state, &v, &c, &sha).await
}

/// The bytes of a case's file as a response, or the page saying there is none.
pub(crate) async fn file_response(
    state: &SharedState,
    v: &Visitor,
    c: &Case,
    sha: &str,
) -> Response {
    match state.case_file(c, sha).await {
        Ok(Some((f, bytes))) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(f.media_type.mime()),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!(
                        "inline; filename=\"{}.{}\"",
                        &f.sha256[..12],
                        f.media_type.extension()
                    ))
                    .unwrap_or(HeaderValue::from_static("inline")),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; sandbox"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => PageError::new(
            v,
            ApiError::not_found(zh_en!("此办件没有该文件", "the case holds no such file")),
        )
        .into_response(),
        Err(e) => PageError::new(v, e).into_response(),
    }
}

/// The notices sent about a case, as its page lists them (recipients masked).
async fn told(state: &SharedState, v: &Visitor, receipt: &str) -> Vec<[String; 5]> {
    let rows = state.store.notices_about(receipt).await.unwrap_or_default();
    rows.into_iter()
        .map(|r| {
            let at =
                sunlight_core::Timestamp::from_millisecond(r.sent_at_ms.unwrap_or(r.created_at_ms))
                    .map(|t| {
                        state
                            .zone
                            .format(t)
                            .get(..16)
                            .unwrap_or_default()
                            .replace('T', " ")
                    })
                    .unwrap_or_default();
            let (channel, to) = match r.channel {
                sunlight_store::Channel::Email => (
                    v.t("邮件", "email"),
                    sunlight_core::case::mask_email(&r.recipient),
                ),
                _ => (
                    v.t("短信", "SMS"),
                    sunlight_core::case::mask_phone(&r.recipient),
                ),
            };
            let topic = sunlight_core::notice::Topic::parse(&r.topic)
                .map(|t| t.label().get(v.lang).to_string())
                .unwrap_or_default();
            let outcome = match r.state.as_str() {
                "sent" => v.t("已发送", "delivered").to_string(),
                "failed" => format!("{}（{}）", v.t("发送失败", "failed"), r.attempts),
                _ if r.attempts > 0 => format!(
                    "{} {} {}",
                    v.t("重试中，已尝试", "retrying; tried"),
                    r.attempts,
                    v.t("次", "times")
                ),
                _ => v.t("待发送", "queued").to_string(),
            };
            [at, channel.to_string(), to, topic, outcome]
        })
        .collect()
}

pub async fn case_document(
    State(state): State<SharedState>,
    v: Visitor,
    Path((receipt, number)): Path<(String, String)>,
) -> Response {
    let (_, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    document_response(&state, &v, &c, &number).await
}

/// A case's sealed document as a PDF download, or the page saying there is none.
pub(crate) async fn document_response(
    state: &SharedState,
    v: &Visitor,
    c: &Case,
    number: &str,
) -> Response {
    match state.app.document_pdf(c, number).await {
        Ok(Some(bytes)) => {
            let encoded: String = form_urlencoded::byte_serialize(number.as_bytes()).collect();
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/pdf"),
                    ),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("private, no-store"),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_str(&format!(
                            "attachment; filename=\"document.pdf\"; filename*=UTF-8''{encoded}.pdf"
                        ))
                        .unwrap_or(HeaderValue::from_static("attachment")),
                    ),
                    (
                        header::X_CONTENT_TYPE_OPTIONS,
                        HeaderValue::from_static("nosniff"),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Ok(None) => PageError::new(
            v,
            ApiError::not_found(zh_en!(
                "此办件没有该文书",
                "the case issued no such document"
            )),
        )
        .into_response(),
        Err(e) => PageError::new(v, e).into_response(),
    }
}

/// A case's sealed documents as its pages list them: kind, number, link, status.
pub(crate) async fn document_lines(
    state: &SharedState,
    v: &Visitor,
    c: &Case,
    base: &str,
) -> Vec<[String; 4]> {
    state
        .app
        .documents_of(c)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let kind = match d.kind.as_str() {
                "certificate" => v.t("证照", "Certificate"),
                _ => v.t("决定书", "Decision"),
            };
            let status = if d.revoked_at_ms.is_some() {
                v.t("已撤销", "revoked")
            } else {
                v.t("已加盖电子印章", "sealed")
            };
            let href = format!(
                "{base}/{}",
                form_urlencoded::byte_serialize(d.number.as_bytes()).collect::<String>()
            );
            [kind.to_string(), d.number, href, status.to_string()]
        })
        .collect()
}
