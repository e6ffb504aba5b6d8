//! Page layout: a document becomes pages of drawing operations ([`Op`]), in points from the
//! page's top left. Decisions and notices follow GB/T 9704-2012 (党政机关公文格式) where it
//! applies: A4, a 156 × 225 mm text area 37 mm from the top and 28 mm from the left, 16 pt
//! body text on a 29 pt pitch (22 lines a page), the title in 22 pt, the 文号 centred under the
//! red 版头, paragraphs indented two characters, the issuer's name and the date at the bottom
//! right (the date four characters from the margin) with the seal pressed over both, page
//! numbers `— 1 —` under the text area. A certificate is one bordered page of its own.

use crate::document::{Block, Document, DocumentKind};
use crate::font::{Glyph, Shaper};
use crate::wrap::{break_lines, stretchable};
use crate::{Error, zh};

pub const MM: f32 = 72.0 / 25.4;
pub const PAGE_W: f32 = 210.0 * MM;
pub const PAGE_H: f32 = 297.0 * MM;
const LEFT: f32 = 28.0 * MM;
const TEXT_W: f32 = 156.0 * MM;
const RIGHT: f32 = LEFT + TEXT_W;
const TOP: f32 = 37.0 * MM;
const BOTTOM: f32 = TOP + 225.0 * MM;
const BODY: f32 = 16.0;
const PITCH: f32 = 29.0;
const TITLE: f32 = 22.0;
/// The seal's radius: a 42 mm 行政审批专用章.
const SEAL_R: f32 = 21.0 * MM;
/// Chinese glyphs sit on the baseline with their visual centre this far (in ems) above it.
const CJK_CENTRE: f32 = 0.38;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Color(pub u8, pub u8, pub u8);

pub const BLACK: Color = Color(0, 0, 0);
/// The 版头's red.
pub const RED: Color = Color(218, 37, 29);
/// Seal ink.
pub const SEAL_RED: Color = Color(222, 28, 40);
/// The certificate's border.
const FRAME: Color = Color(156, 36, 36);

/// A run of glyphs on one baseline; `xs[i]` is glyph `i`'s offset from `x`.
#[derive(Debug, Clone)]
pub struct TextOp {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub color: Color,
    pub bold: bool,
    pub glyphs: Vec<Glyph>,
    pub xs: Vec<f32>,
}

#[derive(Debug, Clone)]
pub struct SealOp {
    pub cx: f32,
    pub cy: f32,
    pub name: Vec<Glyph>,
    pub label: Vec<Glyph>,
}

#[derive(Debug, Clone)]
pub struct QrOp {
    /// Top left of the code including its quiet zone, and that square's side.
    pub x: f32,
    pub y: f32,
    pub side: f32,
    pub width: usize,
    pub dark: Vec<bool>,
}

#[derive(Debug, Clone)]
pub enum Op {
    Text(TextOp),
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Color,
    },
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        width: f32,
        color: Color,
    },
    Seal(SealOp),
    Qr(QrOp),
}

impl Op {
    fn shifted(mut self, dy: f32) -> Op {
        match &mut self {
            Op::Text(t) => t.y += dy,
            Op::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
            Op::Frame { y, .. } => *y += dy,
            Op::Seal(s) => s.cy += dy,
            Op::Qr(q) => q.y += dy,
        }
        self
    }
}

/// Natural offsets of glyphs set at `size` with `tracking` extra after each, and the width.
fn offsets(glyphs: &[Glyph], size: f32, tracking: f32) -> (Vec<f32>, f32) {
    let mut xs = Vec::with_capacity(glyphs.len());
    let mut x = 0.0;
    for (i, g) in glyphs.iter().enumerate() {
        xs.push(x);
        x += g.advance * size;
        if i + 1 < glyphs.len() {
            x += tracking;
        }
    }
    (xs, x)
}

fn width(glyphs: &[Glyph], size: f32) -> f32 {
    glyphs.iter().map(|g| g.advance * size).sum()
}

