//! The window and the case officers' pages: the inbox (事项, masked applicant, time of
//! application, step, deadline, colour; cards on a phone), the case search (own department
//! only, bounded), people named by name and department instead of username, the two-person
//! step's colleague list, and the window intake's materials checklist.

use super::pages::{Browser, apply_online, between, location, page_api};
use super::*;
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::review::{Origin, ProposalDraft};
use sunlight_testkit::reference;

const FOOD: &str = "330183-XK-09002";
/// A person who applies: only the first character of the name may show in lists.
const PERSON: &str = "王小明";

fn market() -> CreditCode {
    CreditCode::with_check("11330183MB1682410").unwrap()
}

/// 食品经营许可 of the 市场监督管理局: accept → 现场核查 by two case officers → decide.
const FOOD_FLOW: &str = r#"
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
id = "inspect"
type = "task"
name = "现场核查"
step = "review"
role = "case_officer"
days = 3
actors = 2
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
to = "inspect"
[[edges]]
from = "inspect"
to = "decide"
[[edges]]
from = "decide"
to = "end"
"#;

/// The pages' city, plus 食品经营许可 in the 市场监督管理局 with two more case officers and an
/// approver there (吴窗口 `shichang.wu` is its clerk and an officer too).
async fn city() -> (Api, Store) {
    let (api, _, store) = page_api().await;
    let now: Timestamp = "2026-11-23T09:00:00+08:00".parse().unwrap();
    let mut food = reference::power();
    food.code = PowerCode::parse(FOOD).unwrap();
    food.basic_code = None;
    food.name = "食品经营许可".into();
    food.department = market();
    food.flow = Some(sunlight_core::flow::Flow::from_toml(FOOD_FLOW).unwrap());
    food.guide.materials = ["食品经营许可申请书", "营业执照复印件", "食品安全管理制度"]
        .iter()
        .map(|m| Material {
            name: (*m).into(),
            required: true,
            form: MaterialForm::Original,
            copies: 1,
            source: "申请人自备".into(),
        })
        .collect();
    store
        .publish_import(
            ProposalDraft {
                title: "食品经营许可".into(),
                reason: "富政发〔2026〕2号".into(),
                effective_from: Zone::CHINA.date(now),
                changes: vec![PowerChange::Create {
                    power: Box::new(food),
                }],
            },
            Origin::Manual,
            "admin",
            now,
            Zone::CHINA.date(now),
        )
        .await
        .unwrap();
    for (name, display, roles) in [
        ("shichang.zheng", "郑承办", vec![Role::CaseOfficer]),
        ("shichang.qian", "钱承办", vec![Role::CaseOfficer]),
        ("shichang.he", "何首席", vec![Role::Approver]),
    ] {
        let u = User {
            username: Username::parse(name).unwrap(),
            display_name: display.into(),
            department: Some(market()),
            roles,
        };
        store.add_user(&u, reference::PASSWORD, now).await.unwrap();
    }
    (api, store)
}

