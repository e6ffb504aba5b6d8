//! Conditions on the edges out of a choice (`outcome == '不予受理'`, `data.area > 500`): parsed,
//! checked and evaluated.

/// A condition on an edge out of a choice: `outcome == '不予受理'`, `data.area > 500`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub subject: Subject,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The previous task's outcome.
    Outcome,
    /// A field of the case's form data.
    Data(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Condition {
    pub fn parse(s: &str) -> Result<Self, crate::Text> {
        let bad = |why: crate::Text| {
            why.prefixed(&format!("“{s}”："), &format!("«{s}»: "))
                .append(
                    "（应写作如 outcome == '准予' 或 data.area > 500）",
                    " (write e.g. outcome == '准予' or data.area > 500)",
                )
        };
        let t = s.trim();
        let ops = [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        let (at, op, len) = ops
            .iter()
            .filter_map(|(sym, op)| t.find(sym).map(|i| (i, *op, sym.len())))
            .min_by_key(|(i, _, _)| *i)
            .ok_or_else(|| bad(crate::zh_en!("缺少比较符", "no comparison")))?;
        let (lhs, rhs) = (t[..at].trim(), t[at + len..].trim());
        let subject = match lhs {
            "outcome" => Subject::Outcome,
            l if l.starts_with("data.")
                && l.len() > 5
                && l[5..].chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                Subject::Data(l[5..].to_string())
            }
            _ => {
                return Err(bad(crate::zh_en!(
                    "左边应为 `outcome` 或 `data.<字段>`",
                    "the left side is `outcome` or `data.<field>`"
                )));
            }
        };
        let value = if let Some(q) = rhs.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            Value::Text(q.to_string())
        } else if let Some(q) = rhs.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Value::Text(q.to_string())
        } else if rhs == "true" || rhs == "false" {
            Value::Bool(rhs == "true")
        } else {
            Value::Number(rhs.parse().map_err(|_| {
                bad(crate::zh_en!(
                    "右边应为带引号的文字、数字、true 或 false",
                    "the right side is a quoted text, a number, true or false"
                ))
            })?)
        };
        if matches!(value, Value::Text(_) | Value::Bool(_)) && !matches!(op, Op::Eq | Op::Ne) {
            return Err(bad(crate::zh_en!(
                "文字和 true/false 只能用 == 或 != 比较",
                "texts and true/false compare only with == or !="
            )));
        }
        Ok(Self { subject, op, value })
    }
}

impl Condition {
    /// Whether the condition holds for the outcome of the task just done and the case's data.
    /// A missing data field, or one of another type, does not satisfy it.
    pub fn holds(&self, outcome: Option<&str>, data: &serde_json::Value) -> bool {
        use std::cmp::Ordering;
        let ordering = match (&self.subject, &self.value) {
            (Subject::Outcome, Value::Text(t)) => outcome.map(|o| o.cmp(t.as_str())),
            (Subject::Data(f), Value::Text(t)) => data
                .get(f)
                .and_then(|v| v.as_str())
                .map(|v| v.cmp(t.as_str())),
            (Subject::Data(f), Value::Number(n)) => data
                .get(f)
                .and_then(serde_json::Value::as_f64)
                .and_then(|v| v.partial_cmp(n)),
            (Subject::Data(f), Value::Bool(b)) => data
                .get(f)
                .and_then(serde_json::Value::as_bool)
                .map(|v| v.cmp(b)),
            (Subject::Outcome, _) => None,
        };
        let Some(o) = ordering else { return false };
        match self.op {
            Op::Eq => o == Ordering::Equal,
            Op::Ne => o != Ordering::Equal,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
        }
    }
}
