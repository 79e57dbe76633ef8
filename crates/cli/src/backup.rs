//! Online backup and restore: SQLite through `VACUUM INTO` (one consistent snapshot while
//! the server keeps writing), PostgreSQL through `pg_dump` and `pg_restore`; either can be
//! sealed with a passphrase ([`crate::sealed`]).

use crate::print::{UserError, redact};
use anyhow::Context;
use dangbo_app::App;
use dangbo_domain::Lang;
use dangbo_store::{Backend, Db};
use std::path::Path;

fn refuse(lang: Lang, vi: String, en: String) -> anyhow::Error {
    UserError(lang.pick(&vi, &en).to_string()).into()
}

/// Splits the password out of a PostgreSQL URL, so that it can go to the client tools
/// through `PGPASSWORD` rather than on a command line every user can read with `ps`.
fn without_password(url: &str) -> (String, Option<String>) {
    if let (Some(s), Some(at)) = (url.find("://"), url.rfind('@'))
        && at > s
        && let Some((user, pass)) = url[s + 3..at].split_once(':')
    {
        return (
            format!("{}{user}{}", &url[..s + 3], &url[at..]),
            Some(percent_decode(pass)),
        );
    }
    (url.to_string(), None)
}

/// Decodes `%40`-style escapes, as a URL's password may need them for `@ : / %`.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pg_tool(tool: &str, args: &[&str], url: &str, file: &Path) -> anyhow::Result<()> {
    let (url, password) = without_password(url);
    let mut cmd = std::process::Command::new(tool);
    cmd.args(args);
    if tool == "pg_dump" {
        cmd.arg("--file").arg(file).arg(&url);
    } else {
        cmd.arg("--dbname").arg(&url).arg(file);
    }
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {tool} (install the PostgreSQL client tools)"))?;
    if !status.success() {
        return Err(UserError(format!(
            "{tool} báo lỗi (xem ở trên) với {}: kiểm tra kết nối và tệp / {tool} failed (see above) for {}: check the connection and the file",
            redact(&url),
            redact(&url)
        ))
        .into());
    }
    Ok(())
}

/// The passphrase of a sealed backup: `DANGBO_BACKUP_PASSPHRASE`, or the first line of
/// standard input. A new one must meet the password policy.
fn passphrase(lang: Lang, new: bool) -> anyhow::Result<String> {
    let p = match std::env::var("DANGBO_BACKUP_PASSPHRASE") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if p.is_empty() {
        return Err(refuse(
            lang,
            "Cần cụm mật khẩu của bản sao lưu: đặt DANGBO_BACKUP_PASSPHRASE hoặc nhập ở đầu vào chuẩn".into(),
            "The backup's passphrase is needed: set DANGBO_BACKUP_PASSPHRASE or give it on standard input".into(),
        ));
    }
    if new && let Err(e) = dangbo_app::passwords::check_password("", &p) {
        return Err(UserError(e.message(lang)).into());
    }
    Ok(p)
}

/// A file removed when dropped (the plain copy beside a sealed backup).
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn sealing_failed(lang: Lang, e: crate::sealed::SealError) -> anyhow::Error {
    match e {
        crate::sealed::SealError::Opening => refuse(
            lang,
            "Sai cụm mật khẩu, hoặc tệp sao lưu đã bị sửa hay bị cắt: không khôi phục gì".into(),
            "Wrong passphrase, or the backup was changed or cut short: nothing was restored".into(),
        ),
        e => anyhow::Error::from(e),
    }
}

