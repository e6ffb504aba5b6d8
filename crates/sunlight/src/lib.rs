//! The Sunlight binary's commands: `serve`, `demo`, `migrate`, `import`, `export`,
//! `check consistency`, `user add`, `ledger` and `erase`. The benchmarks are the
//! `sunlight-bench` binary.

pub mod config;
pub mod demo;
pub mod demo_cases;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::{Config, Flags};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use sunlight_app::import::Imported;
use sunlight_app::{App, AppError, SystemClock};
use sunlight_core::clock::{Clock, Zone};
use sunlight_core::{CreditCode, Role, User, Username};
use sunlight_exchange::Format;
use sunlight_store::Store;

#[derive(Parser)]
#[command(
    name = "sunlight",
    version,
    about = "阳光 Sunlight — the power list, its procedures and their supervision"
)]
struct Cli {
    /// Configuration file (default: sunlight.toml, if present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database URL: sqlite:FILE or postgres://… (overrides SUNLIGHT_DATABASE_URL).
    #[arg(long, global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and pages.
    Serve {
        #[arg(long)]
        listen: Option<String>,
    },
    /// Load the sample city into sunlight-demo.db (if new) and serve it.
    Demo {
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Import data files.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export data files.
    #[command(subcommand)]
    Export(ExportCmd),
    /// Checks over the registry.
    #[command(subcommand)]
    Check(CheckCmd),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// The tamper-evident ledger.
    #[command(subcommand)]
    Ledger(LedgerCmd),
    /// 删除保存期限届满的个人信息 — erase the personal data (applicant's name, ID number, phone,
    /// form, their own texts) of finished cases whose retention period (`[privacy]
    /// retention_years`) has ended. Each erasure is itself a ledger entry; the ledger still
    /// verifies. Exit code 2 when a date or receipt is refused.
    Erase {
        /// Only cases finished before this date (YYYY-MM-DD), which may not be later than the
        /// end of the retention period; that end by default.
        #[arg(long)]
        before: Option<String>,
        /// Only this case (repeat for several).
        #[arg(long = "receipt")]
        receipts: Vec<String>,
        /// List what would be erased, and erase nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who erases, recorded in the ledger.
        #[arg(long, default_value = "operator")]
        by: String,
    },
}

#[derive(Subcommand)]
enum LedgerCmd {
    /// Recompute every leaf and the tree from the stored events and check every stored
    /// checkpoint (signature and root). Names each altered, deleted, inserted or reordered
    /// entry; exit code 4 when anything is wrong.
    Verify {
        /// The public key (hex) the checkpoints must be signed with; by default the one of the
        /// configured key file.
        #[arg(long)]
        public_key: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint of the ledger now and print it.
    Checkpoint,
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Load a year's holiday schedule (holiday-cn JSON: year, days with name, date, isOffDay),
    /// nationally or as a region's own overrides. Replaces that year for that scope.
    Calendar {
        file: PathBuf,
        /// A region code for local overrides; national if absent.
        #[arg(long)]
        region: Option<String>,
        /// The notice the schedule comes from.
        #[arg(long)]
        source: Option<String>,
    },
    /// Import a penalty power's discretion benchmark (行政处罚裁量基准) from the sheet it is
    /// published in (.xlsx or .csv: 违法行为, 处罚依据, 裁量阶次, 适用情形, 处罚标准) or as JSON.
    /// A new version of the power's benchmark; a bad sheet loads nothing and every problem is
    /// listed with its row and column.
    Benchmark {
        file: PathBuf,
        /// The penalty power's code.
        #[arg(long)]
        power: String,
        /// The document that adopts it (e.g. 杭市监〔2024〕12号).
        #[arg(long)]
        reason: String,
        /// The benchmark's title as published; the file name if absent.
        #[arg(long)]
        source: Option<String>,
    },
    /// Import a power list (.xlsx, .csv or .json). All or nothing: a bad file imports nothing
    /// and every problem is listed with its row and column.
    Powers {
        file: PathBuf,
        /// The decision or document that approved this list (recorded on every version).
        #[arg(long, default_value = "批量导入")]
        reason: String,
        /// Effective date (YYYY-MM-DD); default today.
        #[arg(long)]
        effective: Option<String>,
        /// Operator name recorded as publisher.
        #[arg(long, default_value = "operator")]
        by: String,
        /// Instead of publishing, file the import as a proposal by this registry editor.
        #[arg(long)]
        propose_as: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExportCmd {
    /// Export the power list in force; the format follows the extension (.xlsx, .csv, .json).
    Powers { file: PathBuf },
}

#[derive(Subcommand)]
enum CheckCmd {
    /// 五统一: list every divergence among powers sharing a basic code across regions.
    Consistency {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a member of staff. The password is read from SUNLIGHT_NEW_PASSWORD, or generated and printed.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        /// Credit code of the user's department.
        #[arg(long)]
        department: Option<String>,
        /// Roles (repeat or comma-separate): registry_editor, reviewer, window_clerk, case_officer, approver, supervisor, auditor, admin.
        #[arg(long = "role", value_delimiter = ',', required = true)]
        roles: Vec<String>,
    },
}

/// Peak resident set size of this process (Linux `VmHWM`), in KiB.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .try_init();
}

/// The checkpoint key: read from its file, or created there (0600) on first use.
pub fn ledger_signer(config: &Config) -> anyhow::Result<sunlight_ledger::Signer> {
    let path = config.ledger_key_path();
    let (secret, created) = secret_file(&path, "the ledger key")?;
    let signer = sunlight_ledger::Signer::from_secret(secret);
    if created {
        eprintln!(
            "Created the ledger key {} (public key {}); keep it outside the database.",
            path.display(),
            signer.verifier().public_hex()
        );
    }
    Ok(signer)
}

/// The secret query codes are hashed under: read from its file, or created there (0600) on
/// first use. Losing it locks every applicant out of their case's page (their query codes no
/// longer match); it is as precious as the database.
pub fn query_code_key(config: &Config) -> anyhow::Result<sunlight_engine::QueryCodeKey> {
    let path = config.query_key_path();
    let (secret, created) = secret_file(&path, "the query-code key")?;
    if created {
        eprintln!(
            "Created the query-code key {}; keep it outside the database, and back it up with it.",
            path.display()
        );
    }
    Ok(sunlight_engine::QueryCodeKey::from_secret(secret))
}

/// 32 secret bytes kept as hex in `path`, made from the system's random source (and the file
/// created, 0600) when it does not exist. True when it was created now.
fn secret_file(path: &std::path::Path, what: &str) -> anyhow::Result<([u8; 32], bool)> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .with_context(|| format!("{} does not hold a 32-byte hex key", path.display()))?;
        return Ok((bytes, false));
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    write_secret(path, &hex::encode(secret))
        .with_context(|| format!("writing {what} to {}", path.display()))?;
    Ok((secret, true))
}

fn write_secret(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

async fn open(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening {}", config::mask_password(&config.database_url)))?;
    store.migrate().await.context("migrating the database")?;
    let store = match &config.files.directory {
        Some(dir) => store.with_blobs(sunlight_store::BlobPlace::Directory(dir.into())),
        None => store,
    };
    let loaded = store
        .ensure_shipped_calendars(SystemClock.now())
        .await
        .context("loading the shipped calendars")?;
    if !loaded.is_empty() {
        tracing::info!(?loaded, "national working-day calendars loaded");
    }
    Ok(store)
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let mut flags = Flags {
        database_url: cli.database.clone(),
        listen: None,
    };
    let base = match &cli.command {
        Command::Demo { .. } => Config {
            database_url: "sqlite:sunlight-demo.db".into(),
            ..Config::default()
        },
        _ => Config::default(),
    };
    if let Command::Serve { listen } | Command::Demo { listen } = &cli.command {
        flags.listen = listen.clone();
    }
    let config = Config::load(cli.config.as_deref(), base, &flags)?;
    init_logging(&config.log);
    let zone = Zone::parse(&config.zone).map_err(|e| anyhow::anyhow!("zone: {e}"))?;
    let clock = SystemClock;
    match cli.command {
        Command::Serve { .. } => {
            let store = open(&config).await?;
            serve(store, &config, zone).await?;
        }
        Command::Demo { .. } => {
            let store = open(&config).await?;
            if store.is_empty().await? {
                let now = clock.now();
                eprintln!(
                    "Loading the sample city (杭州市 · 富阳区 · 桐庐县) into {} …",
                    config::mask_password(&config.database_url)
                );
                let loaded = demo::load(&store, now, zone.date(now)).await?;
                println!(
                    "样例城市已载入 / sample city loaded: {} powers, {} departments.",
                    loaded.powers, loaded.departments
                );
                // Cases need this year's calendar; a demo run past the shipped years still serves the list.
                let sealer = Arc::new(
                    sunlight_app::documents::Sealer::new(
                        &config.documents,
                        config.seal_keys_path(),
                    )
                    .map_err(|e| anyhow::anyhow!("documents: {e}"))?,
                );
                match demo_cases::load(&store, now, zone, query_code_key(&config)?, sealer).await {
                    Ok((cases, benchmarks)) => println!(
                        "{cases} sample cases (办件) and {benchmarks} discretion benchmarks loaded; every event is in the ledger."
                    ),
                    Err(e) => eprintln!("sample cases not loaded: {e:#}"),
                }
                println!("Demo users (password for all: {}):", loaded.password);
                for (u, name, roles) in &loaded.users {
                    println!("  {u:<16} {name:<8} {}", roles.join(", "));
                }
            } else {
                println!(
                    "Using the existing {}; delete it to reload the sample city.",
                    config::mask_password(&config.database_url)
                );
                println!(
                    "Demo users: bianban.li (registry editor), fazhi.wang (reviewer), jiancha.sun (supervisor), admin … password: sunlight-demo"
                );
            }
            // A demo has no phones: its SMS go to a stub gateway that prints them here.
            let mut config = config;
            if config.notify.sms.is_none() {
                let stub = sunlight_web::sms_stub::SmsStub::default();
                let url = stub.serve(tokio::net::TcpListener::bind("127.0.0.1:0").await?, true)?;
                println!(
                    "短信（验证码、办件通知）在演示中打印于此 / demo SMS are printed here ({url})."
                );
                config.notify.sms = Some(sunlight_app::notify::SmsGateway {
                    url,
                    token: String::new(),
                    sign: "阳光政务".into(),
                });
            }
            serve(store, &config, zone).await?;
        }
        Command::Migrate => {
            open(&config).await?;
            ledger_signer(&config)?;
            query_code_key(&config)?;
            println!("migrations applied");
        }
        Command::Import(ImportCmd::Calendar {
            file,
            region,
            source,
        }) => {
            let store = open(&config).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let scope = match region.as_deref() {
                Some(r) => sunlight_store::Scope::parse(r)?,
                None => sunlight_store::Scope::National,
            };
            let source = source.unwrap_or_else(|| file.display().to_string());
            let schedule = match sunlight_app::registry::put_year_schedule(
                &store,
                scope,
                &text,
                None,
                &source,
                "operator",
                clock.now(),
            )
            .await
            {
                Ok(s) => s,
                Err(e) => return refused(&file, e),
            };
            let off = schedule.days.iter().filter(|d| d.off).count();
            println!(
                "{} {}: {off} days off, {} make-up working days loaded; deadlines on it are due for recomputation",
                scope.key(),
                schedule.year,
                schedule.days.len() - off
            );
        }
        Command::Import(ImportCmd::Benchmark {
            file,
            power,
            reason,
            source,
        }) => {
            let store = open(&config).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let format = Format::from_name(&file.to_string_lossy())
                .context("the file must end in .xlsx, .csv or .json")?;
            let listed = match sunlight_app::registry::penalty_power(&store, &power).await {
                Ok(p) => p,
                Err(e) => return refused(&file, e),
            };
            let source = source.unwrap_or_else(|| file.display().to_string());
            let outcome = match sunlight_exchange::read_benchmark(
                &bytes,
                format,
                listed.code.clone(),
                &source,
            ) {
                Ok(b) => sunlight_app::registry::put_benchmark(
                    &store,
                    &b,
                    &reason,
                    "operator",
                    clock.now(),
                )
                .await
                .map(|v| (b, v)),
                Err(e) => Err(e.into()),
            };
            let (b, version) = match outcome {
                Ok(x) => x,
                Err(e) => return refused(&file, e),
            };
            let tiers: usize = b.violations.iter().map(|v| v.tiers.len()).sum();
            println!(
                "{} {}: benchmark version {version} — {} violations, {tiers} tiers",
                listed.code,
                listed.name,
                b.violations.len()
            );
        }
        Command::Import(ImportCmd::Powers {
            file,
            reason,
            effective,
            by,
            propose_as,
        }) => {
            return import_powers(
                &config,
                zone,
                &file,
                &reason,
                effective.as_deref(),
                &by,
                propose_as.as_deref(),
            )
            .await;
        }
        Command::Export(ExportCmd::Powers { file }) => {
            let store = open(&config).await?;
            let format = Format::from_name(&file.to_string_lossy())
                .context("the file must end in .xlsx, .csv or .json")?;
            let bytes = sunlight_app::export::powers(&store, format)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
            let n = store.list_powers(&Default::default()).await?.total;
            println!("exported {n} powers to {}", file.display());
        }
        Command::Check(CheckCmd::Consistency { json }) => {
            let store = open(&config).await?;
            let report =
                sunlight_core::consistency::report(&store.powers_sharing_basic_codes().await?);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_consistency(&report);
            }
            return Ok(if report.divergences.is_empty() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::from(3)
            });
        }
        Command::User(UserCmd::Add {
            username,
            name,
            department,
            roles,
        }) => {
            let store = open(&config).await?;
            let roles = roles
                .iter()
                .map(|r| Role::parse(r).with_context(|| format!("«{r}» is not a role")))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let department = department.as_deref().map(CreditCode::parse).transpose()?;
            let user = User {
                username: Username::parse(&username)?,
                display_name: name,
                department,
                roles,
            };
            let (password, generated) = match std::env::var("SUNLIGHT_NEW_PASSWORD") {
                Ok(p) => (p, false),
                Err(_) => {
                    let mut b = [0u8; 12];
                    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
                    (hex::encode(b), true)
                }
            };
            store.add_user(&user, &password, clock.now()).await?;
            println!("added {}", user.username);
            if generated {
                println!("password: {password}");
            }
        }
        Command::Ledger(LedgerCmd::Verify { public_key, json }) => {
            let store = open(&config).await?;
            let verifier = match public_key {
                Some(hex_key) => Some(sunlight_ledger::Verifier::from_public(
                    &hex::decode(hex_key.trim()).context("the public key is hex")?,
                )?),
                None => config
                    .ledger_key_path()
                    .exists()
                    .then(|| ledger_signer(&config).map(|s| s.verifier()))
                    .transpose()?,
            };
            let report = store.verify_ledger(verifier.as_ref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "{} entries, {} checkpoints checked{}",
                    report.entries,
                    report.checkpoints,
                    if verifier.is_none() {
                        " (no key: signatures not checked)"
                    } else {
                        ""
                    }
                );
                for p in &report.problems {
                    println!("  ✗ {p}");
                }
                if report.ok() {
                    println!("ledger intact");
                }
            }
            if !report.ok() {
                return Ok(std::process::ExitCode::from(4));
            }
        }
        Command::Ledger(LedgerCmd::Checkpoint) => {
            let store = open(&config).await?;
            let signer = ledger_signer(&config)?;
            let cp = store
                .sign_checkpoint(&signer, &config.ledger_origin, clock.now())
                .await?;
            println!("{}", serde_json::to_string_pretty(&cp)?);
        }
        Command::Erase {
            before,
            receipts,
            dry_run,
            by,
        } => {
            let store = open(&config).await?;
            return erase(
                &store,
                &config,
                zone,
                clock.now(),
                before.as_deref(),
                &receipts,
                dry_run,
                &by,
            )
            .await;
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn serve(store: Store, config: &Config, zone: Zone) -> anyhow::Result<()> {
    let client =
        sunlight_web::client::ClientAddress::new(&config.proxy).map_err(|e| anyhow::anyhow!(e))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = sunlight_engine::EngineConfig {
        supervision: config.supervision.clone(),
        service: config.service.clone(),
        query_code_key: query_code_key(config)?,
        channels: config.notify.channels(),
        ..Default::default()
    };
    let mut app = App::start(store, clock, zone, engine);
    let mut documents = config.documents.clone();
    if documents.public_url == sunlight_app::documents::DocumentsConfig::default().public_url
        && !config.listen.ends_with(":0")
    {
        documents.public_url = format!("http://{}", config.listen);
    }
    app.sealer = Arc::new(
        sunlight_app::documents::Sealer::new(&documents, config.seal_keys_path())
            .map_err(|e| anyhow::anyhow!("documents: {e}"))?,
    );
    let app = Arc::new(app);
    app.prepare().await?;
    sunlight_app::notify::Deliverer::new(app.clone(), config.notify.clone())
        .map_err(|e| anyhow::anyhow!("notify: {e}"))?
        .spawn();
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!(
        "Sunlight is serving http://{addr}/  (API: http://{addr}/api/powers, OpenAPI: http://{addr}/api/openapi.json)"
    );
    let signer = Arc::new(ledger_signer(config)?);
    if config.checkpoint_interval > 0 {
        app.spawn_checkpoints(
            signer.clone(),
            config.ledger_origin.clone(),
            std::time::Duration::from_secs(config.checkpoint_interval),
        );
    }
    app.spawn_daily();
    let mut state = sunlight_web::AppState::of(app);
    state.client = client;
    state.ledger = sunlight_web::LedgerKey {
        signer: Some(signer),
        origin: config.ledger_origin.clone(),
    };
    sunlight_web::serve(listener, sunlight_web::app(state), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// `sunlight erase`: the finished cases whose retention has ended (or those of them named, or
/// those finished before `before`), erased or, with `dry_run`, listed.
#[allow(clippy::too_many_arguments)]
async fn erase(
    store: &Store,
    config: &Config,
    zone: Zone,
    now: sunlight_core::Timestamp,
    before: Option<&str>,
    receipts: &[String],
    dry_run: bool,
    by: &str,
) -> anyhow::Result<std::process::ExitCode> {
    let before = before
        .map(|d| {
            d.parse::<sunlight_core::Date>()
                .with_context(|| format!("--before «{d}» is not YYYY-MM-DD"))
        })
        .transpose()?;
    let years = config.privacy.retention_years;
    let request = sunlight_app::erase::Request {
        before,
        receipts,
        dry_run,
        by,
        retention_years: years,
    };
    let outcome = sunlight_app::erase::run(store, zone, now, &request)
        .await
        .map_err(|e| match e {
            AppError::Domain(d) => anyhow::anyhow!("{}", d.text().get(cli_lang())),
            other => other.into(),
        })?;
    let refused = match outcome {
        sunlight_app::erase::Outcome::TooEarly {
            asked,
            retention_end,
        } => {
            eprintln!(
                "保存期限未届满：{asked} 晚于 {retention_end}（已办结案件的个人信息保存 {years} 年）；未删除任何信息。\n\
                 retention period not over: {asked} is after {retention_end} (personal data of finished cases is kept {years} years); nothing was erased."
            );
            return Ok(std::process::ExitCode::from(2));
        }
        sunlight_app::erase::Outcome::WouldErase { found, refused } => {
            for f in &found {
                let at = sunlight_core::Timestamp::from_millisecond(f.finished_at_ms)
                    .map(|t| zone.date(t).to_string())
                    .unwrap_or_default();
                println!("  {}  办结于 finished {at}", f.receipt);
            }
            println!(
                "将删除 {} 件已办结案件的个人信息（试运行，未删除）/ {} finished case(s) would be erased (dry run: nothing erased)",
                found.len(),
                found.len()
            );
            refused
        }
        sunlight_app::erase::Outcome::Erased(report) => {
            for e in &report.erased {
                println!("  {}  {} 条记录 / entries", e.receipt, e.entries.len());
            }
            println!(
                "已删除 {} 件已办结案件的个人信息，每次删除均已记入账本 / erased the personal data of {} finished case(s); each erasure is in the ledger",
                report.erased.len(),
                report.erased.len()
            );
            report.refused
        }
    };
    for (r, why) in &refused {
        eprintln!("  ✗ {r}: {} / {}", why.zh(), why.en());
    }
    Ok(if refused.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(2)
    })
}

async fn import_powers(
    config: &Config,
    zone: Zone,
    file: &std::path::Path,
    reason: &str,
    effective: Option<&str>,
    by: &str,
    propose_as: Option<&str>,
) -> anyhow::Result<std::process::ExitCode> {
    let started = Instant::now();
    let store = open(config).await?;
    let format = Format::from_name(&file.to_string_lossy())
        .context("the file must end in .xlsx, .csv or .json")?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let now = SystemClock.now();
    let effective = match effective {
        Some(d) => d
            .parse()
            .with_context(|| format!("--effective «{d}» is not YYYY-MM-DD"))?,
        None => zone.date(now),
    };
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} rows read ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("reading {}", file.display()));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pb = bar.clone();
    let editor = match propose_as {
        Some(name) => Some(
            store
                .user(name)
                .await?
                .with_context(|| format!("no user «{name}»"))?,
        ),
        None => None,
    };
    let filing = match &editor {
        Some(user) => sunlight_app::import::Filing::Propose(user),
        None => sunlight_app::import::Filing::Publish { by },
    };
    let file_in = sunlight_app::import::PowersFile {
        name: &name,
        bytes: &bytes,
        format,
        title: None,
        reason,
        effective_from: Some(effective),
    };
    let imported = sunlight_app::import::powers(
        &store,
        file_in,
        filing,
        now,
        zone.date(now),
        &mut move |n| pb.set_position(n as u64),
    )
    .await;
    bar.finish_and_clear();
    let read_ms = started.elapsed().as_millis();
    let (proposal, rows_read, unchanged, kinds) = match imported {
        Ok(Imported::Filed {
            proposal,
            rows_read,
            unchanged,
            kinds,
        }) => (proposal, rows_read, unchanged, kinds),
        Ok(Imported::Unchanged { rows_read, .. }) => {
            println!(
                "{}: {rows_read} rows, all already listed as given — nothing to do",
                file.display()
            );
            return Ok(std::process::ExitCode::SUCCESS);
        }
        Err(e) => return refused(file, e),
    };
    let kinds = kinds
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{}: {rows_read} rows → {kinds}; {unchanged} unchanged. Proposal {} is {}.",
        file.display(),
        proposal.id,
        proposal.state.as_str()
    );
    if std::env::var("SUNLIGHT_REPORT_PEAK_RSS").is_ok() {
        println!(
            "{}",
            serde_json::json!({"rows": rows_read, "read_ms": read_ms, "total_ms": started.elapsed().as_millis(), "peak_rss_kb": peak_rss_kb()})
        );
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// Prints a refusal of a file's content (every problem with its row, line and column) and
/// answers exit code 2; anything else is an error of the run.
fn refused(file: &std::path::Path, e: AppError) -> anyhow::Result<std::process::ExitCode> {
    match e {
        AppError::File(f) => Ok(report_import_errors(file, &f)),
        AppError::Domain(d) => {
            eprintln!("{}: nothing was loaded", file.display());
            let lang = cli_lang();
            if d.field_errors().is_empty() {
                eprintln!("  {}", d.text().get(lang));
            }
            for fe in d.field_errors() {
                let at = match (fe.row, fe.line) {
                    (Some(r), _) => format!("row {r}, "),
                    (None, Some(l)) => format!("line {l}, "),
                    _ => String::new(),
                };
                eprintln!("  {at}{}: {}", fe.field, fe.message.get(lang));
            }
            Ok(std::process::ExitCode::from(2))
        }
        other => Err(other.into()),
    }
}

fn report_import_errors(
    file: &std::path::Path,
    e: &sunlight_exchange::ImportError,
) -> std::process::ExitCode {
    eprintln!(
        "{}: {} problem(s) after {} data rows; nothing was imported.",
        file.display(),
        e.errors.len(),
        e.rows_read
    );
    for fe in &e.errors {
        let at = match (fe.row, fe.line) {
            (Some(r), _) => format!("row {r:>6}"),
            (None, Some(l)) => format!("line {l:>5}"),
            _ => "          ".into(),
        };
        eprintln!("  {at}  {:<12} {}", fe.field, fe.message.get(cli_lang()));
    }
    std::process::ExitCode::from(2)
}

/// The language problems are printed in: English when the locale (`LC_ALL`, `LC_MESSAGES`,
/// `LANG`) is English, Chinese otherwise.
fn cli_lang() -> sunlight_core::Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_default();
    if locale.starts_with("en") {
        sunlight_core::Lang::En
    } else {
        sunlight_core::Lang::Zh
    }
}

fn print_consistency(report: &sunlight_core::consistency::ConsistencyReport) {
    println!(
        "五统一 consistency: {} basic codes shared across regions, {} divergence(s)",
        report.shared_codes,
        report.divergences.len()
    );
    for d in &report.divergences {
        println!(
            "\n基本编码 {} — {} ({:?}) differs:",
            d.basic_code,
            d.field.zh(),
            d.field
        );
        for (i, v) in d.variants.iter().enumerate() {
            let marker = if i == 0 { "reference" } else { "diverges" };
            let holders = v
                .holders
                .iter()
                .map(|h| format!("{} [{} {}]", h.code, h.region, h.level.zh()))
                .collect::<Vec<_>>()
                .join(", ");
            println!("  {marker:<9} «{}»\n            held by {holders}", v.value);
        }
    }
    if report.divergences.is_empty() {
        println!("no divergences");
    }
}
