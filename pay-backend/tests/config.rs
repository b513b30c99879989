//! The settings as the server reads them: a TOML file and `PAY_*` variables of the process.
//! Each test runs in a `figment::Jail` (its own variables and working folder, one at a time);
//! this binary holds nothing else, so no other test reads the environment meanwhile.

use figment::Jail;
use pay_backend::Settings;
use secrecy::ExposeSecret;
use std::time::Duration;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Loads with only `vars` set (and `file`, if any, written as `pay.toml`; `Some("")` names a
/// file that is not there).
// The closure returns figment's own (large) error type: Jail::expect_with asks for it.
#[allow(clippy::result_large_err)]
fn load(vars: &[(&str, &str)], file: Option<&str>) -> Result<Settings, String> {
    let mut outcome = None;
    Jail::expect_with(|jail| {
        // The caller's own PAY_* variables (a test run sets some) are not this test's.
        jail.clear_env();
        for (name, value) in vars {
            jail.set_env(name, value);
        }
        let path = match file {
            Some("") => Some(jail.directory().join("missing.toml")),
            Some(text) => {
                jail.create_file("pay.toml", text)?;
                Some(jail.directory().join("pay.toml"))
            }
            None => None,
        };
        outcome = Some(Settings::load(path.as_deref()).map_err(|e| e.to_string()));
        Ok(())
    });
    outcome.expect("the jail ran")
}

#[test]
fn defaults_without_file_or_variables() {
    let s = load(&[], None).unwrap();
    assert_eq!(s.port, 8080);
    assert_eq!(s.site_currency.code(), "USD");
    assert!(s.test_mode);
}

#[test]
fn variables_override_the_file() {
    let file = "port = 9000\nsite_currency = \"EUR\"\noffline_payments = true\nsandbox_settle_delay_ms = 10\n";
    let s = load(
        &[
            ("PAY_PORT", "9100"),
            ("PAY_SANDBOX_SETTLE_DELAY_MS", "250"),
            ("PAY_TEST_MODE", "0"),
            ("PAY_CONFIG", "ignored: the command line reads it"),
            ("PAY_LOG", "debug"),
        ],
        Some(file),
    )
    .unwrap();
    assert_eq!(s.port, 9100);
    assert_eq!(s.site_currency.code(), "EUR");
    assert!(s.offline_payments);
    assert!(!s.test_mode);
    assert_eq!(s.sandbox_settle_delay, Duration::from_millis(250));
}

/// The forms of the structured variables that docs/configuration.md gives: comma-separated
/// origins, TOML inline tables and arrays.
#[test]
fn structured_variables_in_the_documented_forms() {
    let hooks = format!(r#"[{{ name = "orders", url = "https://shop.example/hook", secret = "{SECRET}" }}]"#);
    let s = load(
        &[
            ("PAY_ALLOWED_ORIGINS", "https://a.example, https://b.example:8443"),
            ("PAY_WEBHOOKS", &hooks),
            ("PAY_RATES", r#"{ USD = "1.08", JPY = "162.5" }"#),
            ("PAY_SECRET_KEY", "sk_live_0123456789abcdef"),
        ],
        None,
    )
    .unwrap();
    assert_eq!(s.allowed_origins, ["https://a.example", "https://b.example:8443"]);
    assert_eq!(s.webhooks[0].name, "orders");
    assert_eq!(s.webhooks[0].url.as_str(), "https://shop.example/hook");
    let table = s.rates_table();
    assert_eq!(table.rates["USD"].to_string(), "1.08");
    assert_eq!(table.rates["JPY"].to_string(), "162.5");
    assert_eq!(s.secret_key.unwrap().expose_secret(), "sk_live_0123456789abcdef");
}

/// An unknown variable or a bad value stops the start with a message naming the variable.
#[test]
fn bad_variables_are_named() {
    let dup = format!(
        r#"[{{ name = "a", url = "https://a.example", secret = "{SECRET}" }}, {{ name = "a", url = "https://b.example", secret = "{SECRET}" }}]"#
    );
    let cases: &[(&str, &str, &str)] = &[
        ("PAY_PROT", "1", "unknown setting prot (PAY_PROT)"),
        ("PAY_PORT", "eighty", "PAY_PORT"),
        ("PAY_PORT", "-1", "PAY_PORT"),
        ("PAY_TEST_MODE", "maybe", "PAY_TEST_MODE"),
        ("PAY_SITE_CURRENCY", "XYZ", "PAY_SITE_CURRENCY"),
        ("PAY_SECRET_KEY", "short", "PAY_SECRET_KEY"),
        ("PAY_DATABASE_URL", "mysql://db", "PAY_DATABASE_URL"),
        ("PAY_RATES_REFRESH_SECS", "30", "PAY_RATES_REFRESH_SECS"),
        ("PAY_RATES_URL", "not a url", "PAY_RATES_URL"),
        ("PAY_RATES", "{ USD = \"-1\" }", "PAY_RATES"),
        ("PAY_LOG_FORMAT", "xml", "PAY_LOG_FORMAT"),
        (
            "PAY_ALLOWED_ORIGINS",
            "https://a.example, shop.example",
            "PAY_ALLOWED_ORIGINS",
        ),
        (
            "PAY_WEBHOOKS",
            "[{ name = \"a\", url = \"https://a.example\", secret = \"plain\" }]",
            "whsec_",
        ),
        ("PAY_WEBHOOKS", &dup, "PAY_WEBHOOKS"),
    ];
    for (name, value, needle) in cases {
        let err = load(&[(name, value)], None).unwrap_err();
        assert!(err.contains(needle), "{name}={value}: {err}");
    }
}

#[test]
fn bad_file_values_name_the_key_and_the_file() {
    for (text, needle) in [
        ("prot = 1\n", "unknown setting prot"),
        ("port = \"x\"\n", "setting port"),
        ("port = \n", "pay.toml"),
    ] {
        let err = load(&[], Some(text)).unwrap_err();
        assert!(err.contains(needle) && err.contains("pay.toml"), "{text}: {err}");
    }
    let err = load(&[], Some("")).unwrap_err();
    assert!(err.contains("missing.toml"), "{err}");
}

/// A key of digits only reads as a number: refused, without printing it.
#[test]
fn a_refused_secret_key_is_not_echoed() {
    let err = load(&[("PAY_SECRET_KEY", "12345678901234567890")], None).unwrap_err();
    assert!(err.contains("PAY_SECRET_KEY"), "{err}");
    assert!(!err.contains("12345678901234567890"), "{err}");
    let quoted = load(&[("PAY_SECRET_KEY", "\"12345678901234567890\"")], None).unwrap();
    assert_eq!(quoted.secret_key.unwrap().expose_secret(), "12345678901234567890");
}
