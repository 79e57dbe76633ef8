//! Online backup and restore: SQLite through `VACUUM INTO` (one consistent snapshot while
//! the server keeps writing), PostgreSQL through `pg_dump` and `pg_restore`.

use crate::print::{UserError, redact};
use anyhow::Context;
use dangbo_domain::Lang;
use dangbo_store::{Backend, Db};
use std::path::Path;

/// Writes a backup of the open database to `file`.
pub async fn backup(db: &Db, url: &str, file: &Path, lang: Lang) -> anyhow::Result<()> {
    if file.exists() {
        return Err(UserError(
            lang.pick(
                &format!("Tệp «{}» đã có: hãy chọn tên khác", file.display()),
                &format!("«{}» exists already: choose another name", file.display()),
            )
            .into(),
        )
        .into());
    }
    match db.backend() {
        Backend::Sqlite => {
            let dest = file.to_str().context("the backup path is not UTF-8")?;
            db.backup_sqlite(dest).await?;
        }
        Backend::Postgres => {
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(file)
                .arg(url)
                .status()
                .context("cannot run pg_dump (install the PostgreSQL client)")?;
            if !status.success() {
                anyhow::bail!("pg_dump failed for {}", redact(url));
            }
        }
    }
    out!("{} {}", lang.pick("Đã sao lưu vào", "Backed up to"), file.display());
    Ok(())
}

/// Replaces the database with the backup in `file`, after checking the backup.
pub async fn restore(url: &str, file: &Path, yes: bool, lang: Lang) -> anyhow::Result<()> {
    if !file.exists() {
        return Err(UserError(
            lang.pick(
                &format!("Không có tệp «{}»", file.display()),
                &format!("No such file «{}»", file.display()),
            )
            .into(),
        )
        .into());
    }
    if !yes {
        return Err(UserError(
            lang.pick(
                "Khôi phục sẽ thay thế toàn bộ dữ liệu hiện có. Hãy dừng máy chủ rồi chạy lại với --yes.",
                "Restoring replaces all current data. Stop the server, then run again with --yes.",
            )
            .into(),
        )
        .into());
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let status = std::process::Command::new("pg_restore")
            .args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
            ])
            .arg(url)
            .arg(file)
            .status()
            .context("cannot run pg_restore (install the PostgreSQL client)")?;
        if !status.success() {
            anyhow::bail!("pg_restore failed for {}", redact(url));
        }
    } else {
        // Check the backup before touching the database: it must open, pass SQLite's
        // integrity check, and be a dangbo database.
        let src = file.to_str().context("the backup path is not UTF-8")?;
        let staged = format!(
            "{}.restoring",
            url.trim_start_matches("sqlite://").trim_start_matches("sqlite:")
        );
        std::fs::copy(src, &staged).with_context(|| format!("copy {src} → {staged}"))?;
        let check = Db::open(&staged).await?;
        let ok = check.check_integrity().await.is_ok() && check.is_migrated().await.unwrap_or(false);
        check.close().await;
        if !ok {
            let _ = std::fs::remove_file(&staged);
            return Err(UserError(
                lang.pick(
                    &format!("«{}» không phải bản sao lưu dangbo hợp lệ", file.display()),
                    &format!("«{}» is not a valid dangbo backup", file.display()),
                )
                .into(),
            )
            .into());
        }
        let target = staged.trim_end_matches(".restoring").to_string();
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{target}{suffix}"));
            let _ = std::fs::remove_file(format!("{staged}{suffix}"));
        }
        std::fs::rename(&staged, &target).with_context(|| format!("rename {staged} → {target}"))?;
    }
    out!("{} {}", lang.pick("Đã khôi phục từ", "Restored from"), file.display());
    Ok(())
}
