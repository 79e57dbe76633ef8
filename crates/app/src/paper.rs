//! Documents in the party's format (Hướng dẫn 36-HD/VPTW), as PDF: the issuing organ and
//! its number at the top left, "ĐẢNG CỘNG SẢN VIỆT NAM" underlined and the place and date
//! at the top right, the kind and title centred, the body with its tables, the recipients
//! at the bottom left and the signature at the bottom right. The fonts are embedded,
//! with a map back to Unicode, so the Vietnamese text can be searched and copied.
//!
//! The font is Liberation Serif (metric-compatible with Times New Roman), or DejaVu Serif,
//! read from the system (`fonts-liberation` on Debian) or from `DANGBO_FONT_DIR`.

use crate::{AppError, Result};
use dangbo_domain::name::nfc;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A piece of a document's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Para(String),
    /// A heading inside the body, in bold.
    Heading(String),
    /// A table: its header and rows.
    Table {
        /// Column headers.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
}

/// A document in the party's format.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyDoc {
    /// The superior organ, above the issuer: "ĐẢNG BỘ TỈNH LẠNG SƠN".
    pub superior: Option<String>,
    /// The issuing organ: "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH".
    pub issuer: String,
    /// Its number: "Số 12-BC/ĐU".
    pub number: String,
    /// Place and date: "Lạng Sơn, ngày 15 tháng 11 năm 2023".
    pub place_date: String,
    /// The kind: "BÁO CÁO", "BIÊN BẢN", "TỜ TRÌNH".
    pub kind: String,
    /// The title under the kind.
    pub title: String,
    /// The body.
    pub blocks: Vec<Block>,
    /// The recipients (Nơi nhận).
    pub recipients: Vec<String>,
    /// "T/M BAN THƯỜNG VỤ", above the signer's title.
    pub sign_for: String,
    /// The signer's title: "BÍ THƯ".
    pub sign_title: String,
    /// The signer's name.
    pub signer: String,
}

impl PartyDoc {
    /// Every piece of text of the document, in reading order (for DOCX and for tests).
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.superior.iter().cloned().collect();
        out.extend([
            self.issuer.clone(),
            self.number.clone(),
            "ĐẢNG CỘNG SẢN VIỆT NAM".into(),
        ]);
        out.extend([self.place_date.clone(), self.kind.clone(), self.title.clone()]);
        for b in &self.blocks {
            match b {
                Block::Para(p) | Block::Heading(p) => out.push(p.clone()),
                Block::Table { header, rows } => {
                    out.push(header.join(" | "));
                    out.extend(rows.iter().map(|r| r.join(" | ")));
                }
            }
        }
        out
    }
}

const STYLES: [(&str, &[&str]); 3] = [
    ("regular", &["LiberationSerif-Regular.ttf", "DejaVuSerif.ttf"]),
    ("bold", &["LiberationSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"]),
    ("italic", &["LiberationSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"]),
];

fn font_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("DANGBO_FONT_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.extend(
        [
            "/usr/share/fonts/truetype/liberation",
            "/usr/share/fonts/truetype/liberation2",
            "/usr/share/fonts/liberation-serif",
            "/usr/share/fonts/liberation",
            "/usr/share/fonts/truetype/dejavu",
            "/usr/share/fonts/dejavu",
        ]
        .map(PathBuf::from),
    );
    dirs
}

/// One embedded font: its file, metrics, and the glyphs used.
struct Face {
    data: Vec<u8>,
    name: String,
    ascent: f32,
    descent: f32,
    cap: f32,
    bbox: Rect,
    glyphs: u16,
    /// Each character drawn, by glyph.
    used: BTreeMap<u16, char>,
    /// Advance widths, per 1,000 units of the em.
    widths: Vec<f32>,
}

