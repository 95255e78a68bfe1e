//! Helpers for this crate's tests.

use std::task::{Context, Poll, Waker};

/// The output of a future that never waits (the ports it calls are scripted and
/// answer at once): one poll, no runtime.
pub(crate) fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("a scripted port never waits"),
    }
}
