//! The generator's fixture specs (`helpdesk-codegen/tests/fixtures`), each
//! generated into `helpdesk_api::__fixtures::<name>`, compiled, and called
//! against the local server serving that same fixture spec: the generator
//! paths the real spec does not use (several token kinds on one endpoint, a
//! binary reply, both paging styles, a GET with a body, recursive types,
//! open enums and events) are built and run, not only printed.

mod common;

use common::{HD_HEADER, HD_ID, HD_TOKEN};
use helpdesk_api::__fixtures::*;
use helpdesk_api::{Client, RetryPolicy, TenantAccessToken, UserAccessToken};
use helpdesk_mock::{MockServer, MockSpec, Reply};
use serde_json::json;
use std::path::Path;

const APP_ID: &str = "cli_fixture";
const APP_SECRET: &str = "fixture-secret";

async fn serve(fixture: &str) -> (MockServer, Client) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("helpdesk-codegen/tests/fixtures")
        .join(fixture);
    let mock = MockServer::builder()
        .spec(MockSpec::from_dir(&dir).unwrap_or_else(|e| panic!("{fixture}: {e}")))
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .start()
        .await
        .expect("mock starts");
    let client = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .app_credentials(APP_ID, APP_SECRET)
        .rate_limiter(false)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds");
    (mock, client)
}

#[tokio::test]
async fn multi_token_endpoint_takes_either_token_kind() {
    let (mock, client) = serve("multi_token").await;
    let r = client
        .fx_token()
        .get("a/b")
        .send_with(UserAccessToken::new("u-fixture"))
        .await
        .expect("user token accepted");
    assert_eq!(r.item.expect("item").id, "1");
    client
        .fx_token()
        .get("7")
        .send_with(TenantAccessToken::new("t-fixture"))
        .await
        .expect("tenant token accepted");
    client
        .fx_token()
        .get("8")
        .send()
        .await
        .expect("managed tenant token");
    let seen = mock.requests_for("fx_token.get");
    let auth: Vec<_> = seen
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect();
    assert_eq!(auth[0], "Bearer u-fixture");
    assert_eq!(auth[1], "Bearer t-fixture");
    assert!(
        auth[2].starts_with("Bearer ") && auth[2] != auth[1],
        "{auth:?}"
    );
    // The path parameter is one segment.
    assert_eq!(seen[0].path, "/open-apis/helpdesk/v1/fx_tokens/a%2Fb");
    assert!(
        seen.iter()
            .all(|r| r.header("x-lark-helpdesk-authorization") == Some(HD_HEADER))
    );
}

#[tokio::test]
async fn binary_reply_is_a_download() {
    let (mock, client) = serve("binary_reply").await;
    let file = client
        .fx_file()
        .download("f1")
        .send()
        .await
        .expect("download");
    assert_eq!(file.content_type(), Some("image/png"));
    let bytes = file.bytes().await.expect("body");
    assert_eq!(bytes, b"mock file of fx_file.download");
    assert_eq!(
        mock.requests_for("fx_file.download")[0].path,
        "/open-apis/helpdesk/v1/fx_files/f1/content"
    );
}

#[tokio::test]
async fn page_token_and_page_number_paging_walk_every_page() {
    let (mock, client) = serve("paging").await;
    let items = common::collect(client.fx_page().list().page_size(2).items()).await;
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i.is_ok()), "{items:?}");
    let rows = common::collect(client.fx_page().search().page_size(2).items()).await;
    assert!(rows.iter().all(|i| i.is_ok()), "{rows:?}");
    // The mock serves two pages of each style; the client asked for both.
    let list = mock.requests_for("fx_page.list");
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0].query_param("page_token"), None);
    assert!(list[1].query_param("page_token").is_some());
    let search = mock.requests_for("fx_page.search");
    assert_eq!(search.len(), 2);
    assert_eq!(search[0].query_param("page"), Some("1"));
    assert_eq!(search[1].query_param("page"), Some("2"));
}

#[tokio::test]
async fn get_with_body_sends_the_json_body() {
    let (mock, client) = serve("get_with_body").await;
    client
        .fx_query()
        .run("printer")
        .limit(5)
        .send_with(UserAccessToken::new("u-fixture"))
        .await
        .expect("query");
    let r = &mock.requests_for("fx_query.run")[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.json(), Some(json!({"keyword": "printer", "limit": 5})));
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn nested_and_recursive_types_round_trip() {
    let (mock, client) = serve("nested_types").await;
    // A nested request value in one expression: `with_…` setters.
    use nested_types::types::FxNode;
    let root = FxNode::new("root")
        .with_children([FxNode::new("leaf").with_children(Vec::<FxNode>::new())]);
    let reply = client.fx_tree().create(root).send().await.expect("create");
    let stored = reply.root.expect("root");
    assert_eq!(stored.name, "root");
    assert_eq!(stored.children.as_ref().map(Vec::len), Some(1));
    let owner = stored.meta.and_then(|m| m.owner).expect("owner");
    assert_eq!(owner.user_id, "u1");
    let sent = mock.requests_for("fx_tree.create")[0]
        .json()
        .expect("json body");
    assert_eq!(
        sent,
        json!({"root": {"name": "root", "children": [{"name": "leaf", "children": []}]}})
    );
}

#[tokio::test]
async fn open_enums_keep_unknown_values_and_encode_lists() {
    let (mock, client) = serve("enums_events").await;
    mock.on("fx_paint.get").reply(Reply::json(
        200,
        json!({"code": 0, "msg": "ok", "data": {"paints": [
            {"colour": 9, "shape": "hexagon"},
            {"colour": 1, "shape": "circle"}
        ]}}),
    ));
    let r = client
        .fx_paint()
        .get(enums_events::types::FxColour::Green)
        .shapes([
            enums_events::types::FxShape::Circle,
            enums_events::types::FxShape::Square,
        ])
        .send()
        .await
        .expect("paints");
    let paints = r.paints.expect("paints");
    assert!(matches!(
        &paints[0].colour,
        enums_events::types::FxColour::Unknown(v) if v.as_i64() == Some(9)
    ));
    assert_eq!(paints[0].colour.value(), 9);
    assert_eq!(
        paints[0].shape.as_ref().map(|s| s.as_str()),
        Some("hexagon"),
        "unknown string kept"
    );
    assert_eq!(paints[1].colour, enums_events::types::FxColour::Red);
    let q = &mock.requests_for("fx_paint.get")[0].query;
    assert_eq!(
        q,
        &[
            ("colour".to_string(), "2".to_string()),
            ("shapes".to_string(), "circle".to_string()),
            ("shapes".to_string(), "square".to_string())
        ]
    );
    // No helpdesk header where the spec says none.
    assert_eq!(
        mock.requests_for("fx_paint.get")[0].header("x-lark-helpdesk-authorization"),
        None
    );
}

#[test]
fn fixture_events_decode_into_their_own_event_enum() {
    let known = enums_events::Event::from_parts(
        "helpdesk.fx_paint.changed_v1",
        r#"{"paint": {"colour": 2, "shape": "square"}}"#,
    )
    .expect("decodes");
    match &known {
        enums_events::Event::FxPaintChangedV1(e) => {
            let p = e.paint.as_ref().expect("paint");
            assert_eq!(p.colour, enums_events::types::FxColour::Green);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(known.event_type(), "helpdesk.fx_paint.changed_v1");
    let other = enums_events::Event::from_parts("helpdesk.fx_paint.deleted_v1", "{}").unwrap();
    assert!(matches!(other, enums_events::Event::Unknown { .. }));
    assert_eq!(other.event_type(), "helpdesk.fx_paint.deleted_v1");
}
