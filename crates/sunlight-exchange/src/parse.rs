//! From sheet rows to powers: one row, one power (or a main item and its sub-item).

use crate::cells;
use crate::columns::Col;
use crate::sheet::{Header, RawRow};
use std::collections::HashMap;
use sunlight_core::text::{comparison_key, fold_width, tidy};
use sunlight_core::*;

/// What the registry already knows, for resolving names in a sheet.
#[derive(Debug, Default)]
pub struct Registry {
    departments: HashMap<String, Department>,
    by_name: HashMap<String, Vec<CreditCode>>,
    regions: HashMap<String, Region>,
    /// Highest sequence used per generated-code prefix (`330183-XK`).
    sequences: HashMap<String, u32>,
}

impl Registry {
    pub fn new<'a>(
        regions: impl IntoIterator<Item = Region>,
        departments: impl IntoIterator<Item = Department>,
        existing_codes: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut r = Self::default();
        for region in regions {
            r.regions.insert(region.code.to_string(), region);
        }
        for d in departments {
            r.by_name
                .entry(comparison_key(&d.name))
                .or_default()
                .push(d.credit_code.clone());
            r.departments.insert(d.credit_code.to_string(), d);
        }
        for code in existing_codes {
            r.note_code(code);
        }
        r
    }

    /// Remembers a code of the generated scheme so new ones continue after it.
    fn note_code(&mut self, code: &str) {
        let mut parts = code.splitn(3, '-');
        if let (Some(region), Some(letters), Some(seq)) = (parts.next(), parts.next(), parts.next())
            && let Ok(n) = seq.parse::<u32>()
        {
            let max = self
                .sequences
                .entry(format!("{region}-{letters}"))
                .or_insert(0);
            *max = (*max).max(n);
        }
    }

    fn next_code(&mut self, region: &RegionCode, category: PowerCategory) -> PowerCode {
        let prefix = format!("{}-{}", region.county_code(), category.letters());
        let n = self.sequences.entry(prefix).or_insert(0);
        *n += 1;
        PowerCode::generate(region, category, *n)
    }

    pub fn department_name(&self, code: &CreditCode) -> Option<&str> {
        self.departments.get(code.as_str()).map(|d| d.name.as_str())
    }

    fn department(
        &self,
        by_code: Option<&str>,
        by_name: Option<&str>,
        region: Option<&RegionCode>,
    ) -> Result<&Department, Text> {
        let unregistered =
            |cc: &CreditCode| zh_en!("部门 {cc} 尚未登记", "department {cc} is not registered");
        if let Some(code) = by_code.filter(|c| !c.trim().is_empty()) {
            let cc = CreditCode::parse(code).map_err(|e| e.text())?;
            return self
                .departments
                .get(cc.as_str())
                .ok_or_else(|| unregistered(&cc));
        }
        let Some(name) = by_name.filter(|n| !n.trim().is_empty()) else {
            return Err(zh_en!(
                "为空：每项权力都应有实施主体",
                "is empty: every power needs its implementing department (实施主体)"
            ));
        };
        // A credit code typed into the name column is fine too.
        if let Ok(cc) = CreditCode::parse(name) {
            return self
                .departments
                .get(cc.as_str())
                .ok_or_else(|| unregistered(&cc));
        }
        let candidates = self
            .by_name
            .get(&comparison_key(name))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let candidates: Vec<&Department> = candidates
            .iter()
            .filter_map(|c| self.departments.get(c.as_str()))
            .filter(|d| region.is_none_or(|r| d.region == *r))
            .collect();
        match candidates.as_slice() {
            [one] => Ok(one),
            [] => Err(zh_en!(
                "“{name}”不是已登记的部门",
                "«{name}» is not a registered department",
                name = tidy(name),
            )),
            _ => Err(zh_en!(
                "“{name}”对应多个部门，请注明行政区划或统一社会信用代码",
                "«{name}» names several departments; give the region or the credit code",
                name = tidy(name),
            )),
        }
    }
}

/// Reads rows after the header into powers, remembering what it needs across rows.
pub struct RowParser {
    pub header: Header,
    registry: Registry,
    /// The last main item (主项) seen, for sub-item rows whose main-item cell was merged.
    last_main: Option<(String, PowerCode)>,
    sub_counts: HashMap<PowerCode, u32>,
}

