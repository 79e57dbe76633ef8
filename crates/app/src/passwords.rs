//! The password policy: long enough, not a common password or a thin disguise of one,
//! not the account's name, not one character or a short pattern repeated. Checked when a
//! password is set, never against stored ones (those are only hashes).
//!
//! The list of common passwords ships in the repository (`crates/app/data/
//! common-passwords.txt`) and is compiled into the binary.

use crate::{AppError, Result};
use dangbo_domain::name::fold;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The fewest characters a password may have.
pub const MIN_PASSWORD: usize = 10;

/// The fewest different characters a password may have.
const MIN_DISTINCT: usize = 5;

fn common() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Lower case, without diacritics, separators or symbols: `Mật-Khẩu 2026!` → `matkhau2026`.
fn squeeze(s: &str) -> String {
    fold(s).chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Checks a new password for the account `username` against the policy; the message
/// says what to change.
pub fn check_password(username: &str, password: &str) -> Result<()> {
    let refuse = |vi: &str, en: &str| Err(AppError::rejected(vi.to_string(), en.to_string()));
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::rejected(
            format!("Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự"),
            format!("The password must have at least {MIN_PASSWORD} characters"),
        ));
    }
    let distinct: HashSet<char> = password.chars().collect();
    if distinct.len() < MIN_DISTINCT {
        return Err(AppError::rejected(
            format!("Mật khẩu phải có ít nhất {MIN_DISTINCT} ký tự khác nhau"),
            format!("The password must have at least {MIN_DISTINCT} different characters"),
        ));
    }
    let all = squeeze(password);
    // The word inside: without the digits around it (`matkhau2026` → `matkhau`), and
    // with digits and signs standing for letters read back (`P@ssw0rd` → `password`).
    let core = all.trim_matches(|c: char| c.is_ascii_digit());
    let leet = squeeze(&password.replace('@', "a").replace('$', "s"));
    let unleet: String = leet
        .trim_matches(|c: char| c.is_ascii_digit())
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            c => c,
        })
        .collect();
    let list = common();
    let listed = [all.as_str(), core, &unleet].iter().any(|w| list.contains(w));
    if listed || (core.is_empty() && is_run(&all)) {
        return refuse(
            "Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn một cụm từ riêng của đồng chí",
            "This password is too common and easily guessed: choose a phrase of your own",
        );
    }
    let name = squeeze(username);
    if name.len() >= 3 && (all.contains(&name) || core == name) {
        return refuse(
            "Mật khẩu không được chứa tên đăng nhập",
            "The password must not contain the user name",
        );
    }
    Ok(())
}

/// Digits that only count up or down by one (`3456789012`, `9876543210`).
fn is_run(digits: &str) -> bool {
    let d: Vec<i32> = digits.bytes().map(|b| i32::from(b) - i32::from(b'0')).collect();
    if d.len() < 2 {
        return true;
    }
    let step = (d[1] - d[0]).rem_euclid(10);
    (step == 1 || step == 9) && d.windows(2).all(|w| (w[1] - w[0]).rem_euclid(10) == step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strong_passwords_pass() {
        for p in [
            "mat-khau-kiem-thu-2026",
            "Hoa sen nở giữa đầm 1975",
            "cau-truc-to-chuc-dang-bo-tinh",
            "7f3k9q2x8w",
        ] {
            assert!(check_password("vanphong", p).is_ok(), "{p}");
        }
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        let reason = |u: &str, p: &str| {
            check_password(u, p).map_or_else(
                |e| e.message(dangbo_domain::Lang::En),
                |()| format!("{p:?} was accepted"),
            )
        };
        assert!(reason("an", "ngắn").contains("at least 10 characters"));
        assert!(reason("an", "aaaaaaaaaaaa").contains("different characters"));
        assert!(reason("an", "1212121212").contains("different characters"));
        for common in [
            "1234567890",
            "Matkhau@2026",
            "MẬT KHẨU 123",
            "matkhau2026!!",
            "password123",
            "P@ssw0rd2026",
            "0987654321",
            "3456789012",
            "Việt Nam 2026",
            "anhyeuem123456",
            "2026dangvien",
            "qwertyuiop",
        ] {
            assert!(reason("an", common).contains("too common"), "{common}");
        }
        assert!(reason("nguyenvanan", "nguyenvanan2026").contains("user name"));
        assert!(reason("bithu.ls", "toi-la-bithuls-ha").contains("user name"));
    }

    #[test]
    fn the_list_is_folded_and_has_no_duplicates() {
        let text = include_str!("../data/common-passwords.txt");
        let words: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert!(words.len() > 150);
        for w in &words {
            assert_eq!(&squeeze(w), w, "{w} is written folded");
        }
        assert_eq!(words.iter().collect::<HashSet<_>>().len(), words.len());
    }
}
