//! One test per `ticket.*`, `ticket_message.*` and
//! `ticket_customized_field.*` endpoint against the spec-driven mock: the
//! exact request on the wire and the example reply decoded into typed values;
//! the paged endpoints' streams; the image download; documented error codes.

mod common;

use common::{
    Auth, GIVEN_TENANT, PNG, Wire, assert_request, assert_round_trip, assert_wire, collect, next,
    ok_reply, setup, tenant, user,
};
use helpdesk_api::{
    Error, JsonString, TimestampMs, TimestampMsNumber, TimestampSecs, ticket,
    ticket_customized_field, ticket_message, types,
};
use helpdesk_mock::Reply;
use serde_json::json;

const TICKET_ID: &str = "6626871355780366331";

// ---------------------------------------------------------------- ticket.*

#[tokio::test]
async fn ticket_get() {
    let (mock, client) = setup().await;
    let reply = client.ticket().get(TICKET_ID).send().await.unwrap();
    assert_wire(
        &mock,
        "ticket.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/tickets/6626871355780366331",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    let t = reply.ticket.as_ref().expect("ticket");
    assert_eq!(t.ticket_id.as_deref(), Some(TICKET_ID));
    assert_eq!(t.helpdesk_id.as_deref(), Some("6626871355780366330"));
    assert_eq!(t.ticket_type, Some(types::TicketStage::Bot));
    assert_eq!(t.status, Some(types::TicketStatus::ClosedByBot));
    assert_eq!(t.score, Some(types::TicketScore::Dissatisfied));
    assert_eq!(t.solve, Some(types::TicketSolved::Unsolved));
    assert_eq!(t.created_at, Some(TimestampMsNumber(1616920429000)));
    // -1 is the page's "no value" for updated_at; the example carries a real time
    assert_eq!(
        t.updated_at.map(TimestampMsNumber::millis),
        Some(1616920429000)
    );
    assert_eq!(t.channel, Some(0));
    assert_eq!(t.agent_service_duration, Some(42624.95));
    assert_eq!(t.agent_entry_time, Some(TimestampMsNumber(1636444596000)));
    let guest = t.guest.as_ref().expect("guest");
    assert_eq!(guest.email.as_deref(), Some("xxxx@abc.com"));
    assert_eq!(guest.country.as_deref(), Some("国家"));
    let comment = &t.comments.as_ref().expect("comments")[0];
    assert_eq!(comment.id, Some(12));
    assert_eq!(comment.user_id, Some(7262656095919128578));
    assert_eq!(comment.content.as_deref(), Some("备注内容"));
    let reason = t.dissatisfaction_reason.as_ref().expect("reason");
    assert_eq!(reason.en_us.as_deref(), Some("I don't understand"));
    let field = &t.customized_fields.as_ref().expect("customized_fields")[0];
    assert_eq!(
        (field.position, field.required, field.key_name.as_deref()),
        (Some(1), Some(true), Some("key"))
    );
    assert_eq!(
        t.tags.as_ref().expect("tags")[0].name.as_deref(),
        Some("标签名称")
    );
    assert_round_trip(&mock, "ticket.get", &reply);
}

#[tokio::test]
async fn ticket_list() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket()
        .list()
        .r#type(types::TicketStage::Human)
        .status_list([
            types::TicketStatus::Created,
            types::TicketStatus::Processing,
        ])
        .guest_name("abc")
        .tags(["备注".to_string()])
        .page(1)
        .page_size(20)
        .create_time_start(TimestampMsNumber(1616920429000))
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "ticket.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/tickets",
            query: &[
                ("type", "2"),
                ("status_list", "1"),
                ("status_list", "2"),
                ("guest_name", "abc"),
                ("tags", "备注"),
                ("page", "1"),
                ("page_size", "20"),
                ("create_time_start", "1616920429000"),
            ],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        r.raw_query.as_deref(),
        Some(
            "type=2&status_list=1&status_list=2&guest_name=abc&tags=%E5%A4%87%E6%B3%A8\
             &page=1&page_size=20&create_time_start=1616920429000"
        )
    );
    assert_eq!(reply.total, Some(100));
    let tickets = reply.tickets.as_ref().expect("tickets");
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t.ticket_id.as_deref(), Some(TICKET_ID));
    assert_eq!(t.status, Some(types::TicketStatus::ClosedByBot));
    assert_eq!(t.ticket_type, Some(types::TicketStage::Bot));
    assert_eq!(t.solve, Some(types::TicketSolved::Unsolved));
    assert_eq!(
        t.comments.as_ref().and_then(|c| c.user_name.as_deref()),
        Some("备注人姓名")
    );
    let reasons = t.dissatisfaction_reason.as_ref().expect("reasons");
    assert_eq!(reasons[0].ja_jp.as_deref(), Some("回答が複雑すぎる"));
    assert_eq!(
        t.agent_owner.as_ref().and_then(|a| a.name.as_deref()),
        Some("abc")
    );
    assert_round_trip(&mock, "ticket.list", &reply);
}

