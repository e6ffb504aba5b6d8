//! Discretion benchmarks (行政处罚裁量基准) from the sheets departments publish them in:
//!
//! | 序号 | 违法行为 | 处罚依据 | 裁量阶次 | 适用情形 | 处罚标准 |
//! |---|---|---|---|---|---|
//! | 1 | 未取得食品经营许可从事食品经营活动 | 《食品安全法》第一百二十二条 | 轻微 | 首次被查处… | 处五万元以上六万元以下罚款 |
//! |   |   |   | 一般 | … | 处六万元以上八万元以下罚款 |
//!
//! A violation's cells are often merged down over its tiers: an empty violation cell continues
//! the one above. The standard (处罚标准) is read as Chinese officials write it: amounts in 元 or
//! 万元, in Arabic or Chinese numerals (`2000元以上1万元以下`, `五万元以上十万元以下`); multiples
//! or percentages of a figure of the case (`货值金额十倍以上二十倍以下`, `工程合同价款2%以上4%以下`);
//! or no fine (`不予处罚`). Every row that cannot be read is reported with its row and column;
//! nothing is returned unless the whole sheet reads.

use crate::sheet::{RawRow, all_rows};
use crate::{Format, ImportError};
use sunlight_core::discretion::{Band, Benchmark, Tier, TierBand, Violation};
use sunlight_core::power::PowerCode;
use sunlight_core::{FieldError, Text, zh_en};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BCol {
    Code,
    Violation,
    Basis,
    Tier,
    Circumstances,
    Standard,
}

const HEADINGS: [(BCol, &[&str]); 6] = [
    (BCol::Code, &["编号", "序号", "违法行为编号", "代码"]),
    (BCol::Violation, &["违法行为", "违法行为名称", "违法事实"]),
    (
        BCol::Basis,
        &["处罚依据", "法律依据", "依据", "违法依据及处罚依据"],
    ),
    (
        BCol::Tier,
        &["裁量阶次", "裁量等级", "违法程度", "情节", "裁量档次"],
    ),
    (
        BCol::Circumstances,
        &["适用情形", "适用条件", "具体情形", "裁量情形", "情形"],
    ),
    (
        BCol::Standard,
        &["处罚标准", "裁量标准", "处罚幅度", "罚款幅度", "裁量基准"],
    ),
];

fn column_of(heading: &str) -> Option<BCol> {
    let h: String = heading.chars().filter(|c| !c.is_whitespace()).collect();
    HEADINGS
        .iter()
        .find(|(_, names)| names.contains(&h.as_str()))
        .map(|(c, _)| *c)
}

