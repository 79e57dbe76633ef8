//! The command line, as clap reads it. Values are parsed straight into domain types, so
//! a bad date or code is refused with the domain's own message before anything runs.

use clap::{Parser, Subcommand};
use dangbo_domain::date::parse_date;
use dangbo_domain::org::{Level, OrgCode, OrgKind, OrgName};
use dangbo_domain::{Date, Lang};
use std::path::PathBuf;

/// Both languages: clap reports a bad value before `--lang` is known.
fn both(e: dangbo_domain::Invalid) -> String {
    format!("{} / {}", e.message(Lang::Vi), e.message(Lang::En))
}

fn date(s: &str) -> Result<Date, String> {
    parse_date(s).map_err(both)
}

fn code(s: &str) -> Result<OrgCode, String> {
    OrgCode::parse(s).map_err(both)
}

fn org_name(s: &str) -> Result<OrgName, String> {
    OrgName::parse(s).map_err(both)
}

fn kind(s: &str) -> Result<OrgKind, String> {
    OrgKind::parse_text(s).ok_or_else(|| both(dangbo_domain::Invalid::OrgKind(s.into())))
}

fn level(s: &str) -> Result<Level, String> {
    Level::parse_text(s).ok_or_else(|| both(dangbo_domain::Invalid::Level(s.into())))
}

fn lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| "ngôn ngữ là «vi» hoặc «en» / language is «vi» or «en»".into())
}

fn part(s: &str) -> Result<(OrgCode, OrgName), String> {
    let (c, n) = s
        .split_once('=')
        .ok_or("cần dạng MÃ=Tên, ví dụ LS.CL.QL1=Chi bộ thôn Nà Sla 1")?;
    Ok((code(c)?, org_name(n)?))
}