fn ticket_page(total: i64, ids: &[&str]) -> Reply {
    let tickets: Vec<_> = ids
        .iter()
        .map(|id| json!({"ticket_id": id, "status": 2}))
        .collect();
    ok_reply(json!({"total": total, "tickets": tickets}))
}

#[tokio::test]
async fn ticket_list_items_walk_the_pages_by_number() {
    let (mock, client) = setup().await;
    mock.on("ticket.list")
        .query_param("page", "1")
        .reply(ticket_page(5, &["t1", "t2"]));
    mock.on("ticket.list")
        .query_param("page", "2")
        .reply(ticket_page(5, &["t3", "t4"]));
    mock.on("ticket.list")
        .query_param("page", "3")
        .reply(ticket_page(5, &["t5"]));
    let items = collect(
        client
            .ticket()
            .list()
            .status_list([types::TicketStatus::Processing])
            .page_size(2)
            .items(),
    )
    .await;
    let ids: Vec<String> = items
        .into_iter()
        .map(|t| t.unwrap().ticket_id.unwrap())
        .collect();
    assert_eq!(ids, ["t1", "t2", "t3", "t4", "t5"]);
    let reqs = mock.requests_for("ticket.list");
    assert_eq!(reqs.len(), 3, "stops once `total` items were seen");
    for (i, r) in reqs.iter().enumerate() {
        let page = (i + 1).to_string();
        assert_request(
            &mock,
            "ticket.list",
            r,
            &Wire {
                method: "GET",
                path: "/open-apis/helpdesk/v1/tickets",
                query: &[("status_list", "2"), ("page", &page), ("page_size", "2")],
                body: None,
                auth: Auth::Managed,
            },
        );
    }
}

