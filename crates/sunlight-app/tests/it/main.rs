//! The application layer against a real store, on both backends: what the API and the command
//! line share (imports, exports, benchmarks, erasure, feed batches) behaves the same for both.

use sunlight_app::AppError;
use sunlight_app::import::{Filing, Imported, PowersFile};
use sunlight_core::clock::Zone;
use sunlight_core::{Code, DomainError, Timestamp};
use sunlight_exchange::Format;
use sunlight_store::Store;
use sunlight_testkit::reference::{self, POWER};
use sunlight_testkit::{TestDb, on_both_backends};

async fn setup(store: &Store) {
    reference::seed(store, Timestamp::now())
        .await
        .expect("the reference city");
}

fn today() -> sunlight_core::Date {
    Zone::CHINA.date(Timestamp::now())
}

async fn import(db: &TestDb, name: &str, bytes: &[u8]) -> Result<Imported, AppError> {
    let file = PowersFile {
        name,
        bytes,
        format: Format::Csv,
        title: None,
        reason: "富政办发〔2026〕8号",
        effective_from: None,
    };
    sunlight_app::import::powers(
        db,
        file,
        Filing::Publish { by: "operator" },
        Timestamp::now(),
        today(),
        &mut |_| {},
    )
    .await
}

/// The list exported and read back is the list: nothing to file. One name changed is one
/// amendment, published with the file as its origin.
async fn an_exported_list_reimports_unchanged_and_an_edit_is_one_amendment(db: &TestDb) {
    let csv = sunlight_app::export::powers(db, Format::Csv).await.unwrap();
    let text = String::from_utf8(csv.clone()).expect("UTF-8 CSV");
    assert!(text.contains(POWER), "{text}");
    match import(db, "powers.csv", &csv).await.unwrap() {
        Imported::Unchanged {
            rows_read,
            unchanged,
        } => assert_eq!((rows_read, unchanged), (1, 1)),
        other => panic!("expected nothing to file, got {other:?}"),
    }
    let edited = text.replacen("建筑工程施工许可", "建筑工程施工许可证核发", 1);
    match import(db, "powers-2.csv", edited.as_bytes()).await.unwrap() {
        Imported::Filed {
            proposal,
            rows_read,
            unchanged,
            kinds,
        } => {
            assert_eq!((rows_read, unchanged), (1, 0));
            assert_eq!(kinds, vec![("amend", 1)]);
            assert_eq!(proposal.state.as_str(), "published");
            assert_eq!(proposal.title, "导入 powers-2.csv");
        }
        other => panic!("expected an amendment, got {other:?}"),
    }
    let listed = db.power(POWER, None).await.unwrap().unwrap();
    assert_eq!(listed.power.name, "建筑工程施工许可证核发");
}

/// A file with a bad row files nothing, and the refusal names the row and the column.
async fn a_bad_row_files_nothing_and_is_named_by_row(db: &TestDb) {
    let csv = sunlight_app::export::powers(db, Format::Csv).await.unwrap();
    let text = String::from_utf8(csv).unwrap();
    let bad = text.replacen("行政许可", "行政许多", 1);
    assert_ne!(bad, text, "the export names the category in Chinese");
    let err = import(db, "bad.csv", bad.as_bytes()).await.unwrap_err();
    let AppError::File(e) = err else {
        panic!("expected a file refusal, got {err:?}")
    };
    assert!(
        e.errors.iter().any(|f| f.row == Some(2)),
        "the first data row is named: {:?}",
        e.errors
    );
    let listed = db.power(POWER, None).await.unwrap().unwrap();
    assert_eq!(listed.power.name, "建筑工程施工许可", "nothing was written");
}

/// A benchmark bounds only a penalty power, and says so in Chinese naming the power.
async fn a_benchmark_is_only_for_a_penalty_power(db: &TestDb) {
    let err = sunlight_app::registry::penalty_power(db, POWER)
        .await
        .unwrap_err();
    let AppError::Domain(DomainError::Invalid(fields)) = err else {
        panic!("expected a field refusal, got {err:?}")
    };
    assert_eq!(fields[0].field, "power");
    assert!(
        fields[0].message.zh.contains("建筑工程施工许可"),
        "{fields:?}"
    );
    let err = sunlight_app::registry::penalty_power(db, "330183-CF-99999")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::Domain(d) if d.text().zh.contains("不在权力清单内")),
        "{err:?}"
    );
}

/// Erasure never reaches into the retention period; a dry run erases nothing.
async fn erasure_waits_for_the_end_of_retention(db: &TestDb) {
    let now = Timestamp::now();
    let request = |before, dry_run| sunlight_app::erase::Request {
        before,
        receipts: &[],
        dry_run,
        by: "operator",
        retention_years: 10,
    };
    let too_early = sunlight_app::erase::run(db, Zone::CHINA, now, &request(Some(today()), false))
        .await
        .unwrap();
    assert!(
        matches!(too_early, sunlight_app::erase::Outcome::TooEarly { asked, .. } if asked == today()),
        "{too_early:?}"
    );
    let dry = sunlight_app::erase::run(db, Zone::CHINA, now, &request(None, true))
        .await
        .unwrap();
    assert!(
        matches!(&dry, sunlight_app::erase::Outcome::WouldErase { found, refused } if found.is_empty() && refused.is_empty()),
        "{dry:?}"
    );
    let bad = sunlight_app::erase::Request {
        receipts: &["not-a-receipt".to_string()],
        ..request(None, true)
    };
    let err = sunlight_app::erase::run(db, Zone::CHINA, now, &bad)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Domain(_)), "{err:?}");
}

on_both_backends!(
    setup = setup;
    an_exported_list_reimports_unchanged_and_an_edit_is_one_amendment,
    a_bad_row_files_nothing_and_is_named_by_row,
    a_benchmark_is_only_for_a_penalty_power,
    erasure_waits_for_the_end_of_retention,
);

/// A feed batch is read event by event: each problem names its event and field, the whole
/// batch is refused, and an empty or oversized batch says how many events it may hold.
#[test]
fn a_feed_batch_names_each_bad_event() {
    use sunlight_app::feeds::parse_batch;
    let e = parse_batch(b"{not json").unwrap_err();
    assert_eq!(e.field_errors()[0].field, "body");
    let e = parse_batch(br#"{"events": []}"#).unwrap_err();
    assert!(
        e.field_errors()[0]
            .message
            .zh
            .contains("每批 1 至 10000 个事件"),
        "{e:?}"
    );
    let e = parse_batch(br#"{"events": [{"source_id": 5}, {}]}"#).unwrap_err();
    assert_eq!(e.code(), Code::InvalidInput);
    let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
    assert!(
        fields.iter().any(|f| f.starts_with("events[0]")),
        "{fields:?}"
    );
    assert!(
        fields.iter().any(|f| f.starts_with("events[1]")),
        "{fields:?}"
    );
}