pub struct Parsed {
    pub row: usize,
    pub power: Power,
}

impl RowParser {
    pub fn new(header: Header, registry: Registry) -> Self {
        Self {
            header,
            registry,
            last_main: None,
            sub_counts: HashMap::new(),
        }
    }

    pub fn into_registry(self) -> Registry {
        self.registry
    }

    /// Missing columns the parser cannot do without.
    pub fn missing_columns(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.header.index(Col::Category).is_none() {
            out.push(FieldError::new(
                "职权类型",
                zh_en!(
                    "表格缺少职权类型列（职权类型 / 权力类别 / task_type）",
                    "the sheet has no category column (职权类型 / 权力类别 / task_type)"
                ),
            ));
        }
        if self.header.index(Col::Department).is_none()
            && self.header.index(Col::DepartmentCode).is_none()
        {
            out.push(FieldError::new(
                "实施主体",
                zh_en!(
                    "表格缺少实施主体列（实施主体 / 实施部门 / dept_name）",
                    "the sheet has no department column (实施主体 / 实施部门 / dept_name)"
                ),
            ));
        }
        out
    }

    fn get<'a>(&self, row: &'a RawRow, col: Col) -> Option<&'a str> {
        self.header
            .index(col)
            .and_then(|i| row.cells.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// Whether a data row is really a note under the table (`注：…` alone in its row).
    pub fn is_note(&self, row: &RawRow) -> bool {
        let filled: Vec<&String> = row.cells.iter().filter(|c| !c.trim().is_empty()).collect();
        filled.len() == 1 && {
            let t = filled[0].trim();
            t.starts_with("注") || t.starts_with("备注") || t.starts_with("说明")
        }
    }

    /// Parses one data row into one power, or a main item and its sub-item.
    pub fn parse(&mut self, row: &RawRow) -> Result<Vec<Parsed>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let h = |c: Col| self.header.heading_of(c);
        let err = |c: Col, m: Text| FieldError::new(h(c), m).at_row(row.number);

        let sub_name = self.get(row, Col::SubName).map(tidy);
        let mut name = self.get(row, Col::Name).map(tidy);
        if sub_name.is_some() && name.is_none() {
            // Main-item cell merged over its sub-items: carry it down.
            name = self.last_main.as_ref().map(|(n, _)| n.clone());
        }
        let Some(name) = name else {
            return Err(vec![err(
                Col::Name,
                zh_en!(
                    "为空：每项权力都应有名称",
                    "is empty: every power needs a name"
                ),
            )]);
        };

        let category = match self.get(row, Col::Category) {
            None => {
                errors.push(err(Col::Category, zh_en!("为空", "is empty")));
                None
            }
            Some(t) => PowerCategory::parse(t).or_else(|| {
                errors.push(err(
                    Col::Category,
                    zh_en!(
                        "“{t}”不是职权类型（应为行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务，或代码 01–10、20）",
                        "«{t}» is not a category (行政许可, 行政处罚, 行政强制, 行政征收, 行政给付, 行政检查, 行政确认, 行政奖励, 行政裁决, 其他行政权力, 公共服务, or codes 01–10, 20)"
                    ),
                ));
                None
            }),
        };
        let region_cell = self.get(row, Col::Region);
        let region = match region_cell.map(RegionCode::parse) {
            Some(Ok(r)) if self.registry.regions.contains_key(r.as_str()) => Some(r),
            Some(Ok(r)) => {
                errors.push(err(
                    Col::Region,
                    zh_en!("行政区划 {r} 尚未登记", "region {r} is not registered"),
                ));
                None
            }
            Some(Err(e)) => {
                errors.push(err(Col::Region, e.text()));
                None
            }
            None => None,
        };
        let department = match self.registry.department(
            self.get(row, Col::DepartmentCode),
            self.get(row, Col::Department),
            region.as_ref(),
        ) {
            Ok(d) => Some(d.clone()),
            Err(m) => {
                let col = if self.get(row, Col::DepartmentCode).is_some() {
                    Col::DepartmentCode
                } else {
                    Col::Department
                };
                errors.push(err(col, m));
                None
            }
        };
        let region = region.or(department.as_ref().map(|d| d.region));
        let level = match self.get(row, Col::ExerciseLevel) {
            Some(t) => RegionLevel::parse(t).or_else(|| {
                errors.push(err(
                    Col::ExerciseLevel,
                    zh_en!(
                        "“{t}”不是层级（应为省级、市级、县级、乡级或村级）",
                        "«{t}» is not a level (省级, 市级, 县级, 乡级, 村级)"
                    ),
                ));
                None
            }),
            None => region.map(|r| r.level()),
        };
        let source = match self.get(row, Col::Source) {
            Some(t) => PowerSource::parse(t).unwrap_or_else(|| {
                errors.push(err(
                    Col::Source,
                    zh_en!(
                        "“{t}”不是权力来源（应为法定本级行使、上级下放、上级授权、同级授权、上级委托或同级委托）",
                        "«{t}» is not a power source (法定本级行使, 上级下放, 上级授权, 同级授权, 上级委托, 同级委托)"
                    ),
                ));
                PowerSource::Statutory
            }),
            None => PowerSource::Statutory,
        };
        let usage = match self.get(row, Col::Usage) {
            Some(t) => Usage::parse(t).unwrap_or_else(|| {
                errors.push(err(
                    Col::Usage,
                    zh_en!("“{t}”：应填常用或非常用", "«{t}»: say 常用 or 非常用"),
                ));
                Usage::Common
            }),
            None => Usage::Common,
        };
        let mut limit = |c: Col| match self.get(row, c).map(TimeLimit::parse) {
            Some(Ok(l)) => l,
            Some(Err(m)) => {
                errors.push(FieldError::new(self.header.heading_of(c), m).at_row(row.number));
                None
            }
            None => None,
        };
        let statutory_limit = limit(Col::StatutoryLimit);
        let committed_limit = limit(Col::CommittedLimit);
        let materials = cells::read_materials(self.get(row, Col::Materials).unwrap_or(""))
            .unwrap_or_else(|m| {
                errors.push(err(Col::Materials, m));
                Vec::new()
            });
        let fees = cells::read_fees(self.get(row, Col::Fees).unwrap_or("")).unwrap_or_else(|m| {
            errors.push(err(Col::Fees, m));
            Vec::new()
        });
        let case_type = match self.get(row, Col::CaseType).map(comparison_key).as_deref() {
            Some("即办件" | "即办" | "1" | "immediate") => CaseType::Immediate,
            Some("承诺件" | "承诺" | "2" | "committed") => CaseType::Committed,
            Some(t) => {
                errors.push(err(
                    Col::CaseType,
                    zh_en!("“{t}”：应填即办件或承诺件", "«{t}»: say 即办件 or 承诺件"),
                ));
                CaseType::Committed
            }
            None if committed_limit.is_some_and(|l| l.amount == 0) => CaseType::Immediate,
            None => CaseType::Committed,
        };
        let targets = cells::read_targets(self.get(row, Col::Targets).unwrap_or(""))
            .unwrap_or_else(|m| {
                errors.push(err(Col::Targets, m));
                Vec::new()
            });
        let visits = self
            .get(row, Col::Visits)
            .and_then(|t| match cells::read_visits(t) {
                Ok(n) => Some(n),
                Err(m) => {
                    errors.push(err(Col::Visits, m));
                    None
                }
            });
        let online = self
            .get(row, Col::Online)
            .and_then(|t| match cells::read_yes_no(t) {
                Ok(b) => Some(b),
                Err(m) => {
                    errors.push(err(Col::Online, m));
                    None
                }
            });
        let intermediaries =
            cells::read_intermediaries(self.get(row, Col::Intermediaries).unwrap_or(""));
        let faq = cells::read_faq(self.get(row, Col::Faq).unwrap_or("")).unwrap_or_else(|m| {
            errors.push(err(Col::Faq, m));
            Vec::new()
        });
        let mut duties = cells::read_all_duties(self.get(row, Col::Duties).unwrap_or(""));
        for phase in DutyPhase::ALL {
            if let Some(t) = self.get(row, Col::Duty(phase)) {
                duties.extend(
                    t.replace("\r\n", "\n")
                        .split('\n')
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| Duty {
                            phase,
                            text: l.to_string(),
                        }),
                );
            }
        }
        let status = self.status(row, &mut errors);
        let flow = match self
            .get(row, Col::Flow)
            .map(sunlight_core::flow::Flow::from_toml)
        {
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => {
                for fe in e.field_errors() {
                    let m = match fe.line {
                        Some(l) => fe.message.append(
                            &format!("（单元格第 {l} 行）"),
                            &format!(" (line {l} of the cell)"),
                        ),
                        None => fe.message.clone(),
                    };
                    errors.push(err(Col::Flow, m));
                }
                None
            }
            None => None,
        };
        let code_cell = self.get(row, Col::Code);
        let code = match code_cell.map(PowerCode::parse) {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                errors.push(err(Col::Code, e.text()));
                None
            }
            None => None,
        };
        let parent_code = match self.get(row, Col::ParentCode).map(PowerCode::parse) {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                errors.push(err(Col::ParentCode, e.text()));
                None
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let (Some(category), Some(department), Some(region), Some(level)) =
            (category, department, region, level)
        else {
            return Err(vec![err(
                Col::Name,
                zh_en!("本行内容不完整", "incomplete row"),
            )]);
        };
        let template = Power {
            code: PowerCode::generate(&region, category, 0),
            parent: parent_code,
            basic_code: self
                .get(row, Col::BasicCode)
                .map(|b| fold_width(b).trim().to_string()),
            name: name.clone(),
            category,
            department: department.credit_code.clone(),
            region,
            exercise_level: level,
            source,
            usage,
            legal_basis: cells::read_legal_basis(self.get(row, Col::LegalBasis).unwrap_or("")),
            guide: ServiceGuide {
                conditions: cells::items(self.get(row, Col::Conditions).unwrap_or("")),
                quantity_limit: self
                    .get(row, Col::QuantityLimit)
                    .map(tidy)
                    .unwrap_or_default(),
                procedure: cells::items(self.get(row, Col::Procedure).unwrap_or("")),
                materials,
                statutory_limit,
                committed_limit,
                fees,
                complaint_channel: self
                    .get(row, Col::ComplaintChannel)
                    .map(tidy)
                    .unwrap_or_default(),
                place: self.get(row, Col::Place).map(tidy).unwrap_or_default(),
                hours: self.get(row, Col::Hours).map(tidy).unwrap_or_default(),
                phone: self.get(row, Col::Phone).map(tidy).unwrap_or_default(),
                case_type,
                targets,
                visits,
                online,
                intermediaries,
                faq,
            },
            responsibility: Responsibility {
                duties,
                accountability: cells::read_accountability(
                    self.get(row, Col::Accountability).unwrap_or(""),
                ),
            },
            flow,
            status,
        };
        let mut out = Vec::new();
        match sub_name {
            None => {
                let code = code.unwrap_or_else(|| self.registry.next_code(&region, category));
                self.last_main = Some((name, code.clone()));
                out.push(Parsed {
                    row: row.number,
                    power: Power { code, ..template },
                });
            }
            Some(sub) => {
                let main_code = match (&template.parent, &self.last_main) {
                    (Some(p), _) => p.clone(),
                    (None, Some((n, c))) if *n == name => c.clone(),
                    _ => {
                        // The main item has no row of its own: it enters the list with this row's facts.
                        let c = self.registry.next_code(&region, category);
                        out.push(Parsed {
                            row: row.number,
                            power: Power {
                                code: c.clone(),
                                parent: None,
                                ..template.clone()
                            },
                        });
                        c
                    }
                };
                self.last_main = Some((name, main_code.clone()));
                let n = self.sub_counts.entry(main_code.clone()).or_insert(0);
                *n += 1;
                let code = code.unwrap_or_else(|| main_code.sub(*n));
                out.push(Parsed {
                    row: row.number,
                    power: Power {
                        code,
                        parent: Some(main_code),
                        name: sub,
                        ..template
                    },
                });
            }
        }
        let mut validated = Vec::with_capacity(out.len());
        let mut errors = Vec::new();
        for p in out {
            match p.power.validated() {
                Ok(power) => validated.push(Parsed { row: p.row, power }),
                Err(e) => errors.extend(
                    e.field_errors()
                        .iter()
                        .map(|fe| self.locate(fe, row.number)),
                ),
            }
        }
        if errors.is_empty() {
            Ok(validated)
        } else {
            Err(errors)
        }
    }

    /// Names a domain field path by the sheet heading it came from.
    fn locate(&self, fe: &FieldError, row: usize) -> FieldError {
        let col = match fe.field.split(['.', '[']).collect::<Vec<_>>().as_slice() {
            ["name", ..] => Some(Col::Name),
            ["legal_basis", ..] => Some(Col::LegalBasis),
            ["exercise_level", ..] => Some(Col::ExerciseLevel),
            ["guide", "materials", ..] => Some(Col::Materials),
            ["guide", "fees", ..] => Some(Col::Fees),
            ["guide", "committed_limit", ..] => Some(Col::CommittedLimit),
            ["guide", "statutory_limit", ..] => Some(Col::StatutoryLimit),
            ["guide", "case_type", ..] => Some(Col::CaseType),
            ["guide", "intermediaries", ..] => Some(Col::Intermediaries),
            ["guide", "faq", ..] => Some(Col::Faq),
            ["guide", "visits", ..] => Some(Col::Visits),
            ["parent", ..] => Some(Col::ParentCode),
            ["flow", ..] => Some(Col::Flow),
            _ => None,
        };
        let field = col
            .map(|c| self.header.heading_of(c))
            .unwrap_or_else(|| fe.field.clone());
        FieldError::new(field, fe.message.clone()).at_row(row)
    }

    fn status(&self, row: &RawRow, errors: &mut Vec<FieldError>) -> PowerStatus {
        let Some(text) = self.get(row, Col::Status) else {
            return PowerStatus::Active;
        };
        let h = |c: Col| self.header.heading_of(c);
        match comparison_key(text).as_str() {
            "有效" | "正常" | "active" | "保留" => PowerStatus::Active,
            "严管" | "strictly_controlled" => PowerStatus::StrictlyControlled,
            "已取消" | "取消" | "cancelled" => PowerStatus::Cancelled,
            k if k.starts_with("已下放") || k.starts_with("下放") || k == "delegated" => {
                let mode = match self
                    .get(row, Col::DelegationMode)
                    .map(comparison_key)
                    .as_deref()
                {
                    Some("直接下放" | "direct") | None => DelegationMode::Direct,
                    Some("委托下放" | "entrusted") => DelegationMode::Entrusted,
                    Some("下放初审权" | "initial_review_only") => {
                        DelegationMode::InitialReviewOnly
                    }
                    Some(o) => {
                        errors.push(
                            FieldError::new(
                                h(Col::DelegationMode),
                                zh_en!(
                                    "“{o}”：应填直接下放、委托下放或下放初审权",
                                    "«{o}»: say 直接下放, 委托下放 or 下放初审权"
                                ),
                            )
                            .at_row(row.number),
                        );
                        DelegationMode::Direct
                    }
                };
                match self.get(row, Col::DelegatedTo).and_then(RegionLevel::parse) {
                    Some(to_level) => PowerStatus::Delegated { mode, to_level },
                    None => {
                        errors.push(
                            FieldError::new(
                                h(Col::DelegatedTo),
                                zh_en!(
                                    "已下放的事项应填写下放层级",
                                    "a delegated power needs the level it went to (下放层级)"
                                ),
                            )
                            .at_row(row.number),
                        );
                        PowerStatus::Active
                    }
                }
            }
            k if k.starts_with("已合并") || k.starts_with("合并") || k == "merged" => {
                match self.get(row, Col::MergedInto).map(PowerCode::parse) {
                    Some(Ok(into)) => PowerStatus::Merged { into },
                    _ => {
                        errors.push(
                            FieldError::new(
                                h(Col::MergedInto),
                                zh_en!(
                                    "已合并的事项应填写所并入事项的编码（合并至）",
                                    "a merged power needs the code it was merged into (合并至)"
                                ),
                            )
                            .at_row(row.number),
                        );
                        PowerStatus::Active
                    }
                }
            }
            _ => {
                errors.push(
                    FieldError::new(
                        h(Col::Status),
                        zh_en!(
                            "“{text}”：应填有效、严管、已取消、已下放或已合并",
                            "«{text}»: say 有效, 严管, 已取消, 已下放 or 已合并"
                        ),
                    )
                    .at_row(row.number),
                );
                PowerStatus::Active
            }
        }
    }
}
