//! The binary as an operator uses it: real processes on a temporary SQLite file.

mod e2e;
mod e2e_service;
mod notify;
mod privacy;

use std::path::Path;
use std::process::{Command, Output};

fn sunlight(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["--database", db])
        .args(args)
        .env_remove("SUNLIGHT_DATABASE_URL")
        .env("SUNLIGHT_NEW_PASSWORD", "operator-pass-1")
        // Problems are printed in the locale's language: English here, Chinese otherwise.
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run sunlight")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.display().to_string()
}

#[test]
fn import_export_check_and_users_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("cli.db").display());
    let out = sunlight(&db, &["migrate"]);
    assert!(out.status.success(), "{}", text(&out));

    // Departments must exist before a list naming them can be imported: a fresh database
    // refuses the file, says why for each row, and stores nothing.
    let csv = "职权名称,职权类型,实施主体,设定依据\n\
               食品经营许可,行政许可,杭州市富阳区市场监督管理局,《中华人民共和国食品安全法》第三十五条\n\
               临时救助,行政指导,杭州市富阳区民政局,《社会救助暂行办法》第四十七条\n";
    let file = write(dir.path(), "list.csv", csv);
    let out = sunlight(&db, &["import", "powers", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("nothing was imported"), "{report}");
    assert!(
        report.contains("row      2") && report.contains("not a registered department"),
        "{report}"
    );
    assert!(
        report.contains("row      3") && report.contains("«行政指导» is not a category"),
        "{report}"
    );
    // In a Chinese locale (or none) the same problems read in Chinese.
    let out = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["--database", &db, "import", "powers", &file])
        .env_remove("SUNLIGHT_DATABASE_URL")
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .output()
        .expect("run sunlight");
    assert!(
        text(&out).contains("“行政指导”不是职权类型"),
        "{}",
        text(&out)
    );

    let out = sunlight(
        &db,
        &[
            "user",
            "add",
            "zhang.san",
            "--name",
            "张三",
            "--role",
            "window_clerk,case_officer",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = sunlight(
        &db,
        &[
            "user",
            "add",
            "zhang.san",
            "--name",
            "张三",
            "--role",
            "window_clerk",
        ],
    );
    assert!(
        !out.status.success() && text(&out).contains("already exists"),
        "{}",
        text(&out)
    );
    let out = sunlight(
        &db,
        &["user", "add", "li.si", "--name", "李四", "--role", "mayor"],
    );
    assert!(
        !out.status.success() && text(&out).contains("«mayor» is not a role"),
        "{}",
        text(&out)
    );

    let out = sunlight(&db, &["check", "consistency"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("no divergences"));
    let export = dir.path().join("out.xlsx").display().to_string();
    let out = sunlight(&db, &["export", "powers", &export]);
    assert!(
        out.status.success() && text(&out).contains("exported 0 powers"),
        "{}",
        text(&out)
    );
    let y2027 = write(
        dir.path(),
        "2027.json",
        r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#,
    );
    let out = sunlight(&db, &["import", "calendar", &y2027]);
    assert!(
        out.status.success() && text(&out).contains("national 2027: 1 days off"),
        "{}",
        text(&out)
    );
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"year": 2027, "days": [{"name": "元旦", "date": "2028-01-01", "isOffDay": true}]}"#,
    );
    let out = sunlight(&db, &["import", "calendar", &bad]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("days[0].date: 2028-01-01 is not in 2027"),
        "{}",
        text(&out)
    );
    let out = sunlight(&db, &["export", "powers", "list.pdf"]);
    assert!(
        !out.status.success() && text(&out).contains(".xlsx, .csv or .json"),
        "{}",
        text(&out)
    );
}

#[test]
fn demo_loads_the_sample_city_and_serves_it() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("demo.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["--database", &db, "demo", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let addr = loop {
        let line = lines.next().expect("demo stopped before serving").unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("Sunlight is serving http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    assert!(
        printed.contains("102 powers")
            && printed.contains("fazhi.wang")
            && printed.contains("sunlight-demo"),
        "{printed}"
    );
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let home = get("/");
    assert!(
        home.starts_with("HTTP/1.1 200") && home.contains("权力清单"),
        "{home}"
    );
    let list = get("/powers?q=%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5"); // 食品经营
    assert!(
        list.starts_with("HTTP/1.1 200") && list.contains("食品经营许可"),
        "{list}"
    );
    let api = get("/api/consistency");
    assert!(api.contains("食品经营许可证核发"), "{api}");
    child.kill().unwrap();
    child.wait().unwrap();

    // A new version of a penalty benchmark from the sheet the bureau publishes.
    let sheet = "\
富阳区市场监督管理局行政处罚裁量基准（2026年修订）,,,,,
序号,违法行为,处罚依据,裁量阶次,适用情形,处罚标准
SP-01,未取得食品经营许可从事食品经营活动，货值金额不足一万元,《中华人民共和国食品安全法》第一百二十二条第一款,轻微,首次被查处，主动停止经营,处五万元以上六万元以下罚款
,,,一般,不属于从轻、从重情形,处六万元以上八万元以下罚款
,,,严重,拒不改正或经营对象为学生,处八万元以上十万元以下罚款
";
    let file = write(dir.path(), "裁量基准.csv", sheet);
    let args = |f: &str, power: &str| -> Vec<String> {
        [
            "import",
            "benchmark",
            f,
            "--power",
            power,
            "--reason",
            "富市监〔2026〕9号",
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        sunlight(&db, &a)
    };
    let out = run(args(&file, "330183-CF-00001"));
    assert!(
        out.status.success() && text(&out).contains("1 violations, 3 tiers"),
        "{}",
        text(&out)
    );
    let bad = write(
        dir.path(),
        "bad.csv",
        &sheet
            .replace(",严重,", ",很严重,")
            .replace("处六万元以上八万元以下罚款", "视情节"),
    );
    let out = run(args(&bad, "330183-CF-00001"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("row      4  处罚标准") && report.contains("row      5  裁量阶次"),
        "{report}"
    );
    let out = run(args(&file, "330183-XK-00001"));
    assert!(
        !out.status.success() && text(&out).contains("not a penalty power"),
        "{}",
        text(&out)
    );
    let out = sunlight(&db, &["ledger", "verify"]);
    assert!(out.status.success(), "{}", text(&out));
}
