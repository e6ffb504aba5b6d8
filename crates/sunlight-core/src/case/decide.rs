//! Deciding a command: the rules (清单之外无权力, 程序固化, 裁量限定, 时限) that turn a
//! command into exactly one event or a refusal naming its rule, and the acts a viewer may take.

use super::*;

impl Case {
    /// Checks `cmd` against the rules and answers with the event it causes.
    pub fn decide(
        &self,
        cmd: &CaseCommand,
        actor: &Actor,
        env: &Env,
    ) -> Result<CaseEvent, DomainError> {
        let body = self.decide_body(cmd, actor, env)?;
        Ok(CaseEvent {
            at: env.now,
            actor: actor.name().to_string(),
            body,
        })
    }

    pub(super) fn decide_body(
        &self,
        cmd: &CaseCommand,
        actor: &Actor,
        env: &Env,
    ) -> Result<EventBody, DomainError> {
        use CaseCommand::*;
        let receipt = &self.opened.receipt;
        let live = || -> Result<(), DomainError> {
            if self.status.is_finished() {
                Err(rule(
                    ErrorCode::CaseState,
                    zh_en!(
                        "办件 {receipt} 已经终结（{status}），不能再办理",
                        "case {receipt} is {en} (finished)",
                        status = self.status.zh(),
                        en = self.status.as_str(),
                    ),
                ))
            } else {
                Ok(())
            }
        };
        match cmd {
            Claim { task } => {
                live()?;
                let t = self.open_task(*task)?;
                self.may_do(actor, t)?;
                if let Some(a) = &t.assignee {
                    return Err(rule(
                        ErrorCode::TaskState,
                        zh_en!(
                            "环节“{name}”已由 {a} 认领",
                            "task «{name}» is already claimed by {a}",
                            name = &t.name,
                        ),
                    ));
                }
                Ok(EventBody::Claimed { task: *task })
            }
            Accept { task } => {
                let t = self.step_task(*task, StepKind::Accept, actor, "accept")?;
                if self.status != CaseStatus::Submitted {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，材料齐全后方可受理",
                            "case {receipt} is {en}; accept it once the materials are complete",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                let missing = self.missing_materials(env.power);
                if !missing.is_empty() {
                    return Err(rule(
                        ErrorCode::MaterialsIncomplete,
                        zh_en!(
                            "缺少必要材料：{list}。请一次性告知申请人需补正的全部材料（一次告知）",
                            "required materials are missing: {list}; request a supplement listing them all at once (一次告知)",
                            list = missing.join("、"),
                        ),
                    ));
                }
                let today = env.today();
                let deadlines = compute_deadlines(&self.opened, env, env.now, &[], 0)?;
                let progress = self.progress(t, Some("受理"), actor, vec![], String::new(), env)?;
                Ok(EventBody::Accepted {
                    progress,
                    accepted_on: today,
                    deadlines,
                })
            }
            RequestSupplement {
                task,
                items,
                days,
                note,
            } => self.decide_request_supplement(*task, items, *days, note, actor, env),
            Supplement { materials, files } => self.decide_supplement(materials, files, actor, env),
            LapseSupplement => self.decide_lapse(actor, env),
            Refuse {
                task,
                reason,
                legal_basis,
            } => {
                let _ = self.step_task(*task, StepKind::Accept, actor, "refuse")?;
                required("reason", reason, ("不予受理的理由", "a refusal's reason"))?;
                required(
                    "legal_basis",
                    legal_basis,
                    ("不予受理的法律依据", "a refusal's legal basis"),
                )?;
                Ok(EventBody::Refused {
                    task: *task,
                    reason: reason.clone(),
                    legal_basis: legal_basis.clone(),
                })
            }
            Complete {
                task,
                outcome,
                opinion,
                co_actors,
            } => {
                live()?;
                self.not_suspended()?;
                let t = self.open_task(*task)?;
                if matches!(
                    t.step,
                    StepKind::Accept | StepKind::Decide | StepKind::Deliver
                ) {
                    return Err(rule(
                        ErrorCode::TaskState,
                        zh_en!(
                            "“{name}”是{step}环节，应以{acts}办结",
                            "«{name}» is a {step} step: finish it with {en}",
                            name = &t.name,
                            step = t.step.zh(),
                            acts = match t.step {
                                StepKind::Accept => "受理、一次告知补正或不予受理",
                                StepKind::Decide => "作出决定",
                                _ => "送达",
                            },
                            en = match t.step {
                                StepKind::Accept => "accept, request_supplement or refuse",
                                StepKind::Decide => "decide",
                                _ => "deliver",
                            },
                        ),
                    ));
                }
                self.may_do(actor, t)?;
                let outcome = if outcome.trim().is_empty() {
                    "同意".to_string()
                } else {
                    outcome.trim().to_string()
                };
                let progress = self.progress(
                    t,
                    Some(&outcome),
                    actor,
                    co_actors.clone(),
                    opinion.clone(),
                    env,
                )?;
                Ok(EventBody::TaskCompleted { progress, outcome })
            }
            Decide {
                task,
                decision,
                opinion,
            } => {
                self.not_suspended()?;
                let t = self.step_task(*task, StepKind::Decide, actor, "decide")?;
                let decision = self.check_decision(decision, t, env)?;
                let progress = self.progress(
                    t,
                    Some(decision.verdict.outcome()),
                    actor,
                    vec![],
                    opinion.clone(),
                    env,
                )?;
                Ok(EventBody::Decided { progress, decision })
            }
            Deliver { task, method, date } => {
                self.not_suspended()?;
                let t = self.step_task(*task, StepKind::Deliver, actor, "deliver")?;
                let decided_on = self
                    .tasks
                    .iter()
                    .filter(|x| x.step == StepKind::Decide && x.status == TaskStatus::Done)
                    .filter_map(|x| x.done_at)
                    .map(|at| env.zone.date(at))
                    .max();
                if let Some(d) = decided_on
                    && *date < d
                {
                    return Err(DomainError::field(
                        "date",
                        zh_en!(
                            "送达日期 {date} 早于决定日期 {d}",
                            "delivery on {date} precedes the decision of {d}"
                        ),
                    ));
                }
                if *date > env.today() {
                    return Err(DomainError::field(
                        "date",
                        zh_en!("{date} 尚未到来", "{date} is in the future"),
                    ));
                }
                let progress =
                    self.progress(t, Some("已送达"), actor, vec![], String::new(), env)?;
                Ok(EventBody::Delivered {
                    progress,
                    delivery: Delivery {
                        method: *method,
                        date: *date,
                    },
                })
            }
            Suspend { reason } => {
                live()?;
                if self.status != CaseStatus::InProgress {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，只有办理中的办件才能暂停计时",
                            "case {receipt} is {en}; only a case in progress can stop its clock",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                self.case_staff(actor, &[Role::CaseOfficer, Role::Approver])?;
                let allowed = &env.flow()?.suspensions;
                if !allowed.iter().any(|a| a == reason.trim()) {
                    return Err(rule(
                        ErrorCode::SuspensionReason,
                        zh_en!(
                            "本流程只允许因以下情形暂停计时：{zh_list}；“{reason}”不在其列",
                            "the flow stops the clock only for: {en_list}; «{reason}» is not one of them",
                            zh_list = if allowed.is_empty() {
                                "（无）".to_string()
                            } else {
                                allowed.join("、")
                            },
                            en_list = if allowed.is_empty() {
                                "nothing".to_string()
                            } else {
                                allowed.join("、")
                            },
                        ),
                    ));
                }
                Ok(EventBody::Suspended {
                    reason: reason.trim().to_string(),
                    from: env.today(),
                })
            }
            Resume => {
                let Some(open) = &self.suspended else {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 未暂停计时",
                            "case {receipt} is not suspended"
                        ),
                    ));
                };
                self.case_staff(actor, &[Role::CaseOfficer, Role::Approver])?;
                let today = env.today();
                let mut stops = self.stops.clone();
                stops.push(Stop {
                    from: open.from,
                    to: today,
                    reason: open.reason.clone(),
                });
                let deadlines = self.recompute(env, &stops, self.extension_days)?;
                Ok(EventBody::Resumed {
                    on: today,
                    deadlines,
                })
            }
            Extend { days, reason } => {
                live()?;
                if self.accepted_on.is_none() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 尚未受理，没有可延长的办理期限",
                            "case {receipt} has not been accepted; there is no time limit to extend"
                        ),
                    ));
                }
                self.case_staff(actor, &[Role::Approver])?;
                required(
                    "reason",
                    reason,
                    ("延长期限的理由", "an extension's reason"),
                )?;
                if *days == 0 {
                    return Err(DomainError::field(
                        "days",
                        zh_en!(
                            "延长期限至少为 1 个工作日",
                            "extend by at least one working day"
                        ),
                    ));
                }
                let total = self.extension_days + days;
                if total > env.extension_allowance {
                    return Err(rule(
                        ErrorCode::ExtensionOverAllowance,
                        zh_en!(
                            "累计延长将达 {total} 个工作日，超过法定可延长的 {allowed} 个工作日（《中华人民共和国行政许可法》第四十二条）",
                            "extensions would total {total} working days; the law allows {allowed} (行政许可法第四十二条)",
                            allowed = env.extension_allowance,
                        ),
                    ));
                }
                let deadlines = self.recompute(env, &self.stops, total)?;
                Ok(EventBody::Extended {
                    days: *days,
                    reason: reason.clone(),
                    deadlines,
                })
            }
            Withdraw { reason } => {
                live()?;
                if let Actor::Staff(u) = actor
                    && !u.roles.contains(&Role::WindowClerk)
                {
                    return Err(rule(
                        ErrorCode::RoleRequired,
                        zh_en!(
                            "撤回申请须由申请人本人或经窗口工作人员办理",
                            "the applicant withdraws, in person or through a window clerk"
                        ),
                    ));
                }
                Ok(EventBody::Withdrawn {
                    reason: reason.clone(),
                })
            }
            Rate(r) => {
                if !matches!(actor, Actor::Applicant) {
                    return Err(rule(
                        ErrorCode::RoleRequired,
                        zh_en!(
                            "只有申请人可以对办件作出评价（好差评）",
                            "only the applicant rates a case (好差评)"
                        ),
                    ));
                }
                if !self.status.is_finished() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，办结后方可评价",
                            "case {receipt} is {en}; rate it once finished",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                if self.rating.is_some() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 已评价，不能重复评价",
                            "case {receipt} has been rated already"
                        ),
                    ));
                }
                let mut rating = rating::check_rating(r)?;
                if is_poor(rating.level) {
                    let due = env
                        .calendar
                        .add_working_days(env.today(), env.service.rectify_days)
                        .map_err(calendar_error)?;
                    rating.rectification = Some(Rectification {
                        due,
                        basis: env.service.rectify_basis.clone(),
                        done: None,
                    });
                }
                Ok(EventBody::Rated(rating))
            }
            ReissueQueryCode { code_hash } => {
                if !matches!(actor, Actor::Applicant | Actor::Public) {
                    return Err(rule(
                        ErrorCode::RoleRequired,
                        zh_en!(
                            "查询码由申请人自行申请重新发送",
                            "the applicant asks for a new query code themselves"
                        ),
                    ));
                }
                if crate::notice::normalise_mobile(self.opened.applicant.phone()).is_none() {
                    return Err(rule(
                        ErrorCode::InvalidTransition,
                        zh_en!(
                            "办件 {receipt} 未登记手机号码，无法发送查询码；请携带身份证件到窗口查询",
                            "case {receipt} has no mobile number to send a code to; ask at the window with your ID"
                        ),
                    ));
                }
                let today = env.today();
                if let Some((day, n)) = self.codes_reissued
                    && day == today
                    && n >= CODES_PER_DAY
                {
                    return Err(rule(
                        ErrorCode::TooManyRequests,
                        zh_en!(
                            "办件 {receipt} 今日已重新发送 {CODES_PER_DAY} 次查询码，请明日再试或到窗口查询",
                            "case {receipt} has had {CODES_PER_DAY} new codes today; try tomorrow or ask at the window"
                        ),
                    ));
                }
                // A keyed hash as the engine writes it (`hmac-sha256:` + hex); never a code.
                if !(32..=128).contains(&code_hash.len())
                    || !code_hash.bytes().all(|b| b.is_ascii_graphic())
                {
                    return Err(DomainError::field(
                        "code_hash",
                        zh_en!("查询码摘要格式不正确", "not a query code's keyed hash"),
                    ));
                }
                Ok(EventBody::QueryCodeReissued {
                    code_hash: code_hash.clone(),
                    on: today,
                })
            }
            Rectify(answer) => {
                let Some(open) = self.rating.as_ref().and_then(|r| r.rectification.as_ref()) else {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 没有待整改的差评",
                            "case {receipt} has no poor rating to answer"
                        ),
                    ));
                };
                if open.done.is_some() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 的差评已整改反馈，不能重复提交",
                            "the poor rating of case {receipt} has been answered already"
                        ),
                    ));
                }
                self.case_staff(
                    actor,
                    &[Role::Approver, Role::WindowClerk, Role::CaseOfficer],
                )?;
                Ok(EventBody::Rectified(rating::check_rectified(answer)?))
            }
        }
    }

    pub(super) fn not_suspended(&self) -> Result<(), DomainError> {
        if self.status == CaseStatus::Suspended {
            Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 正在暂停计时，请先恢复计时",
                    "case {receipt} is suspended; resume it first",
                    receipt = &self.opened.receipt,
                ),
            ))
        } else {
            Ok(())
        }
    }

    pub(super) fn open_task(&self, id: u32) -> Result<&TaskState, DomainError> {
        let t = self.task(id).ok_or_else(|| {
            DomainError::field(
                "task",
                zh_en!(
                    "办件 {receipt} 没有编号为 {id} 的环节",
                    "case {receipt} has no task {id}",
                    receipt = &self.opened.receipt,
                ),
            )
        })?;
        if t.status != TaskStatus::Open {
            return Err(rule(
                ErrorCode::TaskState,
                zh_en!(
                    "环节“{name}”已结束（办理人：{zh_by}）",
                    "task «{name}» is no longer open (done by {en_by})",
                    name = &t.name,
                    zh_by = t.done_by.as_deref().unwrap_or("无"),
                    en_by = t.done_by.as_deref().unwrap_or("nobody"),
                ),
            ));
        }
        Ok(t)
    }

    pub(super) fn step_task(
        &self,
        id: u32,
        step: StepKind,
        actor: &Actor,
        verb: &str,
    ) -> Result<&TaskState, DomainError> {
        if self.status.is_finished() {
            return Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 已经终结（{status}），不能再办理",
                    "case {receipt} is {en} (finished)",
                    receipt = &self.opened.receipt,
                    status = self.status.zh(),
                    en = self.status.as_str(),
                ),
            ));
        }
        let t = self.open_task(id)?;
        if t.step != step {
            return Err(rule(
                ErrorCode::TaskState,
                zh_en!(
                    "“{name}”是{is}环节，此项操作只能办结{wants}环节",
                    "«{name}» is a {is} step; `{verb}` finishes a {wants} step",
                    name = &t.name,
                    is = t.step.zh(),
                    wants = step.zh(),
                ),
            ));
        }
        self.may_do(actor, t)?;
        Ok(t)
    }

    /// Role, department, claim and separation of duties for one task.
    pub(super) fn may_do(&self, actor: &Actor, t: &TaskState) -> Result<(), DomainError> {
        let u = actor.staff()?;
        holds(u, t)?;
        if let Some(a) = &t.assignee
            && a != u.username.as_str()
        {
            return Err(rule(
                ErrorCode::TaskState,
                zh_en!(
                    "环节“{name}”已由 {a} 认领",
                    "task «{name}» is claimed by {a}",
                    name = &t.name,
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn check_separation(
        &self,
        flow: &Flow,
        t: &TaskState,
        people: &[&str],
    ) -> Result<(), DomainError> {
        let Some(task) = flow.node(&t.node).and_then(|n| n.task()) else {
            return Ok(());
        };
        for other in &task.differs_from {
            for done in self
                .tasks
                .iter()
                .filter(|x| &x.node == other && x.status == TaskStatus::Done)
            {
                let mut did: Vec<&str> = done.done_by.iter().map(String::as_str).collect();
                did.extend(done.co_actors.iter().map(String::as_str));
                if let Some(p) = people.iter().find(|p| did.contains(p)) {
                    return Err(rule(
                        ErrorCode::SeparationOfDuties,
                        zh_en!(
                            "{p} 已办理本案“{did}”环节，不得再办理“{this}”环节（岗位分离）",
                            "{p} did «{did}» on this case and may not also do «{this}» ({did}≠{this})",
                            did = &done.name,
                            this = &t.name,
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Finishing task `t`: who, separation of duties, two-person rule, then the flow walk.
    pub(super) fn progress(
        &self,
        t: &TaskState,
        outcome: Option<&str>,
        actor: &Actor,
        co_actors: Vec<User>,
        opinion: String,
        env: &Env,
    ) -> Result<Progress, DomainError> {
        let flow = env.flow()?;
        let node = flow
            .node(&t.node)
            .and_then(|n| n.task())
            .ok_or_else(|| corrupt_flow(&t.node))?;
        let me = actor.name();
        let mut people: Vec<&str> = vec![me];
        for c in &co_actors {
            holds(c, t)?;
            if people.contains(&c.username.as_str()) {
                return Err(rule(
                    ErrorCode::TwoPersonRequired,
                    zh_en!(
                        "{user} 被重复列入；“{name}”须由 {n} 名不同的工作人员办理",
                        "{user} is named twice; «{name}» needs {n} different people",
                        user = &c.username,
                        name = &t.name,
                        n = node.actors,
                    ),
                ));
            }
            people.push(c.username.as_str());
        }
        if people.len() < usize::from(node.actors) {
            return Err(rule(
                ErrorCode::TwoPersonRequired,
                zh_en!(
                    "“{name}”须由 {n} 名不同的工作人员共同办理（不能一人办理），请填写共同办理人",
                    "«{name}» needs {n} different people (不能一人办理); name the others as co_actors",
                    name = &t.name,
                    n = node.actors,
                ),
            ));
        }
        self.check_separation(flow, t, &people)?;
        let mut walk = Walk {
            flow,
            outcome,
            data: &self.opened.form,
            joins: self.joins.clone(),
            to_open: vec![],
            finished: false,
        };
        walk.leave(&t.node)?;
        let next_id = self.tasks.iter().map(|t| t.id).max().unwrap_or(0) + 1;
        Ok(Progress {
            task: t.id,
            co_actors: co_actors.iter().map(|c| c.username.to_string()).collect(),
            opinion,
            opened: open_tasks(flow, &walk.to_open, next_id, env, env.today()),
            joins: walk.joins,
            finished: walk.finished,
        })
    }

    pub(super) fn check_decision(
        &self,
        d: &DecisionInput,
        t: &TaskState,
        env: &Env,
    ) -> Result<Decision, DomainError> {
        let penalty_power = self.opened.category == PowerCategory::Penalty;
        let mut errors = Vec::new();
        match d.verdict {
            Verdict::Approve => {
                if d.document_no.trim().is_empty() {
                    errors.push(FieldError::new(
                        "decision.document_no",
                        zh_en!(
                            "请填写决定文书或证照编号",
                            "the decision's document or certificate number is required"
                        ),
                    ));
                }
            }
            Verdict::Deny => {
                if d.reasons.trim().is_empty() {
                    errors.push(FieldError::new(
                        "decision.reasons",
                        zh_en!(
                            "作出不予许可决定，应当说明理由（《中华人民共和国行政许可法》第三十八条第二款）",
                            "a denial states its reasons (行政许可法第三十八条)"
                        ),
                    ));
                }
                if d.legal_basis.trim().is_empty() {
                    errors.push(FieldError::new(
                        "decision.legal_basis",
                        zh_en!(
                            "作出不予许可决定，应当载明法律依据",
                            "a denial states its legal basis"
                        ),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let penalty = match (&d.penalty, penalty_power, d.verdict) {
            (Some(p), true, Verdict::Approve) => Some(self.check_penalty(p, t, env)?),
            (None, true, Verdict::Approve) => {
                return Err(DomainError::field(
                    "decision.penalty",
                    zh_en!(
                        "行政处罚决定应载明违法行为、情节阶次和罚款金额",
                        "a penalty decision names the violation, the circumstance tier and the amount"
                    ),
                ));
            }
            (Some(_), _, _) => {
                return Err(DomainError::field(
                    "decision.penalty",
                    zh_en!(
                        "只有行政处罚事项作出处罚决定时才载明处罚内容",
                        "only a penalty power's decision to punish carries a penalty"
                    ),
                ));
            }
            (None, _, _) => None,
        };
        let remedy = (d.verdict == Verdict::Deny || penalty.is_some()).then(Remedy::statutory);
        let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        for (i, doc) in d.documents.iter().enumerate() {
            let twice = d.documents[..i].iter().any(|o| o.kind == doc.kind);
            if twice || doc.number.trim().is_empty() || !hex64(&doc.sha256) || !hex64(&doc.sm3) {
                return Err(DomainError::field(
                    "decision.documents",
                    zh_en!(
                        "签发的文书不完整或重复（每类文书一份，须有编号和摘要）",
                        "an issued document is incomplete or repeated (one of each kind, with its number and digests)"
                    ),
                ));
            }
            if doc.kind == DocumentKind::Certificate && d.verdict != Verdict::Approve {
                return Err(DomainError::field(
                    "decision.documents",
                    zh_en!("不予许可的决定不颁发证照", "a denial issues no certificate"),
                ));
            }
        }
        Ok(Decision {
            verdict: d.verdict,
            document_no: d.document_no.trim().to_string(),
            reasons: d.reasons.clone(),
            legal_basis: d.legal_basis.clone(),
            remedy,
            penalty,
            documents: d.documents.clone(),
        })
    }

    pub(super) fn check_penalty(
        &self,
        p: &PenaltyInput,
        t: &TaskState,
        env: &Env,
    ) -> Result<Penalty, DomainError> {
        let b = env.benchmark.ok_or_else(|| {
            rule(
                ErrorCode::NoDiscretionBenchmark,
                zh_en!(
                    "事项 {power} 尚无行政处罚裁量基准，须先公布裁量基准方可决定罚款",
                    "{power} has no discretion benchmark (自由裁量基准); the registry must publish one before fines are decided",
                    power = &self.opened.power,
                ),
            )
        })?;
        if p.amount_fen < 0 {
            return Err(DomainError::field(
                "decision.penalty.amount_fen",
                zh_en!("罚款金额不能为负数", "an amount is not negative"),
            ));
        }
        let band = b.check(&p.violation, p.tier, p.amount_fen, &self.opened.form)?;
        let collective = env
            .flow()?
            .node(&t.node)
            .and_then(|n| n.task())
            .is_some_and(|t| t.collective);
        let reason = p
            .collective_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if !band.within {
            let yuan = |f: i64| format!("{}.{:02}", f / 100, f % 100);
            let why = zh_en!(
                "罚款 {amount} 元超出“{violation}”{tier}情节的裁量幅度 {min}–{max} 元",
                "{amount} yuan is outside the {tier} band {min}–{max} yuan for «{violation}»",
                amount = yuan(p.amount_fen),
                tier = p.tier.zh(),
                min = yuan(band.min_fen),
                max = yuan(band.max_fen),
                violation = &p.violation,
            );
            match (collective, reason) {
                (true, Some(_)) => {}
                (true, None) => {
                    return Err(rule(
                        ErrorCode::OutsideDiscretionBand,
                        why.append(
                            "；经集体讨论决定的，可在记录理由后超出幅度",
                            "; a collective decision (集体讨论) may go outside it with a recorded reason",
                        ),
                    ));
                }
                (false, _) => return Err(rule(ErrorCode::OutsideDiscretionBand, why)),
            }
        }
        Ok(Penalty {
            violation: p.violation.clone(),
            tier: p.tier,
            amount_fen: p.amount_fen,
            band,
            collective_reason: reason.map(str::to_string),
        })
    }

    /// Staff of the case's department (or of a department with an open task) with one of `roles`.
    pub(super) fn case_staff(&self, actor: &Actor, roles: &[Role]) -> Result<(), DomainError> {
        let u = actor.staff()?;
        if !roles.iter().any(|r| u.roles.contains(r)) {
            return Err(rule(
                ErrorCode::RoleRequired,
                zh_en!(
                    "此项操作须由{zh}办理",
                    "this needs the role {en}",
                    zh = roles.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或"),
                    en = roles
                        .iter()
                        .map(|r| r.zh())
                        .collect::<Vec<_>>()
                        .join(" or "),
                ),
            ));
        }
        let ours = u.department.as_ref().is_some_and(|d| {
            d == &self.opened.department || self.open_tasks().any(|t| &t.department == d)
        });
        if !ours {
            return Err(rule(
                ErrorCode::WrongDepartment,
                zh_en!(
                    "办件 {receipt} 由其他部门办理",
                    "case {receipt} belongs to another department",
                    receipt = &self.opened.receipt,
                ),
            ));
        }
        Ok(())
    }

    /// What `user` may do on this case now, and nothing else: the work pages offer exactly
    /// these. The rules of [`Case::decide`] still judge each command (a two-person step, a
    /// fine's band and separation of duties are checked there, with their reasons).
    pub fn actions(&self, user: &User) -> Vec<Available> {
        let mut out = Vec::new();
        let actor = Actor::Staff(user.clone());
        if self.status.is_finished() {
            if self.rectification_due().is_some()
                && self
                    .case_staff(
                        &actor,
                        &[Role::Approver, Role::WindowClerk, Role::CaseOfficer],
                    )
                    .is_ok()
            {
                out.push(Available::Rectify);
            }
            return out;
        }
        for t in self.open_tasks() {
            if holds(user, t).is_err() {
                continue;
            }
            match &t.assignee {
                Some(a) if a != user.username.as_str() => continue,
                None => out.push(Available::Claim { task: t.id }),
                Some(_) => {}
            }
            let task = t.id;
            match t.step {
                StepKind::Accept if self.status == CaseStatus::Submitted => {
                    out.push(Available::Accept { task });
                    out.push(Available::RequestSupplement { task });
                    out.push(Available::Refuse { task });
                }
                StepKind::Accept if self.status == CaseStatus::AwaitingSupplement => {
                    out.push(Available::ReceiveSupplement { task });
                }
                StepKind::Accept => {}
                StepKind::Decide => out.push(Available::Decide { task }),
                StepKind::Deliver => out.push(Available::Deliver { task }),
                _ => out.push(Available::Complete { task }),
            }
        }
        let accepted = self.accepted_on.is_some();
        let officer = self
            .case_staff(&actor, &[Role::CaseOfficer, Role::Approver])
            .is_ok();
        if accepted && officer {
            out.push(if self.suspended.is_some() {
                Available::Resume
            } else {
                Available::Suspend
            });
        }
        if accepted && self.case_staff(&actor, &[Role::Approver]).is_ok() {
            out.push(Available::Extend);
        }
        out
    }

    /// The day a 差评's 整改 is owed by, while it is owed.
    pub fn rectification_due(&self) -> Option<Date> {
        self.rating
            .as_ref()
            .and_then(|r| r.rectification.as_ref())
            .filter(|x| x.done.is_none())
            .map(|x| x.due)
    }

    /// Required materials of the power's guide the case does not have yet.
    pub fn missing_materials(&self, power: &Power) -> Vec<String> {
        power
            .guide
            .materials
            .iter()
            .filter(|m| m.required && !self.opened.materials.iter().any(|h| h == &m.name))
            .map(|m| m.name.clone())
            .collect()
    }

    pub(super) fn recompute(
        &self,
        env: &Env,
        stops: &[Stop],
        extension: u32,
    ) -> Result<Deadlines, DomainError> {
        if self.accepted_on.is_none() {
            return Ok(Deadlines::default());
        }
        let at = self
            .tasks
            .iter()
            .find(|t| t.step == StepKind::Accept)
            .and_then(|t| t.done_at)
            .unwrap_or(self.submitted_at);
        compute_deadlines(&self.opened, env, at, stops, extension)
    }
}

pub(super) fn holds(u: &User, t: &TaskState) -> Result<(), DomainError> {
    let role = Role::parse(&t.role);
    if role.is_none_or(|r| !u.roles.contains(&r)) {
        return Err(rule(
            ErrorCode::RoleRequired,
            zh_en!(
                "“{name}”由{role}办理，{user} 不具备该角色",
                "«{name}» is done by a {role}; {user} is not one",
                name = &t.name,
                role = role.map(Role::zh).unwrap_or(t.role.as_str()),
                user = &u.username,
            ),
        ));
    }
    if u.department.as_ref() != Some(&t.department) {
        return Err(rule(
            ErrorCode::WrongDepartment,
            zh_en!(
                "“{name}”由部门 {dept} 办理，{user} 不属于该部门",
                "«{name}» belongs to department {dept}; {user} is not of it",
                name = &t.name,
                dept = &t.department,
                user = &u.username,
            ),
        ));
    }
    Ok(())
}

pub(super) fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        let i = i.trim();
        if !i.is_empty() && !out.iter().any(|o| o == i) {
            out.push(i.to_string());
        }
    }
    out
}

pub(super) fn open_tasks(
    flow: &Flow,
    nodes: &[String],
    first_id: u32,
    env: &Env,
    today: Date,
) -> Vec<OpenedTask> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| OpenedTask {
            id: first_id + i as u32,
            node: n.clone(),
            due: flow
                .node(n)
                .and_then(|n| n.task())
                .and_then(|t| env.calendar.add_working_days(today, t.days).ok()),
        })
        .collect()
}

/// The statutory limit (plus extensions) and the committed limit, their clock started at
/// `start` on the region's calendar, stopped during `stops` ([`Calendar::limit_deadline`], the
/// rule fed cases follow too).
pub(super) fn compute_deadlines(
    o: &Opened,
    env: &Env,
    start: Timestamp,
    stops: &[Stop],
    extension: u32,
) -> Result<Deadlines, DomainError> {
    let one = |limit: Option<TimeLimit>, extra: u32| -> Result<Option<Date>, DomainError> {
        limit
            .map(|l| {
                env.calendar
                    .limit_deadline(start, env.zone, l, extra, stops)
            })
            .transpose()
            .map_err(calendar_error)
    };
    Ok(Deadlines {
        statutory: one(o.statutory_limit, extension)?,
        committed: one(o.committed_limit, 0)?,
    })
}
