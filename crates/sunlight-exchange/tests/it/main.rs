//! Import of messy real-world sheets and the export round trip.

mod bpmn;

use rust_xlsxwriter::{Format as Fmt, Workbook};
use sunlight_core::*;
use sunlight_exchange::{Format, Registry, read_powers, write_powers};

fn fuyang() -> RegionCode {
    RegionCode::parse("330183").unwrap()
}

fn scjg() -> Department {
    Department::new(
        CreditCode::with_check("11330183MB1682410").unwrap(),
        "富阳区市场监督管理局",
        fuyang(),
        DepartmentNature::LegalAgency,
    )
    .unwrap()
}

fn mzj() -> Department {
    Department::new(
        CreditCode::with_check("11330183002501301").unwrap(),
        "富阳区民政局",
        fuyang(),
        DepartmentNature::LegalAgency,
    )
    .unwrap()
}

fn registry() -> Registry {
    let regions = ["330000", "330100", "330183"].map(|c| {
        let code = RegionCode::parse(c).unwrap();
        Region::new(code, c, code.level(), code.parent()).unwrap()
    });
    Registry::new(regions, [scjg(), mzj()], ["330183-XK-00007"])
}

fn read(
    bytes: &[u8],
    format: Format,
) -> Result<sunlight_exchange::Imported, sunlight_exchange::ImportError> {
    read_powers(bytes, format, &mut registry(), &mut |_| {})
}

/// A sheet as county offices publish it: a merged title row, a two-row header with merged
/// groups, blank rows, full-width characters, free-text cells and a note under the table.
fn messy_xlsx(category_of_row_6: &str) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    let f = Fmt::new();
    s.merge_range(0, 0, 0, 9, "富阳区市场监督管理局权责清单（2026年版）", &f)
        .unwrap();
    // Two-row header: 序号, 职权名称, 职权类型 span both rows; 责任事项 spans three columns.
    for (c, h) in [
        (0u16, "序号"),
        (1, "职权 名称"),
        (2, "职权类型"),
        (3, "实施主体"),
        (4, "设定依据"),
    ] {
        s.merge_range(1, c, 2, c, h, &f).unwrap();
    }
    s.merge_range(1, 5, 1, 7, "责任事项", &f).unwrap();
    s.write_string(2, 5, "受理阶段").unwrap();
    s.write_string(2, 6, "审查阶段").unwrap();
    s.write_string(2, 7, "事后监管").unwrap();
    s.merge_range(1, 8, 2, 8, "追责情形", &f).unwrap();
    s.merge_range(1, 9, 2, 9, "承诺时限", &f).unwrap();
    let rows: [[&str; 10]; 4] = [
        [
            "１",
            "食品经营许可",
            "行政许可",
            "富阳区市场监督管理局",
            "1.《中华人民共和国食品安全法》第三十五条第一款：国家对食品生产经营实行许可制度。2.《食品经营许可和备案管理办法》第二条",
            "公示申请材料，一次性告知补正内容。",
            "对申请材料进行审查，必要时现场核查。",
            "开展日常监督检查。",
            "1.对符合条件的申请不予受理的；2.超越法定职权作出许可决定的",
            "１０个工作日",
        ],
        [
            "2",
            "对食品经营者未按规定进行检验的处罚",
            "行政 处罚",
            "富阳区市场监督管理局\u{3000}",
            "《中华人民共和国食品安全法》第一百二十六条",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "3",
            "最低生活保障对象认定",
            "行政给付",
            "富阳区民政局",
            "《社会救助暂行办法》第十一条",
            "",
            "",
            "",
            "",
            "20",
        ],
        [
            "4",
            "食品生产加工小作坊登记",
            category_of_row_6,
            "富阳区市场监督管理局",
            "《浙江省食品小作坊小餐饮店小食品店管理办法》第九条",
            "",
            "",
            "",
            "",
            "",
        ],
    ];
    let at = [3u32, 4, 6, 7]; // a blank row 5 between data rows
    for (r, row) in at.iter().zip(rows) {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(*r, c as u16, *v).unwrap();
            }
        }
    }
    s.write_string(9, 0, "注：本清单自2026年1月1日起施行。")
        .unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn reads_a_messy_county_sheet() {
    let got = read(&messy_xlsx("行政确认"), Format::Xlsx).unwrap();
    assert_eq!(got.rows_read, 4);
    assert_eq!(
        got.rows,
        [4, 5, 7, 8],
        "sheet row numbers as Excel shows them"
    );
    let p = &got.powers[0];
    assert_eq!(p.name, "食品经营许可");
    assert_eq!(p.category, PowerCategory::Licensing);
    assert_eq!(p.department, scjg().credit_code);
    assert_eq!(p.region, fuyang());
    assert_eq!(p.exercise_level, RegionLevel::County);
    assert_eq!(
        p.code.as_str(),
        "330183-XK-00008",
        "generated after the highest existing code"
    );
    assert_eq!(p.legal_basis.len(), 2);
    assert_eq!(p.legal_basis[0].article, "第三十五条第一款");
    assert_eq!(p.guide.committed_limit, Some(TimeLimit::working_days(10)));
    let phases: Vec<_> = p.responsibility.duties.iter().map(|d| d.phase).collect();
    assert_eq!(
        phases,
        [DutyPhase::Accept, DutyPhase::Review, DutyPhase::Supervise]
    );
    assert_eq!(p.responsibility.accountability.len(), 1);
    assert_eq!(got.powers[1].category, PowerCategory::Penalty);
    assert_eq!(got.powers[1].code.as_str(), "330183-CF-00001");
    assert_eq!(got.powers[2].department, mzj().credit_code);
    assert_eq!(got.powers[3].category, PowerCategory::Confirmation);
}