#[tokio::test]
async fn ticket_list_a_failing_page_is_yielded_and_ends_the_stream() {
    let (mock, client) = setup().await;
    mock.on("ticket.list")
        .query_param("page", "1")
        .reply(ticket_page(4, &["t1", "t2"]));
    mock.on("ticket.list")
        .query_param("page", "2")
        .reply_error(155000);
    let mut items = client.ticket().list().page_size(2).items_with(tenant());
    assert_eq!(
        next(&mut items)
            .await
            .unwrap()
            .unwrap()
            .ticket_id
            .as_deref(),
        Some("t1")
    );
    assert_eq!(
        next(&mut items)
            .await
            .unwrap()
            .unwrap()
            .ticket_id
            .as_deref(),
        Some("t2")
    );
    match next(&mut items).await {
        Some(Err(Error::Api(ticket::ListError::InternalError(e)))) => {
            assert_eq!((e.status, e.code), (500, 155000));
            assert!(e.log_id.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(next(&mut items).await.is_none(), "the stream ends");
    assert!(next(&mut items).await.is_none(), "and stays ended");
    let reqs = mock.requests_for("ticket.list");
    assert_eq!(reqs.len(), 2, "no request after the failed page");
    assert_eq!(reqs[1].query_param("page"), Some("2"));
    assert!(
        reqs.iter()
            .all(|r| r.header("authorization") == Some(format!("Bearer {GIVEN_TENANT}").as_str()))
    );
    assert_eq!(mock.token_fetches(), 0);
}

/// The inherent `next()` / `try_collect()` (no `StreamExt` needed): all
/// pages collected, or the first failing page's error.
#[tokio::test]
async fn ticket_list_inherent_next_and_try_collect() {
    let (mock, client) = setup().await;
    mock.on("ticket.list")
        .query_param("page", "1")
        .reply(ticket_page(5, &["t1", "t2"]));
    mock.on("ticket.list")
        .query_param("page", "2")
        .reply(ticket_page(5, &["t3", "t4"]));
    mock.on("ticket.list")
        .query_param("page", "3")
        .reply(ticket_page(5, &["t5"]));
    let list = || client.ticket().list().page_size(2);
    let all = list().items_with(tenant()).try_collect().await.unwrap();
    let ids: Vec<_> = all
        .iter()
        .map(|t| t.ticket_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["t1", "t2", "t3", "t4", "t5"]);
    let mut pages = list().pages_with(tenant());
    let mut sizes = Vec::new();
    while let Some(page) = pages.next().await {
        sizes.push(page.unwrap().tickets.map_or(0, |t| t.len()));
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(mock.requests_for("ticket.list").len(), 6);

    mock.clear_hooks();
    mock.on("ticket.list")
        .query_param("page", "1")
        .reply(ticket_page(5, &["t1", "t2"]));
    mock.on("ticket.list")
        .query_param("page", "2")
        .reply_error(155000);
    match list().items_with(tenant()).try_collect().await {
        Err(Error::Api(ticket::ListError::InternalError(e))) => assert_eq!(e.code, 155000),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ticket_start_service() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket()
        .start_service("ou_7dab8a3d3cdcc9da365777c7ad535d62")
        .human_service(false)
        .appointed_agents(["ou_7dab8a3d3cdcc9da365777c7ad535d62"])
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket.start_service",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/start_service",
            query: &[],
            body: Some(json!({
                "open_id": "ou_7dab8a3d3cdcc9da365777c7ad535d62",
                "human_service": false,
                "appointed_agents": ["ou_7dab8a3d3cdcc9da365777c7ad535d62"],
            })),
            auth: Auth::Managed,
        },
    );
    assert_eq!(reply.chat_id.as_deref(), Some("创建的 chat-id"));
    assert_eq!(reply.ticket_id.as_deref(), Some("7474857595946745884"));
    assert_round_trip(&mock, "ticket.start_service", &reply);
}

#[tokio::test]
async fn ticket_answer_user_query() {
    let (mock, client) = setup().await;
    let mut faq = types::UserQueryFaqInfo::new();
    faq.id = Some("12345".into());
    faq.score = Some(0.9);
    let reply = client
        .ticket()
        .answer_user_query(ticket::AnswerUserQueryArgs {
            ticket_id: "6945345902185807891".into(),
            event_id: "abcd".into(),
        })
        .faqs(vec![faq])
        .send_with(tenant())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket.answer_user_query",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/tickets/6945345902185807891/answer_user_query",
            query: &[],
            body: Some(json!({"event_id": "abcd", "faqs": [{"id": "12345", "score": 0.9}]})),
            auth: Auth::GivenTenant,
        },
    );
    assert_round_trip(&mock, "ticket.answer_user_query", &reply);
}

#[tokio::test]
async fn ticket_customized_fields() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket()
        .customized_fields()
        .visible_only(true)
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "ticket.customized_fields",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/customized_fields",
            query: &[("visible_only", "true")],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(r.raw_query.as_deref(), Some("visible_only=true"));
    let user_field = &reply.user_customized_fields.as_ref().expect("user fields")[0];
    assert_eq!(
        user_field.user_customized_field_id.as_deref(),
        Some("6746384425543548981")
    );
    assert_eq!(user_field.key_name.as_deref(), Some("company_id3"));
    assert_eq!(user_field.visible, Some(false));
    assert_eq!(user_field.created_at, Some(TimestampMs(1574040677000)));
    let ticket_field = &reply
        .ticket_customized_fields
        .as_ref()
        .expect("ticket fields")[0];
    assert_eq!(ticket_field.field_type.as_deref(), Some("dropdown"));
    assert_eq!(ticket_field.updated_at, Some(TimestampMs(1591239289000)));
    assert_eq!(ticket_field.dropdown_allow_multiple, Some(true));
    assert_eq!(
        ticket_field
            .created_by
            .as_ref()
            .and_then(|u| u.email.as_deref()),
        Some("xxxx@abc.com")
    );
    assert_round_trip(&mock, "ticket.customized_fields", &reply);
}

