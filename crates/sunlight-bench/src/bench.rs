//! `sunlight bench …`: the performance targets, measured on generated data.
//!
//! - `bench import`: a generated 100,000-row 权责清单 XLSX imported by a child `sunlight import`
//!   process (so its peak RSS is the import's alone): target under 10 s and 500 MB.
//! - `bench api`: list/filter calls through the whole router at 100,000 powers: target p99
//!   under 5 ms.

use anyhow::Context;
use clap::Subcommand;
use rust_xlsxwriter::Workbook;
use std::time::{Duration, Instant};
use sunlight_core::clock::Zone;
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::review::{Origin, ProposalDraft};
use sunlight_core::*;
use sunlight_store::Store;
use tower::ServiceExt;

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Import a generated power-list XLSX (target: 100,000 rows in < 10 s, peak RSS < 500 MB).
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// Keep the generated file here instead of a temporary directory.
        #[arg(long)]
        keep: Option<std::path::PathBuf>,
    },
    /// Deadline computations per second on one core (target: ≥ 1,000,000).
    Deadline {
        #[arg(long, default_value_t = 10_000_000)]
        n: usize,
    },
    /// Validate and lay out a 60-node flow (target: < 50 ms).
    Flow,
    /// Drive reference cases through the case engine (targets with 4 clients: ≥ 2,000 cases/s
    /// on SQLite, ≥ 500 on PostgreSQL, and at least half the raw insert limit).
    Engine {
        #[arg(long, default_value_t = 4_000)]
        cases: usize,
        /// Client counts to run with, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [1usize, 4])]
        clients: Vec<usize>,
        /// Cases each client keeps going at once (a load generator's connections per thread).
        #[arg(long, default_value_t = 32)]
        in_flight: usize,
        /// Also run on this PostgreSQL server (a fresh database is created and dropped).
        #[arg(long, env = "SUNLIGHT_BENCH_POSTGRES")]
        postgres: Option<String>,
    },
    /// A million running cases under the supervision monitor; move the clock a working day at
    /// a time (targets: deadline → alert p99 < 1 s, idle CPU near zero).
    Supervision {
        #[arg(long, default_value_t = 1_000_000)]
        cases: usize,
        /// Working days to advance.
        #[arg(long, default_value_t = 30)]
        days: usize,
    },
    /// The case lookup and power search pages on loopback under load, beside a bare static
    /// handler (targets: p99 < 5 ms lookup, < 10 ms search over 100,000 powers).
    Pages {
        #[arg(long, default_value_t = 100_000)]
        powers: usize,
        /// Cases applied online first, to look up.
        #[arg(long, default_value_t = 1_000)]
        cases: usize,
        /// Concurrent keep-alive connections.
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Seconds of load per page.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Materials uploaded: sniffed, digested and stored durably one at a time, in the
    /// database's blob table and in a directory store, beside plain files with an fsync each.
    Files {
        #[arg(long, default_value_t = 200)]
        count: usize,
        /// Size of each file in KB (1,000 bytes).
        #[arg(long, default_value_t = 1_000)]
        size_kb: usize,
        /// Also on this PostgreSQL server (a fresh database is created and dropped).
        #[arg(long, env = "SUNLIGHT_BENCH_POSTGRES")]
        postgres: Option<String>,
    },
    /// Render and seal official documents, decisions and certificates (target: < 50 ms each).
    Documents {
        #[arg(long, default_value_t = 200)]
        count: usize,
    },
    /// Time list/filter API calls at this many powers (target: p99 < 5 ms).
    Api {
        #[arg(long, default_value_t = 100_000)]
        powers: usize,
        /// Timed requests per query shape.
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
    },
}

pub use sunlight::peak_rss_kb;

const NAMES: [(&str, &str); 12] = [
    ("食品经营许可", "行政许可"),
    (
        "对未取得食品生产经营许可从事食品生产经营活动的行政处罚",
        "行政处罚",
    ),
    ("查封、扣押不符合食品安全标准的食品", "行政强制"),
    ("残疾人就业保障金征收", "行政征收"),
    ("最低生活保障金给付", "行政给付"),
    ("安全生产监督检查", "行政检查"),
    ("工伤认定", "行政确认"),
    ("对举报食品安全违法行为的奖励", "行政奖励"),
    ("林木林地权属争议处理", "行政裁决"),
    ("企业投资项目备案", "其他行政权力"),
    ("道路货物运输经营许可", "许可"),
    ("对用人单位违反工作时间和休息休假规定的行政处罚", "处罚类"),
];

