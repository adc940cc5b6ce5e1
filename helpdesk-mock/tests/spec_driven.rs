//! The mock serves every endpoint of the spec generically: routes, default
//! replies, every documented error, auth failures, validation, rate limits.

mod common;

use common::*;
use helpdesk_mock::{MockServer, MockSpec, codes};
use helpdesk_spec::spec::{EndpointFile, TokenKind, TypeKind};
use helpdesk_spec::types::{Scalar, TypeExpr};
use helpdesk_spec::validate::{TypeIndex, type_index};
use serde_json::{Value, json};

/// A sample value of a type (required fields only), for request bodies.
fn sample(te: &TypeExpr, types: &TypeIndex<'_>, depth: usize) -> Value {
    match te {
        TypeExpr::Scalar(s) => match s {
            Scalar::String => json!("x"),
            Scalar::Int | Scalar::Int64 | Scalar::TimestampMsNumber | Scalar::TimestampSecs => {
                json!(1)
            }
            Scalar::Int64String | Scalar::TimestampMs => json!("1"),
            Scalar::Float => json!(1.5),
            Scalar::Bool => json!(true),
            Scalar::JsonString => json!("{}"),
            Scalar::Json => json!({}),
        },
        TypeExpr::List(inner) => json!([sample(inner, types, depth + 1)]),
        TypeExpr::Named(n) => match types.get(n.as_str()) {
            Some(t) if t.kind == TypeKind::Enum => t
                .values
                .as_ref()
                .map_or(json!(null), |v| v[0].value.clone()),
            Some(t) if depth < 8 => {
                let mut obj = serde_json::Map::new();
                for f in t
                    .fields
                    .as_deref()
                    .unwrap_or(&[])
                    .iter()
                    .filter(|f| f.required)
                {
                    let v = f.example.clone().unwrap_or_else(|| {
                        sample(&TypeExpr::parse(&f.ty).unwrap(), types, depth + 1)
                    });
                    obj.insert(f.name.clone(), v);
                }
                Value::Object(obj)
            }
            _ => json!({}),
        },
    }
}

fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A request the spec says is valid: path from examples, every required
/// query parameter, a body with every required field.
fn valid_request(spec: &MockSpec, id: &str) -> (String, String, Vec<u8>) {
    let ep = spec.endpoint(id).unwrap();
    let types = type_index(spec.spec().unwrap());
    let mut target = spec.example_path(id).unwrap();
    let mut q: Vec<(String, String)> = Vec::new();
    for p in ep.query_params.iter().filter(|p| p.required) {
        let v = p
            .example
            .clone()
            .or(p.default.clone())
            .unwrap_or_else(|| sample(&TypeExpr::parse(&p.ty).unwrap(), &types, 0));
        match v {
            // A list parameter repeats its key: `status=1&status=2`.
            Value::Array(items) => q.extend(items.iter().map(|i| (p.name.clone(), param_text(i)))),
            other => q.push((p.name.clone(), param_text(&other))),
        }
    }
    if !q.is_empty() {
        target.push('?');
        target.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .extend_pairs(q)
                .finish(),
        );
    }
    let body = match &ep.request_body {
        None => Vec::new(),
        Some(rb) => {
            let v = ep.example_request.clone().unwrap_or_else(|| {
                let mut obj = serde_json::Map::new();
                for f in rb.fields.iter().filter(|f| f.required) {
                    let v = f
                        .example
                        .clone()
                        .unwrap_or_else(|| sample(&TypeExpr::parse(&f.ty).unwrap(), &types, 0));
                    obj.insert(f.name.clone(), v);
                }
                Value::Object(obj)
            });
            v.to_string().into_bytes()
        }
    };
    (ep.method.as_str().to_string(), target, body)
}

fn token_for(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::UserAccessToken => USER,
        TokenKind::TenantAccessToken => TENANT,
        TokenKind::AppAccessToken => APP,
    }
}

fn good_token(ep: &EndpointFile) -> &'static str {
    token_for(ep.auth.tokens[0])
}

async fn call(mock: &MockServer, id: &str, token: &str) -> Resp {
    let (method, target, body) = valid_request(mock.spec(), id);
    let h = auth(token, mock.helpdesk_header_value());
    send(mock.addr(), &method, &target, &hdrs(&h), &body).await
}

