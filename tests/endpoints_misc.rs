//! One test per `bot_message.*` and `event.*` endpoint against the
//! spec-driven mock, and a guard that every endpoint of the spec has its
//! wire test in one of the `tests/endpoints_*.rs` files.

mod common;

use common::{Auth, Wire, assert_round_trip, assert_wire, setup, tenant};
use helpdesk_api::{JsonString, event, types};
use helpdesk_mock::MockSpec;
use serde_json::json;

// ----------------------------------------------------------- bot_message.*

/// The doc's example `post` content.
const POST: &str = r#"{"post":{"zh_cn":{"title":"some title","content":[[{"tag":"text","text":"some content"}]]}}}"#;

#[tokio::test]
async fn bot_message_create() {
    let (mock, client) = setup().await;
    let reply = client
        .bot_message()
        .create(helpdesk_api::bot_message::CreateArgs {
            msg_type: types::BotMessageType::Post,
            content: JsonString::new(POST),
            receiver_id: "ou_7346484524".into(),
        })
        .user_id_type(types::UserIdType::OpenId)
        .receive_type(types::BotMessageReceiveType::User)
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "bot_message.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/message",
            query: &[("user_id_type", "open_id")],
            body: Some(json!({
                "msg_type": "post",
                "content": POST,
                "receiver_id": "ou_7346484524",
                "receive_type": "user",
            })),
            auth: Auth::Managed,
        },
    );
    assert_eq!(r.raw_query.as_deref(), Some("user_id_type=open_id"));
    assert_eq!(reply.message_id.as_deref(), Some("om_7054301238434"));
    assert_round_trip(&mock, "bot_message.create", &reply);
}

// ----------------------------------------------------------------- event.*

fn ticket_message_created() -> Vec<types::HelpdeskEvent> {
    vec![types::HelpdeskEvent::new(
        "helpdesk.ticket_message",
        "ticket_message.created_v1",
    )]
}

#[tokio::test]
async fn event_subscribe() {
    let (mock, client) = setup().await;
    let reply = client
        .event()
        .subscribe(ticket_message_created())
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "event.subscribe",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/events/subscribe",
            query: &[],
            body: Some(json!({"events": [
                {"type": "helpdesk.ticket_message", "subtype": "ticket_message.created_v1"},
            ]})),
            auth: Auth::Managed,
        },
    );
    assert_eq!(reply, event::SubscribeResponse::new());
    assert_round_trip(&mock, "event.subscribe", &reply);
}

#[tokio::test]
async fn event_unsubscribe() {
    let (mock, client) = setup().await;
    let mut events = ticket_message_created();
    events.push(types::HelpdeskEvent::new(
        "helpdesk.ticket",
        "ticket.updated_v1",
    ));
    let reply = client
        .event()
        .unsubscribe(events)
        .send_with(tenant())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "event.unsubscribe",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/events/unsubscribe",
            query: &[],
            body: Some(json!({"events": [
                {"type": "helpdesk.ticket_message", "subtype": "ticket_message.created_v1"},
                {"type": "helpdesk.ticket", "subtype": "ticket.updated_v1"},
            ]})),
            auth: Auth::GivenTenant,
        },
    );
    assert_eq!(reply, event::UnsubscribeResponse::new());
    assert_round_trip(&mock, "event.unsubscribe", &reply);
}

// ---------------------------------------------------------------- coverage

/// Every endpoint of the spec has a test calling `assert_wire(&mock, "<id>", …)`
/// (a `#[tokio::test]` named `<resource>_<operation>`). A new spec endpoint
/// without one fails here.
#[test]
fn every_spec_endpoint_has_a_wire_test() {
    let sources = [
        include_str!("endpoints_agent.rs"),
        include_str!("endpoints_faq.rs"),
        include_str!("endpoints_misc.rs"),
        include_str!("endpoints_notification.rs"),
        include_str!("endpoints_ticket.rs"),
    ];
    let ids = MockSpec::embedded().endpoint_ids();
    assert_eq!(ids.len(), 50, "{ids:?}");
    // `"<id>",` directly followed (after white space) by `Wire {`
    let has_wire_check = |src: &str, id: &str| {
        let quoted = format!("\"{id}\",");
        src.match_indices(&quoted)
            .any(|(at, _)| src[at + quoted.len()..].trim_start().starts_with("Wire {"))
    };
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| {
            let test = format!("async fn {}() {{", id.replace('.', "_"));
            !sources
                .iter()
                .any(|s| s.contains(&test) && has_wire_check(s, id))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints without a wire test: {missing:?}"
    );
}
