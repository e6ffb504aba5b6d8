//! The columns a power-list sheet can have, and the headings real sheets use for them.
//!
//! Two families of layout are known: the generic 权责清单 sheets county and city offices publish
//! (职权名称, 职权类型, 实施主体, 设定依据, 责任事项, 追责情形 …, wording varying from place to place)
//! and the national government-service platform's 实施清单 export (task_name, catalog_code,
//! task_type, by_law, dept_name, anticipate_day, promise_day …). Headings are matched after
//! width folding and whitespace removal, so `职权 名称` and `职权名称` are the same.

use sunlight_core::DutyPhase;
use sunlight_core::text::comparison_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Col {
    Seq,
    Code,
    BasicCode,
    ParentCode,
    Name,
    SubName,
    Category,
    Department,
    DepartmentCode,
    Region,
    ExerciseLevel,
    Source,
    Usage,
    LegalBasis,
    Conditions,
    QuantityLimit,
    Procedure,
    Materials,
    StatutoryLimit,
    CommittedLimit,
    Fees,
    ComplaintChannel,
    Place,
    Hours,
    Phone,
    CaseType,
    Targets,
    Visits,
    Online,
    Intermediaries,
    Faq,
    /// All duties in one cell, phases marked in the text.
    Duties,
    Duty(DutyPhase),
    Accountability,
    Status,
    DelegationMode,
    DelegatedTo,
    MergedInto,
    /// The flow in its TOML authoring format.
    Flow,
    Remarks,
}

/// Headings by column; the first is what exports write.
pub const ALIASES: &[(Col, &[&str])] = &[
    (Col::Seq, &["序号", "编号", "no"]),
    (
        Col::Code,
        &[
            "职权编码",
            "权力编码",
            "事项编码",
            "实施编码",
            "权力事项编码",
            "编码",
            "task_code",
            "local_task_code",
        ],
    ),
    (
        Col::BasicCode,
        &[
            "基本编码",
            "目录编码",
            "事项基本编码",
            "catalog_code",
            "basic_code",
        ],
    ),
    (Col::ParentCode, &["主项编码", "父项编码", "parent_code"]),
    (
        Col::Name,
        &[
            "职权名称",
            "权力名称",
            "事项名称",
            "权力事项名称",
            "职权事项",
            "项目名称",
            "主项名称",
            "名称",
            "task_name",
        ],
    ),
    (Col::SubName, &["子项名称", "子项", "子项事项名称"]),
    (
        Col::Category,
        &[
            "职权类型",
            "权力类型",
            "权力类别",
            "职权类别",
            "事项类型",
            "事项类别",
            "类别",
            "task_type",
        ],
    ),
    (
        Col::Department,
        &[
            "实施主体",
            "实施部门",
            "实施机关",
            "责任主体",
            "行使主体",
            "责任单位",
            "部门",
            "dept_name",
        ],
    ),
    (
        Col::DepartmentCode,
        &[
            "实施主体代码",
            "实施主体统一社会信用代码",
            "统一社会信用代码",
            "部门编码",
            "dept_code",
            "dept_credit_code",
        ],
    ),
    (
        Col::Region,
        &["行政区划代码", "区划代码", "行政区划", "area_code"],
    ),
    (
        Col::ExerciseLevel,
        &["行使层级", "实施层级", "层级", "use_level"],
    ),
    (
        Col::Source,
        &["权力来源", "职权来源", "来源", "power_source"],
    ),
    (
        Col::Usage,
        &["常用/非常用", "是否常用", "常用非常用", "使用频度", "usage"],
    ),
    (
        Col::LegalBasis,
        &[
            "设定依据",
            "法律依据",
            "实施依据",
            "设定和实施依据",
            "依据",
            "by_law",
        ],
    ),
    (
        Col::Conditions,
        &["申请条件", "受理条件", "办理条件", "accept_condition"],
    ),
    (Col::QuantityLimit, &["数量限制", "limit_explain"]),
    (
        Col::Procedure,
        &["办理流程", "办理程序", "流程", "handle_flow"],
    ),
    (
        Col::Materials,
        &["申请材料", "申报材料", "所需材料", "材料", "materials"],
    ),
    (
        Col::StatutoryLimit,
        &["法定时限", "法定办结时限", "法定期限", "anticipate_day"],
    ),
    (
        Col::CommittedLimit,
        &["承诺时限", "承诺办结时限", "承诺期限", "promise_day"],
    ),
    (
        Col::Fees,
        &[
            "收费标准",
            "收费依据及标准",
            "收费项目及标准",
            "是否收费",
            "charge_standard",
        ],
    ),
    (
        Col::ComplaintChannel,
        &[
            "投诉渠道",
            "监督投诉方式",
            "投诉电话",
            "监督电话",
            "supervise_tel",
        ],
    ),
    (Col::Place, &["办理地点", "受理地点", "transact_addr"]),
    (Col::Hours, &["办理时间", "受理时间", "transact_time"]),
    (Col::Phone, &["咨询电话", "咨询方式", "link_tel"]),
    (Col::CaseType, &["办件类型", "project_type"]),
    (
        Col::Targets,
        &["办理对象", "服务对象", "行使对象", "service_object"],
    ),
    (
        Col::Visits,
        &[
            "到办事现场次数",
            "跑动次数",
            "到现场次数",
            "最多跑动次数",
            "limit_scene_num",
        ],
    ),
    (
        Col::Online,
        &[
            "是否网办",
            "是否支持网上办理",
            "网上办理",
            "是否网上办理",
            "is_online",
        ],
    ),
    (
        Col::Intermediaries,
        &["中介服务", "中介服务事项", "intermediary"],
    ),
    (Col::Faq, &["常见问题", "常见问题解答", "faq"]),
    (Col::Duties, &["责任事项", "责任事项内容"]),
    (
        Col::Duty(DutyPhase::Accept),
        &["受理阶段责任", "受理责任", "受理阶段"],
    ),
    (
        Col::Duty(DutyPhase::Review),
        &["审查阶段责任", "审查责任", "审查阶段"],
    ),
    (
        Col::Duty(DutyPhase::Decide),
        &["决定阶段责任", "决定责任", "决定阶段"],
    ),
    (
        Col::Duty(DutyPhase::Deliver),
        &["送达阶段责任", "送达责任", "送达阶段"],
    ),
    (
        Col::Duty(DutyPhase::Supervise),
        &["事后监管责任", "事后监管阶段责任", "监管责任", "事后监管"],
    ),
    (
        Col::Duty(DutyPhase::Other),
        &[
            "其他责任",
            "其他阶段责任",
            "其他法律法规规章文件规定应履行的责任",
        ],
    ),
    (
        Col::Accountability,
        &["追责情形", "追责情形及依据", "问责依据", "追责依据"],
    ),
    (Col::Status, &["状态", "事项状态"]),
    (Col::DelegationMode, &["下放方式"]),
    (Col::DelegatedTo, &["下放层级", "下放至"]),
    (Col::MergedInto, &["合并至", "并入事项编码"]),
    (Col::Flow, &["权力运行流程", "权力运行流程图", "流程定义"]),
    (Col::Remarks, &["备注", "说明"]),
];

