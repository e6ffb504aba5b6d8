//! Cases fed from departments' own systems (业务系统接入) in the figures, counted as the
//! engine's cases are (`docs/figures.md`).

use crate::harness::*;
use serde_json::json;
use sunlight_core::clock::Zone;
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::review::ProposalDraft;
use sunlight_core::supervision::Settings;
use sunlight_core::supervision::feed::FeedEvent;
use sunlight_store::{FigureQuery, Figures, GroupBy, Store};

const POWER: &str = "330183-XK-00001";

fn fed(source_id: &str, case: &str, kind: &str, day: &str) -> FeedEvent {
    let mut e = json!({
        "source_id": source_id,
        "case": case,
        "power": POWER,
        "kind": kind,
        "at": format!("{day}T10:00:00+08:00"),
        "handler": "wang.wu",
    });
    if kind == "result" {
        e["handler"] = json!("zhao.shou");
        e["verdict"] = json!("approve");
    }
    serde_json::from_value(e).unwrap()
}

fn march(group_by: GroupBy) -> FigureQuery {
    FigureQuery::period(date("2026-03-01"), date("2026-04-01"), group_by)
}

async fn figures(store: &Store, q: &FigureQuery) -> Vec<Figures> {
    store.figures(q, Zone::CHINA).await.unwrap()
}

pub async fn fed_cases_are_counted_in_the_figures(store: &Store) {
    store.ensure_shipped_calendars(now()).await.unwrap();
    // 食品经营许可: 8 working days committed, 20 statutory.
    publish(
        store,
        ProposalDraft {
            title: "富阳区权力清单".into(),
            reason: "富政办发〔2026〕8号".into(),
            effective_from: today(),
            changes: vec![PowerChange::Create {
                power: Box::new(power(POWER)),
            }],
        },
    )
    .await
    .unwrap();
    let source = store
        .add_feed_source("zjb-sp", scjg().as_str(), "slf_test", "admin", now())
        .await
        .unwrap();
    let events = [
        // A: accepted Monday 2 March, delivered Thursday 5 March: 3 working days of 8, early.
        fed("a1", "A", "application", "2026-03-02"),
        fed("a2", "A", "acceptance", "2026-03-02"),
        fed("a3", "A", "result", "2026-03-04"),
        fed("a4", "A", "delivery", "2026-03-05"),
        // B: accepted 3 March, committed deadline 13 March, delivered 20 March: 13, late.
        fed("b1", "B", "application", "2026-03-02"),
        fed("b2", "B", "acceptance", "2026-03-03"),
        fed("b3", "B", "result", "2026-03-19"),
        fed("b4", "B", "delivery", "2026-03-20"),
        // C: received, not accepted yet.
        fed("c1", "C", "application", "2026-03-05"),
    ];
    let receipt = store
        .ingest_feed(&source, &events, &Settings::default(), Zone::CHINA, now())
        .await
        .unwrap();
    assert_eq!(receipt.accepted, events.len());

    let by_department = figures(store, &march(GroupBy::Department)).await;
    assert_eq!(by_department.len(), 1, "{by_department:?}");
    let f = &by_department[0];
    assert_eq!(f.key, scjg().as_str());
    assert_eq!((f.received, f.accepted, f.completed), (3, 2, 2));
    assert_eq!((f.completed_on_time, f.completed_early), (1, 1));
    assert_eq!(f.on_time_rate, Some(0.5));
    assert_eq!(f.avg_actual_days, Some(8.0), "(3 + 13) / 2");
    assert_eq!(f.avg_committed_days, Some(8.0));
    assert_eq!(f.avg_statutory_days, Some(20.0));
    assert_eq!(f.faster_than_committed, Some(0.0), "16 of 16 days");
    assert_eq!(f.faster_than_statutory, Some(1.0 - 16.0 / 40.0));
    assert_eq!(
        (f.ratings, f.avg_rating),
        (0, None),
        "fed systems send no ratings"
    );

    // By region, filtered (the filter is bound once and read by both kinds of case).
    let q = FigureQuery {
        power: Some(POWER.into()),
        ..march(GroupBy::Region)
    };
    let by_region = figures(store, &q).await;
    assert_eq!(by_region.len(), 1, "{by_region:?}");
    assert_eq!(by_region[0].key, region(FUYANG).as_str());
    assert_eq!(
        (
            by_region[0].received,
            by_region[0].completed,
            by_region[0].avg_actual_days
        ),
        (3, 2, Some(8.0))
    );
    let elsewhere = FigureQuery {
        power: Some("330183-XK-99999".into()),
        ..march(GroupBy::Region)
    };
    assert!(figures(store, &elsewhere).await.is_empty());
    // April holds none of it.
    let april = FigureQuery::period(date("2026-04-01"), date("2026-05-01"), GroupBy::Department);
    assert!(figures(store, &april).await.is_empty());

    // Fed cases stored before their figures were kept get them filled in, the same.
    store
        .execute_raw(
            "UPDATE feed_cases SET region = NULL, status = NULL, submitted_at = NULL,
                finished_at = NULL, accepted_on = NULL, committed_days = NULL,
                statutory_days = NULL, actual_days = NULL, on_time = NULL",
        )
        .await
        .unwrap();
    assert!(figures(store, &march(GroupBy::Department)).await.is_empty());
    assert_eq!(store.fill_feed_figures(Zone::CHINA).await.unwrap(), 3);
    assert_eq!(
        figures(store, &march(GroupBy::Department)).await,
        by_department
    );
    assert_eq!(store.fill_feed_figures(Zone::CHINA).await.unwrap(), 0);
}