#[tokio::test]
async fn ticket_ticket_image() {
    let (mock, client) = setup().await;
    mock.on("ticket.ticket_image").reply(
        Reply::raw(200, "image/png", PNG)
            .header("Content-Disposition", "attachment; filename=\"a.png\""),
    );
    let download = client
        .ticket()
        .ticket_image(ticket::TicketImageArgs {
            ticket_id: "6948728206392295444".into(),
            msg_id: "6949088236610273307".into(),
        })
        .index(1)
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "ticket.ticket_image",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/ticket_images",
            query: &[
                ("ticket_id", "6948728206392295444"),
                ("msg_id", "6949088236610273307"),
                ("index", "1"),
            ],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        r.raw_query.as_deref(),
        Some("ticket_id=6948728206392295444&msg_id=6949088236610273307&index=1")
    );
    assert_eq!(download.file_name(), Some("a.png"));
    assert_eq!(download.content_type(), Some("image/png"));
    assert!(download.log_id().is_some_and(|l| !l.is_empty()));
    assert_eq!(download.bytes().await.unwrap(), PNG);
}

#[tokio::test]
async fn ticket_ticket_image_json_error_decodes_to_its_variant() {
    let (mock, client) = setup().await;
    mock.on("ticket.ticket_image").reply_error(154404);
    let err = client
        .ticket()
        .ticket_image(ticket::TicketImageArgs {
            ticket_id: "6948728206392295444".into(),
            msg_id: "6949088236610273307".into(),
        })
        .send_with(tenant())
        .await
        .unwrap_err();
    match &err {
        Error::Api(ticket::TicketImageError::ImageDeleted(e)) => {
            assert_eq!(e.code, 154404);
            assert!(e.log_id.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), Some(154404));
}

#[tokio::test]
async fn ticket_update() {
    let (mock, client) = setup().await;
    let mut field = types::TicketCustomizedFieldValue::new();
    field.id = Some("123".into());
    field.value = Some("value".into());
    field.key_name = Some("key".into());
    let reply = client
        .ticket()
        .update("6945345902185807891")
        .status(types::TicketUpdateStatus::Processing)
        .comment("good")
        .customized_fields(vec![field])
        .solved(types::TicketSolved::Solved)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket.update",
        Wire {
            method: "PUT",
            path: "/open-apis/helpdesk/v1/tickets/6945345902185807891",
            query: &[],
            body: Some(json!({
                "status": 2,
                "comment": "good",
                "customized_fields": [{"id": "123", "value": "value", "key_name": "key"}],
                "solved": 2,
            })),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, ticket::UpdateResponse::new());
    assert_round_trip(&mock, "ticket.update", &reply);
}

/// ticket.update page: "status对应具体的含义如下：1: 待响应, 2: 处理中, 3: 排队中,
/// 4: 待定, 5: 待用户响应, 50: 机器人关闭工单, 51: 人工关闭工单". The request
/// status has exactly these values (not 52, which only replies carry), and 1
/// is 待响应.
#[tokio::test]
async fn ticket_update_status_has_exactly_the_page_values() {
    let named: Vec<i64> = (0..=1000)
        .filter(|v| {
            !matches!(
                types::TicketUpdateStatus::from_value(*v),
                types::TicketUpdateStatus::Unknown(_)
            )
        })
        .collect();
    assert_eq!(named, [1, 2, 3, 4, 5, 50, 51]);
    assert!(matches!(
        types::TicketUpdateStatus::from_value(52),
        types::TicketUpdateStatus::Unknown(_)
    ));
    assert_eq!(
        types::TicketUpdateStatus::from_value(1),
        types::TicketUpdateStatus::AwaitingResponse
    );
    // replies keep the full status set, 52 included
    assert_eq!(
        types::TicketStatus::from_value(52),
        types::TicketStatus::ClosedByUser
    );

    let (mock, client) = setup().await;
    client
        .ticket()
        .update("6945345902185807891")
        .status(types::TicketUpdateStatus::AwaitingResponse)
        .send_with(user())
        .await
        .unwrap();
    assert_eq!(
        mock.requests_for("ticket.update")[0].json(),
        Some(json!({"status": 1}))
    );
}

#[tokio::test]
async fn ticket_get_documented_error_codes_decode_to_their_variants() {
    let (mock, client) = setup().await;
    for (code, status) in [(154000, 400), (154001, 401), (154004, 404), (155000, 500)] {
        mock.clear_hooks();
        mock.on("ticket.get").reply_error(code);
        let err = client.ticket().get("gone").send().await.unwrap_err();
        assert_eq!((err.status(), err.code()), (Some(status), Some(code)));
        let ok = matches!(
            (code, &err),
            (154000, Error::Api(ticket::GetError::BadRequest(_)))
                | (154001, Error::Api(ticket::GetError::Unauthorized(_)))
                | (154004, Error::Api(ticket::GetError::NotFound(_)))
                | (155000, Error::Api(ticket::GetError::InternalError(_)))
        );
        assert!(ok, "{code}: {err:?}");
    }
    match client.ticket().get("gone").send().await.unwrap_err() {
        Error::Api(ticket::GetError::InternalError(e)) => {
            assert_eq!(e.msg, "Internal error");
            assert!(e.advice.is_some());
        }
        other => panic!("{other:?}"),
    }
    mock.clear_hooks();
    mock.on("ticket.get")
        .path_param("ticket_id", "gone")
        .reply_error(154004);
    match client.ticket().get("gone").send().await.unwrap_err() {
        Error::Api(ticket::GetError::NotFound(e)) => {
            assert_eq!((e.status, e.code), (404, 154004));
            assert_eq!(e.msg, "Resource not found");
            assert!(e.log_id.is_some());
        }
        other => panic!("{other:?}"),
    }
    // the hook is filtered by path parameter: another id still gets the example
    assert!(client.ticket().get(TICKET_ID).send().await.is_ok());
}

#[tokio::test]
async fn ticket_specific_error_codes_decode_to_their_named_variants() {
    let (mock, client) = setup().await;
    mock.on("ticket.start_service").reply_error(154402);
    match client
        .ticket()
        .start_service("ou_7dab8a3d3cdcc9da365777c7ad535d62")
        .send()
        .await
        .unwrap_err()
    {
        Error::Api(ticket::StartServiceError::HelpdeskNotVisible(e)) => assert_eq!(e.code, 154402),
        other => panic!("{other:?}"),
    }
    mock.on("ticket_message.create").reply_error(154401);
    match client
        .ticket_message()
        .create(ticket_message::CreateArgs {
            ticket_id: "6948728206392295444".into(),
            msg_type: types::TicketMessageType::Text,
            content: JsonString::new(r#"{"text":"hi"}"#),
        })
        .send()
        .await
        .unwrap_err()
    {
        Error::Api(ticket_message::CreateError::TicketClosed(e)) => assert_eq!(e.code, 154401),
        other => panic!("{other:?}"),
    }
}

// -------------------------------------------------------- ticket_message.*

/// The doc's example `post` content.
const POST: &str = r#"{"post":{"zh_cn":{"title":"this is title","content":[[{"tag":"text","un_escape":true,"text":"第一行 :"},{"tag":"a","text":"超链接","href":"http://www.feishu.cn"}],[{"tag":"text","text":"第二行 :"},{"tag":"text","text":"文本测试"}]]}}}"#;

#[tokio::test]
async fn ticket_message_create() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_message()
        .create(ticket_message::CreateArgs {
            ticket_id: "6948728206392295444".into(),
            msg_type: types::TicketMessageType::Post,
            content: JsonString::new(POST),
        })
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_message.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/tickets/6948728206392295444/messages",
            query: &[],
            body: Some(json!({"msg_type": "post", "content": POST})),
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        reply.message_id.as_deref(),
        Some("om_8baa3656c7b41900d29bf9104bf5310b")
    );
    assert_round_trip(&mock, "ticket_message.create", &reply);
}

