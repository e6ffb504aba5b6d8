//! The one test harness: a fresh database per test on SQLite (a temporary file) or on the
//! PostgreSQL server named by `SUNLIGHT_TEST_POSTGRES` (a database created for the test and
//! dropped after it; under `CI=true` a missing server fails instead of skipping), the
//! [`on_both_backends!`] macro that runs one behaviour suite on both, and the reference city
//! ([`reference`]) the engine's, the pages' and the benchmarks' cases run in. Test-only: no
//! production crate depends on it.

pub mod reference;
pub mod smtp_sink;

use sunlight_store::Store;

/// A migrated, empty database for one test.
pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A temporary SQLite file.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite:{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.expect("a SQLite file");
        let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
        store.migrate().await.expect("migrations");
        Self {
            store,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A fresh database on the server of `SUNLIGHT_TEST_POSTGRES`; `None` (and a note) when
    /// it is not set, outside CI.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("SUNLIGHT_TEST_POSTGRES") else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI=true but SUNLIGHT_TEST_POSTGRES is not set: the PostgreSQL suite cannot run"
            );
            eprintln!(
                "SUNLIGHT_TEST_POSTGRES not set: PostgreSQL half not run here (CI always runs it)"
            );
            return None;
        };
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        let name = format!("sunlight_t_{}", hex::encode(bytes));
        let admin = Store::connect(&admin_url)
            .await
            .expect("connect to SUNLIGHT_TEST_POSTGRES");
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .expect("a URL ending in a database name");
        let store = Store::connect(&format!("{base}/{name}"))
            .await
            .expect("the new database");
        let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
        store.migrate().await.expect("migrations");
        Some(Self {
            store,
            _dir: None,
            pg: Some((admin_url, name)),
        })
    }

    /// Closes the store and drops the PostgreSQL database.
    pub async fn drop(self) {
        self.store.close().await;
        if let Some((admin_url, name)) = self.pg {
            let admin = Store::connect(&admin_url)
                .await
                .expect("connect to SUNLIGHT_TEST_POSTGRES");
            admin
                .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("DROP DATABASE");
            admin.close().await;
        }
    }
}

/// The setup of a suite that needs none.
pub async fn no_setup(_: &Store) {}

impl std::ops::Deref for TestDb {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// Runs each named `async fn(&TestDb)` (or `async fn(&Store)`: a `TestDb` derefs to its store)
/// as two tests, `sqlite::name` and `postgres::name`. The functions may live in modules of the
/// suite (`registry::a_test`); `setup = f;` first runs `f(&Store)` on each fresh database.
#[macro_export]
macro_rules! on_both_backends {
    (setup = $setup:ident; $($module:ident :: $name:ident),* $(,)?) => {
        $crate::on_both_backends!(@ super::$setup; $([$module] $name),*);
    };
    (setup = $setup:ident; $($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@ super::$setup; $([] $name),*);
    };
    ($($module:ident :: $name:ident),* $(,)?) => {
        $crate::on_both_backends!(@ $crate::no_setup; $([$module] $name),*);
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@ $crate::no_setup; $([] $name),*);
    };
    (@ $setup:path; $([$($module:ident)?] $name:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::TestDb::sqlite().await;
                    $setup(&db.store).await;
                    super::$($module::)?$name(&db).await;
                    db.drop().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::TestDb::postgres().await else { return };
                    $setup(&db.store).await;
                    super::$($module::)?$name(&db).await;
                    db.drop().await;
                }
            )*
        }
    };
}