const DEPARTMENTS: [&str; 6] = [
    "杭州市富阳区市场监督管理局",
    "杭州市富阳区民政局",
    "杭州市富阳区交通运输局",
    "杭州市富阳区应急管理局",
    "杭州市富阳区人力资源和社会保障局",
    "杭州市富阳区林业水利局",
];

/// Writes a generic 权责清单 sheet of `rows` rows, with a title row like real ones.
fn generate_xlsx(path: &std::path::Path, rows: usize) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.write_string(0, 0, "杭州市富阳区区级部门权责清单（基准测试数据）")?;
    let head = [
        "序号",
        "职权编码",
        "职权名称",
        "职权类型",
        "实施主体",
        "行使层级",
        "设定依据",
        "法定时限",
        "承诺时限",
        "申请材料",
        "责任事项",
        "追责情形",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string(1, c as u16, *h)?;
    }
    for i in 0..rows {
        let r = i as u32 + 2;
        let (name, cat) = NAMES[i % NAMES.len()];
        sheet.write_number(r, 0, (i + 1) as f64)?;
        sheet.write_string(r, 1, format!("BENCH-{i:07}"))?;
        sheet.write_string(r, 2, format!("{name}（第{}项）", i + 1))?;
        sheet.write_string(r, 3, cat)?;
        sheet.write_string(r, 4, DEPARTMENTS[i % DEPARTMENTS.len()])?;
        sheet.write_string(r, 5, "县级")?;
        sheet.write_string(r, 6, "1.《中华人民共和国行政许可法》第十二条：下列事项可以设定行政许可。2.《中华人民共和国食品安全法》第三十五条第一款")?;
        sheet.write_string(r, 7, "20个工作日")?;
        sheet.write_string(r, 8, format!("{}个工作日", 3 + i % 10))?;
        sheet.write_string(r, 9, "1.申请书；2.营业执照（复印件）；3.法定代表人身份证明")?;
        sheet.write_string(r, 10, "1.受理阶段责任：公示依法应当提交的材料，一次性告知补正材料。2.审查阶段责任：对申请材料进行审查。3.决定阶段责任：作出决定。4.事后监管责任：开展监督检查。")?;
        sheet.write_string(
            r,
            11,
            "对符合法定条件的申请不予受理的；超越法定职权作出决定的",
        )?;
    }
    book.save(path)?;
    Ok(())
}

pub async fn run(cmd: BenchCmd) -> anyhow::Result<()> {
    match cmd {
        BenchCmd::Import { rows, keep } => bench_import(rows, keep).await,
        BenchCmd::Api { powers, requests } => bench_api(powers, requests).await,
        BenchCmd::Pages {
            powers,
            cases,
            connections,
            seconds,
        } => crate::bench_pages::bench_pages(powers, cases, connections, seconds).await,
        BenchCmd::Deadline { n } => bench_deadline(n),
        BenchCmd::Flow => bench_flow(),
        BenchCmd::Documents { count } => crate::documents::bench_documents(count),
        BenchCmd::Files {
            count,
            size_kb,
            postgres,
        } => crate::bench_files::bench_files(count, size_kb, postgres.as_deref()).await,
        BenchCmd::Supervision { cases, days } => {
            crate::bench_supervision::bench_supervision(cases, days).await
        }
        BenchCmd::Engine {
            cases,
            clients,
            in_flight,
            postgres,
        } => {
            crate::bench_engine::bench_engine(cases, &clients, in_flight, postgres.as_deref()).await
        }
    }
}

