//! Writes laid-out pages as a PDF with krilla, which embeds the fonts subset to the glyphs
//! used (CID-keyed, with a ToUnicode map so the text can be searched and copied).
//!
//! The output depends only on the document: the metadata's date is the document's own and its
//! ID is derived from the number, so the same input gives the same bytes (and the same seal).

use crate::document::Document;
use crate::font::{Fonts, Glyph};
use crate::layout::{self, BLACK, Color, Op, PAGE_H, PAGE_W, QrOp, SEAL_RED, SealOp, TextOp};
use crate::{Error, zh};
use krilla::blend::BlendMode;
use krilla::color::rgb;
use krilla::geom::{Path, PathBuilder, Point, Rect, Transform};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{GlyphId, KrillaGlyph};

/// Renders a document as a PDF (A4), in the embedded font unless `fonts` says otherwise.
///
/// Fails, drawing nothing, when a character has no glyph in `fonts`
/// ([`Error::MissingGlyphs`] lists them all), or when the number or issuer is empty.
pub fn render(doc: &Document, fonts: &Fonts) -> Result<Vec<u8>, Error> {
    let mut shaper = fonts.shaper();
    let pages = layout::layout(doc, &mut shaper)?;

    let mut pdf = krilla::Document::new();
    let date = DateTime::new(u16::try_from(doc.date.year()).unwrap_or(0))
        .month(u8::try_from(doc.date.month()).unwrap_or(1))
        .day(u8::try_from(doc.date.day()).unwrap_or(1));
    pdf.set_metadata(
        Metadata::new()
            .title(format!("{}（{}）", doc.title(), doc.number))
            .authors(vec![doc.issuer.clone()])
            .creator("Sunlight".to_string())
            .description(format!("{} {}", doc.kind.zh(), zh::date(doc.date)))
            .language("zh-CN".to_string())
            .creation_date(date)
            .document_id(format!("{:?}/{}", doc.kind, doc.number)),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid size");
    for ops in &pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, fonts);
        }
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(|e| Error::Pdf(format!("{e:?}")))
}

fn paint(c: Color) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

fn fill(c: Color) -> Fill {
    Fill {
        paint: paint(c),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke(c: Color, width: f32) -> Stroke {
    Stroke {
        paint: paint(c),
        width,
        ..Default::default()
    }
}

fn draw(s: &mut Surface<'_>, op: &Op, fonts: &Fonts) {
    match op {
        Op::Text(t) => draw_text(s, t, fonts),
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            color,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(Some(stroke(*color, *width)));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        Op::Frame {
            x,
            y,
            w,
            h,
            width,
            color,
        } => {
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                let mut pb = PathBuilder::new();
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    s.set_fill(None);
                    s.set_stroke(Some(stroke(*color, *width)));
                    s.draw_path(&path);
                    s.set_stroke(None);
                }
            }
        }
        Op::Seal(seal) => draw_seal(s, seal, fonts),
        Op::Qr(q) => draw_qr(s, q),
    }
}

/// Draws a run, one `draw_glyphs` call per font face, each glyph at its laid-out offset.
fn draw_text(s: &mut Surface<'_>, t: &TextOp, fonts: &Fonts) {
    s.set_fill(Some(fill(t.color)));
    // Bold is the regular face with a thin outline: one font file stays enough.
    s.set_stroke(t.bold.then(|| stroke(t.color, t.size * 0.03)));
    let n = t.glyphs.len();
    let mut i = 0;
    while i < n {
        let face = t.glyphs[i].face;
        let mut j = i;
        let mut chars = String::new();
        let mut glyphs = Vec::new();
        while j < n && t.glyphs[j].face == face {
            let g = t.glyphs[j];
            let start = chars.len();
            chars.push(g.ch);
            let advance = if j + 1 < n {
                t.xs[j + 1] - t.xs[j]
            } else {
                g.advance * t.size
            };
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(g.id),
                advance / t.size,
                0.0,
                0.0,
                0.0,
                start..chars.len(),
                None,
            ));
            j += 1;
        }
        s.draw_glyphs(
            Point::from_xy(t.x + t.xs[i], t.y),
            &glyphs,
            fonts.pdf_font(face),
            &chars,
            t.size,
            false,
        );
        i = j;
    }
    s.set_stroke(None);
}

