//! Word segmentation: jieba with the administrative vocabulary added.
//!
//! Documents are cut in jieba's search mode and its full mode together (a long word, its shorter
//! words and every dictionary word across their boundaries all become terms: 建筑工程施工许可证
//! → 建筑, 工程, 建筑工程, 施工, 施工许可, 许可, 许可证 …), queries in its precise mode (the
//! longest words), so a query word found in a document's text is among its terms. Punctuation and
//! spaces are dropped; Latin letters are lower-cased.

use jieba_rs::Jieba;
use std::sync::OnceLock;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Words the general dictionary would split but that people search for whole.
pub const DOMAIN_WORDS: &[&str] = &[
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政征收",
    "行政给付",
    "行政检查",
    "行政确认",
    "行政奖励",
    "行政裁决",
    "行政复议",
    "行政诉讼",
    "权力清单",
    "责任清单",
    "负面清单",
    "最低生活保障",
    "特困人员",
    "临时救助",
    "食品经营",
    "食品生产",
    "食品安全",
    "药品零售",
    "营业执照",
    "施工许可",
    "建筑工程",
    "道路运输",
    "货物运输",
    "劳务派遣",
    "社会团体",
    "民办非企业单位",
    "户外广告",
    "建筑垃圾",
    "投资项目",
    "生态环境",
    "自然资源",
    "市场监督管理",
    "卫生健康",
    "人力资源和社会保障",
    "一次性告知",
    "一事一审",
    "集体讨论",
];

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        for w in DOMAIN_WORDS {
            j.add_word(w, None, None);
        }
        j
    })
}

fn is_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// The distinct words of a query, in order (precise mode).
pub fn segment(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in jieba().cut(text, true) {
        if !is_word(t.word) {
            continue;
        }
        let w = t.word.to_lowercase();
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The analyzer registered for the indexed text fields.
pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(ZhTokenizer)
}

#[derive(Clone, Copy)]
struct ZhTokenizer;

struct ZhStream {
    tokens: Vec<Token>,
    at: usize,
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = ZhStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ZhStream {
        let j = jieba();
        let mut cuts: Vec<jieba_rs::Token<'_>> = j.cut_for_search(text, true);
        cuts.extend(j.cut_all(text));
        cuts.retain(|t| is_word(t.word));
        cuts.sort_by_key(|t| (t.byte_start, t.byte_end));
        cuts.dedup_by_key(|t| (t.byte_start, t.byte_end));
        let tokens = cuts
            .into_iter()
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: t.byte_start,
                offset_to: t.byte_end,
                position,
                text: t.word.to_lowercase(),
                position_length: 1,
            })
            .collect();
        ZhStream { tokens, at: 0 }
    }
}

impl TokenStream for ZhStream {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}
