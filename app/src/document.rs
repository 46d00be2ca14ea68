//! Documents to take into a meeting (the governors' summary, the self-evaluation
//! pack): blocks laid out on A4 pages as SVG, then written as PDF (krilla) or drawn as
//! PNG (resvg). One layout serves both, so the PNG a test looks at is the page the PDF
//! prints. Text is Liberation Sans, shipped with Rollcall (`app/fonts`, SIL OFL), and
//! lines wrap by the font's own advance widths.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use krilla::geom::Size;
use krilla::page::PageSettings;
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::usvg;

const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");
const FAMILY: &str = "Liberation Sans";

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 40.0;
const CONTENT: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const FOOTER: f32 = 24.0;

/// What a document is made of, top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// A line under the title: place, window, when made.
    Subtitle(String),
    Heading(String),
    Text(String),
    /// Sources and notes, small and grey.
    Note(String),
    Bullets(Vec<String>),
    /// The first column is text; the rest are right-aligned figures.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A chart's SVG (as the page shows it), scaled to the content width at most.
    Chart(String),
    /// Start the next block on a new page (one academy per page).
    PageBreak,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The PDF's title and every page's footer.
    pub title: String,
    pub blocks: Vec<Block>,
}

struct Font {
    face: ttf_parser::Face<'static>,
}

impl Font {
    fn width(&self, text: &str, size: f32) -> f32 {
        let units = f32::from(self.face.units_per_em());
        text.chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .unwrap_or(self.face.units_per_em() / 2)
            })
            .map(f32::from)
            .sum::<f32>()
            * size
            / units
    }
}

fn fonts() -> &'static (Font, Font) {
    static FONTS: OnceLock<(Font, Font)> = OnceLock::new();
    FONTS.get_or_init(|| {
        let face = |b: &'static [u8]| Font {
            face: ttf_parser::Face::parse(b, 0).expect("the shipped font parses"),
        };
        (face(REGULAR), face(BOLD))
    })
}

fn svg_options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        // Charts ask for sans-serif (plotters) or a list of families.
        db.set_sans_serif_family(FAMILY);
        db.set_serif_family(FAMILY);
        usvg::Options {
            font_family: FAMILY.to_string(),
            fontdb: Arc::new(db),
            ..usvg::Options::default()
        }
    })
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Greedy word wrap to `width` points.
fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let (regular, heavy) = fonts();
    let font = if bold { heavy } else { regular };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if font.width(&candidate, size) > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// How a chart sits on the page: its scale (to the content width at most) and height;
/// none for an SVG that does not parse.
fn chart_fit(svg: &str) -> Option<(f32, f32)> {
    let size = usvg::Tree::from_str(svg, svg_options()).ok()?.size();
    let scale = (CONTENT / size.width()).min(1.0);
    Some((scale, size.height() * scale))
}

/// Lays blocks out on pages.
struct Layout {
    title: String,
    pages: Vec<String>,
    body: String,
    y: f32,
}

impl Layout {
    fn bottom() -> f32 {
        PAGE_HEIGHT - MARGIN - FOOTER
    }

    fn room(&self) -> f32 {
        Self::bottom() - self.y
    }

    fn new_page(&mut self) {
        if !self.body.is_empty() {
            self.pages.push(std::mem::take(&mut self.body));
        }
        self.y = MARGIN;
    }

    fn ensure(&mut self, height: f32) {
        if height > self.room() && self.y > MARGIN {
            self.new_page();
        }
    }

