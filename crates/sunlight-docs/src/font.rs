//! The fonts documents are set in: a subset of Noto Serif CJK SC compiled into the crate
//! (every GB 2312 character, see `fonts/README.md`), optionally followed by fonts the caller
//! supplies for rarer characters (names with characters beyond GB 2312 are common enough).
//!
//! krilla embeds only the glyphs a document uses, so a document carries a few dozen KB of font
//! whatever the size of the font given here.

use crate::Error;
use krilla::Data;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::fmt;

const EMBEDDED: &[u8] = include_bytes!("../fonts/NotoSerifSC-GB2312.otf");

/// The fonts to set documents in, tried in order for each character.
#[derive(Clone)]
pub struct Fonts {
    faces: Vec<Face>,
}

#[derive(Clone)]
struct Face {
    data: Data,
    index: u32,
    pdf: krilla::text::Font,
}

impl Face {
    fn new(data: Data, index: u32) -> Result<Face, Error> {
        FontRef::from_index(data.as_ref(), index).map_err(|_| Error::Font(index))?;
        let pdf = krilla::text::Font::new(data.clone(), index).ok_or(Error::Font(index))?;
        Ok(Face { data, index, pdf })
    }
}

impl Fonts {
    /// The embedded Noto Serif SC subset (GB 2312, Latin-1, CJK punctuation).
    pub fn embedded() -> Fonts {
        let face = Face::new(Data::from(EMBEDDED), 0).expect("the embedded font parses");
        Fonts { faces: vec![face] }
    }

    /// Only the caller's font: OpenType or TrueType bytes, or a collection (`.ttc`) with the
    /// index of the face to use (0 for a single font).
    pub fn from_bytes(bytes: Vec<u8>, index: u32) -> Result<Fonts, Error> {
        Ok(Fonts {
            faces: vec![Face::new(Data::from(bytes), index)?],
        })
    }

    /// These fonts, then the caller's for characters none of them has.
    pub fn with_fallback(mut self, bytes: Vec<u8>, index: u32) -> Result<Fonts, Error> {
        self.faces.push(Face::new(Data::from(bytes), index)?);
        Ok(self)
    }

    /// The characters of `text` that none of the fonts has, each once, in order of appearance.
    pub fn missing(&self, text: &str) -> Vec<char> {
        let mut shaper = self.shaper();
        shaper.shape(text);
        shaper.missing
    }

    pub(crate) fn pdf_font(&self, face: u8) -> krilla::text::Font {
        self.faces[usize::from(face)].pdf.clone()
    }

    pub(crate) fn shaper(&self) -> Shaper<'_> {
        let faces = self
            .faces
            .iter()
            .map(|f| {
                // Checked in Face::new.
                let font = FontRef::from_index(f.data.as_ref(), f.index).expect("checked font");
                let upem = font
                    .metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em;
                FaceMetrics {
                    charmap: font.charmap(),
                    metrics: font.glyph_metrics(Size::unscaled(), LocationRef::default()),
                    upem: f32::from(upem.max(1)),
                }
            })
            .collect();
        Shaper {
            faces,
            missing: Vec::new(),
        }
    }
}

impl Default for Fonts {
    fn default() -> Fonts {
        Fonts::embedded()
    }
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.faces.len())
            .finish()
    }
}

struct FaceMetrics<'a> {
    charmap: skrifa::charmap::Charmap<'a>,
    metrics: skrifa::metrics::GlyphMetrics<'a>,
    upem: f32,
}

/// One character's glyph: which face, which glyph, how far it advances (in ems).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    pub ch: char,
    pub face: u8,
    pub id: u32,
    pub advance: f32,
}

/// Maps text to glyphs, one per character (Chinese needs no shaping; Latin loses only its
/// kerning), and remembers every character no face has.
pub(crate) struct Shaper<'a> {
    faces: Vec<FaceMetrics<'a>>,
    pub missing: Vec<char>,
}

impl Shaper<'_> {
    pub fn shape(&mut self, text: &str) -> Vec<Glyph> {
        text.chars().map(|c| self.glyph(c)).collect()
    }

    fn glyph(&mut self, c: char) -> Glyph {
        // Layout never draws control characters; a tab or stray newline reads as a space.
        let c = if c.is_control() { ' ' } else { c };
        for (i, face) in self.faces.iter().enumerate() {
            if let Some(id) = face.charmap.map(c)
                && id.to_u32() != 0
            {
                let advance = face.metrics.advance_width(id).unwrap_or(face.upem) / face.upem;
                return Glyph {
                    ch: c,
                    face: u8::try_from(i).unwrap_or(u8::MAX),
                    id: id.to_u32(),
                    advance,
                };
            }
        }
        if !self.missing.contains(&c) {
            self.missing.push(c);
        }
        Glyph {
            ch: c,
            face: 0,
            id: 0,
            advance: 1.0,
        }
    }
}
