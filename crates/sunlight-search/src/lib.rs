//! Chinese full-text search over the power list (权力清单检索).
//!
//! A [`PowerIndex`] holds one document per power in force, kept in memory: names and guide text
//! are cut into words by jieba (search mode, with the administrative vocabulary of
//! [`DOMAIN_WORDS`] added so 行政许可 or 最低生活保障 stay whole), and the filters (region,
//! department, category, usage, status) are exact terms. It answers a page of [`Hit`]s, best
//! first, with the total count, from its own stored fields — a search never touches the database.
//!
//! Names are also found by what is typed on a Latin keyboard. Each name is indexed under pinyin
//! keys (`pinyin_keys`, from the `pinyin` crate's compiled-in readings, without tones): its full
//! pinyin concatenated from each syllable to the end (`jianzhugongchengshigongxukezhenghefa`, …,
//! `shigongxukezhenghefa`, …) and the same as initials (`jzgcsgxkzhf`, …, `sgxkzhf`, …), the key
//! from the first syllable also marked as the name's start; a character with several readings
//! (行, 重, 给) adds a variant of the name with its next reading, at most 8 of each kind. A query of
//! Latin letters (with spaces or apostrophes between, cut to 64 characters) matches a name when
//! its letters together begin one of those keys (`shigongxuke`, `shi gong xu ke`, `shigong`,
//! `sgxk`, `SGXK`), or, typed as several words, when each word begins one; matching from the
//! name's start or the whole name counts more. Letters spelling a phrase of [`SYNONYMS`]
//! (`dibao`, `db` → 低保) search as that phrase does. Chinese text never uses these keys. A text
//! that begins a power's code (`330183-XK-000`, in any case) finds the powers whose code begins
//! so. Every kind of match ranks powers in force first.
//!
//! The index is derived data: the store is the truth, and the index is rebuilt from it at start-up
//! ([`PowerIndex::replace_all`]) and brought up to date after each publication
//! ([`PowerIndex::upsert`]). User input never reaches a query parser: the text is cut into words
//! by the same segmenter and each word becomes a term, so no input can be a syntax error.

mod pinyin_keys;
mod synonyms;
mod tokenizer;

use std::ops::Bound;
use std::sync::{Mutex, OnceLock};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use synonyms::{SYNONYMS, expand};
pub use tokenizer::{DOMAIN_WORDS, segment};

/// What can go wrong: only the index itself failing (memory, a bug), never user input.
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(#[from] tantivy::TantivyError);

pub type Result<T> = std::result::Result<T, SearchError>;

/// One power as the index sees it. Filters are the store's own codes; the rest is for display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PowerDoc {
    pub code: String,
    pub name: String,
    /// `licensing`, `penalty` … (the category's code).
    pub category: String,
    /// The department's unified social credit code.
    pub department: String,
    pub department_name: String,
    /// The region code (12 digits).
    pub region: String,
    /// `common` or `uncommon`.
    pub usage: String,
    /// `active`, `cancelled`, `delegated`, `merged` …
    pub status: String,
    /// Where a cancelled, delegated or merged power went, in words.
    pub moved_to: String,
    /// Further searchable text: legal basis, conditions, materials, basic code.
    pub text: String,
}

/// A search request. Empty filters do not filter.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub region: Option<String>,
    pub department: Option<String>,
    pub category: Option<String>,
    pub usage: Option<String>,
    pub status: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

/// A found power, with its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub score: f32,
    pub doc: PowerDoc,
}

/// One page of results and how many matched in all.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub total: usize,
    pub items: Vec<Hit>,
    /// The words the text was cut into (shown to the user, useful in tests).
    pub words: Vec<String>,
}

#[derive(Clone, Copy)]
struct Fields {
    code: Field,
    name: Field,
    category: Field,
    department: Field,
    department_name: Field,
    region: Field,
    usage: Field,
    status: Field,
    moved_to: Field,
    text: Field,
    /// The code lower-cased, for prefixes of it.
    code_lower: Field,
    /// Full-pinyin keys of the name ([`pinyin_keys`]).
    pinyin: Field,
    /// Initials keys of the name.
    initials: Field,
}

/// The in-memory index of the powers in force.
pub struct PowerIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
}

impl std::fmt::Debug for PowerIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PowerIndex")
            .field("docs", &self.len())
            .finish()
    }
}

const TOKENIZER: &str = "zh";
/// Writer heap: enough for 100,000 powers in one commit without spilling many segments.
const WRITER_HEAP: usize = 64 * 1024 * 1024;

