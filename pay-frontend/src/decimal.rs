//! Decimal text in and out of `Decimal`, exactly as `Decimal::from_str_exact` and
//! `Decimal`'s `Display` do it, in a few hundred bytes of wasm: rust_decimal's parser is
//! generic over eight flags (sixteen copies) and its `Display` brings `core::fmt` along.
//! The unit tests check both directions against rust_decimal itself.

use rust_decimal::Decimal;

/// The mantissa as three 32-bit limbs, least significant first (`Decimal`'s own layout).
type Limbs = [u32; 3];

/// `Decimal::from_str_exact`: an optional sign, digits with at most one point, `_` between
/// digits; at most 28 decimals and a mantissa below 2^96, or `None`.
pub fn parse(text: &str) -> Option<Decimal> {
    match text.as_bytes() {
        [b'-', rest @ ..] => digits(rest, true),
        [b'+', rest @ ..] => digits(rest, false),
        all => digits(all, false),
    }
}

fn digits(bytes: &[u8], negative: bool) -> Option<Decimal> {
    let mut m: Limbs = [0; 3];
    let mut point = false;
    let mut seen_digit = false;
    let mut scale = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if !times_ten_plus(&mut m, u32::from(b - b'0')) {
                    return None;
                }
                seen_digit = true;
                if point {
                    scale += 1;
                    // rust_decimal refuses anything after a 28th decimal.
                    if scale >= 28 && i + 1 < bytes.len() {
                        return None;
                    }
                }
            }
            b'.' if !point => point = true,
            b'_' if seen_digit => {}
            _ => return None,
        }
    }
    seen_digit.then(|| Decimal::from_parts(m[0], m[1], m[2], negative, scale))
}