#[tokio::test]
async fn ticket_message_list() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_message()
        .list("6948728206392295444")
        .time_start(TimestampSecs(1617960686))
        .time_end(TimestampSecs(1617960687))
        .page(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_message.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/tickets/6948728206392295444/messages",
            query: &[
                ("time_start", "1617960686"),
                ("time_end", "1617960687"),
                ("page", "1"),
                ("page_size", "10"),
            ],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(reply.total, Some(100));
    let m = &reply.messages.as_ref().expect("messages")[0];
    assert_eq!(m.id.as_deref(), Some("6948728206392295444"));
    assert_eq!(m.message_id.as_deref(), Some("6949088236610273307"));
    assert_eq!(m.message_type, Some(types::TicketMessageKind::Text));
    assert_eq!(m.created_at, Some(TimestampMsNumber(1617960686000)));
    assert_eq!(m.user_name.as_deref(), Some("李宁"));
    let content: serde_json::Value =
        serde_json::from_str(m.content.as_deref().expect("content")).unwrap();
    assert_eq!(content["msg_type"], json!("text"));
    assert_round_trip(&mock, "ticket_message.list", &reply);
}

fn message_page(total: i64, ids: &[&str]) -> Reply {
    let messages: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "message_type": "text", "content": "{}"}))
        .collect();
    ok_reply(json!({"total": total, "messages": messages}))
}

