//! Reply decoding of `notification.get`, through the exact function every
//! `send_with` uses (`runtime::decode_reply`), without a server.

use helpdesk_api::runtime::decode_reply;
use helpdesk_api::{Error, ReplyErrorKind, notification, types};
use std::time::{Duration, UNIX_EPOCH};

type R = Result<notification::GetResponse, Error<notification::GetError>>;

fn decode(status: u16, body: &str) -> R {
    decode_reply(status, Some("log-123"), body.as_bytes())
}

/// The doc's example reply, kept in the spec as the endpoint's fixture.
fn example() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/spec/endpoints/notification.get.json"
    );
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec["example_response"].to_string()
}

#[test]
fn the_doc_example_decodes_field_by_field() {
    let reply = decode(200, &example()).unwrap();
    assert_eq!(
        reply.approval_app_link.as_deref(),
        Some("http://applink.feishu.cn/*xx")
    );
    let n = reply.notification.expect("notification");
    assert_eq!(n.id.as_deref(), Some("6981801914270744596"));
    assert_eq!(n.job_name, "测试推送任务");
    assert_eq!(n.status, Some(0));
    let cu = n.create_user.as_ref().unwrap();
    assert_eq!(
        cu.user_id.as_deref(),
        Some("ou_7277fd1262bfafc363d5b2a1f9c2ac90")
    );
    assert_eq!(cu.avatar_url.as_deref(), Some("http://*.com/*.png"));
    assert_eq!(cu.name.as_deref(), Some("test"));
    assert_eq!(n.update_user, n.create_user);
    let created = n.created_at.unwrap();
    assert_eq!(created.millis(), 1_626_332_244_719);
    assert_eq!(
        created.to_system_time(),
        UNIX_EPOCH + Duration::from_millis(1_626_332_244_719)
    );
    assert_eq!(n.updated_at.unwrap().millis(), 1_626_332_244_719);
    assert_eq!(n.send_at.unwrap().millis(), 1_626_332_244_719);
    assert_eq!(n.target_user_count, Some(1));
    assert_eq!(n.sent_user_count, Some(1));
    assert_eq!(n.read_user_count, Some(1));
    // push_content: raw and parsed
    assert!(n.push_content.as_str().starts_with("{   \"config\""));
    let card = n.push_content.to_value().unwrap();
    assert_eq!(card["config"]["wide_screen_mode"], true);
    assert_eq!(card["elements"][0]["text"]["tag"], "lark_md");
    assert_eq!(n.push_type, types::PushType::Scheduled);
    assert_eq!(n.push_scope_type, types::PushScopeType::AllMembers);
    assert_eq!(
        n.new_staff_scope_type,
        Some(types::NewStaffScopeType::AllNewStaff)
    );
    let d = &n.new_staff_scope_department_list.as_ref().unwrap()[0];
    assert_eq!(
        d.department_id.as_deref(),
        Some("od_7277fd1262bfafc363d5b2a1f9c2ac90")
    );
    assert_eq!(d.name.as_deref(), Some("测试部门"));
    assert_eq!(n.user_list.as_ref().unwrap()[0], *cu);
    assert_eq!(n.department_list.as_ref().unwrap()[0], *d);
    let c = &n.chat_list.as_ref().unwrap()[0];
    assert_eq!(
        c.chat_id.as_deref(),
        Some("oc_7277fd1262bfafc363d5b2a1f9c2ac90")
    );
    assert_eq!(c.name.as_deref(), Some("测试群聊"));
    assert_eq!(n.ext.as_ref().unwrap().as_str(), "{}");
    assert_eq!(
        n.ext.as_ref().unwrap().to_value().unwrap(),
        serde_json::json!({})
    );
}

#[test]
fn serialize_then_decode_is_the_identity() {
    let reply = decode(200, &example()).unwrap();
    let again = serde_json::json!({"code": 0, "msg": "ok", "data": reply}).to_string();
    assert_eq!(decode(200, &again).unwrap(), reply);
}

#[test]
fn unknown_fields_are_ignored_and_unknown_enum_values_kept() {
    let body = r#"{"code":0,"msg":"ok","extra":1,"data":{"new_top":true,"notification":{
        "job_name":"j","push_content":"{}","push_type":7,"push_scope_type":3,"brand_new":{"x":1}}}}"#;
    let n = decode(200, body).unwrap().notification.unwrap();
    assert_eq!(n.push_scope_type, types::PushScopeType::NewStaff);
    match &n.push_type {
        types::PushType::Unknown(v) => assert_eq!(v.as_i64(), Some(7)),
        other => panic!("{other:?}"),
    }
    assert_eq!(n.push_type.value(), 7);
    // and it serializes back as it came
    assert_eq!(
        serde_json::to_value(&n.push_type).unwrap(),
        serde_json::json!(7)
    );
}

#[test]
fn timestamps_also_accept_integers() {
    let body = r#"{"code":0,"data":{"notification":{"job_name":"j","push_content":"{}","push_type":0,"push_scope_type":0,"created_at":1626332244719}}}"#;
    assert_eq!(
        decode(200, body)
            .unwrap()
            .notification
            .unwrap()
            .created_at
            .unwrap()
            .millis(),
        1_626_332_244_719
    );
}

