//! The errors a use case reports, each with a message for the person who asked, in
//! Vietnamese or English.

use dangbo_domain::date::short;
use dangbo_domain::{Date, Invalid, Lang};
use dangbo_store::StoreError;

/// Why a use case did not do what was asked. Nothing was changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Something asked for does not exist (on the day asked about).
    #[error("not found: {what}")]
    NotFound {
        /// What was looked for, in Vietnamese.
        vi: String,
        /// The same, in English.
        what: String,
    },
    /// The request breaks a rule; the texts say which.
    #[error("rejected: {en}")]
    Rejected {
        /// Vietnamese explanation.
        vi: String,
        /// English explanation.
        en: String,
    },
    /// A value did not parse.
    #[error("invalid {field}: {source}")]
    Invalid {
        /// The field, in Vietnamese.
        field: String,
        /// Why.
        source: Invalid,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl AppError {
    /// A rejection with both texts.
    pub fn rejected(vi: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::Rejected {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// "No organization with code X on day D".
    pub fn no_org(code: &str, on: Date) -> AppError {
        AppError::NotFound {
            vi: format!("Không có tổ chức đảng mã «{code}» vào ngày {}", short(on)),
            what: format!("no organization with code «{code}» on {}", short(on)),
        }
    }

    /// A file that could not be read or written.
    pub fn file(path: &std::path::Path, source: std::io::Error) -> AppError {
        AppError::File {
            path: path.display().to_string(),
            source,
        }
    }

    /// "No member with number X".
    pub fn no_member(key: &str) -> AppError {
        AppError::NotFound {
            vi: format!("Không tìm thấy người có số thẻ đảng viên hoặc số CCCD «{key}»"),
            what: format!("no person with party card number or citizen ID «{key}»"),
        }
    }

    /// "No person with this id" (also what a person outside one's scope looks like).
    pub fn no_person(id: dangbo_domain::member::PersonId) -> AppError {
        AppError::NotFound {
            vi: format!("Không có người số {}", id.0),
            what: format!("no person number {}", id.0),
        }
    }

    /// Whether the caller is at fault (exit code 1), rather than the system.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            AppError::Store(StoreError::Database(_) | StoreError::Corrupt { .. } | StoreError::Schema(_))
        )
    }

    /// Whether the form that asked should be shown again with the message: the caller's
    /// input is at fault. "Not found" is not such an error: it is also what something
    /// outside the caller's scope looks like, and is answered as a missing page.
    pub fn is_form_error(&self) -> bool {
        self.is_user_error() && !matches!(self, AppError::NotFound { .. })
    }

    /// A field of a form that did not parse: its name, in Vietnamese, and why.
    pub fn field(name: &str, source: dangbo_domain::Invalid) -> AppError {
        AppError::Invalid {
            field: name.to_string(),
            source,
        }
    }

    /// This error as the answer to something typed into a form field (an organization's
    /// code, a point's number): "not found" becomes a refusal of the form, in the same
    /// words, so the form is shown again. It says no more than a missing page would.
    pub fn typed(self) -> AppError {
        match self {
            AppError::NotFound { vi, what } => AppError::Rejected { vi, en: what },
            e => e,
        }
    }

    /// The message for a person.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AppError::NotFound { vi, what } => lang.pick(vi, what).to_string(),
            AppError::Rejected { vi, en } => lang.pick(vi, en).to_string(),
            AppError::Invalid { field, source } => format!("{field}: {}", source.message(lang)),
            AppError::Store(StoreError::Duplicate(what)) => match lang {
                Lang::Vi => format!("Đã tồn tại: {what}"),
                Lang::En => format!("Already exists: {what}"),
            },
            AppError::Store(StoreError::NotADatabase(s)) => match lang {
                Lang::Vi => format!("Tệp không phải cơ sở dữ liệu SQLite hoặc đã hỏng ({s})"),
                Lang::En => format!("The file is not an SQLite database, or is damaged ({s})"),
            },
            AppError::Store(StoreError::Schema(s)) => match lang {
                Lang::Vi => format!("Cơ sở dữ liệu không dùng được: {s}"),
                Lang::En => format!("The database cannot be used: {s}"),
            },
            AppError::Store(e) => match lang {
                Lang::Vi => format!("Lỗi cơ sở dữ liệu: {e}"),
                Lang::En => format!("Database error: {e}"),
            },
            AppError::File { path, source } => {
                use std::io::ErrorKind::*;
                let (vi, en) = match source.kind() {
                    NotFound => (
                        "không có tệp hoặc thư mục này".to_string(),
                        "no such file or folder".to_string(),
                    ),
                    PermissionDenied => ("không có quyền đọc/ghi".to_string(), "permission denied".to_string()),
                    AlreadyExists => ("tệp đã có".to_string(), "the file exists already".to_string()),
                    _ => (source.to_string(), source.to_string()),
                };
                match lang {
                    Lang::Vi => format!("Không đọc/ghi được tệp «{path}»: {vi}"),
                    Lang::En => format!("Cannot read or write «{path}»: {en}"),
                }
            }
        }
    }
}
