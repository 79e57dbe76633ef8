//! Accounts: creating them, granting and revoking roles, passwords (argon2id), sign-in
//! with throttling, sessions and API tokens kept in the database (so any instance can
//! serve any request), and the demo's accounts.

use crate::access::{Caller, Grant, Role};
use crate::{App, AppError, Result, totp};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use dangbo_domain::date::short;
use dangbo_domain::org::OrgCode;
use dangbo_domain::{Date, Lang};
use dangbo_store::{AccountRow, NewSession, Tx};
use sha2::{Digest, Sha256};

/// Failed sign-ins allowed for one user name within [`THROTTLE_MINUTES`].
pub const MAX_FAILURES: i64 = 5;
/// Failed sign-ins allowed from one address, whatever the names, within
/// [`THROTTLE_MINUTES`] (an office behind one address shares it).
pub const MAX_ADDRESS_FAILURES: i64 = 30;
/// The window over which failed sign-ins are counted, and the wait after too many.
pub const THROTTLE_MINUTES: i64 = 15;
/// How long a web session lasts.
pub const SESSION_HOURS: i64 = 12;
/// How long a web session may go unused before it ends.
pub const IDLE_MINUTES: i64 = 30;
pub use crate::passwords::{MIN_PASSWORD, check_password};

/// How long a sign-in waits for the authenticator's code.
pub const CODE_MINUTES: i64 = 5;

/// How a sign-in went: a session, or a wait for the authenticator's code.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Signed in.
    Open(Opened),
    /// The password was right; the code is next. Holds the token that names this wait.
    Code(String),
}

/// An account's second factor as its owner sees it.
#[derive(Debug, Clone, Default)]
pub struct SecondFactor {
    /// Whether sign-in asks for a code.
    pub on: bool,
    /// Since when.
    pub since: Option<String>,
    /// A secret offered for an app and not yet confirmed: grouped for typing, and as the
    /// address a QR code carries.
    pub offer: Option<(String, String)>,
}

/// A secret in groups of four, as people type it.
fn group(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Refuses a sign-in for a user name that failed too often lately, or from an address
/// that did, whatever the names it tried.
async fn throttled(tx: &mut Tx, username: &str, from: Option<&str>, clock: &crate::Clock) -> Result<()> {
    let since = clock.timestamp_in(-THROTTLE_MINUTES * 60);
    if tx.login_failures_since(username, &since).await? >= MAX_FAILURES {
        return Err(AppError::rejected(
            format!("Đăng nhập sai quá {MAX_FAILURES} lần: hãy thử lại sau {THROTTLE_MINUTES} phút"),
            format!("Too many failed sign-ins ({MAX_FAILURES}): try again in {THROTTLE_MINUTES} minutes"),
        ));
    }
    if let Some(address) = from
        && tx.address_failures_since(address, &since).await? >= MAX_ADDRESS_FAILURES
    {
        return Err(AppError::rejected(
            format!("Có quá nhiều lần đăng nhập sai từ máy này: hãy thử lại sau {THROTTLE_MINUTES} phút"),
            format!("Too many failed sign-ins from this machine: try again in {THROTTLE_MINUTES} minutes"),
        ));
    }
    Ok(())
}

/// A session just opened: the secret for the cookie, and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The session secret (only its hash is stored).
    pub token: String,
    /// The CSRF token.
    pub csrf: String,
}

/// A session found by its secret.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who.
    pub caller: Caller,
    /// The CSRF token forms must carry (empty for API tokens, which need none).
    pub csrf: String,
    /// The language chosen.
    pub lang: Lang,
    /// Whether this is an API token rather than a browser session.
    pub api: bool,
}

/// An account with all its grants, for the account list.
#[derive(Debug, Clone)]
pub struct AccountInfo {
    /// The account.
    pub account: AccountRow,
    /// Every grant, with the code of its organization.
    pub grants: Vec<(Grant, Option<OrgCode>)>,
}

/// A fresh random secret: 32 bytes in hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    // The operating system's generator does not fail on the systems dangbo runs on; if
    // it ever did, a session could not be made safely, so stopping is right.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut b).expect("the operating system's random generator failed");
    crate::hex(&b)
}

