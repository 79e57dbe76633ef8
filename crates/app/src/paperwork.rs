//! The documents dangbo writes from its own records, in the party's format
//! ([`crate::paper::PartyDoc`]): the vote-count minutes of a ballot, the indicator report
//! of a resolution, the study-results report of a campaign, and the report of a
//! conference. Each is built once here and rendered as PDF, DOCX or a spreadsheet.

use crate::access::Caller;
use crate::paper::{Block, PartyDoc};
use crate::{App, AppError, Result};
use dangbo_domain::date::{long, short};
use dangbo_domain::number::thousands;
use dangbo_domain::org::{OrgCode, OrgKind};
use dangbo_domain::{Date, Lang};
use dangbo_store::OrgVersion;

/// Which document, about what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportKind {
    /// The minutes of the vote count of a ballot (biên bản kiểm phiếu).
    Minutes {
        /// The ballot.
        ballot: i64,
    },
    /// The report on a resolution's targets for an organization on a day.
    Indicators {
        /// The resolution.
        document: i64,
        /// The organization, if not the resolution's own.
        org: Option<OrgCode>,
        /// The day.
        on: Date,
    },
    /// The study-results report of a campaign for an organization.
    Study {
        /// The campaign.
        campaign: i64,
        /// The organization, if not the campaign's.
        org: Option<OrgCode>,
    },
    /// The submission (tờ trình) of a planning list as it stands on a day.
    Plan {
        /// The planning list.
        list: i64,
        /// The day.
        on: Date,
    },
    /// The report of a conference, as an organization took part in it.
    Conference {
        /// The conference.
        conference: i64,
        /// The organization, if not the organizer.
        org: Option<OrgCode>,
    },
}

