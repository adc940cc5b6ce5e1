#!/usr/bin/env bash
# What a library user pays to build: a program that depends only on
# helpdesk-api against the same program hand-written on reqwest + serde +
# tokio (same TLS stack: reqwest rustls-no-provider + rustls ring +
# rustls-platform-verifier), both calling notification.get once.
#
# Each is built cold in release mode in its own scratch copy and
# CARGO_TARGET_DIR, one after the other in the same run (ratios, not
# absolute times, are what to compare across machines), alternating the
# order over ROUNDS rounds; then the incremental rebuild after touching
# main.rs. Versions are pinned by a copy of the workspace's Cargo.lock.
#
# Usage: scripts/consumer-build-cost.sh [ROUNDS]   (default 1; minutes per round)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${CONSUMER_COST_DIR:-/tmp/helpdesk-consumer-cost}"
ROUNDS="${1:-1}"
rm -rf "$WORK"
mkdir -p "$WORK/api/src" "$WORK/hand/src"

cat > "$WORK/api/Cargo.toml" <<TOML
[package]
name = "consumer-api"
version = "0.1.0"
edition = "2024"
publish = false
[workspace]
[dependencies]
helpdesk-api = { path = "$ROOT/helpdesk-api" }
tokio = { version = "1", default-features = false, features = ["rt-multi-thread", "macros"] }
TOML
cat > "$WORK/api/src/main.rs" <<'RS'
use helpdesk_api::{Client, UserAccessToken};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .base_url("http://127.0.0.1:9")
        .helpdesk_credentials("7100000000000000042", "hd-token")
        .build()?;
    let reply = client
        .notification()
        .get("6981801914270744596")
        .send_with(UserAccessToken::new("u-token"))
        .await;
    match reply {
        Ok(r) => println!("{:?}", r.notification.map(|n| n.job_name)),
        Err(e) => println!("error: {e}"),
    }
    Ok(())
}
RS

cat > "$WORK/hand/Cargo.toml" <<'TOML'
[package]
name = "consumer-hand"
version = "0.1.0"
edition = "2024"
publish = false
[workspace]
[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }
rustls-platform-verifier = "0.7"
serde = { version = "1", features = ["derive"] }
serde_json = "1"
base64 = "0.22"
tokio = { version = "1", default-features = false, features = ["rt-multi-thread", "macros"] }
TOML
cat > "$WORK/hand/src/main.rs" <<'RS'
use base64::Engine;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    code: i64,
    msg: String,
    data: Option<T>,
}

#[derive(Debug, Deserialize)]
struct Data {
    notification: Option<Notification>,
}

#[derive(Debug, Deserialize)]
struct Notification {
    id: Option<String>,
    job_name: String,
    status: Option<i32>,
    create_user: Option<User>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct User {
    user_id: Option<String>,
    name: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let hd = base64::engine::general_purpose::STANDARD.encode("7100000000000000042:hd-token");
    let resp = http
        .get("http://127.0.0.1:9/open-apis/helpdesk/v1/notifications/6981801914270744596")
        .bearer_auth("u-token")
        .header("X-Lark-Helpdesk-Authorization", hd)
        .send()
        .await;
    match resp {
        Ok(r) => {
            let body = r.bytes().await?;
            let env: Envelope<Data> = serde_json::from_slice(&body)?;
            println!("{} {} {:?}", env.code, env.msg, env.data.map(|d| d.notification));
        }
        Err(e) => println!("error: {e}"),
    }
    Ok(())
}
RS
cp "$ROOT/Cargo.lock" "$WORK/api/Cargo.lock"
cp "$ROOT/Cargo.lock" "$WORK/hand/Cargo.lock"
# Fetch first so that downloads are not timed.
(cd "$WORK/api" && cargo fetch -q) && (cd "$WORK/hand" && cargo fetch -q)

secs() { python3 -c 'import sys,time; print(f"{time.time():.3f}")'; }
build() { # dir -> seconds
  local d="$1" t0 t1
  rm -rf "$d/target"
  t0=$(secs); (cd "$d" && CARGO_TARGET_DIR="$d/target" cargo build -q --release); t1=$(secs)
  python3 -c "print(f'{$t1-$t0:.1f}')"
}
incr() {
  local d="$1" t0 t1
  touch "$d/src/main.rs"
  t0=$(secs); (cd "$d" && CARGO_TARGET_DIR="$d/target" cargo build -q --release); t1=$(secs)
  python3 -c "print(f'{$t1-$t0:.1f}')"
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="api hand"; else order="hand api"; fi
  declare -A cold inc
  for w in $order; do
    cold[$w]=$(build "$WORK/$w")
    inc[$w]=$(incr "$WORK/$w")
  done
  python3 - "${cold[api]}" "${cold[hand]}" "${inc[api]}" "${inc[hand]}" "$order" <<'PY'
import sys
ca, ch, ia, ih, order = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
print(f"order {order}: cold release: helpdesk-api {ca:.1f} s, hand-written {ch:.1f} s, ratio {ca/ch:.2f}x; "
      f"incremental (touch main.rs): {ia:.1f} s vs {ih:.1f} s, ratio {ia/ih:.2f}x")
PY
done
