use crate::harness::*;
use sunlight_core::calendar::{DayOverride, YearSchedule};
use sunlight_store::{Scope, Store};

pub async fn shipped_calendars_load_once_and_layer_by_region(store: &Store) {
    assert_eq!(
        store.ensure_shipped_calendars(now()).await.unwrap(),
        [2024, 2025, 2026]
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
    assert_eq!(national.years(), (2024, 2026));
    assert_eq!(
        national.add_working_days(date("2025-09-26"), 10).unwrap(),
        date("2025-10-16")
    );

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
    assert_eq!(years.len(), 4);
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