pub(crate) struct Style {
    size: f32,
    color: Color,
    bold: bool,
}

impl Style {
    const fn plain(size: f32) -> Style {
        Style {
            size,
            color: BLACK,
            bold: false,
        }
    }
}

fn text(glyphs: Vec<Glyph>, x: f32, y: f32, style: &Style, tracking: f32) -> TextOp {
    let (xs, _) = offsets(&glyphs, style.size, tracking);
    TextOp {
        x,
        y,
        size: style.size,
        color: style.color,
        bold: style.bold,
        glyphs,
        xs,
    }
}

fn centred(glyphs: Vec<Glyph>, cx: f32, y: f32, style: &Style, tracking: f32) -> TextOp {
    let (_, w) = offsets(&glyphs, style.size, tracking);
    text(glyphs, cx - w / 2.0, y, style, tracking)
}

fn right_aligned(glyphs: Vec<Glyph>, right: f32, y: f32, style: &Style) -> TextOp {
    let w = width(&glyphs, style.size);
    text(glyphs, right - w, y, style, 0.0)
}

/// A glyph run stretched to `span` by spreading its characters (分散对齐), as certificates
/// set their labels.
fn distributed(glyphs: Vec<Glyph>, x: f32, y: f32, style: &Style, span: f32) -> TextOp {
    let w = width(&glyphs, style.size);
    let gaps = glyphs.len().saturating_sub(1).max(1) as f32;
    let tracking = ((span - w) / gaps).max(0.0);
    text(glyphs, x, y, style, tracking)
}

/// One line of a paragraph; `justify` spreads it to `avail` over the gaps between characters.
fn line_op(glyphs: &[Glyph], x: f32, y: f32, style: &Style, avail: f32, justify: bool) -> TextOp {
    let mut end = glyphs.len();
    while end > 0 && glyphs[end - 1].ch == ' ' {
        end -= 1;
    }
    let glyphs = glyphs[..end].to_vec();
    let natural = width(&glyphs, style.size);
    let stretch: Vec<bool> = glyphs
        .windows(2)
        .map(|w| stretchable(w[0].ch, w[1].ch))
        .collect();
    let gaps = stretch.iter().filter(|s| **s).count();
    let extra = avail - natural;
    // A line pushed short by a long word keeps its natural spacing rather than gape.
    let per_gap = if justify && gaps > 0 && extra > 0.0 && extra / gaps as f32 <= 0.5 * style.size {
        extra / gaps as f32
    } else {
        0.0
    };
    let mut xs = Vec::with_capacity(glyphs.len());
    let mut cx = 0.0;
    for (i, g) in glyphs.iter().enumerate() {
        xs.push(cx);
        cx += g.advance * style.size;
        if stretch.get(i).copied().unwrap_or(false) {
            cx += per_gap;
        }
    }
    TextOp {
        x,
        y,
        size: style.size,
        color: style.color,
        bold: style.bold,
        glyphs,
        xs,
    }
}

/// Something the page flow places: a line, a gap, a block kept whole.
struct Item {
    height: f32,
    /// Relative to the item's top.
    ops: Vec<Op>,
    kind: ItemKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Line,
    Space,
    Block,
    /// The signature block: never alone on a page, at least two lines of text go with it.
    Signature,
}

/// The baseline of text of `size` centred in a line of `pitch`.
fn baseline(pitch: f32, size: f32) -> f32 {
    pitch / 2.0 + CJK_CENTRE * size
}

/// Lays out a paragraph at `first_x` (first line) and `rest_x` (the others) from the left
/// margin, each line `pitch` high and justified but for the last.
fn paragraph(
    glyphs: &[Glyph],
    style: &Style,
    first_x: f32,
    rest_x: f32,
    measure: f32,
    pitch: f32,
) -> Vec<(f32, TextOp)> {
    set(glyphs, style, first_x, rest_x, measure, pitch, true)
}

