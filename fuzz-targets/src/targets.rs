//! The targets.

use crate::mutate::{mutate_text, mutate_value};
use crate::rng::Rng;
use helpdesk_api::events::{Callback, EventDecoder, EventError};
use helpdesk_spec::{Severity, SpecError};
use std::path::Path;
use std::sync::OnceLock;

/// The roles a spec file can have, by directory (`service.json` is the
/// one file of the first role).
pub const SPEC_ROLES: [&str; 4] = ["", "types/", "endpoints/", "events/"];

/// The real spec files, `(name, text)`, read once from `spec/`.
pub fn spec_files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        helpdesk_spec::load::read_dir(&dir).expect("spec/ is readable")
    })
}

fn role_of(name: &str) -> usize {
    SPEC_ROLES
        .iter()
        .rposition(|r| !r.is_empty() && name.starts_with(r))
        .unwrap_or(0)
}

/// The `spec` target input that puts `text` in place of the real file
/// `name` (or, for a name not in the spec, adds it in `role`).
pub fn spec_input(role: usize, index: usize, text: &[u8]) -> Vec<u8> {
    let mut v = vec![role as u8, index as u8];
    v.extend_from_slice(text);
    v
}

/// Checks the spec made of the real files with `text` as file `index` of
/// role `role` (an index past the role's files adds a new file).
fn check_spec_with(role: usize, index: usize, text: &str) {
    let real = spec_files();
    let role = role % SPEC_ROLES.len();
    let in_role: Vec<usize> = (0..real.len())
        .filter(|&i| role_of(&real[i].0) == role)
        .collect();
    let mut files: Vec<(String, String)> = real.to_vec();
    let slot = index % (in_role.len() + 1);
    let name = match in_role.get(slot) {
        Some(&i) => {
            files[i].1 = text.to_string();
            files[i].0.clone()
        }
        None => {
            let name = if role == 0 {
                // a second service file under another directory
                "extra/service.json".to_string()
            } else {
                format!("{}fuzz.json", SPEC_ROLES[role])
            };
            files.push((name.clone(), text.to_string()));
            name
        }
    };
    match helpdesk_spec::check_files(&files) {
        Ok(checked) => {
            for w in &checked.warnings {
                assert_located(w, &name);
            }
            // Generate what the input can change: for an endpoint file, that
            // endpoint (with every type and event); otherwise everything.
            // The other 49 endpoints would come out the same every run and
            // cost most of the time.
            let mut spec = checked.spec;
            if SPEC_ROLES[role] == "endpoints/" {
                spec.endpoints.retain(|e| e.file == name);
            }
            let code = helpdesk_codegen::generate(&spec);
            assert!(code.starts_with("// @generated"), "{name}");
        }
        Err(SpecError { diagnostics }) => {
            assert!(
                diagnostics.iter().any(|d| d.severity == Severity::Error),
                "{name}: a failure without an error diagnostic"
            );
            for d in &diagnostics {
                assert_located(d, &name);
            }
        }
    }
}

fn assert_located(d: &helpdesk_spec::Diagnostic, changed: &str) {
    assert!(!d.file.is_empty(), "a diagnostic without a file: {d:?}");
    assert!(
        !d.message.is_empty(),
        "a diagnostic without a message: {d:?}"
    );
    assert!(
        d.line >= 1,
        "a diagnostic without a line (changed file {changed}): {d:?}"
    );
    let shown = d.to_string();
    assert!(shown.contains(&d.file), "{shown}");
}

/// **spec**: `[role, file index, text…]`. The text (lossy UTF-8: the loader
/// reads text) replaces one real spec file of that role, or is added as a
/// new one; the whole spec is then loaded, validated and, when valid,
/// generated. No panic; a failure is at least one error, every diagnostic
/// located (`file:line:col`).
pub fn spec(data: &[u8]) {
    let (role, index, text) = match data {
        [r, i, rest @ ..] => (*r as usize, *i as usize, rest),
        _ => (0, 0, data),
    };
    let text = String::from_utf8_lossy(text);
    check_spec_with(role, index, &text);
}