impl Face {
    fn load(files: &[&str]) -> Result<Face> {
        for dir in font_dirs() {
            for f in files {
                let path = dir.join(f);
                let Ok(data) = std::fs::read(&path) else { continue };
                let Ok(face) = ttf_parser::Face::parse(&data, 0) else {
                    continue;
                };
                // Older Liberation fonts lack Vietnamese letters: take a font only if it
                // draws them.
                if "ĐđƠơƯưộữẫỹẬ".chars().any(|c| face.glyph_index(c).is_none()) {
                    continue;
                }
                let units = f32::from(face.units_per_em());
                let scale = 1000.0 / units;
                let glyphs = face.number_of_glyphs();
                let widths = (0..glyphs)
                    .map(|g| f32::from(face.glyph_hor_advance(ttf_parser::GlyphId(g)).unwrap_or(0)) * scale)
                    .collect();
                let b = face.global_bounding_box();
                let out = Face {
                    name: f.trim_end_matches(".ttf").replace(' ', ""),
                    ascent: f32::from(face.ascender()) * scale,
                    descent: f32::from(face.descender()) * scale,
                    cap: f32::from(face.capital_height().unwrap_or(face.ascender())) * scale,
                    bbox: Rect::new(
                        f32::from(b.x_min) * scale,
                        f32::from(b.y_min) * scale,
                        f32::from(b.x_max) * scale,
                        f32::from(b.y_max) * scale,
                    ),
                    glyphs,
                    used: BTreeMap::new(),
                    widths,
                    data: Vec::new(),
                };
                return Ok(Face { data, ..out });
            }
        }
        Err(AppError::rejected(
            "Không tìm thấy phông chữ tiếng Việt (Liberation Serif hoặc DejaVu Serif): cài gói fonts-liberation, hoặc đặt DANGBO_FONT_DIR là thư mục chứa các tệp .ttf",
            "No Vietnamese font found (Liberation Serif or DejaVu Serif): install fonts-liberation, or set DANGBO_FONT_DIR to a folder of .ttf files",
        ))
    }

    /// The glyph of a character (the notdef glyph if the font has none). The face is
    /// parsed again for each look-up: it only reads the table directory.
    fn glyph(&self, c: char) -> u16 {
        ttf_parser::Face::parse(&self.data, 0)
            .ok()
            .and_then(|f| f.glyph_index(c))
            .map_or(0, |g| g.0)
    }

    /// The width of a text at a size, in points.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.widths.get(usize::from(self.glyph(c))).copied().unwrap_or(500.0))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// The text as two-byte glyph ids, noting the glyphs used.
    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let g = self.glyph(c);
            self.used.entry(g).or_insert(c);
            out.extend(g.to_be_bytes());
        }
        out
    }
}

/// How a block of text sits in its column.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    /// Centred.
    Centre,
    /// Aligned left, the first line indented by so many points.
    Left(f32),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Regular = 0,
    Bold = 1,
    Italic = 2,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 85.0;
const RIGHT: f32 = 57.0;
const TOP: f32 = 50.0;
const BOTTOM: f32 = 57.0;
const BODY: f32 = 12.0;

