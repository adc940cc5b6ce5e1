//! `notification.get` end to end against the spec-driven mock server: the
//! exact request on the wire, and every kind of reply decoded.

use helpdesk_api::{Client, Error, ReplyErrorKind, UserAccessToken, notification, types};
use helpdesk_mock::{Fault, MockServer, Reply};
use std::time::Duration;

const HD_ID: &str = "7100000000000000001";
const HD_TOKEN: &str = "hd-secret-token";
const USER: &str = "u-7f1bcd13fc57d46bac21793a18e560";

async fn setup() -> (MockServer, Client) {
    setup_with(|b| b).await
}

/// A mock and a client for it, the client builder adjusted by `tune`.
async fn setup_with(
    tune: impl FnOnce(helpdesk_api::ClientBuilder) -> helpdesk_api::ClientBuilder,
) -> (MockServer, Client) {
    let mock = MockServer::builder()
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .start()
        .await
        .unwrap();
    let builder = Client::builder()
        .base_url(mock.base_url())
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .timeout(Some(Duration::from_secs(5)));
    let client = tune(builder).build().unwrap();
    (mock, client)
}

fn user() -> UserAccessToken {
    UserAccessToken::new(USER)
}

#[tokio::test]
async fn the_request_on_the_wire_is_exactly_what_the_spec_says() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .get("1624326025000")
        .user_id_type(types::UserIdType::UserId)
        .send_with(user())
        .await
        .unwrap();
    assert_eq!(reply.notification.unwrap().job_name, "测试推送任务");
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/open-apis/helpdesk/v1/notifications/1624326025000");
    assert_eq!(r.raw_query.as_deref(), Some("user_id_type=user_id"));
    assert_eq!(r.endpoint.as_deref(), Some("notification.get"));
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {USER}").as_str())
    );
    // base64("7100000000000000001:hd-secret-token"), no scheme prefix
    assert_eq!(
        r.header("x-lark-helpdesk-authorization"),
        Some("NzEwMDAwMDAwMDAwMDAwMDAwMTpoZC1zZWNyZXQtdG9rZW4=")
    );
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn no_query_string_when_no_optional_param_is_set() {
    let (mock, client) = setup().await;
    client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap();
    assert_eq!(mock.requests()[0].raw_query, None);
}

#[tokio::test]
async fn odd_ids_are_percent_encoded_as_one_segment() {
    let (mock, client) = setup().await;
    for (id, encoded) in [
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ("...", "..."),
        ("%2E%2E", "%252E%252E"),
        ("服务 台%", "%E6%9C%8D%E5%8A%A1%20%E5%8F%B0%25"),
        ("x&user_id_type=1", "x%26user_id_type%3D1"),
    ] {
        mock.clear_requests();
        client
            .notification()
            .get(id)
            .send_with(user())
            .await
            .unwrap();
        let r = &mock.requests()[0];
        assert_eq!(
            r.path,
            format!("/open-apis/helpdesk/v1/notifications/{encoded}")
        );
        assert_eq!(
            r.path_params.get("notification_id").map(String::as_str),
            Some(id)
        );
        assert_eq!(r.endpoint.as_deref(), Some("notification.get"));
    }
}

