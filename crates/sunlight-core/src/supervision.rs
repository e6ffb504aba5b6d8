//! Electronic supervision (电子监察): the colour of every case and task, the instants those
//! colours change, and the typed rules that raise alerts — on each event and on time passing.
//!
//! Colours (the reports' 红黄蓝绿灯):
//! - **blue** (蓝灯): in progress, on time;
//! - **yellow** (黄灯, 预警): inside the warning window — the last `warning_days` working days up
//!   to and including the committed deadline;
//! - **red** (红灯): past the committed deadline (from 00:00 of the day after it);
//! - **red card** (红牌): past the statutory deadline;
//! - **green** (绿灯): finished on or before the committed deadline; **late** (超时办结):
//!   finished after it — a late case stays marked late.
//!
//! Tasks get the same colours against their node budget (`TaskState::due`), with their own
//! (shorter) warning window, and never a red card.
//!
//! Everything here is pure: [`marks`] lists the instants at which a case changes colour or a
//! time rule fires (the timer queue keeps only the next one of each case), [`case_colour`] and
//! [`task_colour`] answer for any instant, and [`on_event`] checks one event.

use crate::calendar::{Calendar, CalendarError};
use crate::case::{Case, CaseEvent, CaseStatus, EventBody, TaskStatus, Verdict};
use crate::clock::Zone;
use crate::flow::StepKind;
use crate::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod feed;
pub mod life;

/// 行政许可法第三十二条: the acceptance decision within five (working) days of the application.
pub const ACCEPTANCE_DAYS: u32 = 5;
/// 行政许可法第四十四条: the licence issued and delivered within ten (working) days of the decision.
pub const DELIVERY_DAYS: u32 = 10;
/// 行政许可法第四十二条: an extension of at most ten working days.
pub const EXTENSION_ALLOWANCE: u32 = 10;

mod alerts;
mod events;
mod marks;
mod rules;
mod settings;
mod watch;

pub use alerts::*;
pub use events::*;
pub use marks::*;
pub use rules::*;
pub use settings::*;
pub use watch::*;

#[cfg(test)]
mod tests;
