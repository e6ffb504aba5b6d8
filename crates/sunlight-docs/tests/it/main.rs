//! Rendering and sealing whole documents.

use jiff::civil::date;
use sunlight_docs::*;

fn issue(number: &str) -> Issue {
    Issue {
        number: number.to_string(),
        issuer: "淳安县市场监督管理局".to_string(),
        date: date(2026, 5, 8),
        verification: Some(Verification::new(
            "https://zwfw.example.invalid/verify",
            number,
            check_code(b"test secret", number),
        )),
    }
}

fn application() -> Application {
    Application {
        applicant: "杭州千岛湖鲜味餐饮管理有限公司".into(),
        matter: "食品经营许可".into(),
        applied_on: date(2026, 4, 27),
        reference: Some("330127-SP-2026-000731".into()),
    }
}

fn remedies() -> Remedies {
    Remedies {
        review_body: "淳安县人民政府".into(),
        court: "淳安县人民法院".into(),
    }
}

fn approval() -> Document {
    Document::approval(
        &issue("淳市监许〔2026〕17号"),
        &application(),
        &Approval {
            basis: "《中华人民共和国食品安全法》第三十五条".into(),
            content: vec![("经营项目".into(), "热食类食品制售".into())],
            licence: Some(LicenceGrant {
                name: "食品经营许可证".into(),
                number: "JY23301270012345".into(),
                valid_to: Some(date(2031, 5, 7)),
            }),
        },
    )
}

fn denial(reasons: usize) -> Document {
    let reasons: Vec<String> = (0..reasons)
        .map(|i| {
            format!(
                "第{}项：现场核查发现经营场所布局不能防止交叉污染，设备设施与申请材料不一致",
                i + 1
            )
        })
        .collect();
    Document::denial(
        &issue("淳市监不许〔2026〕3号"),
        &application(),
        &reasons,
        "《中华人民共和国食品安全法》第三十五条",
        &remedies(),
    )
}

fn certificate() -> Document {
    Document::certificate(
        &issue("JY23301270012345"),
        &Certificate {
            holder: "杭州千岛湖鲜味餐饮管理有限公司".into(),
            licence_name: "食品经营许可证".into(),
            valid_from: date(2026, 5, 8),
            valid_to: date(2031, 5, 7),
            fields: vec![
                ("统一社会信用代码".into(), "91330127MA2H7K3X5P".into()),
                (
                    "经营场所".into(),
                    "浙江省杭州市淳安县千岛湖镇新安东路188号".into(),
                ),
            ],
        },
    )
}

fn every_kind() -> Vec<Document> {
    let app = application();
    vec![
        Document::acceptance(
            &issue("淳市监受〔2026〕1号"),
            &app,
            20,
            Some("登录政务服务网"),
        ),
        Document::supplement_notice(
            &issue("淳市监补〔2026〕1号"),
            &app,
            &[SupplementItem {
                material: "食品安全管理制度".into(),
                reason: "缺少进货查验记录制度".into(),
            }],
            date(2026, 5, 20),
            "《食品经营许可和备案管理办法》第十二条",
        ),
        Document::refusal_to_accept(
            &issue("淳市监不受〔2026〕1号"),
            &app,
            &RefusalGround::OutsideCompetence {
                competent_authority: "杭州市市场监督管理局".into(),
            },
            &remedies(),
        ),
        Document::refusal_to_accept(
            &issue("淳市监不受〔2026〕2号"),
            &app,
            &RefusalGround::NoLicenceRequired,
            &remedies(),
        ),
        approval(),
        denial(3),
        certificate(),
    ]
}

fn page_count(pdf: &[u8]) -> usize {
    pdf.windows(11)
        .filter(|w| *w == b"/Type/Page/" || *w == b"/Type/Page>")
        .count()
}

#[test]
fn every_standard_document_renders_in_the_embedded_font() {
    let fonts = Fonts::embedded();
    for doc in every_kind() {
        let pdf = render(&doc, &fonts).unwrap_or_else(|e| panic!("{:?}: {e}", doc.kind));
        assert!(pdf.starts_with(b"%PDF-"), "{:?}", doc.kind);
        assert!(page_count(&pdf) >= 1);
    }
}

#[test]
fn the_same_document_renders_to_the_same_bytes() {
    for doc in every_kind() {
        let a = render(&doc, &Fonts::embedded()).unwrap();
        let b = render(&doc.clone(), &Fonts::embedded()).unwrap();
        assert!(a == b, "{:?} differs between renders", doc.kind);
    }
    // Another number is another document.
    let mut other = approval();
    other.number = "淳市监许〔2026〕18号".into();
    assert_ne!(
        render(&approval(), &Fonts::embedded()).unwrap(),
        render(&other, &Fonts::embedded()).unwrap()
    );
}

#[test]
fn the_font_is_embedded_as_a_subset() {
    let pdf = render(&approval(), &Fonts::embedded()).unwrap();
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/FontFile3"), "the CFF font is embedded");
    assert!(has(b"/ToUnicode"), "the text can be copied and searched");
    // The subset is far smaller than the 2 MB font: only the glyphs used are in it.
    assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
}

#[test]
fn a_long_list_of_reasons_runs_over_pages() {
    let fonts = Fonts::embedded();
    let short = Document::approval(
        &issue("淳市监许〔2026〕17号"),
        &application(),
        &Approval {
            basis: String::new(),
            content: vec![],
            licence: None,
        },
    );
    let short = render(&short, &fonts).unwrap();
    let long = render(&denial(14), &fonts).unwrap();
    assert_eq!(page_count(&short), 1);
    assert!(page_count(&long) >= 2);
}

