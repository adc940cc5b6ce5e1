//! Hooks, faults, the token endpoint, recording, a throwaway spec with a new
//! endpoint, robustness and the binary.

mod common;

use common::*;
use helpdesk_mock::{
    APP_TOKEN_PATH, Fault, MockError, MockServer, MockSpec, Reply, TENANT_TOKEN_ENDPOINT,
    TENANT_TOKEN_PATH, codes,
};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NOTIF: &str = "/open-apis/helpdesk/v1/notifications/1";

async fn get_notification(mock: &MockServer, target: &str) -> Resp {
    let h = auth(USER, mock.helpdesk_header_value());
    send(mock.addr(), "GET", target, &hdrs(&h), b"").await
}

async fn raw_get(mock: &MockServer, target: &str) -> Vec<u8> {
    let h = auth(USER, mock.helpdesk_header_value());
    raw(mock.addr(), &request_bytes("GET", target, &hdrs(&h), b""))
        .await
        .unwrap_or_default()
}

fn example(mock: &MockServer, id: &str) -> serde_json::Value {
    mock.spec()
        .endpoint(id)
        .unwrap()
        .example_response
        .clone()
        .unwrap()
}

#[tokio::test]
async fn replies_errors_and_statuses_in_sequence() {
    let mock = start().await;
    // "503, 503, then 200".
    let h503 = mock
        .on("notification.get")
        .times(2)
        .fault(Fault::Status(503));
    for _ in 0..2 {
        let r = get_notification(&mock, NOTIF).await;
        assert_eq!(
            (r.status, r.text().as_str()),
            (503, "503 Service Unavailable")
        );
        assert!(r.header("x-tt-logid").is_some());
    }
    let r = get_notification(&mock, NOTIF).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), example(&mock, "notification.get"));
    assert_eq!(h503.hits(), 2);

    // Raw and JSON replies, with headers; sticky until cleared.
    mock.on("notification.get")
        .reply(Reply::raw(502, "text/html", "<html>Bad Gateway</html>"));
    for _ in 0..2 {
        let r = get_notification(&mock, NOTIF).await;
        assert_eq!(
            (r.status, r.header("content-type"), r.text().as_str()),
            (502, Some("text/html"), "<html>Bad Gateway</html>")
        );
    }
    mock.clear_hooks();
    mock.on("notification.get").once().reply(
        Reply::json(200, json!({"code": 0, "msg": "ok", "data": {}})).header("X-Custom", "yes"),
    );
    let r = get_notification(&mock, NOTIF).await;
    assert_eq!(r.json(), json!({"code": 0, "msg": "ok", "data": {}}));
    assert_eq!(r.header("x-custom"), Some("yes"));
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    // A reply's own log id wins.
    mock.on("notification.get")
        .once()
        .reply(Reply::empty(204).header("X-Tt-Logid", "fixed-log-id"));
    let r = get_notification(&mock, NOTIF).await;
    assert_eq!(
        (r.status, r.header("x-tt-logid")),
        (204, Some("fixed-log-id"))
    );
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
}

