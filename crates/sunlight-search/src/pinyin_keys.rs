//! Pinyin keys: finding a power by what is typed on a Latin keyboard — the full pinyin of its
//! name (`shigongxuke`, `shi gong xu ke`) or the initials of it (`sgxk`).
//!
//! A name is read character by character with the `pinyin` crate (pinyin-data, compiled in),
//! without tones, ü written `v`; runs of Latin letters and digits stay as they are, lower-cased;
//! punctuation is skipped. From the reading come two sets of keys, each a plain term:
//!
//! - full pinyin: the concatenated syllables from each character to the end of the name
//!   (建筑工程施工许可证核发 → `jianzhugongcheng…`, `zhugongcheng…`, … `shigongxukezhenghefa`, …
//!   `hefa`, `fa`), cut to [`MAX_QUERY`] bytes, so a query that is a prefix of one of them
//!   matches from any syllable on: `shigong`, `shigongxuke` and `xukezheng` all find it;
//! - initials: the same from each character, with one letter per syllable (`jzgcsgxkzhf`,
//!   `sgxkzhf`, …), cut to [`MAX_INITIALS`], so `sgxk` or `jzgc` find it, whether the letters are
//!   a word of the name (施工许可) or run across words.
//!
//! The key from the first character is also kept with [`HEAD`] before it, so a query matching
//! the start of the name (or the whole name) can count more.
//!
//! Characters with several readings (行 xing/hang, 重 zhong/chong, 给 gei/ji) are read the most
//! common way; then, one character at a time, the character's next reading (for the initials,
//! its next reading with another initial) gives another variant of the name, up to
//! [`MAX_VARIANTS`] variants of the full pinyin and as many of the initials. A variant adds only
//! the keys from the name's start and from the few syllables ([`LOOKBACK`]) before the
//! character, the others being typed rarely. The index does not know which reading a phrase
//! takes (给付 is jifu, the common reading of 给 is gei): the variants let both find it.

use pinyin::ToPinyinMulti;
use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::OnceLock;

use crate::SYNONYMS;

/// The longest query read as pinyin, in characters; anything after is cut. Full-pinyin keys are
/// cut to as many bytes, which keeps every prefix match of such a query.
pub const MAX_QUERY: usize = 64;
/// Initials keys are cut to this many letters (and a longer query to as many, for them).
pub const MAX_INITIALS: usize = 24;
/// At most this many readings of a name are indexed, for its full pinyin and for its initials.
pub const MAX_VARIANTS: usize = 8;
/// Characters of a name read; a longer name is read up to here.
const MAX_UNITS: usize = 128;
/// How many syllables before a character read another way its variant's keys start (besides
/// the name's start): `jifu`, `jinjifu` … `zhangjinjifu` for 最低生活保障金给付.
const LOOKBACK: usize = 3;
/// Marks the key that starts at the name's first character.
pub const HEAD: char = '^';

/// One character of a name (its readings, most common first) or a run of Latin letters and
/// digits (one reading: itself).
struct Unit {
    latin: bool,
    readings: Vec<Cow<'static, str>>,
}

impl Unit {
    /// What the unit adds to the initials: a syllable's first letter, a Latin run whole.
    fn initial<'a>(&self, reading: &'a str) -> &'a str {
        if self.latin { reading } else { &reading[..1] }
    }
}

