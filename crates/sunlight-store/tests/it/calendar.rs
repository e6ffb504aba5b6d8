use crate::harness::*;
use sunlight_core::calendar::{DayOverride, YearSchedule};
use sunlight_store::{Scope, Store};

pub async fn shipped_calendars_load_once_and_layer_by_region(store: &Store) {
    assert_eq!(
        store.ensure_shipped_calendars(now()).await.unwrap(),
        [2024, 2025, 2026, 2027]
    );
    assert!(
        store
            .ensure_shipped_calendars(now())
            .await
            .unwrap()
            .is_empty(),
        "idempotent"
    );
    let national = store.calendar(None).await.unwrap();
    assert_eq!(national.years(), (2024, 2027));
    assert_eq!(
        national.add_working_days(date("2025-09-26"), 10).unwrap(),
        date("2025-10-16")
    );
    // 2027 is provisional (the statutory holidays and their weekday make-ups, no 调休): a
    // deadline across New Year and the Spring Festival can be counted, and says so.
    assert_eq!(
        national.add_working_days(date("2026-12-28"), 30).unwrap(),
        date("2027-02-15")
    );
    let years = store.calendar_years().await.unwrap();
    let y2027 = years.iter().find(|y| y.year == 2027).unwrap();
    assert!(y2027.source.contains("暂定"), "{}", y2027.source);
    // The State Council's notice, imported, replaces it — and a later start-up keeps it.
    let notice = YearSchedule {
        year: 2027,
        days: vec![DayOverride {
            date: date("2027-01-01"),
            off: true,
            name: "元旦".into(),
        }],
    };
    store
        .put_year_schedule(
            Scope::National,
            &notice,
            "国务院办公厅关于2027年部分节假日安排的通知",
            "admin",
            now(),
        )
        .await
        .unwrap();
    assert!(
        store
            .ensure_shipped_calendars(now())
            .await
            .unwrap()
            .is_empty()
    );
    let years = store.calendar_years().await.unwrap();
    assert!(
        years
            .iter()
            .any(|y| y.year == 2027 && y.source.contains("国务院办公厅关于2027年"))
    );
    // Back to the shipped provisional year for the rest of this test.
    let provisional =
        YearSchedule::from_holiday_cn(sunlight_core::calendar::SHIPPED_PROVISIONAL[0].1).unwrap();
    store
        .put_year_schedule(
            Scope::National,
            &provisional,
            sunlight_store::PROVISIONAL_SOURCE,
            "system",
            now(),
        )
        .await
        .unwrap();

    // 杭州市 takes a local day off; 富阳区 inherits it, 桐庐县 too, the nation does not.
    let before = store.calendar_generation().await.unwrap();
    let local = YearSchedule {
        year: 2025,
        days: vec![DayOverride {
            date: date("2025-09-10"),
            off: true,
            name: "杭州市地方休假日".into(),
        }],
    };
    store
        .put_year_schedule(
            Scope::Region(region("330100")),
            &local,
            "杭政办〔2025〕1号",
            "admin",
            now(),
        )
        .await
        .unwrap();
    assert!(store.calendar_generation().await.unwrap() > before);
    let fuyang = store.calendar(Some(region(FUYANG))).await.unwrap();
    assert!(!fuyang.is_working_day(date("2025-09-10")).unwrap());
    assert!(
        store
            .calendar(None)
            .await
            .unwrap()
            .is_working_day(date("2025-09-10"))
            .unwrap()
    );
    let years = store.calendar_years().await.unwrap();
    assert_eq!(years.len(), 5);
    assert!(
        years
            .iter()
            .any(|y| y.scope == "330100000000" && y.days == 1)
    );

    // Replacing a year replaces it whole.
    let empty = YearSchedule {
        year: 2025,
        days: vec![],
    };
    store
        .put_year_schedule(
            Scope::Region(region("330100")),
            &empty,
            "撤销",
            "admin",
            now(),
        )
        .await
        .unwrap();
    assert!(
        store
            .calendar(Some(region(FUYANG)))
            .await
            .unwrap()
            .is_working_day(date("2025-09-10"))
            .unwrap()
    );

    let err = store
        .put_year_schedule(Scope::Region(region("330212")), &local, "x", "admin", now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not registered"), "{err}");
}
