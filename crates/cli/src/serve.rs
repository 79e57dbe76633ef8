//! `dangbo serve`, `dangbo user …` and `dangbo audit verify`.

use crate::args::{AuditCmd, UserCmd};
use crate::print::UserError;
use crate::say;
use dangbo_app::App;
use dangbo_domain::Lang;
use dangbo_domain::date::short;
use dangbo_store::AuditBreak;

/// Runs the server until SIGTERM or Ctrl-C, then lets the requests in flight finish.
pub async fn serve(app: App, config: dangbo_web::Config, demo: bool, lang: Lang) -> anyhow::Result<()> {
    if demo {
        let empty = app.roots(app.clock.today()).await?.is_empty();
        if empty {
            out!(
                "{}",
                lang.pick("Đang nạp dữ liệu mẫu tỉnh Lạng Sơn…", "Loading the Lạng Sơn demo…")
            );
            app.load_demo(2023, &|_| {}).await?;
            let accounts = app.demo_accounts().await?;
            out!(
                "{}",
                lang.pick(
                    "Tài khoản mẫu (mật khẩu chỉ in ra lần này):",
                    "Demo accounts (passwords are shown only now):"
                )
            );
            for a in &accounts {
                out!(
                    "  {:<10} {:<20} {:<30} {}",
                    a.username,
                    a.password,
                    lang.pick(a.role.vi(), a.role.en()),
                    a.scope.as_deref().unwrap_or(lang.pick("toàn hệ thống", "everything"))
                );
            }
        } else {
            out!(
                "{}",
                lang.pick(
                    "Cơ sở dữ liệu đã có dữ liệu: không nạp lại dữ liệu mẫu. Đặt lại mật khẩu bằng «dangbo user reset-password <tên>».",
                    "The database already holds data: the demo is not loaded again. Reset a password with «dangbo user reset-password <name>».",
                )
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    out!(
        "{} http://{addr}",
        lang.pick("dangbo đang chạy tại", "dangbo is serving at")
    );
    tracing::info!(%addr, "listening");
    dangbo_web::serve_on(listener, app.clone(), config, shutdown()).await?;
    tracing::info!("stopped");
    app.db.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\n', '\r']).to_string(), false))
    } else {
        Ok((dangbo_app::accounts::readable_password(), true))
    }
}

/// `dangbo user …`.
pub async fn user(app: &App, cmd: UserCmd, lang: Lang) -> anyhow::Result<()> {
    let today = app.clock.today();
    match cmd {
        UserCmd::Add {
            username,
            name,
            person,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            app.add_user(&username, &name, &password, person.as_deref()).await?;
            say(
                lang,
                format!("Đã tạo tài khoản «{username}»."),
                format!("Created account «{username}»."),
            );
            if generated {
                say(lang, format!("Mật khẩu: {password}"), format!("Password: {password}"));
            }
        }
        UserCmd::Grant {
            username,
            role,
            org,
            from,
        } => {
            let from = from.unwrap_or(today);
            app.grant(&username, role, org.as_ref(), from).await?;
            let scope = org.map_or_else(
                || lang.pick("toàn hệ thống", "everything").to_string(),
                |o| o.to_string(),
            );
            say(
                lang,
                format!(
                    "Đã giao «{}» trên {scope} cho «{username}» từ {}.",
                    role.vi(),
                    short(from)
                ),
                format!(
                    "Granted «{}» over {scope} to «{username}» from {}.",
                    role.en(),
                    short(from)
                ),
            );
        }
        UserCmd::Revoke { username, role, org } => {
            let n = app.revoke(&username, role, org.as_ref()).await?;
            say(
                lang,
                format!("Đã thu hồi {n} vai trò."),
                format!("Revoked {n} grant(s)."),
            );
        }
        UserCmd::ResetSecondFactor { username } => {
            app.reset_second_factor(&username).await?;
            say(
                lang,
                format!("Đã gỡ xác thực hai bước của «{username}»; tài khoản đăng nhập lại bằng mật khẩu."),
                format!("Removed the two-step sign-in of «{username}»; the account signs in with its password again."),
            );
        }
        UserCmd::ResetPassword {
            username,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            app.reset_password(&username, &password).await?;
            say(
                lang,
                format!("Đã đặt lại mật khẩu của «{username}»."),
                format!("Reset the password of «{username}»."),
            );
            if generated {
                say(
                    lang,
                    format!("Mật khẩu mới: {password}"),
                    format!("New password: {password}"),
                );
            }
        }
        UserCmd::Token { username, name, days } => {
            let token = app.create_token(&username, &name, days).await?;
            say(
                lang,
                format!("Mã API (dùng trong «Authorization: Bearer …», chỉ in một lần):\n{token}"),
                format!("API token (send as «Authorization: Bearer …»; shown once):\n{token}"),
            );
        }
        UserCmd::List => {
            for a in app.accounts().await? {
                out!(
                    "{}  {}{}",
                    a.account.username,
                    a.account.display_name,
                    if a.account.disabled { " (khóa)" } else { "" }
                );
                for (g, code) in a.grants {
                    out!("    {}", g.describe(code.as_ref(), lang));
                }
            }
        }
    }
    Ok(())
}

/// `dangbo audit verify`: exit 0 when the chain holds, 1 with where it breaks.
pub async fn audit(app: &App, cmd: AuditCmd, lang: Lang) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Verify => match app.verify_audit().await? {
            Ok(n) => {
                say(
                    lang,
                    format!("Nhật ký nguyên vẹn: {n} dòng, chuỗi băm khớp."),
                    format!("The audit log is intact: {n} lines, the hash chain holds."),
                );
                Ok(())
            }
            Err(b) => {
                let (vi, en) = match b {
                    AuditBreak::Gap { expected, found } => (
                        format!("thiếu hoặc đảo dòng: cần dòng {expected}, gặp dòng {found}"),
                        format!("a line is missing or moved: expected line {expected}, found {found}"),
                    ),
                    AuditBreak::Hash { id } => (
                        format!("dòng {id} đã bị sửa hoặc đảo thứ tự"),
                        format!("line {id} was edited or reordered"),
                    ),
                    AuditBreak::Head { recorded, found } => (
                        format!("các dòng cuối đã bị xóa (đầu chuỗi ghi nhận {recorded}, thực tế {found})"),
                        format!("lines were removed from the end (head recorded {recorded}, found {found})"),
                    ),
                };
                Err(UserError(
                    lang.pick(
                        &format!("Nhật ký bị can thiệp: {vi}"),
                        &format!("The audit log was tampered with: {en}"),
                    )
                    .to_string(),
                )
                .into())
            }
        },
    }
}
