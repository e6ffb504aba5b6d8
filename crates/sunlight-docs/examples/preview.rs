//! Writes one of each standard document to a folder, to look at:
//! `cargo run -p sunlight-docs --example preview -- /tmp/docs-preview`
//! (then `pdftoppm -r 80 -png` them).

use jiff::civil::date;
use sunlight_docs::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "docs-preview".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let fonts = Fonts::embedded();
    let key = SealKey::generate([7; 32]);
    let secret = b"preview check-code secret";
    let issuer = "淳安县市场监督管理局";
    let issue = |number: &str| Issue {
        number: number.to_string(),
        issuer: issuer.to_string(),
        date: date(2026, 5, 8),
        verification: Some(Verification::new(
            "https://zwfw.chunan.gov.cn/verify",
            number,
            check_code(secret, number),
        )),
    };
    let application = Application {
        applicant: "杭州千岛湖鲜味餐饮管理有限公司".into(),
        matter: "食品经营许可".into(),
        applied_on: date(2026, 4, 27),
        reference: Some("330127-SP-2026-000731".into()),
    };
    let remedies = Remedies {
        review_body: "淳安县人民政府".into(),
        court: "淳安县人民法院".into(),
    };
    let approval = Document::approval(
        &issue("淳市监许〔2026〕17号"),
        &application,
        &Approval {
            basis: "《中华人民共和国食品安全法》第三十五条和《食品经营许可和备案管理办法》第十二条"
                .into(),
            content: vec![
                ("经营者名称".into(), "杭州千岛湖鲜味餐饮管理有限公司".into()),
                (
                    "经营场所".into(),
                    "浙江省杭州市淳安县千岛湖镇新安东路188号1幢101室".into(),
                ),
                ("主体业态".into(), "餐饮服务经营者（中型餐馆）".into()),
                (
                    "经营项目".into(),
                    "热食类食品制售；冷食类食品制售（不含生食类）；自制饮品制售（不含酒类）".into(),
                ),
            ],
            licence: Some(LicenceGrant {
                name: "食品经营许可证".into(),
                number: "JY23301270012345".into(),
                valid_to: Some(date(2031, 5, 7)),
            }),
        },
    );
    let reasons: Vec<String> = [
        "现场核查发现，经营场所的食品处理区与生活区未有效分隔，粗加工、切配、烹饪区域布局不能防止待加工食品与直接入口食品、原料与成品交叉污染，不符合《食品经营许可审查通则》第二十三条的要求",
        "提交的《食品安全管理制度》未包含从业人员健康管理、进货查验记录、食品安全自查、食品安全事故处置等制度，不符合《中华人民共和国食品安全法》第三十五条第二款第（三）项的规定",
        "申请材料中的设备布局和工艺流程图与现场实际不一致：图示的专间在现场为开放式操作台，预进间未设置洗手消毒设施",
        "冷食类食品制售专间未配备专用的空气消毒设施、专用冷藏设施和专用工具清洗消毒设施，专间内温度无法控制在25℃以下",
        "餐用具清洗消毒设施不足：仅设置一个清洗水池，未按照餐用具清洗、消毒、保洁的要求分别设置，亦未配备热力消毒设备或者化学消毒设施",
        "申请书中填写的经营项目“自制饮品制售（含酒类）”超出了餐馆可申请的经营项目范围，且未按照要求说明自酿酒的品种和工艺",
        "库房内食品与非食品（清洁剂、消毒剂）混放，未设置专区或者专柜存放，不能防止交叉污染",
    ]
    .map(String::from)
    .to_vec();
    let denial = Document::denial(
        &issue("淳市监不许〔2026〕3号"),
        &application,
        &reasons,
        "《中华人民共和国食品安全法》第三十五条和《食品经营许可审查通则》",
        &remedies,
    );
    let certificate = Document::certificate(
        &Issue {
            verification: Some(
                Verification::new(
                    "https://zwfw.chunan.gov.cn/verify",
                    "JY23301270012345",
                    check_code(secret, "JY23301270012345"),
                )
                .with_link("https://zwfw.chunan.gov.cn/verify?no=JY23301270012345"),
            ),
            ..issue("JY23301270012345")
        },
        &Certificate {
            holder: "杭州千岛湖鲜味餐饮管理有限公司".into(),
            licence_name: "食品经营许可证".into(),
            valid_from: date(2026, 5, 8),
            valid_to: date(2031, 5, 7),
            fields: vec![
                ("统一社会信用代码".into(), "91330127MA2H7K3X5P".into()),
                ("法定代表人".into(), "方志远".into()),
                (
                    "住所".into(),
                    "浙江省杭州市淳安县千岛湖镇新安东路188号".into(),
                ),
                (
                    "经营场所".into(),
                    "浙江省杭州市淳安县千岛湖镇新安东路188号1幢101室".into(),
                ),
                ("主体业态".into(), "餐饮服务经营者（中型餐馆）".into()),
                (
                    "经营项目".into(),
                    "热食类食品制售；冷食类食品制售（不含生食类）；自制饮品制售（不含酒类）".into(),
                ),
                (
                    "日常监督管理机构".into(),
                    "淳安县市场监督管理局千岛湖市场监督管理所".into(),
                ),
                ("投诉举报电话".into(), "12315".into()),
            ],
        },
    );
    let acceptance = Document::acceptance(
        &issue("淳市监受〔2026〕412号"),
        &application,
        20,
        Some("登录淳安县政务服务网（https://zwfw.chunan.gov.cn），凭申请编号和查询码"),
    );
    let supplement = Document::supplement_notice(
        &issue("淳市监补〔2026〕88号"),
        &application,
        &[
            SupplementItem {
                material: "食品安全管理制度".into(),
                reason: "缺少进货查验记录和食品安全自查制度".into(),
            },
            SupplementItem {
                material: "设备布局和工艺流程图".into(),
                reason: "未标明冷食类食品专间的位置和面积".into(),
            },
        ],
        date(2026, 5, 20),
        "《食品经营许可和备案管理办法》第十二条",
    );
    for (name, doc) in [
        ("approval", approval),
        ("denial", denial),
        ("certificate", certificate),
        ("acceptance", acceptance),
        ("supplement", supplement),
    ] {
        let pdf = render(&doc, &fonts)?;
        let s = seal(&key, &pdf);
        std::fs::write(dir.join(format!("{name}.pdf")), &pdf)?;
        std::fs::write(
            dir.join(format!("{name}.seal.json")),
            serde_json::to_vec_pretty(&s)?,
        )?;
        println!("{name}: {} bytes, seal {}", pdf.len(), s.key_id);
    }
    Ok(())
}
