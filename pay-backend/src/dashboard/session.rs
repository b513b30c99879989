//! The dashboard's session: a cookie signed with HMAC-SHA256 (the `cookie` crate's signed jar)
//! that holds a random session id and its expiry, and the session's CSRF token, derived from the
//! id. Both keys are derived from the secret key, so every process that shares the secret key
//! accepts the same sessions, and changing the secret key ends them all.
//!
//! The merchant API accepts the cookie only with the session's token in the `X-Pay-CSRF` header
//! (every method: the page reads the token from `GET /dashboard/session`, which a page of
//! another origin cannot read), only from this origin (`Sec-Fetch-Site` and `Origin` when the
//! browser sends them) and only before the expiry written inside the signed value.

use crate::error::PayError;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::http::header;
use actix_web::HttpRequest;
use hmac::{Hmac, Mac};
use pay_types::ErrorCode;
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "pay_dashboard";
/// The header that carries the session's CSRF token.
pub const CSRF_HEADER: &str = "x-pay-csrf";

/// A signed-in operator's session, as read from a valid cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    id: String,
    /// Unix seconds.
    expires: u64,
}

impl Session {
    pub fn expires_unix(&self) -> u64 {
        self.expires
    }
}

/// Signs, reads and ends sessions. One per server, shared by its workers.
pub struct Sessions {
    signing: Key,
    csrf: [u8; 32],
    lifetime: Duration,
    always_secure: bool,
    /// Sessions signed out before their expiry (id → expiry), in this process.
    ended: Mutex<HashMap<String, u64>>,
}

fn derive(secret: &[u8], label: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Sessions {
    /// Keys derived from the merchant's `secret_key`.
    pub fn new(secret_key: &str, lifetime: Duration, always_secure: bool) -> Self {
        let secret = secret_key.as_bytes();
        let mut master = [0u8; 64];
        master[..32].copy_from_slice(&derive(secret, b"pay dashboard: cookie signing, part 1"));
        master[32..].copy_from_slice(&derive(secret, b"pay dashboard: cookie signing, part 2"));
        Self {
            signing: Key::from(&master),
            csrf: derive(secret, b"pay dashboard: csrf tokens"),
            lifetime,
            always_secure,
            ended: Mutex::default(),
        }
    }

    /// A new session and its cookie (`HttpOnly`, `SameSite=Strict`, `Path=/`, `Max-Age` of
    /// the session's lifetime, `Secure` over https or when configured).
    pub fn start(&self, req: &HttpRequest) -> (Session, Cookie<'static>) {
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).expect("the system's random source works");
        let session = Session {
            id: hex::encode(id),
            expires: now_unix() + self.lifetime.as_secs(),
        };
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.signing)
            .add(Cookie::new(COOKIE, format!("v1.{}.{}", session.id, session.expires)));
        let signed = jar.get(COOKIE).expect("just added").value().to_owned();
        let cookie = self.cookie(req, signed, self.lifetime);
        (session, cookie)
    }

    fn cookie(&self, req: &HttpRequest, value: String, max_age: Duration) -> Cookie<'static> {
        let secure = self.always_secure || req.connection_info().scheme() == "https";
        Cookie::build(COOKIE, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .max_age(actix_web::cookie::time::Duration::seconds(
                i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX),
            ))
            .finish()
    }

    /// The session of a request's cookie: signed by us, not expired, not signed out.
    pub fn read(&self, req: &HttpRequest) -> Option<Session> {
        let cookie = req.cookie(COOKIE)?;
        let mut jar = CookieJar::new();
        jar.add_original(cookie);
        let verified = jar.signed(&self.signing).get(COOKIE)?;
        let mut parts = verified.value().split('.');
        let (Some("v1"), Some(id), Some(expires), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let expires: u64 = expires.parse().ok()?;
        if expires <= now_unix() {
            return None;
        }
        if self.ended.lock().unwrap_or_else(|e| e.into_inner()).contains_key(id) {
            return None;
        }
        Some(Session {
            id: id.to_owned(),
            expires,
        })
    }

    /// The session's CSRF token: HMAC of its id, so it needs no storage.
    pub fn csrf_token(&self, session: &Session) -> String {
        hex::encode(derive(&self.csrf, session.id.as_bytes()))
    }

    /// Whether the request carries the session's token, compared in constant time.
    pub fn has_csrf_token(&self, session: &Session, req: &HttpRequest) -> bool {
        let given = req.headers().get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
        bool::from(given.ct_eq(self.csrf_token(session).as_bytes()))
    }

    /// Ends `session` (this process refuses its cookie from now on) and returns the cookie that
    /// removes it from the browser.
    pub fn end(&self, session: &Session, req: &HttpRequest) -> Cookie<'static> {
        let now = now_unix();
        let mut ended = self.ended.lock().unwrap_or_else(|e| e.into_inner());
        ended.retain(|_, expires| *expires > now);
        ended.insert(session.id.clone(), session.expires);
        self.removal(req)
    }

    /// A cookie that removes the session cookie.
    pub fn removal(&self, req: &HttpRequest) -> Cookie<'static> {
        let mut cookie = self.cookie(req, String::new(), Duration::ZERO);
        cookie.make_removal();
        cookie
    }

    /// The merchant API's check of a request that comes with the session cookie instead of the
    /// secret key.
    pub fn authorize(&self, req: &HttpRequest) -> Result<Session, PayError> {
        let session = self.read(req).ok_or_else(|| {
            PayError::rejected(
                ErrorCode::Unauthorized,
                "the dashboard session is missing, expired or signed out",
            )
        })?;
        if !from_own_origin(req) {
            return Err(PayError::rejected(
                ErrorCode::Unauthorized,
                "the dashboard session is accepted only from the dashboard's own pages",
            ));
        }
        if !self.has_csrf_token(&session, req) {
            return Err(PayError::rejected(
                ErrorCode::Unauthorized,
                "missing or wrong CSRF token (X-Pay-CSRF)",
            ));
        }
        Ok(session)
    }
}