#[tokio::test]
async fn the_embedded_spec_loads_and_has_endpoints() {
    let spec = spec();
    assert!(
        spec.endpoint_ids()
            .contains(&"notification.get".to_string())
    );
    assert!(spec.error().is_none());
}

#[tokio::test]
async fn every_route_of_the_spec_answers_its_example() {
    let mock = start().await;
    let ids = mock.spec().endpoint_ids();
    assert!(!ids.is_empty());
    for id in &ids {
        let ep = mock.spec().endpoint(id).unwrap();
        let r = call(&mock, id, good_token(ep)).await;
        assert_eq!(r.status, 200, "{id}: {}", r.text());
        if ep.response.as_ref().is_none_or(|x| x.binary.is_none()) {
            assert!(
                r.header("content-type")
                    .unwrap()
                    .starts_with("application/json"),
                "{id}"
            );
            let want = ep
                .example_response
                .clone()
                .unwrap_or(json!({"code": 0, "msg": "success", "data": {}}));
            assert_eq!(r.json(), want, "{id}");
        }
        assert!(
            r.header("x-tt-logid").is_some_and(|v| !v.is_empty()),
            "{id}"
        );
        let rec = mock.requests().pop().unwrap();
        assert_eq!(rec.endpoint.as_deref(), Some(id.as_str()));
    }
    // Every log id is unique.
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(
            call(&mock, "notification.get", USER)
                .await
                .header("x-tt-logid")
                .unwrap()
                .to_string(),
        );
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_a_plain_text_404() {
    let mock = start().await;
    let h = auth(USER, mock.helpdesk_header_value());
    let h = hdrs(&h);
    let a = mock.addr();
    let mut cases = vec![
        ("GET".to_string(), "/open-apis/helpdesk/v1/nope".to_string()),
        ("GET".to_string(), "/".to_string()),
        (
            "GET".to_string(),
            "/open-apis/helpdesk/v1/notifications/".to_string(),
        ),
        (
            "GET".to_string(),
            "/open-apis/helpdesk/v1/notifications/1/".to_string(),
        ),
        (
            "GET".to_string(),
            "/open-apis/auth/v3/tenant_access_token/internal".to_string(),
        ),
    ];
    for id in mock.spec().endpoint_ids() {
        let ep = mock.spec().endpoint(&id).unwrap();
        let path = mock.spec().example_path(&id).unwrap();
        for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let taken = mock.spec().endpoints().iter().any(|(oid, o)| {
                o.method.as_str() == m
                    && mock.spec().example_path(oid).unwrap().split('/').count()
                        == path.split('/').count()
            });
            if m != ep.method.as_str() && !taken {
                cases.push((m.to_string(), path.clone()));
            }
        }
    }
    for (m, p) in cases {
        let r = send(a, &m, &p, &h, b"").await;
        assert_eq!(r.status, 404, "{m} {p}");
        assert_eq!(r.text(), "404 page not found", "{m} {p}");
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    }
    assert!(mock.requests().iter().all(|r| r.endpoint.is_none()));
}

#[tokio::test]
async fn every_documented_error_of_every_endpoint_can_be_produced() {
    let mock = start().await;
    let platform = mock.spec().platform_errors().to_vec();
    assert!(!platform.is_empty());
    for (id, ep) in mock.spec().endpoints() {
        for row in ep.errors.iter().chain(&platform) {
            mock.on(&id).once().reply_error(row.code);
            let r = call(&mock, &id, good_token(ep)).await;
            assert_eq!(r.status, row.http_status, "{id} {}", row.code);
            assert_eq!(r.code(), row.code, "{id}");
            assert_eq!(r.msg(), row.message, "{id} {}", row.code);
            assert_eq!(r.json()["error"]["log_id"].as_str(), r.header("x-tt-logid"));
        }
        // The hooks were one-shot: back to the example.
        assert_eq!(call(&mock, &id, good_token(ep)).await.status, 200);
    }
    // An undocumented code still answers, saying so.
    mock.on("notification.get").once().reply_error(123456);
    let r = call(&mock, "notification.get", USER).await;
    assert_eq!((r.status, r.code()), (400, 123456));
    assert!(r.msg().contains("not documented"));
}

