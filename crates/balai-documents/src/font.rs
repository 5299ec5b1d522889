//! One embedded TrueType font: metrics for layout, the glyphs a document uses, and its PDF objects
//! (a subset written as a CID font, so any character of the font can be shown and copied out).

use crate::DocumentError;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref, Str};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

/// Identity-H: each glyph is shown as a 2-byte CID, which the subset makes equal to its glyph id.
const IDENTITY_H: Name<'static> = Name(b"Identity-H");

pub(crate) struct Font {
    /// The font's PostScript name, without spaces (it goes into the PDF as a name).
    name: &'static str,
    data: &'static [u8],
    face: Face<'static>,
    units_per_em: f32,
    remapper: GlyphRemapper,
    /// New glyph id → the character it shows, for the ToUnicode map (copy, search, screen readers).
    chars: BTreeMap<u16, char>,
}

impl Font {
    pub(crate) fn new(name: &'static str, data: &'static [u8]) -> Result<Self, DocumentError> {
        let face = Face::parse(data, 0).map_err(|e| DocumentError::Font(e.to_string()))?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Self { name, data, face, units_per_em, remapper: GlyphRemapper::new(), chars: BTreeMap::new() })
    }

    /// The glyph for a character; one the font lacks is shown as "?" rather than an empty box.
    fn glyph(&self, c: char) -> (GlyphId, char) {
        match self.face.glyph_index(c) {
            Some(g) => (g, c),
            None => (self.face.glyph_index('?').unwrap_or(GlyphId(0)), '?'),
        }
    }

    fn advance(&self, glyph: GlyphId) -> f32 {
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0))
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text.chars().map(|c| self.advance(self.glyph(c).0)).sum();
        units * size / self.units_per_em
    }

    pub(crate) fn ascender(&self, size: f32) -> f32 {
        f32::from(self.face.ascender()) * size / self.units_per_em
    }

    /// The bytes that show `text` in a content stream; records the glyphs for the subset.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (glyph, shown) = self.glyph(c);
            let cid = self.remapper.remap(glyph.0);
            self.chars.entry(cid).or_insert(shown);
            out.extend_from_slice(&cid.to_be_bytes());
        }
        out
    }

    /// Writes the Type 0 font, its CID font, descriptor, subset font program and ToUnicode map.
    /// `type0` is the reference a page's resources point to; the other objects follow it.
    pub(crate) fn write(&self, pdf: &mut Pdf, type0: Ref) -> Result<(), DocumentError> {
        let cid_ref = Ref::new(type0.get() + 1);
        let descriptor_ref = Ref::new(type0.get() + 2);
        let program_ref = Ref::new(type0.get() + 3);
        let cmap_ref = Ref::new(type0.get() + 4);

        let subset = subsetter::subset(self.data, 0, &self.remapper).map_err(|e| DocumentError::Font(e.to_string()))?;
        // A subset's name starts with a tag of six capitals; derived from the glyphs, not random.
        let tag: String = Sha256::digest(&subset).iter().take(6).map(|b| char::from(b'A' + b % 26)).collect();
        let base_font = format!("{tag}+{}", self.name);
        let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        let scale = |v: f32| v * 1000.0 / self.units_per_em;

        pdf.type0_font(type0)
            .base_font(Name(base_font.as_bytes()))
            .encoding_predefined(IDENTITY_H)
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let widths: Vec<f32> =
            self.remapper.remapped_gids().map(|old| scale(self.advance(GlyphId(old))).round()).collect();
        let mut cid = pdf.cid_font(cid_ref);
        cid.subtype(CidFontType::Type2)
            .base_font(Name(base_font.as_bytes()))
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid.widths().consecutive(0, widths);
        cid.finish();

        let bbox = self.face.global_bounding_box();
        let ascent = scale(f32::from(self.face.ascender()));
        let cap_height = self.face.capital_height().map(|h| scale(f32::from(h))).unwrap_or(ascent);
        pdf.font_descriptor(descriptor_ref)
            .name(Name(base_font.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(
                scale(f32::from(bbox.x_min)),
                scale(f32::from(bbox.y_min)),
                scale(f32::from(bbox.x_max)),
                scale(f32::from(bbox.y_max)),
            ))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(scale(f32::from(self.face.descender())))
            .cap_height(cap_height)
            .stem_v(10.0 + 0.244 * (f32::from(self.face.weight().to_number()) - 50.0))
            .font_file2(program_ref);

        let compressed = crate::deflate(&subset);
        pdf.stream(program_ref, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), i32::try_from(subset.len()).unwrap_or(i32::MAX));

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (&glyph, &c) in &self.chars {
            cmap.pair(glyph, c);
        }
        let cmap = cmap.finish();
        pdf.cmap(cmap_ref, &cmap).system_info(system_info);
        Ok(())
    }

    /// Object numbers [`Font::write`] uses, starting at the Type 0 font.
    pub(crate) const OBJECTS: i32 = 5;
}