/// 王小明 applies online for 食品经营许可; the receipt number.
async fn apply_for_food(api: &Api) -> String {
    let r = api
        .call(
            "POST",
            "/api/cases",
            None,
            Some(json!({
                "power": FOOD,
                "applicant": {
                    "kind": "person",
                    "name": PERSON,
                    "id_number": "330183198503150019",
                    "phone": "13957112345",
                },
                "form": {"note": "富春街道小吃店"},
                "materials": ["食品经营许可申请书", "营业执照复印件", "食品安全管理制度"],
            })),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_string()
}

/// The table rows of the search results (none: no table).
fn found(html: &str) -> usize {
    if !html.contains(r#"id="found""#) {
        return 0;
    }
    let table = between(html, r#"id="found""#, "</table>");
    between(table, "<tbody>", "</tbody>")
        .matches("<tr>")
        .count()
}

#[tokio::test]
async fn the_inbox_names_the_service_masks_a_persons_name_and_turns_into_cards() {
    let (api, _) = city().await;
    let food = apply_for_food(&api).await;
    let building = apply_online(&api).await;

    let mut clerk = Browser::new(&api);
    clerk.sign_in("shichang.wu").await;
    let inbox = clerk.get("/work").await.text();
    let table = between(&inbox, r#"id="inbox""#, "</table>");
    assert!(table.contains(&food), "{table}");
    assert!(table.contains("食品经营许可"), "{table}");
    // A person is masked: the surname shows, the name does not.
    assert!(table.contains("王**"), "{table}");
    assert!(!inbox.contains(PERSON), "{inbox}");
    assert!(!inbox.contains("330183198503150019"));
    // When it was handed in, to the minute, in China's time; the step and its deadline.
    assert!(table.contains("2026-11-23 09:00"), "{table}");
    assert!(table.contains("受理"), "{table}");
    assert!(table.contains("2026-11-24"), "{table}");
    // Another department's case is not in it.
    assert!(!table.contains(&building));
    // On a phone each row is a card, each cell labelled by its column.
    assert!(
        inbox.contains(r#"<table id="inbox" class="cards">"#),
        "{inbox}"
    );
    for label in ["事项", "申请人", "申请时间", "环节", "环节时限", "状态"] {
        assert!(
            table.contains(&format!(r#"data-label="{label}""#)),
            "{label}"
        );
    }

    // An organisation's name is public registration data: shown whole.
    let mut zhujian = Browser::new(&api);
    zhujian.sign_in("chuangkou.chen").await;
    let inbox = zhujian.get("/work").await.text();
    let table = between(&inbox, r#"id="inbox""#, "</table>");
    assert!(table.contains("建筑工程施工许可"), "{table}");
    assert!(
        table.contains("杭州富春建设工程有限公司第1项目部"),
        "{table}"
    );
    assert!(!table.contains(&food));

    // In English, the same columns in English.
    zhujian.set_cookie("sl_lang", "en");
    let inbox = zhujian.get("/work").await.text();
    for label in ["Service", "Applicant", "Submitted", "Step due"] {
        assert!(
            inbox.contains(&format!(r#"data-label="{label}""#)),
            "{label}"
        );
    }
}

#[tokio::test]
async fn staff_find_their_departments_cases_by_receipt_name_service_and_status_only() {
    let (api, _) = city().await;
    let food = apply_for_food(&api).await;
    let building = apply_online(&api).await;

    let mut market_clerk = Browser::new(&api);
    market_clerk.sign_in("shichang.wu").await;
    // The inbox offers the search.
    let inbox = market_clerk.get("/work").await.text();
    assert!(inbox.contains(r#"action="/work/search""#), "{inbox}");

    // An empty search shows nothing, and says what to fill in.
    let page = market_clerk.get("/work/search").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(found(&page.text()), 0);
    assert!(page.text().contains("请至少填写一项查询条件"));
    let page = market_clerk
        .get("/work/search?receipt=&applicant=+&power=&status=")
        .await
        .text();
    assert_eq!(found(&page), 0);

    let search = |q: String| format!("/work/search?{q}");
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    // Part of the receipt number, in lower case as people type it.
    let tail = food[food.len() - 7..].to_lowercase();
    for q in [
        format!("receipt={}", enc(&tail)),
        format!("receipt={}", enc(&food)),
        // The applicant's real name (staff see it on the case), or part of it.
        format!("applicant={}", enc(PERSON)),
        format!("applicant={}", enc("小明")),
        format!("power={}", enc("食品")),
        format!("power={FOOD}"),
        "status=submitted".to_string(),
        format!("applicant={}&status=submitted", enc(PERSON)),
    ] {
        let html = market_clerk.get(&search(q.clone())).await.text();
        assert_eq!(found(&html), 1, "{q}: {html}");
        let rows = between(&html, r#"id="found""#, "</table>");
        assert!(rows.contains(&food), "{q}");
        assert!(rows.contains("食品经营许可"), "{q}");
        // The list masks the name all the same.
        assert!(
            rows.contains("王**") && !rows.contains(PERSON),
            "{q}: {rows}"
        );
        assert!(rows.contains(&format!(r#"href="/work/cases/{food}""#)));
    }
    // Nothing of another department's, whatever is asked.
    for q in [
        format!("receipt={}", enc(&building)),
        format!("applicant={}", enc("杭州富春")),
        format!("power={}", enc("施工")),
        format!("applicant={}&status=closed", enc(PERSON)),
        format!("applicant={}", enc("%")),
        format!("receipt={}", enc("_")),
    ] {
        let html = market_clerk.get(&search(q.clone())).await.text();
        assert_eq!(found(&html), 0, "{q}: {html}");
        assert!(html.contains("本部门没有符合条件的办件"), "{q}");
    }

    // The 住建 window finds its own case by the organisation's name, never the market's.
    let mut zhujian = Browser::new(&api);
    zhujian.sign_in("chuangkou.chen").await;
    let html = zhujian
        .get(&search(format!("applicant={}", enc("富春建设"))))
        .await
        .text();
    assert_eq!(found(&html), 1, "{html}");
    assert!(html.contains(&building));
    for q in [
        format!("applicant={}", enc(PERSON)),
        format!("receipt={}", enc(&food)),
    ] {
        let html = zhujian.get(&search(q.clone())).await.text();
        assert_eq!(found(&html), 0, "{q}");
        assert!(!html.contains(&format!("/work/cases/{food}")), "{q}");
        assert!(html.contains("本部门没有符合条件的办件"), "{q}");
    }

    // Input is bounded; a status must be one of the list; both said in the visitor's language.
    let long = "王".repeat(61);
    let r = zhujian
        .get(&search(format!("applicant={}", enc(&long))))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("每项查询条件不能超过 60 个字符"),
        "{}",
        r.text()
    );
    let r = zhujian.get(&search("status=lost".into())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("请从列表中选择办件状态"));
    zhujian.set_cookie("sl_lang", "en");
    let r = zhujian
        .get(&search(format!("applicant={}", enc(&long))))
        .await;
    assert!(
        r.text()
            .contains("Each search field takes at most 60 characters")
    );

    // Only staff who work cases search them.
    let mut auditor = Browser::new(&api);
    auditor.sign_in("shenji.wu").await;
    assert_eq!(
        auditor.get("/work/search?status=submitted").await.status,
        StatusCode::FORBIDDEN
    );
    let r = Browser::new(&api)
        .get("/work/search?status=submitted")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_search_shows_at_most_fifty_cases_and_asks_to_narrow_it() {
    let (api, _, _) = page_api().await;
    let mut receipts = Vec::new();
    for _ in 0..51 {
        receipts.push(apply_online(&api).await);
    }
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    let html = clerk.get("/work/search?status=submitted").await.text();
    assert_eq!(found(&html), 50, "{html}");
    assert!(html.contains("请补充查询条件以缩小范围"), "{html}");
    // Narrowed to one, it is found alone.
    let html = clerk
        .get(&format!("/work/search?receipt={}", receipts[0]))
        .await
        .text();
    assert_eq!(found(&html), 1);
    assert!(!html.contains("请补充查询条件"));
    clerk.set_cookie("sl_lang", "en");
    let html = clerk.get("/work/search?status=submitted").await.text();
    assert!(html.contains("Add to the search to narrow it"), "{html}");
}

#[tokio::test]
async fn timelines_name_people_and_their_departments_never_usernames() {
    let (api, _, _) = page_api().await;
    let receipt = apply_online(&api).await;
    let case = format!("/work/cases/{receipt}");
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut officer = Browser::new(&api);
    officer.sign_in("chengban.zhou").await;
    let r = officer
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "claim"), ("task", "2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    let html = officer.get(&case).await.text();
    let timeline = between(&html, r#"class="timeline""#, "</ol>");
    assert!(
        timeline.contains("陈窗口（富阳区住房和城乡建设局）"),
        "{timeline}"
    );
    assert!(
        timeline.contains("周承办（富阳区住房和城乡建设局）"),
        "{timeline}"
    );
    assert!(timeline.contains("申请人"), "{timeline}");
    let steps = between(&html, r#"id="tasks""#, "</table>");
    assert!(
        steps.contains("陈窗口") && steps.contains("周承办"),
        "{steps}"
    );
    for username in ["chuangkou.chen", "chengban.zhou"] {
        assert!(!html.contains(username), "{username} on the case page");
    }
    // The inbox names who claimed a step by name too.
    let inbox = officer.get("/work").await.text();
    let table = between(&inbox, r#"id="inbox""#, "</table>");
    assert!(table.contains("周承办"), "{table}");
    assert!(!inbox.contains("chengban.zhou"));

    // In English the department follows in brackets.
    officer.set_cookie("sl_lang", "en");
    let html = officer.get(&case).await.text();
    assert!(html.contains("陈窗口 (富阳区住房和城乡建设局)"), "{html}");

    // The public page names nobody: no staff names, no usernames.
    let mut citizen = Browser::new(&api);
    let code = {
        // The applicant's code comes with the submission; a fresh case for the lookup.
        let r = api
            .call(
                "POST",
                "/api/cases",
                None,
                Some(serde_json::to_value(reference::submission(2)).unwrap()),
                &[],
            )
            .await;
        let j = r.json();
        (
            j["receipt"].as_str().unwrap().to_string(),
            j["query_code"].as_str().unwrap().to_string(),
        )
    };
    let mut clerk2 = Browser::new(&api);
    clerk2.sign_in("chuangkou.chen").await;
    let case2 = format!("/work/cases/{}", code.0);
    let r = clerk2
        .submit(
            &case2,
            &format!("{case2}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = citizen.look_up(&code.0, &code.1).await;
    let page = citizen.get(location(&r)).await.text();
    assert!(page.contains("受理"), "{page}");
    for who in ["陈窗口", "chuangkou.chen"] {
        assert!(!page.contains(who), "{who} on the public page");
    }
}

#[tokio::test]
async fn a_two_person_step_offers_the_colleagues_who_may_join_by_name() {
    let (api, _) = city().await;
    let receipt = apply_for_food(&api).await;
    let case = format!("/work/cases/{receipt}");
    let mut wu = Browser::new(&api);
    wu.sign_in("shichang.wu").await;
    // No colleague list where one person is enough (受理).
    let html = wu.get(&case).await.text();
    assert!(!html.contains(r#"name="co_actors""#), "{html}");
    let r = wu
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // 现场核查 needs two: the other case officers of the department, by name; not the viewer,
    // not the approver, not another department's officer; no free text for usernames.
    let html = wu.get(&case).await.text();
    let select = between(&html, r#"<select name="co_actors""#, "</select>");
    assert!(select.contains(">郑承办</option>"), "{select}");
    assert!(select.contains(">钱承办</option>"), "{select}");
    assert!(select.contains(r#"value="shichang.zheng""#), "{select}");
    for absent in ["吴窗口", "何首席", "周承办"] {
        assert!(!select.contains(absent), "{absent} in {select}");
    }
    assert!(!html.contains(r#"<input name="co_actors""#));
    assert!(!html.contains("填用户名"));

    // Without the second person the step is refused; with one chosen it is done, and the
    // timeline names both with their department.
    let r = wu
        .submit(
            &case,
            &format!("{case}/act"),
            &[
                ("action", "complete"),
                ("task", "2"),
                ("outcome", "同意"),
                ("opinion", "现场符合要求"),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.text().contains("不能一人办理"), "{}", r.text());
    let r = wu
        .submit(
            &case,
            &format!("{case}/act"),
            &[
                ("action", "complete"),
                ("task", "2"),
                ("outcome", "同意"),
                ("opinion", "现场符合要求"),
                ("co_actors", "shichang.zheng"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = wu.get(&case).await.text();
    let timeline = between(&html, r#"class="timeline""#, "</ol>");
    assert!(
        timeline.contains("吴窗口（富阳区市场监督管理局）、郑承办（富阳区市场监督管理局）"),
        "{timeline}"
    );
    let steps = between(&html, r#"id="tasks""#, "</table>");
    assert!(steps.contains("吴窗口、郑承办"), "{steps}");
    assert!(!html.contains("shichang.zheng") && !html.contains("shichang.wu"));
}

#[tokio::test]
async fn the_window_ticks_the_guides_materials_instead_of_typing_them() {
    let (api, _) = city().await;
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    // The department has one power: it is chosen, and its guide's materials are offered.
    let html = clerk.get("/work/intake").await.text();
    let form = between(&html, r#"id="intake-form""#, "</form>");
    for m in reference::MATERIALS {
        assert!(
            form.contains(&format!(
                r#"<input type="checkbox" name="materials" value="{m}">"#
            )),
            "{m}: {form}"
        );
    }
    assert!(!form.contains(r#"<textarea id="materials""#));
    assert!(form.contains(r#"name="other_materials""#));
    // Another department's power is not offered to choose.
    let html = clerk
        .get(&format!("/work/intake?power={FOOD}"))
        .await
        .text();
    assert!(!html.contains("食品经营许可"), "{html}");

    // Two ticked and one of the clerk's own: the case holds those; the third is missing.
    let r = clerk
        .submit(
            "/work/intake",
            "/work/intake",
            &[
                ("power", reference::POWER),
                ("kind", "person"),
                ("name", PERSON),
                ("id_number", "330183198503150019"),
                ("phone", "13957112345"),
                ("materials", reference::MATERIALS[0]),
                ("materials", reference::MATERIALS[1]),
                ("other_materials", "授权委托书"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let text = r.text();
    let receipt = between(&text, "受理编号 ", " ");
    assert_eq!(receipt.len(), 25, "{text}");
    let html = clerk.get(&format!("/work/cases/{receipt}")).await.text();
    let list = between(&html, r#"id="materials""#, "</ul>");
    assert!(
        list.contains(&format!("✓ 已收</b> {}", reference::MATERIALS[0])),
        "{list}"
    );
    assert!(
        list.contains(&format!("✗ 缺</b> {}", reference::MATERIALS[2])),
        "{list}"
    );

    // A refused registration comes back with what was ticked and typed.
    let r = clerk
        .submit(
            "/work/intake",
            "/work/intake",
            &[
                ("power", reference::POWER),
                ("kind", "person"),
                ("name", PERSON),
                ("id_number", "330183198503150018"),
                ("materials", reference::MATERIALS[2]),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let html = r.text();
    assert!(html.contains(&format!(r#"value="{PERSON}""#)), "{html}");
    assert!(html.contains(&format!(
        r#"<input type="checkbox" name="materials" value="{}" checked>"#,
        reference::MATERIALS[2]
    )));
    assert!(html.contains(&format!(
        r#"<input type="checkbox" name="materials" value="{}">"#,
        reference::MATERIALS[0]
    )));
}
