//! The nine transaction statuses and the one transition table of the project (SPEC §3).

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransactionStatus {
    Successful,
    Pending,
    Failed,
    Chargeback,
    Refunded,
    Offline,
    PartiallyRefunded,
    Cancelled,
    Undefined,
}

/// A status change the table does not allow. It is an error, never a silent no-op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal transition {from} -> {to}")]
pub struct IllegalTransition {
    pub from: TransactionStatus,
    pub to: TransactionStatus,
}

impl TransactionStatus {
    pub const ALL: [TransactionStatus; 9] = [
        Self::Successful,
        Self::Pending,
        Self::Failed,
        Self::Chargeback,
        Self::Refunded,
        Self::Offline,
        Self::PartiallyRefunded,
        Self::Cancelled,
        Self::Undefined,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Successful => "Successful",
            Self::Pending => "Pending",
            Self::Failed => "Failed",
            Self::Chargeback => "Chargeback",
            Self::Refunded => "Refunded",
            Self::Offline => "Offline",
            Self::PartiallyRefunded => "PartiallyRefunded",
            Self::Cancelled => "Cancelled",
            Self::Undefined => "Undefined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The transition table: every status a payment in `self` may move to.
    ///
    /// `Cancelled` is a popup outcome, never a stored status: no transition enters or leaves it.
    /// `Failed` is a declined attempt; the visitor may try again, so it allows new attempts.
    pub const fn next(self) -> &'static [TransactionStatus] {
        use TransactionStatus::*;
        match self {
            Undefined | Failed => &[Successful, Pending, Failed, Offline],
            Pending => &[Successful, Failed],
            Offline => &[Successful],
            Successful | PartiallyRefunded => &[PartiallyRefunded, Refunded, Chargeback],
            Refunded | Chargeback | Cancelled => &[],
        }
    }

    pub fn can_become(self, to: TransactionStatus) -> bool {
        self.next().contains(&to)
    }

    /// Checks a change against the table.
    pub fn transition(self, to: TransactionStatus) -> Result<TransactionStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// No further change can happen.
    pub const fn is_terminal(self) -> bool {
        match self {
            Self::Refunded | Self::Chargeback | Self::Cancelled => true,
            Self::Successful
            | Self::Pending
            | Self::Failed
            | Self::Offline
            | Self::PartiallyRefunded
            | Self::Undefined => false,
        }
    }

    /// A payment in this status may receive a new payment attempt (it was never charged).
    pub const fn accepts_attempt(self) -> bool {
        match self {
            Self::Undefined | Self::Failed => true,
            Self::Successful
            | Self::Pending
            | Self::Offline
            | Self::PartiallyRefunded
            | Self::Refunded
            | Self::Chargeback
            | Self::Cancelled => false,
        }
    }
}

impl fmt::Display for TransactionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::TransactionStatus::{self, *};

    #[test]
    fn exact_wire_strings() {
        for s in TransactionStatus::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
            assert_eq!(TransactionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(
            serde_json::to_string(&PartiallyRefunded).unwrap(),
            "\"PartiallyRefunded\""
        );
        assert!(serde_json::from_str::<TransactionStatus>("\"successful\"").is_err());
    }

    #[test]
    fn terminal_means_no_way_out() {
        for s in TransactionStatus::ALL {
            assert_eq!(s.is_terminal(), s.next().is_empty(), "{s}");
        }
    }

    #[test]
    fn attempts_only_where_attempt_transitions_exist() {
        for s in TransactionStatus::ALL {
            assert_eq!(s.accepts_attempt(), s.can_become(Pending), "{s}");
        }
    }

    #[test]
    fn lifecycle_paths() {
        let legal = [
            (Undefined, Successful),
            (Undefined, Pending),
            (Undefined, Failed),
            (Undefined, Offline),
            (Failed, Successful),
            (Failed, Failed),
            (Pending, Successful),
            (Pending, Failed),
            (Offline, Successful),
            (Successful, PartiallyRefunded),
            (PartiallyRefunded, PartiallyRefunded),
            (PartiallyRefunded, Refunded),
            (Successful, Refunded),
            (Successful, Chargeback),
        ];
        for (a, b) in legal {
            assert_eq!(a.transition(b), Ok(b), "{a} -> {b}");
        }
        let illegal = [
            (Successful, Successful),
            (Successful, Pending),
            (Pending, Pending),
            (Offline, Failed),
            (Refunded, Successful),
            (Chargeback, Refunded),
            (Undefined, Refunded),
            (Undefined, Cancelled),
            (Failed, Undefined),
            (Pending, Offline),
        ];
        for (a, b) in illegal {
            assert!(a.transition(b).is_err(), "{a} -> {b} allowed");
        }
    }

    #[test]
    fn nothing_enters_cancelled_or_undefined() {
        for s in TransactionStatus::ALL {
            assert!(!s.can_become(Cancelled));
            assert!(!s.can_become(Undefined));
        }
    }
}
