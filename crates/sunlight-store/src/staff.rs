//! Staff accounts and login sessions.
//!
//! A session token is 32 random bytes shown once to the client; only its SHA-256 is stored,
//! so a copy of the database does not hand out live sessions.

use crate::sql;
use crate::{Result, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sunlight_core::staff::PasswordDigest;
use sunlight_core::{CreditCode, Role, Timestamp, User, Username};

/// After this many wrong passwords in a row the account is locked for [`LOCK_MINUTES`].
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// Sessions last a working day and a bit.
pub const SESSION_HOURS: i64 = 12;

#[derive(Debug, Clone)]
pub struct Session {
    /// The bearer token; only ever in the client's hands and in this value.
    pub token: String,
    pub user: User,
    pub expires_at: Timestamp,
}

#[derive(Debug)]
pub enum LoginOutcome {
    Ok(Session),
    /// Wrong user or password (not told apart, so names cannot be probed).
    Refused,
    Locked {
        until: Timestamp,
    },
}

fn user_from(row: &sqlx::any::AnyRow) -> Result<User> {
    let name: String = row.try_get("username")?;
    let roles: String = row.try_get("roles")?;
    let dept: Option<String> = row.try_get("department")?;
    let corrupt = |e: sunlight_core::DomainError| StoreError::Corrupt(e.to_string());
    Ok(User {
        username: Username::parse(&name).map_err(corrupt)?,
        display_name: row.try_get("display_name")?,
        department: dept
            .as_deref()
            .map(CreditCode::parse)
            .transpose()
            .map_err(corrupt)?,
        roles: roles
            .split(',')
            .filter(|r| !r.is_empty())
            .map(|r| Role::parse(r).ok_or_else(|| StoreError::Corrupt(format!("role {r}"))))
            .collect::<Result<_>>()?,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// This store hashing new passwords at `cost` (test suites: `HashCost::TESTING`).
    pub fn with_password_cost(mut self, cost: sunlight_core::staff::HashCost) -> Self {
        self.password_cost = cost;
        self
    }

    /// Adds a user with a password (hashed with argon2id here). The department must exist.
    pub async fn add_user(&self, user: &User, password: &str, now: Timestamp) -> Result<()> {
        let digest = PasswordDigest::hash_at(password, self.password_cost)?;
        self.add_user_with_digest(user, &digest, now).await
    }

    /// Adds a user whose password was hashed already (sample data ships PHC strings).
    pub async fn add_user_with_digest(
        &self,
        user: &User,
        digest: &PasswordDigest,
        now: Timestamp,
    ) -> Result<()> {
        if let Some(d) = &user.department
            && self.department(d).await?.is_none()
        {
            return Err(StoreError::invalid(
                "department",
                sunlight_core::zh_en!("部门 {d} 尚未登记", "department {d} is not stored"),
            ));
        }
        if user.roles.is_empty() {
            return Err(StoreError::invalid(
                "roles",
                sunlight_core::zh_en!("用户至少应有一个角色", "a user needs at least one role"),
            ));
        }
        let roles = user
            .roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let res = sqlx::query(
            "INSERT INTO users (username, display_name, department, roles, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING",
        )
        .bind(user.username.as_str())
        .bind(&user.display_name)
        .bind(user.department.as_ref().map(|d| d.to_string()))
        .bind(roles)
        .bind(digest.as_str())
        .bind(sql::millis(now))
        .execute(&self.writer)
        .await?;
        if res.rows_affected() == 0 {
            return Err(StoreError::Conflict(sunlight_core::zh_en!(
                "用户 {u} 已存在",
                "user {u} already exists",
                u = &user.username,
            )));
        }
        Ok(())
    }

    pub async fn user(&self, name: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT username, display_name, department, roles FROM users WHERE username = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(
            "SELECT username, display_name, department, roles FROM users ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from).collect()
    }

    /// The staff of a department, by name.
    pub async fn staff_of(&self, department: &str) -> Result<Vec<User>> {
        let rows = sqlx::query(
            "SELECT username, display_name, department, roles FROM users
             WHERE department = $1 ORDER BY display_name, username",
        )
        .bind(department)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(user_from).collect()
    }

    /// Checks a password and opens a session. Repeated failures lock the account for a while.
    pub async fn login(&self, name: &str, password: &str, now: Timestamp) -> Result<LoginOutcome> {
        let row = sqlx::query(
            "SELECT username, display_name, department, roles, password_hash, failed_logins, locked_until
             FROM users WHERE username = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Spend the same effort as a real check so timing does not reveal the name.
            let _ = PasswordDigest::from_stored(DUMMY_HASH.into()).verify(password);
            return Ok(LoginOutcome::Refused);
        };
        let now_ms = sql::millis(now);
        if let Some(until) = row.try_get::<Option<i64>, _>("locked_until")?
            && until > now_ms
        {
            return Ok(LoginOutcome::Locked {
                until: sql::instant(until)?,
            });
        }
        let digest = PasswordDigest::from_stored(row.try_get("password_hash")?);
        if !digest.verify(password) {
            let failed: i64 = row.try_get::<i64, _>("failed_logins")? + 1;
            let lock = (failed >= MAX_FAILED_LOGINS).then(|| now_ms + LOCK_MINUTES * 60_000);
            sqlx::query(
                "UPDATE users SET failed_logins = $1, locked_until = $2 WHERE username = $3",
            )
            .bind(if lock.is_some() { 0 } else { failed })
            .bind(lock)
            .bind(name)
            .execute(&self.writer)
            .await?;
            return Ok(match lock {
                Some(until) => LoginOutcome::Locked {
                    until: sql::instant(until)?,
                },
                None => LoginOutcome::Refused,
            });
        }
        let user = user_from(&row)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Corrupt(format!("no randomness: {e}")))?;
        let token = hex::encode(bytes);
        let expires = now_ms + SESSION_HOURS * 3_600_000;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE username = $1 AND expires_at <= $2")
            .bind(name)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash(&token))
            .bind(name)
            .bind(now_ms)
            .bind(expires)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(LoginOutcome::Ok(Session {
            token,
            user,
            expires_at: sql::instant(expires)?,
        }))
    }

    /// The user behind a live session token.
    pub async fn session_user(&self, token: &str, now: Timestamp) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.username, u.display_name, u.department, u.roles FROM sessions s
             JOIN users u ON u.username = s.username WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(sql::millis(now))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

/// An argon2id hash of a random string, verified against when the user does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c3VubGlnaHRkdW1teQ$6Ry0wjD4yJ4F7Ob0p5cVbm0kCzMUBhD1z2bFfXHlPZg";