#[test]
fn characters_the_font_lacks_are_named_not_drawn_as_boxes() {
    let mut doc = approval();
    // 䶮 (U+4DAE, in names) and 𠀀 (U+20000) are beyond GB 2312.
    doc.addressee = "刘䶮".into();
    doc.blocks
        .push(Block::Paragraph("附：𠀀字样，又见䶮。".into()));
    let err = render(&doc, &Fonts::embedded()).unwrap_err();
    assert_eq!(err, Error::MissingGlyphs(vec!['䶮', '𠀀']));
    assert!(err.zh().contains('䶮') && err.en().contains("U+20000"));
    assert_eq!(Fonts::embedded().missing("刘䶮"), vec!['䶮']);
}

#[test]
fn a_caller_font_is_checked_and_used() {
    assert_eq!(
        Fonts::from_bytes(b"not a font".to_vec(), 0).err(),
        Some(Error::Font(0))
    );
    assert!(Fonts::embedded().with_fallback(vec![0; 64], 3).is_err());
}

/// With Debian's fonts-noto-cjk installed (not needed otherwise), the full collection fills in
/// what the subset lacks, embedded as a second subset font.
#[test]
fn a_fallback_font_sets_rare_characters_where_one_is_installed() {
    let Ok(full) = std::fs::read("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc") else {
        assert!(
            !in_ci(),
            "CI installs fonts-noto-cjk (.ci/run): the fallback test cannot skip"
        );
        eprintln!("fonts-noto-cjk not installed: skipped");
        return;
    };
    let fonts = Fonts::embedded().with_fallback(full, 2).unwrap();
    let mut doc = approval();
    doc.addressee = "刘䶮".into();
    assert!(fonts.missing("刘䶮").is_empty());
    let pdf = render(&doc, &fonts).unwrap();
    let embedded = pdf.windows(10).filter(|w| *w == b"/FontFile3").count();
    assert_eq!(embedded, 2, "the subset and the fallback, each subset");
    assert!(pdf.len() < 150_000, "{} bytes", pdf.len());
}

#[test]
fn a_document_needs_a_number_and_an_issuer() {
    let mut doc = approval();
    doc.number = " ".into();
    assert_eq!(
        render(&doc, &Fonts::embedded()).unwrap_err(),
        Error::Empty("number")
    );
    let mut doc = approval();
    doc.issuer.clear();
    assert_eq!(
        render(&doc, &Fonts::embedded()).unwrap_err(),
        Error::Empty("issuer")
    );
}

#[test]
fn a_rendered_document_is_sealed_and_any_tampering_shows() {
    let key = SealKey::generate([9; 32]);
    let pdf = render(&denial(3), &Fonts::embedded()).unwrap();
    let sealed = seal(&key, &pdf);
    assert_eq!(verify(&key.public_key(), &pdf, &sealed), Ok(()));
    // Rendering again gives the same bytes, so the seal still holds for them.
    let again = render(&denial(3), &Fonts::embedded()).unwrap();
    assert_eq!(verify(&key.public_key(), &again, &sealed), Ok(()));
    for at in [0, pdf.len() / 3, pdf.len() / 2, pdf.len() - 1] {
        let mut tampered = pdf.clone();
        tampered[at] = tampered[at].wrapping_add(1);
        assert_eq!(
            verify(&key.public_key(), &tampered, &sealed),
            Err(VerifyError::Altered)
        );
    }
    let stranger = SealKey::generate([10; 32]);
    assert!(matches!(
        verify(&stranger.public_key(), &pdf, &sealed),
        Err(VerifyError::WrongKey { .. })
    ));
}

#[test]
fn the_standard_wording_cites_the_law() {
    let text = |doc: &Document| {
        doc.blocks
            .iter()
            .map(|b| format!("{b:?}"))
            .collect::<String>()
    };
    let a = text(&approval());
    assert!(a.contains("你（单位）于2026年4月27日提出的食品经营许可申请"));
    assert!(
        a.contains("《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可")
    );
    let d = text(&denial(2));
    assert!(d.contains("第三十八条第二款"));
    assert!(d.contains(
        "六十日内依照《中华人民共和国行政复议法》第二十条的规定向淳安县人民政府申请行政复议"
    ));
    assert!(d.contains(
        "六个月内依照《中华人民共和国行政诉讼法》第四十六条的规定向淳安县人民法院提起行政诉讼"
    ));
    // Reasons are closed with ； and the last with 。
    let Block::List(items) = &denial(2).blocks[1] else {
        panic!("reasons are a list")
    };
    assert!(items[0].ends_with('；') && items[1].ends_with('。'));
    let acc = text(&every_kind()[0]);
    assert!(acc.contains("二十个工作日内作出行政许可决定"));
    assert_eq!(certificate().title(), "食品经营许可证");
}

/// With poppler's `pdftotext` at hand (not needed otherwise), the text extracts as Chinese.
#[test]
fn the_text_extracts_as_chinese_where_pdftotext_is_installed() {
    let dir = std::env::temp_dir().join(format!("sunlight-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("approval.pdf");
    std::fs::write(&path, render(&approval(), &Fonts::embedded()).unwrap()).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(out) = out else {
        assert!(
            !in_ci(),
            "CI installs poppler-utils (.ci/run): the text test cannot skip"
        );
        eprintln!("pdftotext not installed: skipped");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("准予行政许可决定书"), "{text}");
    assert!(text.contains("淳市监许〔2026〕17号"), "{text}");
    assert!(text.contains("本机关决定准予行政许可"), "{text}");
}

/// Under `CI=true` a test whose real part is missing fails instead of skipping.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}