impl PowerIndex {
    /// An empty index (the segmenter's dictionary is loaded here, once per process).
    pub fn new() -> Result<Self> {
        let mut b = Schema::builder();
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        // Pinyin keys come separated by spaces, each one term.
        let keys = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("whitespace")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let f = Fields {
            code: b.add_text_field("code", STRING | STORED),
            name: b.add_text_field("name", words.clone() | STORED),
            category: b.add_text_field("category", STRING | STORED),
            department: b.add_text_field("department", STRING | STORED),
            department_name: b.add_text_field("department_name", words.clone() | STORED),
            region: b.add_text_field("region", STRING | STORED),
            usage: b.add_text_field("usage", STRING | STORED),
            status: b.add_text_field("status", STRING | STORED),
            moved_to: b.add_text_field("moved_to", STORED),
            text: b.add_text_field("text", words),
            code_lower: b.add_text_field("code_lower", STRING),
            pinyin: b.add_text_field("pinyin", keys.clone()),
            initials: b.add_text_field("initials", keys),
        };
        let index = Index::create_in_ram(b.build());
        index
            .tokenizers()
            .register(TOKENIZER, tokenizer::analyzer());
        let writer = index.writer_with_num_threads(1, WRITER_HEAP)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            f,
        })
    }

    /// How many powers are indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replaces everything with `docs` in one commit (start-up, a bulk import).
    pub fn replace_all(&self, docs: impl IntoIterator<Item = PowerDoc>) -> Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.delete_all_documents()?;
        for d in docs {
            w.add_document(self.document(&d))?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    /// Adds or replaces the powers of `docs` (by code) and removes those of `gone`.
    pub fn upsert(&self, docs: &[PowerDoc], gone: &[&str]) -> Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        for code in docs
            .iter()
            .map(|d| d.code.as_str())
            .chain(gone.iter().copied())
        {
            w.delete_term(Term::from_field_text(self.f.code, code));
        }
        for d in docs {
            w.add_document(self.document(d))?;
        }
        w.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, d: &PowerDoc) -> TantivyDocument {
        let f = &self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.code, &d.code);
        doc.add_text(f.name, &d.name);
        doc.add_text(f.category, &d.category);
        doc.add_text(f.department, &d.department);
        doc.add_text(f.department_name, &d.department_name);
        doc.add_text(f.region, &d.region);
        doc.add_text(f.usage, &d.usage);
        doc.add_text(f.status, &d.status);
        doc.add_text(f.moved_to, &d.moved_to);
        // The code's parts (330183, xk, 00001) are searchable words too.
        doc.add_text(f.text, format!("{} {}", d.code, d.text));
        doc.add_text(f.code_lower, d.code.to_lowercase());
        let keys = pinyin_keys::name_keys(&d.name);
        doc.add_text(f.pinyin, keys.full);
        doc.add_text(f.initials, keys.initials);
        doc
    }

    /// One page of powers matching `q`, best first. Every word of the text must occur in the
    /// name, the department's name or the guide text (a name match counts most); a text that
    /// is exactly a code finds that power, one that begins a code (`330183-XK-000`) the powers
    /// whose code begins so; a text of Latin letters also finds the names it spells in pinyin
    /// or pinyin initials (`shigongxuke`, `sgxk`).
    pub fn search(&self, q: &SearchQuery) -> Result<Hits> {
        let f = self.f;
        let words = segment(&q.text);
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let code = q.text.trim();
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !code.is_empty() {
            any.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(term(f.code, code, false)), 10.0)),
            ));
        }
        if is_code_prefix(code) {
            any.push((
                Occur::Should,
                boost(prefix(f.code_lower, &code.to_ascii_lowercase()), 4.0),
            ));
        }
        let typed = pinyin_keys::typed(&q.text);
        // Pinyin of a phrase people say (dibao, db → 低保) searches as the phrase would.
        let spoken: Vec<String> = typed
            .as_ref()
            .map(|t| pinyin_keys::spoken(&t.joined))
            .unwrap_or_default()
            .into_iter()
            .flat_map(|p| std::iter::once(p.to_string()).chain(expand(p)))
            .collect();
        // Every word of the text must match; so must every word of a variant where a phrase
        // people say (低保) is replaced by what the list calls it (最低生活保障).
        let variants = std::iter::once(words.clone())
            .chain(expand(&q.text).into_iter().map(|v| segment(&v)))
            .chain(spoken.iter().map(|v| segment(v)))
            .filter(|ws| !ws.is_empty());
        for ws in variants {
            let all: Vec<(Occur, Box<dyn Query>)> = ws
                .iter()
                .map(|w| {
                    let one: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(term(f.name, w, true)), 3.0)),
                        ),
                        (Occur::Should, Box::new(term(f.department_name, w, true))),
                        (Occur::Should, Box::new(term(f.text, w, true))),
                    ]));
                    (Occur::Must, one)
                })
                .collect();
            any.push((Occur::Should, Box::new(BooleanQuery::new(all))));
        }
        if let Some(t) = &typed {
            any.push((Occur::Should, self.pinyin_query(t)));
        }
        if !any.is_empty() {
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            // Powers in force first: a cancelled, delegated or merged one still answers (with
            // where it went), after them.
            must.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(term(f.status, "active", false)),
                    100.0,
                )),
            ));
            must.push((
                Occur::Should,
                Box::new(BoostQuery::new(
                    Box::new(term(f.status, "strictly_controlled", false)),
                    100.0,
                )),
            ));
        }
        for (field, value) in [
            (f.region, &q.region),
            (f.department, &q.department),
            (f.category, &q.category),
            (f.usage, &q.usage),
            (f.status, &q.status),
        ] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                must.push((Occur::Must, Box::new(term(field, v, false))));
            }
        }
        if must.is_empty() {
            return Ok(Hits {
                words,
                ..Hits::default()
            });
        }
        let query = BooleanQuery::new(must);
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 500);
        let (total, top) = searcher.search(
            &query,
            &(
                Count,
                TopDocs::with_limit(limit)
                    .and_offset(q.offset)
                    .order_by_score(),
            ),
        )?;
        let mut items = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let stored: TantivyDocument = searcher.doc(addr)?;
            items.push(Hit {
                score,
                doc: self.read(&stored),
            });
        }
        Ok(Hits {
            total,
            items,
            words,
        })
    }

    /// Names that `t` spells: the letters together begin a full-pinyin key (from any syllable
    /// of the name on) or an initials key; or, typed as several words, each word begins one.
    /// Matching from the name's start, or the whole name, counts more; every match has a fixed
    /// score, so a power in force still comes before one that is not.
    fn pinyin_query(&self, t: &pinyin_keys::Typed) -> Box<dyn Query> {
        let f = self.f;
        let joined = t.joined.as_str();
        let initials = &joined[..joined.len().min(pinyin_keys::MAX_INITIALS)];
        let head = format!("{}{joined}", pinyin_keys::HEAD);
        let head_initials = format!("{}{initials}", pinyin_keys::HEAD);
        let mut any: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Should, boost(prefix(f.pinyin, joined), 6.0)),
            (Occur::Should, boost(prefix(f.initials, initials), 4.0)),
            (Occur::Should, boost(prefix(f.pinyin, &head), 2.0)),
            (
                Occur::Should,
                boost(prefix(f.initials, &head_initials), 2.0),
            ),
            (Occur::Should, boost(exact(f.pinyin, &head), 2.0)),
            (Occur::Should, boost(exact(f.initials, &head_initials), 2.0)),
        ];
        // Several words, each beginning a key: 食品 … 许可 as `shipin xuke`. One letter alone
        // would match nearly every name, so it is left out here; so are words after the eighth
        // (each is a walk over the keys it begins).
        let words: Vec<&str> = t
            .words
            .iter()
            .map(String::as_str)
            .filter(|w| w.len() >= 2)
            .take(8)
            .collect();
        if words.len() >= 2 {
            let all: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .map(|w| {
                    let wi = &w[..w.len().min(pinyin_keys::MAX_INITIALS)];
                    let one: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                        (Occur::Should, prefix(f.pinyin, w)),
                        (Occur::Should, prefix(f.initials, wi)),
                    ]));
                    (Occur::Must, one)
                })
                .collect();
            any.push((Occur::Should, boost(Box::new(BooleanQuery::new(all)), 2.0)));
        }
        Box::new(BooleanQuery::new(any))
    }

    fn read(&self, d: &TantivyDocument) -> PowerDoc {
        let f = &self.f;
        let get = |field: Field| {
            d.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        PowerDoc {
            code: get(f.code),
            name: get(f.name),
            category: get(f.category),
            department: get(f.department),
            department_name: get(f.department_name),
            region: get(f.region),
            usage: get(f.usage),
            status: get(f.status),
            moved_to: get(f.moved_to),
            text: String::new(),
        }
    }
}

