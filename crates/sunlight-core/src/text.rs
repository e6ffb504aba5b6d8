//! Text normalisation for data typed by people: full-width forms, stray whitespace.

/// Folds full-width ASCII forms (`３３０１`, `ＡＢ`, `（`) to their half-width counterparts
/// and the ideographic space to a plain space. Meant for codes and comparisons, not for
/// display text, where full-width Chinese punctuation is correct.
pub fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Trims all Unicode whitespace (including U+3000 and non-breaking spaces) at both ends
/// and collapses inner runs of whitespace, including line breaks, into one space.
pub fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| c.is_whitespace() || c == '\u{feff}')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The comparison key of a name or citation: width-folded, tidied, and with the spaces
/// people put between Chinese words removed, so `食品经营 许可` equals `食品经营许可`.
pub fn comparison_key(s: &str) -> String {
    tidy(&fold_width(s))
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_digits_letters_and_space() {
        assert_eq!(fold_width("３３０１ＡＢ\u{3000}（一）"), "3301AB (一)");
    }

    #[test]
    fn tidies_all_kinds_of_whitespace() {
        assert_eq!(tidy("\u{3000} 食品经营\n许可 \u{a0}"), "食品经营 许可");
        assert_eq!(comparison_key(" 食品经营\u{3000}许可 "), "食品经营许可");
    }
}
