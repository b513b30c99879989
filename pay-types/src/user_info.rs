//! The buyer's contact details, in the server shape (`countryCode`) and the browser shape
//! (`country`). Either key is accepted on input.

use crate::country::CountryCode;
use crate::error::{ErrorCode, ValidationError};
use serde::{Deserialize, Serialize};

/// A first or last name: at most 100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(ErrorCode::InvalidName, "at most 100 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(ValidationError::new(
                ErrorCode::InvalidName,
                "contains control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address: at most 254 characters, `local@domain.tld` in shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_CHARS: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let bad = |why: &str| Err(ValidationError::new(ErrorCode::InvalidEmail, why.to_owned()));
        if s.chars().count() > Self::MAX_CHARS {
            return bad("at most 254 characters");
        }
        let Some((local, domain)) = s.split_once('@') else {
            return bad("not an e-mail address");
        };
        let shaped = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty() && label.len() <= 63)
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'));
        if !shaped {
            return bad("not an e-mail address");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: at most 32 characters of digits, spaces and `+ - ( ) .`, with a digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(ErrorCode::InvalidPhone, "at most 32 characters"));
        }
        let allowed = s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
        if !allowed || !s.chars().any(|c| c.is_ascii_digit()) {
            return Err(ValidationError::new(ErrorCode::InvalidPhone, "not a phone number"));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Contact details, server shape. Every field is optional.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserInfo {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: Option<String>,
    /// `local@domain.tld` in shape.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    /// Digits, spaces and `+ - ( ) .`, with a digit at least.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 32, pattern = r"^\s*([0-9 +().-]*[0-9][0-9 +().-]*)?\s*$")
    )]
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-3, e.g. `GBR`.
    #[serde(default, alias = "country")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*([A-Z]{3})?\s*$"))]
    pub country_code: Option<String>,
}

/// Contact details, browser shape: the country field is named `country`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BrowserUserInfo {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: Option<String>,
    /// `local@domain.tld` in shape.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: Option<String>,
    /// Digits, spaces and `+ - ( ) .`, with a digit at least.
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 32, pattern = r"^\s*([0-9 +().-]*[0-9][0-9 +().-]*)?\s*$")
    )]
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-3, e.g. `GBR`.
    #[serde(default, alias = "countryCode")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^\s*([A-Z]{3})?\s*$"))]
    pub country: Option<String>,
}

impl UserInfo {
    /// Checks every field and returns the normalised details: trimmed, empty fields dropped.
    pub fn validate(&self) -> Result<UserInfo, ValidationError> {
        fn field<T>(
            value: &Option<String>,
            name: &str,
            parse: impl Fn(&str) -> Result<T, ValidationError>,
            text: impl Fn(T) -> String,
        ) -> Result<Option<String>, ValidationError> {
            match value.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(v) => parse(v)
                    .map(|t| Some(text(t)))
                    .map_err(|e| e.at(&format!("userInfo.{name}"))),
            }
        }
        Ok(UserInfo {
            first_name: field(&self.first_name, "firstName", PersonName::parse, |n| n.0)?,
            last_name: field(&self.last_name, "lastName", PersonName::parse, |n| n.0)?,
            email: field(&self.email, "email", Email::parse, |e| e.0)?,
            phone: field(&self.phone, "phone", Phone::parse, |p| p.0)?,
            country_code: field(&self.country_code, "countryCode", CountryCode::parse, |c| {
                c.as_str().to_owned()
            })?,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == UserInfo::default()
    }
}

impl From<UserInfo> for BrowserUserInfo {
    fn from(u: UserInfo) -> Self {
        Self {
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
            phone: u.phone,
            country: u.country_code,
        }
    }
}

impl From<BrowserUserInfo> for UserInfo {
    fn from(u: BrowserUserInfo) -> Self {
        Self {
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
            phone: u.phone,
            country_code: u.country,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_browser_shapes() {
        let json = r#"{"firstName":"Ada","lastName":"Lovelace","email":"ada@example.com","phone":"+44 20 7946 0000","countryCode":"GBR"}"#;
        let server: UserInfo = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&server).unwrap(), json);
        let browser = BrowserUserInfo::from(server.clone());
        let out = serde_json::to_value(&browser).unwrap();
        assert_eq!(out["country"], "GBR");
        assert!(out.get("countryCode").is_none());
        let back: UserInfo = serde_json::from_value(out).unwrap();
        assert_eq!(back, server);
    }

    #[test]
    fn either_country_key_on_input() {
        let a: UserInfo = serde_json::from_str(r#"{"country":"USA"}"#).unwrap();
        let b: BrowserUserInfo = serde_json::from_str(r#"{"countryCode":"USA"}"#).unwrap();
        assert_eq!(a.country_code.as_deref(), Some("USA"));
        assert_eq!(b.country.as_deref(), Some("USA"));
    }

    #[test]
    fn nulls_and_unknown_fields() {
        let a: UserInfo = serde_json::from_str(r#"{"firstName":null}"#).unwrap();
        assert!(a.is_empty());
        assert!(serde_json::from_str::<UserInfo>(r#"{"nickname":"x"}"#).is_err());
    }

    #[test]
    fn validation_rules() {
        let ok = UserInfo {
            first_name: Some("  Ada ".into()),
            email: Some("ada@example.com".into()),
            phone: Some("".into()),
            country_code: Some("GBR".into()),
            ..Default::default()
        };
        let v = ok.validate().unwrap();
        assert_eq!(v.first_name.as_deref(), Some("Ada"));
        assert_eq!(v.phone, None);

        let cases: &[(UserInfo, ErrorCode)] = &[
            (
                UserInfo {
                    email: Some("not-an-email".into()),
                    ..Default::default()
                },
                ErrorCode::InvalidEmail,
            ),
            (
                UserInfo {
                    email: Some("a@b".into()),
                    ..Default::default()
                },
                ErrorCode::InvalidEmail,
            ),
            (
                UserInfo {
                    email: Some(format!("{}@example.com", "a".repeat(250))),
                    ..Default::default()
                },
                ErrorCode::InvalidEmail,
            ),
            (
                UserInfo {
                    phone: Some("1".repeat(33)),
                    ..Default::default()
                },
                ErrorCode::InvalidPhone,
            ),
            (
                UserInfo {
                    phone: Some("call me".into()),
                    ..Default::default()
                },
                ErrorCode::InvalidPhone,
            ),
            (
                UserInfo {
                    first_name: Some("a".repeat(101)),
                    ..Default::default()
                },
                ErrorCode::InvalidName,
            ),
            (
                UserInfo {
                    last_name: Some("a\u{0007}b".into()),
                    ..Default::default()
                },
                ErrorCode::InvalidName,
            ),
            (
                UserInfo {
                    country_code: Some("US".into()),
                    ..Default::default()
                },
                ErrorCode::InvalidCountry,
            ),
        ];
        for (input, code) in cases {
            assert_eq!(input.validate().unwrap_err().code, *code, "{input:?}");
        }
    }

    #[test]
    fn limits_are_inclusive() {
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(Phone::parse(&"1".repeat(32)).is_ok());
        let local = "a".repeat(64);
        let domain = format!("{}.{}.{}.com", "b".repeat(60), "c".repeat(60), "d".repeat(63));
        assert_eq!(local.len() + 1 + domain.len(), 254);
        assert!(Email::parse(&format!("{local}@{domain}")).is_ok());
    }
}
