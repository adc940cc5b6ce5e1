//! Event callbacks: every spec event's doc example decodes to its typed
//! variant; encrypted bodies, URL verification, the token check and the
//! signature check; bad callbacks are typed errors.

use helpdesk_api::events::{Callback, EventDecoder, EventError, encrypt};
use helpdesk_api::{Event, types};

const TOKEN: &str = "rvaYgkND1GOiu5MM0E1rncYC6PLtF7JV";
const KEY: &str = "an-encrypt-key-from-the-console";

fn example(event_type: &str) -> String {
    let path = format!(
        "{}/spec/events/{event_type}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec["example"].to_string()
}

fn decode(body: &[u8]) -> Result<Callback, EventError> {
    EventDecoder::new()
        .verification_token(TOKEN)
        .encrypt_key(KEY)
        .decode(body)
}

fn event(body: &[u8]) -> (helpdesk_api::events::EventHeader, Event) {
    match decode(body).unwrap() {
        Callback::Event(cb) => (cb.header, cb.event),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_spec_event_example_decodes_to_its_variant() {
    assert_eq!(Event::EVENT_TYPES.len(), 4);
    for t in Event::EVENT_TYPES {
        let (header, ev) = event(example(t).as_bytes());
        assert_eq!(header.event_type, *t);
        assert_eq!(ev.event_type(), *t);
        assert!(
            !matches!(ev, Event::Unknown { .. }),
            "{t} decoded as unknown"
        );
    }
}

#[test]
fn typed_fields_of_the_examples() {
    let (h, ev) = event(example("helpdesk.ticket.created_v1").as_bytes());
    assert_eq!(h.event_id, "5e3702a84e847582be8db7fb73283c02");
    assert_eq!(h.create_time.unwrap().millis(), 1_608_725_989_000);
    assert_eq!(h.app_id, "cli_9f5343c580712544");
    match ev {
        Event::TicketCreatedV1(e) => {
            assert_eq!(e.ticket_id.as_deref(), Some("6626871355780366331"));
            assert_eq!(e.created_at.map(|t| t.millis()), Some(1_616_920_429_000));
            let guest = e.guest.unwrap();
            assert_eq!(guest.name.as_deref(), Some("-"));
        }
        other => panic!("{other:?}"),
    }
    match event(example("helpdesk.notification.approve_v1").as_bytes()).1 {
        Event::NotificationApproveV1(e) => {
            assert_eq!(
                e.approve_status,
                Some(types::NotificationApproveStatus::Approved)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn encrypted_bodies_are_decrypted() {
    for (i, t) in Event::EVENT_TYPES.iter().enumerate() {
        let plain = example(t);
        let body = serde_json::json!({ "encrypt": encrypt(KEY, plain.as_bytes(), [i as u8; 16]) })
            .to_string();
        let (_, ev) = event(body.as_bytes());
        assert_eq!(ev.event_type(), *t);
        // same as the plain decode
        assert_eq!(ev, event(plain.as_bytes()).1);
    }
}

#[test]
fn url_verification_plain_and_encrypted() {
    let plain =
        format!(r#"{{"challenge":"ajls384kdjx98XX","token":"{TOKEN}","type":"url_verification"}}"#);
    assert_eq!(
        decode(plain.as_bytes()).unwrap(),
        Callback::UrlVerification {
            challenge: "ajls384kdjx98XX".into()
        }
    );
    let body =
        serde_json::json!({ "encrypt": encrypt(KEY, plain.as_bytes(), [7; 16]) }).to_string();
    assert_eq!(
        decode(body.as_bytes()).unwrap(),
        Callback::UrlVerification {
            challenge: "ajls384kdjx98XX".into()
        }
    );
    let wrong = r#"{"challenge":"x","token":"not-the-token","type":"url_verification"}"#;
    assert_eq!(decode(wrong.as_bytes()), Err(EventError::TokenMismatch));
}

#[test]
fn a_wrong_verification_token_is_refused() {
    let body = example("helpdesk.ticket.created_v1").replace(TOKEN, "forged-token");
    assert_eq!(decode(body.as_bytes()), Err(EventError::TokenMismatch));
}

#[test]
fn decryption_failures_are_typed() {
    let plain = example("helpdesk.ticket.created_v1");
    let body = serde_json::json!({ "encrypt": encrypt("another-key", plain.as_bytes(), [1; 16]) })
        .to_string();
    assert!(matches!(
        decode(body.as_bytes()),
        Err(EventError::Decrypt(_)) | Err(EventError::Malformed(_))
    ));
    for bad in [
        r#"{"encrypt":"%%%not base64"}"#,
        r#"{"encrypt":"AAAA"}"#,
        r#"{"encrypt":""}"#,
    ] {
        assert!(
            matches!(decode(bad.as_bytes()), Err(EventError::Decrypt(_))),
            "{bad}"
        );
    }
    let no_key = EventDecoder::new().decode(body.as_bytes());
    assert_eq!(no_key, Err(EventError::NoEncryptKey));
}

#[test]
fn unknown_event_types_are_kept_raw() {
    let body = format!(
        r#"{{"schema":"2.0","header":{{"event_type":"helpdesk.something.new_v9","token":"{TOKEN}"}},"event":{{"a":1}}}}"#
    );
    match event(body.as_bytes()).1 {
        Event::Unknown { event_type, event } => {
            assert_eq!(event_type, "helpdesk.something.new_v9");
            assert_eq!(event, serde_json::json!({"a": 1}));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_callbacks_are_typed_errors() {
    assert!(matches!(decode(b"<html>"), Err(EventError::Malformed(_))));
    assert!(matches!(decode(b""), Err(EventError::Malformed(_))));
    assert!(matches!(
        decode(br#"{"uuid":"x","event":{}}"#),
        Err(EventError::UnsupportedSchema(_))
    ));
    let body = format!(
        r#"{{"schema":"2.0","header":{{"event_type":"helpdesk.ticket.created_v1","token":"{TOKEN}"}},"event":[1,2]}}"#
    );
    assert!(matches!(
        decode(body.as_bytes()),
        Err(EventError::BadEvent { .. })
    ));
    let body = example("helpdesk.ticket.created_v1").replace(r#""stage":1"#, r#""stage":"one""#);
    match decode(body.as_bytes()) {
        Err(EventError::BadEvent { event_type, .. }) => {
            assert_eq!(event_type, "helpdesk.ticket.created_v1")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn signatures_are_checked() {
    let d = EventDecoder::new().encrypt_key(KEY);
    let body = br#"{"encrypt":"..."}"#;
    // sha256("1700000000" + "nonce" + KEY + body), computed independently with Python's hashlib
    let mut sig = String::new();
    {
        use std::process::Command;
        let out = Command::new("python3")
            .arg("-c")
            .arg(format!(
                "import hashlib,sys;print(hashlib.sha256(b'1700000000'+b'nonce'+b'{KEY}'+sys.stdin.buffer.read()).hexdigest())"
            ))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(body)?;
                c.wait_with_output()
            })
            .expect("python3 runs");
        sig.push_str(String::from_utf8_lossy(&out.stdout).trim());
    }
    assert_eq!(sig.len(), 64);
    assert_eq!(
        d.verify_signature("1700000000", "nonce", body, &sig),
        Ok(())
    );
    assert_eq!(
        d.verify_signature("1700000001", "nonce", body, &sig),
        Err(EventError::BadSignature)
    );
    assert_eq!(
        d.verify_signature("1700000000", "nonce", b"tampered", &sig),
        Err(EventError::BadSignature)
    );
}

#[test]
fn debug_does_not_show_the_tokens() {
    let d = EventDecoder::new()
        .verification_token(TOKEN)
        .encrypt_key(KEY);
    let shown = format!("{d:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains(KEY), "{shown}");
    let (h, _) = event(example("helpdesk.ticket.created_v1").as_bytes());
    assert!(!format!("{h:?}").contains(TOKEN));
}
