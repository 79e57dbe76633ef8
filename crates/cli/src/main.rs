//! The `dangbo` command: serve (later), migrate, demo, import, export, org, member,
//! backup and restore. It parses arguments, calls the application's use cases, and
//! prints results and errors as sentences, in Vietnamese unless `--lang en`.

/// Prints a line to standard output; when the reader has gone away (`dangbo … | head`),
/// stops quietly instead of failing.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// Prints a line to standard error, ignoring a reader that has gone away.
macro_rules! say_err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// mimalloc serves every allocation, Rust's and (through its override of `malloc`)
/// SQLite's: under a hundred clients glibc's allocator took a fifth of the server's time
/// (`perf`), and its page caches are freed and allocated again after every commit.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod backup;
mod print;
mod sealed;
mod serve;

use args::{Cli, Command, ExportWhat, ImportWhat, MemberCmd, OrgCmd};
use clap::Parser;
use dangbo_app::import::{ImportOptions, parse_mapping};
use dangbo_app::orgs::{NewOrg, SplitPlan};
use dangbo_app::{App, AppError, Clock};
use dangbo_domain::Lang;
use dangbo_domain::date::short;
use dangbo_domain::number::thousands;
use dangbo_store::Db;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            say_err!("{e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(app) = e.downcast_ref::<AppError>() {
                say_err!("{}: {}", lang.pick("Lỗi", "Error"), app.message(lang));
                ExitCode::from(if app.is_user_error() { 1 } else { 3 })
            } else if let Some(user) = e.downcast_ref::<print::UserError>() {
                say_err!("{}: {}", lang.pick("Lỗi", "Error"), user.0);
                ExitCode::from(1)
            } else {
                say_err!("{}: {e:#}", lang.pick("Lỗi hệ thống", "System error"));
                ExitCode::from(3)
            }
        }
    }
}

async fn open(url: &str, migrate: bool) -> anyhow::Result<Db> {
    let is_file = !(url.starts_with("postgres://") || url.starts_with("postgresql://"));
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    if is_file && !migrate && !std::path::Path::new(path).exists() {
        // Reading must not leave an empty database file behind.
        return Err(print::UserError(format!(
            "không có cơ sở dữ liệu {path}: hãy chạy «dangbo demo» hoặc «dangbo migrate», hoặc chỉ ra --database-url / there is no database at {path}: run «dangbo demo» or «dangbo migrate», or give --database-url"
        ))
        .into());
    }
    let db = match Db::open(url).await {
        Ok(db) => db,
        Err(e @ dangbo_store::StoreError::NotADatabase(_)) => return Err(AppError::from(e).into()),
        Err(e) => {
            return Err(anyhow::Error::from(e).context(format!("cannot open the database {}", print::redact(url))));
        }
    };
    if migrate {
        db.migrate().await.map_err(AppError::from)?;
    } else if !db.is_migrated().await.map_err(AppError::from)? {
        return Err(print::UserError(format!(
            "cơ sở dữ liệu {} chưa được khởi tạo: hãy chạy «dangbo migrate» hoặc «dangbo demo» / the database is empty: run «dangbo migrate» or «dangbo demo»",
            print::redact(url)
        ))
        .into());
    }
    Ok(db)
}

/// Prints a sentence in the user's language.
pub(crate) fn say(lang: Lang, vi: String, en: String) {
    out!("{}", lang.pick(&vi, &en));
}

/// Who runs the command, for the audit log: the login name, else the numeric user id.
/// (Accounts with passwords come with the web application; until then the command line
/// is trusted as the operating system's user.)
fn actor() -> String {
    let name = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    let uid = std::fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
    });
    match (name, uid) {
        (Some(n), Some(u)) => format!("cli:{n}(uid {u})"),
        (Some(n), None) => format!("cli:{n}"),
        (None, Some(u)) => format!("cli:uid {u}"),
        (None, None) => "cli:unknown".into(),
    }
}