    fn text_line(&mut self, x: f32, text: &str, size: f32, bold: bool, fill: &str, anchor: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{x:.1}" y="{:.1}" font-size="{size}" font-weight="{}" fill="{fill}" text-anchor="{anchor}">{}</text>"#,
            self.y + size,
            if bold { "bold" } else { "normal" },
            esc(text)
        );
    }

    fn paragraph(&mut self, text: &str, size: f32, bold: bool, fill: &str, after: f32) {
        let leading = size * 1.3;
        for line in wrap(text, size, bold, CONTENT) {
            self.ensure(leading);
            self.text_line(MARGIN, &line, size, bold, fill, "start");
            self.y += leading;
        }
        self.y += after;
    }

    fn table(&mut self, head: &[String], rows: &[Vec<String>]) {
        const SIZE: f32 = 8.5;
        const ROW: f32 = 14.0;
        let (regular, bold) = fonts();
        let columns = head.len().max(1);
        // Figure columns as wide as their widest cell; the first column takes the rest.
        let mut widths: Vec<f32> = (0..columns)
            .map(|c| {
                let cells = rows.iter().filter_map(|r| r.get(c));
                let w = cells
                    .map(|s| regular.width(s, SIZE))
                    .fold(bold.width(head.get(c).map_or("", |s| s), SIZE), f32::max);
                w + 10.0
            })
            .collect();
        let figures: f32 = widths.iter().skip(1).sum();
        widths[0] = (CONTENT - figures).max(CONTENT * 0.3);
        let scale = (CONTENT / widths.iter().sum::<f32>()).min(1.0);
        for w in &mut widths {
            *w *= scale;
        }
        let header = |l: &mut Layout| {
            l.ensure(2.0 * ROW);
            let _ = write!(
                l.body,
                r##"<rect x="{MARGIN}" y="{:.1}" width="{CONTENT}" height="{ROW}" fill="#e8eef4"/>"##,
                l.y
            );
            let mut x = MARGIN;
            for (c, h) in head.iter().enumerate() {
                let (tx, anchor) = if c == 0 {
                    (x + 3.0, "start")
                } else {
                    (x + widths[c] - 3.0, "end")
                };
                l.y += 2.5;
                l.text_line(tx, h, SIZE, true, "#1a1a1a", anchor);
                l.y -= 2.5;
                x += widths[c];
            }
            l.y += ROW;
        };
        header(self);
        for (i, row) in rows.iter().enumerate() {
            if self.room() < ROW {
                self.new_page();
                header(self);
            }
            if i % 2 == 1 {
                let _ = write!(
                    self.body,
                    r##"<rect x="{MARGIN}" y="{:.1}" width="{CONTENT}" height="{ROW}" fill="#f6f8fa"/>"##,
                    self.y
                );
            }
            let mut x = MARGIN;
            for (c, cell) in row.iter().enumerate().take(columns) {
                // The first column may be long: cut it to its width.
                let mut text = cell.clone();
                if c == 0 && regular.width(&text, SIZE) > widths[0] - 6.0 {
                    while text.chars().count() > 1
                        && regular.width(&format!("{text}…"), SIZE) > widths[0] - 6.0
                    {
                        text.pop();
                    }
                    text.push('…');
                }
                let (tx, anchor) = if c == 0 {
                    (x + 3.0, "start")
                } else {
                    (x + widths[c] - 3.0, "end")
                };
                self.y += 2.5;
                self.text_line(tx, &text, SIZE, false, "#1a1a1a", anchor);
                self.y -= 2.5;
                x += widths[c];
            }
            self.y += ROW;
        }
        self.y += 10.0;
    }

    fn chart(&mut self, svg: &str) {
        let Some((scale, height)) = chart_fit(svg) else {
            return;
        };
        self.ensure(height + 8.0);
        // The chart's own SVG, nested and scaled (its XML declaration, if any, dropped).
        let inner = svg.find("<svg").map_or(svg, |i| &svg[i..]);
        let _ = write!(
            self.body,
            r#"<g transform="translate({MARGIN} {:.1}) scale({scale:.4})">{inner}</g>"#,
            self.y
        );
        self.y += height + 8.0;
    }

    fn finish(mut self) -> Vec<String> {
        self.new_page();
        let n = self.pages.len();
        self.pages
            .iter()
            .enumerate()
            .map(|(i, body)| {
                format!(
                    r##"<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_WIDTH}" height="{PAGE_HEIGHT}" viewBox="0 0 {PAGE_WIDTH} {PAGE_HEIGHT}" font-family="{FAMILY}"><rect width="100%" height="100%" fill="#ffffff"/>{body}<text x="{MARGIN}" y="{:.1}" font-size="7.5" fill="#555555">{}</text><text x="{:.1}" y="{:.1}" font-size="7.5" fill="#555555" text-anchor="end">Page {} of {n}</text></svg>"##,
                    PAGE_HEIGHT - MARGIN + 4.0,
                    esc(&self.title),
                    PAGE_WIDTH - MARGIN,
                    PAGE_HEIGHT - MARGIN + 4.0,
                    i + 1,
                )
            })
            .collect()
    }
}