async fn bench_import(rows: usize, keep: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = keep.unwrap_or_else(|| dir.path().join("bench-powers.xlsx"));
    let t = Instant::now();
    generate_xlsx(&file, rows)?;
    let size = std::fs::metadata(&file)?.len();
    println!(
        "generated {} ({rows} rows, {:.1} MB) in {:.1} s",
        file.display(),
        size as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let db = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store = Store::connect(&db).await?;
    store.migrate().await?;
    sunlight::demo::load_registry(&store).await?;
    store.close().await;

    let exe = std::env::current_exe()?;
    let t = Instant::now();
    let out = std::process::Command::new(exe)
        .args(["--database", &db, "import", "powers"])
        .arg(&file)
        .args(["--reason", "基准测试", "--effective", "2026-01-01"])
        .env("SUNLIGHT_REPORT_PEAK_RSS", "1")
        .output()
        .context("running the import")?;
    let wall = t.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        anyhow::bail!(
            "import failed: {}\n{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let figures: serde_json::Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .context("no figures from the import")?;
    let rss_mb = figures["peak_rss_kb"].as_u64().unwrap_or(0) as f64 / 1024.0;
    let secs = wall.as_secs_f64();
    println!(
        "import of {rows} rows (child process, wall clock incl. start-up and migration): {secs:.2} s ({:.0} rows/s)",
        rows as f64 / secs
    );
    println!(
        "  reading and checking the sheet: {:.2} s",
        figures["read_ms"].as_f64().unwrap_or(0.0) / 1000.0
    );
    println!("  peak RSS of the importing process: {rss_mb:.0} MB");
    println!(
        "targets: time < 10 s … {}; peak RSS < 500 MB … {}",
        verdict(secs < 10.0),
        verdict(rss_mb < 500.0)
    );
    Ok(())
}

pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Publishes `n` generated powers of the sample city's departments; answers the departments.
pub(crate) async fn load_bench_powers(store: &Store, n: usize) -> anyhow::Result<Vec<CreditCode>> {
    let keys = sunlight::demo::load_registry(store).await?;
    let departments: Vec<CreditCode> = ["sj", "mz", "jt", "yj", "rs", "sl"]
        .iter()
        .filter_map(|k| keys.get(*k).cloned())
        .collect();
    let region = RegionCode::parse("330183")?;
    let changes = (0..n)
        .map(|i| {
            let category = PowerCategory::ALL[i % PowerCategory::ALL.len()];
            let (name, _) = NAMES[i % NAMES.len()];
            let power = Power {
                code: PowerCode::generate(&region, category, i as u32 + 1),
                parent: None,
                basic_code: None,
                name: format!("{name}（第{}项）", i + 1),
                category,
                department: departments[i % departments.len()].clone(),
                region,
                exercise_level: RegionLevel::County,
                source: PowerSource::Statutory,
                usage: if i % 7 == 0 {
                    Usage::Uncommon
                } else {
                    Usage::Common
                },
                legal_basis: vec![LegalBasis {
                    instrument: "《中华人民共和国行政许可法》".into(),
                    article: "第十二条".into(),
                    text: String::new(),
                }],
                guide: ServiceGuide {
                    statutory_limit: Some(TimeLimit::working_days(20)),
                    committed_limit: Some(TimeLimit::working_days(5)),
                    ..Default::default()
                },
                responsibility: Responsibility::default(),
                flow: None,
                status: PowerStatus::Active,
            };
            PowerChange::Create {
                power: Box::new(power),
            }
        })
        .collect();
    let draft = ProposalDraft {
        title: "bench".into(),
        reason: "bench".into(),
        effective_from: "2026-01-01".parse()?,
        changes,
    };
    let now = Timestamp::now();
    store
        .publish_import(draft, Origin::Manual, "bench", now, Zone::CHINA.date(now))
        .await?;
    Ok(departments)
}

async fn bench_api(n: usize, requests: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store =
        Store::connect(&format!("sqlite:{}", dir.path().join("bench.db").display())).await?;
    store.migrate().await?;
    let t = Instant::now();
    let departments = load_bench_powers(&store, n).await?;
    let region = RegionCode::parse("330183")?;
    println!("loaded {n} powers in {:.1} s", t.elapsed().as_secs_f64());

    let app = sunlight_web::app(sunlight_web::AppState::new(
        store.clone(),
        std::sync::Arc::new(sunlight_web::SystemClock),
        Zone::CHINA,
    ));
    let dept = departments[0].to_string();
    let middle = n / 2;
    let some_code = PowerCode::generate(
        &region,
        PowerCategory::ALL[middle % PowerCategory::ALL.len()],
        middle as u32 + 1,
    )
    .to_string();
    let first = get_json(&app, "/api/powers?category=penalty&limit=50").await?;
    let cursor = first["next"].as_str().unwrap_or_default().to_string();
    let shapes: Vec<(&str, String, bool)> = vec![
        ("first page, no filter", "/api/powers".into(), true),
        ("category", "/api/powers?category=penalty".into(), true),
        (
            "department + category",
            format!("/api/powers?department={dept}&category=licensing"),
            true,
        ),
        (
            "region + status + usage",
            "/api/powers?region=330183&status=active&usage=uncommon".into(),
            true,
        ),
        (
            "next page by cursor",
            format!("/api/powers?category=penalty&cursor={cursor}"),
            true,
        ),
        (
            "as of a date",
            "/api/powers?as_of=2026-06-01&category=reward".into(),
            false,
        ),
        ("one power", format!("/api/powers/{some_code}"), true),
        (
            "name search (substring scan)",
            "/api/powers?q=%E5%B7%A5%E4%BC%A4".into(),
            false,
        ),
    ];
    println!(
        "{:<32} {:>9} {:>9} {:>9} {:>9} {:>14}",
        "query", "p50 ms", "p99 ms", "max ms", "target", "uncounted ms"
    );
    for (label, uri, targeted) in shapes {
        let runs = if targeted {
            requests
        } else {
            requests.min(200)
        };
        for _ in 0..20 {
            get_json(&app, &uri).await?;
        }
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            get_json(&app, &uri).await?;
            times.push(t.elapsed());
        }
        times.sort();
        let pct = |p: f64| {
            times[((times.len() as f64 * p).ceil() as usize)
                .saturating_sub(1)
                .min(times.len() - 1)]
        };
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let target = if targeted {
            verdict(pct(0.99) < Duration::from_millis(5))
        } else {
            "-"
        };
        // The first request for a filter after the list changed also counts its total.
        let mut cold = Vec::new();
        for _ in 0..10 {
            store.forget_cached_totals();
            let t = Instant::now();
            get_json(&app, &uri).await?;
            cold.push(t.elapsed());
        }
        cold.sort();
        println!(
            "{label:<32} {:>9.2} {:>9.2} {:>9.2} {:>9} {:>14.2}",
            ms(pct(0.5)),
            ms(pct(0.99)),
            ms(*times.last().unwrap_or(&Duration::ZERO)),
            target,
            ms(cold[cold.len() / 2])
        );
    }
    Ok(())
}

/// A 60-node flow: accept, a three-way parallel review of 18 steps a branch, decide, deliver.
fn sixty_node_flow() -> sunlight_core::flow::Flow {
    use sunlight_core::flow::{Edge, Flow, Node, NodeKind, RiskLevel, RiskPoint, StepKind, Task};
    let task = |id: String, name: String, step: StepKind, role: &str| Node {
        id,
        name,
        kind: NodeKind::Task(Task {
            step,
            role: role.into(),
            department: None,
            days: 0,
            legal_basis: String::new(),
            outputs: vec![],
            differs_from: vec![],
            actors: 1,
            collective: false,
        }),
    };
    let mut nodes = vec![
        Node {
            id: "start".into(),
            name: "申请".into(),
            kind: NodeKind::Start,
        },
        task(
            "accept".into(),
            "受理".into(),
            StepKind::Accept,
            "window_clerk",
        ),
        Node {
            id: "split".into(),
            name: "并联审查".into(),
            kind: NodeKind::ParallelSplit,
        },
    ];
    let mut edges = vec![("start", "accept"), ("accept", "split")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect::<Vec<_>>();
    for b in 0..3 {
        let mut prev = "split".to_string();
        for s in 0..18 {
            let id = format!("b{b}_{s}");
            nodes.push(task(
                id.clone(),
                format!("第{}组审查{}", b + 1, s + 1),
                StepKind::Review,
                "case_officer",
            ));
            edges.push((prev, id.clone()));
            prev = id;
        }
        edges.push((prev, "join".into()));
    }
    nodes.push(Node {
        id: "join".into(),
        name: "汇总".into(),
        kind: NodeKind::ParallelJoin,
    });
    nodes.push(task(
        "decide".into(),
        "决定".into(),
        StepKind::Decide,
        "approver",
    ));
    nodes.push(Node {
        id: "end".into(),
        name: "办结".into(),
        kind: NodeKind::End,
    });
    edges.push(("join".into(), "decide".into()));
    edges.push(("decide".into(), "end".into()));
    let edges = edges
        .into_iter()
        .map(|(from, to)| Edge {
            from,
            to,
            when: None,
            default: false,
        })
        .collect();
    let risks = vec![RiskPoint {
        node: "decide".into(),
        level: RiskLevel::High,
        description: "违规决定".into(),
        controls: vec!["集体研究".into()],
        post: "首席代表".into(),
    }];
    Flow {
        suspensions: vec![],
        nodes,
        edges,
        risks,
    }
}

fn bench_flow() -> anyhow::Result<()> {
    let flow = sixty_node_flow();
    anyhow::ensure!(flow.nodes.len() >= 60, "{} nodes", flow.nodes.len());
    let limits = sunlight_core::flow::Limits {
        committed: Some(TimeLimit::working_days(20)),
        statutory: Some(TimeLimit::working_days(20)),
    };
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let errors = flow.validate(limits);
        let svg = sunlight_web::flowsvg::render(&flow, sunlight_web::flowsvg::View::RiskMap);
        times.push(t.elapsed());
        anyhow::ensure!(errors.is_empty() && svg.contains("决定"), "{errors:?}");
    }
    let validate = {
        let t = Instant::now();
        for _ in 0..100 {
            let _ = flow.validate(limits);
        }
        t.elapsed() / 100
    };
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{}-node flow: validation {:.2} ms; validation + layout + SVG {:.1} ms (median of 20, max {:.1} ms)",
        flow.nodes.len(),
        validate.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    println!(
        "target < 50 ms … {}",
        verdict(median < Duration::from_millis(50))
    );
    Ok(())
}

fn bench_deadline(n: usize) -> anyhow::Result<()> {
    use sunlight_core::calendar::{Calendar, SHIPPED_NATIONAL, Stop, YearSchedule};
    let years = SHIPPED_NATIONAL
        .iter()
        .map(|(_, j)| YearSchedule::from_holiday_cn(j))
        .collect::<Result<Vec<_>, _>>()?;
    let cal = Calendar::compile(&[&years]).map_err(|e| anyhow::anyhow!("{e}"))?;
    // Start dates over 2024-2025 and limits of 1-60 working days, precomputed so that only the
    // arithmetic is timed.
    let first = jiff::civil::date(2024, 1, 1);
    let starts: Vec<Date> = (0..730)
        .map(|i| first.checked_add(jiff::Span::new().days(i)))
        .collect::<Result<_, _>>()?;
    let limits: Vec<TimeLimit> = (1..=60).map(TimeLimit::working_days).collect();
    let mut sink = 0i64;
    let t = Instant::now();
    for i in 0..n {
        let d = cal
            .deadline(starts[i % starts.len()], limits[i % limits.len()], &[])
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        sink += i64::from(d.day());
    }
    let plain = n as f64 / t.elapsed().as_secs_f64();
    let stop = [Stop {
        from: jiff::civil::date(2025, 3, 5),
        to: jiff::civil::date(2025, 3, 11),
        reason: "补正".into(),
    }];
    let m = n / 10;
    let t = Instant::now();
    for i in 0..m {
        let d = cal
            .deadline(starts[i % starts.len()], limits[i % limits.len()], &stop)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        sink += i64::from(d.day());
    }
    let stopped = m as f64 / t.elapsed().as_secs_f64();
    println!(
        "deadlines (working days, no stop): {:.1} million/s on one core",
        plain / 1e6
    );
    println!(
        "deadlines with a stopped-clock period: {:.1} million/s",
        stopped / 1e6
    );
    println!(
        "target ≥ 1,000,000/s … {}  (checksum {sink})",
        verdict(plain >= 1e6 && stopped >= 1e6)
    );
    Ok(())
}

async fn get_json(app: &axum::Router, uri: &str) -> anyhow::Result<serde_json::Value> {
    let req = axum::http::Request::builder()
        .uri(uri)
        .body(axum::body::Body::empty())?;
    let resp = app.clone().oneshot(req).await?;
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    anyhow::ensure!(
        status.is_success(),
        "{uri}: {status} {}",
        String::from_utf8_lossy(&bytes)
    );
    Ok(serde_json::from_slice(&bytes)?)
}
