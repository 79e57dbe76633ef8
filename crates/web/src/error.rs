//! One error type for the web layer: a status, a stable code and a message in the
//! caller's language. HTML pages render it in the layout; the API sends it as JSON. A 500
//! is logged with its detail, and the detail is never sent.

use axum::http::StatusCode;
use dangbo_app::AppError;
use dangbo_domain::Lang;
use dangbo_store::StoreError;

/// Why a request failed.
#[derive(Debug, Clone)]
pub struct WebError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code for scripts: `not_found`, `invalid`, `rejected`, `duplicate`,
    /// `unauthenticated`, `csrf`, `bad_request`, `internal`.
    pub code: &'static str,
    /// Message for the person, in their language.
    pub message: String,
}

impl WebError {
    /// An error from the application, worded in `lang`.
    pub fn from_app(e: &AppError, lang: Lang) -> WebError {
        let (status, code) = match e {
            AppError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::Rejected { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "rejected"),
            AppError::Store(StoreError::Duplicate(_)) => (StatusCode::CONFLICT, "duplicate"),
            AppError::File { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            return WebError::internal(e);
        }
        WebError {
            status,
            code,
            message: e.message(lang),
        }
    }

    /// A failure of the system: logged in full, answered with a plain message.
    pub fn internal(e: &dyn std::fmt::Display) -> WebError {
        tracing::error!(error = %e, "internal error");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "Lỗi hệ thống; đã được ghi lại. / A system error occurred; it has been logged.".into(),
        }
    }

    /// The page or record does not exist (or is outside the caller's scope).
    pub fn not_found(lang: Lang) -> WebError {
        WebError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: lang
                .pick(
                    "Không tìm thấy trang hoặc dữ liệu này",
                    "This page or record was not found",
                )
                .into(),
        }
    }

    /// A request that cannot be understood.
    pub fn bad_request(lang: Lang, vi: &str, en: &str) -> WebError {
        WebError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: lang.pick(vi, en).into(),
        }
    }

    /// A form sent without the token of the session that showed it.
    pub fn csrf(lang: Lang) -> WebError {
        WebError {
            status: StatusCode::FORBIDDEN,
            code: "csrf",
            message: lang
                .pick(
                    "Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang và gửi lại",
                    "The form has expired or is not valid; reload the page and send it again",
                )
                .into(),
        }
    }

    /// No valid session or token.
    pub fn unauthenticated(lang: Lang) -> WebError {
        WebError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthenticated",
            message: lang.pick("Cần đăng nhập", "Sign-in required").into(),
        }
    }
}
