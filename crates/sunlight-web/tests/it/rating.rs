//! 好差评 and 整改 over the pages: no level is chosen for the applicant; a 差评 must say why
//! from the national list (what was typed stays when it is refused); it owes the department a
//! 整改 by a day shown on the applicant's page; the department answers on the case page (all
//! three parts, or it is told which is missing) and the applicant reads the answer; a 差评 left
//! unanswered past its day becomes a supervision alert.

use crate::pages::{Browser, between, location, page_api_with};
use crate::*;
use sunlight_core::case::{Actor, ReceiptNumber};
use sunlight_testkit::reference;

/// A reference case decided and delivered; (receipt, query code).
async fn closed(app: &sunlight_app::App, api: &Api) -> (String, String) {
    let (receipt, code) = crate::documents::decided(app, api).await;
    let rn = ReceiptNumber::parse(&receipt).unwrap();
    while let Some(t) = app.engine.open_tasks(&rn).await.unwrap().first().cloned() {
        let (cmd, who) = reference::finish(&t, app.today());
        app.act(rn.clone(), cmd, Actor::Staff(who), None)
            .await
            .unwrap();
    }
    (receipt, code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poor_rating_says_why_and_the_department_answers_by_its_day() {
    let (api, clock, _store, app) = page_api_with(Default::default()).await;
    let (receipt, code) = closed(&app, &api).await;
    let mut me = Browser::new(&api);
    let r = me.look_up(&receipt, &code).await;
    let page = me.get(location(&r)).await.text();
    let token = crate::pages::csrf_of(&page);
    let form = between(&page, r#"id="rate-form""#, "</form>");
    assert!(
        !form.contains("checked"),
        "no level is chosen for them: {form}"
    );
    for reason in ["未一次性告知所需材料", "工作人员服务态度差", "其他"] {
        assert!(form.contains(reason), "{reason}");
    }

    // 非常不满意 without a reason: refused, the comment kept.
    let r = me
        .submit(
            "/lookup/case",
            "/lookup/rate",
            &[("level", "1"), ("comment", "补正通知漏了一项，又跑了一趟")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(page.contains("请至少选择一项不满意的原因"), "{page}");
    assert!(page.contains("补正通知漏了一项，又跑了一趟"));
    assert!(
        between(&page, r#"id="rate-form""#, "</form>").contains(r#"value="1" required checked"#)
    );
    // With reasons it is recorded, and the page says when the department owes its answer.
    let r = me
        .submit(
            "/lookup/case",
            "/lookup/rate",
            &[
                ("level", "1"),
                ("reasons", "not_told_at_once"),
                ("reasons", "repeated_materials"),
                ("comment", "补正通知漏了一项，又跑了一趟"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = me.get(location(&r)).await.text();
    let rated = between(&page, r#"id="rated""#, "</p>");
    assert!(
        rated.contains("非常不满意") && rated.contains("未一次性告知所需材料"),
        "{rated}"
    );
    // Rated on Monday 23 November: five working days is Monday 30 November.
    let owed = between(&page, r#"id="rectification""#, "</div>");
    assert!(
        owed.contains("2026-11-30") && owed.contains("国办发〔2019〕51号"),
        "{owed}"
    );
    // Back to the old page and submit its form again: refused, the rating stands.
    let again = me
        .post("/lookup/rate", &[("csrf", &token), ("level", "5")])
        .await;
    assert_ne!(again.status, StatusCode::SEE_OTHER);
    assert!(again.text().contains("已评价"), "{}", again.text());

    // The department's approver answers on the case page; a missing part is named.
    let mut staff = Browser::new(&api);
    staff.sign_in("shouxi.zhao").await;
    let case = format!("/work/cases/{receipt}");
    let page = staff.get(&case).await.text();
    assert!(
        page.contains(r#"data-act="rectify""#),
        "the answer form is offered"
    );
    assert!(between(&page, r#"id="rectification""#, "</dd>").contains("2026-11-30"));
    let r = staff
        .submit(
            &case,
            &format!("{case}/act"),
            &[
                ("action", "rectify"),
                (
                    "verified",
                    "经核实，窗口首次告知时遗漏了场所平面图的标注要求",
                ),
                ("measures", "已修订办事指南并开展一次性告知培训"),
                ("revisit", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("回访情况"), "{}", r.text());
    let r = staff
        .submit(
            &case,
            &format!("{case}/act"),
            &[
                ("action", "rectify"),
                (
                    "verified",
                    "经核实，窗口首次告知时遗漏了场所平面图的标注要求",
                ),
                ("measures", "已修订办事指南并开展一次性告知培训"),
                ("revisit", "11月25日电话回访申请人，对整改结果表示满意"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = staff.get(location(&r)).await.text();
    assert!(!page.contains(r#"data-act="rectify""#), "answered once");
    // The applicant reads the answer.
    let page = me.get("/lookup/case").await.text();
    let answer = between(&page, r#"id="rectification""#, "</div>");
    assert!(
        answer.contains("已修订办事指南") && answer.contains("电话回访"),
        "{answer}"
    );

    // Another 差评 left unanswered: the day after its day, supervision raises an alert.
    let (receipt2, code2) = closed(&app, &api).await;
    let mut other = Browser::new(&api);
    other.look_up(&receipt2, &code2).await;
    let r = other
        .submit(
            "/lookup/case",
            "/lookup/rate",
            &[("level", "2"), ("reasons", "slow_handling")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let token = api.login_as("jiancha.sun", reference::PASSWORD).await;
    let uri = "/api/alerts?rule=rectification_overdue";
    let none = api.call("GET", uri, Some(&token), None, &[]).await.json();
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
    clock.set("2026-12-01T00:30:00+08:00".parse().unwrap());
    // A week on, the supervisor signs in again.
    let token = api.login_as("jiancha.sun", reference::PASSWORD).await;
    let mut found = serde_json::Value::Null;
    for _ in 0..500 {
        let v = api.call("GET", uri, Some(&token), None, &[]).await.json();
        if v.as_array().is_some_and(|a| !a.is_empty()) {
            found = v;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let all = api
        .call("GET", "/api/alerts", Some(&token), None, &[])
        .await
        .text();
    let alerts = found
        .as_array()
        .unwrap_or_else(|| panic!("the overdue 差评 raised no alert: {all}"));
    assert_eq!(alerts.len(), 1, "{found}");
    assert_eq!(alerts[0]["subject"], receipt2.as_str());
    assert_eq!(alerts[0]["rule_name"], "差评逾期未整改");
}