/// Writes a backup of the open database to `file`, sealed with a passphrase when
/// `encrypt`, and records it in the audit log.
pub async fn backup(app: &App, db: &Db, url: &str, file: &Path, encrypt: bool, lang: Lang) -> anyhow::Result<()> {
    if file.exists() {
        return Err(refuse(
            lang,
            format!("Tệp «{}» đã có: hãy chọn tên khác", file.display()),
            format!("«{}» exists already: choose another name", file.display()),
        ));
    }
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(refuse(
            lang,
            format!("Không có thư mục «{}»", folder.display()),
            format!("There is no folder «{}»", folder.display()),
        ));
    }
    let secret = if encrypt { Some(passphrase(lang, true)?) } else { None };
    // The backup copies every personal record: it is recorded before it is made.
    let how = if encrypt { " (mã hóa)" } else { "" };
    app.record("backup", "database", &format!("{}{how}", file.display()))
        .await?;
    // Sealed, the plain copy is made beside it first and removed afterwards.
    let scratch = secret.as_ref().map(|_| Scratch(file.with_extension("plain-tmp")));
    let plain = scratch.as_ref().map_or(file, |s| s.0.as_path());
    match db.backend() {
        Backend::Sqlite => {
            let dest = plain.to_str().context("the backup path is not UTF-8")?;
            db.backup_sqlite(dest).await?;
        }
        Backend::Postgres => pg_tool("pg_dump", &["--format=custom", "--no-owner"], url, plain)?,
    }
    if let Some(p) = &secret {
        crate::sealed::seal(plain, file, p).map_err(|e| sealing_failed(lang, e))?;
    }
    out!(
        "{} {}{}",
        lang.pick("Đã sao lưu vào", "Backed up to"),
        file.display(),
        if encrypt {
            lang.pick(" (đã mã hóa)", " (sealed)")
        } else {
            ""
        }
    );
    Ok(())
}

/// Removes a staged restore file (and its WAL files) unless the restore completed.
struct Staged(String);

impl Drop for Staged {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0));
        }
    }
}

/// Replaces the database with the backup in `file`, after checking the backup.
pub async fn restore(url: &str, file: &Path, yes: bool, lang: Lang) -> anyhow::Result<()> {
    if !file.is_file() {
        return Err(refuse(
            lang,
            format!("Không có tệp «{}»", file.display()),
            format!("No such file «{}»", file.display()),
        ));
    }
    if !yes {
        return Err(refuse(
            lang,
            "Khôi phục sẽ thay thế toàn bộ dữ liệu hiện có. Hãy dừng máy chủ rồi chạy lại với --yes.".into(),
            "Restoring replaces all current data. Stop the server, then run again with --yes.".into(),
        ));
    }
    let invalid = || {
        refuse(
            lang,
            format!("«{}» không phải bản sao lưu dangbo hợp lệ", file.display()),
            format!("«{}» is not a valid dangbo backup", file.display()),
        )
    };
    // A sealed backup is opened into a plain file beside it first.
    let opened = if crate::sealed::is_sealed(file) {
        let p = passphrase(lang, false)?;
        let scratch = Scratch(file.with_extension("opened-tmp"));
        let _ = std::fs::remove_file(&scratch.0);
        crate::sealed::open(file, &scratch.0, &p).map_err(|e| sealing_failed(lang, e))?;
        Some(scratch)
    } else {
        None
    };
    let file = opened.as_ref().map_or(file, |s| s.0.as_path());
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        pg_tool(
            "pg_restore",
            &["--clean", "--if-exists", "--no-owner", "--single-transaction"],
            url,
            file,
        )?;
    } else {
        // Check the backup before touching the database: an SQLite file, intact, with
        // dangbo's schema.
        let mut head = [0u8; 16];
        let read = std::fs::File::open(file).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
        if read.is_err() || &head != b"SQLite format 3\0" {
            return Err(invalid());
        }
        let target = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .to_string();
        let staged = Staged(format!("{target}.restoring"));
        std::fs::copy(file, &staged.0).with_context(|| format!("copy {} → {}", file.display(), staged.0))?;
        let Ok(check) = Db::open(&staged.0).await else {
            return Err(invalid());
        };
        let ok = check.check_integrity().await.is_ok() && check.is_migrated().await.unwrap_or(false);
        check.close().await;
        if !ok {
            return Err(invalid());
        }
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{target}{suffix}"));
        }
        std::fs::rename(&staged.0, &target).with_context(|| format!("rename {} → {target}", staged.0))?;
    }
    out!("{} {}", lang.pick("Đã khôi phục từ", "Restored from"), file.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_decoded() {
        let (url, pass) = without_password("postgres://dangbo:s3cr%40t%3A@db:5432/dangbo");
        assert_eq!(url, "postgres://dangbo@db:5432/dangbo");
        assert_eq!(pass.as_deref(), Some("s3cr@t:"));
        assert_eq!(
            without_password("postgres://dangbo@db/x"),
            ("postgres://dangbo@db/x".to_string(), None)
        );
    }
}
