//! News articles of an organization's activities: a draft written from a conference's
//! records in the seeds' style and figures, edited by the office (a save from an older
//! version is refused, never overwriting), published to the public pages, which show
//! nothing else.

use crate::access::{Action, Caller};
use crate::{App, AppError, Result};
use dangbo_domain::date::short;
use dangbo_domain::number::thousands;
use dangbo_domain::org::OrgCode;
use dangbo_domain::{Date, Lang};
use dangbo_store::{ArticleRow, OrgVersion};

/// A published article with its organization and related articles.
#[derive(Debug, Clone)]
pub struct PublicArticle {
    /// The article.
    pub article: ArticleRow,
    /// Its organization.
    pub org: OrgVersion,
    /// Other published articles of the same organization, newest first (Tin liên quan).
    pub related: Vec<ArticleRow>,
}

fn no_article(id: i64) -> AppError {
    AppError::NotFound {
        vi: format!("Không có tin bài số {id}"),
        what: format!("no article number {id}"),
    }
}

/// The article's paragraphs.
pub fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.trim().replace('\n', " "))
        .filter(|p| !p.is_empty())
        .collect()
}

impl App {
    /// The day an article's organization is taken on: today if it exists today, else
    /// the day of its conference (an article may tell of an organization since merged).
    async fn article_day(&self, tx: &mut dangbo_store::Tx, a: &ArticleRow) -> Result<Date> {
        let today = self.clock.today();
        if tx.org_by_id(a.org_id, today).await?.is_some() {
            return Ok(today);
        }
        Ok(match a.conference_id {
            Some(c) => tx.conference(c).await?.map_or(today, |c| c.held_on),
            None => today,
        })
    }

    /// The organization of article `id` if the caller may edit its articles.
    async fn article_for(&self, caller: &Caller, id: i64) -> Result<(ArticleRow, OrgVersion)> {
        let mut tx = self.db.read().await?;
        let a = tx.article(id).await?.ok_or_else(|| no_article(id))?;
        let code = tx.org_code_of(a.org_id).await?.ok_or_else(|| no_article(id))?;
        let day = self.article_day(&mut tx, &a).await?;
        drop(tx);
        let org = self
            .org_for(caller, Action::Disseminate, &code, day)
            .await
            .map_err(|_| no_article(id))?;
        Ok((a, org))
    }

