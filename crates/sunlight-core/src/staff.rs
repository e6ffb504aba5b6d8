//! Staff, their departments and roles, and their passwords (argon2id).

use crate::department::CreditCode;
use crate::error::{DomainError, ErrorCode, FieldError};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do. The later parts (cases, supervision) decide by these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// 编办/审改办 editor: proposes and publishes list changes.
    RegistryEditor,
    /// 法制审核: approves or rejects proposed changes.
    Reviewer,
    /// 窗口受理员
    WindowClerk,
    /// 承办人
    CaseOfficer,
    /// 审核人、首席代表
    Approver,
    /// 监察 / 纪检
    Supervisor,
    /// 审计: reads everything, changes nothing.
    Auditor,
    /// Manages users, departments, regions.
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Self::RegistryEditor,
        Self::Reviewer,
        Self::WindowClerk,
        Self::CaseOfficer,
        Self::Approver,
        Self::Supervisor,
        Self::Auditor,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegistryEditor => "registry_editor",
            Self::Reviewer => "reviewer",
            Self::WindowClerk => "window_clerk",
            Self::CaseOfficer => "case_officer",
            Self::Approver => "approver",
            Self::Supervisor => "supervisor",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::RegistryEditor => "清单编辑",
            Self::Reviewer => "法制审核",
            Self::WindowClerk => "窗口受理员",
            Self::CaseOfficer => "承办人",
            Self::Approver => "审核人/首席代表",
            Self::Supervisor => "监察员",
            Self::Auditor => "审计员",
            Self::Admin => "系统管理员",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let key = crate::text::comparison_key(s);
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == key || r.zh() == key)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login name: 2–32 characters of lowercase letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let s = s.trim();
        let ok = (2..=32).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(DomainError::field(
                "username",
                crate::zh_en!(
                    "“{s}”：用户名应为 2–32 位小写字母、数字或“.”“_”“-”",
                    "«{s}»: use 2–32 lowercase letters, digits, '.', '_' or '-'"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A member of staff. Roles are held within the user's department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub username: Username,
    pub display_name: String,
    /// `None` for staff of no department (system administrators).
    pub department: Option<CreditCode>,
    pub roles: Vec<Role>,
}

impl User {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Sees every department's cases, alerts and the supervision board: supervisors (监察),
    /// auditors (审计) and administrators. The one answer the API and the pages give.
    pub fn oversees(&self) -> bool {
        self.has(Role::Supervisor) || self.has(Role::Auditor) || self.has(Role::Admin)
    }
    /// Works in `department` (a credit code).
    pub fn works_in(&self, department: &str) -> bool {
        self.department
            .as_ref()
            .is_some_and(|d| d.as_str() == department)
    }

    /// May read what concerns `department` (its alerts, its figures): its own staff and those
    /// who oversee.
    pub fn may_see_department(&self, department: &str) -> bool {
        self.oversees() || self.works_in(department)
    }

    /// May read a whole case: supervisors and auditors, the staff of the case's department and
    /// of any department with a task on it.
    pub fn may_read_case(&self, case: &crate::case::Case) -> bool {
        if self.has(Role::Supervisor) || self.has(Role::Auditor) {
            return true;
        }
        self.department.as_ref().is_some_and(|d| {
            d == &case.opened.department || case.tasks.iter().any(|t| &t.department == d)
        })
    }

    pub fn require(&self, role: Role) -> Result<(), DomainError> {
        if self.has(role) {
            Ok(())
        } else {
            Err(DomainError::rule(
                ErrorCode::RoleRequired,
                crate::zh_en!(
                    "此项操作须由{zh}办理，{user} 不具备该角色",
                    "this needs the {en} ({zh}) role, which {user} does not hold",
                    en = role.as_str(),
                    zh = role.zh(),
                    user = &self.username,
                ),
            ))
        }
    }
}

/// An argon2id password hash in PHC string form.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordDigest(String);

impl fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordDigest(…)")
    }
}

/// How much work hashing a password takes (argon2id: memory in KiB, passes, lanes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl HashCost {
    /// argon2id's recommended minimum (OWASP Password Storage: 19 MiB, 2 passes, 1 lane).
    pub const STANDARD: Self = Self {
        memory_kib: 19 * 1024,
        passes: 2,
        lanes: 1,
    };
    /// The least argon2 accepts: for test suites, which make accounts by the hundred. Never
    /// for a real server (the store uses it only when told to, and the binary never tells it).
    pub const TESTING: Self = Self {
        memory_kib: 8,
        passes: 1,
        lanes: 1,
    };
}

impl PasswordDigest {
    pub const MIN_LEN: usize = 8;

    /// Hashes a new password with argon2id at the standard cost and a fresh salt, refusing
    /// short ones.
    pub fn hash(password: &str) -> Result<Self, DomainError> {
        Self::hash_at(password, HashCost::STANDARD)
    }

    /// The same at `cost`. The cost is written into the hash, so verifying needs no setting.
    pub fn hash_at(password: &str, cost: HashCost) -> Result<Self, DomainError> {
        if password.chars().count() < Self::MIN_LEN {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "password",
                crate::zh_en!(
                    "密码至少 {n} 位",
                    "needs at least {n} characters",
                    n = Self::MIN_LEN,
                ),
            )]));
        }
        let failed = |e: &dyn std::fmt::Display| {
            DomainError::field(
                "password",
                crate::zh_en!("密码无法加密保存：{e}", "could not be hashed: {e}"),
            )
        };
        let params = argon2::Params::new(cost.memory_kib, cost.passes, cost.lanes, None)
            .map_err(|e| failed(&e))?;
        let hash = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(password.as_bytes())
            .map_err(|e| failed(&e))?;
        Ok(Self(hash.to_string()))
    }

    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `password` matches; a malformed stored hash never matches.
    pub fn verify(&self, password: &str) -> bool {
        PasswordHash::new(&self.0)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_and_verifies() {
        let d = PasswordDigest::hash("阳光政务2026").unwrap();
        assert!(d.as_str().starts_with("$argon2id$"), "{}", d.as_str());
        assert!(d.verify("阳光政务2026"));
        assert!(!d.verify("阳光政务2025"));
        assert!(!PasswordDigest::from_stored("garbage".into()).verify("x"));
        assert!(PasswordDigest::hash("short").is_err());
        assert!(d.as_str().contains("m=19456,t=2,p=1"), "{}", d.as_str());
    }

    #[test]
    fn a_cheap_hash_verifies_with_the_same_verifier() {
        let d = PasswordDigest::hash_at("阳光政务2026", HashCost::TESTING).unwrap();
        assert!(d.as_str().contains("m=8,t=1,p=1"), "{}", d.as_str());
        assert!(d.verify("阳光政务2026"));
        assert!(!d.verify("阳光政务2025"));
    }

    #[test]
    fn usernames_and_roles() {
        assert!(Username::parse("zhang.wei").is_ok());
        assert!(Username::parse("Zhang Wei").is_err());
        assert_eq!(Role::parse("法制审核"), Some(Role::Reviewer));
        assert_eq!(Role::parse("window_clerk"), Some(Role::WindowClerk));
    }
}