#[tokio::test]
async fn ids_that_would_address_another_route_are_refused_before_sending() {
    let (mock, client) = setup().await;
    for id in ["", ".", ".."] {
        let err = client
            .notification()
            .get(id)
            .send_with(user())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    }
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn header_values_with_cr_or_lf_are_refused_before_sending() {
    let (mock, client) = setup().await;
    for bad in ["u-abc\r\nX-Injected: 1", "u-abc\n", "u-\0"] {
        let err = client
            .notification()
            .get("1")
            .send_with(UserAccessToken::new(bad))
            .await
            .unwrap_err();
        match &err {
            Error::InvalidRequest(e) => {
                assert!(!e.to_string().contains("u-abc"), "token leaked: {e}")
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn the_helpdesk_header_is_required_by_the_spec() {
    let (mock, _) = setup().await;
    let client = Client::builder().base_url(mock.base_url()).build().unwrap();
    let err = client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err();
    match err {
        Error::InvalidRequest(e) => assert!(e.reason.contains("helpdesk credentials"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn every_documented_error_decodes_to_its_variant() {
    let (mock, client) = setup().await;
    for (code, status) in [
        (154000, 400),
        (154001, 401),
        (154003, 403),
        (154004, 404),
        (154005, 405),
        (155000, 500),
    ] {
        mock.clear_hooks();
        mock.on("notification.get").reply_error(code);
        let err = client
            .notification()
            .get("1")
            .send_with(user())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status), "{err}");
        assert_eq!(err.code(), Some(code));
        let log_id = err.log_id().expect("log id").to_string();
        assert!(!log_id.is_empty());
        let api = match &err {
            Error::Api(e) => e,
            other => panic!("{other:?}"),
        };
        let ok = matches!(
            (code, api),
            (154000, notification::GetError::BadRequest(_))
                | (154001, notification::GetError::Unauthorized(_))
                | (154003, notification::GetError::Forbidden(_))
                | (154004, notification::GetError::NotFound(_))
                | (154005, notification::GetError::MethodForbidden(_))
                | (155000, notification::GetError::InternalError(_))
        );
        assert!(ok, "{code}: {api:?}");
        assert!(err.to_string().contains(&log_id));
    }
}

#[tokio::test]
async fn an_undocumented_code_is_unhandled_with_its_details() {
    let (mock, client) = setup().await;
    mock.on("notification.get")
        .reply(Reply::json(400, serde_json::json!({"code": 99991672, "msg": "Access denied. One of the following scopes is required"})));
    match client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err()
    {
        Error::Api(notification::GetError::Unhandled(e)) => {
            assert_eq!((e.status(), e.code()), (400, 99991672));
            assert!(e.log_id().is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_rejected_user_token_is_a_typed_token_error_and_not_retried() {
    let (mock, client) = setup().await;
    mock.on("notification.get").reply(Reply::json(
        400,
        serde_json::json!({"code": 99991668, "msg": "Invalid access token for authorization."}),
    ));
    match client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err()
    {
        Error::TokenInvalid(e) => assert_eq!((e.status, e.code), (400, 99991668)),
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.requests().len(), 1);
}

async fn reply_error(mock: &MockServer, client: &Client, reply: Reply) -> helpdesk_api::ReplyError {
    mock.clear_hooks();
    mock.on("notification.get").reply(reply);
    match client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err()
    {
        Error::Reply(r) => r,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn malformed_replies_are_typed_errors_with_status_log_id_and_excerpt() {
    let (mock, client) = setup().await;
    let r = reply_error(
        &mock,
        &client,
        Reply::raw(
            502,
            "text/html",
            "<html><title>502 Bad Gateway</title></html>",
        ),
    )
    .await;
    assert_eq!((r.kind, r.status), (ReplyErrorKind::NotJson, 502));
    assert!(r.excerpt.contains("502 Bad Gateway") && r.log_id.is_some());

    let r = reply_error(
        &mock,
        &client,
        Reply::raw(404, "text/plain", "404 page not found"),
    )
    .await;
    assert_eq!(
        (r.kind, r.status, r.excerpt.as_str()),
        (ReplyErrorKind::NotJson, 404, "404 page not found")
    );

    let r = reply_error(
        &mock,
        &client,
        Reply::raw(200, "application/json", r#"{"code":0,"data":{"notifi"#),
    )
    .await;
    assert_eq!(r.kind, ReplyErrorKind::Truncated);

    let r = reply_error(&mock, &client, Reply::raw(200, "application/json", "")).await;
    assert_eq!(r.kind, ReplyErrorKind::Empty);

    let r = reply_error(
        &mock,
        &client,
        Reply::json(200, serde_json::json!({"msg": "ok", "data": {}})),
    )
    .await;
    assert_eq!(r.kind, ReplyErrorKind::BadEnvelope);

    let wrong = serde_json::json!({"code": 0, "data": {"notification": {"job_name": 5, "push_content": "{}", "push_type": 0, "push_scope_type": 0}}});
    let r = reply_error(&mock, &client, Reply::json(200, wrong)).await;
    assert_eq!((r.kind, r.code), (ReplyErrorKind::BadData, Some(0)));
    assert!(r.detail.contains("notification.job_name"), "{}", r.detail);
}

#[tokio::test]
async fn an_unknown_route_gets_the_platforms_plain_text_404() {
    let (mock, _) = setup().await;
    // A client pointed at a wrong prefix reaches no route of the spec.
    let client = Client::builder()
        .base_url(format!("{}/wrong-prefix", mock.base_url()))
        .helpdesk_credentials(HD_ID, HD_TOKEN)
        .build()
        .unwrap();
    match client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err()
    {
        Error::Reply(r) => assert_eq!((r.kind, r.status), (ReplyErrorKind::NotJson, 404)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_truncated_body_or_a_reset_connection_is_a_typed_error() {
    let (mock, client) = setup().await;
    mock.on("notification.get").fault(Fault::TruncatedBody);
    let err = client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Transport(_))
            || matches!(&err, Error::Reply(r) if r.kind == ReplyErrorKind::Truncated),
        "{err:?}"
    );
    mock.clear_hooks();
    mock.on("notification.get").fault(Fault::ConnectionReset);
    let err = client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn a_slow_reply_times_out() {
    let (mock, client) = setup_with(|b| b.timeout(Some(Duration::from_millis(100)))).await;
    mock.on("notification.get")
        .fault(Fault::Delay(Duration::from_millis(600)));
    let err = client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
}

#[tokio::test]
async fn replies_over_the_size_limit_are_refused() {
    let (mock, client) = setup_with(|b| b.max_response_bytes(1024)).await;
    let big = format!(r#"{{"code":0,"msg":"{}"}}"#, "x".repeat(4096));
    mock.on("notification.get")
        .reply(Reply::raw(200, "application/json", big));
    match client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err()
    {
        Error::Reply(r) => assert_eq!(r.kind, ReplyErrorKind::TooLarge),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn secrets_do_not_appear_in_debug_or_errors() {
    let (mock, client) = setup().await;
    let shown = format!("{client:?} {:?}", user());
    assert!(
        !shown.contains(HD_TOKEN) && !shown.contains(USER),
        "{shown}"
    );
    let req = client.notification().get("1");
    assert!(!format!("{req:?}").contains(HD_TOKEN));
    mock.on("notification.get").reply_error(154001);
    let err = client
        .notification()
        .get("1")
        .send_with(user())
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(HD_TOKEN) && !shown.contains(USER),
        "{shown}"
    );
}
