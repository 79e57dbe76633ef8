//! The documents dangbo writes, on the demo province: the vote-count minutes of the
//! demo's locked ballot, Resolution 116's indicator report, the 8th Plenum campaign's
//! study results and the bloc's report of the 04/12/2023 conference. Each PDF is read
//! back with poppler's `pdftotext`, and its Vietnamese words and figures are found
//! exactly; the DOCX holds the same words, and the spreadsheet the same table.
#![allow(clippy::unwrap_used, missing_docs)]

use dangbo_app::access::Caller;
use dangbo_app::paper::{render_docx, render_pdf, write_tables};
use dangbo_app::paperwork::ReportKind;
use dangbo_app::{App, Clock};
use dangbo_domain::Date;
use dangbo_domain::org::OrgCode;
use dangbo_store::Db;
use std::io::Read;
use std::process::Command;

const TODAY: Date = Date::constant(2026, 11, 1);

/// The text of a PDF with every run of white space made one space; `None` (with the
/// reason printed) where pdftotext or a font is missing.
fn pdf_text(pdf: &[u8], dir: &std::path::Path) -> Option<String> {
    let path = dir.join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = match Command::new("pdftotext").arg(&path).arg("-").output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: pdftotext is not installed ({e}); install poppler-utils");
            return None;
        }
    };
    assert!(out.status.success(), "pdftotext failed");
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn docx_text(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn documents_of_the_demo_province() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path().join("d.db").to_str().unwrap()).await.unwrap();
    db.migrate().await.unwrap();
    let app = App::new(db.clone(), Clock::Fixed(TODAY), "test");
    app.load_demo(2023, &|_| {}).await.unwrap();
    app.demo_accounts().await.unwrap();
    let me = Caller::system("test");
    let nq116 = app
        .documents()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.number == "116-NQ/TU")
        .unwrap();
    let conference = app
        .conferences_for(&me)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.held_on == Date::constant(2023, 12, 4))
        .unwrap();
    let kcq = OrgCode::parse("LS.KCQ").unwrap();

    let cases: Vec<(ReportKind, Vec<String>)> = vec![
        (
            ReportKind::Minutes { ballot: 1 },
            vec![
                "BIÊN BẢN KIỂM PHIẾU".into(),
                "ĐẢNG CỘNG SẢN VIỆT NAM".into(),
                "Lạng Sơn, ngày 15 tháng 10 năm 2025".into(),
                "Tổng số người được triệu tập: 20; số người có mặt: 19; số phiếu phát ra: 19; số phiếu thu về: 18; số phiếu hợp lệ: 18".into(),
                "Có 14/16 đồng chí đạt hơn một nửa tổng số người được triệu tập.".into(),
                "TRƯỞNG BAN".into(),
            ],
        ),
        (
            ReportKind::Indicators {
                document: nq116.id,
                org: Some(OrgCode::parse("LS").unwrap()),
                on: Date::constant(2025, 6, 30),
            },
            vec![
                "Số 12-BC/TU".into(),
                "Kết quả thực hiện các chỉ tiêu của Nghị quyết số 116-NQ/TU ngày 04/07/2023, tính đến ngày 30/06/2025".into(),
                "Cán bộ trẻ trong cấp ủy cấp huyện từ 20% trở lên".into(),
                "Trẻ: dưới 40 tuổi ở cấp tỉnh, cấp huyện; dưới 35 tuổi ở cấp xã".into(),
            ],
        ),
        (
            ReportKind::Study {
                campaign: 1,
                org: Some(kcq.clone()),
            },
            vec![
                "BÁO CÁO".into(),
                "có 3.252 đảng viên (tỷ lệ 75%) được nghiên cứu, học tập.".into(),
            ],
        ),
        (
            ReportKind::Conference {
                conference: conference.id,
                org: Some(kcq),
            },
            vec![
                "Ngày 04/12/2023, Bộ Chính trị, Ban Bí thư tổ chức".into(),
                "đã mở 01 điểm cầu và chỉ đạo cấp ủy cơ sở mở 63 điểm cầu tiếp sóng, với sự tham gia của 3.113 đảng viên, quần chúng ưu tú".into(),
            ],
        ),
    ];
    // The demo's first-term plan of the bloc: 16 cadres, checked against QĐ 377.
    let cases = [
        cases,
        vec![(
            ReportKind::Plan {
                list: 1,
                on: Date::constant(2025, 11, 1),
            },
            vec![
                "TỜ TRÌNH".to_string(),
                "Về quy hoạch Ban Chấp hành Đảng bộ các cơ quan Đảng tỉnh".into(),
                "Căn cứ Quy định số 377-QĐ/TW".into(),
                "tính đến ngày 01/11/2025: 16 đồng chí.".into(),
            ],
        )],
    ]
    .concat();
    for (kind, words) in cases {
        let number = matches!(kind, ReportKind::Indicators { .. }).then_some("12");
        let doc = app.report_doc(&me, &kind, number).await.unwrap();
        let pdf = match render_pdf(&doc) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("skipped: {}", e.message(dangbo_domain::Lang::En));
                return;
            }
        };
        let Some(text) = pdf_text(&pdf, dir.path()) else { return };
        for w in &words {
            assert!(text.contains(w.as_str()), "{kind:?}: «{w}» not in\n{text}");
        }
        let xml = docx_text(&render_docx(&doc).unwrap());
        assert!(
            xml.contains(&doc.kind.to_uppercase()),
            "{kind:?}: the DOCX lacks its kind"
        );
        assert!(xml.contains("ĐẢNG CỘNG SẢN VIỆT NAM"));
        if doc
            .blocks
            .iter()
            .any(|b| matches!(b, dangbo_app::paper::Block::Table { .. }))
        {
            let path = dir.path().join("bang.xlsx");
            assert!(write_tables(&doc, &path).unwrap() > 0);
            assert!(!dangbo_app::table::read(&path).unwrap().rows.is_empty());
        }
    }
    // Something that does not exist is refused, and nothing is written.
    assert!(
        app.report_doc(&me, &ReportKind::Minutes { ballot: 999 }, None)
            .await
            .is_err()
    );
}
