//! TLS: rustls with the `ring` provider (no OpenSSL, no C build of aws-lc).

/// reqwest is built with `rustls-no-provider`: it uses the process-wide
/// rustls provider. Install `ring` unless the application installed one.
pub(crate) fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread won the race: a provider is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
