//! Accounts, the roles they hold over organization subtrees, sessions and API tokens,
//! and failed sign-ins. Passwords and tokens are hashed before they reach this module.

use crate::rows::{corrupt, d, opt_date};
use crate::{Result, Tx, unique};
use dangbo_domain::Date;
use dangbo_domain::date::Validity;
use dangbo_domain::member::PersonId;
use dangbo_domain::org::OrgId;

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown in the interface.
    pub display_name: String,
    /// The argon2id hash in PHC form.
    pub password_hash: String,
    /// The person the account belongs to, for the member role.
    pub person_id: Option<PersonId>,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
}

/// A role held over the subtree of an organization for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// Id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// The role's code.
    pub role: String,
    /// The root of the subtree; `None` for everything.
    pub org_id: Option<OrgId>,
    /// The period.
    pub validity: Validity,
}

/// A stored session or API token, found by the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// The account.
    pub account_id: i64,
    /// `web` or `api`.
    pub kind: String,
    /// The token that forms must send back.
    pub csrf: String,
    /// The interface language chosen.
    pub lang: String,
    /// When it stops being valid (`2026-11-21T21:30:00+07:00`).
    pub expires_at: String,
    /// When it was last used (or opened, if not used since).
    pub seen_at: String,
}

/// A new session or token.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    /// SHA-256 of the secret, in hex.
    pub token_hash: &'a str,
    /// The account.
    pub account_id: i64,
    /// `web` or `api`.
    pub kind: &'a str,
    /// For API tokens, what it is for.
    pub name: &'a str,
    /// CSRF token for forms.
    pub csrf: &'a str,
    /// Language.
    pub lang: &'a str,
    /// Now.
    pub created_at: &'a str,
    /// End of validity.
    pub expires_at: &'a str,
}

type GrantTuple = (i64, i64, String, Option<i64>, String, Option<String>);

type AccountTuple = (i64, String, String, String, Option<i64>, i64);

fn account(t: AccountTuple) -> AccountRow {
    AccountRow {
        id: t.0,
        username: t.1,
        display_name: t.2,
        password_hash: t.3,
        person_id: t.4.map(PersonId),
        disabled: t.5 != 0,
    }
}

fn grant(r: GrantTuple) -> Result<GrantRow> {
    let from =
        opt_date("role_grant", "valid_from", Some(&r.4))?.ok_or_else(|| corrupt("role_grant", "valid_from", &r.4))?;
    let to = opt_date("role_grant", "valid_to", r.5.as_deref())?;
    Ok(GrantRow {
        id: r.0,
        account_id: r.1,
        role: r.2,
        org_id: r.3.map(OrgId),
        validity: Validity { from, to },
    })
}

const ACCOUNT_COLS: &str = "id, username, display_name, password_hash, person_id, disabled";

impl Tx {
    /// Stores a new account; a taken user name is [`crate::StoreError::Duplicate`].
    pub async fn insert_account(
        &mut self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        person: Option<PersonId>,
        at: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO account (username, display_name, password_hash, person_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(username)
        .bind(display_name)
        .bind(password_hash)
        .bind(person.map(|p| p.0))
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await
        .map_err(|e| unique(e, || format!("tài khoản «{username}»")))?;
        Ok(id)
    }

    /// The account with this user name.
    pub async fn account_by_username(&mut self, username: &str) -> Result<Option<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM account WHERE username = $1");
        let row: Option<AccountTuple> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(username)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(row.map(account))
    }