/// Lays out pages of text and lines.
struct Writer {
    faces: Vec<Face>,
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
            self.y = PAGE_H - TOP;
        }
        let n = self.pages.len() - 1;
        &mut self.pages[n]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_H - TOP;
    }

    /// Makes room for `h` points, on a new page if needed.
    fn room(&mut self, h: f32) {
        self.page();
        if self.y - h < BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, style: Style, size: f32, text: &str) {
        let bytes = self.faces[style as usize].encode(text);
        let name = [Name(b"F0"), Name(b"F1"), Name(b"F2")][style as usize];
        let page = self.page();
        page.begin_text()
            .set_font(name, size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let page = self.page();
        page.set_line_width(0.6).move_to(x1, y1).line_to(x2, y2).stroke();
    }

    /// Breaks a text into lines of at most `width` points.
    fn wrap(&self, text: &str, style: Style, size: f32, width: f32) -> Vec<String> {
        let face = &self.faces[style as usize];
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if face.width(&candidate, size) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_string();
                }
            }
            lines.push(line);
        }
        lines
    }

    /// Writes wrapped text in a column (left edge and width), centred or aligned left with
    /// a first-line indent.
    fn block(&mut self, text: &str, style: Style, size: f32, (x, width): (f32, f32), align: Align) {
        let (centre, indent) = match align {
            Align::Centre => (true, 0.0),
            Align::Left(indent) => (false, indent),
        };
        let lead = size * 1.35;
        let mut first = true;
        for line in self.wrap(text, style, size, width - indent) {
            self.room(lead);
            self.y -= lead;
            let w = self.faces[style as usize].width(&line, size);
            let dx = if centre {
                (width - w) / 2.0
            } else if first {
                indent
            } else {
                0.0
            };
            let y = self.y;
            self.text_at(x + dx, y, style, size, &line);
            first = false;
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let size = 11.0;
        let lead = size * 1.3;
        let width = PAGE_W - LEFT - RIGHT;
        let n = header.len().max(1);
        // Each column at least as wide as its widest word; the room left goes to the
        // columns in proportion to how much longer their longest text is.
        let cells = |i: usize| {
            std::iter::once(header.get(i))
                .chain(rows.iter().map(move |r| r.get(i)))
                .flatten()
        };
        let face = &self.faces[1];
        let min: Vec<f32> = (0..n)
            .map(|i| {
                cells(i)
                    .flat_map(|t| t.split_whitespace())
                    .map(|word| face.width(word, size) + 8.0)
                    .fold(24.0, f32::max)
            })
            .collect();
        let want: Vec<f32> = (0..n)
            .map(|i| {
                cells(i)
                    .map(|t| face.width(t, size) + 8.0)
                    .fold(min[i], f32::max)
                    .min(width)
            })
            .collect();
        let floor: f32 = min.iter().sum();
        let cols: Vec<f32> = if floor >= width {
            min.iter().map(|m| m * width / floor).collect()
        } else {
            let spare = width - floor;
            let extra: Vec<f32> = (0..n).map(|i| want[i] - min[i]).collect();
            let total: f32 = extra.iter().sum();
            (0..n)
                .map(|i| {
                    min[i]
                        + if total > 0.0 {
                            spare * extra[i] / total
                        } else {
                            spare / n as f32
                        }
                })
                .collect()
        };
        let draw_row = |w: &mut Writer, cells: &[String], style: Style| {
            let wrapped: Vec<Vec<String>> = (0..n)
                .map(|i| w.wrap(cells.get(i).map_or("", String::as_str), style, size, cols[i] - 6.0))
                .collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * lead + 6.0;
            w.room(height);
            let top = w.y;
            let mut x = LEFT;
            for (i, lines) in wrapped.iter().enumerate() {
                for (k, l) in lines.iter().enumerate() {
                    w.text_at(x + 3.0, top - 3.0 - lead * (k as f32 + 1.0) + 3.0, style, size, l);
                }
                x += cols[i];
            }
            // The row's borders.
            let bottom = top - height;
            w.line(LEFT, top, LEFT + width, top);
            w.line(LEFT, bottom, LEFT + width, bottom);
            let mut x = LEFT;
            for c in &cols {
                w.line(x, top, x, bottom);
                x += c;
            }
            w.line(LEFT + width, top, LEFT + width, bottom);
            w.y = bottom;
        };
        draw_row(self, header, Style::Bold);
        for r in rows {
            draw_row(self, r, Style::Regular);
        }
        self.y -= 6.0;
    }
}