/// dangbo: sổ đảng viên, cây tổ chức và hoạt động của đảng bộ (the working system of a
/// party organization).
#[derive(Parser, Debug)]
#[command(name = "dangbo", version, about, long_about = None, after_help = "Ngày viết dạng ngày/tháng/năm, ví dụ 15/11/2023. Mã lỗi: 1 = yêu cầu không hợp lệ, 2 = sai cú pháp lệnh, 3 = lỗi hệ thống.")]
pub struct Cli {
    /// Cơ sở dữ liệu: đường dẫn tệp SQLite, hoặc postgres://… (database: SQLite file or PostgreSQL URL)
    #[arg(
        long,
        global = true,
        env = "DANGBO_DATABASE_URL",
        default_value = "./dangbo.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// Ngôn ngữ thông báo: vi hoặc en (message language)
    #[arg(long, global = true, env = "DANGBO_LANG", default_value = "vi", value_parser = lang)]
    pub lang: Lang,
    /// Coi hôm nay là ngày này, giờ vẫn chạy tiếp (act as if today were this day, the time of day running on: rehearsals, replays of a past conference)
    #[arg(long, global = true, env = "DANGBO_TODAY", value_parser = date)]
    pub today: Option<dangbo_domain::Date>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Chạy máy chủ web và API (serve the web interface and the JSON API)
    Serve {
        /// Địa chỉ lắng nghe (address to listen on)
        #[arg(long, env = "DANGBO_ADDR", default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Nếu cơ sở dữ liệu trống: nạp dữ liệu mẫu và in các tài khoản mẫu (on an empty database: load the demo and print its accounts)
        #[arg(long)]
        demo: bool,
        /// Đánh dấu cookie «Secure»: bật khi phục vụ qua HTTPS (mark cookies Secure: use behind HTTPS)
        #[arg(long, env = "DANGBO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Dung lượng tải lên tối đa, MiB (largest upload, MiB)
        #[arg(long, env = "DANGBO_MAX_UPLOAD_MIB", default_value_t = 20)]
        max_upload_mib: usize,
        /// Chạy sau proxy (nginx) trên cùng máy: địa chỉ người dùng lấy từ X-Forwarded-For
        /// (behind a reverse proxy on this machine: the client's address is the last in X-Forwarded-For)
        #[arg(long, env = "DANGBO_BEHIND_PROXY")]
        behind_proxy: bool,
    },
    /// Tài khoản người dùng và vai trò (accounts and roles)
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Nhật ký truy cập (audit log)
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Tạo hoặc nâng cấp cấu trúc cơ sở dữ liệu (create or upgrade the schema)
    Migrate,
    /// Nạp dữ liệu mẫu một tỉnh như Lạng Sơn vào cơ sở dữ liệu trống (load the demo province)
    Demo {
        /// Hạt giống ngẫu nhiên: cùng hạt giống cho cùng dữ liệu (seed: same seed, same data)
        #[arg(long, default_value_t = 2023)]
        seed: u64,
    },
    /// Tạo dữ liệu tổng hợp toàn quốc: 34 tỉnh (63 tỉnh trước 1/7/2025), xã, tổ chức cơ sở,
    /// chi bộ, đảng viên, cấp ủy và hội nghị toàn quốc (generate a national registry)
    Generate {
        /// Số đảng viên (members)
        #[arg(long, default_value_t = 5_600_000)]
        members: u64,
        /// Hạt giống ngẫu nhiên: cùng hạt giống cho cùng dữ liệu (seed)
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Ghi ra tệp để nhập (to-chuc.csv, dang-vien.csv) trong thư mục này thay vì vào cơ sở
        /// dữ liệu (write the importers' files into this folder instead)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Nhập từ tệp .xlsx hoặc .csv (import)
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Xuất ra tệp .xlsx hoặc .csv (export)
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Cây tổ chức đảng và sắp xếp tổ chức (organization tree and restructuring)
    Org {
        #[command(subcommand)]
        cmd: OrgCmd,
    },
    /// Đảng viên: tìm, xem, chuyển sinh hoạt (members: find, show, transfer)
    Member {
        #[command(subcommand)]
        cmd: MemberCmd,
    },
    /// Lập văn bản theo thể thức của Đảng: PDF, DOCX hoặc bảng XLSX (write a document in the party's format)
    Report {
        /// Loại văn bản: minutes (biên bản kiểm phiếu), indicators (báo cáo chỉ tiêu), study (kết quả học tập), conference (báo cáo hội nghị), plan (tờ trình quy hoạch)
        #[arg(value_enum)]
        kind: ReportKindArg,
        /// Số của cuộc bỏ phiếu, văn bản (nghị quyết), đợt học tập hoặc hội nghị (the ballot, document, campaign or conference number)
        #[arg(long)]
        id: i64,
        /// Mã tổ chức báo cáo (the reporting organization's code)
        #[arg(long, value_parser = code)]
        org: Option<OrgCode>,
        /// Tính đến ngày (as of date; default: today)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Số văn bản trong sổ của cơ quan (the document's number in the register)
        #[arg(long)]
        number: Option<String>,
        /// Định dạng (format)
        #[arg(long, value_enum, default_value = "pdf")]
        format: ReportFormat,
        /// Tệp sẽ ghi (the file to write)
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
    /// Sao lưu cơ sở dữ liệu khi đang chạy (online backup)
    Backup {
        /// Tệp sao lưu sẽ tạo (must not exist)
        file: PathBuf,
        /// Mã hóa bằng cụm mật khẩu, đọc từ DANGBO_BACKUP_PASSPHRASE hoặc dòng đầu của đầu vào chuẩn (seal with a passphrase, from DANGBO_BACKUP_PASSPHRASE or the first line of standard input)
        #[arg(long)]
        encrypt: bool,
    },
    /// Khôi phục từ bản sao lưu; hãy dừng máy chủ trước (restore; stop the server first)
    Restore {
        /// Tệp sao lưu
        file: PathBuf,
        /// Không hỏi lại (do not ask for confirmation)
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportWhat {
    /// Nhập đảng viên; mặc định: có lỗi thì không nhập gì (import members; all or nothing)
    Members {
        /// Tệp .xlsx hoặc .csv với các cột «Họ và tên», «Ngày sinh», «Giới tính», «Dân tộc», «Số thẻ đảng viên», «Ngày vào Đảng», «Ngày chính thức», «Chi bộ»…
        file: PathBuf,
        /// Ngày hiệu lực của việc xếp và chuyển sinh hoạt (default: today)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Nhập các dòng hợp lệ, ghi các dòng lỗi ra tệp riêng (import valid rows, write rejects)
        #[arg(long)]
        skip_invalid: bool,
        /// Tệp ghi các dòng lỗi (default: <tệp>.loi.csv)
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Tệp ánh xạ cột: mỗi dòng «Tiêu đề trong tệp = trường» (column mapping file)
        #[arg(long)]
        mapping: Option<PathBuf>,
    },
    /// Nhập tổ chức đảng với các cột «Mã», «Tên tổ chức», «Loại», «Cấp», «Mã cấp trên», «Từ ngày»
    Orgs {
        /// Tệp .xlsx hoặc .csv
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExportWhat {
    /// Xuất đảng viên của một tổ chức và các tổ chức trực thuộc (export members of a subtree)
    Members {
        /// Mã tổ chức (organization code)
        #[arg(long, value_parser = code)]
        org: OrgCode,
        /// Tính đến ngày (as of date; default: today)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Tệp .xlsx hoặc .csv
        file: PathBuf,
    },
    /// Xuất cây tổ chức (export the organization tree)
    Orgs {
        /// Mã tổ chức gốc
        #[arg(long, value_parser = code)]
        org: OrgCode,
        /// Tính đến ngày (default: today)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Tệp .xlsx hoặc .csv
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrgCmd {
    /// Xem cây tổ chức tại một ngày (the tree as of a date)
    Tree {
        /// Mã tổ chức gốc (default: every root)
        #[arg(value_parser = code)]
        code: Option<OrgCode>,
        /// Tính đến ngày (default: today)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Số cấp hiển thị (levels shown)
        #[arg(long, default_value_t = 3)]
        depth: usize,
    },
    /// Thông tin một tổ chức: trực thuộc, cơ quan lãnh đạo, thống kê đảng viên (details)
    Show {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(value_parser = code)]
        code: OrgCode,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
    },
    /// Lịch sử các phiên bản của tổ chức (history)
    History {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(value_parser = code)]
        code: OrgCode,
    },
    /// Thành lập tổ chức (create)
    Create {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(long, value_parser = code)]
        code: OrgCode,
        /// Tên tổ chức (organization name)
        #[arg(long, value_parser = org_name)]
        name: OrgName,
        /// đảng bộ tỉnh | đảng bộ cấp trên cơ sở | đảng bộ cơ sở | chi bộ cơ sở | đảng bộ bộ phận | chi bộ trực thuộc
        #[arg(long, value_parser = kind)]
        kind: OrgKind,
        /// tỉnh | huyện | xã
        #[arg(long, value_parser = level)]
        level: Level,
        /// Mã tổ chức cấp trên
        #[arg(long, value_parser = code)]
        parent: Option<OrgCode>,
        /// Ngày thành lập (default: today)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
    },
    /// Đổi tên từ một ngày (rename)
    Rename {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(value_parser = code)]
        code: OrgCode,
        /// Tên tổ chức (organization name)
        #[arg(long, value_parser = org_name)]
        name: OrgName,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Date,
    },
    /// Chuyển về trực thuộc tổ chức khác, cùng mọi tổ chức trực thuộc nó (move)
    Move {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(value_parser = code)]
        code: OrgCode,
        /// Mã tổ chức cấp trên mới
        #[arg(long, value_parser = code)]
        to: OrgCode,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Date,
    },
    /// Giải thể một tổ chức đã trống (dissolve an empty organization)
    Dissolve {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(value_parser = code)]
        code: OrgCode,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Date,
    },
    /// Hợp nhất nhiều tổ chức vào một; đảng viên và tổ chức trực thuộc được chuyển theo (merge)
    Merge {
        /// Các tổ chức bị hợp nhất
        #[arg(required = true, value_parser = code)]
        sources: Vec<OrgCode>,
        /// Tổ chức nhận; nếu có --name thì tạo mới
        #[arg(long, value_parser = code)]
        into: OrgCode,
        /// Tên tổ chức mới (creates the target)
        #[arg(long, value_parser = org_name)]
        name: Option<OrgName>,
        /// Loại tổ chức mới (kind of the new organization)
        #[arg(long, value_parser = kind)]
        kind: Option<OrgKind>,
        /// Cấp của tổ chức mới: tỉnh, huyện, xã (level of the new organization)
        #[arg(long, value_parser = level)]
        level: Option<Level>,
        /// Mã tổ chức cấp trên của tổ chức mới (parent of the new organization)
        #[arg(long, value_parser = code)]
        parent: Option<OrgCode>,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Date,
    },
    /// Chia tách một tổ chức thành nhiều tổ chức mới (split)
    Split {
        /// Mã tổ chức, ví dụ LS.KCQ (organization code)
        #[arg(value_parser = code)]
        code: OrgCode,
        /// Tổ chức mới, dạng MÃ=Tên; lặp lại cho mỗi phần (at least two)
        #[arg(long = "part", required = true, value_parser = part)]
        parts: Vec<(OrgCode, OrgName)>,
        /// Tệp .csv hai cột: số thẻ đảng viên hoặc CCCD (hoặc mã tổ chức trực thuộc), và mã phần nhận; còn lại về phần đầu
        #[arg(long)]
        assign: Option<PathBuf>,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Date,
    },
}

#[derive(Subcommand, Debug)]
pub enum MemberCmd {
    /// Tìm theo tên, không cần dấu: «nguyen quoc doan», «doan» (find by name)
    Find {
        /// Tên hoặc một phần tên
        #[arg(required = true)]
        query: Vec<String>,
        /// Trong tổ chức (default: the whole tree)
        #[arg(long, value_parser = code)]
        org: Option<OrgCode>,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Option<Date>,
        /// Số dòng mỗi trang, 1 đến 1000 (rows per page)
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..=1000))]
        limit: i64,
        /// Trang, từ 1 (page)
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..=1_000_000))]
        page: i64,
    },
    /// Hồ sơ đảng viên theo số thẻ hoặc số CCCD (show; audited)
    Show {
        /// Số thẻ đảng viên hoặc số CCCD
        key: String,
    },
    /// Chuyển sinh hoạt đảng sang chi bộ khác (transfer)
    Transfer {
        /// Số thẻ đảng viên hoặc số CCCD
        key: String,
        /// Mã chi bộ mới
        #[arg(long, value_parser = code)]
        to: OrgCode,
        /// Ngày hiệu lực, dạng ngày/tháng/năm (effective date, dd/mm/yyyy)
        #[arg(long, value_parser = date)]
        date: Date,
    },
}

