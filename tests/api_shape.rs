//! The setter rule as a user meets it, on the wire: list setters take
//! `&str` and `String` alike, nested request values are built in one
//! expression, and named required values reach the right place.

mod common;

use common::{setup, user};
use helpdesk_api::{ticket, types};

#[tokio::test]
async fn list_setters_take_str_and_string_alike() {
    let (mock, client) = setup().await;
    client
        .ticket()
        .list()
        .tags(["a", "b"])
        .send()
        .await
        .expect("str list");
    let owned: Vec<String> = vec!["c".to_string()];
    client
        .ticket()
        .list()
        .tags(owned)
        .add_tags("d")
        .send()
        .await
        .expect("String list");
    let seen = mock.requests_for("ticket.list");
    let tags = |i: usize| -> Vec<String> {
        seen[i]
            .query
            .iter()
            .filter(|(k, _)| k == "tags")
            .map(|(_, v)| v.clone())
            .collect()
    };
    assert_eq!(tags(0), ["a", "b"]);
    assert_eq!(tags(1), ["c", "d"]);
}

#[tokio::test]
async fn nested_request_values_are_built_in_one_expression() {
    let (mock, client) = setup().await;
    client
        .ticket()
        .update("6948728206392295444")
        .tag_names(["urgent", String::from("vip").as_str()])
        .customized_fields([types::TicketCustomizedFieldValue::new()
            .with_id("6948728206392295445")
            .with_value("v")])
        .send_with(user())
        .await
        .expect("update");
    let body = mock.requests_for("ticket.update")[0]
        .json()
        .expect("json body");
    assert_eq!(body["tag_names"], serde_json::json!(["urgent", "vip"]));
    assert_eq!(body["customized_fields"][0]["id"], "6948728206392295445");
    assert_eq!(body["customized_fields"][0]["value"], "v");
}

#[tokio::test]
async fn named_required_values_reach_their_own_places() {
    let (mock, client) = setup().await;
    let _ = client
        .ticket()
        .ticket_image(ticket::TicketImageArgs {
            msg_id: "m-2".into(),
            ticket_id: "t-1".into(),
        })
        .send()
        .await;
    let r = &mock.requests_for("ticket.ticket_image")[0];
    assert_eq!(r.query_param("ticket_id"), Some("t-1"));
    assert_eq!(r.query_param("msg_id"), Some("m-2"));
}
