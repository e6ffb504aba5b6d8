//! Documents under the seal end to end: the approver's decision issues a sealed 准予行政许可
//! 决定书 and the certificate; the applicant downloads them from the lookup page; anyone
//! verifies them by number and check code or by the file, and a copy changed in one byte — or
//! sealed with a key since revoked — is refused.

use crate::pages::{Browser, between, page_api_with};
use crate::*;
use sunlight_core::case::Actor;
use sunlight_testkit::reference;

/// A reference case applied for online and driven to its decision through the application
/// (which seals); (receipt, query code).
pub(crate) async fn decided(app: &sunlight_app::App, api: &Api) -> (String, String) {
    let sub = serde_json::to_value(reference::submission(9)).unwrap();
    let r = api.call("POST", "/api/cases", None, Some(sub), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let receipt = r.json()["receipt"].as_str().unwrap().to_string();
    let code = r.json()["query_code"].as_str().unwrap().to_string();
    let rn = sunlight_core::case::ReceiptNumber::parse(&receipt).unwrap();
    loop {
        let open = app.engine.open_tasks(&rn).await.unwrap();
        let Some(t) = open.first() else { break };
        let (cmd, who) = reference::finish(t, app.today());
        let deciding = t.node == "decide";
        app.act(rn.clone(), cmd, Actor::Staff(who), None)
            .await
            .unwrap();
        if deciding {
            break;
        }
    }
    (receipt, code)
}

#[tokio::test]
async fn a_decision_is_sealed_downloaded_verified_and_a_tampered_copy_refused() {
    let (api, _, store, app) = page_api_with(Default::default()).await;
    let (receipt, code) = decided(&app, &api).await;
    let docs = store.documents_of(&receipt).await.unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
    assert_eq!(kinds, ["decision", "certificate"], "{docs:?}");
    // The ledger's decided entry carries the digests and seals as evidence.
    let history = app
        .engine
        .history(&sunlight_core::case::ReceiptNumber::parse(&receipt).unwrap())
        .await
        .unwrap();
    assert!(history.iter().any(|h| h.kind == "case.decided"));

    // The applicant finds both on the lookup page and downloads the certificate.
    let mut me = Browser::new(&api);
    let page = me.look_up(&receipt, &code).await;
    let page = me.get(crate::pages::location(&page)).await.text();
    let listed = between(&page, r#"id="documents""#, "</ul>");
    assert!(
        listed.contains("证照") && listed.contains("决定书"),
        "{listed}"
    );
    let cert = &docs[1];
    let href = format!(
        "/lookup/documents/{}",
        form_urlencoded::byte_serialize(cert.number.as_bytes()).collect::<String>()
    );
    let pdf = me.get(&href).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    // Someone without the grant gets nothing.
    let stranger = Browser::new(&api).get(&href).await;
    assert_ne!(stranger.content_type, "application/pdf");

    // Anyone verifies the file …
    let mut public = Browser::new(&api);
    let token = crate::pages::csrf_of(&public.get("/verify").await.text());
    let r = public
        .post_multipart(
            "/verify",
            &[("csrf", &token)],
            &[("file", "cert.pdf", &pdf.body)],
        )
        .await;
    // Post/redirect/get: the result is a page of its own, so refresh and back never resend.
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = public.get(crate::pages::location(&r)).await.text();
    let result = between(&page, r#"id="verify-result""#, "</section>").to_string();
    assert!(
        result.contains("核验通过")
            && result.contains(&cert.number)
            && result.contains("有效")
            && result.contains("逐字节一致"),
        "{result}"
    );
    // … and a copy with one byte changed is refused.
    let mut tampered = pdf.body.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    let r = public
        .post_multipart(
            "/verify",
            &[("csrf", &token)],
            &[("file", "cert.pdf", &tampered)],
        )
        .await;
    let page = public.get(crate::pages::location(&r)).await.text();
    let result = between(&page, r#"id="verify-result""#, "</section>").to_string();
    assert!(result.contains("核验未通过"), "{result}");
    // Not a PDF at all: said so.
    let r = public
        .post_multipart(
            "/verify",
            &[("csrf", &token)],
            &[("file", "x.png", b"\x89PNG\r\n")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不是 PDF"));

    // By number and check code (what the QR code links to); a wrong code finds nothing.
    let code = app.check_code(&cert.number);
    let q = |c: &str| {
        format!(
            "/verify?number={}&code={c}",
            form_urlencoded::byte_serialize(cert.number.as_bytes()).collect::<String>()
        )
    };
    let ok = public.get(&q(&code)).await.text();
    assert!(ok.contains("核验通过") && ok.contains("有效期"), "{ok}");
    let wrong = public.get(&q("ABCDEFGH")).await.text();
    assert!(wrong.contains("核验未通过"));
    // The API says the same.
    let j = api.get(&format!("/api/{}", &q(&code)[1..])).await.json();
    assert_eq!(j["result"], "genuine");
    assert_eq!(j["status"], "valid");

    // A revoked key's documents no longer verify.
    store
        .end_seal_key(&cert.key_id, Some("密钥介质遗失"), app.now())
        .await
        .unwrap();
    let r = public
        .post_multipart(
            "/verify",
            &[("csrf", &token)],
            &[("file", "cert.pdf", &pdf.body)],
        )
        .await;
    let page = public.get(crate::pages::location(&r)).await.text();
    assert!(page.contains("签章密钥已吊销"), "{page}");
}