#[test]
fn unknown_category_is_a_row_error_and_nothing_is_imported() {
    let err = read(&messy_xlsx("行政指导"), Format::Xlsx).unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err}");
    let e = &err.errors[0];
    assert_eq!(e.row, Some(8));
    assert_eq!(e.field, "职权类型");
    assert!(
        e.message.en.contains("«行政指导» is not a category"),
        "{}",
        e.message
    );
}

#[test]
fn every_bad_row_and_field_is_reported() {
    let csv = "职权名称,职权类型,实施主体,承诺时限,法定时限,行政区划代码,设定依据\n\
               ,行政许可,富阳区民政局,,,,《社会救助暂行办法》\n\
               临时救助,行政给付,富阳区财政局,,,,《社会救助暂行办法》第四十七条\n\
               危险化学品经营许可,行政许可,富阳区市场监督管理局,30个工作日,20个工作日,,《危险化学品安全管理条例》第三十三条\n\
               医疗救助,行政给付,富阳区民政局,十天,,3301XX,《社会救助暂行办法》第二十八条\n\
               临时救助,行政给付,富阳区民政局,,,,\n";
    let err = read(csv.as_bytes(), Format::Csv).unwrap_err();
    let found: Vec<_> = err
        .errors
        .iter()
        .map(|e| (e.row.unwrap(), e.field.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (2, "职权名称"),
            (3, "实施主体"),
            (4, "承诺时限"),
            (5, "行政区划代码"),
            (5, "承诺时限"),
            (6, "设定依据")
        ],
        "{err:#?}"
    );
    assert!(
        err.errors[1]
            .message
            .en
            .contains("«富阳区财政局» is not a registered department")
    );
    assert!(
        err.errors[2]
            .message
            .en
            .contains("exceeds the statutory limit")
    );
}

#[test]
fn the_guide_says_who_how_often_online_which_intermediaries_and_answers_questions() {
    let csv = "职权名称,职权类型,实施主体,设定依据,办理对象,到办事现场次数,是否网办,中介服务,常见问题\n\
               食品经营许可,行政许可,富阳区市场监督管理局,《中华人民共和国食品安全法》第三十五条,自然人、企业法人、个体工商户,0次,是,\"食品检验报告（《中华人民共和国食品安全法》第八十四条）\",\"问：个体工商户可以申请吗？\n答：可以。\n材料与企业相同。\"\n";
    let got = read(csv.as_bytes(), Format::Csv).unwrap();
    let g = &got.powers[0].guide;
    assert_eq!(g.targets, [Target::Person, Target::Legal, Target::Other]);
    assert_eq!((g.visits, g.online), (Some(0), Some(true)));
    assert_eq!(g.intermediaries[0].name, "食品检验报告");
    assert_eq!(
        g.intermediaries[0].basis,
        "《中华人民共和国食品安全法》第八十四条"
    );
    assert_eq!(g.faq[0].question, "个体工商户可以申请吗？");
    assert_eq!(g.faq[0].answer, "可以。\n材料与企业相同。");

    // An intermediary service without a basis, an unknown kind of applicant, a visit count
    // that is not one: each named by row and column, nothing imported.
    let csv = "职权名称,职权类型,实施主体,设定依据,办理对象,到办事现场次数,中介服务\n\
               食品经营许可,行政许可,富阳区市场监督管理局,《中华人民共和国食品安全法》第三十五条,外国人,,\n\
               食品生产许可,行政许可,富阳区市场监督管理局,《中华人民共和国食品安全法》第三十五条,法人,多次,\n\
               小餐饮登记,行政许可,富阳区市场监督管理局,《浙江省食品小作坊小餐饮店小食杂店和食品摊贩管理规定》第九条,自然人,1,场所测绘报告\n";
    let err = read(csv.as_bytes(), Format::Csv).unwrap_err();
    let found: Vec<_> = err
        .errors
        .iter()
        .map(|e| (e.row.unwrap(), e.field.as_str()))
        .collect();
    assert_eq!(
        found,
        [(2, "办理对象"), (3, "到办事现场次数"), (4, "中介服务")],
        "{err:#?}"
    );
    assert!(
        err.errors[2]
            .message
            .zh
            .contains("优化营商环境条例》第四十三条"),
        "{}",
        err.errors[2].message.zh
    );
}