/// Renders a document as PDF.
pub fn render_pdf(doc: &PartyDoc) -> Result<Vec<u8>> {
    let mut faces = Vec::new();
    for (_, files) in STYLES {
        faces.push(Face::load(files)?);
    }
    let mut w = Writer {
        faces,
        pages: Vec::new(),
        y: PAGE_H - TOP,
    };
    let n = |s: &str| nfc(s);
    // The header: two columns.
    let col = (PAGE_W - LEFT - RIGHT) / 2.0;
    let top = PAGE_H - TOP;
    w.page();
    w.y = top;
    if let Some(s) = &doc.superior {
        w.block(
            &n(&s.to_uppercase()),
            Style::Regular,
            BODY,
            (LEFT - 20.0, col + 20.0),
            Align::Centre,
        );
    }
    w.block(
        &n(&doc.issuer.to_uppercase()),
        Style::Bold,
        BODY,
        (LEFT - 20.0, col + 20.0),
        Align::Centre,
    );
    w.block("*", Style::Regular, BODY, (LEFT - 20.0, col + 20.0), Align::Centre);
    w.block(
        &n(&doc.number),
        Style::Regular,
        BODY,
        (LEFT - 20.0, col + 20.0),
        Align::Centre,
    );
    let left_bottom = w.y;
    w.y = top;
    let party = "ĐẢNG CỘNG SẢN VIỆT NAM";
    w.block(party, Style::Bold, BODY, (LEFT + col, col), Align::Centre);
    let pw = w.faces[1].width(party, BODY);
    let (x0, y0) = (LEFT + col + (col - pw) / 2.0, w.y - 3.0);
    w.line(x0, y0, x0 + pw, y0);
    w.y -= 6.0;
    w.block(
        &n(&doc.place_date),
        Style::Italic,
        BODY,
        (LEFT + col, col),
        Align::Centre,
    );
    w.y = w.y.min(left_bottom) - 24.0;
    // Kind and title.
    w.block(
        &n(&doc.kind.to_uppercase()),
        Style::Bold,
        14.0,
        (LEFT, PAGE_W - LEFT - RIGHT),
        Align::Centre,
    );
    w.block(
        &n(&doc.title),
        Style::Bold,
        BODY,
        (LEFT + 20.0, PAGE_W - LEFT - RIGHT - 40.0),
        Align::Centre,
    );
    w.y -= 14.0;
    // The body.
    for b in &doc.blocks {
        match b {
            Block::Para(p) => {
                w.block(
                    &n(p),
                    Style::Regular,
                    BODY,
                    (LEFT, PAGE_W - LEFT - RIGHT),
                    Align::Left(28.0),
                );
                w.y -= 4.0;
            }
            Block::Heading(h) => {
                w.y -= 4.0;
                w.block(
                    &n(h),
                    Style::Bold,
                    BODY,
                    (LEFT, PAGE_W - LEFT - RIGHT),
                    Align::Left(0.0),
                );
            }
            Block::Table { header, rows } => {
                let header: Vec<String> = header.iter().map(|h| n(h)).collect();
                let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| n(c)).collect()).collect();
                w.y -= 4.0;
                w.table(&header, &rows);
            }
        }
    }
    // Recipients and signature, side by side.
    w.room(120.0);
    w.y -= 16.0;
    let top = w.y;
    w.block("Nơi nhận:", Style::Bold, 12.0, (LEFT, col), Align::Left(0.0));
    for r in &doc.recipients {
        w.block(
            &n(&format!("- {r},")),
            Style::Regular,
            11.0,
            (LEFT, col),
            Align::Left(0.0),
        );
    }
    w.block("- Lưu.", Style::Regular, 11.0, (LEFT, col), Align::Left(0.0));
    w.y = top;
    w.block(
        &n(&doc.sign_for.to_uppercase()),
        Style::Bold,
        BODY,
        (LEFT + col, col),
        Align::Centre,
    );
    w.block(
        &n(&doc.sign_title.to_uppercase()),
        Style::Bold,
        BODY,
        (LEFT + col, col),
        Align::Centre,
    );
    w.y -= 50.0;
    w.block(&n(&doc.signer), Style::Bold, BODY, (LEFT + col, col), Align::Centre);
    Ok(assemble(w))
}

