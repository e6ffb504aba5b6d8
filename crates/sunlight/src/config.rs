//! Typed configuration in layers: defaults < `sunlight.toml` < `SUNLIGHT_*` environment < flags.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// `sqlite:FILE` (embedded, default) or `postgres://user@host/db`.
    pub database_url: String,
    /// Address the server listens on.
    pub listen: String,
    /// UTC offset dates are counted in (China Standard Time by default).
    pub zone: String,
    /// tracing filter, e.g. `info,sqlx=warn`.
    pub log: String,
    /// File of the Ed25519 key that signs ledger checkpoints, kept outside the database.
    /// Default: beside a SQLite file (`sunlight.db` → `sunlight.ledger.key`), else
    /// `sunlight.ledger.key` in the working directory. Created when missing.
    pub ledger_key: Option<String>,
    /// The log's name in its checkpoints (C2SP tlog-checkpoint origin).
    pub ledger_origin: String,
    /// Seconds between signed checkpoints while serving (0: only on demand).
    pub checkpoint_interval: u64,
    /// File of the secret query codes (查询码) are hashed under (HMAC-SHA256), kept outside the
    /// database. Default: beside a SQLite file (`sunlight.db` → `sunlight.query.key`), else
    /// `sunlight.query.key` in the working directory. Created when missing.
    pub query_key: Option<String>,
    /// Personal data of finished cases (`[privacy] retention_years`).
    pub privacy: Privacy,
    /// Electronic supervision: the yellow window (`warning_days`, per region and per power),
    /// a task's (`task_warning_days`), rules switched off (`disabled`) or limited
    /// (`[supervision.scopes.<rule>]` with `powers` and `regions`).
    pub supervision: sunlight_core::supervision::Settings,
    /// Where uploaded files live (`[files] directory`; in the database unless given).
    pub files: Files,
    /// The service rules around applications (`[service]`): working days to supplement by
    /// default (`supplement_days`) and at most (`supplement_max_days`), what a lapsed notice
    /// cites (`lapse_basis`), file limits (`[service.files]` `max_file_bytes`,
    /// `max_case_bytes`, `max_case_files`).
    pub service: sunlight_core::case::ServiceRules,
    /// Notifications (`[notify]`): an SMS gateway (`[notify.sms]` `url`, `token`, `sign`), an
    /// SMTP server (`[notify.smtp]` `url`, `from`), retries (`max_attempts`,
    /// `retry_seconds`). Without either, notices reach applicants only as in-portal messages.
    pub notify: sunlight_app::notify::NotifyConfig,
    /// Documents under the departments' seals (`[documents]`): the key directory (`keys`,
    /// default beside a SQLite file: `sunlight.seals/`), the address printed for verification
    /// (`public_url`), years a certificate is valid (`certificate_years`), a full CJK font for
    /// rare characters (`font`).
    pub documents: sunlight_app::documents::DocumentsConfig,
    /// Behind a reverse proxy (`[proxy]`): the header carrying the client's address
    /// (`header`, e.g. `X-Forwarded-For`) and the proxies it is believed from (`trusted`,
    /// addresses or networks). Without it the socket's peer is the client (rate limits).
    pub proxy: sunlight_web::client::ProxyConfig,
}

/// Where uploaded files (materials) are kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Files {
    /// A directory every server of the deployment shares (files named by their SHA-256);
    /// none: the database's `blobs` table.
    pub directory: Option<String>,
}

/// How long the personal data of a finished case is kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Privacy {
    /// Whole years after a case finished (办结、不予受理、撤回) before `sunlight erase` deletes its
    /// applicant's personal data (name, ID number, phone, form, their own texts). Personal data
    /// is kept no longer than its purpose needs unless a law or regulation says otherwise
    /// (个人信息保护法 Art. 19), and is deleted once that period ends (Art. 47 para. 1 item 2).
    /// The default, ten years, is the shorter fixed retention period (定期10年) of the State
    /// Archives Administration's 《机关文件材料归档范围和文书档案保管期限规定》 (国家档案局令第8号):
    /// set it to the period the department's archives rules give its case files. The archived
    /// file itself is the archive's, not this system's.
    pub retention_years: u32,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            retention_years: 10,
        }
    }
}

impl Config {
    /// Where the ledger key lives.
    pub fn ledger_key_path(&self) -> std::path::PathBuf {
        self.beside_database(self.ledger_key.as_deref(), "ledger.key")
    }

    /// Where the departments' seal keys live.
    pub fn seal_keys_path(&self) -> std::path::PathBuf {
        self.beside_database(self.documents.keys.as_deref(), "seals")
    }

    /// Where the query-code secret lives.
    pub fn query_key_path(&self) -> std::path::PathBuf {
        self.beside_database(self.query_key.as_deref(), "query.key")
    }