/// Reads a benchmark sheet for `power`. `source` names the document that set it.
pub fn read_benchmark(
    bytes: &[u8],
    format: Format,
    power: PowerCode,
    source: &str,
) -> Result<Benchmark, ImportError> {
    if format == Format::Json {
        let mut b: Benchmark = serde_json::from_slice(bytes).map_err(|e| {
            ImportError::file(zh_en!(
                "不是裁量基准文档：{e}",
                "not a benchmark document: {e}"
            ))
        })?;
        b.power = power;
        return Ok(b);
    }
    let sheets = all_rows(bytes, format)?;
    let found = sheets.iter().find_map(|(name, rows)| {
        rows.iter().take(12).find_map(|r| {
            let cols: Vec<Option<BCol>> = r.cells.iter().map(|c| column_of(c)).collect();
            let has = |c| cols.contains(&Some(c));
            (has(BCol::Violation) && has(BCol::Standard)).then_some((name, rows, r.number, cols))
        })
    });
    let Some((_, rows, header_row, cols)) = found else {
        return Err(ImportError::file(zh_en!(
            "没有一张表的表头包含违法行为和处罚标准（以及处罚依据、裁量阶次、适用情形）",
            "no sheet has a header naming 违法行为 and 处罚标准 (with 处罚依据, 裁量阶次, 适用情形)"
        )));
    };
    let heading = |c: BCol| {
        HEADINGS
            .iter()
            .find(|(x, _)| *x == c)
            .map_or("", |(_, n)| n[0])
    };
    let at = |r: &RawRow, c: BCol| -> String {
        cols.iter()
            .position(|x| *x == Some(c))
            .and_then(|i| r.cells.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let mut violations: Vec<Violation> = Vec::new();
    let mut rows_read = 0;
    for r in rows
        .iter()
        .filter(|r| r.number > header_row && !r.is_blank())
    {
        rows_read += 1;
        let err = |c: BCol, msg: Text| {
            let mut e = FieldError::new(heading(c), msg);
            e.row = Some(r.number);
            e
        };
        let name = at(r, BCol::Violation);
        let standard = at(r, BCol::Standard);
        if standard.is_empty() {
            // A note row (说明：…) or a violation's own title row.
            if name.starts_with("注") || name.starts_with("说明") {
                continue;
            }
            if name.is_empty() {
                continue;
            }
        }
        // A new violation when the cell has text; otherwise the merged cell above continues.
        if !name.is_empty() && violations.last().is_none_or(|v| v.name != name) {
            let code = match at(r, BCol::Code) {
                c if !c.is_empty() => c,
                _ => format!("v{}", violations.len() + 1),
            };
            violations.push(Violation {
                code,
                name: name.clone(),
                basis: at(r, BCol::Basis),
                tiers: Vec::new(),
            });
        }
        let Some(v) = violations.last_mut() else {
            errors.push(err(
                BCol::Violation,
                zh_en!("第一行未写明违法行为", "the first row names no violation"),
            ));
            continue;
        };
        if v.basis.is_empty() {
            v.basis = at(r, BCol::Basis);
        }
        if standard.is_empty() {
            continue;
        }
        let tier_text = at(r, BCol::Tier);
        let tier = if tier_text.is_empty() && v.tiers.is_empty() {
            Some(Tier::Ordinary)
        } else {
            Tier::parse(&tier_text)
        };
        let Some(tier) = tier else {
            errors.push(err(
                BCol::Tier,
                zh_en!(
                    "“{tier_text}”不是裁量阶次（应为轻微、一般、较重或严重）",
                    "«{tier_text}» is not a tier (轻微, 一般, 较重, 严重)"
                ),
            ));
            continue;
        };
        match parse_band(&standard) {
            Ok(band) => v.tiers.push(TierBand {
                tier,
                circumstances: at(r, BCol::Circumstances),
                band,
            }),
            Err(why) => errors.push(err(
                BCol::Standard,
                why.prefixed(&format!("“{standard}”："), &format!("«{standard}»: ")),
            )),
        }
    }
    let b = Benchmark {
        power,
        source: source.to_string(),
        violations,
    };
    if errors.is_empty() {
        errors = b.validate();
    }
    if errors.is_empty() {
        Ok(b)
    } else {
        Err(ImportError { errors, rows_read })
    }
}

/// What a share is of, by the words the standard uses, and the case figure (in fen) it reads.
const BASES: [(&str, &str); 7] = [
    ("货值金额", "goods_value_fen"),
    ("违法所得", "illegal_gains_fen"),
    ("工程合同价款", "contract_price_fen"),
    ("合同价款", "contract_price_fen"),
    ("工程造价", "contract_price_fen"),
    ("销售额", "sales_fen"),
    ("营业额", "sales_fen"),
];

/// Reads a 处罚标准 into a band.
pub fn parse_band(text: &str) -> Result<Band, Text> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '％' => '%',
            '．' => '.',
            '～' | '~' | '—' | '－' => '-',
            _ => c,
        })
        .collect();
    if t.contains("不予处罚") || t.contains("免予处罚") {
        return Ok(Band::None);
    }
    let base = BASES.iter().find(|(w, _)| t.contains(w)).map(|(_, f)| *f);
    let numbers = numbers_in(&t);
    if t.contains('倍') || t.contains('%') || t.contains("百分之") {
        let field = base.ok_or(zh_en!(
            "按倍数或比例计算的，应写明计算基数（货值金额、违法所得、工程合同价款等）",
            "a multiple or percentage needs its base named (货值金额, 违法所得, 工程合同价款 …)"
        ))?;
        let scale = if t.contains('倍') { 10_000.0 } else { 100.0 };
        let (lo, hi) = range(&numbers)?;
        return Ok(Band::Share {
            field: field.to_string(),
            min_bp: (lo * scale).round() as i64,
            max_bp: (hi * scale).round() as i64,
        });
    }
    if !t.contains('元') {
        return Err(zh_en!(
            "未找到以元或万元计的金额、倍数或百分比",
            "no amount in 元 or 万元, multiple (倍) or percentage (%) found"
        ));
    }
    let (lo, hi) = range(&numbers)?;
    Ok(Band::Amount {
        min_fen: (lo * 100.0).round() as i64,
        max_fen: (hi * 100.0).round() as i64,
    })
}

fn range(n: &[f64]) -> Result<(f64, f64), Text> {
    match n {
        [one] => Ok((*one, *one)),
        [lo, hi, ..] if lo <= hi => Ok((*lo, *hi)),
        [lo, hi, ..] => Err(zh_en!(
            "下限 {lo} 高于上限 {hi}",
            "the lower bound {lo} is above the upper {hi}"
        )),
        [] => Err(zh_en!("未找到数字", "no number found")),
    }
}

/// The numbers of a standard in order, each scaled by the 万 / 千 that follows it: `2000元以上
/// 1万元以下` → [2000, 10000]; `五万元以上十万元以下` → [50000, 100000]; `10%` → [10].
fn numbers_in(t: &str) -> Vec<f64> {
    let chars: Vec<char> = t.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',')
            {
                i += 1;
            }
            let s: String = chars[start..i].iter().filter(|c| **c != ',').collect();
            let mut v: f64 = s.parse().unwrap_or(0.0);
            match chars.get(i) {
                Some('万') => {
                    v *= 10_000.0;
                    i += 1;
                }
                Some('千') => {
                    v *= 1_000.0;
                    i += 1;
                }
                _ => {}
            }
            out.push(v);
        } else if is_cn_digit(c) {
            let start = i;
            while i < chars.len()
                && (is_cn_digit(chars[i]) || matches!(chars[i], '百' | '千' | '万' | '亿'))
            {
                i += 1;
            }
            let s: String = chars[start..i].iter().collect();
            if let Some(v) = cn_number(&s) {
                out.push(v);
            }
        } else if c == '百' && chars.get(i + 1) == Some(&'分') && chars.get(i + 2) == Some(&'之')
        {
            i += 3; // 百分之N: the N follows
        } else {
            i += 1;
        }
    }
    out
}

