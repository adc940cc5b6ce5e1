//! One test per `notification.*` endpoint against the spec-driven mock: the
//! exact request on the wire (method, path, query, body, headers) and the
//! example reply decoded into typed values.

mod common;

use common::{Auth, Wire, assert_round_trip, assert_wire, setup, user};
use helpdesk_api::{JsonString, TimestampMs, notification, types};
use serde_json::json;

/// The card of the doc's example (`push_content`), JSON in a string.
const CARD: &str = r#"{"config":{"wide_screen_mode":true},"elements":[{"tag":"div","text":{"tag":"lark_md","content":"[飞书](https://www.feishu.cn)整合即时沟通、日历、音视频会议、云文档、云盘、工作台等功能于一体，成就组织和个人，更高效、更愉悦。"}}]}"#;

fn test_user() -> types::NotificationUser {
    let mut u = types::NotificationUser::new();
    u.user_id = Some("ou_7277fd1262bfafc363d5b2a1f9c2ac90".into());
    u.name = Some("test".into());
    u
}

#[tokio::test]
async fn notification_get() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .get("6981801914270744596")
        .user_id_type(types::UserIdType::UserId)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/notifications/6981801914270744596",
            query: &[("user_id_type", "user_id")],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(
        mock.requests_for("notification.get")[0]
            .raw_query
            .as_deref(),
        Some("user_id_type=user_id")
    );

    assert_eq!(
        reply.approval_app_link.as_deref(),
        Some("http://applink.feishu.cn/*xx")
    );
    let n = reply.notification.as_ref().expect("notification");
    assert_eq!(n.id.as_deref(), Some("6981801914270744596"));
    assert_eq!(n.job_name, "测试推送任务");
    assert_eq!(n.status, Some(0));
    assert_eq!(n.created_at, Some(TimestampMs(1626332244719)));
    assert_eq!(n.send_at.map(TimestampMs::millis), Some(1626332244719));
    assert_eq!(n.target_user_count, Some(1));
    assert_eq!(n.push_type, types::PushType::Scheduled);
    assert_eq!(n.push_scope_type, types::PushScopeType::AllMembers);
    assert_eq!(
        n.new_staff_scope_type,
        Some(types::NewStaffScopeType::AllNewStaff)
    );
    let creator = n.create_user.as_ref().expect("create_user");
    assert_eq!(
        creator.user_id.as_deref(),
        Some("ou_7277fd1262bfafc363d5b2a1f9c2ac90")
    );
    assert_eq!(creator.name.as_deref(), Some("test"));
    let chats = n.chat_list.as_ref().expect("chat_list");
    assert_eq!(
        chats[0].chat_id.as_deref(),
        Some("oc_7277fd1262bfafc363d5b2a1f9c2ac90")
    );
    assert_eq!(chats[0].name.as_deref(), Some("测试群聊"));
    let dept = &n.department_list.as_ref().expect("department_list")[0];
    assert_eq!(dept.name.as_deref(), Some("测试部门"));
    let card = n.push_content.to_value().unwrap();
    assert_eq!(card["config"]["wide_screen_mode"], json!(true));
    assert_eq!(card["elements"][0]["text"]["tag"], json!("lark_md"));
    assert_eq!(n.ext.as_ref().map(JsonString::as_str), Some("{}"));
    assert_round_trip(&mock, "notification.get", &reply);
}

#[tokio::test]
async fn notification_create() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .create(notification::CreateArgs {
            job_name: "测试推送任务".into(),
            push_content: JsonString::new(CARD),
            push_type: types::PushType::Scheduled,
            push_scope_type: types::PushScopeType::SomeMembers,
        })
        .user_id_type(types::UserIdType::OpenId)
        .user_list(vec![test_user()])
        .send_at(TimestampMs(1626332244719))
        .ext(JsonString::new("{}"))
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/notifications",
            query: &[("user_id_type", "open_id")],
            body: Some(json!({
                "job_name": "测试推送任务",
                "push_content": CARD,
                "push_type": 0,
                "push_scope_type": 2,
                "user_list": [{"user_id": "ou_7277fd1262bfafc363d5b2a1f9c2ac90", "name": "test"}],
                "send_at": "1626332244719",
                "ext": "{}",
            })),
            auth: Auth::User,
        },
    );
    assert_eq!(
        reply.notification_id.as_deref(),
        Some("6985032626234982420")
    );
    assert_eq!(reply.status, Some(0));
    assert_round_trip(&mock, "notification.create", &reply);
}

