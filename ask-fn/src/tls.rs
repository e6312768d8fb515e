//! The crypto provider behind every HTTPS call the function makes: rustls's *ring*.
//!
//! reqwest is built with `rustls-no-provider` (its `rustls` feature would bring aws-lc-rs, a
//! second crypto library of ~0.4 MiB next to the ring the AWS clients use, see `crate::aws`), so
//! a provider must be installed before a client is built; [`client_builder`] does that. The
//! roots are unchanged: reqwest's platform verifier (the system's certificates).

/// `reqwest::Client::builder()`, after making ring rustls's process-wide provider.
pub fn client_builder() -> reqwest::ClientBuilder {
    install_provider();
    reqwest::Client::builder()
}

/// Installs ring as the process-wide provider unless one already is (then that one is used:
/// installing is first come, first served).
pub fn install_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err: another thread installed one in between, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_with_the_provider_installed() {
        super::client_builder().build().unwrap();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
