//! [`RateWindow`]: a sliding-window limit on calls (Genie's questions per minute).

use std::collections::VecDeque;

/// At most `limit` admissions in any window of `window_ms` milliseconds.
#[derive(Debug, Clone)]
pub(crate) struct RateWindow {
    limit: usize,
    window_ms: u64,
    admitted: VecDeque<u64>,
}

impl RateWindow {
    /// A window admitting `limit` calls per `window_ms`.
    pub(crate) fn new(limit: u32, window_ms: u64) -> Self {
        Self {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            window_ms: window_ms.max(1),
            admitted: VecDeque::new(),
        }
    }

    /// Admits a call at `now_ms`, or says how many milliseconds until one would be.
    pub(crate) fn admit(&mut self, now_ms: u64) -> Result<(), u64> {
        while let Some(&oldest) = self.admitted.front() {
            if oldest + self.window_ms <= now_ms {
                self.admitted.pop_front();
            } else {
                break;
            }
        }
        if self.admitted.len() < self.limit {
            self.admitted.push_back(now_ms);
            return Ok(());
        }
        let oldest = self.admitted.front().copied().unwrap_or(now_ms);
        Err((oldest + self.window_ms).saturating_sub(now_ms).max(1))
    }
}

/// `Retry-After` seconds for a wait of `millis`: rounded up, at least 1.
pub(crate) fn retry_after_seconds(millis: u64) -> u64 {
    millis.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_within_a_window() {
        let mut window = RateWindow::new(2, 60_000);
        assert_eq!(window.admit(1_000), Ok(()));
        assert_eq!(window.admit(2_000), Ok(()));
        assert_eq!(window.admit(3_000), Err(58_000));
        assert_eq!(window.admit(60_999), Err(1));
        assert_eq!(window.admit(61_000), Ok(()));
        assert_eq!(window.admit(61_500), Err(500));
        assert_eq!(window.admit(62_000), Ok(()));
    }

    #[test]
    fn refused_calls_do_not_count() {
        let mut window = RateWindow::new(1, 100);
        assert_eq!(window.admit(0), Ok(()));
        for now in 1..100 {
            assert!(window.admit(now).is_err());
        }
        assert_eq!(window.admit(100), Ok(()));
    }

    #[test]
    fn zero_limit_refuses_everything() {
        let mut window = RateWindow::new(0, 1_000);
        assert_eq!(window.admit(5), Err(1_000));
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(1), 1);
        assert_eq!(retry_after_seconds(1_000), 1);
        assert_eq!(retry_after_seconds(1_001), 2);
        assert_eq!(retry_after_seconds(0), 1);
    }
}
