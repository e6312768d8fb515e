//! Whether an LLM retry may be made: a retry is a second paid call, so it must fit under the
//! global daily cap like the first (which is counted when the question is admitted).
//!
//! The request path puts a [`RetryPermit`] in the [`AdviceRequest`](super::AdviceRequest); the
//! transport asks it right before retrying. Passed explicitly, so what a call may spend is
//! visible at the call; a request without one (tests, tools) keeps its plain single retry.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

type Take = dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync;

/// Takes one LLM call from the daily budget: `true` if it fit.
#[derive(Clone)]
pub struct RetryPermit(Arc<Take>);

impl RetryPermit {
    pub fn new(
        take: impl Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(take))
    }

    /// Whether a retry may be made now (counting it).
    pub async fn take(&self) -> bool {
        (self.0)().await
    }
}

impl fmt::Debug for RetryPermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RetryPermit")
    }
}

/// Whether a retry may be made under `permit` (none: the plain single retry).
pub(crate) async fn allowed(permit: Option<&RetryPermit>) -> bool {
    match permit {
        Some(permit) => permit.take().await,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_permit_counts_each_retry_and_can_refuse() {
        assert!(allowed(None).await, "no permit: the plain single retry");
        let left = Arc::new(AtomicU32::new(1));
        let counter = left.clone();
        let permit = RetryPermit::new(move || {
            let counter = counter.clone();
            Box::pin(async move {
                counter
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
            })
        });
        let answers = (allowed(Some(&permit)).await, allowed(Some(&permit)).await);
        assert_eq!(answers, (true, false));
        assert_eq!(left.load(Ordering::SeqCst), 0);
    }
}