/// A circle of radius `r` as four cubic Béziers.
fn circle(cx: f32, cy: f32, r: f32) -> Option<Path> {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

/// A five-pointed star, point up, of circumradius `r`.
fn star(cx: f32, cy: f32, r: f32) -> Option<Path> {
    let inner = r * 0.381_966; // sin 18° / sin 54°: the regular star's inner radius
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let radius = if i % 2 == 0 { r } else { inner };
        let angle = (90.0 - 36.0 * i as f32).to_radians();
        let (x, y) = (cx + radius * angle.cos(), cy - radius * angle.sin());
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
    pb.finish()
}

/// The 行政审批专用章: a red ring, a star, the issuer's name round the upper arc (each
/// character turned to face out), the seal's label straight across below the star. Drawn
/// multiplied, as ink is, so the text under it stays legible.
fn draw_seal(s: &mut Surface<'_>, seal: &SealOp, fonts: &Fonts) {
    let r = layout::seal_radius();
    let ring = 1.2 * layout::MM;
    s.push_blend_mode(BlendMode::Multiply);
    if let Some(path) = circle(seal.cx, seal.cy, r - ring / 2.0) {
        s.set_fill(None);
        s.set_stroke(Some(stroke(SEAL_RED, ring)));
        s.draw_path(&path);
        s.set_stroke(None);
    }
    if let Some(path) = star(seal.cx, seal.cy, 7.0 * layout::MM) {
        s.set_fill(Some(fill(SEAL_RED)));
        s.draw_path(&path);
    }
    let (size, places) = layout::seal_arc(seal.name.len());
    for (g, (x, y, rotation)) in seal.name.iter().zip(places) {
        let (sin, cos) = rotation.to_radians().sin_cos();
        // Rotated to face out, and narrowed.
        let narrow = layout::SEAL_NARROW;
        s.push_transform(&Transform::from_row(
            cos * narrow,
            sin * narrow,
            -sin,
            cos,
            seal.cx + x,
            seal.cy + y,
        ));
        let t = TextOp {
            x: -g.advance * size / 2.0,
            y: 0.38 * size,
            size,
            color: SEAL_RED,
            bold: true,
            glyphs: vec![*g],
            xs: vec![0.0],
        };
        draw_text(s, &t, fonts);
        s.pop();
    }
    if !seal.label.is_empty() {
        let n = seal.label.len() as f32;
        let size = (1.3 * r / n).min(4.6 * layout::MM);
        let width: f32 = seal.label.iter().map(|g: &Glyph| g.advance * size).sum();
        let (xs, _) = seal.label.iter().fold((Vec::new(), 0.0), |(mut xs, x), g| {
            xs.push(x);
            (xs, x + g.advance * size)
        });
        draw_text(
            s,
            &TextOp {
                x: seal.cx - width / 2.0,
                y: seal.cy + 0.62 * r,
                size,
                color: SEAL_RED,
                bold: true,
                glyphs: seal.label.clone(),
                xs,
            },
            fonts,
        );
    }
    s.pop();
}

/// The QR code's dark modules as filled rectangles, one per horizontal run, inside a quiet
/// zone of two modules.
fn draw_qr(s: &mut Surface<'_>, q: &QrOp) {
    const QUIET: usize = 2;
    let module = q.side / (q.width + 2 * QUIET) as f32;
    let mut pb = PathBuilder::new();
    for row in 0..q.width {
        let mut col = 0;
        while col < q.width {
            if !q.dark[row * q.width + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < q.width && q.dark[row * q.width + col] {
                col += 1;
            }
            if let Some(rect) = Rect::from_xywh(
                q.x + (QUIET + start) as f32 * module,
                q.y + (QUIET + row) as f32 * module,
                // A hair wider and taller, so no seam shows between neighbours.
                (col - start) as f32 * module + 0.05,
                module + 0.05,
            ) {
                pb.push_rect(rect);
            }
        }
    }
    if let Some(path) = pb.finish() {
        s.set_stroke(None);
        s.set_fill(Some(fill(BLACK)));
        s.draw_path(&path);
    }
}
