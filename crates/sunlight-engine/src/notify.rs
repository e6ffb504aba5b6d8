//! Turning the notices the pure rules decide (`sunlight_core::notice`) into the rows a batch
//! writes: one per channel the deployment delivers on and the recipient can be reached by.
//! The in-portal message is keyed by the keyed hash of the mobile number ([`QueryCodeKey::owner`]),
//! never by the number itself.

use crate::QueryCodeKey;
use sunlight_core::notice::{Notice, normalise_mobile};
use sunlight_store::{Channel, NewNotice};

/// The channels notices go out on besides the portal, as the deployment configures them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Channels {
    /// An SMS gateway is configured.
    pub sms: bool,
    /// An SMTP server is configured.
    pub email: bool,
}

/// The subject line an email carries (and a list shows).
fn subject(n: &Notice) -> String {
    format!("【{}】{}", n.topic.label().zh, n.reference)
}

/// The rows of `notices`.
pub fn rows(notices: &[Notice], channels: Channels, key: &QueryCodeKey) -> Vec<NewNotice> {
    let mut out = Vec::new();
    for n in notices {
        let row = |channel, recipient: String| NewNotice {
            channel,
            recipient,
            topic: n.topic.as_str(),
            reference: n.reference.clone(),
            subject: subject(n),
            zh: n.text.zh.to_string(),
            en: n.text.en.to_string(),
        };
        if let Some(mobile) = normalise_mobile(&n.phone) {
            out.push(row(Channel::Portal, key.owner(&mobile)));
            if channels.sms {
                out.push(row(Channel::Sms, mobile));
            }
        }
        if channels.email && !n.email.is_empty() {
            out.push(row(Channel::Email, n.email.clone()));
        }
    }
    out
}
