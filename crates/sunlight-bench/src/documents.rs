//! Official documents: `count` decisions (准予 and 不予, one to twelve reasons) and `count`
//! certificates, each with its own generated text, rendered to PDF by `sunlight-docs` and
//! sealed (SM3 digest + SM2 signature), render and seal timed apart (target: < 50 ms a
//! document, render and seal together, at the 95th percentile).

use std::time::{Duration, Instant};
use sunlight_docs::*;

/// A small deterministic generator, so every run renders the same documents.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() % from.len()]
    }

    /// One to `most` picks from `from`, run together.
    fn phrase(&mut self, from: &[&str], most: usize) -> String {
        let parts = 1 + self.next() % most;
        (0..parts)
            .map(|_| self.pick(from))
            .collect::<Vec<_>>()
            .concat()
    }
}

const PLACES: [&str; 8] = [
    "千岛湖",
    "临岐",
    "汾口",
    "威坪",
    "姜家",
    "梓桐",
    "文昌",
    "石林",
];
const TRADES: [&str; 8] = [
    "鲜味餐饮",
    "山越食品",
    "绿源农业",
    "新安建设",
    "湖畔民宿",
    "清溪茶业",
    "惠民药房",
    "顺达物流",
];
const FORMS: [&str; 4] = ["管理有限公司", "有限公司", "股份有限公司", "经营部"];
const MATTERS: [&str; 6] = [
    "食品经营许可",
    "药品零售企业许可",
    "公共场所卫生许可",
    "建筑工程施工许可",
    "取水许可",
    "道路货物运输经营许可",
];
const FINDINGS: [&str; 10] = [
    "现场核查发现经营场所布局不合理",
    "设备设施与申请材料不一致",
    "未能提供有效期内的考核合格证明",
    "专间未配备专用的空气消毒设施",
    "排水设施未设置防止污水倒流的装置",
    "库房内食品与非食品混放",
    "从业人员健康证明已过有效期",
    "申请的经营项目超出可申请的范围",
    "清洗消毒设施不足",
    "距离污染源不足二十五米且未采取有效措施",
];
const CLAUSES: [&str; 4] = [
    "，不符合《食品经营许可审查通则》第二十三条的要求",
    "，不符合《中华人民共和国食品安全法》第三十三条的规定",
    "，且经告知后未能在规定期限内整改到位",
    "",
];

fn day(rng: &mut Lcg) -> jiff::civil::Date {
    jiff::civil::date(
        2026,
        1 + (rng.next() % 12) as i8,
        1 + (rng.next() % 28) as i8,
    )
}

const ISSUERS: [&str; 5] = [
    "淳安县市场监督管理局",
    "淳安县卫生健康局",
    "淳安县交通运输局",
    "淳安县水利局",
    "杭州市淳安县人民政府行政审批服务中心",
];

fn issue(rng: &mut Lcg, i: usize, secret: &[u8], number: String) -> Issue {
    Issue {
        verification: Some(Verification::new(
            "https://zwfw.example.invalid/verify",
            number.clone(),
            check_code(secret, &number),
        )),
        number,
        issuer: ISSUERS[i % ISSUERS.len()].to_string(),
        date: day(rng),
    }
}

fn decision(rng: &mut Lcg, i: usize, secret: &[u8]) -> Document {
    let number = format!("淳市监许〔2026〕{}号", i + 1);
    let issue = issue(rng, i, secret, number);
    let application = Application {
        applicant: format!(
            "杭州{}{}{}",
            rng.pick(&PLACES),
            rng.pick(&TRADES),
            rng.pick(&FORMS)
        ),
        matter: rng.pick(&MATTERS).to_string(),
        applied_on: jiff::civil::date(2026, 1, 1 + (i % 28) as i8),
        reference: Some(format!("330127-SP-2026-{:06}", i + 1)),
    };
    if i.is_multiple_of(2) {
        Document::approval(
            &issue,
            &application,
            &Approval {
                basis: "《中华人民共和国食品安全法》第三十五条".into(),
                content: vec![
                    (
                        "经营场所".into(),
                        format!(
                            "浙江省杭州市淳安县{}镇新安东路{}号",
                            rng.pick(&PLACES),
                            1 + rng.next() % 400
                        ),
                    ),
                    (
                        "经营项目".into(),
                        rng.phrase(
                            &[
                                "热食类食品制售；",
                                "冷食类食品制售；",
                                "自制饮品制售；",
                                "糕点类食品制售；",
                            ],
                            3,
                        ),
                    ),
                ],
                licence: Some(LicenceGrant {
                    name: "食品经营许可证".into(),
                    number: format!("JY2330127{:07}", i + 1),
                    valid_to: Some(jiff::civil::date(2031, 5, 7)),
                }),
            },
        )
    } else {
        let reasons: Vec<String> = (0..1 + rng.next() % 12)
            .map(|_| format!("{}{}", rng.phrase(&FINDINGS, 3), rng.pick(&CLAUSES)))
            .collect();
        Document::denial(
            &issue,
            &application,
            &reasons,
            "《中华人民共和国食品安全法》第三十五条",
            &Remedies {
                review_body: "淳安县人民政府".into(),
                court: "淳安县人民法院".into(),
            },
        )
    }
}

