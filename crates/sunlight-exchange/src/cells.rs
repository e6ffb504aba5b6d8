//! Reading and writing the list-valued cells of a sheet (materials, legal basis, duties…).
//!
//! Exports write one item a line with fields separated by ` | `; reading a line with that
//! separator is exact, so an export reads back unchanged. Lines without it are free text as
//! people type it (numbered items, `；` separators, citations run together), read by heuristics.

use sunlight_core::text::{comparison_key, fold_width, tidy};
use sunlight_core::{
    AccountabilityCase, Duty, DutyPhase, Faq, Fee, IntermediaryService, LegalBasis, Material,
    MaterialForm, Target, Text, zh_en,
};

pub const SEP: &str = " | ";

/// Splits a cell into items: lines, and `；`-separated parts, with list numbering removed.
pub fn items(cell: &str) -> Vec<String> {
    let cell = cell.replace("\r\n", "\n");
    let mut out = Vec::new();
    for line in cell.split('\n') {
        let parts: Vec<&str> = if is_exact(line) {
            vec![line]
        } else {
            line.split(['；', ';']).collect()
        };
        for part in parts {
            let t = strip_numbering(part.trim());
            if !t.is_empty() {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// `1.` `1、` `（1）` `(1)` `①` `一、` at the start of an item.
fn strip_numbering(s: &str) -> &str {
    let t = s.trim_start();
    let circled = t
        .chars()
        .next()
        .is_some_and(|c| ('\u{2460}'..='\u{2473}').contains(&c));
    if circled {
        return t[t.chars().next().map_or(0, char::len_utf8)..].trim_start();
    }
    let after_paren = ["（", "("].iter().find_map(|open| {
        let rest = t.strip_prefix(open)?;
        let end = rest.find(['）', ')'])?;
        let inner = &rest[..end];
        (inner.chars().count() <= 3
            && inner
                .chars()
                .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c)))
        .then(|| rest[end..].trim_start_matches(['）', ')']).trim_start())
    });
    if let Some(r) = after_paren {
        return r;
    }
    let num_len: usize = t
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
        .map(|(_, c)| c.len_utf8())
        .sum();
    if num_len > 0 && num_len <= 6 {
        let rest = &t[num_len..];
        for mark in ["、", ".", "．", "，"] {
            if let Some(r) = rest.strip_prefix(mark) {
                // "1.5吨" is not numbering: require a non-digit after the mark.
                if !r.starts_with(|c: char| c.is_ascii_digit()) {
                    return r.trim_start();
                }
            }
        }
    }
    t
}

/// Whether a line is in the exact ` | `-separated form exports write. Trailing empty fields
/// may have lost their spaces to a spreadsheet, so any `|` marks it.
fn is_exact(line: &str) -> bool {
    line.contains('|')
}

fn fields(line: &str) -> Vec<String> {
    line.split('|').map(|f| f.trim().to_string()).collect()
}

pub fn lines(items: &[String]) -> String {
    items.join("\n")
}

// ---- legal basis -------------------------------------------------------------------------

pub fn write_legal_basis(basis: &[LegalBasis]) -> String {
    basis
        .iter()
        .map(|b| [b.instrument.as_str(), &b.article, &b.text].join(SEP))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads citations: exact lines (`instrument | article | text`), or free text such as
/// `《中华人民共和国食品安全法》第三十五条第一款：国家对食品生产经营实行许可制度。《食品经营许可管理办法》第二条`.
pub fn read_legal_basis(cell: &str) -> Vec<LegalBasis> {
    let mut out = Vec::new();
    for line in cell
        .replace("\r\n", "\n")
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        if is_exact(line) {
            let f = fields(line);
            out.push(LegalBasis {
                instrument: f.first().cloned().unwrap_or_default(),
                article: f.get(1).cloned().unwrap_or_default(),
                text: f.get(2..).map(|r| r.join("|")).unwrap_or_default(),
            });
            continue;
        }
        for segment in split_citations(line) {
            out.push(read_citation(&segment));
        }
    }
    out
}

/// Splits free text at each `《` that starts a new citation.
fn split_citations(line: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut prev: Option<char> = None;
    for c in line.chars() {
        if c == '《' && depth == 0 {
            let starts_new = !current.trim().is_empty()
                && prev.is_some_and(|p| {
                    "。；;\n ，,、）)".contains(p) || p.is_ascii_digit() || current.contains('》')
                });
            if starts_new && current.contains('》') {
                segments.push(std::mem::take(&mut current));
            }
        }
        match c {
            '《' => depth += 1,
            '》' => depth = depth.saturating_sub(1),
            _ => {}
        }
        current.push(c);
        prev = Some(c);
    }
    if !current.trim().is_empty() {
        segments.push(current);
    }
    segments
        .into_iter()
        .map(|s| strip_numbering(trim_trailing_numbering(s.trim())).to_string())
        .collect()
}

/// Removes the number of the next item left at the end of a segment: `…制度。2.`, `…；(2)`.
fn trim_trailing_numbering(s: &str) -> &str {
    let mut t = s.trim_end();
    t = t.trim_end_matches(['.', '、', '．', '（', '(']);
    let without_digits = t.trim_end_matches(|c: char| c.is_ascii_digit());
    if without_digits.len() < t.len()
        && (without_digits.ends_with(['。', '；', ';', '，', ',']) || without_digits.is_empty())
    {
        t = without_digits;
    } else if without_digits.len() < t.len() {
        // Digits belong to the text (第2款), keep them.
        t = s.trim_end();
    }
    t.trim_end_matches(['；', ';', '，', ','])
}

fn read_citation(segment: &str) -> LegalBasis {
    let s = segment.trim();
    let (instrument, rest) = match (s.find('《'), s.find('》')) {
        (Some(0), Some(end)) => (
            s[..end + '》'.len_utf8()].to_string(),
            s[end + '》'.len_utf8()..].trim(),
        ),
        _ => match s.find('第') {
            // 食品安全法第三十五条：…
            Some(i) if i > 0 => (s[..i].trim().to_string(), s[i..].trim()),
            _ => (s.to_string(), ""),
        },
    };
    let (article, text) = match rest.find(['：', ':']) {
        Some(i) => (
            rest[..i].trim(),
            rest[i..].trim_start_matches(['：', ':']).trim(),
        ),
        None if rest.chars().count() <= 40 => (rest, ""),
        None => ("", rest),
    };
    LegalBasis {
        instrument: tidy(&instrument),
        article: tidy(article),
        text: tidy(text),
    }
}

// ---- materials ---------------------------------------------------------------------------

fn form_zh(f: MaterialForm) -> &'static str {
    f.zh()
}

pub fn write_materials(ms: &[Material]) -> String {
    ms.iter()
        .map(|m| {
            [
                m.name.clone(),
                if m.required {
                    "必要".into()
                } else {
                    "非必要".into()
                },
                form_zh(m.form).into(),
                format!("{}份", m.copies),
                m.source.clone(),
            ]
            .join(SEP)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn read_materials(cell: &str) -> Result<Vec<Material>, Text> {
    items(cell)
        .into_iter()
        .map(|item| {
            if !is_exact(&item) {
                let form = if item.ends_with("（复印件）") || item.ends_with("(复印件)") {
                    MaterialForm::Copy
                } else {
                    MaterialForm::Original
                };
                return Ok(Material {
                    name: item,
                    required: true,
                    form,
                    copies: 1,
                    source: String::new(),
                });
            }
            let f = fields(&item);
            let required = match f.get(1).map(String::as_str) {
                None | Some("") | Some("必要") | Some("是") | Some("必须") => true,
                Some("非必要") | Some("否") | Some("容缺") => false,
                Some(other) => {
                    return Err(zh_en!(
                        "“{other}”：应填必要或非必要",
                        "«{other}»: say 必要 or 非必要"
                    ));
                }
            };
            let form = match f.get(2).map(String::as_str) {
                None | Some("") | Some("原件") => MaterialForm::Original,
                Some("复印件") => MaterialForm::Copy,
                Some("原件及复印件") => MaterialForm::OriginalAndCopy,
                Some("电子件") => MaterialForm::Electronic,
                Some(other) => {
                    return Err(zh_en!(
                        "“{other}”：应填原件、复印件、原件及复印件或电子件",
                        "«{other}»: say 原件, 复印件, 原件及复印件 or 电子件"
                    ));
                }
            };
            let copies = match f.get(3).map(|s| s.trim_end_matches('份').trim()) {
                None | Some("") => 1,
                Some(n) => sunlight_core::text::fold_width(n)
                    .parse()
                    .map_err(|_| zh_en!("“{n}份”不是份数", "«{n}份» is not a number of copies"))?,
            };
            Ok(Material {
                name: f[0].clone(),
                required,
                form,
                copies,
                source: f.get(4).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

// ---- fees --------------------------------------------------------------------------------

pub fn write_fees(fees: &[Fee]) -> String {
    if fees.is_empty() {
        return "不收费".into();
    }
    fees.iter()
        .map(|f| {
            [
                f.item.clone(),
                f.standard.clone(),
                f.amount_fen.map(|a| a.to_string()).unwrap_or_default(),
                f.basis.clone(),
            ]
            .join(SEP)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn read_fees(cell: &str) -> Result<Vec<Fee>, Text> {
    let key = sunlight_core::text::comparison_key(cell);
    if matches!(
        key.as_str(),
        "" | "不收费" | "无" | "免费" | "否" | "0" | "不收取费用" | "免收"
    ) {
        return Ok(Vec::new());
    }
    items(cell)
        .into_iter()
        .map(|item| {
            if !is_exact(&item) {
                return Ok(Fee {
                    item: "收费".into(),
                    standard: item,
                    amount_fen: None,
                    basis: String::new(),
                });
            }
            let f = fields(&item);
            let amount_fen = match f.get(2).map(String::as_str) {
                None | Some("") => None,
                Some(a) => Some(a.parse().map_err(|_| {
                    zh_en!("“{a}”不是以分计的金额", "«{a}» is not an amount in fen")
                })?),
            };
            Ok(Fee {
                item: f[0].clone(),
                standard: f.get(1).cloned().unwrap_or_default(),
                amount_fen,
                basis: f.get(3).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

// ---- duties and accountability -----------------------------------------------------------

pub fn write_duties(duties: &[Duty], phase: DutyPhase) -> String {
    duties
        .iter()
        .filter(|d| d.phase == phase)
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads a `责任事项` cell that holds every phase, marked as `1.受理阶段责任：…2.审查阶段责任：…`.
pub fn read_all_duties(cell: &str) -> Vec<Duty> {
    let text = cell.trim();
    if text.is_empty() {
        return Vec::new();
    }
    // Find each phase marker "X阶段责任：" / "X责任：".
    let mut marks: Vec<(usize, usize, DutyPhase)> = Vec::new();
    for phase in DutyPhase::ALL {
        for marker in [
            format!("{}阶段责任", phase.zh()),
            format!("{}责任", phase.zh()),
        ] {
            let mut from = 0;
            while let Some(i) = text[from..].find(&marker) {
                let start = from + i;
                let mut end = start + marker.len();
                if let Some(r) = text[end..].strip_prefix(['：', ':']) {
                    end = text.len() - r.len();
                }
                if !marks.iter().any(|(s, e, _)| start < *e && *s < end) {
                    marks.push((start, end, phase));
                }
                from = start + marker.len();
            }
        }
    }
    if marks.is_empty() {
        return vec![Duty {
            phase: DutyPhase::Other,
            text: tidy(text),
        }];
    }
    marks.sort_by_key(|m| m.0);
    let mut duties = Vec::new();
    for (i, (_, end, phase)) in marks.iter().enumerate() {
        let until = marks.get(i + 1).map_or(text.len(), |m| m.0);
        let body = text[*end..until].trim();
        // Drop the numbering of the next item left at the end ("…。2.").
        let body = body
            .trim_end_matches(|c: char| c.is_ascii_digit() || "、.．（(".contains(c))
            .trim();
        if !body.is_empty() {
            duties.push(Duty {
                phase: *phase,
                text: tidy(body),
            });
        }
    }
    duties
}

pub fn write_accountability(cases: &[AccountabilityCase]) -> String {
    cases
        .iter()
        .map(|c| {
            if c.basis.is_empty() {
                c.text.clone()
            } else {
                format!("{}{SEP}{}", c.text, c.basis)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn read_accountability(cell: &str) -> Vec<AccountabilityCase> {
    cell.replace("\r\n", "\n")
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            if is_exact(line) {
                let f = fields(line);
                AccountabilityCase {
                    text: f[0].clone(),
                    basis: f.get(1..).map(|r| r.join("|")).unwrap_or_default(),
                }
            } else {
                AccountabilityCase {
                    text: tidy(strip_numbering(line)),
                    basis: String::new(),
                }
            }
        })
        .collect()
}

// ---- guide: who, visits, online, intermediaries, questions ---------------------------------

/// 办理对象: 自然人、法人 … separated by 、，; or lines.
pub fn read_targets(cell: &str) -> Result<Vec<Target>, Text> {
    let mut out = Vec::new();
    for t in cell
        .split(['、', '，', ',', '；', ';', '/', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        match Target::parse(t) {
            Some(x) if !out.contains(&x) => out.push(x),
            Some(_) => {}
            None => {
                return Err(zh_en!(
                    "“{t}”不是办理对象（应为自然人、法人或其他组织）",
                    "«{t}» is not a kind of applicant (自然人, 法人 or 其他组织)"
                ));
            }
        }
    }
    Ok(out)
}

pub fn write_targets(targets: &[Target]) -> String {
    targets
        .iter()
        .map(|t| t.zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// 到办事现场次数: `0`, `0次`, `1 次`, `零次`, `一次`.
pub fn read_visits(cell: &str) -> Result<u32, Text> {
    let t = fold_width(cell);
    let t = t.trim().trim_end_matches('次').trim();
    let n = match t {
        "零" | "〇" => Some(0),
        "一" => Some(1),
        "二" | "两" => Some(2),
        "三" => Some(3),
        _ => t.parse::<u32>().ok(),
    };
    n.filter(|n| *n <= 10).ok_or_else(|| {
        zh_en!(
            "“{cell}”：应填 0 至 10 次（0 即零跑动）",
            "«{cell}»: 0 to 10 visits (0 for none)"
        )
    })
}

/// 是否网办: 是 / 否.
pub fn read_yes_no(cell: &str) -> Result<bool, Text> {
    match comparison_key(cell).as_str() {
        "是" | "支持" | "全程网办" | "y" | "yes" | "true" | "1" => Ok(true),
        "否" | "不支持" | "n" | "no" | "false" | "0" => Ok(false),
        _ => Err(zh_en!("“{cell}”：应填是或否", "«{cell}»: say 是 or 否")),
    }
}

/// 中介服务: one a line, `名称（依据）` or `名称｜依据`; `无` for none.
pub fn read_intermediaries(cell: &str) -> Vec<IntermediaryService> {
    let cell = cell.replace("\r\n", "\n");
    cell.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !matches!(*l, "无" | "否" | "不涉及"))
        .map(|l| {
            let l = strip_numbering(l);
            if let Some((name, basis)) = l.split_once(SEP).or_else(|| l.split_once('｜')) {
                return IntermediaryService {
                    name: name.trim().into(),
                    basis: basis.trim().into(),
                };
            }
            match l.find(['（', '(']) {
                Some(at) => IntermediaryService {
                    name: l[..at].trim().into(),
                    basis: l[at..]
                        .trim_start_matches(['（', '('])
                        .trim_end_matches(['）', ')'])
                        .trim()
                        .into(),
                },
                None => IntermediaryService {
                    name: l.trim().into(),
                    basis: String::new(),
                },
            }
        })
        .collect()
}

pub fn write_intermediaries(list: &[IntermediaryService]) -> String {
    list.iter()
        .map(|m| format!("{}{SEP}{}", m.name, m.basis))
        .collect::<Vec<_>>()
        .join("\n")
}

/// 常见问题: `问：…` then `答：…` lines (an answer may run over several lines).
pub fn read_faq(cell: &str) -> Result<Vec<Faq>, Text> {
    let cell = cell.replace("\r\n", "\n");
    let mut out: Vec<Faq> = Vec::new();
    let mut open: Option<Faq> = None;
    for line in cell.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
        let q = ["问：", "问:", "Q：", "Q:"]
            .iter()
            .find_map(|p| line.strip_prefix(p));
        let a = ["答：", "答:", "A：", "A:"]
            .iter()
            .find_map(|p| line.strip_prefix(p));
        match (q, a, open.as_mut()) {
            (Some(q), _, _) => {
                out.extend(open.take());
                open = Some(Faq {
                    question: q.trim().into(),
                    answer: String::new(),
                });
            }
            (None, Some(a), Some(f)) if f.answer.is_empty() => f.answer = a.trim().into(),
            (None, None, Some(f)) if !f.answer.is_empty() => {
                f.answer.push('\n');
                f.answer.push_str(line);
            }
            _ => {
                return Err(zh_en!(
                    "常见问题应写作“问：……”一行、“答：……”一行，这一行不在其中：“{line}”",
                    "write questions as 问：… then 答：… lines; this line is neither: «{line}»"
                ));
            }
        }
    }
    out.extend(open);
    Ok(out)
}

pub fn write_faq(faq: &[Faq]) -> String {
    faq.iter()
        .map(|f| format!("问：{}\n答：{}", f.question, f.answer))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_items_lose_their_numbering() {
        assert_eq!(
            items("1.申请书；2、营业执照复印件\n（3）身份证明\n①承诺书"),
            ["申请书", "营业执照复印件", "身份证明", "承诺书"]
        );
        assert_eq!(items("1.5吨以下"), ["1.5吨以下"]);
    }

    #[test]
    fn citations_run_together_are_split() {
        let b = read_legal_basis(
            "1.《中华人民共和国食品安全法》第三十五条第一款：国家对食品生产经营实行许可制度。2.《食品经营许可管理办法》第二条",
        );
        assert_eq!(b.len(), 2, "{b:?}");
        assert_eq!(b[0].instrument, "《中华人民共和国食品安全法》");
        assert_eq!(b[0].article, "第三十五条第一款");
        assert_eq!(b[0].text, "国家对食品生产经营实行许可制度。");
        assert_eq!(b[1].instrument, "《食品经营许可管理办法》");
        assert_eq!(b[1].article, "第二条");
        let plain = read_legal_basis("道路运输条例第二十四条");
        assert_eq!(
            (plain[0].instrument.as_str(), plain[0].article.as_str()),
            ("道路运输条例", "第二十四条")
        );
    }

    #[test]
    fn phases_marked_in_one_cell() {
        let d = read_all_duties(
            "1.受理阶段责任：公示应当提交的材料，一次性告知补正材料。2.审查阶段责任：对申请材料进行审查。3.事后监管责任：开展监督检查。",
        );
        let phases: Vec<_> = d.iter().map(|d| d.phase).collect();
        assert_eq!(
            phases,
            [DutyPhase::Accept, DutyPhase::Review, DutyPhase::Supervise]
        );
        assert_eq!(d[0].text, "公示应当提交的材料，一次性告知补正材料。");
        assert_eq!(read_all_duties("依法履行职责")[0].phase, DutyPhase::Other);
    }

    #[test]
    fn exact_lines_round_trip() {
        let m = vec![Material {
            name: "申请书".into(),
            required: false,
            form: MaterialForm::OriginalAndCopy,
            copies: 2,
            source: "申请人自备".into(),
        }];
        assert_eq!(read_materials(&write_materials(&m)).unwrap(), m);
        let f = vec![Fee {
            item: "工本费".into(),
            standard: "每证10元".into(),
            amount_fen: Some(1000),
            basis: "浙价费〔2015〕1号".into(),
        }];
        assert_eq!(read_fees(&write_fees(&f)).unwrap(), f);
        assert!(read_fees("不收费").unwrap().is_empty());
        let b = vec![LegalBasis {
            instrument: "《中华人民共和国行政许可法》".into(),
            article: "第十二条".into(),
            text: "下列事项可以设定行政许可：…".into(),
        }];
        assert_eq!(read_legal_basis(&write_legal_basis(&b)), b);
    }
}
