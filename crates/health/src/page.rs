//! The status page at `/`: one static HTML file, its script and its style sheet, compiled in.
//!
//! Nothing is templated on the server: the page draws what `/status` and `/history` return (JSON
//! the router already redacted), so no secret can reach it by another path. The content security
//! policy lets it load only its own script and style and fetch only from this server: no CDN,
//! nothing inline, it works offline and cannot be framed.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Where the page's script and style sheet are served (relative to `/`).
pub(crate) const SCRIPT_PATH: &str = "/page/status.js";
pub(crate) const STYLE_PATH: &str = "/page/status.css";

const HTML: &str = include_str!("page/status.html");
const SCRIPT: &str = include_str!("page/status.js");
const STYLE: &str = include_str!("page/status.css");

/// Only this server's own script, style and JSON; nothing inline, no frames, no forms.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(crate) async fn index() -> Response {
    asset("text/html; charset=utf-8", HTML)
}

pub(crate) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

pub(crate) async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let headers: [(HeaderName, HeaderValue); 4] = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    ];
    (headers, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_its_own_script_and_style_by_relative_path() {
        assert!(HTML.contains(&format!("src=\"{}\"", &SCRIPT_PATH[1..])));
        assert!(HTML.contains(&format!("href=\"{}\"", &STYLE_PATH[1..])));
    }

    #[test]
    fn the_page_loads_nothing_from_elsewhere_and_nothing_inline() {
        // The SVG namespace is an identifier, never fetched.
        let script = SCRIPT.replace("\"http://www.w3.org/2000/svg\"", "");
        for (name, text) in [("html", HTML), ("js", script.as_str()), ("css", STYLE)] {
            for needle in ["http://", "https://", "//cdn", "@import", "url("] {
                assert!(!text.contains(needle), "{name} contains {needle}");
            }
        }
        assert!(!HTML.contains("<script>"), "inline script");
        assert!(!HTML.contains("<style"), "inline style");
        assert!(!HTML.contains(" style="), "inline style attribute");
        assert!(
            !SCRIPT.contains("innerHTML"),
            "the script must not parse HTML"
        );
        assert!(!SCRIPT.contains("eval("), "the script must not eval");
    }

    #[test]
    fn the_page_stays_small() {
        let total = HTML.len() + SCRIPT.len() + STYLE.len();
        assert!(total < 20 * 1024, "{total} bytes");
    }
}