fn role(s: &str) -> Result<dangbo_app::access::Role, String> {
    dangbo_app::access::Role::from_code(s).ok_or_else(|| {
        "vai trò là một trong / role is one of: admin, office, leadership, secretary, operator, member, counting".into()
    })
}

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Tạo tài khoản; mật khẩu đọc từ đầu vào chuẩn với --password-stdin, nếu không sẽ được tạo ngẫu nhiên và in ra (add an account)
    Add {
        /// Tên đăng nhập (user name)
        username: String,
        /// Họ và tên hiển thị (display name)
        #[arg(long)]
        name: String,
        /// Số thẻ đảng viên hoặc CCCD của người sở hữu tài khoản (the person's card number or citizen ID)
        #[arg(long)]
        person: Option<String>,
        /// Đọc mật khẩu từ đầu vào chuẩn (read the password from stdin)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Giao vai trò trên một tổ chức và các tổ chức trực thuộc (grant a role over a subtree)
    Grant {
        /// Tên đăng nhập (user name)
        username: String,
        /// admin | office | leadership | secretary | operator | member | counting
        #[arg(value_parser = role)]
        role: dangbo_app::access::Role,
        /// Mã tổ chức (không dùng cho admin) (organization code; none for admin)
        #[arg(long, value_parser = code)]
        org: Option<OrgCode>,
        /// Có hiệu lực từ ngày (default: today)
        #[arg(long, value_parser = date)]
        from: Option<Date>,
    },
    /// Thu hồi vai trò từ hôm nay (revoke a role from today)
    Revoke {
        /// Tên đăng nhập (user name)
        username: String,
        /// Vai trò (role)
        #[arg(value_parser = role)]
        role: dangbo_app::access::Role,
        /// Chỉ thu hồi trên tổ chức này (only over this organization)
        #[arg(long, value_parser = code)]
        org: Option<OrgCode>,
    },
    /// Đặt lại mật khẩu và đóng mọi phiên đăng nhập (reset the password; ends every session)
    ResetPassword {
        /// Tên đăng nhập (user name)
        username: String,
        /// Đọc mật khẩu từ đầu vào chuẩn (read the password from stdin)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Gỡ xác thực hai bước (mất điện thoại) và đóng mọi phiên đăng nhập (remove two-step
    /// sign-in, for a lost phone; ends every session)
    #[command(name = "reset-2fa")]
    ResetSecondFactor {
        /// Tên đăng nhập (user name)
        username: String,
    },
    /// Tạo mã truy cập API cho tập lệnh; mã chỉ in ra một lần (make an API token; shown once)
    Token {
        /// Tên đăng nhập (user name)
        username: String,
        /// Dùng để làm gì (what it is for)
        #[arg(long, default_value = "api")]
        name: String,
        /// Số ngày hiệu lực (days valid)
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Danh sách tài khoản và vai trò (list accounts)
    List,
}

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Kiểm tra chuỗi băm của nhật ký: phát hiện dòng bị sửa, xóa hoặc đảo thứ tự (verify the hash chain)
    Verify,
}

/// The documents `dangbo report` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKindArg {
    /// Biên bản kiểm phiếu của một cuộc bỏ phiếu (--id: the ballot).
    Minutes,
    /// Báo cáo kết quả thực hiện chỉ tiêu của một nghị quyết (--id: the document).
    Indicators,
    /// Báo cáo kết quả học tập của một đợt (--id: the campaign).
    Study,
    /// Báo cáo kết quả hội nghị (--id: the conference).
    Conference,
    /// Tờ trình quy hoạch cán bộ (--id: the planning list).
    Plan,
}

/// The formats of a document.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// PDF, fonts embedded.
    Pdf,
    /// Word (Office Open XML).
    Docx,
    /// The tables, as a spreadsheet.
    Xlsx,
}