fn is_cn_digit(c: char) -> bool {
    matches!(
        c,
        '零' | '〇' | '一' | '二' | '两' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// 五 → 5, 十五 → 15, 二十 → 20, 三千 → 3000, 五万 → 50000, 一万五千 → 15000, 两百 → 200.
fn cn_number(s: &str) -> Option<f64> {
    let digit = |c: char| match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    };
    let (mut total, mut section, mut number) = (0i64, 0i64, 0i64);
    let mut any = false;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            number = d;
            any = true;
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1_000,
            '万' => 10_000,
            '亿' => 100_000_000,
            _ => return None,
        };
        any = true;
        if unit >= 10_000 {
            section += number;
            total += section.max(1) * unit;
            section = 0;
        } else {
            section += number.max(if unit == 10 { 1 } else { 0 }) * unit;
        }
        number = 0;
    }
    any.then_some((total + section + number) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(lo: i64, hi: i64) -> Band {
        Band::Amount {
            min_fen: lo * 100,
            max_fen: hi * 100,
        }
    }

    #[test]
    fn standards_read_as_officials_write_them() {
        for (text, band) in [
            ("处五万元以上六万元以下罚款", amount(50_000, 60_000)),
            ("处2000元以上1万元以下罚款", amount(2_000, 10_000)),
            ("处１万元以上３万元以下的罚款", amount(10_000, 30_000)),
            ("处一万五千元以上两万元以下罚款", amount(15_000, 20_000)),
            ("罚款 5,000 元", amount(5_000, 5_000)),
            ("处十万元以上二十万元以下罚款", amount(100_000, 200_000)),
            ("不予处罚", Band::None),
            (
                "处货值金额十倍以上十五倍以下罚款",
                Band::Share {
                    field: "goods_value_fen".into(),
                    min_bp: 100_000,
                    max_bp: 150_000,
                },
            ),
            (
                "处工程合同价款2%以上4%以下的罚款",
                Band::Share {
                    field: "contract_price_fen".into(),
                    min_bp: 200,
                    max_bp: 400,
                },
            ),
            (
                "处违法所得百分之五十以上百分之一百以下罚款",
                Band::Share {
                    field: "illegal_gains_fen".into(),
                    min_bp: 5_000,
                    max_bp: 10_000,
                },
            ),
        ] {
            assert_eq!(parse_band(text), Ok(band), "{text}");
        }
        assert!(parse_band("处罚款").is_err());
        assert!(
            parse_band("处五倍以上十倍以下罚款").is_err(),
            "a multiple of what?"
        );
        assert!(parse_band("处六万元以上五万元以下罚款").is_err());
    }

    #[test]
    fn a_merged_sheet_reads_into_violations_and_tiers_and_bad_rows_are_named() {
        let csv = "\
富阳区市场监督管理局行政处罚裁量基准,,,,,
序号,违法行为,处罚依据,裁量阶次,适用情形,处罚标准
SP-01,未取得食品经营许可从事食品经营活动，货值金额不足一万元,《中华人民共和国食品安全法》第一百二十二条第一款,轻微,首次被查处，主动停止经营,处五万元以上六万元以下罚款
,,,一般,不属于从轻、从重情形,处六万元以上八万元以下罚款
,,,严重,拒不改正或经营对象为学生,处八万元以上十万元以下罚款
SP-02,未取得食品经营许可从事食品经营活动，货值金额一万元以上,《中华人民共和国食品安全法》第一百二十二条第一款,一般,,处货值金额十倍以上十五倍以下罚款
说明：本基准自2024年1月1日起施行,,,,,
";
        let power = PowerCode::parse("330183-CF-00001").unwrap();
        let b = read_benchmark(
            csv.as_bytes(),
            Format::Csv,
            power.clone(),
            "杭市监〔2024〕12号",
        )
        .unwrap();
        assert_eq!(b.violations.len(), 2);
        assert_eq!(b.violations[0].code, "SP-01");
        assert_eq!(b.violations[0].tiers.len(), 3);
        assert_eq!(b.violations[0].tiers[2].tier, Tier::Grave);
        assert_eq!(b.violations[0].tiers[1].band, amount(60_000, 80_000));
        assert!(matches!(b.violations[1].tiers[0].band, Band::Share { .. }));
        // Bad rows: each named by row and column, nothing returned.
        let bad = csv
            .replace(",严重,", ",很严重,")
            .replace("处货值金额十倍以上十五倍以下罚款", "视情节处罚");
        let e = read_benchmark(bad.as_bytes(), Format::Csv, power, "").unwrap_err();
        let found: Vec<(Option<usize>, &str)> =
            e.errors.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(found, [(Some(5), "裁量阶次"), (Some(6), "处罚标准")]);
    }
}
