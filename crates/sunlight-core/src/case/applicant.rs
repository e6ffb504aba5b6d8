//! Applicants and parties (申请人、当事人): ID numbers and phones checked, masked in public views.

use super::*;

/// Who applies, or (for a penalty) the party (当事人). ID numbers and phones are kept for the
/// department and masked in every public view ([`Applicant::masked`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Applicant {
    Person {
        name: String,
        /// 居民身份证号码 (GB 11643, 18 characters with its check character).
        id_number: String,
        #[serde(default)]
        phone: String,
        /// Optional: where notices also go by email.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        email: String,
    },
    Organisation {
        name: String,
        /// 统一社会信用代码
        credit_code: String,
        /// 法定代表人
        #[serde(default)]
        representative: String,
        #[serde(default)]
        phone: String,
        /// Optional: where notices also go by email.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        email: String,
    },
}

impl Applicant {
    /// The ID number or credit code, upper case: what declared relations are matched on.
    pub fn party_id(&self) -> String {
        match self {
            Self::Person { id_number, .. } => id_number.trim().to_uppercase(),
            Self::Organisation { credit_code, .. } => credit_code.trim().to_uppercase(),
        }
    }
}

/// Checks an 18-character resident ID number's check character (GB 11643-1999).
pub fn id_number_is_valid(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 18 && id_check_character(id) == Some(char::from(b[17].to_ascii_uppercase()))
}

/// The check character (GB 11643-1999) the first 17 digits of an ID number call for.
pub(super) fn id_check_character(id: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() < 17 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(char::from(C[(sum % 11) as usize]))
}

/// What is wrong with an ID number that is not valid.
pub(super) fn id_number_problem(id: &str) -> crate::Text {
    let n = id.chars().count();
    match id_check_character(id) {
        _ if id.trim().is_empty() => {
            zh_en!("请填写居民身份证号码", "the resident ID number is required")
        }
        Some(c) if n == 18 => zh_en!(
            "身份证号码校验位应为 {c}，请核对",
            "the check character should be {c}; please check the number"
        ),
        _ if n != 18 => zh_en!(
            "居民身份证号码应为 18 位，现为 {n} 位",
            "a resident ID number has 18 characters, not {n}"
        ),
        _ => zh_en!(
            "居民身份证号码前 17 位应为数字，第 18 位为数字或 X",
            "the first 17 characters are digits, the last a digit or X"
        ),
    }
}

pub(super) fn phone_problem() -> crate::Text {
    zh_en!(
        "联系电话应为 7 至 13 位数字（可含“-”）",
        "digits and '-' only, 7 to 13 characters"
    )
}

/// An email address as the public may see it: the first character of its local part, then the
/// domain (`z***@example.cn`).
pub fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => mask_middle(e, 1, 0),
    }
}

/// Whether `e` looks like an email address a mail server would take (one `@`, a dotted
/// domain, no spaces, at most 100 characters); empty is allowed (no email).
pub fn email_is_valid(e: &str) -> bool {
    if e.is_empty() {
        return true;
    }
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= 100
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.chars().all(|c| c.is_ascii_graphic())
}

/// A phone number as the public may see it: its first three and last four digits.
pub fn mask_phone(p: &str) -> String {
    mask_middle(p, 3, 4)
}

pub(super) fn mask_middle(s: &str, keep_head: usize, keep_tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_head + keep_tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..keep_head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - keep_head - keep_tail));
    out.extend(&chars[chars.len() - keep_tail..]);
    out
}

impl Applicant {
    pub fn name(&self) -> &str {
        match self {
            Self::Person { name, .. } | Self::Organisation { name, .. } => name,
        }
    }

    pub fn phone(&self) -> &str {
        match self {
            Self::Person { phone, .. } | Self::Organisation { phone, .. } => phone,
        }
    }

    pub fn email(&self) -> &str {
        match self {
            Self::Person { email, .. } | Self::Organisation { email, .. } => email,
        }
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name().trim().is_empty() {
            errors.push(FieldError::new(
                "applicant.name",
                zh_en!("请填写申请人姓名或名称", "the applicant's name is required"),
            ));
        }
        let phone_ok = |p: &str| {
            p.is_empty()
                || (p.len() >= 7
                    && p.len() <= 13
                    && p.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        };
        match self {
            Self::Person {
                id_number, phone, ..
            } => {
                if !id_number_is_valid(id_number) {
                    errors.push(FieldError::new(
                        "applicant.id_number",
                        id_number_problem(id_number),
                    ));
                }
                if !phone_ok(phone) {
                    errors.push(FieldError::new("applicant.phone", phone_problem()));
                }
            }
            Self::Organisation {
                credit_code, phone, ..
            } => {
                if let Err(e) = CreditCode::parse(credit_code) {
                    errors.extend(
                        e.field_errors()
                            .iter()
                            .map(|f| FieldError::new("applicant.credit_code", f.message.clone())),
                    );
                }
                if !phone_ok(phone) {
                    errors.push(FieldError::new("applicant.phone", phone_problem()));
                }
            }
        }
        if !email_is_valid(self.email()) {
            errors.push(FieldError::new(
                "applicant.email",
                zh_en!(
                    "电子邮箱格式不正确（如 zhangsan@example.cn）",
                    "not an email address (like zhangsan@example.cn)"
                ),
            ));
        }
        errors
    }

    /// As the public may see it: a person's name keeps its first character, ID numbers their
    /// region and last four, phones their first three and last four.
    pub fn masked(&self) -> Applicant {
        match self {
            Self::Person {
                name,
                id_number,
                phone,
                email,
            } => Self::Person {
                name: mask_middle(name, 1, 0),
                id_number: mask_middle(id_number, 6, 4),
                phone: mask_middle(phone, 3, 4),
                email: mask_email(email),
            },
            Self::Organisation {
                name,
                credit_code,
                representative,
                phone,
                email,
            } => Self::Organisation {
                name: name.clone(),
                credit_code: credit_code.clone(),
                representative: mask_middle(representative, 1, 0),
                phone: mask_middle(phone, 3, 4),
                email: mask_email(email),
            },
        }
    }
}
