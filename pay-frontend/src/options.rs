//! `PaymentOptions`, the second argument of `startPayment` (SPEC §2), read from JS and checked.

use crate::errors::Rejection;
use crate::i18n::Locale;
use pay_types::BrowserUserInfo;
use serde::{Deserialize, Serialize};

/// The options as a page passes them. Every field is optional; unknown keys are ignored so a
/// page written for the original API keeps working (but not inside `userInfo` and `theme`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentOptions {
    /// Show a thank-you screen at the end (default `true`).
    #[serde(default)]
    pub show_thank_you_page: Option<bool>,
    /// An absolute `http(s)` URL: adds a required "I agree" checkbox next to the link.
    #[serde(default)]
    pub terms_and_conditions_link: Option<String>,
    /// Skip the contact step; honoured only when the payment was created with `userInfo`.
    #[serde(default)]
    pub skip_user_info_page: Option<bool>,
    /// Deprecated: prefills the contact step (give `userInfo` to `createPayment` instead).
    #[serde(default)]
    pub user_info: Option<BrowserUserInfo>,
    /// Also offer the offline ("pay later") method, when the server has it enabled.
    #[serde(default)]
    pub allow_manual_payment: Option<bool>,
    /// BCP 47 tag of the popup's language; default from the browser, fallback `en`.
    #[serde(default)]
    pub locale: Option<String>,
    /// Colors and radius of the popup, as CSS values.
    #[serde(default)]
    pub theme: Option<Theme>,
}

/// The argument of `configure`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayConfig {
    /// Origin (and optional path prefix) of the Pay backend: an absolute http(s) URL or a
    /// path; `""` is the page's own origin (the default).
    #[serde(default)]
    pub base_url: Option<String>,
}

impl PayConfig {
    /// The checked base URL, without a trailing slash.
    pub fn base_url(&self) -> Result<&str, Rejection> {
        let base = self.base_url.as_deref().unwrap_or("");
        let ok = base.is_empty()
            || is_http_url(base)
            || (base.starts_with("/") && !base.starts_with("//") && !base.bytes().any(|b| b == b'\\' || b == b' '));
        if ok {
            Ok(without_trailing_slashes(base))
        } else {
            Err(Rejection::invalid("config.baseUrl: an absolute http(s) URL or a path"))
        }
    }
}

/// A few CSS custom properties of the popup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Theme {
    #[serde(default)]
    pub accent_color: Option<String>,
    #[serde(default)]
    pub background_color: Option<String>,
    #[serde(default)]
    pub text_color: Option<String>,
    #[serde(default)]
    pub border_radius: Option<String>,
}

impl Theme {
    /// `(custom property, value)` pairs set on the popup's host element.
    pub fn properties(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("--pay-accent", &self.accent_color),
            ("--pay-bg", &self.background_color),
            ("--pay-text", &self.text_color),
            ("--pay-radius", &self.border_radius),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    }
}

/// Checked options with their defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub show_thank_you_page: bool,
    pub terms_link: Option<String>,
    pub skip_user_info_page: bool,
    pub prefill: Option<BrowserUserInfo>,
    pub allow_manual_payment: bool,
    pub locale: Locale,
    pub theme: Theme,
}

impl Options {
    /// `browser_language` is `navigator.language`, used when no `locale` is given.
    pub fn check(raw: PaymentOptions, browser_language: Option<&str>) -> Result<Self, Rejection> {
        let terms_link = match raw.terms_and_conditions_link {
            None => None,
            Some(link) if is_http_url(&link) => Some(link),
            Some(_) => {
                return Err(Rejection::invalid(
                    "options.termsAndConditionsLink: an absolute http(s) URL",
                ))
            }
        };
        if raw.locale.as_deref().is_some_and(|l| l.is_empty() || l.len() > 35) {
            return Err(Rejection::invalid("options.locale: a BCP 47 language tag"));
        }
        let locale = Locale::resolve(raw.locale.as_deref().or(browser_language));
        Ok(Self {
            show_thank_you_page: raw.show_thank_you_page.unwrap_or(true),
            terms_link,
            skip_user_info_page: raw.skip_user_info_page.unwrap_or(false),
            prefill: raw.user_info,
            allow_manual_payment: raw.allow_manual_payment.unwrap_or(false),
            locale,
            theme: raw.theme.unwrap_or_default(),
        })
    }
}

/// `s.trim_end_matches('/')`, as a byte loop (the char pattern brings a searcher along).
pub fn without_trailing_slashes(s: &str) -> &str {
    let mut end = s.len();
    while end > 0 && s.as_bytes()[end - 1] == b'/' {
        end -= 1;
    }
    s.get(..end).unwrap_or(s)
}

/// An absolute `http:` or `https:` URL with a host and no whitespace or control characters.
/// Every other scheme (`javascript:`, `data:` …) is refused.
pub fn is_http_url(link: &str) -> bool {
    // The scheme compared in place, ASCII case-insensitively (no lowercased copy).
    let scheme = |s: &[u8]| {
        link.as_bytes()
            .get(..s.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(s))
    };
    let rest = if scheme(b"https://") {
        link.get(8..).unwrap_or("")
    } else if scheme(b"http://") {
        link.get(7..).unwrap_or("")
    } else {
        return false;
    };
    let host_end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    link.len() <= 2048 && host_end > 0 && !link.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let o = Options::check(PaymentOptions::default(), None).unwrap();
        assert!(o.show_thank_you_page);
        assert!(!o.skip_user_info_page);
        assert!(!o.allow_manual_payment);
        assert_eq!(o.terms_link, None);
        assert_eq!(o.locale, Locale::resolve(Some("en")));
    }

    #[test]
    fn terms_links() {
        for ok in [
            "https://shop.example/terms",
            "http://localhost:8080/t?x=1#a",
            "HTTPS://EXAMPLE.COM",
        ] {
            assert!(is_http_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<b>x</b>",
            "/terms",
            "//evil.example/terms",
            "https://",
            "https:///path",
            "ftp://example.com/terms",
            "https://exa mple.com",
            "https://example.com/\nx",
            " https://example.com",
            "",
        ] {
            assert!(!is_http_url(bad), "{bad}");
            let raw = PaymentOptions {
                terms_and_conditions_link: Some(bad.into()),
                ..Default::default()
            };
            assert!(Options::check(raw, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_urls() {
        let cfg = |b: &str| PayConfig {
            base_url: Some(b.into()),
        };
        assert_eq!(cfg("https://pay.example/").base_url(), Ok("https://pay.example"));
        assert_eq!(cfg("/shop").base_url(), Ok("/shop"));
        assert_eq!(PayConfig::default().base_url(), Ok(""));
        assert_eq!(cfg("/shop//").base_url(), Ok("/shop"));
        assert_eq!(cfg("/").base_url(), Ok(""));
        for s in ["", "/", "//", "a/", "a//b/", "é/", "/é"] {
            assert_eq!(without_trailing_slashes(s), s.trim_end_matches('/'), "{s}");
        }
        for bad in ["javascript:alert(1)", "//evil.example", "pay.example"] {
            assert!(cfg(bad).base_url().is_err(), "{bad}");
        }
    }

    #[test]
    fn theme_properties_skip_missing_values() {
        let t = Theme {
            accent_color: Some("#0a7".into()),
            border_radius: Some("4px".into()),
            ..Default::default()
        };
        let props: Vec<_> = t.properties().collect();
        assert_eq!(props, [("--pay-accent", "#0a7"), ("--pay-radius", "4px")]);
    }
}