    /// `given`, else `<database stem>.<suffix>` beside a SQLite file, else `sunlight.<suffix>`.
    fn beside_database(&self, given: Option<&str>, suffix: &str) -> std::path::PathBuf {
        if let Some(p) = given {
            return p.into();
        }
        match self.database_url.strip_prefix("sqlite:") {
            Some(file) => {
                let file = file.trim_start_matches("//");
                let file = file.split('?').next().unwrap_or(file);
                let stem = file.strip_suffix(".db").unwrap_or(file);
                format!("{stem}.{suffix}").into()
            }
            None => format!("sunlight.{suffix}").into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite:sunlight.db".into(),
            listen: "127.0.0.1:8080".into(),
            zone: "+08:00".into(),
            log: "info,sqlx=warn,tower_http=warn".into(),
            ledger_key: None,
            ledger_origin: "sunlight".into(),
            checkpoint_interval: 300,
            query_key: None,
            privacy: Privacy::default(),
            supervision: Default::default(),
            files: Files::default(),
            service: Default::default(),
            notify: Default::default(),
            documents: Default::default(),
            proxy: Default::default(),
        }
    }
}

/// Secrets stay out of logs: a password in the database URL is masked.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &mask_password(&self.database_url))
            .field("listen", &self.listen)
            .field("zone", &self.zone)
            .field("log", &self.log)
            .finish()
    }
}

pub fn mask_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Values given on the command line; only those set override the other layers.
#[derive(Debug, Default, Serialize)]
pub struct Flags {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
}

impl Config {
    /// Loads the layers. `base` lets a command change a default (the demo uses its own file).
    pub fn load(file: Option<&Path>, base: Config, flags: &Flags) -> anyhow::Result<Config> {
        let file = file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| "sunlight.toml".into());
        let config = Figment::from(Serialized::defaults(base))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("SUNLIGHT_").ignore(&["test_postgres"]))
            .merge(Serialized::defaults(flags))
            .extract()
            .map_err(|e| anyhow::anyhow!("configuration ({}): {e}", file.display()))?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API returns its own error type
    fn layers_override_in_order() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sunlight.toml",
                "listen = \"0.0.0.0:9000\"\nzone = \"+09:00\"",
            )?;
            jail.set_env("SUNLIGHT_ZONE", "+07:00");
            let flags = Flags {
                database_url: Some("sqlite:x.db".into()),
                listen: None,
            };
            let c = Config::load(None, Config::default(), &flags).unwrap();
            assert_eq!(c.listen, "0.0.0.0:9000");
            assert_eq!(c.zone, "+07:00");
            assert_eq!(c.database_url, "sqlite:x.db");
            assert_eq!(c.log, Config::default().log);
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn supervision_settings_read_from_the_file() {
        use sunlight_core::supervision::RuleId;
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sunlight.toml",
                r#"
[supervision]
warning_days = 2
disabled = ["concentration"]
[supervision.warning_days_by_power]
"330183-XK-09001" = 5
[supervision.scopes.late_delivery]
powers = ["330183-XK-"]
"#,
            )?;
            let c = Config::load(None, Config::default(), &Flags::default()).unwrap();
            let s = &c.supervision;
            assert_eq!(s.warning_days("330183-XK-00001", "330183"), 2);
            assert_eq!(s.warning_days("330183-XK-09001", "330183"), 5);
            assert_eq!(s.task_warning_days, 1, "unset keys keep their defaults");
            assert!(!s.applies(RuleId::Concentration, "x", "330183"));
            assert!(!s.applies(RuleId::LateDelivery, "330183-CF-00001", "330183"));
            assert!(s.applies(RuleId::LateDelivery, "330183-XK-00001", "330183"));
            Ok(())
        });
        // A misspelt rule is an error that names it, not a silently ignored line.
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sunlight.toml",
                "[supervision]\ndisabled = [\"late_deliveryy\"]",
            )?;
            let e = Config::load(None, Config::default(), &Flags::default()).unwrap_err();
            assert!(e.to_string().contains("late_deliveryy"), "{e}");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)]
    fn secrets_live_beside_the_database_and_retention_is_read_from_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("sunlight.toml", "[privacy]\nretention_years = 30")?;
            let flags = Flags {
                database_url: Some("sqlite:/srv/city.db".into()),
                listen: None,
            };
            let c = Config::load(None, Config::default(), &flags).unwrap();
            assert_eq!(c.privacy.retention_years, 30);
            assert_eq!(c.query_key_path(), Path::new("/srv/city.query.key"));
            assert_eq!(c.ledger_key_path(), Path::new("/srv/city.ledger.key"));
            Ok(())
        });
        let pg = Config {
            database_url: "postgres://db/sunlight".into(),
            ..Config::default()
        };
        assert_eq!(pg.query_key_path(), Path::new("sunlight.query.key"));
        assert_eq!(Config::default().privacy.retention_years, 10);
    }

    #[test]
    fn passwords_never_reach_the_log() {
        let c = Config {
            database_url: "postgres://sunlight:s3cret@db/sunlight".into(),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("s3cret") && shown.contains("sunlight:***@db"),
            "{shown}"
        );
    }
}