    /// Drafts an article of `org`'s part in conference `conference`, from its records:
    /// the day, who organized it, the points and people counted for `org` in the seeds'
    /// words, the talks of its agenda and the documents studied.
    pub async fn draft_article(&self, caller: &Caller, conference: i64, org: &OrgCode) -> Result<i64> {
        let view = self.conference(caller, conference, Lang::Vi).await?;
        // The organization as it was on the day (it may have been merged since).
        let o = self
            .org_for(caller, Action::Disseminate, org, view.conf.held_on)
            .await?;
        let c = &view.conf;
        let organizer_view = c.org_id == o.id;
        let figures = self.figures(conference, (!organizer_view).then_some(o.id)).await?;
        let total_points = figures.own_points + figures.base_points;
        let title = if figures.online && !organizer_view && total_points > 0 {
            format!(
                "{} điểm cầu trực tuyến của {} kết nối {}",
                thousands(total_points as u64),
                o.name,
                c.title
            )
        } else if organizer_view {
            c.title.clone()
        } else {
            format!("{} tham dự {}", o.name, c.title)
        };
        let who = if c.organizer.trim().is_empty() {
            view.org.1.clone()
        } else {
            c.organizer.clone()
        };
        let summary = figures.summary(o.name.as_str(), Lang::Vi);
        let mut lead = format!("Ngày {}, {who} tổ chức {}.", short(c.held_on), c.title);
        if organizer_view {
            if let Some(first) = summary.first() {
                lead.push(' ');
                lead.push_str(first);
            }
        } else if let Some(own) = summary.get(1) {
            lead.push(' ');
            lead.push_str(own);
        }
        let mut body = vec![lead];
        if !view.agenda.is_empty() {
            let talks: Vec<String> = view
                .agenda
                .iter()
                .map(|a| {
                    if a.presenter.trim().is_empty() {
                        format!("nội dung “{}”", a.topic)
                    } else {
                        format!("{} đã truyền đạt nội dung “{}”", a.presenter, a.topic)
                    }
                })
                .collect();
            body.push(format!("Tại hội nghị, {}.", talks.join("; ")));
        }
        if !view.documents.is_empty() {
            // In the order of their numbers: 42-NQ/TW before 43-NQ/TW.
            let mut documents = view.documents.clone();
            documents.sort_by_key(|(_, number, _)| {
                let n: u32 = number
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0);
                (n, number.clone())
            });
            let docs: Vec<String> = documents
                .iter()
                .map(|(_, number, title)| format!("{number} {}", dangbo_domain::name::lower_first(title)))
                .collect();
            body.push(format!(
                "Hội nghị nghiên cứu, học tập, quán triệt: {}.",
                docs.join("; ")
            ));
        }
        if let Some(last) = body.last_mut() {
            last.push_str("/.");
        }
        let row = ArticleRow {
            id: 0,
            org_id: o.id,
            conference_id: Some(conference),
            title,
            body: body.join("\n\n"),
            author: String::new(),
            status: "draft".into(),
            published_at: None,
            version: 0,
        };
        let mut tx = self.db.write().await?;
        let id = tx.insert_article(&row, &self.actor, &self.clock.timestamp()).await?;
        self.audit(
            &mut tx,
            "article.draft",
            &format!("article:{id}"),
            &format!("{} — hội nghị {conference}", o.code),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An organization's articles, drafts included, for its office.
    pub async fn articles(&self, caller: &Caller, org: &OrgCode) -> Result<(OrgVersion, Vec<ArticleRow>)> {
        let o = self
            .org_for(caller, Action::Disseminate, org, self.clock.today())
            .await?;
        let list = self.db.read().await?.articles_of(o.id, false).await?;
        Ok((o, list))
    }

    /// An article for its office to edit.
    pub async fn article(&self, caller: &Caller, id: i64) -> Result<(ArticleRow, OrgVersion)> {
        self.article_for(caller, id).await
    }

    /// Saves an article's text from the version the editor opened.
    pub async fn edit_article(
        &self,
        caller: &Caller,
        id: i64,
        version: i64,
        title: &str,
        body: &str,
        author: &str,
    ) -> Result<()> {
        let (a, _) = self.article_for(caller, id).await?;
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            return Err(AppError::rejected(
                "Nhập tiêu đề (không quá 300 ký tự)",
                "Type a headline (at most 300 characters)",
            ));
        }
        if paragraphs(body).is_empty() || body.chars().count() > 50_000 {
            return Err(AppError::rejected(
                "Nhập nội dung (không quá 50.000 ký tự)",
                "Type the text (at most 50,000 characters)",
            ));
        }
        let row = ArticleRow {
            title: title.to_string(),
            body: body.replace("\r\n", "\n").trim().to_string(),
            author: author.trim().chars().take(100).collect(),
            version,
            ..a
        };
        let mut tx = self.db.write().await?;
        if !tx.update_article(&row, &self.actor, &self.clock.timestamp()).await? {
            return Err(AppError::rejected(
                "Tin bài vừa được người khác sửa sau khi đồng chí mở; nội dung của đồng chí chưa được lưu. Hãy mở lại và sửa tiếp.",
                "Someone else changed this article after you opened it; your changes were not saved. Open it again.",
            ));
        }
        self.audit(&mut tx, "article.edit", &format!("article:{id}"), &row.title)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes an article to the public pages, or takes it back.
    pub async fn publish_article(&self, caller: &Caller, id: i64, publish: bool) -> Result<()> {
        self.article_for(caller, id).await?;
        let mut tx = self.db.write().await?;
        tx.set_article_published(id, publish, &self.clock.timestamp()).await?;
        self.audit(
            &mut tx,
            if publish {
                "article.publish"
            } else {
                "article.unpublish"
            },
            &format!("article:{id}"),
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The published articles, of one organization or of all, newest first.
    pub async fn public_articles(&self, org: Option<&OrgCode>) -> Result<(Option<OrgVersion>, Vec<ArticleRow>)> {
        let today = self.clock.today();
        let mut tx = self.db.read().await?;
        match org {
            Some(code) => {
                // Today's organization, or the last it was.
                let o = match tx.org_by_code(code, today).await? {
                    Some(o) => o,
                    None => tx
                        .org_history(code)
                        .await?
                        .pop()
                        .ok_or_else(|| AppError::no_org(code.as_str(), today))?,
                };
                let list = tx.articles_of(o.id, true).await?;
                Ok((Some(o), list))
            }
            None => Ok((None, tx.published_articles(100).await?)),
        }
    }

    /// A published article, with up to five related ones; a draft is not found.
    pub async fn public_article(&self, id: i64) -> Result<PublicArticle> {
        let mut tx = self.db.read().await?;
        let article = tx
            .article(id)
            .await?
            .filter(|a| a.status == "published")
            .ok_or_else(|| no_article(id))?;
        let on = self.article_day(&mut tx, &article).await?;
        let org = tx.org_by_id(article.org_id, on).await?.ok_or_else(|| no_article(id))?;
        let related = tx
            .articles_of(article.org_id, true)
            .await?
            .into_iter()
            .filter(|a| a.id != id)
            .take(5)
            .collect();
        Ok(PublicArticle { article, org, related })
    }
}
