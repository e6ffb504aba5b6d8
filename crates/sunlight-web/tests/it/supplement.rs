//! 补正 end to end on the pages: the clerk's one-time notice with reasons and a day, the
//! applicant's view of it with the clock stopped, files uploaded item by item (wrong types and
//! missing items refused with the item named, nothing half-stored), the files read back by
//! those who may, the window's paper receipt, and a notice nobody answers lapsing by the
//! engine's timer.

use crate::pages::{Browser, between, location, page_api};
use crate::*;
use sunlight_testkit::reference;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

/// A reference case applied for online without its third material; (receipt, query code).
async fn apply_without_one(api: &Api) -> (String, String) {
    let mut sub = serde_json::to_value(reference::submission(7)).unwrap();
    sub["materials"] = json!(&reference::MATERIALS[..2]);
    let r = api.call("POST", "/api/cases", None, Some(sub), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let j = r.json();
    (
        j["receipt"].as_str().unwrap().to_string(),
        j["query_code"].as_str().unwrap().to_string(),
    )
}

/// The clerk's notice: the missing material (ticked by the page) and a named one with its
/// reason, five working days.
async fn notice(clerk: &mut Browser<'_>, receipt: &str) {
    let case = format!("/work/cases/{receipt}");
    let html = clerk.get(&case).await.text();
    assert!(html.contains(r#"data-act="supplement""#), "{html}");
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[
                ("action", "request_supplement"),
                ("task", "1"),
                ("item_2", reference::MATERIALS[2]),
                ("other_0", "建设工程规划许可证"),
                ("other_reason_0", "复印件不清晰，请提交原件扫描件"),
                ("days", "5"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

async fn send(
    b: &mut Browser<'_>,
    fields: &[(&str, String)],
    files: &[(&str, &str, &[u8])],
) -> Resp {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post_multipart("/lookup/supplement", &fields, files).await
}

#[tokio::test]
async fn an_applicant_supplies_files_online_and_the_clerk_accepts() {
    let (api, _, _) = page_api().await;
    let (receipt, code) = apply_without_one(&api).await;
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    // A reason is needed for an item the clerk names.
    let case = format!("/work/cases/{receipt}");
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[
                ("action", "request_supplement"),
                ("task", "1"),
                ("other_0", "建设工程规划许可证"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("请写明「建设工程规划许可证」需要补正的原因"),
        "{}",
        r.text()
    );
    notice(&mut clerk, &receipt).await;
    let html = clerk.get(&case).await.text();
    assert!(html.contains(r#"id="notice""#), "{html}");
    assert!(html.contains("复印件不清晰"));
    assert!(html.contains("计时暂停（补正中"), "{html}");
    // The clerk is offered the window's act, and nothing else on the accept step.
    assert!(html.contains(r#"data-act="receive-supplement""#), "{html}");
    assert!(!html.contains(r#"data-act="accept""#));

    // The applicant sees every item, its reason and the day, the clock stopped.
    let mut citizen = Browser::new(&api);
    let r = citizen.look_up(&receipt, &code).await;
    assert_eq!(location(&r), "/lookup/case");
    let html = citizen.get("/lookup/case").await.text();
    for text in [
        "一次性告知书",
        reference::MATERIALS[2],
        "未提交（办事指南所列必要材料）",
        "复印件不清晰，请提交原件扫描件",
        "计时暂停（补正中",
        "待补正",
        "灰灯 暂停计时",
    ] {
        assert!(html.contains(text), "{text} not on the page: {html}");
    }
    let due = between(&html, r#"<b id="notice-due">"#, "<").to_string();
    assert_eq!(due.len(), 10, "{due}");
    let csrf = crate::pages::csrf_of(&html);
    let fields = |idem: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("idem", idem.to_string()),
            ("material_0", reference::MATERIALS[2].to_string()),
            ("material_1", "建设工程规划许可证".to_string()),
        ]
    };
    // A text file dressed as a PDF: refused by its content, the item named.
    let r = send(
        &mut citizen,
        &fields("a"),
        &[
            ("file_0", "施工图.pdf", b"just some text, not a PDF"),
            ("file_1", "规划许可证.png", PNG),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text()
            .contains(&format!("「{}」的文件不是 PDF", reference::MATERIALS[2])),
        "{}",
        r.text()
    );
    // One item only: refused, naming the other.
    let r = send(&mut citizen, &fields("b"), &[("file_0", "施工图.pdf", PDF)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains("尚缺：建设工程规划许可证"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("待补正"), "nothing changed");
    // Everything: a redirect to the case, which says so and lists the files.
    let all: [(&str, &str, &[u8]); 2] = [
        ("file_0", "施工图.pdf", PDF),
        ("file_1", "规划许可证.png", PNG),
    ];
    let r = send(&mut citizen, &fields("c"), &all).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/lookup/case?done=supplemented");
    // The same form sent again (back, then send): the first answer, no second act.
    let again = send(&mut citizen, &fields("c"), &all).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.text());
    let html = citizen.get(location(&r)).await.text();
    assert!(html.contains("补正材料已提交"), "{html}");
    assert!(html.contains("待受理"), "{html}");
    let href = between(&html, r#"<ul id="files"><li><a href=""#, "\"").to_string();
    assert!(href.starts_with("/lookup/files/"), "{href}");
    let file = citizen.get(&href).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(file.body, PDF);
    // Nobody else reads it: not a stranger, not another department.
    let sha = href.rsplit('/').next().unwrap().to_string();
    assert_ne!(
        Browser::new(&api).get(&href).await.status,
        StatusCode::OK,
        "a stranger"
    );
    let mut other = Browser::new(&api);
    other.sign_in("shichang.wu").await;
    assert_eq!(
        other.get(&format!("{case}/files/{sha}")).await.status,
        StatusCode::NOT_FOUND
    );

    // The clerk sees the files and accepts.
    let html = clerk.get(&case).await.text();
    assert!(html.contains(&format!("{case}/files/{sha}")), "{html}");
    assert_eq!(
        clerk.get(&format!("{case}/files/{sha}")).await.body,
        PDF,
        "the clerk reads the file"
    );
    let history = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}/history"),
            Some(&api.login_as("chuangkou.chen", reference::PASSWORD).await),
            None,
            &[],
        )
        .await
        .json();
    let supplemented = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "case.supplemented")
        .count();
    assert_eq!(supplemented, 1, "sent twice, supplied once");
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = citizen.get("/lookup/case").await.text();
    assert!(html.contains("计时中") && html.contains("办理中"), "{html}");
}

#[tokio::test]
async fn at_the_window_the_clerk_records_paper_and_a_scan() {
    let (api, _, _) = page_api().await;
    let (receipt, _) = apply_without_one(&api).await;
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    notice(&mut clerk, &receipt).await;
    let case = format!("/work/cases/{receipt}");
    let csrf = crate::pages::csrf_of(&clerk.get(&case).await.text());
    let r = clerk
        .post_multipart(
            &format!("{case}/supplement"),
            &[
                ("csrf", &csrf),
                ("task", "1"),
                ("material_0", reference::MATERIALS[2]),
                ("material_1", "建设工程规划许可证"),
                ("paper_1", "1"),
            ],
            &[("file_0", "scan.pdf", PDF)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = clerk.get(location(&r)).await.text();
    assert!(html.contains("已办理：补正材料"), "{html}");
    assert!(html.contains(r#"data-act="accept""#), "{html}");
    assert!(html.contains(r#"<ul id="files">"#));
}

#[tokio::test]
async fn a_notice_nobody_answers_lapses_when_its_last_day_ends() {
    let (api, clock, _) = page_api().await;
    let (receipt, code) = apply_without_one(&api).await;
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    notice(&mut clerk, &receipt).await;
    // Five working days from Monday 2026-11-23: Monday 2026-11-30 is the last day.
    clock.set("2026-11-30T23:59:00+08:00".parse().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut citizen = Browser::new(&api);
    citizen.look_up(&receipt, &code).await;
    assert!(citizen.get("/lookup/case").await.text().contains("待补正"));
    clock.set("2026-12-01T00:00:01+08:00".parse().unwrap());
    let mut html = String::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        // The grant of a week ago has expired: the applicant looks the case up again.
        citizen.look_up(&receipt, &code).await;
        html = citizen.get("/lookup/case").await.text();
        if html.contains("已撤回") {
            break;
        }
    }
    assert!(html.contains("已撤回"), "{html}");
    assert!(html.contains("逾期未补正（视为放弃申请）"), "{html}");
    // A week later the clerk signs in again (sessions end).
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    let html = clerk.get(&format!("/work/cases/{receipt}")).await.text();
    assert!(html.contains("逾期未补正（视为放弃申请）"), "{html}");
    assert!(
        html.contains(r#"id="no-actions""#),
        "a finished case offers nothing"
    );
}

#[tokio::test]
async fn an_application_online_carries_its_files() {
    let (api, _, _) = page_api().await;
    let page = format!("/powers/{}/apply", reference::POWER);
    let mut citizen = Browser::new(&api);
    let html = citizen.get(&page).await.text();
    assert!(html.contains(r#"enctype="multipart/form-data""#));
    assert!(html.contains(r#"name="file_2""#), "{html}");
    let csrf = crate::pages::csrf_of(&html);
    let fields = [
        ("csrf", csrf.as_str()),
        ("idem", "apply-with-files"),
        ("kind", "person"),
        ("name", "王建华"),
        ("id_number", "330183198503150019"),
        ("phone", "13957112345"),
        ("materials", reference::MATERIALS[0]),
        ("materials", reference::MATERIALS[1]),
        ("material_0", reference::MATERIALS[0]),
        ("material_1", reference::MATERIALS[1]),
        ("material_2", reference::MATERIALS[2]),
    ];
    // A file that is not a material type: refused, its material named, no case opened.
    let r = citizen
        .post_multipart(&page, &fields, &[("file_2", "图.pdf", b"GIF89a not a pdf")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text()
            .contains(&format!("「{}」的文件不是 PDF", reference::MATERIALS[2])),
        "{}",
        r.text()
    );
    // The third material given only as a file counts as handed in.
    let r = citizen
        .post_multipart(&page, &fields, &[("file_2", "施工图审查合格书.pdf", PDF)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let done = citizen.get(location(&r)).await.text();
    let receipt = between(&done, r#"<code id="receipt">"#, "<").to_string();
    // The receipt page: copy buttons, print, and a link that carries the receipt number.
    assert!(done.contains(r#"data-copy="query-code""#) && done.contains(r#"id="print""#));
    let link = format!("/lookup?receipt={receipt}");
    assert!(done.contains(&link), "{done}");
    let form = citizen.get(&link).await.text();
    assert!(form.contains(&format!(r#"value="{receipt}""#)), "{form}");
    let odd = citizen
        .get("/lookup?receipt=%22%3E%3Cscript%3E")
        .await
        .text();
    assert!(!odd.contains("<script>") && odd.contains(r#"name="receipt" value="script""#));
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    let html = clerk.get(&format!("/work/cases/{receipt}")).await.text();
    assert!(html.contains(r#"<ul id="files">"#), "{html}");
    assert!(!html.contains("✗"), "every required material is in: {html}");
}

#[tokio::test]
async fn search_hits_say_where_they_apply_and_show_no_segmentation() {
    let (api, _, _) = page_api().await;
    let html = Browser::new(&api)
        .get("/powers?q=%E6%96%BD%E5%B7%A5%E8%AF%81")
        .await
        .text();
    // 施工证 is how people say 施工许可.
    assert!(html.contains(reference::POWER), "{html}");
    assert!(html.contains(r#"<td class="nowrap">富阳区</td>"#), "{html}");
    assert!(!html.contains("分词"), "{html}");
}

#[tokio::test]
async fn a_lookup_grant_is_for_one_case_and_cannot_be_forged() {
    let (api, clock, _) = page_api().await;
    let (receipt, code) = apply_without_one(&api).await;
    let (other, _) = apply_without_one(&api).await;
    let mut citizen = Browser::new(&api);
    citizen.look_up(&receipt, &code).await;
    let grant = citizen.cookie("sl_case").expect("a grant");
    assert!(grant.starts_with(&format!("{receipt}.")), "{grant}");
    assert!(citizen.get("/lookup/case").await.text().contains(&receipt));
    // Another receipt number under the same signature: no case.
    citizen.set_cookie("sl_case", &grant.replacen(&receipt, &other, 1));
    let r = citizen.get("/lookup/case").await;
    assert_eq!(location(&r), "/lookup");
    // A longer life under the same signature: no case.
    let parts: Vec<&str> = grant.split('.').collect();
    let later = parts[1].parse::<i64>().unwrap() + 86_400_000;
    citizen.set_cookie("sl_case", &format!("{}.{later}.{}", parts[0], parts[2]));
    assert_eq!(location(&citizen.get("/lookup/case").await), "/lookup");
    // The real grant, after its half hour: no case either.
    citizen.set_cookie("sl_case", &grant);
    assert!(citizen.get("/lookup/case").await.text().contains(&receipt));
    clock.advance(jiff::SignedDuration::from_mins(31));
    assert_eq!(location(&citizen.get("/lookup/case").await), "/lookup");
}

#[tokio::test]
async fn through_the_api_files_go_up_first_and_the_supplement_names_them() {
    let (api, _, _) = page_api().await;
    let (receipt, code) = apply_without_one(&api).await;
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    notice(&mut clerk, &receipt).await;
    let up = |body: &'static [u8], code: &str| {
        Request::builder()
            .method("POST")
            .uri(format!("/api/cases/{receipt}/files"))
            .header("x-query-code", code)
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(body))
            .unwrap()
    };
    // A wrong code: no such case, nothing stored.
    assert_eq!(
        api.send(up(PDF, "00000000")).await.status,
        StatusCode::NOT_FOUND
    );
    // Not a material type: refused in words, without a material's name it has none of.
    let r = api.send(up(b"plain text", &code)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(
        r.text().contains("文件不是 PDF") && !r.text().contains("「」"),
        "{}",
        r.text()
    );
    let mut digests = Vec::new();
    for body in [PDF, PNG] {
        let r = api.send(up(body, &code)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        digests.push(r.json()["sha256"].as_str().unwrap().to_string());
    }
    let command = |sha: &str| {
        json!({"type": "supplement", "files": [
            {"material": reference::MATERIALS[2], "sha256": digests[0]},
            {"material": "建设工程规划许可证", "sha256": sha},
        ]})
    };
    let headers = [("x-query-code", code.as_str())];
    let path = format!("/api/cases/{receipt}/commands");
    // A digest nobody uploaded is refused by its place.
    let r = api
        .call(
            "POST",
            &path,
            None,
            Some(command(&"0".repeat(64))),
            &headers,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("files[1].sha256"), "{}", r.text());
    let r = api
        .call("POST", &path, None, Some(command(&digests[1])), &headers)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["kind"], "case.supplemented");
}
