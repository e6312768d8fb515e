//! Whether an LLM retry may be made: a retry is a second paid call, so it must fit under the
//! global daily cap like the first (which is counted when the question is admitted).
//!
//! The request path sets a permit around its advisor call ([`with_permit`]); the transport asks
//! for it right before retrying ([`allowed`]). A task-local, so the advisors' interface stays
//! the same and code without a permit (tests, tools) keeps its plain single retry.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Takes one LLM call from the daily budget: `true` if it fit.
pub type RetryPermit = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = bool> + Send>> + Send + Sync>;

tokio::task_local! {
    static PERMIT: RetryPermit;
}

/// Runs `work` (an advisor call) with retries counted by `permit`.
pub async fn with_permit<F: Future>(permit: RetryPermit, work: F) -> F::Output {
    PERMIT.scope(permit, work).await
}

/// Whether a retry may be made now (counting it if there is a permit).
pub(crate) async fn allowed() -> bool {
    match PERMIT.try_with(Arc::clone) {
        Ok(permit) => permit().await,
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_permit_counts_each_retry_and_can_refuse() {
        assert!(allowed().await, "no permit: the plain single retry");
        let left = Arc::new(AtomicU32::new(1));
        let counter = left.clone();
        let permit: RetryPermit = Arc::new(move || {
            let counter = counter.clone();
            Box::pin(async move {
                counter
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
            })
        });
        let answers = with_permit(permit, async { (allowed().await, allowed().await) }).await;
        assert_eq!(answers, (true, false));
        assert_eq!(left.load(Ordering::SeqCst), 0);
    }
}