/// Structured logs (JSON lines on stderr), filtered by `DANGBO_LOG` (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DANGBO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let lang = cli.lang;
    let clock = cli.today.map_or(Clock::System, Clock::as_if);
    let url = cli.database_url.clone();
    let needs_schema = !matches!(
        cli.command,
        Command::Migrate
            | Command::Demo { .. }
            | Command::Generate { .. }
            | Command::Restore { .. }
            | Command::Serve { .. }
    );
    if let Command::Restore { file, yes } = &cli.command {
        backup::restore(&url, file, *yes, lang).await?;
        // The restored database says who brought it back, and from what.
        let db = open(&url, false).await?;
        App::new(db.clone(), clock, actor())
            .record("restore", "database", &file.display().to_string())
            .await?;
        db.close().await;
        return Ok(());
    }
    if let Command::Generate {
        members,
        seed,
        out: Some(dir),
    } = &cli.command
    {
        let bar = print::Stages::new();
        let opts = dangbo_app::generate::GenerateOptions {
            members: *members,
            seed: *seed,
        };
        let s = dangbo_app::generate::generate_files(opts, dir, &bar)?;
        bar.finish();
        print::generated(&s, lang);
        return Ok(());
    }
    let db = open(&url, !needs_schema).await?;
    let app = App::new(db.clone(), clock.clone(), actor());
    let today = app.clock.today();
    let result = match cli.command {
        Command::Serve {
            addr,
            demo,
            secure_cookies,
            max_upload_mib,
            behind_proxy,
        } => {
            init_logging();
            let config = dangbo_web::Config {
                addr,
                secure_cookies,
                max_upload: max_upload_mib.saturating_mul(1024 * 1024),
                behind_proxy,
            };
            if let Some(d) = cli.today {
                say_err!(
                    "{}",
                    lang.pick(
                        &format!("Máy chủ coi hôm nay là ngày {}.", short(d)),
                        &format!("The server takes today to be {}.", short(d))
                    )
                );
            }
            let web = App::new(db.clone(), clock.clone(), "web");
            serve::serve(web, config, demo, lang).await
        }
        Command::User { cmd } => serve::user(&app, cmd, lang).await,
        Command::Audit { cmd } => serve::audit(&app, cmd, lang).await,
        Command::Migrate => {
            out!("{}", lang.pick("Cơ sở dữ liệu đã sẵn sàng.", "The database is ready."));
            Ok(())
        }
        Command::Demo { seed } => {
            let bar = print::spinner();
            let summary = app.load_demo(seed, &|stage| bar.set_message(stage.to_string())).await;
            bar.finish_and_clear();
            let s = summary?;
            out!(
                "{}",
                match lang {
                    Lang::Vi => format!(
                        "Đã tạo dữ liệu mẫu tỉnh Lạng Sơn: {} tổ chức đảng, {} người, {} cơ quan lãnh đạo, {} chức vụ.",
                        thousands(s.orgs),
                        thousands(s.people),
                        thousands(s.bodies),
                        thousands(s.positions)
                    ),
                    Lang::En => format!(
                        "Loaded the Lạng Sơn demo: {} organizations, {} people, {} bodies, {} positions.",
                        thousands(s.orgs),
                        thousands(s.people),
                        thousands(s.bodies),
                        thousands(s.positions)
                    ),
                }
            );
            out!("{}", lang.pick("Thử: dangbo org tree --depth 2   |   dangbo org tree --date 01/07/2025 --depth 2   |   dangbo member find \"nguyen van\"", "Try: dangbo org tree --depth 2   |   dangbo org tree --date 01/07/2025 --depth 2   |   dangbo member find \"nguyen van\""));
            Ok(())
        }
        Command::Generate { members, seed, .. } => {
            let bar = print::Stages::new();
            let opts = dangbo_app::generate::GenerateOptions { members, seed };
            let started = std::time::Instant::now();
            let s = app.generate(opts, &bar).await;
            bar.finish();
            print::generated(&s?, lang);
            say(
                lang,
                format!("Thời gian: {:.0} giây.", started.elapsed().as_secs_f64()),
                format!("Took {:.0} s.", started.elapsed().as_secs_f64()),
            );
            Ok(())
        }
        Command::Import { what } => match what {
            ImportWhat::Members {
                file,
                date,
                skip_invalid,
                rejects,
                mapping,
            } => {
                let mapping = match mapping {
                    Some(m) => parse_mapping(&std::fs::read_to_string(&m).map_err(|e| AppError::file(&m, e))?)?,
                    None => Default::default(),
                };
                let opts = ImportOptions {
                    skip_invalid,
                    on: date.unwrap_or(today),
                    mapping,
                    rejects,
                    scope: None,
                    dry_run: false,
                    name: None,
                };
                let bar = print::progress();
                let report = app
                    .import_members(&file, &opts, &|done, total| {
                        bar.set_length(total);
                        bar.set_position(done);
                    })
                    .await;
                bar.finish_and_clear();
                print::import_report(&report?, lang)
            }
            ImportWhat::Orgs { file } => match app.import_orgs(&file).await? {
                Ok(n) => {
                    say(
                        lang,
                        format!("Đã tạo {n} tổ chức đảng."),
                        format!("Created {n} organizations."),
                    );
                    Ok(())
                }
                Err(errors) => {
                    for e in &errors {
                        say_err!("{}", e.message(lang));
                    }
                    Err(print::UserError(
                        lang.pick(
                            "Không nhập tổ chức nào vì tệp có lỗi.",
                            "Nothing was imported: the file has errors.",
                        )
                        .into(),
                    )
                    .into())
                }
            },
        },
        Command::Report {
            kind,
            id,
            org,
            date,
            number,
            format,
            output,
        } => {
            use dangbo_app::paperwork::ReportKind;
            let kind = match kind {
                args::ReportKindArg::Minutes => ReportKind::Minutes { ballot: id },
                args::ReportKindArg::Indicators => ReportKind::Indicators {
                    document: id,
                    org,
                    on: date.unwrap_or(today),
                },
                args::ReportKindArg::Study => ReportKind::Study { campaign: id, org },
                args::ReportKindArg::Conference => ReportKind::Conference { conference: id, org },
                args::ReportKindArg::Plan => ReportKind::Plan {
                    list: id,
                    on: date.unwrap_or(today),
                },
            };
            let caller = dangbo_app::access::Caller::system("cli");
            let doc = app.report_doc(&caller, &kind, number.as_deref()).await?;
            match format {
                args::ReportFormat::Pdf => {
                    let bytes = dangbo_app::paper::render_pdf(&doc)?;
                    std::fs::write(&output, bytes)?;
                }
                args::ReportFormat::Docx => {
                    let bytes = dangbo_app::paper::render_docx(&doc)?;
                    std::fs::write(&output, bytes)?;
                }
                args::ReportFormat::Xlsx => {
                    dangbo_app::paper::write_tables(&doc, &output)?;
                }
            }
            app.record("report.write", &format!("{kind:?}"), &output.display().to_string())
                .await?;
            say(
                lang,
                format!("Đã lập «{}» vào {}.", doc.kind, output.display()),
                format!("Wrote «{}» to {}.", doc.kind, output.display()),
            );
            Ok(())
        }
        Command::Export { what } => match what {
            ExportWhat::Members { org, date, file } => {
                let n = app.export_members(&org, date.unwrap_or(today), &file).await?;
                say(
                    lang,
                    format!("Đã xuất {} người ra {}.", thousands(n as u64), file.display()),
                    format!("Exported {} people to {}.", thousands(n as u64), file.display()),
                );
                Ok(())
            }
            ExportWhat::Orgs { org, date, file } => {
                let n = app.export_orgs(&org, date.unwrap_or(today), &file).await?;
                say(
                    lang,
                    format!("Đã xuất {n} tổ chức ra {}.", file.display()),
                    format!("Exported {n} organizations to {}.", file.display()),
                );
                Ok(())
            }
        },
        Command::Org { cmd } => org(&app, cmd, today, lang).await,
        Command::Member { cmd } => member(&app, cmd, today, lang).await,
        Command::Backup { file, encrypt } => backup::backup(&app, &db, &url, &file, encrypt, lang).await,
        Command::Restore { .. } => Ok(()),
    };
    db.close().await;
    result
}

