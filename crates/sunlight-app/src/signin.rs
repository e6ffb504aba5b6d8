//! Applicants sign in (我的办件) with their mobile number and a one-time code sent by SMS.
//!
//! Nothing here tells anyone whether a number has cases: a code is sent to any mobile number
//! (the holder of the phone is who signs in, cases or not), the answer to a request is the same
//! either way, and a wrong, expired or spent code gets one answer. Limits: one code a minute
//! and five an hour per number, five tries per code, ten minutes per code (the store's
//! `CODE_*`); the web edge adds its per-address limiter. Numbers are kept only as keyed hashes
//! (the engine's [`sunlight_engine::QueryCodeKey::owner`]).

use crate::{App, AppError, AppResult};
use sunlight_core::notice::{Topic, normalise_mobile};
use sunlight_core::{DomainError, ErrorCode, zh_en};
use sunlight_store::{Channel, CodeCheck, CodeIssue, NewNotice};

/// The answer to a request for a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRequest {
    /// Sent (or, for a number that is not a mobile, refused before this).
    Sent,
    /// Asked again within a minute.
    TooSoon { wait_seconds: i64 },
    /// Five codes this hour.
    HourlyLimit,
}

fn not_mobile() -> AppError {
    DomainError::field(
        "phone",
        zh_en!(
            "请填写 11 位手机号码（如 13812345678）",
            "an 11-digit mobile number, like 13812345678"
        ),
    )
    .into()
}

impl App {
    /// The owner key of a mobile number as someone typed it.
    pub fn owner_of(&self, phone: &str) -> AppResult<String> {
        let mobile = normalise_mobile(phone).ok_or_else(not_mobile)?;
        Ok(self.engine.config().query_code_key.owner(&mobile))
    }

    /// Sends a sign-in code to `phone` by SMS (through the outbox) unless asked too often.
    pub async fn request_sign_in_code(&self, phone: &str) -> AppResult<CodeRequest> {
        let mobile = normalise_mobile(phone).ok_or_else(not_mobile)?;
        if !self.engine.config().channels.sms {
            return Err(DomainError::rule(
                ErrorCode::InvalidTransition,
                zh_en!(
                    "本平台未开通短信服务，暂不能用手机号登录；请凭办件编号和查询码查询",
                    "SMS is not set up here; follow your case by its receipt number and query code"
                ),
            )
            .into());
        }
        let owner = self.engine.config().query_code_key.owner(&mobile);
        let code = six_digits()?;
        let now = self.clock.now();
        let hash = self.engine.query_code_hash(&format!("{owner}:{code}"));
        match self.store.issue_sign_in_code(&owner, &hash, now).await? {
            CodeIssue::TooSoon { wait_seconds } => {
                return Ok(CodeRequest::TooSoon { wait_seconds });
            }
            CodeIssue::HourlyLimit => return Ok(CodeRequest::HourlyLimit),
            CodeIssue::Issued => {}
        }
        let minutes = sunlight_store::CODE_MINUTES;
        let text = zh_en!(
            "您的登录验证码为 {code}，{minutes} 分钟内有效。如非本人操作，请忽略本短信。",
            "Your sign-in code is {code}, valid for {minutes} minutes. Ignore this if it was not you."
        );
        self.store
            .enqueue_notices(
                &[NewNotice {
                    channel: Channel::Sms,
                    recipient: mobile,
                    topic: Topic::SignInCode.as_str(),
                    reference: String::new(),
                    subject: Topic::SignInCode.label().zh.into_owned(),
                    zh: text.zh.into_owned(),
                    en: text.en.into_owned(),
                }],
                now,
            )
            .await?;
        Ok(CodeRequest::Sent)
    }

    /// The owner key if `code` is the valid code last sent to `phone`.
    pub async fn sign_in(&self, phone: &str, code: &str) -> AppResult<Option<String>> {
        let owner = self.owner_of(phone)?;
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let candidate = format!("{owner}:{code}");
        let check = self
            .store
            .check_sign_in_code(&owner, self.clock.now(), |stored| {
                self.engine.query_code_matches(stored, &candidate)
            })
            .await?;
        Ok((check == CodeCheck::Valid).then_some(owner))
    }
}

impl App {
    /// A new query code for case `receipt`, sent by SMS to its applicant's mobile (through the
    /// outbox); the old code stops working. The reissue is an act on the case (ledgered, at
    /// most [`sunlight_core::case::CODES_PER_DAY`] a day); the SMS is queued right after it
    /// commits, so a crash between the two loses that one SMS and the applicant asks again.
    pub async fn reissue_query_code(
        &self,
        receipt: &sunlight_core::case::ReceiptNumber,
    ) -> AppResult<()> {
        use sunlight_core::case::{Actor, CaseCommand};
        if !self.engine.config().channels.sms {
            return Err(DomainError::rule(
                ErrorCode::InvalidTransition,
                zh_en!(
                    "本平台未开通短信服务，无法重新发送查询码；请携带身份证件到窗口查询",
                    "SMS is not set up here, so no new code can be sent; ask at the window with your ID"
                ),
            )
            .into());
        }
        let Some(case) = self.engine.case(receipt).await? else {
            return Err(DomainError::rule(
                ErrorCode::NotFound,
                zh_en!(
                    "没有受理编号为“{receipt}”的办件，请核对回执上的编号",
                    "no case numbered «{receipt}»; check the number on your receipt"
                ),
            )
            .into());
        };
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
        let code = format!("{:08}", u64::from_le_bytes(b) % 100_000_000);
        let code_hash = self.engine.query_code_hash(&code);
        self.engine
            .act(
                receipt.clone(),
                CaseCommand::ReissueQueryCode { code_hash },
                Actor::Public,
                None,
            )
            .await?;
        let mobile = normalise_mobile(case.opened.applicant.phone()).unwrap_or_default();
        let (power, r) = (case.opened.power_name.as_str(), receipt.as_str());
        let text = zh_en!(
            "您申请的「{power}」（受理编号 {r}）的新查询码为 {code}，原查询码已作废。如非本人操作，请忽略本短信。",
            "The new query code of your application for {power} ({r}) is {code}; the old one no longer works. Ignore this if it was not you."
        );
        self.store
            .enqueue_notices(
                &[NewNotice {
                    channel: Channel::Sms,
                    recipient: mobile,
                    topic: Topic::QueryCode.as_str(),
                    reference: r.to_string(),
                    subject: Topic::QueryCode.label().zh.into_owned(),
                    zh: text.zh.into_owned(),
                    en: text.en.into_owned(),
                }],
                self.clock.now(),
            )
            .await?;
        Ok(())
    }
}

fn six_digits() -> AppResult<String> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(format!("{:06}", u32::from_le_bytes(b) % 1_000_000))
}
