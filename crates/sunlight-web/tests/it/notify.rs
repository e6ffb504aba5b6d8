//! Notifications end to end against real parts started by the test: a stub SMS gateway (an
//! HTTP server speaking the gateway contract) and an SMTP sink (a real SMTP server). A case
//! accepted by the window is told by SMS, email and the portal; a gateway that fails is
//! retried with backoff; the applicant signs in with a one-time code from the SMS and sees
//! the case and the message; wrong codes, an unknown number and too many requests get the
//! answers a person can act on.

use crate::pages::{Browser, location, page_api_with};
use crate::*;
use sunlight_app::notify::{Deliverer, NotifyConfig, SmsGateway, SmtpServer};
use sunlight_testkit::reference;
use sunlight_testkit::smtp_sink::SmtpSink;
use sunlight_web::sms_stub::SmsStub;

struct Parts {
    api: Api,
    clock: Arc<ManualClock>,
    store: Store,
    deliverer: Deliverer,
    sms: SmsStub,
    mail: SmtpSink,
}

async fn parts() -> Parts {
    let mail = SmtpSink::start().await.unwrap();
    let sms = SmsStub::default();
    let url = sms
        .serve(
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
            false,
        )
        .unwrap();
    let notify = NotifyConfig {
        sms: Some(SmsGateway {
            url,
            token: "gateway-token".into(),
            sign: "富阳政务".into(),
        }),
        smtp: Some(SmtpServer {
            url: mail.url(),
            from: "富阳区政务服务 <noreply@fuyang.example.gov.cn>".into(),
        }),
        retry_seconds: 30,
        ..Default::default()
    };
    let (api, clock, store, app) = page_api_with(sunlight_engine::EngineConfig {
        channels: notify.channels(),
        ..Default::default()
    })
    .await;
    Parts {
        api,
        clock,
        store,
        deliverer: Deliverer::new(app, notify).unwrap(),
        sms,
        mail,
    }
}

/// A reference case applied for online by a person with a mobile and an email.
async fn apply(api: &Api, phone: &str) -> String {
    let mut sub = serde_json::to_value(reference::submission(5)).unwrap();
    sub["applicant"]["phone"] = json!(phone);
    sub["applicant"]["email"] = json!("lijianguo@example.cn");
    let r = api.call("POST", "/api/cases", None, Some(sub), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_string()
}

async fn accept(api: &Api, receipt: &str) {
    let mut clerk = Browser::new(api);
    clerk.sign_in("chuangkou.chen").await;
    let case = format!("/work/cases/{receipt}");
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

#[tokio::test]
async fn an_accepted_case_is_told_by_sms_email_and_portal() {
    let p = parts().await;
    let receipt = apply(&p.api, "139-0571-2468").await;
    // Submitting tells nobody anything; accepting does, in the acceptance's transaction.
    assert_eq!(p.store.outbox_counts().await.unwrap(), (0, 0, 0));
    accept(&p.api, &receipt).await;
    let rows = p.store.notices_about(&receipt).await.unwrap();
    let channels: Vec<&str> = rows.iter().map(|r| r.channel.as_str()).collect();
    assert_eq!(channels, ["sms", "email"], "{rows:?}");
    assert!(rows.iter().all(|r| r.state == "pending"));

    let pass = p.deliverer.pass().await.unwrap();
    assert_eq!(pass.sent, 2, "{pass:?}");
    let sms = p.sms.messages();
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].phone, "13905712468");
    assert!(
        sms[0].text.starts_with("【富阳政务】您申请的「")
            && sms[0].text.contains(&receipt)
            && sms[0].text.contains("已受理"),
        "{}",
        sms[0].text
    );
    assert_eq!(sms[0].id, format!("sunlight-{}", rows[0].id));
    let mails = p.mail.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["lijianguo@example.cn"]);
    assert!(mails[0].body.contains("已受理") && mails[0].body.contains(&receipt));
    assert!(
        mails[0]
            .header("Message-ID")
            .is_some_and(|m| m.contains(&format!("sunlight-{}@", rows[1].id))),
        "{:?}",
        mails[0].headers
    );
    // Delivered rows are not sent again.
    assert_eq!(p.deliverer.pass().await.unwrap().sent, 0);
    assert_eq!(p.sms.requests(), 1);
    let after = p.store.notices_about(&receipt).await.unwrap();
    assert!(after.iter().all(|r| r.state == "sent" && r.attempts == 1));
}

