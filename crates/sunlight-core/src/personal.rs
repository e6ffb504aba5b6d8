//! Which parts of a ledger entry are personal data (个人信息), by the entry's kind.
//!
//! The ledger is public evidence that outlives retention periods; personal data must be
//! erasable when its retention ends (个人信息保护法 Art. 47, Art. 19). So the store replaces
//! each value named here by a salted commitment before the entry is hashed, keeps the value
//! beside the ledger, and can erase it later (see `sunlight_ledger::personal` for the
//! encoding). This is the one list: an entry of any kind named here is sealed, whoever appends
//! it; a reader rebuilding state puts the values back, and reads erased ones as [`ERASED`].
//!
//! Pointers are RFC 6901 JSON pointers into the entry's payload (a case event is
//! [`crate::case::EventBody`] as JSON: `{"type": "submitted", "applicant": {…}, "form": …}`);
//! the ones absent from a payload (an organisation has no `id_number`) are skipped. They must
//! not nest.
//!
//! What stays public, and why: an organisation's unified social credit code (public
//! registration data of a legal person, not personal information, and the evidence of whom a
//! licence or a penalty concerned — 行政许可、行政处罚 decisions are published, 双公示; its name
//! is sealed all the same, since a trading name is often a person's own); what staff write in
//! their official capacity (opinions, reasons, notices), which is the record of how power was
//! used. The applicant's query code is kept as a keyed hash (the engine's), not as a value.

/// What an erased value reads as once its retention has ended and it was deleted.
pub const ERASED: &str = "已删除";

/// The applicant of a submission: whoever they are (a person's name, ID number and phone; an
/// organisation's legal representative and phone — their name too, which may be a person's
/// own trading name), and the form they filled in (free JSON, written by them).
pub const CASE_SUBMITTED: &[&str] = &[
    "/applicant/name",
    "/applicant/id_number",
    "/applicant/phone",
    "/applicant/email",
    "/applicant/representative",
    "/form",
];

/// The comment an applicant writes with a rating (好差评).
pub const CASE_RATED: &[&str] = &["/comment"];

/// The reason an applicant gives for withdrawing.
pub const CASE_WITHDRAWN: &[&str] = &["/reason"];

/// The ID number (or credit code) of the party a department's own system reports
/// (`FeedEvent::party`).
pub const FEED_EVENT: &[&str] = &["/party"];

/// The party a member of staff declares a relation with (a relative's ID number and name).
pub const RELATION_DECLARED: &[&str] = &["/party", "/party_name"];

/// The JSON pointers of the personal values in the payload of an entry of `kind`; empty for a
/// kind that carries none.
pub fn fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "case.submitted" => CASE_SUBMITTED,
        "case.rated" => CASE_RATED,
        "case.withdrawn" => CASE_WITHDRAWN,
        "relation.declared" => RELATION_DECLARED,
        k if k.starts_with("feed.") => FEED_EVENT,
        _ => &[],
    }
}

/// Whether a value read back is an erased one.
pub fn is_erased(s: &str) -> bool {
    s == ERASED
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Applicant, EventBody, Rating};

    fn pointed(body: &EventBody) -> Vec<String> {
        let v = serde_json::to_value(body).unwrap();
        fields(body.kind())
            .iter()
            .filter_map(|p| v.pointer(p).map(|x| x.to_string()))
            .collect()
    }

    #[test]
    fn the_pointers_name_the_events_own_fields() {
        let rated = EventBody::Rated(Rating {
            level: 2,
            comment: "窗口态度差".into(),
            ..Default::default()
        });
        assert_eq!(pointed(&rated), [r#""窗口态度差""#]);
        let withdrawn = EventBody::Withdrawn {
            reason: "不再开店".into(),
        };
        assert_eq!(pointed(&withdrawn), [r#""不再开店""#]);
        let person = serde_json::to_value(Applicant::Person {
            name: "王建华".into(),
            id_number: "330183198003124511".into(),
            phone: "13905712468".into(),
            email: "wjh@example.cn".into(),
        })
        .unwrap();
        for p in CASE_SUBMITTED
            .iter()
            .filter(|p| p.starts_with("/applicant/"))
        {
            let field = p.trim_start_matches("/applicant");
            if *p != "/applicant/representative" {
                assert!(person.pointer(field).is_some(), "{p}");
            }
        }
        let org = serde_json::to_value(Applicant::Organisation {
            name: "春江餐饮".into(),
            credit_code: "91330183MA2H0D2X7Q".into(),
            representative: "张伟".into(),
            phone: "0571-63352718".into(),
            email: "office@chunjiang.example.cn".into(),
        })
        .unwrap();
        for f in ["/name", "/representative", "/phone", "/email"] {
            assert!(org.pointer(f).is_some(), "{f}");
        }
        assert!(fields("case.accepted").is_empty());
        assert_eq!(fields("feed.application"), FEED_EVENT);
    }
}