#[tokio::test]
async fn path_param_hooks_only_fire_for_their_value_and_win_over_general_ones() {
    let mock = start().await;
    mock.on("notification.get").reply_error(155000);
    let nf = mock
        .on("notification.get")
        .path_param("notification_id", "missing")
        .reply_error(154004);
    mock.on("notification.get")
        .query_param("user_id_type", "user_id")
        .reply_error(154003);
    let r = get_notification(&mock, "/open-apis/helpdesk/v1/notifications/missing").await;
    assert_eq!(
        (r.status, r.code(), r.msg().as_str()),
        (404, 154004, "Resource not found")
    );
    let r = get_notification(&mock, "/open-apis/helpdesk/v1/notifications/other").await;
    assert_eq!((r.status, r.code()), (500, 155000));
    let r = get_notification(
        &mock,
        "/open-apis/helpdesk/v1/notifications/x?user_id_type=user_id",
    )
    .await;
    assert_eq!((r.status, r.code()), (403, 154003));
    // Decoded values match.
    mock.on("notification.get")
        .path_param("notification_id", "a/b 服")
        .reply_error(154005);
    let r = get_notification(
        &mock,
        "/open-apis/helpdesk/v1/notifications/a%2Fb%20%E6%9C%8D",
    )
    .await;
    assert_eq!((r.status, r.code()), (405, 154005));
    assert_eq!(nf.hits(), 1);
    mock.clear_hooks();
    assert_eq!(
        get_notification(&mock, "/open-apis/helpdesk/v1/notifications/missing")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn hooks_answer_before_auth_and_unknown_ids_never_match() {
    let mock = start().await;
    mock.on("no.such_endpoint").reply_error(154004);
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
    mock.on("notification.get").once().reply_error(154004);
    let r = send(mock.addr(), "GET", NOTIF, &[], b"").await;
    assert_eq!(r.code(), 154004);
    let r = send(mock.addr(), "GET", NOTIF, &[], b"").await;
    assert_eq!(r.code(), codes::TOKEN_MISSING);
}

#[tokio::test]
async fn rate_limited_fault_carries_the_headers() {
    let mock = start().await;
    mock.on("notification.get")
        .once()
        .fault(Fault::RateLimited { reset_secs: 2 });
    let r = get_notification(&mock, NOTIF).await;
    assert_eq!((r.status, r.code()), (429, codes::RATE_LIMITED));
    assert_eq!(r.msg(), "request trigger frequency limit");
    assert_eq!(r.header("x-ogw-ratelimit-reset"), Some("2"));
    let (limit, _) = mock.spec().rate_limit("notification.get").unwrap();
    assert_eq!(
        r.header("x-ogw-ratelimit-limit"),
        Some(limit.to_string().as_str())
    );
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
}

#[tokio::test]
async fn delay_then_the_normal_or_hooked_reply() {
    let mock = start().await;
    mock.on("notification.get")
        .once()
        .fault(Fault::Delay(Duration::from_millis(80)));
    let t = Instant::now();
    let r = get_notification(&mock, NOTIF).await;
    assert!(t.elapsed() >= Duration::from_millis(80));
    assert_eq!(r.status, 200);
    mock.on("notification.get")
        .once()
        .fault(Fault::Delay(Duration::from_millis(50)));
    mock.on("notification.get").once().reply_error(154004);
    let t = Instant::now();
    let r = get_notification(&mock, NOTIF).await;
    assert!(t.elapsed() >= Duration::from_millis(50));
    assert_eq!(r.code(), 154004);
    let t = Instant::now();
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
    assert!(t.elapsed() < Duration::from_millis(50));
}

#[tokio::test]
async fn connection_reset_is_a_tcp_reset_without_a_reply() {
    let mock = start().await;
    mock.on("notification.get")
        .once()
        .fault(Fault::ConnectionReset);
    let h = auth(USER, mock.helpdesk_header_value());
    let got = raw(mock.addr(), &request_bytes("GET", NOTIF, &hdrs(&h), b"")).await;
    // a RST, not an orderly close (which would read as Ok(empty))
    match got {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        Ok(bytes) => panic!("closed normally after {} bytes", bytes.len()),
    }
    // The server is fine afterwards.
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn truncated_body_declares_the_full_length_and_sends_half() {
    let mock = start().await;
    let full = example(&mock, "notification.get").to_string().into_bytes();
    mock.on("notification.get")
        .once()
        .fault(Fault::TruncatedBody);
    let bytes = raw_get(&mock, NOTIF).await;
    let r = parse(&bytes).expect("a reply head");
    assert_eq!(r.status, 200);
    let declared: usize = r.header("content-length").unwrap().parse().unwrap();
    assert_eq!(declared, full.len());
    assert_eq!(r.body.len(), full.len() / 2);
    assert_eq!(r.body, full[..full.len() / 2]);
    // Truncation applies to whatever the pipeline answers.
    mock.on("notification.get")
        .once()
        .fault(Fault::TruncatedBody);
    let h = [("Authorization", "Bearer u-x".to_string())];
    let bytes = raw(mock.addr(), &request_bytes("GET", NOTIF, &hdrs(&h), b""))
        .await
        .unwrap();
    let r = parse(&bytes).unwrap();
    assert_eq!(r.status, 401);
    assert!(
        r.body.len()
            < r.header("content-length")
                .unwrap()
                .parse::<usize>()
                .unwrap()
    );
}

#[tokio::test]
async fn the_token_endpoint_issues_counts_and_expires_tokens() {
    let mock = MockServer::builder()
        .spec(spec())
        .app_credentials("cli_app", "s3cret")
        .start()
        .await
        .unwrap();
    let a = mock.addr();
    let post = |body: serde_json::Value| async move {
        send(
            a,
            "POST",
            TENANT_TOKEN_PATH,
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
        .await
    };
    let r = post(json!({"app_id": "cli_app", "app_secret": "s3cret"})).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(
        (v["code"].as_i64(), v["msg"].as_str(), v["expire"].as_u64()),
        (Some(0), Some("ok"), Some(7200))
    );
    let t1 = v["tenant_access_token"].as_str().unwrap().to_string();
    assert!(t1.starts_with("t-"));
    assert_eq!(mock.token_fetches(), 1);
    assert_eq!(mock.issued_tokens(), vec![t1.clone()]);

    let r = post(json!({"app_id": "cli_app", "app_secret": "wrong"})).await;
    assert_eq!(
        (r.status, r.code(), r.msg().as_str()),
        (400, codes::APP_SECRET_INVALID, "app secret invalid")
    );
    let r = post(json!({"app_id": "other", "app_secret": "s3cret"})).await;
    assert_eq!(r.code(), codes::INVALID_PARAM);
    let r = post(json!({"app_id": "cli_app"})).await;
    assert_eq!(r.code(), codes::INVALID_PARAM);
    let r = send(a, "POST", TENANT_TOKEN_PATH, &[], b"not json").await;
    assert_eq!((r.status, r.code()), (400, codes::INVALID_PARAM));
    assert_eq!(mock.token_fetches(), 5);

    // Each fetch issues a new token; the trailing-slash form works too.
    let r = send(
        a,
        "POST",
        &format!("{TENANT_TOKEN_PATH}/"),
        &[],
        br#"{"app_id":"cli_app","app_secret":"s3cret"}"#,
    )
    .await;
    let t2 = r.json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(t1, t2);
    let r = send(
        a,
        "POST",
        APP_TOKEN_PATH,
        &[],
        br#"{"app_id":"cli_app","app_secret":"s3cret"}"#,
    )
    .await;
    let v = r.json();
    assert!(v["app_access_token"].as_str().unwrap().starts_with("a-"));
    assert!(v["tenant_access_token"].as_str().unwrap().starts_with("t-"));
    assert_eq!(mock.token_fetches(), 7);
    let recorded = mock.requests_for(TENANT_TOKEN_ENDPOINT);
    assert_eq!(recorded.len(), 6);
    assert_eq!(recorded[0].json().unwrap()["app_id"], "cli_app");

    // Hooks work on the token endpoint too.
    mock.on(TENANT_TOKEN_ENDPOINT)
        .once()
        .fault(Fault::Status(500));
    assert_eq!(
        post(json!({"app_id": "cli_app", "app_secret": "s3cret"}))
            .await
            .status,
        500
    );
}

/// A copy of the spec under test with one more endpoint, written to a temp dir.
struct TempSpec(PathBuf);

impl Drop for TempSpec {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

const PROBE: &str = r#"{
  "resource": "mock_probe",
  "operation": "create",
  "summary": "A probe endpoint that exists only in this test",
  "description": "Added by a test to a copy of the spec.",
  "method": "POST",
  "path": "/open-apis/helpdesk/v1/mock_probes/:probe_id/items",
  "rate_limit": { "limits": [ { "requests": 3, "per": "second" } ] },
  "app_types": ["custom"],
  "scopes": { "any_of": [ { "name": "helpdesk:all", "description": "all" } ] },
  "auth": { "tokens": ["tenant_access_token", "user_access_token"], "helpdesk_header": false },
  "path_params": [ { "name": "probe_id", "type": "int64_string", "description": "id", "example": "42" } ],
  "query_params": [
    { "name": "page_size", "type": "int", "required": true, "description": "size", "example": 10 },
    { "name": "user_id_type", "type": "UserIdType", "description": "id type", "example": "open_id" }
  ],
  "request_body": { "fields": [
    { "name": "is_recall", "type": "bool", "required": true, "description": "recall", "example": true },
    { "name": "kind", "type": "UserIdType", "description": "an enum field", "example": "open_id" },
    { "name": "tags", "type": "string[]", "description": "a list", "example": ["a"] }
  ] },
  "response": { "fields": [ { "name": "item_id", "type": "string", "description": "item", "example": "7" } ] },
  "errors": [
    { "http_status": 400, "code": 154000, "name": "bad_request", "message": "Bad request", "advice": "check" },
    { "http_status": 404, "code": 154004, "name": "not_found", "message": "Resource not found", "advice": "check" }
  ],
  "example_response": { "code": 0, "msg": "success", "data": { "item_id": "7" } }
}"#;

fn temp_spec_with_probe() -> TempSpec {
    let src = std::env::var_os("HELPDESK_MOCK_TEST_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("spec")
        });
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("helpdesk-mock-spec-{}-{n}", std::process::id()));
    copy_dir(&src, &dir);
    std::fs::write(dir.join("endpoints").join("mock_probe.create.json"), PROBE).unwrap();
    TempSpec(dir)
}

#[tokio::test]
async fn a_new_endpoint_file_is_served_with_no_other_edit() {
    let tmp = temp_spec_with_probe();
    let spec = MockSpec::from_dir(&tmp.0).unwrap();
    assert!(
        spec.endpoint_ids()
            .contains(&"mock_probe.create".to_string())
    );
    let mock = MockServer::builder().spec(spec).start().await.unwrap();
    let a = mock.addr();
    let target = "/open-apis/helpdesk/v1/mock_probes/42/items?page_size=10";
    let post = |token: &'static str, target: &'static str, body: &'static str| async move {
        send(
            a,
            "POST",
            target,
            &[("Authorization", &format!("Bearer {token}"))],
            body.as_bytes(),
        )
        .await
    };
    let ok_body = r#"{"is_recall":true,"kind":"union_id","tags":["x"],"extra":1}"#;
    let r = post(TENANT, target, ok_body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"code": 0, "msg": "success", "data": {"item_id": "7"}})
    );
    assert_eq!(post(USER, target, ok_body).await.status, 200);
    assert_eq!(
        post(APP, target, ok_body).await.code(),
        codes::APP_TOKEN_INVALID
    );
    let rec = mock.requests().pop().unwrap();
    assert_eq!(rec.endpoint.as_deref(), Some("mock_probe.create"));
    assert_eq!(rec.path_params["probe_id"], "42");
    assert_eq!(rec.body, ok_body.as_bytes());
    // Documented errors of the new endpoint.
    mock.on("mock_probe.create").once().reply_error(154004);
    assert_eq!(post(TENANT, target, ok_body).await.code(), 154004);
    // Wrong method: 404.
    assert_eq!(send(a, "GET", target, &[], b"").await.status, 404);

    // Validation, each failure naming its field.
    let cases: &[(&str, &str, &str)] = &[
        (
            "/open-apis/helpdesk/v1/mock_probes/42/items",
            ok_body,
            "missing required query parameter page_size",
        ),
        (
            "/open-apis/helpdesk/v1/mock_probes/42/items?page_size=abc",
            ok_body,
            "invalid query parameter page_size: \"abc\" is not a 32-bit integer",
        ),
        (
            "/open-apis/helpdesk/v1/mock_probes/42/items?page_size=99999999999",
            ok_body,
            "invalid query parameter page_size",
        ),
        (
            "/open-apis/helpdesk/v1/mock_probes/abc/items?page_size=1",
            ok_body,
            "invalid path parameter probe_id: \"abc\" is not an integer",
        ),
        (
            "/open-apis/helpdesk/v1/mock_probes/42/items?page_size=1&user_id_type=foo",
            ok_body,
            "invalid query parameter user_id_type: unknown value \"foo\"",
        ),
        (
            target,
            r#"{"kind":"open_id"}"#,
            "missing required request body field is_recall",
        ),
        (target, "", "missing required request body field is_recall"),
        (
            target,
            r#"{"is_recall":"yes"}"#,
            "invalid request body field is_recall: expected true or false",
        ),
        (
            target,
            r#"{"is_recall":true,"kind":"nope"}"#,
            "invalid request body field kind",
        ),
        (
            target,
            r#"{"is_recall":true,"tags":[1]}"#,
            "invalid request body field tags.0",
        ),
        (target, "{not json", "invalid request body: not JSON"),
        (
            target,
            "[1]",
            "invalid request body: expected a JSON object",
        ),
    ];
    for (t, body, want) in cases {
        let r = post(TENANT, t, body).await;
        assert_eq!(
            (r.status, r.code()),
            (400, codes::BAD_REQUEST),
            "{t} {body}"
        );
        assert!(r.msg().starts_with(want), "{t} {body}: {}", r.msg());
    }

    // Its own rate limit (3 per second), per endpoint.
    mock.enforce_rate_limits(true);
    for _ in 0..3 {
        assert_eq!(post(TENANT, target, ok_body).await.status, 200);
    }
    let r = post(TENANT, target, ok_body).await;
    assert_eq!((r.status, r.code()), (429, codes::RATE_LIMITED));
    assert_eq!(
        (
            r.header("x-ogw-ratelimit-limit"),
            r.header("x-ogw-ratelimit-reset")
        ),
        (Some("3"), Some("1"))
    );
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
}

