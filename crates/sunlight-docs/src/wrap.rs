//! Line breaking for Chinese text with the basic 避头尾 rules (GB/T 15834 punctuation,
//! JIS X 4051 / W3C clreq practice): a line may break between any two Chinese characters, never
//! inside a run of Latin letters and digits (a licence number, a URL, `2026-05-08`), never
//! before closing punctuation (，。、；：？！）」》…), never after opening punctuation
//! (（「《“), and never inside a dash or ellipsis (——, ……). A character that would start a line
//! against these rules takes the character before it along (推出).

use std::ops::Range;

/// Characters that may not start a line (行首禁则).
pub fn no_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '］'
            | '｝'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〗'
            | '》'
            | '〉'
            | '”'
            | '’'
            | '…'
            | '—'
            | '·'
            | '～'
            | '％'
            | '．'
            | '〃'
            | '々'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
            | ' '
            | '\u{3000}'
    )
}

/// Characters that may not end a line (行尾禁则).
pub fn no_end(c: char) -> bool {
    matches!(
        c,
        '（' | '［'
            | '｛'
            | '「'
            | '『'
            | '【'
            | '〔'
            | '〖'
            | '《'
            | '〈'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
    )
}

/// Letters, digits and the ASCII signs that hold a word or number together; a run of them is
/// never broken (unless it is longer than a whole line).
pub fn is_word(c: char) -> bool {
    c.is_ascii_graphic() || (c.is_alphanumeric() && (c as u32) < 0x2E80)
}

/// Whether the gap after `a` (before `b`) may take extra space when a line is justified: not
/// inside a word, whose letters keep their spacing.
pub fn stretchable(a: char, b: char) -> bool {
    !(is_word(a) && is_word(b))
}

const EPSILON: f32 = 1e-3;

/// A word this long (a link, a path, a long reference) may break after `/ . - _ ? & = #`
/// rather than leave a line a quarter empty or more.
const LONG_WORD: usize = 16;

/// Splits a paragraph into lines: `widths[i]` is the advance of `chars[i]`; the first line
/// has `first` to fill (less, when indented), the others `rest`. Spaces at the end of a line
/// hang in the margin. Every character belongs to exactly one line, in order.
pub fn break_lines(chars: &[char], widths: &[f32], first: f32, rest: f32) -> Vec<Range<usize>> {
    debug_assert_eq!(chars.len(), widths.len());
    let n = chars.len();
    let mut lines = Vec::new();
    if n == 0 {
        return lines;
    }
    // The width that must fit: without trailing spaces.
    let hanging = |r: Range<usize>| -> f32 {
        let mut end = r.end;
        while end > r.start && chars[end - 1] == ' ' {
            end -= 1;
        }
        widths[r.start..end].iter().sum()
    };
    let mut start = 0;
    let mut width = 0.0f32;
    let mut avail = first;
    for cluster in clusters(chars) {
        // What is left of the cluster to place.
        let mut from = cluster.start;
        loop {
            let part = from..cluster.end;
            if width + hanging(part.clone()) <= avail + EPSILON {
                width += widths[part].iter().sum::<f32>();
                break;
            }
            let room = avail - width;
            let empty = start == from;
            let cut = if empty || room >= 0.25 * avail {
                soft_break(chars, widths, part.clone(), room)
            } else {
                None
            };
            let cut = match cut {
                Some(cut) => cut,
                None if !empty => from,
                // Wider than a whole line and nowhere soft to break: cut where it must be
                // cut, still never putting a no-start character first if another cut works.
                None => hard_break(chars, widths, part, room),
            };
            lines.push(start..cut);
            start = cut;
            from = cut;
            width = 0.0;
            avail = rest;
        }
    }
    lines.push(start..n);
    lines
}

/// The last place inside a long word in `part` after which its beginning fits in `room`.
fn soft_break(chars: &[char], widths: &[f32], part: Range<usize>, room: f32) -> Option<usize> {
    let mut best = None;
    let mut used = 0.0;
    let mut word_start = part.start;
    for i in part.clone() {
        if !is_word(chars[i]) {
            word_start = i + 1;
        }
        used += widths[i];
        if used > room + EPSILON {
            break;
        }
        let cut = i + 1;
        if cut >= part.end || !is_word(chars[i]) || !is_word(chars[cut]) {
            continue;
        }
        let mut word_end = cut;
        while word_end < chars.len() && is_word(chars[word_end]) {
            word_end += 1;
        }
        if word_end - word_start >= LONG_WORD
            && matches!(chars[i], '/' | '.' | '-' | '_' | '?' | '&' | '=' | '#')
            && !no_start(chars[cut])
        {
            best = Some(cut);
        }
    }
    best
}

/// The longest start of `part` that fits `room` (at least one character), moved back so the
/// next line does not start with a no-start character where that is possible.
fn hard_break(chars: &[char], widths: &[f32], part: Range<usize>, room: f32) -> usize {
    let mut used = 0.0;
    let mut cut = part.start + 1;
    for i in part.clone() {
        used += widths[i];
        if used > room + EPSILON && i > part.start {
            cut = i;
            break;
        }
        cut = i + 1;
    }
    let fitted = cut;
    while cut > part.start + 1 && cut < chars.len() && no_start(chars[cut]) {
        cut -= 1;
    }
    if cut < chars.len() && no_start(chars[cut]) {
        fitted
    } else {
        cut
    }
}

