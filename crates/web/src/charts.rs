//! Charts drawn on the server as SVG, so they need no script, print, and can go into
//! generated documents. The geometry is computed here; the markup is a template.

use askama::Template;

/// One bar.
pub struct Bar {
    /// Its label.
    pub label: String,
    /// The value as shown.
    pub text: String,
    /// Top edge.
    pub y: u32,
    /// Length.
    pub w: u32,
    /// Whether to draw it in the second colour.
    pub alt: bool,
}

/// A label cut to what fits left of the bars: its end, which tells organizations apart
/// ("…Ban Dân vận Tỉnh ủy"; they all begin "Đảng bộ" or "Chi bộ"). The table beside
/// every chart has the full names.
fn fit_label(label: &str) -> String {
    const MAX: usize = 19;
    let n = label.chars().count();
    if n <= MAX {
        return label.to_string();
    }
    let tail: String = label.chars().skip(n - (MAX - 1)).collect();
    format!("…{tail}")
}

/// A horizontal bar chart with a caption.
#[derive(Template)]
#[template(path = "charts/bars.svg", escape = "html")]
pub struct Bars {
    /// Caption, also the accessible name.
    pub title: String,
    /// The bars.
    pub bars: Vec<Bar>,
    /// Where the bars start (room for labels).
    pub x0: u32,
    /// Total width.
    pub width: u32,
    /// Total height.
    pub height: u32,
    /// A table of the same figures, for screen readers and print.
    pub id: String,
}

const ROW: u32 = 28;
const WIDTH: u32 = 420;
const LABEL: u32 = 130;
const VALUE: u32 = 70;

impl Bars {
    /// A chart of `(label, value, shown as)` rows.
    pub fn new(id: &str, title: &str, rows: Vec<(String, u64, String)>) -> Bars {
        let max = rows.iter().map(|r| r.1).max().unwrap_or(0);
        Bars::scaled(id, title, rows, max)
    }

    /// A chart whose full length stands for `max` (100 for shares in percent).
    pub fn scaled(id: &str, title: &str, rows: Vec<(String, u64, String)>, max: u64) -> Bars {
        let max = max.max(1);
        let span = WIDTH - LABEL - VALUE;
        let bars = rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, v, text))| Bar {
                label: fit_label(&label),
                text,
                y: u32::try_from(i).unwrap_or(0) * ROW,
                w: u32::try_from(v * u64::from(span) / max)
                    .unwrap_or(span)
                    .max(u32::from(v > 0)),
                alt: i % 2 == 1,
            })
            .collect::<Vec<_>>();
        Bars {
            title: title.into(),
            height: u32::try_from(bars.len()).unwrap_or(0) * ROW + 4,
            bars,
            x0: LABEL,
            width: WIDTH,
            id: id.into(),
        }
    }

    /// The chart as markup to place in a page.
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}