#[tokio::test]
async fn issued_tenant_tokens_are_accepted_until_expired_or_invalidated() {
    let tmp = temp_spec_with_probe();
    let mock = MockServer::builder()
        .spec(MockSpec::from_dir(&tmp.0).unwrap())
        .start()
        .await
        .unwrap();
    let a = mock.addr();
    let fetch = || async move {
        let (id, secret) = helpdesk_mock::DEFAULT_APP_CREDENTIALS;
        let body = json!({"app_id": id, "app_secret": secret}).to_string();
        send(a, "POST", TENANT_TOKEN_PATH, &[], body.as_bytes())
            .await
            .json()["tenant_access_token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let call = |token: String| async move {
        let h = [("Authorization", format!("Bearer {token}"))];
        send(
            a,
            "POST",
            "/open-apis/helpdesk/v1/mock_probes/1/items?page_size=1",
            &hdrs(&h),
            br#"{"is_recall":false}"#,
        )
        .await
    };
    let t1 = fetch().await;
    assert_eq!(call(t1.clone()).await.status, 200);
    mock.expire_token(&t1);
    let r = call(t1.clone()).await;
    assert_eq!((r.status, r.code()), (400, codes::TOKEN_EXPIRED));
    let t2 = fetch().await;
    assert_eq!(call(t2.clone()).await.status, 200);
    mock.invalidate_all_tokens();
    assert_eq!(call(t2.clone()).await.code(), codes::TENANT_TOKEN_INVALID);
    let t3 = fetch().await;
    assert_eq!(call(t3).await.status, 200);
    assert_eq!(mock.token_fetches(), 3);

    // Tokens issued with expire 0 are expired at once.
    mock.set_token_expire_secs(0);
    let t4 = fetch().await;
    assert_eq!(call(t4).await.code(), codes::TOKEN_EXPIRED);
}

#[tokio::test]
async fn requests_are_recorded_raw_and_decoded() {
    let mock = start().await;
    let h = auth(USER, mock.helpdesk_header_value());
    let mut h = hdrs(&h);
    h.push(("X-Mixed-Case", "Value"));
    let target =
        "/open-apis/helpdesk/v1/notifications/a%2Fb%20c?user_id_type=open_id&x=1+2&y=%E6%9C%8D";
    let r = send(mock.addr(), "GET", target, &h, b"").await;
    assert_eq!(r.status, 200);
    send(mock.addr(), "DELETE", "/nowhere?q", &[], b"bytes").await;
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    let r0 = &reqs[0];
    assert_eq!(r0.method, "GET");
    assert_eq!(r0.path, "/open-apis/helpdesk/v1/notifications/a%2Fb%20c");
    assert_eq!(
        r0.path_params.get("notification_id").map(String::as_str),
        Some("a/b c")
    );
    assert_eq!(
        r0.raw_query.as_deref(),
        Some("user_id_type=open_id&x=1+2&y=%E6%9C%8D")
    );
    let q: Vec<(&str, &str)> = r0
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(q, [("user_id_type", "open_id"), ("x", "1 2"), ("y", "服")]);
    assert_eq!(r0.query_param("x"), Some("1 2"));
    assert_eq!(r0.header("x-mixed-case"), Some("Value"));
    assert_eq!(r0.header("X-MIXED-CASE"), Some("Value"));
    assert!(r0.headers.iter().all(|(n, _)| *n == n.to_ascii_lowercase()));
    assert_eq!(r0.endpoint.as_deref(), Some("notification.get"));
    let r1 = &reqs[1];
    assert_eq!(
        (r1.method.as_str(), r1.path.as_str(), r1.endpoint.as_deref()),
        ("DELETE", "/nowhere", None)
    );
    assert_eq!(r1.body, b"bytes");
    assert_eq!(r1.raw_query.as_deref(), Some("q"));
    assert_eq!(mock.requests_for("notification.get").len(), 1);
    mock.clear_requests();
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn malformed_requests_do_not_hurt_the_server() {
    let mock = start().await;
    for junk in [
        &b"NOT HTTP AT ALL\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
        b"\x00\x01\x02",
        b"GET",
    ] {
        let _ = raw_half_close(mock.addr(), junk).await;
    }
    let r = send(
        mock.addr(),
        "GET",
        "/open-apis/helpdesk/v1/notifications/%FF%FE",
        &hdrs(&auth(USER, mock.helpdesk_header_value())),
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        mock.requests().pop().unwrap().path_params["notification_id"],
        "\u{FFFD}\u{FFFD}"
    );
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
}

#[tokio::test]
async fn bad_specs_are_errors_not_panics() {
    let svc = include_str!("../../spec/service.json");
    assert!(MockSpec::from_files(&[("service.json", "{ nope")]).is_err());
    assert!(MockSpec::from_files::<&str, &str>(&[]).is_err());
    assert!(MockSpec::from_files(&[("service.json", svc), ("endpoints/x.y.json", "{}")]).is_err());
    assert!(MockSpec::from_dir("/definitely/not/a/spec/dir").is_err());
    let e =
        MockSpec::from_files(&[("service.json", svc), ("endpoints/a.b.json", "[1,")]).unwrap_err();
    assert!(e.to_string().contains("endpoints/a.b.json"), "{e}");
    // A spec with no endpoint serves only 404s (and the token endpoint).
    let empty = MockSpec::from_files(&[("service.json", svc)]).unwrap();
    let mock = MockServer::builder().spec(empty).start().await.unwrap();
    assert_eq!(send(mock.addr(), "GET", NOTIF, &[], b"").await.status, 404);
    let body = br#"{"app_id":"mock-app-id","app_secret":"mock-app-secret"}"#;
    assert_eq!(
        send(mock.addr(), "POST", TENANT_TOKEN_PATH, &[], body)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_chosen_port_shutdown_and_drop() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = MockServer::builder()
        .spec(spec())
        .port(port)
        .start()
        .await
        .unwrap();
    assert_eq!(mock.base_url(), format!("http://127.0.0.1:{port}"));
    assert_eq!(mock.port(), port);
    // The port is taken now.
    match MockServer::builder().spec(spec()).port(port).start().await {
        Err(MockError::Bind(_)) => {}
        other => panic!("{other:?}"),
    }
    let addr = mock.addr();
    assert_eq!(get_notification(&mock, NOTIF).await.status, 200);
    mock.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let mock = start().await;
    let addr = mock.addr();
    drop(mock);
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn the_binary_parses_its_arguments_and_serves() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let exe = env!("CARGO_BIN_EXE_helpdesk-mock");
    let out = Command::new(exe).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--port",
        "--spec",
        "--helpdesk-id",
        "--helpdesk-token",
        "--app-id",
        "--app-secret",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
    for bad in [&["--bogus"][..], &["--port", "x"], &["--port"]] {
        let out = Command::new(exe).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let out = Command::new(exe)
        .args(["--spec", "/definitely/not/a/spec/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let tmp = temp_spec_with_probe();
    let mut child = Command::new(exe)
        .args(["--port", "0", "--spec"])
        .arg(&tmp.0)
        .args([
            "--helpdesk-id",
            "hid",
            "--helpdesk-token",
            "htok",
            "--app-id",
            "aid",
            "--app-secret",
            "asec",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();
    let addr: std::net::SocketAddr = url.strip_prefix("http://").expect(&url).parse().unwrap();
    let hd = helpdesk_mock::helpdesk_header_value("hid", "htok");
    let r = send(addr, "GET", NOTIF, &hdrs(&auth(USER, &hd)), b"").await;
    assert_eq!(r.status, 200);
    let r = send(
        addr,
        "POST",
        "/open-apis/helpdesk/v1/mock_probes/1/items?page_size=1",
        &[("Authorization", "Bearer t-x")],
        br#"{"is_recall":true}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    let r = send(
        addr,
        "POST",
        TENANT_TOKEN_PATH,
        &[],
        br#"{"app_id":"aid","app_secret":"asec"}"#,
    )
    .await;
    assert_eq!(r.code(), 0);
    let _ = child.kill();
    let _ = child.wait();
}
