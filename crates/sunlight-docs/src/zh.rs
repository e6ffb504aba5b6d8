//! Numbers and dates as Chinese official documents write them.

use jiff::civil::Date;

/// A date as GB/T 9704-2012 writes 成文日期: Arabic numerals, year, month and day in full,
/// no leading zeros (`2026年5月8日`).
pub fn date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A count in Chinese numerals (`二十`, `一百零五`), as statutes write periods and items.
/// Numbers of ten thousand and more are written in Arabic numerals.
pub fn number(n: u32) -> String {
    const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    const UNITS: [&str; 4] = ["", "十", "百", "千"];
    if n == 0 {
        return "零".to_string();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let digits: Vec<u32> = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10].to_vec();
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in digits.iter().enumerate() {
        let unit = UNITS[3 - i];
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        // 十一, not 一十一, when the number starts with its tens.
        if !(d == 1 && unit == "十" && out.is_empty()) {
            out.push(DIGITS[d as usize]);
        }
        out.push_str(unit);
    }
    out
}

/// The item mark of the `n`th (from 1) entry of a list: （一）, （二）, …
pub fn item(n: usize) -> String {
    format!("（{}）", number(u32::try_from(n).unwrap_or(u32::MAX)))
}

/// Closes a list item with `；`, or `。` for the last, unless it already ends in punctuation.
pub fn close_item(text: &str, last: bool) -> String {
    let text = text.trim();
    match text.chars().last() {
        Some('。' | '；' | '！' | '？' | '：' | '，' | '、' | '.' | ';') => text.to_string(),
        _ => format!("{text}{}", if last { '。' } else { '；' }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_statutes_write_them() {
        let cases = [
            (1, "一"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (60, "六十"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (1001, "一千零一"),
            (2020, "二千零二十"),
            (9999, "九千九百九十九"),
        ];
        for (n, zh) in cases {
            assert_eq!(number(n), zh, "{n}");
        }
        assert_eq!(item(3), "（三）");
        assert_eq!(date(jiff::civil::date(2026, 5, 8)), "2026年5月8日");
        assert_eq!(close_item("材料缺页", false), "材料缺页；");
        assert_eq!(close_item("材料缺页。", false), "材料缺页。");
        assert_eq!(close_item("材料缺页", true), "材料缺页。");
    }
}