#[tokio::test]
async fn ticket_message_list_items_walk_the_pages_and_stop_on_error() {
    let (mock, client) = setup().await;
    mock.on("ticket_message.list")
        .query_param("page", "1")
        .reply(message_page(3, &["m1", "m2"]));
    mock.on("ticket_message.list")
        .query_param("page", "2")
        .reply(message_page(3, &["m3"]));
    let ids: Vec<String> = collect(
        client
            .ticket_message()
            .list("6948728206392295444")
            .page_size(2)
            .items(),
    )
    .await
    .into_iter()
    .map(|m| m.unwrap().id.unwrap())
    .collect();
    assert_eq!(ids, ["m1", "m2", "m3"]);
    let reqs = mock.requests_for("ticket_message.list");
    assert_eq!(reqs.len(), 2);
    for (r, page) in reqs.iter().zip(["1", "2"]) {
        assert_request(
            &mock,
            "ticket_message.list",
            r,
            &Wire {
                method: "GET",
                path: "/open-apis/helpdesk/v1/tickets/6948728206392295444/messages",
                query: &[("page", page), ("page_size", "2")],
                body: None,
                auth: Auth::Managed,
            },
        );
    }

    // page 2 fails: the first page's items, then the error, then the end
    mock.clear_requests();
    mock.clear_hooks();
    mock.on("ticket_message.list")
        .query_param("page", "1")
        .reply(message_page(3, &["m1", "m2"]));
    mock.on("ticket_message.list")
        .query_param("page", "2")
        .reply_error(154003);
    let got = collect(
        client
            .ticket_message()
            .list("6948728206392295444")
            .page_size(2)
            .items(),
    )
    .await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[1].as_ref().unwrap().id.as_deref(), Some("m2"));
    assert!(
        matches!(
            &got[2],
            Err(Error::Api(ticket_message::ListError::Forbidden(e))) if e.code == 154003
        ),
        "{:?}",
        got[2]
    );
    assert_eq!(mock.requests_for("ticket_message.list").len(), 2);
}

// ----------------------------------------------- ticket_customized_field.*

fn dropdown(options: &[(&str, &str)]) -> types::DropdownOption {
    let mut d = types::DropdownOption::new();
    d.children = Some(
        options
            .iter()
            .map(|(tag, name)| {
                let mut o = types::DropdownOption::new();
                o.tag = Some((*tag).into());
                o.display_name = Some((*name).into());
                o
            })
            .collect(),
    );
    d
}