#[tokio::test]
async fn auth_failures_give_the_platform_codes() {
    let mock = MockServer::builder()
        .spec(spec())
        .helpdesk_credentials("hd-id", "hd-token")
        .start()
        .await
        .unwrap();
    let hd = mock.helpdesk_header_value().to_string();
    assert_eq!(
        hd,
        helpdesk_mock::helpdesk_header_value("hd-id", "hd-token")
    );
    let (method, target, body) = valid_request(mock.spec(), "notification.get");
    let a = mock.addr();
    let go = |headers: Vec<(&'static str, String)>| {
        let (method, target, body) = (method.clone(), target.clone(), body.clone());
        async move { send(a, &method, &target, &hdrs(&headers), &body).await }
    };
    let hdr = ("X-Lark-Helpdesk-Authorization", hd.clone());
    let bearer = |t: &str| ("Authorization", format!("Bearer {t}"));

    let r = go(vec![hdr.clone()]).await;
    assert_eq!((r.status, r.code()), (400, codes::TOKEN_MISSING));
    assert_eq!(r.msg(), "Need a token");
    for bad in ["Basic dTpw", "Bearer ", "Bearer", "u-abc"] {
        let r = go(vec![("Authorization", bad.to_string()), hdr.clone()]).await;
        assert_eq!((r.status, r.code()), (400, codes::TOKEN_MISSING), "{bad}");
    }
    let r = go(vec![bearer("x-abc"), hdr.clone()]).await;
    assert_eq!((r.status, r.code()), (400, codes::TOKEN_MALFORMED));
    // notification.get takes user tokens only.
    let r = go(vec![bearer("t-abc"), hdr.clone()]).await;
    assert_eq!((r.status, r.code()), (400, codes::TENANT_TOKEN_INVALID));
    let r = go(vec![bearer("a-abc"), hdr.clone()]).await;
    assert_eq!((r.status, r.code()), (400, codes::APP_TOKEN_INVALID));
    // Marked tokens.
    mock.expire_token("u-old");
    let r = go(vec![bearer("u-old"), hdr.clone()]).await;
    assert_eq!(
        (r.status, r.code(), r.msg().as_str()),
        (400, codes::TOKEN_EXPIRED, "token expire")
    );
    mock.invalidate_token("u-revoked");
    let r = go(vec![bearer("u-revoked"), hdr.clone()]).await;
    assert_eq!((r.status, r.code()), (400, codes::USER_TOKEN_INVALID));
    assert_eq!(go(vec![bearer("u-fine"), hdr.clone()]).await.status, 200);
    mock.invalidate_all_tokens();
    assert_eq!(
        go(vec![bearer("u-fine"), hdr.clone()]).await.code(),
        codes::USER_TOKEN_INVALID
    );
    assert_eq!(go(vec![bearer("u-new"), hdr.clone()]).await.status, 200);
    // Helpdesk header.
    let r = go(vec![bearer("u-ok")]).await;
    assert_eq!((r.status, r.code()), (401, codes::UNAUTHORIZED));
    for wrong in [
        helpdesk_mock::helpdesk_header_value("hd-id", "other"),
        format!("Bearer {hd}"),
        "not base64".to_string(),
    ] {
        let r = go(vec![
            bearer("u-ok"),
            ("X-Lark-Helpdesk-Authorization", wrong.clone()),
        ])
        .await;
        assert_eq!((r.status, r.code()), (401, codes::UNAUTHORIZED), "{wrong}");
    }
    // Platform messages come from service.json.
    let row = mock
        .spec()
        .platform_errors()
        .iter()
        .find(|e| e.code == codes::TOKEN_MALFORMED)
        .unwrap()
        .clone();
    assert_eq!(go(vec![bearer("zz"), hdr.clone()]).await.msg(), row.message);
}

