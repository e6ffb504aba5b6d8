//! Field-by-field difference between two versions of a power.

use serde::Serialize;
use serde_json::Value;

/// One field that differs, by path (`guide.materials[1].copies`); `None` = absent on that side.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub path: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: Option<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: Option<Value>,
}

/// The differences between two serialisable values, leaves first in document order.
/// Objects are compared key by key, arrays index by index (an inserted material shows as
/// changes from its position on, which is what a reviewer reading the guide expects).
pub fn diff<T: Serialize>(before: &T, after: &T) -> Vec<FieldChange> {
    let (a, b) = match (serde_json::to_value(before), serde_json::to_value(after)) {
        (Ok(a), Ok(b)) => (a, b),
        // Our domain types always serialise; nothing to compare otherwise.
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    walk(String::new(), Some(&a), Some(&b), &mut out);
    out
}

fn walk(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().collect();
            keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(p, x.get(k), y.get(k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) => {
            for i in 0..x.len().max(y.len()) {
                walk(format!("{path}[{i}]"), x.get(i), y.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            path,
            before: a.cloned(),
            after: b.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_leaf_changes_with_paths() {
        let a = json!({"name": "食品经营许可", "guide": {"materials": [{"name": "申请书", "copies": 1}]}, "x": 1});
        let b = json!({"name": "食品经营许可", "guide": {"materials": [{"name": "申请书", "copies": 2}, {"name": "营业执照", "copies": 1}]}, "y": 2});
        let d = diff(&a, &b);
        let paths: Vec<_> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["guide.materials[0].copies", "guide.materials[1]", "x", "y"]
        );
        assert_eq!(d[0].before, Some(json!(1)));
        assert_eq!(d[1].before, None);
        assert_eq!(d[2].after, None);
        assert!(diff(&a, &a).is_empty());
    }
}