/// "Lạng Sơn", from the province at the top of an organization's tree.
async fn place_of(app: &App, org: &OrgVersion, on: Date) -> Result<String> {
    let root = org.path.ids().into_iter().next();
    let name = match root {
        Some(id) => app
            .org_by_id(id, on)
            .await?
            .map_or_else(|| org.name.to_string(), |o| o.name.to_string()),
        None => org.name.to_string(),
    };
    Ok(["Đảng bộ tỉnh ", "Đảng bộ thành phố ", "Đảng bộ "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(&name)
        .to_string())
}

impl App {
    /// The head of a document issued by `org` on `on`: superior, issuer, number, place
    /// and date.
    async fn issued_by(&self, org: &OrgVersion, on: Date, kind: &str, number: Option<&str>) -> Result<PartyDoc> {
        let superior = match org.parent {
            Some(p) => self.org_by_id(p, on).await?.map(|o| o.name.to_string()),
            None => None,
        };
        let place = place_of(self, org, on).await?;
        let issuer_code = if org.kind == OrgKind::Provincial { "TU" } else { "ĐU" };
        Ok(PartyDoc {
            superior,
            issuer: org.name.to_string(),
            number: format!("Số {}-{kind}/{issuer_code}", number.unwrap_or("      ")),
            place_date: format!("{place}, {}", long(on)),
            sign_for: if org.kind == OrgKind::Provincial {
                "T/M Ban Thường vụ Tỉnh ủy".into()
            } else {
                "T/M Ban Thường vụ".into()
            },
            sign_title: "Bí thư".into(),
            ..PartyDoc::default()
        })
    }

    /// Builds a document; `number` is its number in the issuer's register, if known.
    pub async fn report_doc(&self, caller: &Caller, kind: &ReportKind, number: Option<&str>) -> Result<PartyDoc> {
        match kind {
            ReportKind::Minutes { ballot } => self.minutes_doc(caller, *ballot, number).await,
            ReportKind::Indicators { document, org, on } => {
                self.indicators_doc(caller, *document, org.as_ref(), *on, number).await
            }
            ReportKind::Study { campaign, org } => self.study_doc(caller, *campaign, org.as_ref(), number).await,
            ReportKind::Plan { list, on } => self.plan_doc(caller, *list, *on, number).await,
            ReportKind::Conference { conference, org } => {
                self.conference_doc(caller, *conference, org.as_ref(), number).await
            }
        }
    }

    async fn minutes_doc(&self, caller: &Caller, ballot: i64, number: Option<&str>) -> Result<PartyDoc> {
        let m = self.minutes(caller, ballot).await?;
        let v = &m.view;
        let day = v.conference.as_ref().map_or_else(|| self.clock.today(), |c| c.held_on);
        let mut doc = self.issued_by(&v.org, day, "BB", number).await?;
        let t = v.ballot.totals;
        let board: Vec<&str> = v.board.iter().map(|b| b.2.as_str()).collect();
        let threshold = format!("{} {}", v.ballot.threshold.describe(Lang::Vi), v.ballot.base.vi());
        let rows: Vec<Vec<String>> = v
            .candidates
            .iter()
            .map(|c| {
                let o = c.outcome.as_ref();
                vec![
                    c.candidate.ordinal.to_string(),
                    c.candidate.name.clone(),
                    c.candidate.birth.year().to_string(),
                    o.map(|o| o.agree.to_string()).unwrap_or_default(),
                    o.map(|o| o.percent.clone()).unwrap_or_default(),
                    match o.map(|o| o.reached) {
                        Some(true) => "Đạt".into(),
                        Some(false) => "Không đạt".into(),
                        None => String::new(),
                    },
                ]
            })
            .collect();
        doc.kind = "Biên bản kiểm phiếu".into();
        doc.title = format!("{} — {}", v.nomination.title, v.ballot.name);
        doc.blocks = vec![
            Block::Para(format!(
                "Hôm nay, {}, Ban kiểm phiếu gồm các đồng chí: {} đã tiến hành kiểm phiếu giới thiệu nhân sự tại {}.",
                m.day_line,
                board.join(", "),
                v.ballot.name
            )),
            Block::Para(format!(
                "Cách ghi phiếu: {}. Ngưỡng đạt: {threshold}.",
                v.ballot.kind.describe(Lang::Vi)
            )),
            Block::Para(format!(
                "Tổng số người được triệu tập: {}; số người có mặt: {}; số phiếu phát ra: {}; số phiếu thu về: {}; số phiếu hợp lệ: {}; số phiếu không hợp lệ: {}.",
                v.ballot.convened,
                v.ballot.present,
                t.issued,
                t.returned,
                t.valid,
                t.invalid()
            )),
            Block::Heading("Kết quả kiểm phiếu:".into()),
            Block::Table {
                header: ["TT", "Họ và tên", "Năm sinh", "Số phiếu đồng ý", "Tỷ lệ", "Kết quả"]
                    .map(String::from)
                    .to_vec(),
                rows,
            },
            Block::Para(format!(
                "Có {}/{} đồng chí đạt {threshold}.",
                v.reached(),
                v.candidates.len()
            )),
            Block::Para(format!(
                "Kết quả đã khóa, mã băm SHA-256: {}. Biên bản lập xong hồi kết thúc kiểm phiếu, đọc lại cho hội nghị nghe và nhất trí thông qua.",
                v.ballot.result_hash.as_deref().unwrap_or("—")
            )),
        ];
        doc.recipients = vec![v.org.name.to_string()];
        doc.sign_for = "T/M Ban kiểm phiếu".into();
        doc.sign_title = "Trưởng ban".into();
        doc.signer = board.first().map_or_else(String::new, ToString::to_string);
        Ok(doc)
    }

    async fn indicators_doc(
        &self,
        caller: &Caller,
        document: i64,
        org: Option<&OrgCode>,
        on: Date,
        number: Option<&str>,
    ) -> Result<PartyDoc> {
        let v = self.indicators(caller, document, org, on).await?;
        let mut doc = self.issued_by(&v.org, self.clock.today(), "BC", number).await?;
        doc.kind = "Báo cáo".into();
        doc.title = format!(
            "Kết quả thực hiện các chỉ tiêu của Nghị quyết số {} ngày {}, tính đến ngày {}",
            v.document.number,
            short(v.document.issued_on),
            short(on)
        );
        doc.blocks.push(Block::Para(format!(
            "Thực hiện Nghị quyết số {} của {} {}, {} báo cáo kết quả thực hiện các chỉ tiêu, tính từ dữ liệu quản lý đảng viên và cán bộ, như sau:",
            v.document.number,
            v.document.issued_by,
            dangbo_domain::name::lower_first(&v.document.title),
            v.org.name
        )));
        let rows = numbered(v.targets.iter().map(|m| {
            vec![
                m.target.label.clone(),
                short(m.target.deadline),
                m.value
                    .percent()
                    .map_or_else(|| "—".into(), |p| format!("{}/{} ({p})", m.value.num, m.value.den)),
                m.status.label(Lang::Vi).into(),
            ]
        }));
        doc.blocks.push(Block::Table {
            header: ["TT", "Chỉ tiêu", "Thời hạn", "Kết quả", "Đánh giá"]
                .map(String::from)
                .to_vec(),
            rows,
        });
        doc.blocks.push(Block::Heading("Cách tính:".into()));
        let mut seen = Vec::new();
        for m in &v.targets {
            if let Some(i) = m.indicator {
                let line = format!("{}: {}", i.name(Lang::Vi), m.definition(Lang::Vi));
                if !seen.contains(&line) {
                    doc.blocks.push(Block::Para(line.clone()));
                    seen.push(line);
                }
            }
        }
        doc.recipients = vec!["Ban Tổ chức Tỉnh ủy".into()];
        Ok(doc)
    }

    async fn plan_doc(&self, caller: &Caller, list: i64, on: Date, number: Option<&str>) -> Result<PartyDoc> {
        let v = self.plan(caller, list, on).await?;
        let mut doc = self.issued_by(&v.org, self.clock.today(), "TTr", number).await?;
        doc.kind = "Tờ trình".into();
        doc.title = format!("Về quy hoạch {} {}, {}", v.target, v.org.name, v.list.term.label_vi());
        let n = v.entries.len() as u64;
        let mut lead = format!(
            "Căn cứ Quy định số {} về công tác quy hoạch cán bộ, {} kính trình danh sách quy hoạch {} {} tính đến ngày {}: ",
            v.rules.source,
            v.org.name,
            v.target,
            v.list.term.label_vi(),
            short(on)
        );
        match (v.list.target.starts_with("body:"), v.list.term.ordinal > 1) {
            (true, true) => lead.push_str(
                &dangbo_domain::planning::plan_size_sentence(
                    n,
                    v.list.size.max(0) as u64,
                    v.list.term.ordinal - 1,
                    Lang::Vi,
                )
                .unwrap_or_default(),
            ),
            _ => lead.push_str(&format!("{} đồng chí", dangbo_domain::number::two_digits(n))),
        }
        lead.push('.');
        doc.blocks.push(Block::Para(lead));
        doc.blocks
            .push(Block::Para(format!("Cơ cấu: {}.", v.shares.join("; "))));
        doc.blocks.push(Block::Table {
            header: ["TT", "Họ và tên", "Năm sinh", "Từ ngày", "Quyết định"]
                .map(String::from)
                .to_vec(),
            rows: numbered(v.entries.iter().map(|e| {
                vec![
                    e.name.clone(),
                    e.birth.year().to_string(),
                    short(e.entry.added_on),
                    e.entry.added_by.clone(),
                ]
            })),
        });
        if v.findings.is_empty() {
            doc.blocks.push(Block::Para(format!(
                "Danh sách bảo đảm các tiêu chuẩn, điều kiện theo Quy định số {}.",
                v.rules.source
            )));
        } else {
            doc.blocks.push(Block::Heading("Đối chiếu quy định:".into()));
            doc.blocks.push(Block::Table {
                header: ["Quy định", "Đối tượng", "Yêu cầu", "Thực tế", "Mức độ"]
                    .map(String::from)
                    .to_vec(),
                rows: v
                    .findings
                    .iter()
                    .map(|f| {
                        vec![
                            f.rule.clone(),
                            f.subject.clone(),
                            f.expected.clone(),
                            f.actual.clone(),
                            if f.severity == dangbo_domain::planning::Severity::Breach {
                                "Vi phạm".into()
                            } else {
                                "Lưu ý".into()
                            },
                        ]
                    })
                    .collect(),
            });
        }
        doc.blocks.push(Block::Para("Kính trình xem xét, phê duyệt.".into()));
        doc.recipients = vec!["Ban Tổ chức Tỉnh ủy".into()];
        Ok(doc)
    }

    async fn study_doc(
        &self,
        caller: &Caller,
        campaign: i64,
        org: Option<&OrgCode>,
        number: Option<&str>,
    ) -> Result<PartyDoc> {
        let v = self.campaign(caller, campaign, org).await?;
        let at = self
            .org_by_id(v.org.0, v.campaign.starts_on)
            .await?
            .ok_or_else(|| AppError::no_org(v.org.1.as_str(), v.campaign.starts_on))?;
        let mut doc = self.issued_by(&at, self.clock.today(), "BC", number).await?;
        doc.kind = "Báo cáo".into();
        doc.title = format!("Kết quả {}", dangbo_domain::name::lower_first(&v.campaign.title));
        let docs: Vec<String> = v.documents.iter().map(|d| d.1.clone()).collect();
        doc.blocks.push(Block::Para(format!(
            "Thực hiện kế hoạch học tập, quán triệt {} từ ngày {} đến ngày {}, {} báo cáo kết quả như sau:",
            docs.join(", "),
            short(v.campaign.starts_on),
            short(v.campaign.ends_on),
            v.org.2
        )));
        doc.blocks.push(Block::Para(format!(
            "Toàn {} có {} đảng viên (tỷ lệ {}) được nghiên cứu, học tập.",
            v.org.2,
            thousands(v.total.numerator.max(0) as u64),
            v.total.share()
        )));
        if !v.conferences.is_empty() {
            let confs: Vec<String> = v
                .conferences
                .iter()
                .map(|c| format!("{} ngày {}", c.1, short(c.2)))
                .collect();
            doc.blocks
                .push(Block::Para(format!("Các hội nghị: {}.", confs.join("; "))));
        }
        let rows = numbered(v.rows.iter().map(|r| {
            vec![
                r.name.clone(),
                thousands(r.denominator.max(0) as u64),
                thousands(r.numerator.max(0) as u64),
                r.share(),
            ]
        }));
        doc.blocks.push(Block::Table {
            header: ["TT", "Tổ chức", "Số đảng viên", "Đã học tập", "Tỷ lệ"]
                .map(String::from)
                .to_vec(),
            rows,
        });
        doc.recipients = vec!["Ban Tuyên giáo Tỉnh ủy".into()];
        Ok(doc)
    }

    async fn conference_doc(
        &self,
        caller: &Caller,
        conference: i64,
        org: Option<&OrgCode>,
        number: Option<&str>,
    ) -> Result<PartyDoc> {
        let view = self.conference(caller, conference, Lang::Vi).await?;
        let c = &view.conf;
        let o = match org {
            Some(code) => self.org(code, c.held_on).await?,
            None => self
                .org_by_id(c.org_id, c.held_on)
                .await?
                .ok_or_else(|| AppError::no_org("?", c.held_on))?,
        };
        let figures = self.figures(conference, (o.id != c.org_id).then_some(o.id)).await?;
        let mut doc = self.issued_by(&o, self.clock.today(), "BC", number).await?;
        doc.kind = "Báo cáo".into();
        doc.title = format!(
            "Kết quả tổ chức, tham dự {}",
            dangbo_domain::name::lower_first(&c.title)
        );
        let who = if c.organizer.trim().is_empty() {
            view.org.1.clone()
        } else {
            c.organizer.clone()
        };
        doc.blocks.push(Block::Para(format!(
            "Ngày {}, {who} tổ chức {}.",
            short(c.held_on),
            c.title
        )));
        for line in figures.summary(o.name.as_str(), Lang::Vi) {
            doc.blocks.push(Block::Para(line));
        }
        if !view.agenda.is_empty() {
            let talks: Vec<String> = view
                .agenda
                .iter()
                .map(|a| format!("{} trình bày “{}”", a.presenter, a.topic))
                .collect();
            doc.blocks
                .push(Block::Para(format!("Tại hội nghị, {}.", talks.join("; "))));
        }
        let rows = numbered(
            figures
                .rows
                .iter()
                .map(|r| vec![r.name.clone(), r.points.to_string(), thousands(r.total.max(0) as u64)]),
        );
        if !rows.is_empty() {
            doc.blocks.push(Block::Table {
                header: ["TT", "Tổ chức", "Số điểm cầu", "Số người tham dự"]
                    .map(String::from)
                    .to_vec(),
                rows,
            });
        }
        doc.recipients = vec!["Ban Tuyên giáo Tỉnh ủy".into()];
        Ok(doc)
    }
}

/// Table rows with their number (TT) in the first column, from 1.
fn numbered(rows: impl Iterator<Item = Vec<String>>) -> Vec<Vec<String>> {
    rows.enumerate()
        .map(|(i, r)| std::iter::once((i + 1).to_string()).chain(r).collect())
        .collect()
}
