//! Delivering notifications: the server's deliverer empties the outbox the engine fills in
//! each event's transaction — SMS through an HTTP gateway, email over SMTP — with retries and
//! exponential backoff. In-portal messages need no delivery (they are written with the
//! event).
//!
//! Each row is claimed with a lease before it is sent, so two servers never send it at once
//! and a server killed mid-send leaves it to be tried again when the lease ends: a notice is
//! delivered at least once, and carries its outbox id (`sunlight-<id>`: the gateway's `id`,
//! the email's Message-ID) so a receiver can drop the one duplicate that a crash between
//! sending and recording can cause. A gateway that refuses a message outright (4xx other than
//! 408/429) is not asked again; anything else is retried up to `max_attempts` times.
//!
//! The SMS gateway contract (configurable URL and token): `POST <url>` with
//! `Authorization: Bearer <token>` when a token is set and a JSON body
//! `{"id": "sunlight-42", "phone": "13812345678", "text": "【阳光政务】…", "topic": "accepted",
//! "reference": "<receipt>"}`; any 2xx answer means accepted. Real gateways (a province's 短信
//! 平台, a cloud provider) sit behind an adapter speaking this; the tests run a stub of it.

use crate::{App, AppResult};
use std::sync::Arc;
use std::time::Duration;
use sunlight_engine::Channels;
use sunlight_store::{Channel, OutboxRow};

/// An SMS gateway.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsGateway {
    pub url: String,
    /// Sent as a bearer token; hidden in `Debug`.
    #[serde(default)]
    pub token: String,
    /// The signature every message starts with (短信签名), in 【】.
    #[serde(default = "default_sign")]
    pub sign: String,
}

fn default_sign() -> String {
    "阳光政务".into()
}

impl std::fmt::Debug for SmsGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsGateway")
            .field("url", &self.url)
            .field("token", &if self.token.is_empty() { "" } else { "…" })
            .field("sign", &self.sign)
            .finish()
    }
}

/// An SMTP server.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpServer {
    /// `smtp://host:port` (plain; `?tls=required` for STARTTLS), `smtps://host:465`, with
    /// `user:password@` when the server wants a login. Hidden in `Debug`.
    pub url: String,
    /// The From address, e.g. `阳光政务 <noreply@example.gov.cn>`.
    pub from: String,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("url", &"…")
            .field("from", &self.from)
            .finish()
    }
}

/// `[notify]` of the configuration.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    pub sms: Option<SmsGateway>,
    pub smtp: Option<SmtpServer>,
    /// Attempts before a row is given up (marked failed, shown on the case's page).
    pub max_attempts: u32,
    /// Seconds before the first retry; doubled each time, at most an hour.
    pub retry_seconds: u64,
    /// Seconds between looks at the outbox when it is idle.
    pub poll_seconds: u64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            sms: None,
            smtp: None,
            max_attempts: 8,
            retry_seconds: 30,
            poll_seconds: 1,
        }
    }
}

impl NotifyConfig {
    /// The channels the engine writes outbox rows for.
    pub fn channels(&self) -> Channels {
        Channels {
            sms: self.sms.is_some(),
            email: self.smtp.is_some(),
        }
    }

    /// Checks what can be checked before the server starts.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(s) = &self.sms
            && !(s.url.starts_with("http://") || s.url.starts_with("https://"))
        {
            return Err(format!(
                "notify.sms.url 应以 http:// 或 https:// 开头（现为 {}）",
                s.url
            ));
        }
        if let Some(m) = &self.smtp {
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&m.url)
                .map_err(|e| format!("notify.smtp.url 无法识别：{e}"))?;
            m.from
                .parse::<lettre::message::Mailbox>()
                .map_err(|e| format!("notify.smtp.from 不是有效的发件地址：{e}"))?;
        }
        Ok(())
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let secs = self
            .retry_seconds
            .saturating_mul(1u64 << attempts.saturating_sub(1).min(16));
        Duration::from_secs(secs.min(3600))
    }
}

/// How long a claim holds a row: longer than any one send may take.
const LEASE: Duration = Duration::from_secs(60);

/// Why one attempt failed; `permanent`: asking again will not help.
#[derive(Debug)]
struct SendError {
    message: String,
    permanent: bool,
}

impl SendError {
    fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }
}

