//! Backup files sealed with a passphrase. A backup holds every personal record and the
//! secret that signs point keys and members' QR codes, so one that leaves the server
//! should be unreadable without the passphrase, and any change to it should be found.
//!
//! The file is a header (a magic line, Argon2id's salt and cost, the stream nonce) and
//! then the backup in chunks of 1 MiB, each sealed with ChaCha20-Poly1305 in the STREAM
//! construction: a chunk cannot be changed, dropped, reordered or cut off the end without
//! opening failing. The key is derived from the passphrase with Argon2id.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{ChaCha20Poly1305, KeyInit};
use std::io::{Read, Write};
use std::path::Path;

/// The first bytes of a sealed backup.
pub const MAGIC: &[u8; 16] = b"DANGBO-SEALED-1\n";
const CHUNK: usize = 1 << 20;
const TAG: usize = 16;
const SALT: usize = 16;
const NONCE: usize = 7;
/// Argon2id's cost: memory in KiB, passes, lanes.
const COST: (u32, u32, u32) = (64 * 1024, 3, 1);

/// Why a sealed backup could not be opened or made.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Reading or writing a file failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The passphrase is wrong, or the file was changed or cut short.
    #[error("wrong passphrase, or the file was changed or cut short")]
    Opening,
    /// The header is not one this version writes.
    #[error("not a sealed dangbo backup")]
    NotSealed,
}

fn key(passphrase: &str, salt: &[u8], cost: (u32, u32, u32)) -> Result<ChaCha20Poly1305, SealError> {
    let params = Params::new(cost.0, cost.1, cost.2, Some(32)).map_err(|_| SealError::NotSealed)?;
    let mut key = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|_| SealError::NotSealed)?;
    ChaCha20Poly1305::new_from_slice(&key).map_err(|_| SealError::NotSealed)
}