#[tokio::test]
async fn every_endpoint_refuses_the_token_kinds_it_does_not_accept() {
    let mock = start().await;
    for (id, ep) in mock.spec().endpoints() {
        for kind in [
            TokenKind::UserAccessToken,
            TokenKind::TenantAccessToken,
            TokenKind::AppAccessToken,
        ] {
            let r = call(&mock, &id, token_for(kind)).await;
            if ep.auth.tokens.contains(&kind) {
                assert_eq!(r.status, 200, "{id} {kind:?}");
            } else {
                let want = match kind {
                    TokenKind::UserAccessToken => codes::USER_TOKEN_INVALID,
                    TokenKind::TenantAccessToken => codes::TENANT_TOKEN_INVALID,
                    TokenKind::AppAccessToken => codes::APP_TOKEN_INVALID,
                };
                assert_eq!((r.status, r.code()), (400, want), "{id} {kind:?}");
            }
        }
        if ep.auth.helpdesk_header {
            let (method, target, body) = valid_request(mock.spec(), &id);
            let h = [("Authorization", format!("Bearer {}", good_token(ep)))];
            let r = send(mock.addr(), &method, &target, &hdrs(&h), &body).await;
            assert_eq!((r.status, r.code()), (401, codes::UNAUTHORIZED), "{id}");
        }
    }
}

#[tokio::test]
async fn invalid_enum_query_values_are_refused_naming_the_field() {
    let mock = start().await;
    let h = auth(USER, mock.helpdesk_header_value());
    let r = send(
        mock.addr(),
        "GET",
        "/open-apis/helpdesk/v1/notifications/1?user_id_type=foo",
        &hdrs(&h),
        b"",
    )
    .await;
    assert_eq!((r.status, r.code()), (400, codes::BAD_REQUEST));
    assert_eq!(
        r.msg(),
        r#"invalid query parameter user_id_type: unknown value "foo""#
    );
    for ok in ["open_id", "union_id", "user_id"] {
        let t = format!("/open-apis/helpdesk/v1/notifications/1?user_id_type={ok}&unknown_param=1");
        assert_eq!(
            send(mock.addr(), "GET", &t, &hdrs(&h), b"").await.status,
            200,
            "{ok}"
        );
    }
    // Generically: every enum query parameter of every endpoint.
    let types_spec = mock.spec().spec().unwrap();
    let types = type_index(types_spec);
    for (id, ep) in mock.spec().endpoints() {
        for p in &ep.query_params {
            let te = TypeExpr::parse(&p.ty).unwrap();
            let is_enum = te
                .named()
                .and_then(|n| types.get(n))
                .is_some_and(|t| t.kind == TypeKind::Enum);
            if !is_enum {
                continue;
            }
            let (method, mut target, body) = valid_request(mock.spec(), &id);
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str(&format!("{}=no_such_value_42", p.name));
            let h = auth(good_token(ep), mock.helpdesk_header_value());
            let r = send(mock.addr(), &method, &target, &hdrs(&h), &body).await;
            assert_eq!((r.status, r.code()), (400, codes::BAD_REQUEST), "{id}");
            assert!(r.msg().contains(&p.name), "{id}: {}", r.msg());
        }
    }
}