/// **spec_mutate**: the bytes steer JSON-aware mutations of one real spec
/// file (a key dropped or misspelt, a wrong type, a subtree copied, deep
/// nesting, a cut), which then goes through the `spec` checks.
pub fn spec_mutate(data: &[u8]) {
    let real = spec_files();
    let mut rng = Rng::from_bytes(data);
    let pick = data.first().map_or(0, |&b| b as usize) % real.len();
    let (name, text) = &real[pick];
    let role = role_of(name);
    let index = real[..pick]
        .iter()
        .filter(|(n, _)| role_of(n) == role)
        .count();
    let mut value: serde_json::Value = serde_json::from_str(text).expect("spec files are JSON");
    let rounds = 1 + data.get(1).map_or(0, |&b| b as usize % 4);
    mutate_value(&mut value, &mut rng, rounds);
    let mut text = serde_json::to_string_pretty(&value).expect("a Value serializes");
    if data.get(2).is_some_and(|b| b % 4 == 0) {
        text = mutate_text(text, &mut rng);
    }
    check_spec_with(role, index, &text);
}

/// HTTP statuses a reply may come with, picked by the first input byte.
pub const STATUSES: [u16; 12] = [200, 200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 503];

/// **reply**: `[status selector, body…]`: the body decoded as the reply of
/// every endpoint. No panic; a value only for a 2xx with code 0; otherwise
/// an API error (code ≠ 0) or a reply error, with the status and log id.
pub fn reply(data: &[u8]) {
    let (status, body) = match data {
        [s, rest @ ..] => (STATUSES[*s as usize % STATUSES.len()], rest),
        [] => (200, data),
    };
    crate::endpoints::decode_all(status, body);
}

/// The verification token the `events` target configures.
pub const EVENT_VERIFICATION_TOKEN: &str = "fuzz-verification-token";
/// The encrypt key the `events` target configures.
pub const EVENT_ENCRYPT_KEY: &str = "fuzz-encrypt-key";

#[derive(serde::Deserialize)]
struct EncryptedShape {
    #[allow(dead_code)]
    encrypt: String,
}

/// **events**: the bytes as a callback body, decoded plain, encrypted with
/// the configured key (must decode the same as plain), as a bogus
/// `{"encrypt": base64(bytes)}` (must fail as `Decrypt` or decode), and
/// without a key; plus the signature check over them. No panic; an event
/// only with the right token.
pub fn events(data: &[u8]) {
    use base64::Engine;
    let decoder = EventDecoder::new()
        .verification_token(EVENT_VERIFICATION_TOKEN)
        .encrypt_key(EVENT_ENCRYPT_KEY);
    let plain = decoder.decode(data);
    check_callback(&plain);

    let mut iv = [0u8; 16];
    for (d, s) in iv.iter_mut().zip(data.iter().rev()) {
        *d = *s;
    }
    let sealed = helpdesk_api::events::encrypt(EVENT_ENCRYPT_KEY, data, iv);
    let body = serde_json::json!({ "encrypt": sealed }).to_string();
    let opened = decoder.decode(body.as_bytes());
    check_callback(&opened);
    if serde_json::from_slice::<EncryptedShape>(data).is_err() {
        assert_eq!(plain, opened, "plain and encrypted bodies decode alike");
    }

    let bogus = serde_json::json!({
        "encrypt": base64::engine::general_purpose::STANDARD.encode(data)
    })
    .to_string();
    match decoder.decode(bogus.as_bytes()) {
        Err(EventError::Decrypt(_)) => {}
        other => check_callback(&other),
    }

    let keyless = EventDecoder::new().decode(data);
    if let Ok(Callback::Event(_)) = &plain {
        assert!(
            keyless.is_ok(),
            "a decoder without a token refused {keyless:?}"
        );
    }
    let _ = keyless.map_err(|e| e.to_string());

    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\n');
    let (ts, nonce, sig) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let _ = decoder.verify_signature(ts, nonce, data, sig);
}

fn check_callback(r: &Result<Callback, EventError>) {
    match r {
        Ok(Callback::Event(cb)) => {
            assert_eq!(
                cb.header.token, EVENT_VERIFICATION_TOKEN,
                "an event with the wrong token was accepted"
            );
            let shown = format!("{:?}", cb.header);
            assert!(!shown.contains(EVENT_VERIFICATION_TOKEN), "{shown}");
            assert_eq!(cb.event.event_type(), cb.header.event_type);
        }
        Ok(Callback::UrlVerification { .. }) => {}
        Ok(other) => {
            let _ = format!("{other:?}");
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.contains(EVENT_ENCRYPT_KEY), "{shown}");
        }
    }
}