impl Document {
    /// Each A4 page as an SVG document.
    pub fn pages(&self) -> Vec<String> {
        let mut l = Layout {
            title: self.title.clone(),
            pages: Vec::new(),
            body: String::new(),
            y: MARGIN,
        };
        for (i, block) in self.blocks.iter().enumerate() {
            match block {
                Block::Title(t) => {
                    l.ensure(60.0);
                    l.paragraph(t, 17.0, true, "#0b3954", 2.0)
                }
                Block::Subtitle(t) => l.paragraph(t, 9.5, false, "#444444", 8.0),
                Block::Heading(t) => {
                    // Keep a heading with what follows it (all of a chart).
                    let next = match self.blocks.get(i + 1) {
                        Some(Block::Chart(svg)) => chart_fit(svg).map_or(0.0, |(_, h)| h) + 40.0,
                        _ => 60.0,
                    };
                    l.ensure(next);
                    l.y += 4.0;
                    l.paragraph(t, 12.0, true, "#0b3954", 3.0)
                }
                Block::Text(t) => l.paragraph(t, 10.0, false, "#1a1a1a", 5.0),
                Block::Note(t) => l.paragraph(t, 7.5, false, "#555555", 4.0),
                Block::Bullets(items) => {
                    for item in items {
                        l.paragraph(&format!("• {item}"), 10.0, false, "#1a1a1a", 2.0);
                    }
                    l.y += 4.0;
                }
                Block::Table { head, rows } => l.table(head, rows),
                Block::Chart(svg) => l.chart(svg),
                Block::PageBreak => l.new_page(),
            }
        }
        l.finish()
    }

    /// The document as a PDF: every page, text selectable, fonts embedded (subset).
    pub fn pdf(&self) -> Result<Vec<u8>, String> {
        let mut doc = krilla::Document::new();
        for svg in self.pages() {
            let tree = usvg::Tree::from_str(&svg, svg_options()).map_err(|e| e.to_string())?;
            let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?;
            let mut page = doc.start_page_with(settings);
            let mut surface = page.surface();
            surface
                .draw_svg(
                    &tree,
                    Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or("page size")?,
                    SvgSettings::default(),
                )
                .ok_or("the page could not be drawn")?;
            surface.finish();
            page.finish();
        }
        doc.set_metadata(
            krilla::metadata::Metadata::new()
                .title(self.title.clone())
                .creator("Rollcall".to_string()),
        );
        doc.finish().map_err(|e| format!("{e:?}"))
    }
}

/// An SVG drawn as PNG at `scale` (2.0 for print-sharp charts), in the shipped font.
pub fn png(svg: &str, scale: f32) -> Result<Vec<u8>, String> {
    let tree = usvg::Tree::from_str(svg, svg_options()).map_err(|e| e.to_string())?;
    let size = tree.size();
    let (w, h) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or("an empty image")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            title: "Test & check".into(),
            blocks,
        }
    }

    #[test]
    fn long_text_wraps_inside_the_margins_and_flows_onto_new_pages() {
        let para =
            "Attendance was 94.1% this term, up 0.6 percentage points on last term. ".repeat(8);
        let lines = wrap(&para, 10.0, false, CONTENT);
        assert!(lines.len() > 3);
        let (regular, _) = fonts();
        assert!(lines.iter().all(|l| regular.width(l, 10.0) <= CONTENT));
        let pages = doc(vec![Block::Text(para); 40]).pages();
        assert!(pages.len() > 1, "{} pages", pages.len());
        assert!(pages[0].contains("Page 1 of") && pages[0].contains("Test &amp; check"));
    }

    #[test]
    fn a_page_break_starts_a_new_page_and_tables_repeat_their_header() {
        let pages = doc(vec![
            Block::Title("One".into()),
            Block::PageBreak,
            Block::Title("Two".into()),
        ])
        .pages();
        assert_eq!(pages.len(), 2);
        assert!(pages[1].contains(">Two<") && !pages[1].contains(">One<"));
        let rows: Vec<Vec<String>> = (0..120)
            .map(|i| vec![format!("Row {i}"), format!("{i}.0%")])
            .collect();
        let pages = doc(vec![Block::Table {
            head: vec!["Place".into(), "Absence".into()],
            rows,
        }])
        .pages();
        assert!(pages.len() >= 2);
        assert!(pages.iter().all(|p| p.contains(">Absence<")));
        assert!(pages.last().unwrap().contains(">Row 119<"));
    }

    #[test]
    fn the_pdf_and_png_are_real_files() {
        let chart = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100"><rect x="10" y="10" width="50" height="80" fill="blue"/><text x="100" y="50" font-family="sans-serif" font-size="12">Trust</text></svg>"#;
        let d = doc(vec![
            Block::Title("Summary".into()),
            Block::Text("Absence fell.".into()),
            Block::Chart(chart.into()),
        ]);
        let pdf = d.pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.windows(5).any(|w| w == b"/Page"));
        let png = png(chart, 2.0).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        // 400 x 200 pixels at scale 2.
        assert_eq!(&png[16..24], &[0, 0, 1, 144, 0, 0, 0, 200]);
    }
}