fn certificate(rng: &mut Lcg, i: usize, secret: &[u8]) -> Document {
    let number = format!("JY2330127{:07}", i + 1);
    let issue = issue(rng, i, secret, number);
    let holder = format!(
        "杭州{}{}{}",
        rng.pick(&PLACES),
        rng.pick(&TRADES),
        rng.pick(&FORMS)
    );
    Document::certificate(
        &issue,
        &Certificate {
            holder,
            licence_name: [
                "食品经营许可证",
                "药品经营许可证",
                "卫生许可证",
                "取水许可证",
            ][i % 4]
                .into(),
            valid_from: jiff::civil::date(2026, 5, 8),
            valid_to: jiff::civil::date(2031, 5, 7),
            fields: vec![
                ("统一社会信用代码".into(), format!("91330127MA2H{:06}", i)),
                (
                    "法定代表人".into(),
                    format!(
                        "{}{}",
                        rng.pick(&["方", "王", "李", "欧阳"]),
                        rng.phrase(&["志", "远", "明", "华", "静"], 2)
                    ),
                ),
                (
                    "经营场所".into(),
                    format!(
                        "浙江省杭州市淳安县{}镇{}路{}号",
                        rng.pick(&PLACES),
                        rng.pick(&PLACES),
                        1 + rng.next() % 400
                    ),
                ),
                (
                    "经营项目".into(),
                    rng.phrase(
                        &[
                            "热食类食品制售；",
                            "冷食类食品制售；",
                            "自制饮品制售；",
                            "预包装食品销售；",
                        ],
                        4,
                    ),
                ),
            ],
        },
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Mean, p50, p95 and max in milliseconds.
fn stats(times: &mut [Duration]) -> (f64, f64, f64, f64) {
    times.sort();
    let n = times.len().max(1);
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / n as f64;
    let at = |q: f64| ms(times[((n as f64 * q).ceil() as usize).clamp(1, n) - 1]);
    (mean, at(0.50), at(0.95), at(1.0))
}

pub fn bench_documents(count: usize) -> anyhow::Result<()> {
    anyhow::ensure!(count > 0, "--count must be at least 1");
    let t = Instant::now();
    let fonts = Fonts::embedded();
    println!(
        "fonts loaded in {:.1} ms (embedded Noto Serif SC subset)",
        ms(t.elapsed())
    );
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)?;
    let key = SealKey::generate(seed);
    let secret = b"bench check-code secret";
    let mut rng = Lcg(20260508);
    println!(
        "{:<13} {:>5} {:>9} {:>8} {:>8} {:>8} {:>9} {:>8} {:>6} {:>8} {:>8}",
        "document",
        "n",
        "render ms",
        "p50",
        "p95",
        "max",
        "seal ms",
        "p95",
        "pages",
        "KB mean",
        "KB max"
    );
    let mut worst = Duration::ZERO;
    for kind in ["decision", "certificate"] {
        let docs: Vec<Document> = (0..count)
            .map(|i| match kind {
                "decision" => decision(&mut rng, i, secret),
                _ => certificate(&mut rng, i, secret),
            })
            .collect();
        let (mut render_t, mut seal_t, mut total_t) = (Vec::new(), Vec::new(), Vec::new());
        let (mut bytes, mut max_bytes, mut pages) = (0usize, 0usize, 0usize);
        for doc in &docs {
            let t = Instant::now();
            let pdf = render(doc, &fonts)?;
            let rendered = t.elapsed();
            let t = Instant::now();
            let sealed = seal(&key, &pdf);
            let sealing = t.elapsed();
            render_t.push(rendered);
            seal_t.push(sealing);
            total_t.push(rendered + sealing);
            anyhow::ensure!(
                verify(&key.public_key(), &pdf, &sealed).is_ok(),
                "a seal does not verify"
            );
            bytes += pdf.len();
            max_bytes = max_bytes.max(pdf.len());
            pages += pdf
                .windows(11)
                .filter(|w| *w == b"/Type/Page/" || *w == b"/Type/Page>")
                .count();
        }
        let (r_mean, r50, r95, rmax) = stats(&mut render_t);
        let (s_mean, _, s95, _) = stats(&mut seal_t);
        total_t.sort();
        worst = worst.max(total_t[((count as f64 * 0.95).ceil() as usize).clamp(1, count) - 1]);
        println!(
            "{kind:<13} {count:>5} {r_mean:>9.2} {r50:>8.2} {r95:>8.2} {rmax:>8.2} {s_mean:>9.3} {s95:>8.3} {:>6.2} {:>8.1} {:>8.1}",
            pages as f64 / count as f64,
            bytes as f64 / count as f64 / 1e3,
            max_bytes as f64 / 1e3,
        );
    }
    // Verifying is what a reader's check costs: digest and signature check.
    let pdf = render(&decision(&mut rng, 1, secret), &fonts)?;
    let sealed = seal(&key, &pdf);
    let t = Instant::now();
    for _ in 0..100 {
        verify(&key.public_key(), &pdf, &sealed).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    println!(
        "verify (SM3 + SM2) {:.3} ms per document",
        ms(t.elapsed()) / 100.0
    );
    println!(
        "target render + seal < 50 ms a document (p95 {:.1} ms) … {}",
        ms(worst),
        crate::bench::verdict(worst < Duration::from_millis(50))
    );
    Ok(())
}
