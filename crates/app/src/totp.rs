//! Time-based one-time codes (TOTP, RFC 6238 over HOTP, RFC 4226), the second factor
//! that office and administrator accounts may turn on: HMAC-SHA-1, 30-second steps, six
//! digits, as every authenticator app reads them from an `otpauth://` QR code.

use crate::signing::hmac;
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of now that are still accepted (a phone's clock may be a little off).
const DRIFT: i64 = 1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 without padding (RFC 4648), as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads base32, ignoring case, spaces and padding; `None` for any other character.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !matches!(c, b' ' | b'=' | b'-')) {
        let v = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The step a moment falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The six-digit code of a secret at a step.
pub fn code(secret: &[u8], step: i64) -> String {
    let mac = hmac::<Sha1>(secret, &step.to_be_bytes());
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let n = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    format!("{:06}", n % 1_000_000)
}

/// The step whose code was typed, if it is within the drift of `now` and later than
/// `after` (the last step accepted, so that a code seen over someone's shoulder cannot be
/// used again). Spaces in what was typed are ignored.
pub fn accepted_step(secret: &[u8], typed: &str, now: i64, after: i64) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    (now - DRIFT..=now + DRIFT)
        .filter(|s| *s > after)
        .find(|s| crate::signing::same(code(secret, *s).as_bytes(), typed.as_bytes()))
}

/// The `otpauth://` address an authenticator app reads from a QR code.
pub fn uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // The RFC's eight-digit codes, of which authenticators show the last six.
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code(secret, step_of(t)), want, "T = {t}");
        }
    }

    #[test]
    fn base32_round_trip() {
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        for n in 0..40u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(from_base32(&base32(&bytes)).unwrap(), bytes);
        }
        assert_eq!(from_base32("gezd gnbv"), from_base32("GEZDGNBV"));
        assert!(from_base32("GEZ1").is_none());
    }

    #[test]
    fn codes_are_accepted_once_and_near_now() {
        let secret = b"12345678901234567890";
        let now = 1000;
        let c = code(secret, now);
        assert_eq!(accepted_step(secret, &c, now, 0), Some(now));
        assert_eq!(
            accepted_step(secret, &format!("{} {}", &c[..3], &c[3..]), now, 0),
            Some(now)
        );
        assert_eq!(accepted_step(secret, &c, now, now), None, "used already");
        assert_eq!(accepted_step(secret, &code(secret, now - 1), now, 0), Some(now - 1));
        assert_eq!(accepted_step(secret, &code(secret, now - 3), now, 0), None, "too old");
        assert_eq!(accepted_step(secret, "12345", now, 0), None);
        assert_eq!(accepted_step(secret, "abcdef", now, 0), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let u = uri("dangbo", "văn phòng", b"12345678901234567890");
        assert!(
            u.starts_with("otpauth://totp/dangbo:v%C4%83n%20ph%C3%B2ng?secret=GEZDGNBV"),
            "{u}"
        );
    }
}
