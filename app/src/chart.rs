//! A chart as a page holds it: its address and its text alternative, not its drawing.
//! The drawing (SVG made on the server by `charts`) stays on the server: the page shows
//! it as an `<img>` from `/charts/{id}.svg`, which answers only a viewer who may see
//! exactly what the viewer it was drawn for saw, so the page's HTML and its hydration
//! data carry a line per chart instead of the chart twice.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Chart {
    /// The drawing's SHA-256 (hex): its address under `/charts/`.
    pub id: String,
    /// What the chart shows, in words (its title and description).
    pub alt: String,
    /// The drawing, on the server only (documents draw it into PDFs and PNGs).
    #[serde(skip)]
    pub svg: String,
}

impl Chart {
    pub fn src(&self) -> String {
        format!("/charts/{}.svg", self.id)
    }
}

/// The chart as an image, sized by the drawing itself.
#[component]
pub fn ChartImage(chart: Chart, #[prop(optional)] class: &'static str) -> impl IntoView {
    view! { <img class=class src=chart.src() alt=chart.alt.clone() loading="lazy" decoding="async"/> }
}

#[cfg(feature = "ssr")]
pub use ssr::{drawn_during, Drawn};

#[cfg(feature = "ssr")]
mod ssr {
    use super::Chart;
    use sha2::{Digest, Sha256};
    use std::cell::RefCell;
    use std::sync::Arc;

    /// Charts drawn during one report's build: (address, drawing).
    pub type Drawn = Vec<(String, Arc<str>)>;

    thread_local! {
        /// The charts drawn on this thread since the innermost [`drawn_during`] began.
        static DRAWN: RefCell<Option<Drawn>> = const { RefCell::new(None) };
    }

    impl Chart {
        /// A drawing with its text alternative, noted for the report being built on
        /// this thread (see [`drawn_during`]).
        pub fn new(svg: String, alt: String) -> Chart {
            let id = hex::encode(Sha256::digest(svg.as_bytes()));
            DRAWN.with(|d| {
                if let Some(drawn) = d.borrow_mut().as_mut() {
                    drawn.push((id.clone(), Arc::from(svg.as_str())));
                }
            });
            Chart { id, alt, svg }
        }
    }

    /// Runs `build` and returns what it made with every chart it drew (a build inside
    /// it keeps its own).
    pub fn drawn_during<T>(build: impl FnOnce() -> T) -> (T, Drawn) {
        /// Puts the outer build's list back however `build` ends.
        struct Restore(Option<Drawn>);
        impl Drop for Restore {
            fn drop(&mut self) {
                DRAWN.with(|d| *d.borrow_mut() = self.0.take());
            }
        }
        let _restore = Restore(DRAWN.with(|d| d.borrow_mut().replace(Vec::new())));
        let out = build();
        let mine = DRAWN.with(|d| d.borrow_mut().take()).unwrap_or_default();
        (out, mine)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn each_build_keeps_the_charts_it_drew() {
            let ((inner, a), outer) = drawn_during(|| {
                let a = Chart::new("<svg>a</svg>".into(), "A".into());
                let (_, inner) = drawn_during(|| Chart::new("<svg>b</svg>".into(), "B".into()));
                (inner, a)
            });
            assert_eq!(outer.len(), 1);
            assert_eq!(outer[0].0, a.id);
            assert_eq!(&*outer[0].1, "<svg>a</svg>");
            assert_eq!(inner.len(), 1);
            assert_eq!(&*inner[0].1, "<svg>b</svg>");
            assert_eq!(a.id.len(), 64);
            assert_eq!(a.src(), format!("/charts/{}.svg", a.id));
            // Outside any build nothing is kept.
            Chart::new("<svg>c</svg>".into(), "C".into());
            let (_, none) = drawn_during(|| ());
            assert!(none.is_empty());
        }
    }
}
