//! The approval service as the applicant lives it, in a real browser (headless Chromium) against
//! real parts started by the test: a stub SMS gateway (an HTTP server) and an SMTP sink (an
//! SMTP server).
//!
//! On a phone, 王建华 applies online for a 食品经营许可 and gives his mobile and email. The window
//! accepts (desktop): the acceptance reaches him by SMS and by email. The case officer reviews
//! and the department's approver decides: the decision is sealed, and the SMS says so. He signs
//! in to 我的办件 with a one-time code from the SMS (a wrong code first), sees his case and the
//! messages, downloads the sealed decision PDF in the browser and checks it on the public
//! verification page — genuine; a copy with one character changed is refused, and so is a
//! wrong check code. Screenshots go to `target/e2e-screenshots/service-*.png`.

use crate::e2e::{Run, chromedriver};
use base64::Engine as _;
use std::sync::Arc;
use sunlight_app::notify::{Deliverer, NotifyConfig, SmsGateway, SmtpServer};
use sunlight_core::clock::{ManualClock, Zone};
use sunlight_testkit::smtp_sink::SmtpSink;
use sunlight_web::sms_stub::SmsStub;
use sunlight_web::{AppState, app};

const PHONE: &str = "13867110235";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn told_by_sms_and_email_signed_in_by_code_and_the_sealed_decision_verified() {
    let (_driver, port) = match chromedriver() {
        Ok(d) => d,
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("the browser suite needs Chromium under CI: {why}")
        }
        Err(why) => {
            eprintln!("SKIPPED: the browser suite needs Chromium: {why}");
            return;
        }
    };

    // The real parts: an SMTP sink and a stub SMS gateway, each on its own port.
    let mail = SmtpSink::start().await.unwrap();
    let sms = SmsStub::default();
    let sms_url = sms
        .serve(
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
            false,
        )
        .unwrap();
    let notify = NotifyConfig {
        sms: Some(SmsGateway {
            url: sms_url,
            token: "gateway-token".into(),
            sign: "富阳政务".into(),
        }),
        smtp: Some(SmtpServer {
            url: mail.url(),
            from: "富阳区政务服务 <noreply@fuyang.example.gov.cn>".into(),
        }),
        ..Default::default()
    };

    // The sample city at 09:00 on Monday 23 November 2026, its seals shared by the sample cases
    // and the server.
    let sealer = Arc::new(sunlight_app::documents::Sealer::default());
    let (_dir, store, key, t0) = crate::e2e::sample_city(sealer.clone()).await;
    let zone = Zone::CHINA;
    let clock = Arc::new(ManualClock::new(t0));
    let mut started = sunlight_app::App::start(
        store.clone(),
        clock.clone(),
        zone,
        sunlight_engine::EngineConfig {
            query_code_key: key,
            channels: notify.channels(),
            ..Default::default()
        },
    );
    started.sealer = sealer;
    let application = Arc::new(started);
    let deliverer = Deliverer::new(application.clone(), notify).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sunlight_web::serve(
        listener,
        app(AppState::of(application.clone())),
        async {
            stopped.await.ok();
        },
    ));
    let r = Run::start(port, base, "service-").await;

    // 1. On his phone, 王建华 applies online with his mobile and email.
    r.c.set_window_size(390, 844).await.unwrap();
    r.go("/powers/330183-XK-00001/apply").await;
    r.fill("#name", "王建华").await;
    r.fill("#id_number", "330183198503150019").await;
    r.fill("#phone", PHONE).await;
    r.fill("#email", "wangjianhua@example.cn").await;
    for m in
        r.c.find_all(fantoccini::Locator::Css("input[name=materials]"))
            .await
            .unwrap()
    {
        m.click().await.unwrap();
    }
    r.fill("#note", "富春街道建华面馆").await;
    r.shot("phone-apply").await;
    assert!(r.overflow().await <= 1, "the form is wider than a phone");
    r.submit("#submit-application").await;
    let receipt = r.text("#receipt").await;
    r.shot("phone-applied").await;
    // Submitting tells nobody anything yet.
    assert_eq!(deliverer.pass().await.unwrap().sent, 0);

    // 2. The window accepts, at a desk: he is told by SMS and by email.
    r.c.set_window_size(1280, 1100).await.unwrap();
    let case = format!("/work/cases/{receipt}");
    r.sign_in("chuangkou.chen").await;
    r.go(&case).await;
    r.submit("button[data-act=accept]").await;
    r.css("#done").await;
    assert_eq!(deliverer.pass().await.unwrap().sent, 2);
    let texts = sms.messages();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0].phone, PHONE);
    assert!(
        texts[0].text.starts_with("【富阳政务】") && texts[0].text.contains(&receipt),
        "{}",
        texts[0].text
    );
    assert!(texts[0].text.contains("已受理"), "{}", texts[0].text);
    let mails = mail.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["wangjianhua@example.cn"]);
    assert!(mails[0].body.contains(&receipt) && mails[0].body.contains("已受理"));
    // The clerk's page shows who was told what, masked, and that it arrived.
    r.go(&case).await;
    let told = r.text("#notices").await;
    assert!(
        told.contains("138****0235") && !told.contains(PHONE),
        "{told}"
    );
    r.shot("clerk-sees-notices").await;

    // 3. Review, then the approver decides: the decision and the licence are sealed.
    r.sign_in("chengban.zhou").await;
    r.go(&case).await;
    r.fill(
        "#actions textarea[name=opinion]",
        "材料齐全，经营场所布局符合要求，建议准予许可",
    )
    .await;
    r.submit("button[data-act^=complete-]").await;
    r.css("#done").await;
    r.sign_in("shouxi.zhao").await;
    r.go(&case).await;
    r.fill("input[name=document_no]", "JY23301830046999").await;
    r.fill("textarea[name=reasons]", "申请材料齐全，符合法定条件")
        .await;
    r.fill(
        "input[name=legal_basis]",
        "《中华人民共和国食品安全法》第三十五条",
    )
    .await;
    r.submit("button[data-act=decide]").await;
    r.css("#done").await;
    let documents = r.text("#documents").await;
    assert!(documents.contains("JY23301830046999"), "{documents}");
    r.shot("decided-sealed").await;
    deliverer.pass().await.unwrap();
    let decided = sms.messages();
    assert!(
        decided.len() == 2 && decided[1].text.contains(&receipt),
        "{decided:?}"
    );

    // 4. On his phone he signs in to 我的办件 with the code from the SMS, a wrong one first.
    r.c.delete_all_cookies().await.unwrap();
    r.c.set_window_size(390, 844).await.unwrap();
    r.go("/my").await;
    r.fill("#phone", PHONE).await;
    r.submit("#send-code").await;
    assert!(r.text("#pending-phone").await.contains("138****0235"));
    deliverer.pass().await.unwrap();
    let last = sms.messages().pop().unwrap();
    assert_eq!(last.phone, PHONE);
    let code: String = last
        .text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    assert_eq!(code.len(), 6, "{}", last.text);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    r.fill("#code", wrong).await;
    r.submit("#verify").await;
    let error = r.text("[role=alert]").await;
    assert!(error.contains("验证码"), "{error}");
    r.shot("phone-wrong-code").await;
    r.fill("#code", &code).await;
    r.submit("#verify").await;
    let mine = r.text("#my-cases").await;
    assert!(mine.contains(&receipt), "{mine}");
    let messages = r.text("#my-messages").await;
    assert!(messages.contains("已受理"), "{messages}");
    r.shot("phone-my-cases").await;
    assert!(r.overflow().await <= 1, "我的办件 is wider than a phone");
    // Refresh keeps him signed in, with no resubmission.
    r.c.refresh().await.unwrap();
    assert!(r.text("#my-cases").await.contains(&receipt));

    // 5. He opens the case and downloads the sealed decision in the browser.
    r.submit(&format!("#my-cases a[href='/my/cases/{receipt}']"))
        .await;
    let listed = r.text("#documents").await;
    assert!(
        listed.contains("决定书 JY23301830046999") && listed.contains("证照"),
        "the decision and the licence are listed: {listed}"
    );
    r.shot("phone-case-documents").await;
    let href = r
        .css("#documents a[href*='JY23301830046999']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let pdf = r
        .c
        .execute_async(
            "const [url, done] = arguments;
             fetch(url).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
               .then(b => { let s = ''; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); done(btoa(s)); })
               .catch(e => done('failed: ' + e));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    let pdf = pdf.as_str().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pdf)
        .unwrap_or_else(|e| panic!("{e}: {pdf:.80}"));
    assert!(bytes.starts_with(b"%PDF-"), "a PDF was downloaded");
    let files = tempfile::tempdir().unwrap();
    let genuine = files.path().join("准予行政许可决定书.pdf");
    std::fs::write(&genuine, &bytes).unwrap();

    // 6. The public verification page: the genuine file passes …
    r.go("/verify").await;
    r.css("#verify-file input[type=file]")
        .await
        .send_keys(genuine.to_str().unwrap())
        .await
        .unwrap();
    r.submit("#verify-upload").await;
    let result = r.text("#verify-result").await;
    assert!(result.contains("核验通过"), "{result}");
    assert!(result.contains("JY23301830046999"), "{result}");
    assert!(
        !result.contains("王建华") && !r.page().await.contains("330183198503150019"),
        "{result}"
    );
    r.shot("phone-verified").await;
    assert!(
        r.overflow().await <= 1,
        "the verification is wider than a phone"
    );
    // … a copy with one byte changed inside the document is refused …
    let mut tampered = bytes.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    let forged = files.path().join("改过的决定书.pdf");
    std::fs::write(&forged, &tampered).unwrap();
    r.go("/verify").await;
    r.css("#verify-file input[type=file]")
        .await
        .send_keys(forged.to_str().unwrap())
        .await
        .unwrap();
    r.submit("#verify-upload").await;
    let refused = r.text("#verify-result").await;
    assert!(refused.contains("核验未通过"), "{refused}");
    r.shot("phone-tampered-refused").await;
    // … and so is the right number with a wrong check code, while the right code passes.
    let number = "JY23301830046999";
    let check = application.check_code(number);
    let first = if check.starts_with('A') { 'B' } else { 'A' };
    let wrong_code: String = std::iter::once(first)
        .chain(check.chars().skip(1))
        .collect();
    r.go("/verify").await;
    r.fill("#number", number).await;
    r.fill("#code", &wrong_code).await;
    r.submit("#verify-number button[type=submit]").await;
    assert!(r.text("#verify-result").await.contains("核验未通过"));
    r.fill("#code", &check).await;
    r.submit("#verify-number button[type=submit]").await;
    assert!(r.text("#verify-result").await.contains("核验通过"));
    r.shot("phone-verified-by-number").await;

    r.c.close().await.unwrap();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