/// `1.5` and `-7` (a JSON number's `1.5e-7`) → `0.00000015`: the mantissa's digits with the
/// scale moved by the exponent (`Decimal::from_scientific` weighs more than this). The
/// mantissa is an optional `-`, at least one digit, and an optional point with digits (no
/// `+`, no `_`, no leading point); the exponent what `i32::from_str` reads after an optional
/// `+`, at most 40 in magnitude. The result, like [`parse`], has at most 28 decimals and a
/// mantissa below 2^96, else `None`.
pub fn scientific(mantissa: &[u8], exponent: &[u8]) -> Option<Decimal> {
    let (negative, mantissa) = match mantissa {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let exponent = exponent.strip_prefix(b"+").unwrap_or(exponent);
    let (positive, exponent) = match exponent {
        [b'-', rest @ ..] => (false, rest),
        [b'+', rest @ ..] => (true, rest),
        all => (true, all),
    };
    let mut e = 0i32;
    for &b in exponent {
        if !b.is_ascii_digit() {
            return None;
        }
        e = (e * 10 + i32::from(b - b'0')).min(1000);
    }
    if exponent.is_empty() || e > 40 {
        return None;
    }
    let mut m: Limbs = [0; 3];
    let mut point = false;
    let mut int_digits = 0;
    // Decimals of the result: those of the mantissa minus the exponent.
    let mut scale = if positive { -e } else { e };
    for &b in mantissa {
        match b {
            b'0'..=b'9' => {
                if !times_ten_plus(&mut m, u32::from(b - b'0')) {
                    return None;
                }
                if point {
                    scale += 1;
                } else {
                    int_digits += 1;
                }
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    while scale < 0 {
        if !times_ten_plus(&mut m, 0) {
            return None;
        }
        scale += 1;
    }
    (int_digits > 0 && scale <= 28).then(|| Decimal::from_parts(m[0], m[1], m[2], negative, scale as u32))
}

/// `m = m * 10 + digit`; false when the result does not fit in 96 bits.
fn times_ten_plus(m: &mut Limbs, digit: u32) -> bool {
    let mut carry = u64::from(digit);
    for limb in m.iter_mut() {
        let v = u64::from(*limb) * 10 + carry;
        *limb = v as u32;
        carry = v >> 32;
    }
    carry == 0
}

/// `m = m / 10`, returning the remainder.
fn div_ten(m: &mut Limbs) -> u8 {
    let mut rem = 0u64;
    for limb in m.iter_mut().rev() {
        let v = (rem << 32) | u64::from(*limb);
        *limb = (v / 10) as u32;
        rem = v % 10;
    }
    rem as u8
}

/// `Decimal`'s `to_string()`: all the digits of its scale, a `0` before a leading point,
/// `-` when the sign is negative (even for zero).
pub fn text(d: Decimal) -> String {
    let raw = d.serialize();
    let limb = |i: usize| u32::from_le_bytes([raw[i], raw[i + 1], raw[i + 2], raw[i + 3]]);
    let mut m: Limbs = [limb(4), limb(8), limb(12)];
    let scale = d.scale() as usize;
    // Least significant digit first.
    let mut rev = Vec::with_capacity(32);
    while m != [0; 3] {
        rev.push(b'0' + div_ten(&mut m));
    }
    while rev.len() < scale {
        rev.push(b'0');
    }
    let whole = rev.len() - scale;
    let mut out = String::with_capacity(rev.len() + 3);
    if d.is_sign_negative() {
        out.push('-');
    }
    if whole == 0 {
        out.push('0');
    }
    for (i, &c) in rev.iter().rev().enumerate() {
        if i == whole {
            out.push('.');
        }
        out.push(char::from(c));
    }
    out
}

/// `n.to_string()` for a `u32`, without `core::fmt`.
pub fn u32_text(mut n: u32) -> String {
    let mut rev = Vec::with_capacity(10);
    loop {
        rev.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    rev.iter().rev().map(|&c| char::from(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[&str] = &[
        "0",
        "-0",
        "+0",
        "0.00",
        "-0.00",
        "1",
        "9.99",
        "19.90",
        "-4.56",
        ".5",
        "-.5",
        "5.",
        "1_000.5",
        "1__0",
        "1000000000000",
        "123456789012.345678901234567",
        "0.0000001",
        "0.1234567890123456789012345678",
        "0.12345678901234567890123456789",
        "0.1234567890123456789012345678_",
        "0.0000000000000000000000000000",
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "7922816251426433759354395033.5",
        "-79228162514264337593543950335",
        "18446744073709551615",
        "18446744073709551616",
        "4294967296",
        "",
        "-",
        "+",
        ".",
        "-.",
        "_1",
        "1_",
        "1..2",
        "1.2.3",
        "1e5",
        "1 ",
        " 1",
        "--1",
        "+-1",
        "1-",
        "0x10",
        "١",
    ];

    #[test]
    fn parses_like_from_str_exact() {
        for &case in CASES {
            let ours = parse(case);
            let theirs = Decimal::from_str_exact(case).ok();
            assert_eq!(ours.map(|d| d.serialize()), theirs.map(|d| d.serialize()), "{case:?}");
        }
    }

    #[test]
    fn writes_like_display() {
        for &case in CASES {
            if let Ok(d) = Decimal::from_str_exact(case) {
                assert_eq!(text(d), d.to_string(), "{case:?}");
            }
        }
        for d in [
            Decimal::MAX,
            Decimal::MIN,
            Decimal::ZERO,
            Decimal::new(-1, 28),
            Decimal::new(5, 3),
        ] {
            assert_eq!(text(d), d.to_string());
        }
    }

    #[test]
    fn every_digit_count_and_scale() {
        let mut digits = String::new();
        for n in 1..=29 {
            digits.push(char::from(b'0' + (n % 10) as u8));
            for point in 0..=digits.len() {
                let (int, frac) = digits.split_at(point);
                for sign in ["", "-"] {
                    let case = format!("{sign}{int}.{frac}");
                    let theirs = Decimal::from_str_exact(&case).ok();
                    assert_eq!(
                        parse(&case).map(|d| d.serialize()),
                        theirs.map(|d| d.serialize()),
                        "{case}"
                    );
                    if let Some(d) = theirs {
                        assert_eq!(text(d), d.to_string(), "{case}");
                    }
                }
            }
        }
    }

    #[test]
    fn u32_texts() {
        for n in [0, 1, 9, 10, 99, 100, 12345, u32::MAX] {
            assert_eq!(u32_text(n), n.to_string());
        }
    }

    /// The text rewriting that `scientific` replaced: the same digits with the point moved,
    /// then [`parse`]. Kept here as the reference.
    fn without_exponent(mantissa: &str, exponent: &str) -> Option<Decimal> {
        let (sign, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => ("-", m),
            None => ("", mantissa),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let exponent: i32 = exponent.strip_prefix('+').unwrap_or(exponent).parse().ok()?;
        if int.is_empty() || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit()) || exponent.abs() > 40 {
            return None;
        }
        let digits = [int, frac].concat();
        let point = int.len() as i32 + exponent;
        let mut out = String::from(sign);
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        } else if point as usize >= digits.len() {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', point as usize - digits.len()));
        } else {
            out.push_str(digits.get(..point as usize).unwrap_or(""));
            out.push('.');
            out.push_str(digits.get(point as usize..).unwrap_or(""));
        }
        parse(&out)
    }

    #[test]
    fn exponent_forms_become_plain_digits() {
        for (mantissa, exponent, plain) in [
            ("1", "-7", "0.0000001"),
            ("1.2", "-7", "0.00000012"),
            ("-4.56", "-8", "-0.0000000456"),
            ("1", "+21", "1000000000000000000000"),
            ("1.5", "21", "1500000000000000000000"),
            ("1.2345", "2", "123.45"),
            ("12.5", "-1", "1.25"),
            ("7", "0", "7"),
            ("1.50", "1", "15.0"),
        ] {
            let got = scientific(mantissa.as_bytes(), exponent.as_bytes()).map(text);
            assert_eq!(got.as_deref(), Some(plain), "{mantissa}e{exponent}");
        }
        for (mantissa, exponent) in [
            ("", "1"),
            ("1", ""),
            ("1", "x"),
            ("1.x", "1"),
            ("1", "300"),
            ("1", "-300"),
            (".5", "1"),
            ("+5", "1"),
            ("1_0", "1"),
            ("1", "41"),
            ("1", "-29"),
            ("79228162514264337593543950336", "0"),
            ("7922816251426433759354395034", "1"),
        ] {
            assert_eq!(
                scientific(mantissa.as_bytes(), exponent.as_bytes()),
                None,
                "{mantissa}e{exponent}"
            );
        }
    }

    /// Same answer as the text rewriting for every mantissa and exponent of a grid that
    /// covers signs, points, zeros, 28 decimals, 96 bits and the exponent's odd forms.
    #[test]
    fn scientific_matches_the_text_rewriting() {
        let mantissas = [
            "",
            "-",
            "0",
            "-0",
            "1",
            "-1",
            "1.",
            "1.0",
            "0.5",
            "-0.05",
            ".5",
            "1..2",
            "1.2.3",
            "+1",
            "1_0",
            "12a",
            "123456789.12345679",
            "9999999999999999999999999999",
            "79228162514264337593543950335",
            "79228162514264337593543950336",
            "0.0000000000000000000000000001",
            "1.00000000000000000000000000001",
            "00012.3400",
            "1e",
            " 1",
        ];
        let exponents = [
            "",
            "+",
            "-",
            "0",
            "-0",
            "+0",
            "1",
            "-1",
            "7",
            "-7",
            "21",
            "+21",
            "28",
            "-28",
            "29",
            "-29",
            "40",
            "-40",
            "41",
            "-41",
            "++5",
            "+-5",
            "-+5",
            "--5",
            "0007",
            "99999999999",
            "-99999999999",
            "1.5",
            "x",
            " 1",
        ];
        for m in mantissas {
            for e in exponents {
                assert_eq!(
                    scientific(m.as_bytes(), e.as_bytes()),
                    without_exponent(m, e),
                    "{m}e{e}"
                );
            }
        }
    }
}