#[tokio::test]
async fn a_failing_gateway_is_retried_with_backoff_and_the_case_page_shows_it() {
    let p = parts().await;
    let receipt = apply(&p.api, "13905712468").await;
    p.sms.fail_next(2);
    accept(&p.api, &receipt).await;
    let first = p.deliverer.pass().await.unwrap();
    assert_eq!(
        (first.sent, first.retried),
        (1, 1),
        "email sent, SMS retried"
    );
    // Not due again before the backoff (30 s) has passed.
    assert_eq!(p.deliverer.pass().await.unwrap(), Default::default());
    p.clock.advance(jiff::SignedDuration::from_secs(31));
    assert_eq!(p.deliverer.pass().await.unwrap().retried, 1);
    // The second wait is twice as long.
    p.clock.advance(jiff::SignedDuration::from_secs(31));
    assert_eq!(p.deliverer.pass().await.unwrap(), Default::default());
    p.clock.advance(jiff::SignedDuration::from_secs(30));
    assert_eq!(p.deliverer.pass().await.unwrap().sent, 1);
    assert_eq!(p.sms.requests(), 3);
    assert_eq!(p.sms.messages().len(), 1);
    let sms = &p.store.notices_about(&receipt).await.unwrap()[0];
    assert_eq!((sms.state.as_str(), sms.attempts), ("sent", 3));

    // The clerk's page lists who was told what and whether it arrived, masked.
    let mut clerk = Browser::new(&p.api);
    clerk.sign_in("chuangkou.chen").await;
    let html = clerk.get(&format!("/work/cases/{receipt}")).await.text();
    let told = crate::pages::between(&html, r#"id="notices""#, "</section>");
    assert!(
        told.contains("139****2468") && told.contains("已发送") && told.contains("短信"),
        "{told}"
    );
    assert!(!told.contains("13905712468"), "{told}");
}

#[tokio::test]
async fn the_applicant_signs_in_with_a_code_and_sees_the_case_and_its_messages() {
    let p = parts().await;
    let receipt = apply(&p.api, "13905712468").await;
    accept(&p.api, &receipt).await;
    let mut me = Browser::from(&p.api, "203.0.113.7:40000");
    // Not a mobile number: said so, in Chinese, on the form.
    let r = me
        .submit("/my", "/my/code", &[("phone", "0571-6335271")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写 11 位手机号码"), "{}", r.text());
    // The code goes by SMS; the page never says whether the number has cases.
    let r = me
        .submit("/my", "/my/code", &[("phone", "139 0571 2468")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/my?sent=1");
    let page = me.get("/my?sent=1").await.text();
    assert!(page.contains("139****2468") && page.contains("验证码已发送"));
    p.deliverer.pass().await.unwrap();
    let text = p.sms.messages().last().unwrap().text.clone();
    assert!(text.contains("登录验证码"), "{text}");
    let code: String = text
        .split("验证码为 ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    // A wrong code: one answer, whatever was wrong.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = me.submit("/my", "/my/verify", &[("code", wrong)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("验证码不正确或已失效"));
    let r = me.submit("/my", "/my/verify", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mine = me.get("/my").await.text();
    assert!(mine.contains(&receipt), "{mine}");
    assert!(mine.contains("已受理") && mine.contains("id=\"my-messages\""));
    // The code is spent.
    let mut again = Browser::from(&p.api, "203.0.113.8:40000");
    again.set_cookie("sl_signin", &me.cookie("sl_signin").unwrap_or_default());
    let r = again.submit("/my", "/my/verify", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Opening the case from the list grants it on the lookup page.
    let r = me.get(&format!("/my/cases/{receipt}")).await;
    assert_eq!(location(&r), "/lookup/case");
    let case = me.get("/lookup/case").await.text();
    assert!(case.contains(&receipt));
    // Someone else's receipt is not opened.
    let other = apply(&p.api, "13700001111").await;
    let r = me.get(&format!("/my/cases/{other}")).await;
    assert_eq!(location(&r), "/my");

    // Another number with no cases signs in the same way and sees none: no enumeration.
    let mut stranger = Browser::from(&p.api, "203.0.113.9:40000");
    let r = stranger
        .submit("/my", "/my/code", &[("phone", "13600002222")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Asking again within the minute sends nothing new but reads the same.
    let before = p.store.outbox_counts().await.unwrap();
    let r = stranger
        .submit("/my", "/my/code", &[("phone", "13600002222")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(p.store.outbox_counts().await.unwrap(), before);
}

#[tokio::test]
async fn a_lost_query_code_is_replaced_by_sms_and_the_old_one_stops_working() {
    let p = parts().await;
    let r = p
        .api
        .call(
            "POST",
            "/api/cases",
            None,
            Some({
                let mut sub = serde_json::to_value(reference::submission(5)).unwrap();
                sub["applicant"]["phone"] = json!("13905712468");
                sub
            }),
            &[],
        )
        .await;
    let receipt = r.json()["receipt"].as_str().unwrap().to_string();
    let old = r.json()["query_code"].as_str().unwrap().to_string();
    let mut me = Browser::from(&p.api, "203.0.113.8:40000");
    let page = me.get("/lookup").await.text();
    assert!(page.contains("忘记查询码"), "offered on the lookup page");
    // Not a receipt number: said what one looks like.
    let r = me
        .submit("/lookup", "/lookup/resend", &[("receipt", "12345")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("受理编号格式不正确"), "{}", r.text());
    // The real one: post/redirect/get, a new code by SMS, the old one refused.
    let r = me
        .submit("/lookup", "/lookup/resend", &[("receipt", &receipt)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = me.get(location(&r)).await.text();
    assert!(page.contains("新的查询码已通过短信发送"), "{page}");
    p.deliverer.pass().await.unwrap();
    let sms = p.sms.messages().pop().expect("an SMS with the new code");
    assert_eq!(sms.phone, "13905712468");
    let new: String = sms
        .text
        .split("新查询码为")
        .nth(1)
        .unwrap()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    assert_eq!(new.len(), 8, "{}", sms.text);
    assert_ne!(new, old);
    let r = me.look_up(&receipt, &old).await;
    assert_ne!(
        r.status,
        StatusCode::SEE_OTHER,
        "the old code no longer opens the case"
    );
    let r = me.look_up(&receipt, &new).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the new one does");
    // The act is on the case's record.
    let clerk = p.api.login_as("chuangkou.chen", reference::PASSWORD).await;
    let history = p
        .api
        .call(
            "GET",
            &format!("/api/cases/{receipt}/history"),
            Some(&clerk),
            None,
            &[],
        )
        .await
        .text();
    assert!(history.contains("case.query_code_reissued"), "{history}");
    assert!(
        !history.contains("code_hash"),
        "no code's hash is anybody's to read"
    );
    // Three a day: the fourth is refused with the reason (from another address).
    let mut elsewhere = Browser::from(&p.api, "198.51.100.20:40000");
    for _ in 0..2 {
        let r = elsewhere
            .submit("/lookup", "/lookup/resend", &[("receipt", &receipt)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    let r = elsewhere
        .submit("/lookup", "/lookup/resend", &[("receipt", &receipt)])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("今日已重新发送 3 次"), "{}", r.text());
    // A case with only a landline: told to come to the window.
    let landline = crate::pages::apply_online(&p.api).await;
    let r = me
        .submit("/lookup", "/lookup/resend", &[("receipt", &landline)])
        .await;
    assert!(r.text().contains("未登记手机号码"), "{}", r.text());
}