async fn org(app: &App, cmd: OrgCmd, today: dangbo_domain::Date, lang: Lang) -> anyhow::Result<()> {
    match cmd {
        OrgCmd::Tree { code, date, depth } => {
            let on = date.unwrap_or(today);
            let nodes = app.tree(code.as_ref(), on).await?;
            print::tree(&nodes, depth, on, lang);
        }
        OrgCmd::Show { code, date } => {
            let on = date.unwrap_or(today);
            let org = app.org(&code, on).await?;
            let history = app.org_history(&code).await?;
            let children = app.tree(Some(&code), on).await?;
            let stats = app.member_stats(&code, on).await?;
            let bodies = app.bodies(&code, on).await?;
            print::org(&org, &history, &children, &stats, &bodies, on, lang);
        }
        OrgCmd::History { code } => {
            for (v, parent) in app.org_history(&code).await? {
                print::version(&v, parent.as_ref(), lang, "");
            }
        }
        OrgCmd::Create {
            code,
            name,
            kind,
            level,
            parent,
            date,
        } => {
            let on = date.unwrap_or(today);
            app.create_org(
                &NewOrg {
                    code: code.clone(),
                    name,
                    kind,
                    level,
                    parent,
                },
                on,
            )
            .await?;
            say(
                lang,
                format!("Đã tạo tổ chức {code} từ ngày {}.", short(on)),
                format!("Created {code} from {}.", short(on)),
            );
        }
        OrgCmd::Rename { code, name, date } => {
            app.rename_org(&code, &name, date).await?;
            say(
                lang,
                format!("Đã đổi tên {code} thành «{name}» từ ngày {}.", short(date)),
                format!("Renamed {code} to «{name}» from {}.", short(date)),
            );
        }
        OrgCmd::Move { code, to, date } => {
            let r = app.move_org(&code, &to, date).await?;
            say(
                lang,
                format!(
                    "Đã chuyển {code} (cùng {} tổ chức) về trực thuộc {to} từ ngày {}.",
                    r.orgs,
                    short(date)
                ),
                format!(
                    "Moved {code} ({} organizations) under {to} from {}.",
                    r.orgs,
                    short(date)
                ),
            );
        }
        OrgCmd::Dissolve { code, date } => {
            app.dissolve_org(&code, date).await?;
            say(
                lang,
                format!("Đã giải thể {code} từ ngày {}.", short(date)),
                format!("Dissolved {code} from {}.", short(date)),
            );
        }
        OrgCmd::Merge {
            sources,
            into,
            name,
            kind,
            level,
            parent,
            date,
        } => {
            let create = match name {
                Some(name) => Some(NewOrg {
                    code: into.clone(),
                    name,
                    kind: kind.ok_or_else(|| {
                        print::UserError(
                            lang.pick("tạo tổ chức mới cần --kind", "a new organization needs --kind")
                                .into(),
                        )
                    })?,
                    level: level.ok_or_else(|| {
                        print::UserError(
                            lang.pick("tạo tổ chức mới cần --level", "a new organization needs --level")
                                .into(),
                        )
                    })?,
                    parent,
                }),
                None => None,
            };
            let r = app.merge_orgs(&sources, &into, create.as_ref(), date).await?;
            say(
                lang,
                format!(
                    "Đã hợp nhất {} tổ chức vào {into} từ ngày {}: {} tổ chức thay đổi, {} người chuyển sinh hoạt.",
                    sources.len(),
                    short(date),
                    r.orgs,
                    thousands(r.people as u64)
                ),
                format!(
                    "Merged {} organizations into {into} from {}: {} organizations changed, {} people moved.",
                    sources.len(),
                    short(date),
                    r.orgs,
                    thousands(r.people as u64)
                ),
            );
        }
        OrgCmd::Split {
            code,
            parts,
            assign,
            date,
        } => {
            let mut plan = SplitPlan {
                parts,
                ..Default::default()
            };
            if let Some(file) = assign {
                print::read_assignments(&file, &mut plan, lang)?;
            }
            let r = app.split_org(&code, &plan, date).await?;
            say(
                lang,
                format!(
                    "Đã chia tách {code} thành {} tổ chức từ ngày {}: {} người chuyển sinh hoạt.",
                    plan.parts.len(),
                    short(date),
                    thousands(r.people as u64)
                ),
                format!(
                    "Split {code} into {} organizations from {}: {} people moved.",
                    plan.parts.len(),
                    short(date),
                    thousands(r.people as u64)
                ),
            );
        }
    }
    Ok(())
}

async fn member(app: &App, cmd: MemberCmd, today: dangbo_domain::Date, lang: Lang) -> anyhow::Result<()> {
    match cmd {
        MemberCmd::Find {
            query,
            org,
            date,
            limit,
            page,
        } => {
            let on = date.unwrap_or(today);
            let query = query.join(" ");
            if query.trim().is_empty() {
                return Err(print::UserError(
                    lang.pick(
                        "Hãy nhập tên hoặc một phần tên để tìm",
                        "Give a name or part of one to search for",
                    )
                    .into(),
                )
                .into());
            }
            let (rows, total) = app
                .search_members(org.as_ref(), on, &query, limit, (page - 1) * limit)
                .await?;
            print::members(&rows, total, page, limit, on, lang);
        }
        MemberCmd::Show { key } => {
            let detail = app.member_detail(&key).await?;
            print::member(&detail, today, lang);
        }
        MemberCmd::Transfer { key, to, date } => {
            app.transfer_member(&key, &to, date).await?;
            say(
                lang,
                format!("Đã chuyển sinh hoạt đảng của {key} sang {to} từ ngày {}.", short(date)),
                format!("Transferred {key} to {to} from {}.", short(date)),
            );
        }
    }
    Ok(())
}