/// Writes the pages and the three fonts into a PDF file.
fn assemble(w: Writer) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut id = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = id();
    let tree = id();
    let font_ids: Vec<[Ref; 5]> = (0..w.faces.len()).map(|_| [id(), id(), id(), id(), id()]).collect();
    let page_ids: Vec<(Ref, Ref)> = (0..w.pages.len()).map(|_| (id(), id())).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|p| p.0))
        .count(page_ids.len() as i32);
    for ((page, content_id), content) in page_ids.iter().zip(w.pages) {
        let mut p = pdf.page(*page);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        p.parent(tree);
        p.contents(*content_id);
        let mut res = p.resources();
        let mut fonts = res.fonts();
        for (i, ids) in font_ids.iter().enumerate() {
            fonts.pair([Name(b"F0"), Name(b"F1"), Name(b"F2")][i], ids[0]);
        }
        fonts.finish();
        res.finish();
        p.finish();
        pdf.stream(*content_id, &content.finish());
    }
    let info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    for (face, [type0, cid, descriptor, file, cmap]) in w.faces.iter().zip(font_ids) {
        let name = Name(face.name.as_bytes());
        pdf.type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut c = pdf.cid_font(cid);
        c.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(info)
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        c.widths()
            .consecutive(0, face.widths.iter().copied().take(usize::from(face.glyphs)));
        c.finish();
        let mut flags = FontFlags::NON_SYMBOLIC | FontFlags::SERIF;
        if face.name.contains("Italic") {
            flags |= FontFlags::ITALIC;
        }
        pdf.font_descriptor(descriptor)
            .name(name)
            .flags(flags)
            .bbox(face.bbox)
            .italic_angle(if face.name.contains("Italic") { -12.0 } else { 0.0 })
            .ascent(face.ascent)
            .descent(face.descent)
            .cap_height(face.cap)
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, &face.data)
            .pair(Name(b"Length1"), face.data.len() as i32);
        let mut map = UnicodeCmap::new(Name(b"Custom"), info);
        for (g, c) in &face.used {
            map.pair(*g, *c);
        }
        pdf.cmap(cmap, &map.finish());
    }
    pdf.finish()
}

/// XML text with its special characters escaped.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn run(text: &str, bold: bool, italic: bool) -> String {
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:cs=\"Times New Roman\"/>{}{}<w:sz w:val=\"26\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        if bold { "<w:b/>" } else { "" },
        if italic { "<w:i/>" } else { "" },
        xml(&nfc(text))
    )
}

fn para(text: &str, bold: bool, italic: bool, centre: bool) -> String {
    format!(
        "<w:p><w:pPr>{}</w:pPr>{}</w:p>",
        if centre {
            "<w:jc w:val=\"center\"/>"
        } else {
            "<w:ind w:firstLine=\"567\"/><w:jc w:val=\"both\"/>"
        },
        run(text, bold, italic)
    )
}

fn table_xml(rows: &[(Vec<String>, bool)]) -> String {
    let mut t = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders><w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/></w:tblBorders></w:tblPr>",
    );
    for (cells, bold) in rows {
        t.push_str("<w:tr>");
        for c in cells {
            t.push_str(&format!("<w:tc><w:p>{}</w:p></w:tc>", run(c, *bold, false)));
        }
        t.push_str("</w:tr>");
    }
    t.push_str("</w:tbl>");
    t
}

/// Renders a document as DOCX (Office Open XML), with the same layout in a table-less
/// header of two columns.
pub fn render_docx(doc: &PartyDoc) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut body = String::new();
    let left: Vec<(String, bool)> = doc
        .superior
        .iter()
        .map(|s| (s.to_uppercase(), false))
        .chain([
            (doc.issuer.to_uppercase(), true),
            ("*".into(), false),
            (doc.number.clone(), false),
        ])
        .collect();
    let right = [
        ("ĐẢNG CỘNG SẢN VIỆT NAM".to_string(), true),
        (doc.place_date.clone(), false),
    ];
    // The header as a borderless two-column table.
    body.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tr><w:tc>");
    for (l, b) in &left {
        body.push_str(&format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p>",
            run(l, *b, false)
        ));
    }
    body.push_str("</w:tc><w:tc>");
    for (i, (l, b)) in right.iter().enumerate() {
        body.push_str(&format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p>",
            run(l, *b, i == 1).replace(
                "<w:b/>",
                if i == 0 {
                    "<w:b/><w:u w:val=\"single\"/>"
                } else {
                    "<w:b/>"
                }
            )
        ));
    }
    body.push_str("</w:tc></w:tr></w:tbl>");
    body.push_str(&para(&doc.kind.to_uppercase(), true, false, true));
    body.push_str(&para(&doc.title, true, false, true));
    for b in &doc.blocks {
        match b {
            Block::Para(p) => body.push_str(&para(p, false, false, false)),
            Block::Heading(h) => body.push_str(&para(h, true, false, false)),
            Block::Table { header, rows } => {
                let mut all = vec![(header.clone(), true)];
                all.extend(rows.iter().map(|r| (r.clone(), false)));
                body.push_str(&table_xml(&all));
            }
        }
    }
    body.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tr><w:tc>");
    body.push_str(&format!("<w:p>{}</w:p>", run("Nơi nhận:", true, true)));
    for r in &doc.recipients {
        body.push_str(&format!("<w:p>{}</w:p>", run(&format!("- {r},"), false, false)));
    }
    body.push_str(&format!("<w:p>{}</w:p>", run("- Lưu.", false, false)));
    body.push_str("</w:tc><w:tc>");
    for (t, b) in [
        (doc.sign_for.to_uppercase(), true),
        (doc.sign_title.to_uppercase(), true),
        (String::new(), false),
        (String::new(), false),
        (doc.signer.clone(), true),
    ] {
        body.push_str(&format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p>",
            run(&t, b, false)
        ));
    }
    body.push_str("</w:tc></w:tr></w:tbl>");
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1701\" w:header=\"0\" w:footer=\"0\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    );
    let files = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>".to_string(),
        ),
        ("word/document.xml", document),
    ];
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        zip.start_file(name, opts).map_err(|e| {
            AppError::rejected(
                format!("Không tạo được DOCX: {e}"),
                format!("Cannot write the DOCX: {e}"),
            )
        })?;
        zip.write_all(text.as_bytes()).map_err(|e| {
            AppError::rejected(
                format!("Không tạo được DOCX: {e}"),
                format!("Cannot write the DOCX: {e}"),
            )
        })?;
    }
    zip.finish().map_err(|e| {
        AppError::rejected(
            format!("Không tạo được DOCX: {e}"),
            format!("Cannot write the DOCX: {e}"),
        )
    })?;
    Ok(out.into_inner())
}