#[tokio::test]
async fn notification_patch() {
    let (mock, client) = setup().await;
    let mut chat = types::NotificationChat::new();
    chat.chat_id = Some("oc_7277fd1262bfafc363d5b2a1f9c2ac90".into());
    chat.name = Some("测试群聊".into());
    let reply = client
        .notification()
        .patch("6985032626234982420")
        .job_name("测试推送任务")
        .push_content(JsonString::new(CARD))
        .push_type(types::PushType::NewStaff)
        .push_scope_type(types::PushScopeType::NewStaff)
        .user_id_type(types::UserIdType::UnionId)
        .new_staff_scope_type(types::NewStaffScopeType::Departments)
        .chat_list(vec![chat])
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/notifications/6985032626234982420",
            query: &[("user_id_type", "union_id")],
            body: Some(json!({
                "job_name": "测试推送任务",
                "push_content": CARD,
                "push_type": 1,
                "push_scope_type": 3,
                "new_staff_scope_type": 1,
                "chat_list": [{"chat_id": "oc_7277fd1262bfafc363d5b2a1f9c2ac90", "name": "测试群聊"}],
            })),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, notification::PatchResponse::new());
    assert_round_trip(&mock, "notification.patch", &reply);
}

/// notification.patch page: every body field's 必填 column is 否, and a PATCH
/// is a partial update: moving only the send time sends `send_at` alone (as
/// the official Python SDK does), without job_name / push_content /
/// push_type / push_scope_type.
#[tokio::test]
async fn notification_patch_send_at_alone() {
    let (mock, client) = setup().await;
    client
        .notification()
        .patch("6985032626234982420")
        .send_at(TimestampMs(1626332244719))
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/notifications/6985032626234982420",
            query: &[],
            body: Some(json!({"send_at": "1626332244719"})),
            auth: Auth::User,
        },
    );
}

#[tokio::test]
async fn notification_preview() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .preview("6985032626234982420")
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.preview",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/notifications/6985032626234982420/preview",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, notification::PreviewResponse::new());
    assert_round_trip(&mock, "notification.preview", &reply);
}

#[tokio::test]
async fn notification_submit_approve() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .submit_approve(notification::SubmitApproveArgs {
            notification_id: "6985032626234982420".into(),
            reason: "测试发送消息".into(),
        })
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.submit_approve",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/notifications/6985032626234982420/submit_approve",
            query: &[],
            body: Some(json!({"reason": "测试发送消息"})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply.has_access, Some(true));
    assert_round_trip(&mock, "notification.submit_approve", &reply);
}

#[tokio::test]
async fn notification_cancel_approve() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .cancel_approve("6981801914270744596")
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.cancel_approve",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/notifications/6981801914270744596/cancel_approve",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, notification::CancelApproveResponse::new());
    assert_round_trip(&mock, "notification.cancel_approve", &reply);
}

#[tokio::test]
async fn notification_execute_send() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .execute_send(notification::ExecuteSendArgs {
            notification_id: "6985032626234982420".into(),
            send_at: TimestampMs(1624326025000),
        })
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.execute_send",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/notifications/6985032626234982420/execute_send",
            query: &[],
            // timestamp_ms goes out as a decimal string, as the doc shows
            body: Some(json!({"send_at": "1624326025000"})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, notification::ExecuteSendResponse::new());
    assert_round_trip(&mock, "notification.execute_send", &reply);
}

#[tokio::test]
async fn notification_cancel_send() {
    let (mock, client) = setup().await;
    let reply = client
        .notification()
        .cancel_send(notification::CancelSendArgs {
            notification_id: "6985032626234982420".into(),
            is_recall: true,
        })
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "notification.cancel_send",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/notifications/6985032626234982420/cancel_send",
            query: &[],
            body: Some(json!({"is_recall": true})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, notification::CancelSendResponse::new());
    assert_round_trip(&mock, "notification.cancel_send", &reply);
}