/// The stored form of a secret.
pub fn token_hash(token: &str) -> String {
    crate::hex(&Sha256::digest(token.as_bytes()))
}

fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| {
            AppError::rejected(
                format!("Không băm được mật khẩu: {e}"),
                format!("Cannot hash the password: {e}"),
            )
        })
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

fn check_username(username: &str) -> Result<()> {
    let ok = (3..=32).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        return Ok(());
    }
    Err(AppError::rejected(
        format!(
            "Tên đăng nhập «{username}» không hợp lệ: 3 đến 32 ký tự gồm chữ thường không dấu, số, dấu chấm, gạch ngang, gạch dưới"
        ),
        format!(
            "User name «{username}» is not valid: 3 to 32 characters, lowercase letters without diacritics, digits, dot, hyphen, underscore"
        ),
    ))
}

fn no_account(username: &str) -> AppError {
    AppError::NotFound {
        vi: format!("Không có tài khoản «{username}»"),
        what: format!("no account «{username}»"),
    }
}

async fn account_named(tx: &mut Tx, username: &str) -> Result<AccountRow> {
    tx.account_by_username(username)
        .await?
        .ok_or_else(|| no_account(username))
}

/// A stored grant, if its role is one this version knows.
fn grant(g: dangbo_store::GrantRow) -> Option<Grant> {
    Some(Grant {
        id: g.id,
        role: Role::from_code(&g.role)?,
        org: g.org_id,
        validity: g.validity,
    })
}