/// Empties the outbox.
pub struct Deliverer {
    app: Arc<App>,
    config: NotifyConfig,
    http: reqwest::Client,
    smtp: Option<(
        lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
        lettre::message::Mailbox,
    )>,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What one pass over the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl Deliverer {
    pub fn new(app: Arc<App>, config: NotifyConfig) -> Result<Self, String> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| e.to_string())?;
        let smtp = match &config.smtp {
            Some(m) => Some((
                lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&m.url)
                    .map_err(|e| e.to_string())?
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
                m.from.parse().map_err(|e| format!("{e}"))?,
            )),
            None => None,
        };
        Ok(Self {
            app,
            config,
            http,
            smtp,
        })
    }

    /// Runs until the runtime stops: a pass, then (if it found nothing) a pause.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.pass().await {
                    Ok(p) if p.sent + p.retried + p.failed > 0 => continue,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "the outbox could not be read"),
                }
                tokio::time::sleep(Duration::from_secs(self.config.poll_seconds.max(1))).await;
            }
        })
    }

    /// Sends every row due now (a batch at most).
    pub async fn pass(&self) -> AppResult<Pass> {
        let now = self.app.clock.now();
        let mut pass = Pass::default();
        for row in self.app.store.due_notices(now, 64).await? {
            let lease = now + jiff::SignedDuration::try_from(LEASE).unwrap_or_default();
            if !self.app.store.claim_notice(row.id, now, lease).await? {
                continue;
            }
            match self.send(&row).await {
                Ok(()) => {
                    self.app
                        .store
                        .notice_sent(row.id, self.app.clock.now())
                        .await?;
                    pass.sent += 1;
                }
                Err(e) => {
                    let attempts = row.attempts + 1;
                    let retry = (!e.permanent && attempts < self.config.max_attempts).then(|| {
                        self.app.clock.now()
                            + jiff::SignedDuration::try_from(self.config.backoff(attempts))
                                .unwrap_or_default()
                    });
                    tracing::warn!(id = row.id, channel = row.channel.as_str(), attempts, error = %e.message, "a notice was not delivered");
                    self.app
                        .store
                        .notice_failed(row.id, &e.message, retry)
                        .await?;
                    if retry.is_some() {
                        pass.retried += 1;
                    } else {
                        pass.failed += 1;
                    }
                }
            }
        }
        Ok(pass)
    }

    async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        match row.channel {
            Channel::Sms => self.sms(row).await,
            Channel::Email => self.email(row).await,
            Channel::Portal => Ok(()),
        }
    }

    async fn sms(&self, row: &OutboxRow) -> Result<(), SendError> {
        let Some(g) = &self.config.sms else {
            return Err(SendError::retry("未配置短信网关（notify.sms）"));
        };
        let mut req = self.http.post(&g.url).json(&serde_json::json!({
            "id": format!("sunlight-{}", row.id),
            "phone": row.recipient,
            "text": format!("【{}】{}", g.sign, row.body),
            "topic": row.topic,
            "reference": row.reference,
        }));
        if !g.token.is_empty() {
            req = req.bearer_auth(&g.token);
        }
        let res = req
            .send()
            .await
            .map_err(|e| SendError::retry(format!("短信网关无法连接：{e}")))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        let body: String = res
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        Err(SendError {
            message: format!("短信网关拒绝（HTTP {}）：{body}", status.as_u16()),
            permanent: status.is_client_error()
                && status != reqwest::StatusCode::REQUEST_TIMEOUT
                && status != reqwest::StatusCode::TOO_MANY_REQUESTS,
        })
    }

    async fn email(&self, row: &OutboxRow) -> Result<(), SendError> {
        use lettre::AsyncTransport;
        let Some((transport, from)) = &self.smtp else {
            return Err(SendError::retry("未配置邮件服务器（notify.smtp）"));
        };
        let to: lettre::message::Mailbox = row.recipient.parse().map_err(|e| SendError {
            message: format!("收件地址无效：{e}"),
            permanent: true,
        })?;
        let host = from.email.domain().to_string();
        let message = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&row.subject)
            .message_id(Some(format!("<sunlight-{}@{host}>", row.id)))
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(format!(
                "{}\n\n——\n此邮件由系统自动发送，请勿回复。办件编号：{}",
                row.body, row.reference
            ))
            .map_err(|e| SendError {
                message: format!("邮件无法生成：{e}"),
                permanent: true,
            })?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) => Err(SendError {
                message: format!("邮件服务器：{e}"),
                permanent: e.is_permanent(),
            }),
        }
    }
}
