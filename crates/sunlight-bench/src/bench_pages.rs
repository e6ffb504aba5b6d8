//! `sunlight bench pages`: the case lookup page and the power search page served on loopback by
//! the real server, under a load generator of keep-alive connections, beside a bare static
//! handler of the same server (what the network stack, the router and the generator cost by
//! themselves). Targets: p99 < 5 ms for the lookup, < 10 ms for search over 100,000 powers.

use crate::bench::{load_bench_powers, peak_rss_kb, verdict};
use axum::body::Bytes;
use axum::http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::{Duration, Instant};
use sunlight_core::Timestamp;
use sunlight_core::clock::Zone;
use sunlight_store::Store;

type Http = Client<HttpConnector, Full<Bytes>>;

struct Reply {
    status: u16,
    cookie: Option<String>,
    body: String,
}

async fn call(
    http: &Http,
    method: Method,
    uri: &str,
    cookie: Option<&str>,
    form: Option<String>,
) -> anyhow::Result<Reply> {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Full::new(Bytes::from(f))
        }
        None => Full::new(Bytes::new()),
    };
    let resp = http.request(req.body(body)?).await?;
    let status = resp.status().as_u16();
    let cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_string);
    let body = resp.into_body().collect().await?.to_bytes();
    Ok(Reply {
        status,
        cookie,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn csrf_of(html: &str) -> Option<String> {
    let key = r#"name="csrf" value=""#;
    let at = html.find(key)? + key.len();
    Some(html[at..at + html[at..].find('"')?].to_string())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// What one request of a shape is.
#[derive(Clone)]
enum Shape {
    Static,
    Search(Arc<Vec<String>>),
    Lookup(Arc<Vec<(String, String)>>),
}

struct Outcome {
    requests: usize,
    elapsed: Duration,
    times: Vec<Duration>,
    errors: usize,
}

async fn drive(
    base: &str,
    shape: Shape,
    connections: usize,
    for_: Duration,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..connections {
        let (base, shape) = (base.to_string(), shape.clone());
        tasks.push(tokio::spawn(async move {
            // One keep-alive connection per worker, as `wrk -c` does.
            let http: Http = Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(1)
                .build_http();
            let mut cookie = None;
            let mut token = String::new();
            if matches!(shape, Shape::Lookup(_)) {
                let r = call(&http, Method::GET, &format!("{base}/lookup"), None, None).await?;
                cookie = r.cookie;
                token = csrf_of(&r.body).unwrap_or_default();
            }
            let mut times = Vec::new();
            let mut errors = 0;
            let mut i = w * 7919;
            let end = Instant::now() + for_;
            while Instant::now() < end {
                i += 1;
                let t = Instant::now();
                let r = match &shape {
                    Shape::Static => {
                        call(
                            &http,
                            Method::GET,
                            &format!("{base}/bench/static"),
                            None,
                            None,
                        )
                        .await?
                    }
                    Shape::Search(qs) => {
                        let q = &qs[i % qs.len()];
                        call(
                            &http,
                            Method::GET,
                            &format!("{base}/powers?q={}", enc(q)),
                            None,
                            None,
                        )
                        .await?
                    }
                    Shape::Lookup(cases) => {
                        let (r, c) = &cases[i % cases.len()];
                        call(
                            &http,
                            Method::POST,
                            &format!("{base}/lookup"),
                            cookie.as_deref(),
                            Some(format!("csrf={token}&receipt={}&code={c}", enc(r))),
                        )
                        .await?
                    }
                };
                times.push(t.elapsed());
                if r.status != 200 {
                    errors += 1;
                }
            }
            anyhow::Ok((times, errors))
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await??;
        all.extend(times);
        errors += e;
    }
    all.sort();
    Ok(Outcome {
        requests: all.len(),
        elapsed: started.elapsed(),
        times: all,
        errors,
    })
}

fn pct(times: &[Duration], p: f64) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    times[((times.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(times.len() - 1)]
}

pub async fn bench_pages(
    powers: usize,
    cases: usize,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store =
        Store::connect(&format!("sqlite:{}", dir.path().join("bench.db").display())).await?;
    store.migrate().await?;
    let now = Timestamp::now();
    store.ensure_shipped_calendars(now).await?;
    sunlight_testkit::reference::seed(&store, now).await?;
    let t = Instant::now();
    load_bench_powers(&store, powers).await?;
    println!(
        "{powers} powers published in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let state = sunlight_web::AppState::new(
        store.clone(),
        Arc::new(sunlight_web::SystemClock),
        Zone::CHINA,
    );
    let t = Instant::now();
    state.search.ensure(&store).await?;
    println!(
        "search index of {} powers built in {:.1} s (peak RSS so far {} MB)",
        state.search.index().len(),
        t.elapsed().as_secs_f64(),
        peak_rss_kb().unwrap_or(0) / 1024
    );
    let app =
        sunlight_web::app(state).route("/bench/static", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sunlight_web::serve(listener, app, async {
        stopped.await.ok();
    }));

    // Cases to look up, applied online through the API like any citizen's.
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let t = Instant::now();
    let mut looked = Vec::with_capacity(cases);
    let body = serde_json::to_string(&sunlight_testkit::reference::submission(1))?;
    for chunk in 0..cases.div_ceil(32) {
        let mut batch = Vec::new();
        for _ in 0..32.min(cases - chunk * 32) {
            let (http, uri, body) = (http.clone(), format!("{base}/api/cases"), body.clone());
            batch.push(tokio::spawn(async move {
                let req = Request::builder()
                    .method(Method::POST)
                    .uri(uri)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Full::new(Bytes::from(body)))?;
                let resp = http.request(req).await?;
                let bytes = resp.into_body().collect().await?.to_bytes();
                let v: serde_json::Value = serde_json::from_slice(&bytes)?;
                anyhow::Ok((
                    v["receipt"].as_str().unwrap_or_default().to_string(),
                    v["query_code"].as_str().unwrap_or_default().to_string(),
                ))
            }));
        }
        for b in batch {
            looked.push(b.await??);
        }
    }
    anyhow::ensure!(
        looked.iter().all(|(r, c)| !r.is_empty() && !c.is_empty()),
        "submitting the cases to look up failed"
    );
    println!(
        "{cases} cases applied online in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let queries: Vec<String> = [
        "食品",
        "工伤认定",
        "最低生活保障",
        "道路货物运输经营许可",
        "行政处罚 食品",
        "林木林地权属争议",
        "安全生产 检查",
        "残疾人就业保障金",
        "第12345项",
        "企业投资项目备案",
        "施工许可",
        "不存在的事项名称",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let shapes = [
        ("bare static handler", Shape::Static, None),
        (
            "power search (/powers?q=)",
            Shape::Search(Arc::new(queries)),
            Some(10),
        ),
        (
            "case lookup (POST /lookup)",
            Shape::Lookup(Arc::new(looked)),
            Some(5),
        ),
    ];
    println!(
        "\n{connections} keep-alive connections, {seconds} s per page after a 2 s warm-up\n{:<30} {:>10} {:>9} {:>9} {:>9} {:>8} {:>8}",
        "page", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "target"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (label, shape, target) in shapes {
        drive(&base, shape.clone(), connections, Duration::from_secs(2)).await?;
        let o = drive(&base, shape, connections, Duration::from_secs(seconds)).await?;
        let p99 = pct(&o.times, 0.99);
        println!(
            "{label:<30} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>8} {:>8}",
            o.requests as f64 / o.elapsed.as_secs_f64(),
            ms(pct(&o.times, 0.5)),
            ms(p99),
            ms(*o.times.last().unwrap_or(&Duration::ZERO)),
            o.errors,
            target
                .map(|t| verdict(p99 < Duration::from_millis(t)))
                .unwrap_or("-"),
        );
    }
    println!(
        "peak RSS of the whole run: {} MB",
        peak_rss_kb().unwrap_or(0) / 1024
    );
    stop.send(()).ok();
    server.await??;
    Ok(())
}
