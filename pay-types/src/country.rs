//! ISO 3166-1 alpha-3 country codes.

use crate::country_table::{ALPHA2, COUNTRIES};
use crate::error::{ErrorCode, ValidationError};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A known ISO 3166-1 alpha-3 code such as `USA`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode(&'static str);

impl CountryCode {
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        COUNTRIES
            .binary_search(&code)
            .map(|i| CountryCode(COUNTRIES[i]))
            .map_err(|_| {
                let shown: String = code.chars().take(8).collect();
                ValidationError::new(
                    ErrorCode::InvalidCountry,
                    format!("`{shown}` is not an ISO 3166-1 alpha-3 code"),
                )
            })
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Every code, in alphabetical order of the alpha-3 code.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        COUNTRIES.iter().map(|c| CountryCode(c))
    }

    /// The ISO 3166-1 alpha-2 code (`USA` is `US`): the region code of BCP 47 tags and of
    /// `Intl.DisplayNames`.
    pub fn alpha2(self) -> &'static str {
        let i = COUNTRIES.binary_search(&self.0).unwrap_or(0);
        ALPHA2.get(i * 2..i * 2 + 2).unwrap_or("")
    }

    /// The country of an ISO 3166-1 alpha-2 code (`US`, as in the tag `en-US`).
    pub fn from_alpha2(code: &str) -> Option<CountryCode> {
        ALPHA2
            .as_bytes()
            .chunks_exact(2)
            .position(|c| c == code.as_bytes())
            .map(|i| CountryCode(COUNTRIES[i]))
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        CountryCode::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(COUNTRIES.len(), 249);
    }

    #[test]
    fn alpha2_codes() {
        assert_eq!(ALPHA2.len(), COUNTRIES.len() * 2);
        assert!(ALPHA2.bytes().all(|b| b.is_ascii_uppercase()));
        for (a3, a2) in [
            ("USA", "US"),
            ("GBR", "GB"),
            ("DEU", "DE"),
            ("ISR", "IL"),
            ("ABW", "AW"),
            ("ZWE", "ZW"),
        ] {
            let c = CountryCode::parse(a3).unwrap();
            assert_eq!(c.alpha2(), a2, "{a3}");
            assert_eq!(CountryCode::from_alpha2(a2), Some(c), "{a2}");
        }
        for bad in ["", "U", "us", "XX", "USA"] {
            assert_eq!(CountryCode::from_alpha2(bad), None, "{bad}");
        }
        let mut seen: Vec<&str> = CountryCode::all().map(CountryCode::alpha2).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 249);
    }

    #[test]
    fn known_and_unknown() {
        for ok in ["USA", "DEU", "ISR", "JPN", "ABW", "ZWE"] {
            assert_eq!(CountryCode::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["US", "usa", "XXX", "", "USAA"] {
            assert_eq!(CountryCode::parse(bad).unwrap_err().code, ErrorCode::InvalidCountry);
        }
    }
}