fn term(field: Field, text: &str, positions: bool) -> TermQuery {
    TermQuery::new(
        Term::from_field_text(field, text),
        if positions {
            IndexRecordOption::WithFreqs
        } else {
            IndexRecordOption::Basic
        },
    )
}

fn boost(q: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, by))
}

/// Documents with `text` itself as a term of `field`, scoring one.
fn exact(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(term(field, text, false)),
        1.0,
    ))
}

/// Documents with a term of `field` beginning with `start` (ASCII), scoring one: a walk over
/// that range of the field's terms.
fn prefix(field: Field, start: &str) -> Box<dyn Query> {
    debug_assert!(start.is_ascii() && !start.is_empty());
    // The first string after all those beginning with `start`: its last character plus one
    // (ASCII below DEL stays ASCII; keys hold no DEL).
    let upper = match start.as_bytes().split_last() {
        Some((&last, rest)) if last < 0x7f => {
            let mut end = String::from_utf8_lossy(rest).into_owned();
            end.push(char::from(last + 1));
            Bound::Excluded(Term::from_field_text(field, &end))
        }
        _ => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_text(field, start)),
        upper,
    ))
}

/// Whether the text may be the start of a power code: no spaces, ASCII, a digit, at least 4
/// characters (`330183-XK-000`).
fn is_code_prefix(text: &str) -> bool {
    text.len() >= 4
        && text.is_ascii()
        && !text.contains(|c: char| c.is_ascii_whitespace())
        && text.contains(|c: char| c.is_ascii_digit())
}

/// Loads the segmenter's dictionary now rather than on the first search.
pub fn warm_up() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        segment("行政许可");
    });
}

#[cfg(test)]
mod tests;