    /// The account with this id.
    pub async fn account(&mut self, id: i64) -> Result<Option<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM account WHERE id = $1");
        let row: Option<AccountTuple> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(row.map(account))
    }

    /// Every account, by user name.
    pub async fn accounts(&mut self) -> Result<Vec<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT_COLS} FROM account ORDER BY username");
        let rows: Vec<AccountTuple> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *self.inner)
            .await?;
        Ok(rows.into_iter().map(account).collect())
    }

    /// Replaces an account's password hash.
    pub async fn set_password_hash(&mut self, id: i64, hash: &str) -> Result<()> {
        sqlx::query("UPDATE account SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Grants a role over the subtree of `org` (or everything) from `from`.
    pub async fn insert_grant(
        &mut self,
        account_id: i64,
        role: &str,
        org: Option<OrgId>,
        from: Date,
        by: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO role_grant (account_id, role, org_id, valid_from, granted_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account_id)
        .bind(role)
        .bind(org.map(|o| o.0))
        .bind(d(from))
        .bind(by)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// Every grant an account has had, oldest first.
    pub async fn grants_of(&mut self, account_id: i64) -> Result<Vec<GrantRow>> {
        let rows: Vec<GrantTuple> = sqlx::query_as(
            "SELECT id, account_id, role, org_id, valid_from, valid_to FROM role_grant \
             WHERE account_id = $1 ORDER BY valid_from, id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.inner)
        .await?;
        rows.into_iter().map(grant).collect()
    }

    /// Ends a grant on `on` (it no longer holds that day).
    pub async fn end_grant(&mut self, id: i64, on: Date) -> Result<()> {
        sqlx::query("UPDATE role_grant SET valid_to = $1 WHERE id = $2")
            .bind(d(on))
            .bind(id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Stores a session or an API token.
    pub async fn insert_session(&mut self, s: &NewSession<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO session (token_hash, account_id, kind, name, csrf, lang, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.token_hash)
        .bind(s.account_id)
        .bind(s.kind)
        .bind(s.name)
        .bind(s.csrf)
        .bind(s.lang)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The session or token whose secret hashes to `token_hash`.
    pub async fn session(&mut self, token_hash: &str) -> Result<Option<SessionRow>> {
        type Row = (i64, String, String, String, String, String);
        let row: Option<Row> = sqlx::query_as(
            "SELECT account_id, kind, csrf, lang, expires_at, COALESCE(seen_at, created_at)
             FROM session WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(row.map(|r| SessionRow {
            account_id: r.0,
            kind: r.1,
            csrf: r.2,
            lang: r.3,
            expires_at: r.4,
            seen_at: r.5,
        }))
    }

    /// Records that a session was used at `at`.
    pub async fn touch_session(&mut self, token_hash: &str, at: &str) -> Result<()> {
        sqlx::query("UPDATE session SET seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(at)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Changes a session's language.
    pub async fn set_session_lang(&mut self, token_hash: &str, lang: &str) -> Result<()> {
        sqlx::query("UPDATE session SET lang = $1 WHERE token_hash = $2")
            .bind(lang)
            .bind(token_hash)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Ends every session and token of an account (after a password reset).
    pub async fn delete_sessions_of(&mut self, account_id: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM session WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *self.inner)
            .await?;
        Ok(r.rows_affected())
    }

    /// Removes sessions that expired before `now`.
    pub async fn delete_expired_sessions(&mut self, now: &str) -> Result<u64> {
        let r = sqlx::query("DELETE FROM session WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.inner)
            .await?;
        Ok(r.rows_affected())
    }

    /// Records a failed sign-in, with the address it came from when known.
    pub async fn record_login_failure(&mut self, username: &str, address: Option<&str>, at: &str) -> Result<()> {
        sqlx::query("INSERT INTO login_failure (username, address, at) VALUES ($1, $2, $3)")
            .bind(username)
            .bind(address)
            .bind(at)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// How many sign-ins failed for `username` at or after `since`.
    pub async fn login_failures_since(&mut self, username: &str, since: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM login_failure WHERE username = $1 AND at >= $2")
            .bind(username)
            .bind(since)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }

    /// How many sign-ins failed from `address` at or after `since`, whatever the names.
    pub async fn address_failures_since(&mut self, address: &str, since: &str) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM login_failure WHERE address = $1 AND at >= $2")
            .bind(address)
            .bind(since)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n)
    }

    /// Forgets the failed sign-ins of `username` (after a successful one).
    pub async fn clear_login_failures(&mut self, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failure WHERE username = $1")
            .bind(username)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

/// An account's second factor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotpRow {
    /// The confirmed secret (base32); `None` while only offered.
    pub secret: Option<String>,
    /// A secret offered and not yet confirmed by a code.
    pub pending: Option<String>,
    /// The step of the last code accepted.
    pub last_step: i64,
    /// When it was turned on.
    pub since: Option<String>,
}

impl Tx {
    /// The second factor of an account, if one was ever offered to it.
    pub async fn totp(&mut self, account_id: i64) -> Result<Option<TotpRow>> {
        type Row = (Option<String>, Option<String>, i64, Option<String>);
        let row: Option<Row> =
            sqlx::query_as("SELECT secret, pending, last_step, since FROM account_totp WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(row.map(|(secret, pending, last_step, since)| TotpRow {
            secret,
            pending,
            last_step,
            since,
        }))
    }

    /// Offers a new secret to an account; a confirmed one stays in force until the new
    /// one is confirmed.
    pub async fn offer_totp(&mut self, account_id: i64, secret: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO account_totp (account_id, pending) VALUES ($1, $2)
             ON CONFLICT (account_id) DO UPDATE SET pending = excluded.pending",
        )
        .bind(account_id)
        .bind(secret)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Makes the offered secret the account's, from the step of its first code.
    pub async fn confirm_totp(&mut self, account_id: i64, step: i64, since: &str) -> Result<()> {
        sqlx::query(
            "UPDATE account_totp SET secret = pending, pending = NULL, last_step = $2, since = $3
             WHERE account_id = $1 AND pending IS NOT NULL",
        )
        .bind(account_id)
        .bind(step)
        .bind(since)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// Records that the code of `step` was used; false when that step, or a later one,
    /// was used already (the same code sent twice at once counts once).
    pub async fn use_totp_step(&mut self, account_id: i64, step: i64) -> Result<bool> {
        let r = sqlx::query("UPDATE account_totp SET last_step = $2 WHERE account_id = $1 AND last_step < $2")
            .bind(account_id)
            .bind(step)
            .execute(&mut *self.inner)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Turns an account's second factor off.
    pub async fn delete_totp(&mut self, account_id: i64) -> Result<bool> {
        let r = sqlx::query("DELETE FROM account_totp WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *self.inner)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Remembers a sign-in that waits for its code.
    pub async fn insert_pending_login(
        &mut self,
        token_hash: &str,
        account_id: i64,
        lang: &str,
        expires_at: &str,
    ) -> Result<()> {
        sqlx::query("INSERT INTO pending_login (token_hash, account_id, lang, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(account_id)
            .bind(lang)
            .bind(expires_at)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// The account and language of a sign-in waiting for its code, unless it expired
    /// before `now`; expired ones are forgotten.
    pub async fn pending_login(&mut self, token_hash: &str, now: &str) -> Result<Option<(i64, String)>> {
        sqlx::query("DELETE FROM pending_login WHERE expires_at < $1")
            .bind(now)
            .execute(&mut *self.inner)
            .await?;
        Ok(
            sqlx::query_as("SELECT account_id, lang FROM pending_login WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut *self.inner)
                .await?,
        )
    }

    /// Forgets a sign-in that waited for its code.
    pub async fn delete_pending_login(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM pending_login WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Keeps an uploaded file until it is imported.
    pub async fn insert_upload(
        &mut self,
        token_hash: &str,
        account_id: i64,
        filename: &str,
        content: &[u8],
        at: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO upload (token_hash, account_id, filename, content, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(filename)
        .bind(content.to_vec())
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// An upload of `account_id`: its file name and content.
    pub async fn upload(&mut self, token_hash: &str, account_id: i64) -> Result<Option<(String, Vec<u8>)>> {
        let row: Option<(String, Vec<u8>)> =
            sqlx::query_as("SELECT filename, content FROM upload WHERE token_hash = $1 AND account_id = $2")
                .bind(token_hash)
                .bind(account_id)
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(row)
    }

    /// Forgets an upload, and every upload made before `stale`.
    pub async fn delete_upload(&mut self, token_hash: &str, stale: &str) -> Result<()> {
        sqlx::query("DELETE FROM upload WHERE token_hash = $1 OR created_at < $2")
            .bind(token_hash)
            .bind(stale)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}

impl crate::Db {
    /// The session or token whose secret hashes to `token_hash`, with its account and
    /// every role the account was granted: the read each request starts with, in one
    /// statement (one snapshot) outside a transaction.
    pub async fn session(&self, token_hash: &str) -> Result<Option<(SessionRow, AccountRow, Vec<GrantRow>)>> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT s.account_id, s.kind, s.csrf, s.lang, s.expires_at, COALESCE(s.seen_at, s.created_at), \
                    a.username, a.display_name, a.password_hash, a.person_id, a.disabled, \
                    g.id, g.role, g.org_id, g.valid_from, g.valid_to \
             FROM session s JOIN account a ON a.id = s.account_id \
             LEFT JOIN role_grant g ON g.account_id = a.id \
             WHERE s.token_hash = $1 ORDER BY g.valid_from, g.id",
        )
        .bind(token_hash)
        .fetch_all(&self.pool)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let session = SessionRow {
            account_id: first.try_get(0)?,
            kind: first.try_get(1)?,
            csrf: first.try_get(2)?,
            lang: first.try_get(3)?,
            expires_at: first.try_get(4)?,
            seen_at: first.try_get(5)?,
        };
        let account = account((
            session.account_id,
            first.try_get(6)?,
            first.try_get(7)?,
            first.try_get(8)?,
            first.try_get(9)?,
            first.try_get(10)?,
        ));
        let mut grants = Vec::new();
        for r in &rows {
            let Some(id) = r.try_get::<Option<i64>, _>(11)? else {
                continue;
            };
            grants.push(grant((
                id,
                session.account_id,
                r.try_get(12)?,
                r.try_get(13)?,
                r.try_get(14)?,
                r.try_get(15)?,
            ))?);
        }
        Ok(Some((session, account, grants)))
    }
}
