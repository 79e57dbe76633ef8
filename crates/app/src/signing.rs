//! Signed tokens that can be checked without a database read: a connection point's
//! key for its operator's device, and the QR code that names a person at a check-in.
//! HMAC-SHA-256 (RFC 2104) over a secret kept in the database, shared by every instance.

use sha2::{Digest, Sha256};

/// A secret key for signing.
#[derive(Clone)]
pub struct Signer {
    key: [u8; 32],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(…)")
    }
}

impl Signer {
    /// A signer over a key given as hex (as stored), or over its hash if it is not hex.
    pub fn new(secret: &str) -> Signer {
        let key: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        Signer { key }
    }

    /// HMAC-SHA-256 of `msg`.
    pub fn mac(&self, msg: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&hmac::<Sha256>(&self.key, msg));
        out
    }

    /// `msg` followed by `.` and the first `len` hex digits of its MAC.
    pub fn sign(&self, msg: &str, len: usize) -> String {
        format!("{msg}.{}", &crate::hex(&self.mac(msg.as_bytes()))[..len])
    }

    /// The message of a token made by [`Signer::sign`], if its MAC is right (compared in
    /// constant time).
    pub fn verify<'a>(&self, token: &'a str, len: usize) -> Option<&'a str> {
        let (msg, mac) = token.rsplit_once('.')?;
        let want = crate::hex(&self.mac(msg.as_bytes()));
        let want = want.get(..len)?;
        if mac.len() != len {
            return None;
        }
        same(want.as_bytes(), mac.as_bytes()).then_some(msg)
    }
}

/// HMAC (RFC 2104) over a hash of 64-byte blocks (SHA-1, SHA-256).
pub fn hmac<D: Digest>(key: &[u8], msg: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        let h = D::digest(key);
        k[..h.len()].copy_from_slice(&h);
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut ipad = [0x36u8; BLOCK];
    let mut opad = [0x5cu8; BLOCK];
    for i in 0..BLOCK {
        ipad[i] ^= k[i];
        opad[i] ^= k[i];
    }
    let inner = D::new().chain_update(ipad).chain_update(msg).finalize();
    D::new().chain_update(opad).chain_update(inner).finalize().to_vec()
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_case_2() {
        // HMAC-SHA-256 with key "Jefe": our key is the SHA-256 of the secret, so check
        // the construction with that key directly.
        let s = Signer {
            key: {
                let mut k = [0u8; 32];
                k[..4].copy_from_slice(b"Jefe");
                k
            },
        };
        assert_eq!(
            crate::hex(&s.mac(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tampered_tokens_fail() {
        let s = Signer::new("secret");
        let t = s.sign("p42.c7", 20);
        assert_eq!(s.verify(&t, 20), Some("p42.c7"));
        assert_eq!(s.verify(&t.replace("p42", "p43"), 20), None);
        assert_eq!(Signer::new("other").verify(&t, 20), None);
        assert_eq!(s.verify("p42.c7", 20), None);
    }
}
