//! Bounded concurrency: run one task per item, at most `limit` at a time, and get
//! the outputs back in the items' order.

use std::future::Future;

use tokio::task::JoinSet;

/// Runs `task(item)` for every item, at most `limit` (≥ 1) at once, on the current
/// tokio runtime. Outputs come back in item order, whatever order tasks finish in. A
/// panicking task panics the caller (it is a bug, never a result).
pub(crate) async fn run_bounded<T, R, F, Fut>(items: Vec<T>, limit: usize, task: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let total = items.len();
    let mut outputs: Vec<Option<R>> = std::iter::repeat_with(|| None).take(total).collect();
    let mut pending = items.into_iter().enumerate();
    let mut running = JoinSet::new();
    let limit = limit.max(1);
    loop {
        while running.len() < limit {
            let Some((index, item)) = pending.next() else {
                break;
            };
            let future = task(item);
            running.spawn(async move { (index, future.await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        match joined {
            Ok((index, output)) => outputs[index] = Some(output),
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    outputs
        .into_iter()
        .map(|output| output.expect("every spawned task reported"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn keeps_order_and_never_exceeds_the_limit() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let items: Vec<u64> = (0..12).collect();
        let outputs = run_bounded(items, 3, |item| {
            let running = Arc::clone(&running);
            let peak = Arc::clone(&peak);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                // Later items finish first, so completion order differs from item order.
                tokio::time::sleep(Duration::from_millis(12 - item)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                item * 10
            }
        })
        .await;
        assert_eq!(outputs, (0..12).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
