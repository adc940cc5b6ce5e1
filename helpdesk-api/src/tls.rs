//! TLS: rustls with the `ring` provider (no OpenSSL, no C build of aws-lc),
//! configured per client: nothing process-wide is installed, so an
//! application that installs its own rustls provider (before or after
//! building a client) is not disturbed.

use std::sync::Arc;

/// A rustls configuration with its own `ring` provider and the same
/// certificate verification reqwest uses (`rustls-platform-verifier`: the
/// operating system's roots and verifier), HTTP/1.1 only.
pub(crate) fn client_config() -> Result<rustls::ClientConfig, String> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up: {e}"))?
        .with_platform_verifier()
        .map_err(|e| format!("TLS set-up (certificate verifier): {e}"))?
        .with_no_client_auth();
    // What reqwest itself offers without its `http2` feature.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
