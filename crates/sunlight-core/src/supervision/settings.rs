//! Supervision's settings: scopes, warning windows, concentration limits, score weights.

use super::*;

/// Which cases a rule watches: power codes (or code prefixes such as `330183-XK-`) and region
/// codes; empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    pub powers: Vec<String>,
    pub regions: Vec<String>,
}

impl Scope {
    pub fn covers(&self, power: &str, region: &str) -> bool {
        (self.powers.is_empty() || self.powers.iter().any(|p| power.starts_with(p.as_str())))
            && (self.regions.is_empty() || self.regions.iter().any(|r| within(region, r)))
    }
}

/// Whether `region` lies within the area `code` names: region codes are hierarchical, so
/// `330000` (浙江省) holds `330183` (富阳区) and its townships `330183001…`.
pub fn within(region: &str, code: &str) -> bool {
    let mut prefix = code;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    region.starts_with(prefix)
}

/// Supervision settings (the `[supervision]` table of `sunlight.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Working days of the yellow window before a committed deadline (default 3).
    pub warning_days: u32,
    /// Per region or power code (a power's setting wins over its region's).
    pub warning_days_by_region: BTreeMap<String, u32>,
    pub warning_days_by_power: BTreeMap<String, u32>,
    /// Working days of a task's yellow window before its due day (default 1: the due day).
    pub task_warning_days: u32,
    /// Rules switched off.
    pub disabled: Vec<RuleId>,
    /// Rules limited to some powers or regions.
    pub scopes: BTreeMap<RuleId, Scope>,
    /// Working days a clock stop may last (default 30), and per reason (`专家评审 = 20`).
    pub suspension_days: u32,
    pub suspension_days_by_reason: BTreeMap<String, u32>,
    /// How the monthly score of a department is counted.
    pub score: ScoreWeights,
    /// When one person's share of a department's decisions is too large.
    pub concentration: ConcentrationLimit,
    /// Days a department has to answer a complaint before it becomes an alert (default 30).
    pub complaint_answer_days: u32,
    /// How often (milliseconds) the monitor looks for calendar changes made by another
    /// process (a `sunlight import calendar` beside a running server); default a minute.
    pub calendar_poll_ms: u64,
}

/// 一把手 power concentration: over the last `days` days, one person deciding more than
/// `share` of a department's decisions, once the department took at least `min_decisions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConcentrationLimit {
    pub share: f64,
    pub min_decisions: u32,
    pub days: u32,
}

impl Default for ConcentrationLimit {
    fn default() -> Self {
        Self {
            share: 0.6,
            min_decisions: 20,
            days: 30,
        }
    }
}

impl ConcentrationLimit {
    /// The findings over `(department, person, decisions)` counts of the window ending `at`.
    pub fn check(
        &self,
        counts: &[(String, String, i64)],
        at: Timestamp,
        zone: Zone,
    ) -> Vec<(String, Finding)> {
        let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
        for (d, _, n) in counts {
            *totals.entry(d.as_str()).or_default() += n;
        }
        let month = zone.date(at).strftime("%Y-%m").to_string();
        counts
            .iter()
            .filter_map(|(d, person, n)| {
                let total = totals[d.as_str()];
                let share = *n as f64 / total as f64;
                (total >= i64::from(self.min_decisions) && share > self.share).then(|| {
                    let mut f = Finding::new(
                        RuleId::Concentration,
                        d,
                        None,
                        at,
                        format!(
                            "近 {} 日本部门 {total} 件决定中，{person} 一人作出 {n} 件（{:.0}%，超过 {:.0}%）",
                            self.days,
                            share * 100.0,
                            self.share * 100.0
                        ),
                    );
                    f.key = format!("concentration/{d}/{person}/{month}");
                    (d.clone(), f)
                })
            })
            .collect()
    }
}

/// The monthly score (效能考评): `base`, plus each alert's points (by rule, else by
/// severity), plus `early_bonus` for each full 10% of cases completed early; never below 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreWeights {
    pub base: f64,
    pub by_rule: BTreeMap<RuleId, f64>,
    pub by_severity: BTreeMap<Severity, f64>,
    pub early_bonus: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        Self {
            base: 100.0,
            by_rule: [
                (RuleId::CommittedWarning, -5.0),
                (RuleId::CommittedOverdue, -10.0),
                (RuleId::StatutoryOverdue, -20.0),
            ]
            .into(),
            by_severity: [
                (Severity::Notice, 0.0),
                (Severity::Warning, -2.0),
                (Severity::Breach, -5.0),
                (Severity::Grave, -10.0),
            ]
            .into(),
            early_bonus: 1.0,
        }
    }
}

impl ScoreWeights {
    /// The score of a month with these alerts (rule id → count) and this early-completion rate.
    pub fn score(&self, alerts: &BTreeMap<String, i64>, early_rate: Option<f64>) -> f64 {
        let mut s = self.base;
        for (rule, n) in alerts {
            let Some(id) = RuleId::parse(rule) else {
                continue;
            };
            let w = self
                .by_rule
                .get(&id)
                .or_else(|| self.by_severity.get(&id.rule().severity))
                .copied()
                .unwrap_or(0.0);
            s += w * *n as f64;
        }
        if let Some(r) = early_rate {
            s += (r * 10.0).floor() * self.early_bonus;
        }
        s.max(0.0)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            warning_days: 3,
            warning_days_by_region: BTreeMap::new(),
            warning_days_by_power: BTreeMap::new(),
            task_warning_days: 1,
            disabled: Vec::new(),
            scopes: BTreeMap::new(),
            suspension_days: 30,
            suspension_days_by_reason: BTreeMap::new(),
            score: ScoreWeights::default(),
            concentration: ConcentrationLimit::default(),
            complaint_answer_days: 30,
            calendar_poll_ms: 60_000,
        }
    }
}

impl Settings {
    /// The yellow window of a power's cases: the power's own setting, else that of the
    /// smallest configured area holding the region, else the default.
    pub fn warning_days(&self, power: &str, region: &str) -> u32 {
        self.warning_days_by_power
            .get(power)
            .or_else(|| {
                self.warning_days_by_region
                    .iter()
                    .filter(|(code, _)| within(region, code))
                    .max_by_key(|(code, _)| code.trim_end_matches('0').len())
                    .map(|(_, days)| days)
            })
            .copied()
            .unwrap_or(self.warning_days)
    }

    /// Working days a clock stop for `reason` may last.
    pub fn suspension_days(&self, reason: &str) -> u32 {
        self.suspension_days_by_reason
            .get(reason)
            .copied()
            .unwrap_or(self.suspension_days)
    }

    /// Whether `rule` watches this case.
    pub fn applies(&self, rule: RuleId, power: &str, region: &str) -> bool {
        !self.disabled.contains(&rule)
            && self
                .scopes
                .get(&rule)
                .is_none_or(|s| s.covers(power, region))
    }
}
