//! News articles: drafts and published ones, with a version for optimistic locking.

use crate::{Result, Tx};
use dangbo_domain::org::OrgId;

/// An article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRow {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The organization whose activity it reports.
    pub org_id: OrgId,
    /// The conference it was drafted from, if any.
    pub conference_id: Option<i64>,
    /// Its headline.
    pub title: String,
    /// Paragraphs separated by a blank line.
    pub body: String,
    /// The author's byline.
    pub author: String,
    /// `draft` or `published`.
    pub status: String,
    /// When it was published.
    pub published_at: Option<String>,
    /// Raised by every save.
    pub version: i64,
}

type Tuple = (
    i64,
    i64,
    Option<i64>,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
);
const COLS: &str = "id, org_id, conference_id, title, body, author, status, published_at, version";

fn row(r: Tuple) -> ArticleRow {
    ArticleRow {
        id: r.0,
        org_id: OrgId(r.1),
        conference_id: r.2,
        title: r.3,
        body: r.4,
        author: r.5,
        status: r.6,
        published_at: r.7,
        version: r.8,
    }
}

impl Tx {
    /// Records a draft.
    pub async fn insert_article(&mut self, a: &ArticleRow, by: &str, at: &str) -> Result<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO article (org_id, conference_id, title, body, author, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(a.org_id.0)
        .bind(a.conference_id)
        .bind(&a.title)
        .bind(&a.body)
        .bind(&a.author)
        .bind(by)
        .bind(at)
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// An article.
    pub async fn article(&mut self, id: i64) -> Result<Option<ArticleRow>> {
        let r: Option<Tuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM article WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(r.map(row))
    }

    /// The articles of an organization, newest first; only the published ones if asked.
    pub async fn articles_of(&mut self, org: OrgId, published_only: bool) -> Result<Vec<ArticleRow>> {
        let rows: Vec<Tuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM article WHERE org_id = $1 AND ($2 = 0 OR status = 'published') \
             ORDER BY COALESCE(published_at, updated_at) DESC, id DESC"
        )))
        .bind(org.0)
        .bind(i64::from(published_only))
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(row).collect())
    }

    /// Every published article, newest first, at most `limit`.
    pub async fn published_articles(&mut self, limit: i64) -> Result<Vec<ArticleRow>> {
        let rows: Vec<Tuple> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM article WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&mut *self.inner)
        .await?;
        Ok(rows.into_iter().map(row).collect())
    }

    /// Saves an article's text if it is still at `version`; whether it was.
    pub async fn update_article(&mut self, a: &ArticleRow, by: &str, at: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE article SET title = $3, body = $4, author = $5, version = version + 1, updated_by = $6, \
             updated_at = $7 WHERE id = $1 AND version = $2",
        )
        .bind(a.id)
        .bind(a.version)
        .bind(&a.title)
        .bind(&a.body)
        .bind(&a.author)
        .bind(by)
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Publishes an article, or takes it back to draft.
    pub async fn set_article_published(&mut self, id: i64, published: bool, at: &str) -> Result<()> {
        sqlx::query(
            "UPDATE article SET status = CASE WHEN $2 = 1 THEN 'published' ELSE 'draft' END, \
             published_at = CASE WHEN $2 = 1 THEN COALESCE(published_at, $3) ELSE NULL END, version = version + 1 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(i64::from(published))
        .bind(at)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}