#[tokio::test]
async fn ticket_customized_field_create() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_customized_field()
        .create(ticket_customized_field::CreateArgs {
            key_name: "test dropdown".into(),
            display_name: "test dropdown".into(),
            position: "3".into(),
            field_type: "dropdown".into(),
            description: "下拉示例".into(),
            visible: true,
            required: false,
        })
        .dropdown_options(dropdown(&[
            ("a2ac322d-8d8c-432e-9631-17c4acaddbf7", "a"),
            ("67068d18-20c9-412e-afc0-714d0e8fac29", "b"),
        ]))
        .dropdown_allow_multiple(true)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_customized_field.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/ticket_customized_fields",
            query: &[],
            body: Some(json!({
                "key_name": "test dropdown",
                "display_name": "test dropdown",
                "position": "3",
                "field_type": "dropdown",
                "description": "下拉示例",
                "visible": true,
                "required": false,
                "dropdown_options": {"children": [
                    {"tag": "a2ac322d-8d8c-432e-9631-17c4acaddbf7", "display_name": "a"},
                    {"tag": "67068d18-20c9-412e-afc0-714d0e8fac29", "display_name": "b"},
                ]},
                "dropdown_allow_multiple": true,
            })),
            auth: Auth::User,
        },
    );
    // the doc's reply has no `data` at all
    assert_eq!(reply, ticket_customized_field::CreateResponse::new());
    assert_round_trip(&mock, "ticket_customized_field.create", &reply);
}

#[tokio::test]
async fn ticket_customized_field_delete() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_customized_field()
        .delete("6948728206392295444")
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_customized_field.delete",
        Wire {
            method: "DELETE",
            path: "/open-apis/helpdesk/v1/ticket_customized_fields/6948728206392295444",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, ticket_customized_field::DeleteResponse::new());
    assert_round_trip(&mock, "ticket_customized_field.delete", &reply);
}

#[tokio::test]
async fn ticket_customized_field_get() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_customized_field()
        .get("6834320707288072194")
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_customized_field.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/ticket_customized_fields/6834320707288072194",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        reply.ticket_customized_field_id.as_deref(),
        Some("6834320707288072194")
    );
    assert_eq!(reply.helpdesk_id.as_deref(), Some("1542164574896126"));
    assert_eq!(reply.description.as_deref(), Some("下拉示例"));
    assert_eq!(
        (reply.visible, reply.editable, reply.required),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(reply.created_at, Some(TimestampMs(1591239289000)));
    assert_eq!(
        reply.created_by.as_ref().and_then(|u| u.email.as_deref()),
        Some("xxxx@abc.com")
    );
    let options = reply
        .dropdown_options
        .as_ref()
        .and_then(|d| d.children.as_ref())
        .expect("options");
    assert_eq!(options.len(), 3);
    assert_eq!(options[2].display_name.as_deref(), Some("c"));
    assert_eq!(
        options[2].tag.as_deref(),
        Some("d135b9f3-f260-49e6-bb7b-32e334a99caf")
    );
    assert_round_trip(&mock, "ticket_customized_field.get", &reply);
}

#[tokio::test]
async fn ticket_customized_field_list() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_customized_field()
        .list()
        .page_size(10)
        .visible(true)
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_customized_field.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/ticket_customized_fields",
            query: &[("page_size", "10")],
            // the doc's GET carries a JSON body
            body: Some(json!({"visible": true})),
            auth: Auth::Managed,
        },
    );
    assert_eq!(reply.has_more, Some(true));
    assert_eq!(
        reply.next_page_token.as_deref(),
        Some("6948728206392295444")
    );
    let item = &reply.items.as_ref().expect("items")[0];
    assert_eq!(item.key_name.as_deref(), Some("test dropdown"));
    assert_eq!(item.updated_at, Some(TimestampMs(1591239289000)));
    let nested = item
        .dropdown_options
        .as_ref()
        .and_then(|d| d.children.as_ref())
        .and_then(|c| c[0].children.as_ref())
        .expect("nested options");
    assert_eq!(nested[1].display_name.as_deref(), Some("l22"));
    assert_round_trip(&mock, "ticket_customized_field.list", &reply);
}