#[test]
fn missing_or_null_data_decodes_to_an_empty_reply() {
    for body in [
        r#"{"code":0,"msg":"ok"}"#,
        r#"{"code":0,"msg":"ok","data":null}"#,
    ] {
        let r = decode(200, body).unwrap();
        assert!(r.notification.is_none() && r.approval_app_link.is_none());
    }
}

#[test]
fn each_documented_code_maps_to_its_variant() {
    let table = [
        (400, 154000, "Bad request, please check your request body"),
        (
            401,
            154001,
            "Unauthorized, please check you have the correct access",
        ),
        (403, 154003, "Please check you have the correct access"),
        (404, 154004, "Resource not found"),
        (405, 154005, "Method Forbidden"),
        (500, 155000, "Internal error"),
    ];
    for (status, code, msg) in table {
        let body = serde_json::json!({"code": code, "msg": msg}).to_string();
        let err = decode(status, &body).unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.log_id(), Some("log-123"));
        let api = err.as_api().unwrap();
        let matched = matches!(
            (code, api),
            (154000, notification::GetError::BadRequest(_))
                | (154001, notification::GetError::Unauthorized(_))
                | (154003, notification::GetError::Forbidden(_))
                | (154004, notification::GetError::NotFound(_))
                | (154005, notification::GetError::MethodForbidden(_))
                | (155000, notification::GetError::InternalError(_))
        );
        assert!(matched, "{code} → {api:?}");
        assert_eq!(api.api_error().msg, msg);
        assert!(api.api_error().advice.is_some_and(|a| !a.is_empty()));
    }
}

#[test]
fn an_undocumented_code_maps_to_unhandled() {
    let err = decode(
        400,
        r#"{"code":99991668,"msg":"Invalid access token for authorization."}"#,
    )
    .unwrap_err();
    match err {
        Error::Api(notification::GetError::Unhandled(e)) => {
            assert_eq!((e.status(), e.code()), (400, 99991668));
            assert_eq!(e.api_error().advice, None);
            assert_eq!(e.kind(), helpdesk_api::ErrorKind::Unauthorized);
        }
        other => panic!("{other:?}"),
    }
    // a 200 carrying a non-zero code is an error too
    let err = decode(200, r#"{"code":154004,"msg":"Resource not found"}"#).unwrap_err();
    assert!(matches!(
        err,
        Error::Api(notification::GetError::NotFound(_))
    ));
}

fn reply_kind(status: u16, body: &str) -> (ReplyErrorKind, String) {
    match decode(status, body).unwrap_err() {
        Error::Reply(r) => {
            assert_eq!(r.status, status);
            assert_eq!(r.log_id.as_deref(), Some("log-123"));
            assert!(body.starts_with(&r.excerpt) || r.excerpt.len() <= 512);
            (r.kind, r.to_string())
        }
        other => panic!("expected a reply error, got {other:?}"),
    }
}

#[test]
fn malformed_replies_are_typed_errors() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let (k, shown) = reply_kind(502, html);
    assert_eq!(k, ReplyErrorKind::NotJson);
    assert!(
        shown.contains("HTTP 502") && shown.contains("502 Bad Gateway"),
        "{shown}"
    );
    assert_eq!(
        reply_kind(404, "404 page not found").0,
        ReplyErrorKind::NotJson
    );
    assert_eq!(
        reply_kind(200, r#"{"code":0,"msg":"ok","data":{"notif"#).0,
        ReplyErrorKind::Truncated
    );
    assert_eq!(reply_kind(200, "").0, ReplyErrorKind::Empty);
    assert_eq!(reply_kind(200, "  \n").0, ReplyErrorKind::Empty);
    assert_eq!(
        reply_kind(200, r#"{"msg":"ok","data":{}}"#).0,
        ReplyErrorKind::BadEnvelope
    );
    assert_eq!(
        reply_kind(200, r#"{"code":"0","msg":"ok"}"#).0,
        ReplyErrorKind::BadEnvelope
    );
    assert_eq!(
        reply_kind(503, r#"{"code":0,"msg":"ok"}"#).0,
        ReplyErrorKind::UnexpectedStatus
    );
    let (k, shown) = reply_kind(
        200,
        r#"{"code":0,"data":{"notification":{"job_name":"j","push_content":"{}","push_type":"zero","push_scope_type":0}}}"#,
    );
    assert_eq!(k, ReplyErrorKind::BadData);
    assert!(shown.contains("data.notification.push_type"), "{shown}");
    let (k, _) = reply_kind(200, r#"{"code":0,"data":[1,2]}"#);
    assert_eq!(k, ReplyErrorKind::BadData);
    let (k, shown) = reply_kind(
        200,
        r#"{"code":0,"data":{"notification":{"push_content":"{}","push_type":0,"push_scope_type":0}}}"#,
    );
    assert_eq!(k, ReplyErrorKind::BadData);
    assert!(shown.contains("job_name"), "{shown}");
}

#[test]
fn excerpts_are_bounded_and_cut_safely() {
    let body = format!("<html>{}</html>", "服".repeat(1000));
    match decode(502, &body).unwrap_err() {
        Error::Reply(r) => {
            assert!(r.excerpt.len() <= 512 + 3, "{}", r.excerpt.len());
            assert!(r.excerpt.starts_with("<html>服"));
        }
        other => panic!("{other:?}"),
    }
}
