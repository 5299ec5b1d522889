//! The time the web layer acts on. Production reads the system clock; stories hold an adjustable one
//! and move it forward (to a fresh TOTP step, say) instead of waiting for real time to pass.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// "Now" for sign-in, second factor and sessions. Cheap to clone; clones share one offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Seconds added to the system time; `None` for the plain system clock, which never moves.
    offset_seconds: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that starts at the system time and can be moved forward with [`Clock::advance`].
    pub fn adjustable() -> Self {
        Self { offset_seconds: Some(Arc::new(AtomicI64::new(0))) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        let offset = self.offset_seconds.as_ref().map_or(0, |o| o.load(Ordering::SeqCst));
        Duration::try_seconds(offset).and_then(|d| now.checked_add_signed(d)).unwrap_or(now)
    }

    /// Moves an adjustable clock forward by `by` (whole seconds); returns false, moving nothing, on
    /// the system clock or when the offset would overflow.
    pub fn advance(&self, by: Duration) -> bool {
        let Some(offset) = &self.offset_seconds else { return false };
        offset.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| o.checked_add(by.num_seconds())).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_and_the_system_clock_does_not() {
        let clock = Clock::adjustable();
        let shared = clock.clone();
        assert!(clock.advance(Duration::seconds(3600)));
        assert!(shared.now() - Utc::now() >= Duration::seconds(3599), "clones share the offset");
        let system = Clock::system();
        assert!(!system.advance(Duration::seconds(3600)));
        assert!(system.now() - Utc::now() < Duration::seconds(60));
    }
}
