//! A stub SMS gateway speaking the contract of `sunlight_app::notify` (`POST /sms` with
//! `{"id", "phone", "text", …}`): what `sunlight demo` sends its messages to (printing each,
//! since a demo has no phones) and what the tests send theirs to. It keeps every request,
//! remembers the ids it accepted (a retried id is acknowledged again but kept once, as a
//! real gateway's de-duplication would), and can be told to fail the next requests.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use std::sync::{Arc, Mutex};

/// One message the gateway accepted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Sms {
    pub id: String,
    pub phone: String,
    pub text: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Default)]
struct Inner {
    accepted: Vec<Sms>,
    /// Every request, duplicates included.
    requests: usize,
    /// The next this many requests are answered 503.
    fail_next: usize,
    print: bool,
}

/// The gateway's memory, shared with whoever started it.
#[derive(Debug, Clone, Default)]
pub struct SmsStub(Arc<Mutex<Inner>>);

impl SmsStub {
    /// Messages accepted, each id once, in order.
    pub fn messages(&self) -> Vec<Sms> {
        self.0
            .lock()
            .map(|i| i.accepted.clone())
            .unwrap_or_default()
    }

    /// Requests received, duplicates and failures included.
    pub fn requests(&self) -> usize {
        self.0.lock().map(|i| i.requests).unwrap_or_default()
    }

    /// Answers the next `n` requests with 503.
    pub fn fail_next(&self, n: usize) {
        if let Ok(mut i) = self.0.lock() {
            i.fail_next = n;
        }
    }

    /// Starts the gateway on `listener`; `print`: write each message to standard output.
    /// Answers its URL.
    pub fn serve(&self, listener: tokio::net::TcpListener, print: bool) -> std::io::Result<String> {
        if let Ok(mut i) = self.0.lock() {
            i.print = print;
        }
        let url = format!("http://{}/sms", listener.local_addr()?);
        let app = Router::new()
            .route("/sms", post(receive))
            .with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(url)
    }
}

async fn receive(
    State(stub): State<SmsStub>,
    body: axum::body::Bytes,
) -> (StatusCode, &'static str) {
    let Ok(mut i) = stub.0.lock() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "poisoned");
    };
    i.requests += 1;
    if i.fail_next > 0 {
        i.fail_next -= 1;
        return (StatusCode::SERVICE_UNAVAILABLE, "busy");
    }
    let Ok(sms) = serde_json::from_slice::<Sms>(&body) else {
        return (StatusCode::BAD_REQUEST, "bad body");
    };
    if sms.phone.len() != 11 || sms.text.is_empty() {
        return (StatusCode::BAD_REQUEST, "bad phone or text");
    }
    if !i.accepted.iter().any(|s| s.id == sms.id) {
        if i.print {
            println!("【演示短信 demo SMS】→ {}：{}", sms.phone, sms.text);
        }
        i.accepted.push(sms);
    }
    (StatusCode::OK, "ok")
}
