//! Receipt numbers (受理编号): drawn, parsed, printed.

use super::*;

/// A case's number (受理编号), given at submission and printed on every notice.
///
/// `{county}-{yymmdd}-{XXXXX}-{XXXXX}`: the six-digit code of the county that holds the power,
/// the submission date, and ten characters of Crockford base32 (0-9, A-Z without I, L, O, U)
/// drawn from 50 random bits. Knowing one number tells nothing about the next: among the
/// 2^50 possible tails a county issuing a million numbers a day has one in a billion of them
/// in use, so the progress lookup cannot be walked. The engine re-draws on the (rare) clash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "330183-261123-7K2M9-QXD4T"))]
pub struct ReceiptNumber(String);

pub(super) const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl ReceiptNumber {
    pub fn generate(region: &RegionCode, date: Date, random: [u8; 7]) -> Self {
        let mut bits = u64::from_be_bytes([
            0, random[0], random[1], random[2], random[3], random[4], random[5], random[6],
        ]);
        let mut tail = [0u8; 10];
        for c in tail.iter_mut().rev() {
            *c = CROCKFORD[(bits & 31) as usize];
            bits >>= 5;
        }
        let tail = std::str::from_utf8(&tail).unwrap_or_default();
        Self(format!(
            "{}-{:02}{:02}{:02}-{}-{}",
            &region.as_str()[..6],
            date.year() % 100,
            date.month(),
            date.day(),
            &tail[..5],
            &tail[5..]
        ))
    }

    /// Reads a number as people type it: case and spaces do not matter, and the letters
    /// Crockford base32 leaves out are read as the digits they look like (O→0, I/L→1).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::field(
                "receipt",
                zh_en!(
                    "“{input}”不是有效的受理编号（格式如 330183-261123-7K2M9-QXD4T）",
                    "«{input}» is not a receipt number such as 330183-261123-7K2M9-QXD4T"
                ),
            )
        };
        let cleaned: String = input
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        let parts: Vec<&str> = cleaned.split('-').collect();
        let ok = parts.len() == 4
            && parts[0].len() == 6
            && parts[1].len() == 6
            && parts[0..2]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && parts[2..]
                .iter()
                .all(|p| p.len() == 5 && p.bytes().all(|b| CROCKFORD.contains(&b)));
        if ok { Ok(Self(cleaned)) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ReceiptNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ReceiptNumber> for String {
    fn from(r: ReceiptNumber) -> Self {
        r.0
    }
}