fn field_page(has_more: bool, next: &str, keys: &[&str]) -> Reply {
    let items: Vec<_> = keys
        .iter()
        .map(|k| json!({"ticket_customized_field_id": k, "key_name": k}))
        .collect();
    ok_reply(json!({"has_more": has_more, "next_page_token": next, "items": items}))
}

#[tokio::test]
async fn ticket_customized_field_list_items_follow_next_page_token() {
    let (mock, client) = setup().await;
    // first page: the request without page_token (the least specific hook)
    mock.on("ticket_customized_field.list")
        .reply(field_page(true, "p2", &["f1", "f2"]));
    mock.on("ticket_customized_field.list")
        .query_param("page_token", "p2")
        .reply(field_page(true, "p3", &["f3"]));
    mock.on("ticket_customized_field.list")
        .query_param("page_token", "p3")
        .reply(field_page(false, "", &["f4"]));
    let keys: Vec<String> = collect(
        client
            .ticket_customized_field()
            .list()
            .page_size(2)
            .visible(true)
            .items(),
    )
    .await
    .into_iter()
    .map(|f| f.unwrap().key_name.unwrap())
    .collect();
    assert_eq!(keys, ["f1", "f2", "f3", "f4"]);
    let reqs = mock.requests_for("ticket_customized_field.list");
    assert_eq!(reqs.len(), 3);
    let expected: [&[(&str, &str)]; 3] = [
        &[("page_size", "2")],
        &[("page_token", "p2"), ("page_size", "2")],
        &[("page_token", "p3"), ("page_size", "2")],
    ];
    for (r, query) in reqs.iter().zip(expected) {
        assert_request(
            &mock,
            "ticket_customized_field.list",
            r,
            &Wire {
                method: "GET",
                path: "/open-apis/helpdesk/v1/ticket_customized_fields",
                query,
                body: Some(json!({"visible": true})),
                auth: Auth::Managed,
            },
        );
    }

    // a failing second page
    mock.clear_requests();
    mock.clear_hooks();
    mock.on("ticket_customized_field.list")
        .reply(field_page(true, "p2", &["f1"]));
    mock.on("ticket_customized_field.list")
        .query_param("page_token", "p2")
        .reply_error(154001);
    let mut pages = client.ticket_customized_field().list().pages();
    let first = next(&mut pages).await.unwrap().unwrap();
    assert_eq!(first.items.unwrap().len(), 1);
    assert!(matches!(
        next(&mut pages).await,
        Some(Err(Error::Api(
            ticket_customized_field::ListError::Unauthorized(_)
        )))
    ));
    assert!(next(&mut pages).await.is_none());
    assert_eq!(mock.requests_for("ticket_customized_field.list").len(), 2);
}

#[tokio::test]
async fn ticket_customized_field_patch() {
    let (mock, client) = setup().await;
    let reply = client
        .ticket_customized_field()
        .patch("6948728206392295444")
        .display_name("test dropdown")
        .visible(true)
        .required(false)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "ticket_customized_field.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/ticket_customized_fields/6948728206392295444",
            query: &[],
            body: Some(
                json!({"display_name": "test dropdown", "visible": true, "required": false}),
            ),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, ticket_customized_field::PatchResponse::new());
    assert_round_trip(&mock, "ticket_customized_field.patch", &reply);
}

/// With no hooks, the mock answers ticket.list as two numbered pages: the
/// client's stream walks both and ends on the total the last page gives.
#[tokio::test]
async fn ticket_list_items_walk_the_mocks_default_two_pages() {
    let (mock, client) = setup().await;
    let tickets = client.ticket().list().items().try_collect().await.unwrap();
    assert_eq!(tickets.len(), 2);
    assert!(
        tickets
            .iter()
            .all(|t| t.ticket_id.as_deref() == Some("6626871355780366331"))
    );
    let pages: Vec<_> = mock
        .requests_for("ticket.list")
        .iter()
        .map(|r| r.query_param("page").map(str::to_owned))
        .collect();
    assert_eq!(pages, [Some("1".to_string()), Some("2".to_string())]);
}