/// Whether the browser says the request comes from a page of this server's origin: its
/// `Sec-Fetch-Site`, when sent, is `same-origin`, and its `Origin`, when sent, names this host
/// (over http or https: behind a TLS proxy that does not say so, the request arrives as http;
/// a page of the other scheme is another origin, which `Sec-Fetch-Site` refuses).
/// (Clients that are not browsers send neither; they still need the cookie and the token.)
pub fn from_own_origin(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        if site.as_bytes() != b"same-origin" {
            return false;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let info = req.connection_info();
        let host = info.host();
        let origin = origin.as_bytes();
        let ours = |scheme: &str| origin == format!("{scheme}://{host}").as_bytes();
        if !ours("http") && !ours("https") {
            return false;
        }
    }
    true
}

/// Whether a request has a session cookie at all (then the merchant API checks it, unless a
/// bearer key is given).
pub fn has_cookie(req: &HttpRequest) -> bool {
    req.cookie(COOKIE).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    const KEY: &str = "sk_test_0123456789abcdef";

    fn sessions() -> Sessions {
        Sessions::new(KEY, Duration::from_secs(60), false)
    }

    fn with_cookie(cookie: &Cookie<'_>) -> TestRequest {
        TestRequest::default().cookie(Cookie::new(COOKIE, cookie.value().to_owned()))
    }

    #[test]
    fn a_cookie_is_read_back_and_its_flags_are_set() {
        let sessions = sessions();
        let (session, cookie) = sessions.start(&TestRequest::default().to_http_request());
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.same_site(), Some(SameSite::Strict));
        assert_eq!(cookie.secure(), Some(false));
        assert_eq!(cookie.path(), Some("/"));
        assert_eq!(cookie.max_age().map(|d| d.whole_seconds()), Some(60));
        assert!(!cookie.value().contains(KEY));
        assert_eq!(sessions.read(&with_cookie(&cookie).to_http_request()), Some(session));
    }

    #[test]
    fn secure_over_https_or_when_configured() {
        let https = TestRequest::default()
            .insert_header(("x-forwarded-proto", "https"))
            .to_http_request();
        assert_eq!(sessions().start(&https).1.secure(), Some(true));
        let always = Sessions::new(KEY, Duration::from_secs(60), true);
        assert_eq!(
            always.start(&TestRequest::default().to_http_request()).1.secure(),
            Some(true)
        );
    }

    #[test]
    fn a_changed_or_foreign_cookie_is_refused() {
        let sessions = sessions();
        let (_, cookie) = sessions.start(&TestRequest::default().to_http_request());
        let value = cookie.value();
        // One character of the signed value changed.
        let last = value.chars().last().unwrap();
        let flipped = format!("{}{}", &value[..value.len() - 1], if last == '0' { '1' } else { '0' });
        let tampered = Cookie::new(COOKIE, flipped);
        assert_eq!(sessions.read(&with_cookie(&tampered).to_http_request()), None);
        // Signed with another secret key.
        let other = Sessions::new("sk_test_another_key_000000", Duration::from_secs(60), false);
        assert_eq!(other.read(&with_cookie(&cookie).to_http_request()), None);
        // An unsigned value.
        let plain = Cookie::new(COOKIE, "v1.00112233445566778899aabbccddeeff.99999999999");
        assert_eq!(sessions.read(&with_cookie(&plain).to_http_request()), None);
    }

    #[test]
    fn an_expired_session_is_refused() {
        let sessions = sessions();
        let mut jar = CookieJar::new();
        let past = now_unix() - 1;
        jar.signed_mut(&sessions.signing).add(Cookie::new(
            COOKIE,
            format!("v1.00112233445566778899aabbccddeeff.{past}"),
        ));
        let cookie = jar.get(COOKIE).unwrap().clone();
        assert_eq!(sessions.read(&with_cookie(&cookie).to_http_request()), None);
    }

    #[test]
    fn a_signed_out_session_is_refused() {
        let sessions = sessions();
        let req = TestRequest::default().to_http_request();
        let (session, cookie) = sessions.start(&req);
        let removal = sessions.end(&session, &req);
        assert_eq!(removal.max_age().map(|d| d.whole_seconds()), Some(0));
        assert_eq!(sessions.read(&with_cookie(&cookie).to_http_request()), None);
    }

    #[test]
    fn the_csrf_token_belongs_to_its_session() {
        let sessions = sessions();
        let req = TestRequest::default().to_http_request();
        let (one, cookie) = sessions.start(&req);
        let (two, _) = sessions.start(&req);
        assert_ne!(sessions.csrf_token(&one), sessions.csrf_token(&two));
        let right = with_cookie(&cookie)
            .insert_header((CSRF_HEADER, sessions.csrf_token(&one)))
            .to_http_request();
        assert!(sessions.authorize(&right).is_ok());
        for token in [sessions.csrf_token(&two), String::new()] {
            let wrong = with_cookie(&cookie)
                .insert_header((CSRF_HEADER, token))
                .to_http_request();
            assert!(sessions.authorize(&wrong).is_err());
        }
        let none = with_cookie(&cookie).to_http_request();
        assert!(sessions.authorize(&none).is_err());
    }

    #[test]
    fn only_from_this_origin() {
        let cases = [
            (vec![], true),
            (vec![("sec-fetch-site", "same-origin")], true),
            (vec![("sec-fetch-site", "same-site")], false),
            (vec![("sec-fetch-site", "cross-site")], false),
            (vec![("sec-fetch-site", "none")], false),
            (vec![("origin", "http://localhost:8080")], true),
            (vec![("origin", "https://localhost:8080")], true),
            (vec![("origin", "http://localhost:8081")], false),
            (vec![("origin", "http://localhost")], false),
            (vec![("origin", "http://evil.example")], false),
            (vec![("origin", "null")], false),
        ];
        for (headers, expected) in cases {
            let mut req = TestRequest::default().insert_header(("host", "localhost:8080"));
            for header in &headers {
                req = req.insert_header(*header);
            }
            assert_eq!(from_own_origin(&req.to_http_request()), expected, "{headers:?}");
        }
    }
}