#[tokio::test]
async fn the_documented_rate_limit_kicks_in_when_enforced() {
    let mock = start().await;
    let (limit, window) = mock
        .spec()
        .rate_limit("notification.get")
        .expect("notification.get documents a limit");
    // Not enforced by default.
    for _ in 0..3 {
        assert_eq!(call(&mock, "notification.get", USER).await.status, 200);
    }
    mock.enforce_rate_limits(true);
    for i in 0..limit {
        let r = call(&mock, "notification.get", USER).await;
        assert_eq!(r.status, 200, "call {}", i + 1);
    }
    let r = call(&mock, "notification.get", USER).await;
    assert_eq!(
        (r.status, r.code()),
        (429, codes::RATE_LIMITED),
        "call {}",
        limit + 1
    );
    assert_eq!(r.msg(), "request trigger frequency limit");
    assert_eq!(
        r.header("x-ogw-ratelimit-limit"),
        Some(limit.to_string().as_str())
    );
    let reset: u64 = r.header("x-ogw-ratelimit-reset").unwrap().parse().unwrap();
    assert!(reset >= 1 && reset <= window.as_secs(), "{reset}");
    // Refused calls do not count, and the limit is per endpoint: a new
    // window after reset_rate_limits.
    mock.reset_rate_limits();
    assert_eq!(call(&mock, "notification.get", USER).await.status, 200);
    mock.enforce_rate_limits(false);
    for _ in 0..3 {
        assert_eq!(call(&mock, "notification.get", USER).await.status, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_clients_all_get_correct_replies() {
    let mock = start().await;
    mock.on("notification.get")
        .path_param("notification_id", "missing")
        .reply_error(154004);
    let want = mock
        .spec()
        .endpoint("notification.get")
        .unwrap()
        .example_response
        .clone()
        .unwrap();
    let hd = mock.helpdesk_header_value().to_string();
    let a = mock.addr();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let hd = hd.clone();
        tasks.push(tokio::spawn(async move {
            let id = if i % 10 == 0 {
                "missing".to_string()
            } else {
                format!("n{i}")
            };
            let h = auth(USER, &hd);
            let r = send(
                a,
                "GET",
                &format!("/open-apis/helpdesk/v1/notifications/{id}"),
                &hdrs(&h),
                b"",
            )
            .await;
            (i, r)
        }));
    }
    let mut logids = Vec::new();
    for t in tasks {
        let (i, r) = t.await.unwrap();
        if i % 10 == 0 {
            assert_eq!((r.status, r.code()), (404, 154004), "client {i}");
        } else {
            assert_eq!(r.status, 200, "client {i}");
            assert_eq!(r.json(), want, "client {i}");
        }
        logids.push(r.header("x-tt-logid").unwrap().to_string());
    }
    logids.sort();
    logids.dedup();
    assert_eq!(logids.len(), 200);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 200);
    let mut ids: Vec<String> = reqs
        .iter()
        .map(|r| r.path_params["notification_id"].clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 181);
}

/// Every list endpoint of the spec answers, by default, as a list of two
/// pages that ends: a walk by the spec's paging rules (page token while
/// `has_more`; page numbers until an empty page or `total` items) gets the
/// example's items twice in two pages (once, when the example itself says
/// there is no more), then stops.
#[tokio::test]
async fn every_list_endpoint_pages_twice_by_default_and_ends() {
    use helpdesk_spec::spec::PageStyle;
    let mock = start().await;
    let spec = mock.spec().clone();
    let mut walked = 0;
    for id in spec.endpoint_ids() {
        let ep = spec.endpoint(&id).unwrap();
        let Some(p) = &ep.pagination else { continue };
        walked += 1;
        let example = ep.example_response.clone().unwrap();
        let per_page = example["data"][&p.items].as_array().map_or(0, Vec::len);
        assert!(per_page > 0, "{id}: the example has no items");
        let (method, first, body) = valid_request(&spec, &id);
        let h = auth(good_token(ep), mock.helpdesk_header_value());
        let mut target = first.clone();
        let (mut pages, mut seen) = (0, 0);
        loop {
            let r = send(mock.addr(), &method, &target, &hdrs(&h), &body).await;
            assert_eq!(r.status, 200, "{id} {target}");
            let v = r.json();
            assert_eq!(v["code"], 0, "{id} {target}: {v}");
            if pages == 0 {
                assert_eq!(v, example, "{id}: page 1 is the example as it is");
            }
            let data = &v["data"];
            let got = data[&p.items].as_array().map_or(0, Vec::len);
            pages += 1;
            seen += got;
            assert!(pages <= 3, "{id}: the walk does not end");
            let sep = if first.contains('?') { '&' } else { '?' };
            match p.style {
                PageStyle::PageToken => {
                    if data[p.has_more_field()] != true {
                        break;
                    }
                    let next = data[p.next_token_field()].as_str().unwrap();
                    target = format!("{first}{sep}{}={next}", p.page_token_param());
                }
                PageStyle::Page => {
                    let total = data[p.total_field()].as_u64();
                    if got == 0 || total.is_some_and(|t| seen as u64 >= t) {
                        break;
                    }
                    target = format!("{first}{sep}{}={}", p.page_param(), pages + 1);
                }
            }
        }
        let more = example["data"][p.has_more_field()] == true || p.style == PageStyle::Page;
        let want = if more { 2 * per_page } else { per_page };
        assert_eq!(seen, want, "{id}: items over the walk ({pages} requests)");
    }
    assert_eq!(
        walked, 5,
        "faq.list, faq.search, ticket.list, ticket_message.list, ticket_customized_field.list"
    );
}