/// Runs of characters no line may break inside.
fn clusters(chars: &[char]) -> Vec<Range<usize>> {
    let mut units: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let mut j = i + 1;
        if is_word(chars[i]) {
            while j < chars.len() && is_word(chars[j]) {
                j += 1;
            }
        }
        units.push(i..j);
        i = j;
    }
    let mut clusters: Vec<Range<usize>> = Vec::new();
    for unit in units {
        match clusters.last_mut() {
            Some(last) if no_start(chars[unit.start]) || no_end(chars[last.end - 1]) => {
                last.end = unit.end;
            }
            _ => clusters.push(unit),
        }
    }
    clusters
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn width(c: char) -> f32 {
        if c == ' ' {
            0.25
        } else if c.is_ascii() {
            0.5
        } else {
            1.0
        }
    }

    fn lines(text: &str, first: f32, rest: f32) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let widths: Vec<f32> = chars.iter().map(|&c| width(c)).collect();
        break_lines(&chars, &widths, first, rest)
            .into_iter()
            .map(|r| chars[r].iter().collect())
            .collect()
    }

    #[test]
    fn chinese_breaks_anywhere_but_not_before_closing_punctuation() {
        assert_eq!(lines("一二三四五六", 3.0, 3.0), ["一二三", "四五六"]);
        // 。 would start the second line: 三 goes along with it.
        assert_eq!(lines("一二三。四五", 3.0, 3.0), ["一二", "三。四", "五"]);
        // Opening punctuation stays with what follows.
        assert_eq!(lines("一二（三）", 3.0, 3.0), ["一二", "（三）"]);
        // A dash is never split.
        assert_eq!(lines("一二——三", 3.0, 3.0), ["一", "二——", "三"]);
    }

    #[test]
    fn words_and_numbers_stay_whole_and_spaces_hang() {
        assert_eq!(
            lines("编号JY1330127001号", 6.0, 6.0),
            ["编号", "JY1330127001", "号"]
        );
        // The space at the end of the first line does not count against its width.
        assert_eq!(lines("ab cd ef", 2.5, 2.5), ["ab cd ", "ef"]);
        // The indented first line is shorter.
        assert_eq!(lines("一二三四五", 2.0, 3.0), ["一二", "三四五"]);
    }

    #[test]
    fn a_long_link_breaks_after_a_slash_or_dot_rather_than_leave_a_gap() {
        // 2 + 8 em of room on the first line: the link breaks after "verify/".
        let l = lines("登录https://a.example.invalid/verify/x查询", 12.0, 12.0);
        assert_eq!(l.concat(), "登录https://a.example.invalid/verify/x查询");
        assert_eq!(l[0], "登录https://a.example.");
        // A short word is never split: it moves down whole.
        assert_eq!(
            lines("一二三四五六七八九十JY1330127", 12.0, 12.0)[1],
            "JY1330127"
        );
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut() {
        let l = lines("https://example.invalid/verify?no=1", 5.0, 5.0);
        assert_eq!(l.concat(), "https://example.invalid/verify?no=1");
        assert!(l.len() > 1);
        assert!(l.iter().skip(1).all(|s| !s.starts_with(no_start)));
    }

    /// Text made of pieces a real document has: Chinese characters, closing punctuation after
    /// them, opening punctuation before them, short Latin words and numbers.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[一二三四五六七八九十许可决定申请审查机关]{1,4}",
            2 => "[一二三四五]{1,2}[，。、；：？！）」》”]{1,2}",
            1 => "[（「《“][一二三四五]{1,3}",
            1 => "[A-Za-z0-9]{1,8}",
            1 => "[一二三]——[四五]",
            1 => "https://[a-z]{2,8}\\.[a-z]{2,5}/[a-z0-9]{1,12}",
            1 => " ",
        ]
    }

    proptest! {
        #[test]
        fn lines_keep_every_character_and_the_punctuation_rules(
            pieces in proptest::collection::vec(piece(), 1..60),
            first in 8.0f32..20.0,
            extra in 0.0f32..12.0,
        ) {
            let text: String = pieces.concat();
            let rest = first + extra;
            let l = lines(&text, first, rest);
            prop_assert_eq!(l.concat(), text.clone());
            for (i, line) in l.iter().enumerate() {
                prop_assert!(!line.is_empty());
                if i > 0 {
                    let c = line.chars().next().unwrap();
                    prop_assert!(!no_start(c), "line {} starts with {:?}: {:?}", i, c, l);
                }
                if i + 1 < l.len() {
                    let c = line.chars().last().unwrap();
                    prop_assert!(!no_end(c), "line {} ends with {:?}: {:?}", i, c, l);
                }
                let chars: Vec<char> = line.trim_end_matches(' ').chars().collect();
                let w: f32 = chars.iter().map(|&c| width(c)).sum();
                let avail = if i == 0 { first } else { rest };
                prop_assert!(w <= avail + 1e-3, "line {} is {} wide, {} allowed: {:?}", i, w, avail, l);
            }
        }
    }
}