/// A syllable without tone, in the letters people type: `lü` → `lv`.
fn plain(syllable: &'static str) -> Cow<'static, str> {
    if syllable.bytes().all(|b| b.is_ascii_lowercase()) {
        return Cow::Borrowed(syllable);
    }
    syllable
        .chars()
        .filter_map(|c| match c {
            'a'..='z' => Some(c),
            'ü' => Some('v'),
            _ => None,
        })
        .collect()
}

fn units(name: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut latin = String::new();
    for c in name.chars() {
        if out.len() >= MAX_UNITS {
            break;
        }
        if c.is_ascii_alphanumeric() {
            latin.push(c.to_ascii_lowercase());
            continue;
        }
        if !latin.is_empty() {
            out.push(Unit {
                latin: true,
                readings: vec![Cow::Owned(std::mem::take(&mut latin))],
            });
        }
        let Some(multi) = c.to_pinyin_multi() else {
            continue;
        };
        let mut readings: Vec<Cow<'static, str>> = Vec::new();
        for p in multi {
            let r = plain(p.plain());
            if !r.is_empty() && !readings.contains(&r) {
                readings.push(r);
            }
        }
        if !readings.is_empty() {
            out.push(Unit {
                latin: false,
                readings,
            });
        }
    }
    if !latin.is_empty() && out.len() < MAX_UNITS {
        out.push(Unit {
            latin: true,
            readings: vec![Cow::Owned(latin)],
        });
    }
    out
}

/// The readings of a name, projected by `part` (a whole syllable, or its initial): the most
/// common reading of every unit first, then, for each unit in turn that has another reading
/// projecting differently, that with the unit read the first such way (with the unit's index);
/// at most [`MAX_VARIANTS`] in all, all distinct.
fn variants<'a>(
    units: &'a [Unit],
    part: fn(&Unit, &'a str) -> &'a str,
) -> Vec<(Vec<&'a str>, Option<usize>)> {
    let base: Vec<&str> = units.iter().map(|u| part(u, &u.readings[0])).collect();
    let mut out = vec![(base.clone(), None)];
    for (i, u) in units.iter().enumerate() {
        if out.len() >= MAX_VARIANTS {
            break;
        }
        if let Some(other) = u.readings[1..]
            .iter()
            .map(|r| part(u, r))
            .find(|r| *r != base[i])
        {
            let mut v = base.clone();
            v[i] = other;
            out.push((v, Some(i)));
        }
    }
    out
}

fn full_part<'a>(_: &Unit, r: &'a str) -> &'a str {
    r
}

fn initial_part<'a>(u: &Unit, r: &'a str) -> &'a str {
    u.initial(r)
}

/// `s` cut to at most `max` bytes (keys are ASCII).
fn cut(s: &str, max: usize) -> &str {
    &s[..s.len().min(max)]
}

/// The keys of `variants`, distinct, separated by spaces: the key from each unit to the end,
/// cut to `max` bytes, and the whole with [`HEAD`] before it. A variant that reads unit `p`
/// another way adds only the keys starting at the name's start or at most [`LOOKBACK`] units
/// before `p` (the others it shares with the common reading, or are typed rarely).
fn suffix_keys(variants: &[(Vec<&str>, Option<usize>)], max: usize) -> String {
    let wholes: Vec<String> = variants.iter().map(|(v, _)| v.concat()).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut heads: HashSet<&str> = HashSet::new();
    let mut out = String::new();
    for ((parts, changed), whole) in variants.iter().zip(&wholes) {
        let from = changed.map_or(0, |p| p.saturating_sub(LOOKBACK));
        let to = changed.unwrap_or(parts.len());
        let head = cut(whole, max);
        if heads.insert(head) {
            push(&mut out, true, head);
        }
        let mut at = 0;
        for (i, part) in parts.iter().enumerate().take(to + 1) {
            if i == 0 || i >= from {
                let key = cut(&whole[at..], max);
                if seen.insert(key) {
                    push(&mut out, false, key);
                }
            }
            at += part.len();
        }
    }
    out
}

fn push(out: &mut String, head: bool, key: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    if head {
        out.push(HEAD);
    }
    out.push_str(key);
}

/// What a name is indexed under, besides its words: keys separated by spaces.
#[derive(Debug, Default)]
pub struct NameKeys {
    /// Full-pinyin keys.
    pub full: String,
    /// Initials keys.
    pub initials: String,
}

/// The pinyin keys of a name (see the module's documentation).
pub fn name_keys(name: &str) -> NameKeys {
    let units = units(name);
    if units.is_empty() {
        return NameKeys::default();
    }
    NameKeys {
        full: suffix_keys(&variants(&units, full_part), MAX_QUERY),
        initials: suffix_keys(&variants(&units, initial_part), MAX_INITIALS),
    }
}

/// A query typed as pinyin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    /// The letters without separators, lower-cased: `shi gong xu ke` → `shigongxuke`.
    pub joined: String,
    /// The distinct runs of letters between separators.
    pub words: Vec<String>,
}