/// Like [`paragraph`], ragged right when `justify` is false (small print).
fn set(
    glyphs: &[Glyph],
    style: &Style,
    first_x: f32,
    rest_x: f32,
    measure: f32,
    pitch: f32,
    justify: bool,
) -> Vec<(f32, TextOp)> {
    let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
    let widths: Vec<f32> = glyphs.iter().map(|g| g.advance * style.size).collect();
    let lines = break_lines(&chars, &widths, measure - first_x, measure - rest_x);
    let count = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, range)| {
            let x = if i == 0 { first_x } else { rest_x };
            let op = line_op(
                &glyphs[range],
                x,
                baseline(pitch, style.size),
                style,
                measure - x,
                justify && i + 1 < count,
            );
            (pitch, op)
        })
        .collect()
}

fn lines_as_items(lines: Vec<(f32, TextOp)>, dx: f32) -> Vec<Item> {
    lines
        .into_iter()
        .map(|(h, mut op)| {
            op.x += dx;
            Item {
                height: h,
                ops: vec![Op::Text(op)],
                kind: ItemKind::Line,
            }
        })
        .collect()
}

/// A paragraph's text, split at newlines into paragraphs of their own.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(str::trim).filter(|p| !p.is_empty())
}

fn qr(content: &str, x: f32, y: f32, side: f32) -> Result<QrOp, Error> {
    let code = qrcode::QrCode::with_error_correction_level(content, qrcode::EcLevel::M)
        .map_err(|_| Error::QrTooLong)?;
    Ok(QrOp {
        x,
        y,
        side,
        width: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

/// Lays `doc` out into pages of operations.
pub fn layout(doc: &Document, shaper: &mut Shaper<'_>) -> Result<Vec<Vec<Op>>, Error> {
    if doc.number.trim().is_empty() {
        return Err(Error::Empty("number"));
    }
    if doc.issuer.trim().is_empty() {
        return Err(Error::Empty("issuer"));
    }
    if doc.title().trim().is_empty() {
        return Err(Error::Empty("title"));
    }
    let pages = if doc.kind == DocumentKind::Certificate {
        vec![certificate(doc, shaper)?]
    } else {
        decision(doc, shaper)?
    };
    if shaper.missing.is_empty() {
        Ok(pages)
    } else {
        Err(Error::MissingGlyphs(shaper.missing.clone()))
    }
}

/// A decision or notice, its lines on the standard 29 pt pitch. When that leaves the last page
/// with only the lines kept with the seal, the pitch is tightened a point at a time (to 26 pt)
/// as long as that saves the page — GB/T 9704's own remedy (调整行距).
fn decision(doc: &Document, shaper: &mut Shaper<'_>) -> Result<Vec<Vec<Op>>, Error> {
    let (standard, sparse) = decision_at(doc, shaper, PITCH)?;
    if sparse {
        for pitch in [28.0, 27.0, 26.0] {
            let (tighter, _) = decision_at(doc, shaper, pitch)?;
            if tighter.len() < standard.len() {
                return Ok(tighter);
            }
        }
    }
    Ok(standard)
}

/// Lays out a decision at `pitch`; also says whether its last page holds nothing but the
/// signature and the lines kept with it.
fn decision_at(
    doc: &Document,
    shaper: &mut Shaper<'_>,
    pitch: f32,
) -> Result<(Vec<Vec<Op>>, bool), Error> {
    let mut items = Vec::new();
    let body = Style::plain(BODY);
    let indent = 2.0 * BODY;

    // 版头: the issuer's name in red, the 文号 centred under it, a red rule.
    let mut header = Vec::new();
    let mut y = 0.0;
    if doc.letterhead {
        let name = shaper.shape(doc.issuer.trim());
        let natural = width(&name, 1.0);
        let size = (TEXT_W / (natural + 0.2 * (name.len() as f32 - 1.0).max(0.0))).min(30.0);
        let style = Style {
            size,
            color: RED,
            bold: true,
        };
        y += size * 0.88;
        header.push(Op::Text(centred(
            name,
            LEFT + TEXT_W / 2.0,
            y,
            &style,
            0.2 * size,
        )));
        y += 2.0 * PITCH;
        header.push(Op::Text(centred(
            shaper.shape(doc.number.trim()),
            LEFT + TEXT_W / 2.0,
            y,
            &body,
            0.0,
        )));
        y += 4.0 * MM + 0.12 * BODY;
        header.push(Op::Line {
            x1: LEFT,
            y1: y,
            x2: RIGHT,
            y2: y,
            width: 1.5,
            color: RED,
        });
        y += PITCH;
    }
    // The title, centred, in as many lines as it takes.
    let title_style = Style {
        size: TITLE,
        color: BLACK,
        bold: true,
    };
    let title = shaper.shape(doc.title().trim());
    for (_, op) in paragraph(&title, &title_style, 0.0, 0.0, TEXT_W, 36.0) {
        let w = op.xs.last().copied().unwrap_or(0.0)
            + op.glyphs.last().map_or(0.0, |g| g.advance * TITLE);
        header.push(Op::Text(TextOp {
            x: LEFT + (TEXT_W - w) / 2.0,
            y: y + baseline(36.0, TITLE),
            ..op
        }));
        y += 36.0;
    }
    if !doc.letterhead {
        y += 4.0;
        header.push(Op::Text(right_aligned(
            shaper.shape(doc.number.trim()),
            RIGHT,
            y + baseline(PITCH, BODY),
            &body,
        )));
        y += PITCH;
    }
    items.push(Item {
        height: y,
        ops: header,
        kind: ItemKind::Block,
    });
    items.push(Item {
        height: PITCH * 0.6,
        ops: vec![],
        kind: ItemKind::Space,
    });

    // 主送: the addressee, flush left.
    if !doc.addressee.trim().is_empty() {
        let glyphs = shaper.shape(&format!("{}：", doc.addressee.trim()));
        items.extend(lines_as_items(
            paragraph(&glyphs, &body, 0.0, 0.0, TEXT_W, pitch),
            LEFT,
        ));
    }

    for block in &doc.blocks {
        match block {
            Block::Heading(h) => {
                let style = Style {
                    bold: true,
                    ..Style::plain(BODY)
                };
                for p in paragraphs(h) {
                    let glyphs = shaper.shape(p);
                    items.extend(lines_as_items(
                        paragraph(&glyphs, &style, indent, 0.0, TEXT_W, pitch),
                        LEFT,
                    ));
                }
            }
            Block::Paragraph(text) => {
                for p in paragraphs(text) {
                    let glyphs = shaper.shape(p);
                    items.extend(lines_as_items(
                        paragraph(&glyphs, &body, indent, 0.0, TEXT_W, pitch),
                        LEFT,
                    ));
                }
            }
            Block::Fields(fields) => {
                for (label, value) in fields {
                    let label = shaper.shape(&format!("{}：", label.trim()));
                    let hang = indent + width(&label, BODY);
                    // A label too long to hang under wraps like a paragraph.
                    let rest = if hang <= TEXT_W / 2.0 { hang } else { indent };
                    let mut glyphs = label;
                    glyphs.extend(shaper.shape(value.trim()));
                    items.extend(lines_as_items(
                        paragraph(&glyphs, &body, indent, rest, TEXT_W, pitch),
                        LEFT,
                    ));
                }
            }
            Block::List(entries) => {
                for (i, entry) in entries.iter().enumerate() {
                    let glyphs = shaper.shape(&format!("{}{}", zh::item(i + 1), entry.trim()));
                    items.extend(lines_as_items(
                        paragraph(&glyphs, &body, indent, 0.0, TEXT_W, pitch),
                        LEFT,
                    ));
                }
            }
        }
    }
    items.push(signature(doc, shaper, pitch)?);

    let (mut pages, sparse) = paginate(items);
    for (i, page) in pages.iter_mut().enumerate() {
        let number = shaper.shape(&format!("— {} —", i + 1));
        page.push(Op::Text(centred(
            number,
            PAGE_W / 2.0,
            BOTTOM + 7.0 * MM + 0.88 * 14.0,
            &Style::plain(14.0),
            0.0,
        )));
    }
    Ok((pages, sparse))
}

/// The issuer's name and the date at the bottom right with the seal pressed over both, and
/// the verification QR code at the left.
fn signature(doc: &Document, shaper: &mut Shaper<'_>, pitch: f32) -> Result<Item, Error> {
    let body = Style::plain(BODY);
    let date = shaper.shape(&zh::date(doc.date));
    let issuer = shaper.shape(doc.issuer.trim());
    let date_w = width(&date, BODY);
    let issuer_w = width(&issuer, BODY);
    // The date four characters from the right margin, the name centred over it.
    let date_right = RIGHT - 4.0 * BODY;
    let mut cx = date_right - date_w / 2.0;
    if cx + issuer_w / 2.0 > RIGHT {
        cx = RIGHT - issuer_w / 2.0;
    }
    // The seal's top within a line of the text above it; name and date a little below its centre.
    let top = 8.0;
    let cy = top + SEAL_R;
    let issuer_y = cy + 2.0;
    let date_y = issuer_y + pitch;
    let mut ops = vec![
        Op::Text(text(issuer, cx - issuer_w / 2.0, issuer_y, &body, 0.0)),
        Op::Text(text(date, date_right - date_w, date_y, &body, 0.0)),
    ];
    let mut height = 2.0 * SEAL_R + 2.0 * top;
    if let Some(v) = &doc.verification {
        let side = 24.0 * MM;
        ops.push(Op::Qr(qr(v.qr_content(), LEFT - 1.5 * MM, top, side)?));
        let caption = Style::plain(8.0);
        let column = (cx - SEAL_R - LEFT - 6.0 * MM).clamp(40.0 * MM, 70.0 * MM);
        let mut y = top + side + 1.0;
        for line in [
            format!("扫描二维码或登录 {} 输入文书编号和核验码核验", v.url),
            format!("文书编号：{}", v.number),
            format!("核验码：{}", v.check_code),
        ] {
            let glyphs = shaper.shape(&line);
            for (pitch, mut op) in set(&glyphs, &caption, 0.0, 0.0, column, 11.0, false) {
                op.x += LEFT;
                op.y += y;
                ops.push(Op::Text(op));
                y += pitch;
            }
        }
        height = height.max(y + 4.0);
    }
    // The seal last, over the text.
    ops.push(Op::Seal(SealOp {
        cx,
        cy,
        name: shaper.shape(doc.issuer.trim()),
        label: shaper.shape(doc.seal_label.trim()),
    }));
    Ok(Item {
        height,
        ops,
        kind: ItemKind::Signature,
    })
}

/// Places items on pages within the text area. A gap never opens a page; the signature block
/// never stands on a page without at least two lines of text above it (GB/T 9704: the seal
/// must not sit on a page of its own), taking them from the page before if need be. Also says
/// whether the last page holds no more lines than those.
fn paginate(items: Vec<Item>) -> (Vec<Vec<Op>>, bool) {
    const KEEP: usize = 2;
    let height = |page: &[Item]| page.iter().map(|i| i.height).sum::<f32>();
    // The last lines of `page`, up to `n`, always leaving something behind.
    let tail_lines = |page: &mut Vec<Item>, n: usize| {
        let mut taken = Vec::new();
        while taken.len() < n
            && page.len() > 1
            && page.last().is_some_and(|it| it.kind == ItemKind::Line)
        {
            taken.push(page.pop().expect("checked"));
        }
        taken.reverse();
        taken
    };
    let mut pages: Vec<Vec<Item>> = vec![Vec::new()];
    for item in items {
        let page = pages.last_mut().expect("a page");
        if item.kind == ItemKind::Space && page.is_empty() {
            continue;
        }
        if TOP + height(page) + item.height > BOTTOM && !page.is_empty() {
            let carried = if item.kind == ItemKind::Signature {
                tail_lines(page, KEEP)
            } else {
                Vec::new()
            };
            pages.push(carried);
        }
        let n = pages.len();
        if item.kind == ItemKind::Signature
            && n > 1
            && pages[n - 1].len() < KEEP
            && pages[n - 1].iter().all(|it| it.kind == ItemKind::Line)
        {
            let wanted = KEEP - pages[n - 1].len();
            let mut moved = tail_lines(&mut pages[n - 2], wanted);
            moved.append(&mut pages[n - 1]);
            pages[n - 1] = moved;
        }
        pages.last_mut().expect("a page").push(item);
    }
    let sparse = pages.len() > 1
        && pages
            .last()
            .is_some_and(|p| p.iter().filter(|it| it.kind == ItemKind::Line).count() <= KEEP);
    let pages = pages
        .into_iter()
        .map(|page| {
            let mut y = TOP;
            let mut ops = Vec::new();
            for item in page {
                ops.extend(item.ops.into_iter().map(|op| op.shifted(y)));
                y += item.height;
            }
            ops
        })
        .collect();
    (pages, sparse)
}

/// The certificate: one page in a double frame, the licence's name, its number, the fields
/// with their labels spread to one width, the QR code and the way to verify at the bottom
/// left, the issuer and date under the seal at the bottom right.
fn certificate(doc: &Document, shaper: &mut Shaper<'_>) -> Result<Vec<Op>, Error> {
    let mut ops = Vec::new();
    let outer = 10.0 * MM;
    let inner = 12.5 * MM;
    ops.push(Op::Frame {
        x: outer,
        y: outer,
        w: PAGE_W - 2.0 * outer,
        h: PAGE_H - 2.0 * outer,
        width: 2.8,
        color: FRAME,
    });
    ops.push(Op::Frame {
        x: inner,
        y: inner,
        w: PAGE_W - 2.0 * inner,
        h: PAGE_H - 2.0 * inner,
        width: 0.8,
        color: FRAME,
    });
    let centre = PAGE_W / 2.0;
    let title = shaper.shape(doc.title().trim());
    let natural = width(&title, 1.0);
    let spacing = 0.25;
    let size = (150.0 * MM / (natural + spacing * (title.len() as f32 - 1.0).max(0.0))).min(34.0);
    ops.push(Op::Text(centred(
        title,
        centre,
        52.0 * MM,
        &Style {
            size,
            color: BLACK,
            bold: true,
        },
        spacing * size,
    )));
    ops.push(Op::Text(centred(
        shaper.shape(&format!("证照编号：{}", doc.number.trim())),
        centre,
        66.0 * MM,
        &Style::plain(12.0),
        0.0,
    )));

    // The fields, in the largest type that fits above the footer.
    let fields: Vec<(Vec<Glyph>, Vec<Glyph>)> = doc
        .blocks
        .iter()
        .flat_map(|b| match b {
            Block::Fields(f) => f.clone(),
            Block::Paragraph(p) | Block::Heading(p) => vec![(String::new(), p.clone())],
            Block::List(l) => l.iter().map(|e| (String::new(), e.clone())).collect(),
        })
        .map(|(l, v)| (shaper.shape(l.trim()), shaper.shape(v.trim())))
        .collect();
    let left = 30.0 * MM;
    let right = PAGE_W - 30.0 * MM;
    let top = 82.0 * MM;
    let limit = 212.0 * MM;
    let mut placed = None;
    for size in [15.0f32, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0] {
        let style = Style::plain(size);
        let label_w = fields
            .iter()
            .map(|(l, _)| width(l, size))
            .fold(4.0 * size, f32::max)
            .min(10.0 * size);
        let value_x = left + label_w + 1.5 * size;
        let pitch = size * 1.7;
        let mut y = top;
        let mut field_ops = Vec::new();
        for (label, value) in &fields {
            let lines = paragraph(value, &style, 0.0, 0.0, right - value_x, pitch);
            if !label.is_empty() {
                let w = width(label, size);
                let op = if w < label_w && label.len() > 1 {
                    distributed(label.clone(), left, 0.0, &style, label_w)
                } else {
                    text(label.clone(), left, 0.0, &style, 0.0)
                };
                field_ops.push(Op::Text(op).shifted(y + baseline(pitch, size)));
            }
            for (h, mut op) in lines.into_iter() {
                op.x += value_x;
                field_ops.push(Op::Text(op).shifted(y));
                y += h;
            }
            y += size * 0.6;
        }
        if y <= limit {
            placed = Some(field_ops);
            break;
        }
    }
    ops.extend(placed.ok_or(Error::CertificateTooLong)?);

    // The footer: how to verify at the left, who issued it and when at the right, sealed.
    let small = Style::plain(9.5);
    if let Some(v) = &doc.verification {
        let side = 32.0 * MM;
        let qr_top = 218.0 * MM;
        ops.push(Op::Qr(qr(v.qr_content(), left - 2.0 * MM, qr_top, side)?));
        let mut y = qr_top + side + 1.0 * MM;
        for line in [
            format!("扫描二维码或登录 {} 输入证照编号和核验码核验", v.url),
            format!("核验码：{}", v.check_code),
        ] {
            let glyphs = shaper.shape(&line);
            for (pitch, mut op) in set(&glyphs, &small, 0.0, 0.0, 80.0 * MM, 13.0, false) {
                op.x += left;
                op.y += y;
                ops.push(Op::Text(op));
                y += pitch;
            }
        }
    }
    let label = Style::plain(13.0);
    let issuer = shaper.shape(&format!("发证机关：{}", doc.issuer.trim()));
    let date = shaper.shape(&format!("签发日期：{}", zh::date(doc.date)));
    let issuer_w = width(&issuer, 13.0);
    let date_w = width(&date, 13.0);
    let block_w = issuer_w.max(date_w);
    let block_x = (right - block_w).max(centre);
    let issuer_y = 240.0 * MM;
    ops.push(Op::Text(text(issuer, block_x, issuer_y, &label, 0.0)));
    ops.push(Op::Text(text(date, block_x, issuer_y + 24.0, &label, 0.0)));
    // Pressed over the issuer's name, its centre a little above the two lines'.
    let name_w = width(&shaper.shape(doc.issuer.trim()), 13.0);
    let cx = (block_x + 5.0 * 13.0 + name_w / 2.0).min(right - SEAL_R + 8.0 * MM);
    ops.push(Op::Seal(SealOp {
        cx,
        cy: issuer_y + 2.0,
        name: shaper.shape(doc.issuer.trim()),
        label: shaper.shape(doc.seal_label.trim()),
    }));
    Ok(ops)
}

/// How much narrower than square the seal's characters are, as engraved seals set them.
pub const SEAL_NARROW: f32 = 0.8;

/// The seal's geometry: where each of `n` characters of the name goes around the upper arc,
/// and at what size. Returned as (size, [(x, y, rotation in degrees clockwise)]) relative to
/// the seal's centre. The name spans 120° to 250° of the arc as it is short or long; the
/// characters shrink from 6.5 mm when they would otherwise touch.
pub fn seal_arc(n: usize) -> (f32, Vec<(f32, f32, f32)>) {
    let ring = 1.2 * MM;
    let span = if n > 1 {
        (22.0 * n as f32).clamp(120.0, 250.0)
    } else {
        0.0
    };
    let step = if n > 1 { span / (n - 1) as f32 } else { 0.0 };
    let mut size = 6.5 * MM;
    let mut radius = SEAL_R;
    for _ in 0..4 {
        // The characters' centres on a circle inside the ring, a little gap between.
        radius = SEAL_R - ring - 0.9 * MM - size * 0.5;
        if n > 1 {
            let spacing = radius * step.to_radians();
            size = (spacing * 0.9 / SEAL_NARROW).min(6.5 * MM);
        }
    }
    let start = 90.0 + span / 2.0;
    let places = (0..n)
        .map(|i| {
            let theta = (start - step * i as f32).to_radians();
            let (x, y) = (radius * theta.cos(), -radius * theta.sin());
            (x, y, 90.0 - theta.to_degrees())
        })
        .collect();
    (size, places)
}

/// The seal's radius, for drawing.
pub const fn seal_radius() -> f32 {
    SEAL_R
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Application, Issue, Remedies};
    use crate::font::Fonts;

    fn denial(reasons: usize) -> Document {
        let issue = Issue {
            number: "淳市监不许〔2026〕3号".into(),
            issuer: "淳安县市场监督管理局".into(),
            date: jiff::civil::date(2026, 5, 8),
            verification: None,
        };
        let application = Application {
            applicant: "某某餐饮有限公司".into(),
            matter: "食品经营许可".into(),
            applied_on: jiff::civil::date(2026, 4, 27),
            reference: None,
        };
        let reasons: Vec<String> = (0..reasons)
            .map(|i| "布局不合理".repeat(1 + i % 7))
            .collect();
        let remedies = Remedies {
            review_body: "淳安县人民政府".into(),
            court: "淳安县人民法院".into(),
        };
        Document::denial(&issue, &application, &reasons, "", &remedies)
    }

    #[test]
    fn the_signature_never_stands_alone_and_everything_stays_in_the_text_area() {
        let fonts = Fonts::embedded();
        for n in 0..40 {
            let doc = denial(n);
            let pages = layout(&doc, &mut fonts.shaper()).unwrap();
            let last = pages.last().unwrap();
            let seal_top = last
                .iter()
                .find_map(|op| match op {
                    Op::Seal(s) => Some(s.cy - SEAL_R),
                    _ => None,
                })
                .expect("a seal on the last page");
            let lines_above = last
                .iter()
                .filter(|op| matches!(op, Op::Text(t) if t.size == BODY && t.y < seal_top))
                .count();
            assert!(
                lines_above >= 2,
                "{n} reasons: {lines_above} lines with the seal"
            );
            assert!(
                seal_top + 2.0 * SEAL_R <= BOTTOM + 1.0,
                "{n}: the seal overflows"
            );
            for (i, page) in pages.iter().enumerate() {
                for op in page {
                    if let Op::Text(t) = op {
                        assert!(t.y > TOP - 1.0 && t.y < PAGE_H - 10.0 * MM);
                        if t.size == BODY {
                            assert!(t.y <= BOTTOM, "{n}: page {i} text below the area");
                            let end = t.x + t.xs.last().unwrap_or(&0.0);
                            assert!(t.x >= LEFT - 0.01 && end <= RIGHT + 0.01);
                        }
                    }
                }
                // The page number is the page's.
                let number: String = page
                    .iter()
                    .rev()
                    .find_map(|op| match op {
                        Op::Text(t) if t.size == 14.0 => {
                            Some(t.glyphs.iter().map(|g| g.ch).collect())
                        }
                        _ => None,
                    })
                    .unwrap();
                assert_eq!(number, format!("— {} —", i + 1));
            }
        }
    }

    #[test]
    fn the_seal_name_runs_over_the_top_and_shrinks_when_long() {
        let (size, places) = seal_arc(10);
        assert_eq!(places.len(), 10);
        // Symmetric about the vertical axis, first character at the left.
        assert!(places[0].0 < 0.0 && places[9].0 > 0.0);
        assert!((places[0].0 + places[9].0).abs() < 0.01);
        assert!((places[0].2 + places[9].2).abs() < 0.01);
        let (long_size, long) = seal_arc(22);
        assert!(long_size < size);
        // Never further round than 125° each side of the top.
        let first = long[0];
        let angle = first.0.atan2(-first.1).to_degrees().abs();
        assert!(angle <= 125.5, "{angle}");
        // One character sits at the top, upright.
        let (_, one) = seal_arc(1);
        assert!(one[0].0.abs() < 0.01 && one[0].1 < 0.0 && one[0].2.abs() < 0.01);
    }
}