impl App {
    /// Creates an account, optionally belonging to the person with party card number or
    /// citizen ID `person`.
    pub async fn add_user(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        person: Option<&str>,
    ) -> Result<i64> {
        check_username(username)?;
        check_password(username, password)?;
        let display = display_name.trim();
        if display.is_empty() {
            return Err(AppError::rejected(
                "Cần có họ và tên hiển thị",
                "A display name is needed",
            ));
        }
        let hash = hash_password(password)?;
        let mut tx = self.db.write().await?;
        let person = match person {
            Some(key) => Some(crate::members::find_in(&mut tx, key).await?),
            None => None,
        };
        let id = tx
            .insert_account(username, display, &hash, person, &self.clock.timestamp())
            .await?;
        let detail = match person {
            Some(p) => format!("«{display}», người số {}", p.0),
            None => format!("«{display}»"),
        };
        self.audit(&mut tx, "account.add", &format!("account:{username}"), &detail)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Grants `role` over the subtree of `org` (everything for the administrator) from `from`.
    pub async fn grant(&self, username: &str, role: Role, org: Option<&OrgCode>, from: Date) -> Result<()> {
        let mut tx = self.db.write().await?;
        let account = account_named(&mut tx, username).await?;
        let org_id = match (role.is_global(), org) {
            (true, None) => None,
            (true, Some(_)) => {
                return Err(AppError::rejected(
                    format!(
                        "Vai trò «{}» áp dụng cho toàn hệ thống, không gắn với tổ chức",
                        role.vi()
                    ),
                    format!("The role «{}» covers the whole system, not an organization", role.en()),
                ));
            }
            (false, None) => {
                return Err(AppError::rejected(
                    format!("Vai trò «{}» cần một tổ chức đảng (--org)", role.vi()),
                    format!("The role «{}» needs an organization (--org)", role.en()),
                ));
            }
            (false, Some(code)) => Some(crate::orgs::get(&mut tx, code, from).await?.id),
        };
        tx.insert_grant(account.id, role.code(), org_id, from, &self.actor)
            .await?;
        let scope = org.map_or_else(|| "toàn hệ thống".to_string(), |c| c.to_string());
        self.audit(
            &mut tx,
            "account.grant",
            &format!("account:{username}"),
            &format!("{} tại {scope} từ {}", role.code(), short(from)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends, from today, the grants of `role` (over `org`, or any) that `username` holds.
    /// Returns how many ended.
    pub async fn revoke(&self, username: &str, role: Role, org: Option<&OrgCode>) -> Result<usize> {
        let today = self.clock.today();
        let mut tx = self.db.write().await?;
        let account = account_named(&mut tx, username).await?;
        let org_id = match org {
            Some(code) => tx.org_id_of(code).await?,
            None => None,
        };
        let mut ended = 0;
        for g in tx.grants_of(account.id).await? {
            let open = g.validity.to.is_none_or(|to| to > today);
            if open && g.role == role.code() && (org.is_none() || g.org_id == org_id) {
                tx.end_grant(g.id, today.max(g.validity.from)).await?;
                ended += 1;
            }
        }
        if ended == 0 {
            return Err(AppError::rejected(
                format!("Tài khoản «{username}» không giữ vai trò «{}» ở đó", role.vi()),
                format!("Account «{username}» does not hold the role «{}» there", role.en()),
            ));
        }
        self.audit(
            &mut tx,
            "account.revoke",
            &format!("account:{username}"),
            &format!(
                "{} tại {} từ {}",
                role.code(),
                org.map_or("*", OrgCode::as_str),
                short(today)
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Sets a new password and ends every session and token of the account.
    pub async fn reset_password(&self, username: &str, password: &str) -> Result<()> {
        check_password(username, password)?;
        let hash = hash_password(password)?;
        let mut tx = self.db.write().await?;
        let account = account_named(&mut tx, username).await?;
        tx.set_password_hash(account.id, &hash).await?;
        let ended = tx.delete_sessions_of(account.id).await?;
        tx.clear_login_failures(username).await?;
        self.audit(
            &mut tx,
            "account.reset-password",
            &format!("account:{username}"),
            &format!("{ended} phiên bị đóng"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every account with its grants.
    pub async fn accounts(&self) -> Result<Vec<AccountInfo>> {
        let mut tx = self.db.read().await?;
        let mut out = Vec::new();
        for account in tx.accounts().await? {
            let mut grants = Vec::new();
            for g in tx.grants_of(account.id).await? {
                let Some(role) = Role::from_code(&g.role) else { continue };
                let code = match g.org_id {
                    Some(id) => tx.org_code_of(id).await?,
                    None => None,
                };
                grants.push((
                    Grant {
                        id: g.id,
                        role,
                        org: g.org_id,
                        validity: g.validity,
                    },
                    code,
                ));
            }
            out.push(AccountInfo { account, grants });
        }
        Ok(out)
    }

    /// Checks a user name and password, with throttling: after [`MAX_FAILURES`] failures
    /// within [`THROTTLE_MINUTES`] the account must wait. An account with a second factor
    /// then waits for its code ([`App::sign_in_code`]); any other gets its session.
    /// `from` is the address the attempt came from, when known.
    pub async fn sign_in(&self, username: &str, password: &str, lang: Lang, from: Option<&str>) -> Result<SignIn> {
        let username = username.trim().to_lowercase();
        let subject = format!("account:{username}");
        let mut tx = self.db.write().await?;
        if let Err(e) = throttled(&mut tx, &username, from, &self.clock).await {
            // Tries while waiting are recorded too, not counted.
            self.audit(&mut tx, "login.fail", &subject, "đang bị tạm khóa").await?;
            tx.commit().await?;
            return Err(e);
        }
        let account = tx.account_by_username(&username).await?;
        let ok = match &account {
            Some(a) => !a.disabled && password_matches(password, &a.password_hash),
            // Spend the same time as a real check, so timing does not tell which names exist.
            None => {
                let _ = password_matches(password, &DUMMY_HASH);
                false
            }
        };
        let Some(account) = account.filter(|_| ok) else {
            tx.record_login_failure(&username, from, &self.clock.timestamp())
                .await?;
            self.audit(&mut tx, "login.fail", &subject, "").await?;
            tx.commit().await?;
            return Err(AppError::rejected(
                "Tên đăng nhập hoặc mật khẩu không đúng",
                "Wrong user name or password",
            ));
        };
        if tx.totp(account.id).await?.is_some_and(|t| t.secret.is_some()) {
            let pending = random_token();
            tx.insert_pending_login(
                &token_hash(&pending),
                account.id,
                lang_code(lang),
                &self.clock.timestamp_in(CODE_MINUTES * 60),
            )
            .await?;
            self.audit(&mut tx, "login.password", &subject, "chờ mã xác thực")
                .await?;
            tx.commit().await?;
            return Ok(SignIn::Code(pending));
        }
        let opened = self.open_session(&mut tx, &account, lang, "").await?;
        tx.commit().await?;
        Ok(SignIn::Open(opened))
    }

    /// Signs in where no second factor can be typed (scripts, tests): as
    /// [`App::sign_in`], refusing accounts that have one.
    pub async fn login(&self, username: &str, password: &str, lang: Lang) -> Result<Opened> {
        match self.sign_in(username, password, lang, None).await? {
            SignIn::Open(opened) => Ok(opened),
            SignIn::Code(_) => Err(AppError::rejected(
                "Tài khoản này cần mã xác thực hai bước: hãy đăng nhập trên trang web",
                "This account needs its authenticator code: sign in on the web page",
            )),
        }
    }

    /// Finishes a sign-in that waits for the authenticator's code. A wrong code counts as
    /// a failed sign-in; each code is good once.
    pub async fn sign_in_code(&self, pending: &str, code: &str, from: Option<&str>) -> Result<Opened> {
        let hash = token_hash(pending);
        let mut tx = self.db.write().await?;
        let expired = || {
            AppError::rejected(
                "Lượt đăng nhập này đã hết hạn: hãy nhập lại tên đăng nhập và mật khẩu",
                "This sign-in has expired: enter your user name and password again",
            )
        };
        let found = tx.pending_login(&hash, &self.clock.timestamp()).await?;
        let account = match found {
            Some((id, _)) => tx.account(id).await?.filter(|a| !a.disabled),
            None => None,
        };
        let (Some((_, lang)), Some(account)) = (found, account) else {
            tx.commit().await?;
            return Err(expired());
        };
        let subject = format!("account:{}", account.username);
        if let Err(e) = throttled(&mut tx, &account.username, from, &self.clock).await {
            tx.delete_pending_login(&hash).await?;
            self.audit(&mut tx, "login.fail", &subject, "đang bị tạm khóa").await?;
            tx.commit().await?;
            return Err(e);
        }
        let row = tx.totp(account.id).await?.unwrap_or_default();
        let secret = row.secret.as_deref().and_then(totp::from_base32).ok_or_else(expired)?;
        let now = totp::step_of(self.clock.unix());
        let step = totp::accepted_step(&secret, code, now, row.last_step);
        let used = match step {
            Some(s) => tx.use_totp_step(account.id, s).await?,
            None => false,
        };
        if !used {
            tx.record_login_failure(&account.username, from, &self.clock.timestamp())
                .await?;
            self.audit(&mut tx, "login.fail", &subject, "sai mã xác thực").await?;
            tx.commit().await?;
            return Err(AppError::rejected(
                "Mã xác thực không đúng, đã dùng hoặc đã quá hạn: hãy nhập mã đang hiện trên ứng dụng",
                "The code is wrong, used already or too old: type the code your app shows now",
            ));
        }
        tx.delete_pending_login(&hash).await?;
        let lang = Lang::parse(&lang).unwrap_or_default();
        let opened = self.open_session(&mut tx, &account, lang, "mã xác thực").await?;
        tx.commit().await?;
        Ok(opened)
    }

    async fn open_session(&self, tx: &mut Tx, account: &AccountRow, lang: Lang, how: &str) -> Result<Opened> {
        tx.clear_login_failures(&account.username).await?;
        let opened = Opened {
            token: random_token(),
            csrf: random_token(),
        };
        tx.insert_session(&NewSession {
            token_hash: &token_hash(&opened.token),
            account_id: account.id,
            kind: "web",
            name: "",
            csrf: &opened.csrf,
            lang: lang_code(lang),
            created_at: &self.clock.timestamp(),
            expires_at: &self.clock.timestamp_in(SESSION_HOURS * 3600),
        })
        .await?;
        tx.delete_expired_sessions(&self.clock.timestamp()).await?;
        self.audit(tx, "login", &format!("account:{}", account.username), how)
            .await?;
        Ok(opened)
    }

    /// The caller's second factor: whether it is on, and a secret offered to set it up.
    pub async fn second_factor(&self, caller: &Caller) -> Result<SecondFactor> {
        let mut tx = self.db.read().await?;
        let row = tx.totp(caller.account_id).await?.unwrap_or_default();
        let offer = row.pending.as_deref().and_then(totp::from_base32).map(|secret| {
            (
                group(&totp::base32(&secret)),
                totp::uri("dangbo", &caller.username, &secret),
            )
        });
        Ok(SecondFactor {
            on: row.secret.is_some(),
            since: row.since,
            offer,
        })
    }

    /// Offers the caller a new secret for an authenticator app; it is used once a code
    /// from it has been typed ([`App::enable_second_factor`]).
    pub async fn offer_second_factor(&self, caller: &Caller) -> Result<()> {
        let secret = totp::base32(&crate::random_bytes::<20>()?);
        let mut tx = self.db.write().await?;
        tx.offer_totp(caller.account_id, &secret).await?;
        self.audit(
            &mut tx,
            "account.2fa-offer",
            &format!("account:{}", caller.username),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns the second factor on with the first code of the offered secret.
    pub async fn enable_second_factor(&self, caller: &Caller, code: &str) -> Result<()> {
        let mut tx = self.db.write().await?;
        let row = tx.totp(caller.account_id).await?.unwrap_or_default();
        let Some(secret) = row.pending.as_deref().and_then(totp::from_base32) else {
            return Err(AppError::rejected(
                "Chưa có mã bí mật để cài: hãy bấm «Cài xác thực hai bước» trước",
                "No secret to set up: press «Set up two-step sign-in» first",
            ));
        };
        let now = totp::step_of(self.clock.unix());
        let Some(step) = totp::accepted_step(&secret, code, now, 0) else {
            return Err(AppError::rejected(
                "Mã không đúng: hãy kiểm tra giờ trên điện thoại và nhập mã đang hiện",
                "The code is not right: check the phone's clock and type the code it shows now",
            ));
        };
        tx.confirm_totp(caller.account_id, step, &self.clock.timestamp())
            .await?;
        self.audit(&mut tx, "account.2fa-on", &format!("account:{}", caller.username), "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Turns the caller's second factor off, on their password.
    pub async fn disable_second_factor(&self, caller: &Caller, password: &str) -> Result<()> {
        let mut tx = self.confirm_password(caller, password).await?;
        tx.delete_totp(caller.account_id).await?;
        self.audit(&mut tx, "account.2fa-off", &format!("account:{}", caller.username), "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes an account's second factor away (a lost phone), ending its sessions; the
    /// administrator's command `dangbo user reset-2fa`.
    pub async fn reset_second_factor(&self, username: &str) -> Result<()> {
        let mut tx = self.db.write().await?;
        let account = account_named(&mut tx, username).await?;
        if !tx.delete_totp(account.id).await? {
            return Err(AppError::rejected(
                format!("Tài khoản «{username}» chưa bật xác thực hai bước"),
                format!("Account «{username}» has no two-step sign-in"),
            ));
        }
        let ended = tx.delete_sessions_of(account.id).await?;
        self.audit(
            &mut tx,
            "account.2fa-reset",
            &format!("account:{username}"),
            &format!("{ended} phiên bị đóng"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the caller's own password, on the current one; every session of the
    /// account ends, this one too.
    pub async fn change_password(&self, caller: &Caller, current: &str, new: &str) -> Result<()> {
        check_password(&caller.username, new)?;
        let hash = hash_password(new)?;
        let mut tx = self.confirm_password(caller, current).await?;
        tx.set_password_hash(caller.account_id, &hash).await?;
        let ended = tx.delete_sessions_of(caller.account_id).await?;
        self.audit(
            &mut tx,
            "account.password",
            &format!("account:{}", caller.username),
            &format!("{ended} phiên bị đóng"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Opens the write transaction of a change to the caller's sign-in, once their
    /// password is checked; a wrong one is recorded as a failed sign-in.
    async fn confirm_password(&self, caller: &Caller, password: &str) -> Result<Tx> {
        let mut tx = self.db.write().await?;
        throttled(&mut tx, &caller.username, None, &self.clock).await?;
        let ok = tx
            .account(caller.account_id)
            .await?
            .is_some_and(|a| password_matches(password, &a.password_hash));
        if ok {
            return Ok(tx);
        }
        tx.record_login_failure(&caller.username, None, &self.clock.timestamp())
            .await?;
        self.audit(
            &mut tx,
            "login.fail",
            &format!("account:{}", caller.username),
            "sai mật khẩu hiện tại",
        )
        .await?;
        tx.commit().await?;
        Err(AppError::rejected(
            "Mật khẩu hiện tại không đúng",
            "The current password is wrong",
        ))
    }

    /// Makes an API token for scripts, valid for `days` days. The token is shown once.
    pub async fn create_token(&self, username: &str, name: &str, days: i64) -> Result<String> {
        let mut tx = self.db.write().await?;
        let account = account_named(&mut tx, username).await?;
        let token = random_token();
        tx.insert_session(&NewSession {
            token_hash: &token_hash(&token),
            account_id: account.id,
            kind: "api",
            name,
            csrf: "",
            lang: "vi",
            created_at: &self.clock.timestamp(),
            expires_at: &self.clock.timestamp_in(days.clamp(1, 3650) * 86_400),
        })
        .await?;
        self.audit(
            &mut tx,
            "account.token",
            &format!("account:{username}"),
            &format!("«{name}», {days} ngày"),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The session (or API token) for a secret, if it is valid now and its account is enabled.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let hash = token_hash(token);
        // One statement outside a transaction: every request starts here. A read is over
        // before a write begins: a request holding a connection while it waits for
        // another would, with a hundred requests of one session at the turn of a minute,
        // take the whole pool and stall every request until its timeout.
        let Some((s, account, grants)) = self.db.session(&hash).await? else {
            return Ok(None);
        };
        let now = self.clock.timestamp();
        if s.expires_at < now {
            return Ok(None);
        }
        let idle = s.kind == "web" && s.seen_at < self.clock.timestamp_in(-IDLE_MINUTES * 60);
        let account = Some(account).filter(|a| !a.disabled);
        let today = self.clock.today();
        let grants = match &account {
            Some(_) if !idle => grants
                .into_iter()
                .filter(|g| g.validity.contains(today))
                .filter_map(grant)
                .collect(),
            _ => Vec::new(),
        };
        // A browser session left unused ends early; its use is noted at most once a
        // minute, so that a busy page does not write on every request.
        if idle {
            let mut w = self.db.append().await?;
            w.delete_session(&hash).await?;
            w.commit().await?;
            return Ok(None);
        }
        if s.kind == "web" && s.seen_at < self.clock.timestamp_in(-60) {
            let mut w = self.db.append().await?;
            w.touch_session(&hash, &now).await?;
            w.commit().await?;
        }
        let Some(account) = account else {
            return Ok(None);
        };
        Ok(Some(Session {
            caller: Caller {
                account_id: account.id,
                username: account.username,
                display_name: account.display_name,
                person: account.person_id,
                grants,
            },
            csrf: s.csrf,
            lang: Lang::parse(&s.lang).unwrap_or_default(),
            api: s.kind == "api",
        }))
    }

    /// Remembers the language chosen in a session.
    pub async fn set_session_lang(&self, token: &str, lang: Lang) -> Result<()> {
        let mut tx = self.db.append().await?;
        tx.set_session_lang(&token_hash(token), lang_code(lang)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs out.
    pub async fn logout(&self, token: &str) -> Result<()> {
        let mut tx = self.db.append().await?;
        tx.delete_session(&token_hash(token)).await?;
        self.audit(&mut tx, "logout", &format!("account:{}", self.actor_name()), "")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// This app acting for `caller`: its changes are audited under their name.
    pub fn acting_as(&self, caller: &Caller) -> App {
        App {
            actor: format!("user:{}", caller.username),
            ..self.clone()
        }
    }

    pub(crate) fn actor_name(&self) -> &str {
        self.actor.split_once(':').map_or(&self.actor, |(_, n)| n)
    }

    /// Creates the demo's accounts, one per role, with fresh random passwords, and returns
    /// (user name, password, what it can see). Needs the demo data.
    pub async fn demo_accounts(&self) -> Result<Vec<DemoAccount>> {
        let today = self.clock.today();
        let bloc = OrgCode::parse("LS.CQD").map_err(|e| AppError::Invalid {
            field: "mã".into(),
            source: e,
        })?;
        let root = OrgCode::parse("LS").map_err(|e| AppError::Invalid {
            field: "mã".into(),
            source: e,
        })?;
        let tree = self.tree(Some(&bloc), today).await?;
        let cells: Vec<_> = tree.iter().filter(|n| n.org.kind.is_cell() && n.people > 0).collect();
        let (Some(cell), Some(other)) = (cells.first(), cells.last()) else {
            return Err(AppError::rejected("Chưa có dữ liệu mẫu", "The demo data is not loaded"));
        };
        let (members, _) = self.search_members(Some(&cell.org.code), today, "", 1, 0).await?;
        let member = members.first().and_then(|m| {
            m.row
                .membership
                .as_ref()
                .and_then(|ms| ms.card_number.as_ref())
                .map(|c| c.as_str().to_string())
                .or_else(|| m.row.person.citizen_id.as_ref().map(|c| c.as_str().to_string()))
        });
        type Spec<'a> = (&'a str, &'a str, Role, Option<&'a OrgCode>, Option<String>);
        let specs: Vec<Spec> = vec![
            ("quantri", "Quản trị hệ thống", Role::Admin, None, None),
            ("vanphong", "Văn phòng Tỉnh ủy", Role::Office, Some(&root), None),
            ("capuy", "Thường trực Đảng ủy Khối", Role::Leadership, Some(&bloc), None),
            ("bithu", "Bí thư chi bộ", Role::Secretary, Some(&cell.org.code), None),
            (
                "bithu2",
                "Bí thư chi bộ khác",
                Role::Secretary,
                Some(&other.org.code),
                None,
            ),
            ("dangvien", "Đảng viên", Role::Member, Some(&cell.org.code), member),
            (
                "kiemphieu",
                "Ban kiểm phiếu Đảng ủy Khối",
                Role::CountingBoard,
                Some(&bloc),
                None,
            ),
        ];
        let mut out = Vec::new();
        for (username, display, role, org, person) in specs {
            let password = readable_password();
            let name = match (&person, org) {
                (Some(_), _) => members
                    .first()
                    .map_or(display.to_string(), |m| m.row.person.name.to_string()),
                (None, Some(o)) if role == Role::Secretary => {
                    let org = self.org(o, today).await?;
                    format!("{display} — {}", org.name)
                }
                _ => display.to_string(),
            };
            self.add_user(username, &name, &password, person.as_deref()).await?;
            self.grant(username, role, org, today).await?;
            out.push(DemoAccount {
                username: username.to_string(),
                password,
                role,
                scope: org.map(|o| o.to_string()),
            });
        }
        // The demo's nomination needs its vote-counting board's account.
        self.load_demo_nomination().await?;
        Ok(out)
    }
}

/// One of the demo's accounts.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// User name.
    pub username: String,
    /// Its password.
    pub password: String,
    /// Its role.
    pub role: Role,
    /// The organization it is held over.
    pub scope: Option<String>,
}

/// A random password a person can type from the terminal: four groups of four.
pub fn readable_password() -> String {
    let t = random_token();
    format!("{}-{}-{}-{}", &t[0..4], &t[4..8], &t[8..12], &t[12..16])
}

fn lang_code(lang: Lang) -> &'static str {
    lang.pick("vi", "en")
}

/// The hash of a random password, checked against when the user name does not exist, so
/// that both cases take the same time.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&random_token()).unwrap_or_default());