/// The query as pinyin, if it is one: Latin letters, possibly with spaces, apostrophes or other
/// punctuation between them (`xi'an`), at least two letters, nothing else (a digit or a Chinese
/// character means it is not). Only the first [`MAX_QUERY`] characters are read.
pub fn typed(text: &str) -> Option<Typed> {
    let mut joined = String::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let end_word = |word: &mut String, words: &mut Vec<String>| {
        if !word.is_empty() && !words.contains(word) {
            words.push(word.clone());
        }
        word.clear();
    };
    for c in text.chars().take(MAX_QUERY) {
        if c.is_ascii_alphabetic() {
            joined.push(c.to_ascii_lowercase());
            word.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() || c.is_ascii_punctuation() || matches!(c, '’' | '‘' | '·')
        {
            end_word(&mut word, &mut words);
        } else {
            return None;
        }
    }
    end_word(&mut word, &mut words);
    (joined.len() >= 2).then_some(Typed { joined, words })
}

/// The phrases of [`SYNONYMS`] that `joined` spells, in full pinyin or initials (`dibao` or
/// `db` → 低保), so the query also searches what they stand for.
pub fn spoken(joined: &str) -> Vec<&'static str> {
    static TABLE: OnceLock<Vec<(&'static str, Vec<String>)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        SYNONYMS
            .iter()
            .map(|(said, _)| {
                let units = units(said);
                let spellings = variants(&units, full_part)
                    .into_iter()
                    .chain(variants(&units, initial_part))
                    .map(|(v, _)| v.concat())
                    .collect();
                (*said, spellings)
            })
            .collect()
    });
    table
        .iter()
        .filter(|(_, spellings)| spellings.iter().any(|s| s == joined))
        .map(|(said, _)| *said)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(keys: &str, key: &str) -> bool {
        keys.split(' ').any(|k| k == key)
    }

    #[test]
    fn a_name_is_keyed_from_every_syllable_in_full_and_initials() {
        let k = name_keys("建筑工程施工许可证核发");
        for key in [
            "^jianzhugongchengshigongxukezhenghefa",
            "jianzhugongchengshigongxukezhenghefa",
            "shigongxukezhenghefa",
            "fa",
        ] {
            assert!(has(&k.full, key), "{key} in {:?}", k.full);
        }
        for key in ["^jzgcsgxkzhf", "sgxkzhf", "zhf"] {
            assert!(has(&k.initials, key), "{key} in {:?}", k.initials);
        }
        // 许 may be read hu and 核 hu, gai or kai: variants, from a few syllables before.
        assert!(has(&k.initials, "xkzgf"));
        assert!(has(&k.initials, "^jzgcsgxkzgf"));
        assert!(!has(&k.initials, "sgxkzgf"));
        assert!(has(&k.full, "xukezhenghufa"));
        assert!(has(&k.full, "^jianzhugongchengshigongxukezhenghufa"));
        assert!(!has(&k.full, "gongchengshigongxukezhenghufa"));
        assert!(k.full.split(' ').all(|t| t.len() <= MAX_QUERY + 1));
        let mut all: Vec<&str> = k.full.split(' ').collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "distinct");
    }

    #[test]
    fn variants_are_bounded_and_latin_and_u_umlaut_are_typed_as_people_do() {
        let u = units("对未取得食品生产经营许可从事食品生产经营活动的行政处罚");
        assert!(variants(&u, full_part).len() <= MAX_VARIANTS);
        assert!(variants(&u, initial_part).len() <= MAX_VARIANTS);
        let k = name_keys("ICP经营许可证（绿色）");
        assert!(has(&k.full, "^icpjingyingxukezhenglvse"));
        assert!(has(&k.initials, "^icpjyxkzls"));
        assert!(has(&k.initials, "icpjyxkzls"));
        assert!(name_keys("（）").full.is_empty());
        let long: String = "行".repeat(1000);
        let k = name_keys(&long);
        let n = k.full.split(' ').count();
        assert!(n <= 2 * MAX_UNITS + MAX_VARIANTS * (LOOKBACK + 2), "{n}");
    }

    #[test]
    fn only_letters_and_separators_are_read_as_pinyin() {
        assert_eq!(
            typed("Shi gong xu'ke").unwrap(),
            Typed {
                joined: "shigongxuke".into(),
                words: vec!["shi".into(), "gong".into(), "xu".into(), "ke".into()],
            }
        );
        assert_eq!(typed("ke ke").unwrap().joined, "keke");
        assert_eq!(typed("ke ke").unwrap().words, ["ke"]);
        assert_eq!(typed("食品"), None);
        assert_eq!(typed("sgxk2"), None);
        assert_eq!(typed("s"), None);
        assert_eq!(typed(" ' "), None);
        assert_eq!(typed(&"a".repeat(200)).unwrap().joined.len(), MAX_QUERY);
    }

    #[test]
    fn colloquial_phrases_are_spelled_too() {
        assert_eq!(spoken("dibao"), ["低保"]);
        assert_eq!(spoken("db"), ["低保"]);
        assert!(spoken("zzzz").is_empty());
    }
}