/// The tables of a document as a spreadsheet (XLSX or CSV, by the path's extension).
pub fn write_tables(doc: &PartyDoc, path: &std::path::Path) -> Result<usize> {
    use crate::table::Out;
    let mut rows: Vec<Vec<Out>> = Vec::new();
    let mut header: Vec<String> = Vec::new();
    for b in &doc.blocks {
        if let Block::Table { header: h, rows: r } = b {
            if header.is_empty() {
                header.clone_from(h);
            } else {
                rows.push(Vec::new());
                rows.push(h.iter().map(|c| Out::Text(c.clone())).collect());
            }
            rows.extend(r.iter().map(|row| row.iter().map(|c| Out::Text(c.clone())).collect()));
        }
    }
    if header.is_empty() {
        return Err(AppError::rejected(
            "Văn bản này không có bảng để xuất ra bảng tính",
            "This document has no table to write as a spreadsheet",
        ));
    }
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    crate::table::write(path, None, &h, &rows)?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_renders_when_a_font_is_found() {
        let doc = PartyDoc {
            superior: Some("Đảng bộ tỉnh Lạng Sơn".into()),
            issuer: "Đảng ủy Khối các cơ quan tỉnh".into(),
            number: "Số 12-BC/ĐU".into(),
            place_date: "Lạng Sơn, ngày 15 tháng 11 năm 2023".into(),
            kind: "Báo cáo".into(),
            title: "Kết quả học tập, quán triệt Nghị quyết".into(),
            blocks: vec![
                Block::Para("Toàn Đảng bộ có 3.252 đảng viên (tỷ lệ 75%) được nghiên cứu, học tập.".into()),
                Block::Table {
                    header: vec!["Tổ chức".into(), "Số đảng viên".into()],
                    rows: vec![vec!["Chi bộ Văn phòng".into(), "12".into()]],
                },
            ],
            recipients: vec!["Ban Tuyên giáo Tỉnh ủy".into()],
            sign_for: "T/M Ban Thường vụ".into(),
            sign_title: "Bí thư".into(),
            signer: "Nguyễn Văn An".into(),
        };
        match render_pdf(&doc) {
            Ok(pdf) => {
                assert!(pdf.starts_with(b"%PDF-"));
                assert!(pdf.len() > 10_000, "the fonts are embedded");
                if let Some(out) = std::env::var_os("DANGBO_PDF_OUT") {
                    std::fs::write(out, &pdf).unwrap();
                }
            }
            Err(e) => eprintln!("skipped: {e}"),
        }
    }
}
