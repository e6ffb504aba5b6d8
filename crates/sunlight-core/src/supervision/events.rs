//! Rules checked on each event (`on_event`).

use super::*;

/// The rules one event breaks, judged on the case before and after it. Time rules that the
/// event settles late (an acceptance or delivery after its limit, a task finished over its
/// budget) fire here too, with the same key as their timer, so a breach raises one alert
/// however it is noticed.
pub fn on_event(
    before: Option<&Prior>,
    after_: &Case,
    event: &CaseEvent,
    cal: &Calendar,
    zone: Zone,
    settings: &Settings,
) -> Vec<Finding> {
    let receipt = after_.opened.receipt.to_string();
    let (power, region) = (after_.opened.power.as_str(), after_.opened.region.as_str());
    let mut out = Vec::new();
    let mut fire = |f: Finding| {
        if settings.applies(f.rule, power, region) {
            out.push(f);
        }
    };
    let day = zone.date(event.at);
    let first_acceptance_decision =
        before.is_some_and(|b| b.status == CaseStatus::Submitted && b.supplement_notices == 0);
    match &event.body {
        EventBody::SupplementRequested {
            notice, missing, ..
        } if *notice >= 2 => fire(
            Finding::new(
                RuleId::RepeatedSupplement,
                &receipt,
                None,
                event.at,
                format!(
                    "第 {notice} 次补正告知（{}）：补正材料应一次性告知",
                    missing.join("、")
                ),
            )
            .nth(*notice),
        ),
        EventBody::Refused { reason, .. } if reason.trim().is_empty() => fire(Finding::new(
            RuleId::RefusalWithoutReasons,
            &receipt,
            None,
            event.at,
            "不予受理未说明理由".into(),
        )),
        EventBody::Decided { decision, .. } => {
            if decision.verdict == Verdict::Deny && decision.reasons.trim().is_empty() {
                fire(Finding::new(
                    RuleId::RefusalWithoutReasons,
                    &receipt,
                    None,
                    event.at,
                    "不予许可决定未说明理由".into(),
                ));
            }
            if let Some(p) = &decision.penalty
                && (!p.band.within || p.collective_reason.is_some())
            {
                fire(Finding::new(
                    RuleId::PenaltyOutsideBand,
                    &receipt,
                    None,
                    event.at,
                    format!(
                        "罚款 {} 元，裁量基准（{}）为 {}–{} 元{}",
                        yuan(p.amount_fen),
                        p.tier.zh(),
                        yuan(p.band.min_fen),
                        yuan(p.band.max_fen),
                        p.collective_reason
                            .as_deref()
                            .map(|r| format!("；集体讨论决定，理由：{r}"))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        EventBody::Extended { days, .. } if after_.extension_days > EXTENSION_ALLOWANCE => {
            fire(Finding::new(
                RuleId::ExtensionOverAllowance,
                &receipt,
                None,
                event.at,
                format!(
                    "延期 {days} 个工作日，累计 {} 个工作日，超过法定的 {EXTENSION_ALLOWANCE} 个工作日",
                    after_.extension_days
                ),
            ))
        }
        EventBody::Delivered { delivery, .. } => {
            if let Some(d) = decided_on(after_, zone)
                && let Ok(limit) = cal.add_working_days(d, DELIVERY_DAYS)
                && delivery.date > limit
            {
                fire(Finding::new(
                    RuleId::LateDelivery,
                    &receipt,
                    None,
                    after(zone, limit),
                    format!(
                        "{d} 作出决定，{} 送达，超过十个工作日（应于 {limit} 前）",
                        delivery.date
                    ),
                ));
            }
        }
        _ => {}
    }
    if first_acceptance_decision
        && matches!(
            event.body,
            EventBody::Accepted { .. }
                | EventBody::Refused { .. }
                | EventBody::SupplementRequested { .. }
        )
        && let Ok(limit) = cal.add_working_days(zone.date(after_.submitted_at), ACCEPTANCE_DAYS)
        && day > limit
    {
        fire(Finding::new(
            RuleId::LateAcceptance,
            &receipt,
            None,
            after(zone, limit),
            format!(
                "{} 提交，{day} 才作出受理决定（应于 {limit} 前）",
                zone.date(after_.submitted_at)
            ),
        ));
    }
    // A task finished after its budget: the same breach its timer raises.
    if let Some(b) = before {
        for t in after_.tasks.iter().filter(|t| t.status == TaskStatus::Done) {
            let was_open = b.open_tasks.contains(&t.id);
            if was_open
                && let (Some(due), Some(done)) = (t.due, t.done_at)
                && zone.date(done) > due
            {
                fire(Finding::new(
                    RuleId::TaskOverBudget,
                    &receipt,
                    Some(t.id),
                    after(zone, due),
                    format!(
                        "{}：环节「{}」应于 {due} 前办结，{} 才办结",
                        after_.opened.power_name,
                        t.name,
                        zone.date(done)
                    ),
                ));
            }
        }
    }
    out
}