/// Reads up to `n` bytes, fewer only at the end of the file.
fn read_up_to(r: &mut impl Read, n: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(n);
    r.take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Whether the file at `path` is a sealed backup.
pub fn is_sealed(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == MAGIC
}

/// Seals the file `plain` into `sealed` (created; it must not exist).
pub fn seal(plain: &Path, sealed: &Path, passphrase: &str) -> Result<(), SealError> {
    let mut salt = [0u8; SALT];
    let mut nonce = [0u8; NONCE];
    getrandom::fill(&mut salt).map_err(|e| std::io::Error::other(e.to_string()))?;
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let cipher = key(passphrase, &salt, COST)?;
    let mut input = std::io::BufReader::new(std::fs::File::open(plain)?);
    let mut out = std::io::BufWriter::new(std::fs::File::create_new(sealed)?);
    out.write_all(MAGIC)?;
    out.write_all(&salt)?;
    for n in [COST.0, COST.1, COST.2] {
        out.write_all(&n.to_le_bytes())?;
    }
    out.write_all(&nonce)?;
    let mut stream = Some(EncryptorBE32::from_aead(cipher, nonce.as_ref().into()));
    pump(&mut input, out, CHUNK, |chunk, last| match (stream.take(), last) {
        (Some(s), true) => s.encrypt_last(chunk).ok(),
        (Some(mut s), false) => {
            let sealed = s.encrypt_next(chunk).ok();
            stream = Some(s);
            sealed
        }
        (None, _) => None,
    })
}

/// Reads `input` in chunks of `size`, hands each to `step` (told which is the last) and
/// writes what it returns; `None` from `step` is a chunk that does not open.
fn pump(
    input: &mut impl Read,
    mut out: std::io::BufWriter<std::fs::File>,
    size: usize,
    mut step: impl FnMut(&[u8], bool) -> Option<Vec<u8>>,
) -> Result<(), SealError> {
    let mut current = read_up_to(input, size)?;
    loop {
        let next = read_up_to(input, size)?;
        let last = next.is_empty();
        out.write_all(&step(&current, last).ok_or(SealError::Opening)?)?;
        if last {
            break;
        }
        current = next;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(())
}

/// Opens the sealed backup `sealed` into `plain` (created; it must not exist). On any
/// failure `plain` is removed: nothing half-opened is left behind.
pub fn open(sealed: &Path, plain: &Path, passphrase: &str) -> Result<(), SealError> {
    let result = open_into(sealed, plain, passphrase);
    if result.is_err() {
        let _ = std::fs::remove_file(plain);
    }
    result
}

fn open_into(sealed: &Path, plain: &Path, passphrase: &str) -> Result<(), SealError> {
    let mut input = std::io::BufReader::new(std::fs::File::open(sealed)?);
    let mut head = [0u8; 16 + SALT + 12 + NONCE];
    input.read_exact(&mut head).map_err(|_| SealError::NotSealed)?;
    if &head[..16] != MAGIC {
        return Err(SealError::NotSealed);
    }
    let salt = &head[16..16 + SALT];
    let n = |i: usize| {
        let at = 16 + SALT + 4 * i;
        u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]])
    };
    // A header asking for more than a gigabyte of memory is not one dangbo wrote.
    let cost = (n(0), n(1), n(2));
    if cost.0 > 1 << 20 || cost.1 > 16 || cost.2 > 16 {
        return Err(SealError::NotSealed);
    }
    let nonce = &head[16 + SALT + 12..];
    let cipher = key(passphrase, salt, cost)?;
    let mut stream = Some(DecryptorBE32::from_aead(cipher, nonce.into()));
    let out = std::io::BufWriter::new(std::fs::File::create_new(plain)?);
    pump(&mut input, out, CHUNK + TAG, |chunk, last| {
        match (stream.take(), last) {
            (Some(s), true) => s.decrypt_last(chunk).ok(),
            (Some(mut s), false) => {
                let opened = s.decrypt_next(chunk).ok();
                stream = Some(s);
                opened
            }
            (None, _) => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(size: usize) {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.db");
        let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&plain, &data).unwrap();
        let sealed = dir.path().join("a.sealed");
        seal(&plain, &sealed, "cụm từ bí mật của tỉnh ủy").unwrap();
        assert!(is_sealed(&sealed));
        let bytes = std::fs::read(&sealed).unwrap();
        if size >= 64 {
            assert!(!bytes.windows(64).any(|w| w == &data[..64]), "the data shows through");
        }
        let back = dir.path().join("b.db");
        open(&sealed, &back, "cụm từ bí mật của tỉnh ủy").unwrap();
        assert_eq!(std::fs::read(&back).unwrap(), data, "size {size}");

        // A wrong passphrase, a changed byte, a chunk cut off: refused, nothing left.
        let wrong = dir.path().join("c.db");
        assert!(matches!(
            open(&sealed, &wrong, "cụm từ khác hẳn"),
            Err(SealError::Opening)
        ));
        assert!(!wrong.exists());
        let mut changed = bytes.clone();
        let at = changed.len() - 20;
        changed[at] ^= 1;
        std::fs::write(dir.path().join("d.sealed"), &changed).unwrap();
        assert!(matches!(
            open(&dir.path().join("d.sealed"), &wrong, "cụm từ bí mật của tỉnh ủy"),
            Err(SealError::Opening)
        ));
        if size > CHUNK {
            let cut = &bytes[..bytes.len() - (bytes.len() - 51) % (CHUNK + TAG)];
            std::fs::write(dir.path().join("e.sealed"), cut).unwrap();
            assert!(matches!(
                open(&dir.path().join("e.sealed"), &wrong, "cụm từ bí mật của tỉnh ủy"),
                Err(SealError::Opening)
            ));
        }
        assert!(!wrong.exists());
    }

    #[test]
    fn sealed_backups_open_only_whole_and_with_the_passphrase() {
        for size in [0, 1, 1000, CHUNK, CHUNK + 1, 2 * CHUNK + 333] {
            roundtrip(size);
        }
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("x");
        std::fs::write(&plain, b"SQLite format 3\0").unwrap();
        assert!(!is_sealed(&plain));
        assert!(matches!(
            open(&plain, &dir.path().join("y"), "p"),
            Err(SealError::NotSealed)
        ));
    }
}
