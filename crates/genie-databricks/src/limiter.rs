//! [`RateLimiter`]: at most `limit` calls in any window of `window` (Databricks' Genie
//! API allows 5 questions a minute per workspace). One limiter is shared (`Arc`) by
//! every client and task that asks questions of one workspace, so together they never
//! go over it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// A sliding-window limit on calls. A call counts from when it is let through until the
/// caller says it was answered ([`Permit::answered`]): the service saw it somewhere in
/// between, so measuring the window from the answer never lets a call arrive early.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    sent: Mutex<VecDeque<(u64, Instant)>>,
    next_ticket: std::sync::atomic::AtomicU64,
}

/// A call let through by [`RateLimiter::acquire`].
#[derive(Debug)]
#[must_use = "say when the call was answered"]
pub struct Permit<'a> {
    limiter: &'a RateLimiter,
    ticket: u64,
}

impl Permit<'_> {
    /// The call was answered now: the window counts from here.
    pub async fn answered(self) {
        let mut sent = self.limiter.sent.lock().await;
        if let Some(entry) = sent.iter_mut().find(|(ticket, _)| *ticket == self.ticket) {
            entry.1 = Instant::now();
        }
        // Keep the oldest first.
        sent.make_contiguous().sort_by_key(|(_, at)| *at);
    }
}

impl RateLimiter {
    /// At most `limit` calls (at least one) in any `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit: limit.max(1),
            window,
            sent: Mutex::new(VecDeque::new()),
            next_ticket: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Databricks' documented Genie API limit: 5 questions per minute.
    pub fn genie_default() -> Self {
        Self::new(5, Duration::from_mins(1))
    }

    /// Waits until a call may be made, and counts it.
    pub async fn acquire(&self) -> Permit<'_> {
        loop {
            let wait = {
                let mut sent = self.sent.lock().await;
                let now = Instant::now();
                while sent
                    .front()
                    .is_some_and(|(_, first)| now.saturating_duration_since(*first) >= self.window)
                {
                    sent.pop_front();
                }
                if sent.len() < self.limit {
                    let ticket = self
                        .next_ticket
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    sent.push_back((ticket, now));
                    return Permit {
                        limiter: self,
                        ticket,
                    };
                }
                // The oldest call leaves the window first.
                sent.front().map_or(Duration::ZERO, |(_, first)| {
                    self.window
                        .saturating_sub(now.saturating_duration_since(*first))
                })
            };
            tokio::time::sleep(wait + Duration::from_millis(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_holds_more_than_the_limit() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let limiter = std::sync::Arc::new(RateLimiter::new(3, Duration::from_millis(200)));
            let start = Instant::now();
            let mut tasks = Vec::new();
            for _ in 0..7 {
                let limiter = std::sync::Arc::clone(&limiter);
                tasks.push(tokio::spawn(async move {
                    limiter.acquire().await.answered().await;
                    Instant::now()
                }));
            }
            let mut times = Vec::new();
            for task in tasks {
                times.push(task.await.unwrap());
            }
            times.sort();
            // Any four consecutive calls span at least one window.
            for four in times.windows(4) {
                assert!(four[3].duration_since(four[0]) >= Duration::from_millis(200));
            }
            assert!(times[6].duration_since(start) >= Duration::from_millis(400));
        });
    }
}