#[test]
fn gb18030_csv_from_excel_and_national_layout() {
    let text = "task_name,task_type,dept_name,catalog_code,anticipate_day,promise_day,by_law\n\
                特困人员认定,07,富阳区民政局,000107003000,20,10,《社会救助暂行办法》第十四条\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let got = read(&bytes, Format::Csv).unwrap();
    let p = &got.powers[0];
    assert_eq!(p.name, "特困人员认定");
    assert_eq!(p.category, PowerCategory::Confirmation);
    assert_eq!(p.basic_code.as_deref(), Some("000107003000"));
    assert_eq!(p.guide.statutory_limit, Some(TimeLimit::working_days(20)));
    assert_eq!(p.legal_basis[0].instrument, "《社会救助暂行办法》");
}

#[test]
fn sub_items_under_a_merged_main_item() {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    for (c, h) in ["职权名称", "子项名称", "职权类型", "实施主体", "设定依据"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    s.merge_range(1, 0, 2, 0, "建设工程消防设计审查", &Fmt::new())
        .unwrap();
    for (r, sub) in [
        (1u32, "特殊建设工程消防设计审查"),
        (2, "其他建设工程消防设计备案抽查"),
    ] {
        s.write_string(r, 1, sub).unwrap();
        s.write_string(r, 2, "行政许可").unwrap();
        s.write_string(r, 3, "富阳区市场监督管理局").unwrap();
        s.write_string(r, 4, "《中华人民共和国消防法》第十一条")
            .unwrap();
    }
    let got = read(&book.save_to_buffer().unwrap(), Format::Xlsx).unwrap();
    let names: Vec<_> = got
        .powers
        .iter()
        .map(|p| {
            (
                p.code.as_str(),
                p.name.as_str(),
                p.parent.as_ref().map(|c| c.as_str()),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("330183-XK-00008", "建设工程消防设计审查", None),
            (
                "330183-XK-00008-01",
                "特殊建设工程消防设计审查",
                Some("330183-XK-00008")
            ),
            (
                "330183-XK-00008-02",
                "其他建设工程消防设计备案抽查",
                Some("330183-XK-00008")
            ),
        ]
    );
}

#[test]
fn duplicate_codes_in_a_file_are_refused() {
    let csv = "职权编码,职权名称,职权类型,实施主体,设定依据\nA-1,甲,行政许可,富阳区民政局,《行政许可法》\nA-1,乙,行政许可,富阳区民政局,《行政许可法》\n";
    let err = read(csv.as_bytes(), Format::Csv).unwrap_err();
    assert_eq!(err.errors[0].row, Some(3));
    assert!(err.errors[0].message.en.contains("also used on row 2"));
}

#[test]
fn a_sheet_without_a_header_says_so() {
    let err = read("a,b,c\n1,2,3\n".as_bytes(), Format::Csv).unwrap_err();
    assert!(err.errors[0].message.en.contains("no header row"), "{err}");
    let err = read(b"not a zip", Format::Xlsx).unwrap_err();
    assert!(err.errors[0].message.en.contains("xlsx"), "{err}");
    let err = read(
        "职权名称,实施主体\n甲,富阳区民政局\n".as_bytes(),
        Format::Csv,
    )
    .unwrap_err();
    assert_eq!(err.errors[0].field, "职权类型");
}

const FLOW: &str = r#"
suspensions = ["补正"]
[[nodes]]
id = "start"
type = "start"
name = "申请"
[[nodes]]
id = "accept"
type = "task"
name = "受理"
step = "accept"
role = "window_clerk"
days = 1
[[nodes]]
id = "decide"
type = "task"
name = "决定"
step = "decide"
role = "approver"
days = 2
differs_from = ["accept"]
[[nodes]]
id = "end"
type = "end"
name = "办结"
[[edges]]
from = "start"
to = "accept"
[[edges]]
from = "accept"
to = "decide"
[[edges]]
from = "decide"
to = "end"
[[risks]]
node = "decide"
level = "high"
description = "违规作出许可决定"
controls = ["集体研究"]
post = "首席代表"
"#;

fn full_power() -> Power {
    Power {
        code: PowerCode::parse("330183-XK-00001").unwrap(),
        parent: None,
        basic_code: Some("000117014000".into()),
        name: "食品经营许可".into(),
        category: PowerCategory::Licensing,
        department: scjg().credit_code,
        region: fuyang(),
        exercise_level: RegionLevel::County,
        source: PowerSource::AuthorizedFromAbove,
        usage: Usage::Uncommon,
        legal_basis: vec![
            LegalBasis {
                instrument: "《中华人民共和国食品安全法》".into(),
                article: "第三十五条第一款".into(),
                text: "国家对食品生产经营实行许可制度。".into(),
            },
            LegalBasis {
                instrument: "《食品经营许可和备案管理办法》".into(),
                article: "第二条".into(),
                text: String::new(),
            },
        ],
        guide: ServiceGuide {
            conditions: vec![
                "具有与经营的食品品种、数量相适应的经营场所".into(),
                "有食品安全专业技术人员".into(),
            ],
            quantity_limit: "无数量限制".into(),
            procedure: vec![
                "申请".into(),
                "受理".into(),
                "审查".into(),
                "决定".into(),
                "送达".into(),
            ],
            materials: vec![
                Material {
                    name: "食品经营许可申请书".into(),
                    required: true,
                    form: MaterialForm::Original,
                    copies: 1,
                    source: "申请人自备".into(),
                },
                Material {
                    name: "营业执照".into(),
                    required: false,
                    form: MaterialForm::Copy,
                    copies: 2,
                    source: "市场监管部门核发".into(),
                },
            ],
            statutory_limit: Some(TimeLimit::working_days(20)),
            committed_limit: Some(TimeLimit::working_days(8)),
            fees: vec![Fee {
                item: "工本费".into(),
                standard: "不收取".into(),
                amount_fen: Some(0),
                basis: "财税〔2015〕102号".into(),
            }],
            complaint_channel: "12345政务服务便民热线".into(),
            place: "富阳区行政服务中心二楼市场监管窗口".into(),
            hours: "工作日 8:30-12:00, 14:00-17:30".into(),
            phone: "0571-63312345".into(),
            case_type: CaseType::Committed,
            targets: vec![Target::Person, Target::Legal],
            visits: Some(0),
            online: Some(true),
            intermediaries: vec![IntermediaryService {
                name: "食品检验报告".into(),
                basis: "《中华人民共和国食品安全法》第八十四条".into(),
            }],
            faq: vec![Faq {
                question: "个体工商户可以申请吗？".into(),
                answer: "可以。个体工商户凭营业执照申请，材料与企业相同。".into(),
            }],
        },
        responsibility: Responsibility {
            duties: vec![
                Duty {
                    phase: DutyPhase::Accept,
                    text: "一次性告知补正材料".into(),
                },
                Duty {
                    phase: DutyPhase::Supervise,
                    text: "开展日常监督检查".into(),
                },
            ],
            accountability: vec![AccountabilityCase {
                text: "对符合条件的申请不予受理的".into(),
                basis: "《中华人民共和国行政许可法》第七十二条".into(),
            }],
        },
        flow: Some(sunlight_core::flow::Flow::from_toml(FLOW).unwrap()),
        status: PowerStatus::Active,
    }
}

#[test]
fn export_reads_back_unchanged_in_every_format() {
    let mut sub = full_power();
    sub.code = PowerCode::parse("330183-XK-00001-01").unwrap();
    sub.parent = Some(full_power().code);
    sub.name = "食品经营许可（仅销售预包装食品）".into();
    sub.status = PowerStatus::Delegated {
        mode: DelegationMode::InitialReviewOnly,
        to_level: RegionLevel::Township,
    };
    let mut merged = full_power();
    merged.code = PowerCode::parse("330183-XK-00002").unwrap();
    merged.status = PowerStatus::Merged {
        into: full_power().code,
    };
    merged.guide = ServiceGuide::default();
    merged.responsibility = Responsibility::default();
    merged.basic_code = None;
    let powers = vec![full_power(), sub, merged];
    let names =
        |c: &CreditCode| (c == &scjg().credit_code).then(|| "富阳区市场监督管理局".to_string());
    for format in [Format::Xlsx, Format::Csv, Format::Json] {
        let bytes = write_powers(&powers, format, &names).unwrap();
        let back = read(&bytes, format).unwrap_or_else(|e| panic!("{format:?}: {e:#?}"));
        assert_eq!(back.powers, powers, "{format:?}");
    }
}