/// Matches one heading (from one header row or a two-row merged header) to a column.
pub fn column_for(heading: &str) -> Option<Col> {
    let key = comparison_key(heading).to_lowercase();
    if key.is_empty() {
        return None;
    }
    ALIASES
        .iter()
        .find(|(_, names)| {
            names
                .iter()
                .any(|n| comparison_key(n).to_lowercase() == key)
        })
        .map(|(c, _)| *c)
}

/// The heading exports write for a column.
pub fn heading(col: Col) -> &'static str {
    ALIASES
        .iter()
        .find(|(c, _)| *c == col)
        .map(|(_, n)| n[0])
        .unwrap_or("")
}

/// The order of columns in an export: every field of a power, so a re-import is lossless.
pub const EXPORT: &[Col] = &[
    Col::Code,
    Col::BasicCode,
    Col::ParentCode,
    Col::Name,
    Col::Category,
    Col::Department,
    Col::DepartmentCode,
    Col::Region,
    Col::ExerciseLevel,
    Col::Source,
    Col::Usage,
    Col::LegalBasis,
    Col::Conditions,
    Col::QuantityLimit,
    Col::Procedure,
    Col::Materials,
    Col::StatutoryLimit,
    Col::CommittedLimit,
    Col::Fees,
    Col::ComplaintChannel,
    Col::Place,
    Col::Hours,
    Col::Phone,
    Col::CaseType,
    Col::Targets,
    Col::Visits,
    Col::Online,
    Col::Intermediaries,
    Col::Faq,
    Col::Duty(DutyPhase::Accept),
    Col::Duty(DutyPhase::Review),
    Col::Duty(DutyPhase::Decide),
    Col::Duty(DutyPhase::Deliver),
    Col::Duty(DutyPhase::Supervise),
    Col::Duty(DutyPhase::Other),
    Col::Accountability,
    Col::Status,
    Col::DelegationMode,
    Col::DelegatedTo,
    Col::MergedInto,
    Col::Flow,
];

/// Group headings of two-row headers (`责任事项` over 受理/审查/…, `办理时限` over 法定/承诺).
/// The sub-heading is tried alone, then with the group before or after it.
pub fn combine(group: &str, sub: &str) -> Option<Col> {
    column_for(sub)
        .or_else(|| column_for(&format!("{sub}{group}")))
        .or_else(|| column_for(&format!("{group}{sub}")))
        .or_else(|| {
            let g = comparison_key(group);
            let s = comparison_key(sub);
            match (g.as_str(), s.as_str()) {
                (g, "法定") | (g, "法定时限") if g.contains("时限") || g.contains("期限") => {
                    Some(Col::StatutoryLimit)
                }
                (g, "承诺") | (g, "承诺时限") if g.contains("时限") || g.contains("期限") => {
                    Some(Col::CommittedLimit)
                }
                (g, s) if g.contains("责任") => sunlight_core::DutyPhase::parse(s).map(Col::Duty),
                (g, "名称") if g.contains("主项") => Some(Col::Name),
                (g, "名称") if g.contains("子项") => Some(Col::SubName),
                (g, "编码") if g.contains("主项") => Some(Col::ParentCode),
                _ => None,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_across_width_and_spaces() {
        assert_eq!(column_for(" 职权\u{3000}名称 "), Some(Col::Name));
        assert_eq!(column_for("TASK_NAME"), Some(Col::Name));
        assert_eq!(column_for("不认识"), None);
        assert_eq!(combine("办理时限", "法定"), Some(Col::StatutoryLimit));
        assert_eq!(
            combine("责任事项", "受理阶段"),
            Some(Col::Duty(DutyPhase::Accept))
        );
        assert_eq!(
            combine("责任事项", "事后监管"),
            Some(Col::Duty(DutyPhase::Supervise))
        );
    }

    #[test]
    fn every_export_column_reads_back_as_itself() {
        for c in EXPORT {
            assert_eq!(column_for(heading(*c)), Some(*c), "{c:?}");
        }
    }
}
