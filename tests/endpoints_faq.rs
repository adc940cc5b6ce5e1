//! One test per `faq.*` and `category.*` endpoint against the spec-driven
//! mock: the exact request on the wire and the example reply decoded into
//! typed values; the paged endpoints' streams; the image download.

mod common;

use common::{
    Auth, GIVEN_TENANT, PNG, Wire, assert_request, assert_round_trip, assert_wire, collect, next,
    ok_reply, setup, tenant, user,
};
use helpdesk_api::{Error, JsonString, ReplyErrorKind, TimestampSecs, category, faq, types};
use helpdesk_mock::Reply;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FAQ_ID: &str = "6936004780707807231";
const CATEGORY_ID: &str = "6948728206392295444";

// ------------------------------------------------------------------- faq.*

/// Checks the doc's example FAQ (the same in faq.create, faq.get, faq.list).
fn assert_example_faq(faq: &helpdesk_api::types::Faq) {
    assert_eq!(faq.faq_id.as_deref(), Some(FAQ_ID));
    assert_eq!(faq.id.as_deref(), Some(FAQ_ID));
    assert_eq!(faq.helpdesk_id.as_deref(), Some("6936004780707807251"));
    assert_eq!(faq.question.as_deref(), Some("问题"));
    assert_eq!(faq.answer.as_deref(), Some("答案"));
    // the pages' examples carry 10-digit seconds: 1596379008 is
    // 2020-08-02T14:36:48Z, not a date in January 1970
    assert_eq!(
        (faq.create_time, faq.update_time),
        (
            Some(TimestampSecs(1596379008)),
            Some(TimestampSecs(1596379008))
        )
    );
    let expire = faq.expire_time.expect("expire_time");
    assert_eq!(expire.secs(), 1596379008);
    assert_eq!(
        expire.to_system_time(),
        UNIX_EPOCH + Duration::from_secs(1_596_379_008)
    );
    let rich = &faq.answer_richtext.as_ref().expect("answer_richtext")[0];
    assert_eq!(
        (rich.content.as_deref(), rich.r#type.as_deref()),
        (Some("我的答案"), Some("text"))
    );
    let category = &faq.categories.as_ref().expect("categories")[0];
    assert_eq!(category.category_id.as_deref(), Some(CATEGORY_ID));
    assert_eq!(category.name.as_deref(), Some("创建团队和邀请成员"));
    let creator = faq.create_user.as_ref().expect("create_user");
    assert_eq!(
        creator.id.as_deref(),
        Some("ou_37019b7c830210acd88fdce886e25c71")
    );
    assert_eq!(creator.city.as_deref(), Some("城市"));
}

#[tokio::test]
async fn faq_create() {
    let (mock, client) = setup().await;
    let mut info = types::FaqCreateInfo::new("问题");
    info.answer = Some("答案".into());
    info.answer_richtext = Some(JsonString::new(r#"[{"content":"答案","type":"text"}]"#));
    info.tags = Some(vec!["问".into(), "题".into()]);
    let reply = client
        .faq()
        .create()
        .faq(info)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "faq.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/faqs",
            query: &[],
            body: Some(json!({"faq": {
                "question": "问题",
                "answer": "答案",
                "answer_richtext": r#"[{"content":"答案","type":"text"}]"#,
                "tags": ["问", "题"],
            }})),
            auth: Auth::User,
        },
    );
    let faq = reply.faq.as_ref().expect("faq");
    assert_example_faq(faq);
    assert_eq!(
        faq.tags.as_deref(),
        Some(&["问".to_string(), "题".to_string()][..])
    );
    assert_round_trip(&mock, "faq.create", &reply);
}

#[tokio::test]
async fn faq_delete() {
    let (mock, client) = setup().await;
    let reply = client.faq().delete(FAQ_ID).send_with(user()).await.unwrap();
    assert_wire(
        &mock,
        "faq.delete",
        Wire {
            method: "DELETE",
            path: "/open-apis/helpdesk/v1/faqs/6936004780707807231",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, faq::DeleteResponse::new());
    assert_round_trip(&mock, "faq.delete", &reply);
}

#[tokio::test]
async fn faq_faq_image() {
    let (mock, client) = setup().await;
    mock.on("faq.faq_image").reply(
        Reply::raw(200, "image/png", PNG)
            .header("Content-Disposition", "attachment; filename=\"a.png\""),
    );
    let download = client
        .faq()
        .faq_image(faq::FaqImageArgs {
            id: FAQ_ID.into(),
            image_key: "img_b07ffac0-19c1-48a3-afca-599f8ea825fj".into(),
        })
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "faq.faq_image",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/faqs/6936004780707807231/image/img_b07ffac0-19c1-48a3-afca-599f8ea825fj",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(download.file_name(), Some("a.png"));
    assert_eq!(download.content_type(), Some("image/png"));
    assert_eq!(download.content_length(), Some(PNG.len() as u64));
    assert_eq!(download.bytes().await.unwrap(), PNG);
}

#[tokio::test]
async fn faq_faq_image_json_error_decodes_to_its_variant() {
    let (mock, client) = setup().await;
    mock.on("faq.faq_image").reply_error(154004);
    let err = client
        .faq()
        .faq_image(faq::FaqImageArgs {
            id: FAQ_ID.into(),
            image_key: "img_gone".into(),
        })
        .send_with(tenant())
        .await
        .unwrap_err();
    match &err {
        Error::Api(faq::FaqImageError::NotFound(e)) => {
            assert_eq!((e.status, e.code), (404, 154004));
            assert!(e.log_id.is_some());
        }
        other => panic!("{other:?}"),
    }
    let r = &mock.requests_for("faq.faq_image")[0];
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {GIVEN_TENANT}").as_str())
    );

    // a JSON error envelope with HTTP 200 is an error too, not a "file"
    mock.clear_hooks();
    mock.on("faq.faq_image").reply(Reply::json(
        200,
        json!({"code": 154003, "msg": "Please check you have the correct access"}),
    ));
    match client
        .faq()
        .faq_image(faq::FaqImageArgs {
            id: FAQ_ID.into(),
            image_key: "img_forbidden".into(),
        })
        .send()
        .await
        .unwrap_err()
    {
        Error::Api(faq::FaqImageError::Forbidden(e)) => {
            assert_eq!((e.status, e.code), (200, 154003))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn faq_faq_image_default_mock_reply_is_a_file() {
    let (mock, client) = setup().await;
    // no hook: the mock's placeholder bytes, with the spec's (default) type
    let download = client
        .faq()
        .faq_image(faq::FaqImageArgs {
            id: FAQ_ID.into(),
            image_key: "img_b07ffac0-19c1-48a3-afca-599f8ea825fj".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(download.content_type(), Some("application/octet-stream"));
    assert_eq!(download.file_name(), None);
    assert!(download.log_id().is_some());
    assert!(!download.bytes().await.unwrap().is_empty());
    assert_eq!(mock.requests_for("faq.faq_image").len(), 1);
}

#[tokio::test]
async fn faq_get() {
    let (mock, client) = setup().await;
    let reply = client.faq().get(FAQ_ID).send_with(tenant()).await.unwrap();
    assert_wire(
        &mock,
        "faq.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/faqs/6936004780707807231",
            query: &[],
            body: None,
            auth: Auth::GivenTenant,
        },
    );
    let faq = reply.faq.as_ref().expect("faq");
    assert_example_faq(faq);
    assert_eq!(
        faq.update_user
            .as_ref()
            .and_then(|u| u.department.as_deref()),
        Some("用户部门名称(有权限才展示)")
    );
    assert_round_trip(&mock, "faq.get", &reply);
}

#[tokio::test]
async fn faq_list() {
    let (mock, client) = setup().await;
    let reply = client
        .faq()
        .list()
        .category_id("6856395522433908739")
        .status(types::FaqStatus::Online)
        .search("点餐")
        .page_size(10)
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "faq.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/faqs",
            query: &[
                ("category_id", "6856395522433908739"),
                ("status", "1"),
                ("search", "点餐"),
                ("page_size", "10"),
            ],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        r.raw_query.as_deref(),
        Some("category_id=6856395522433908739&status=1&search=%E7%82%B9%E9%A4%90&page_size=10")
    );
    assert_eq!(reply.has_more, Some(true));
    assert_eq!(reply.page_token.as_deref(), Some("6856395634652479491"));
    assert_eq!((reply.page_size, reply.total), (Some(100), Some(200)));
    let items = reply.items.as_ref().expect("items");
    assert_eq!(items.len(), 1);
    assert_example_faq(&items[0]);
    assert_eq!(items[0].tags.as_deref(), Some(&["问题".to_string()][..]));
    assert_round_trip(&mock, "faq.list", &reply);
}

fn faq_page(has_more: bool, token: &str, ids: &[&str]) -> Reply {
    let items: Vec<_> = ids
        .iter()
        .map(|id| json!({"faq_id": id, "question": format!("q-{id}")}))
        .collect();
    ok_reply(json!({"has_more": has_more, "page_token": token, "items": items}))
}

#[tokio::test]
async fn faq_list_items_follow_page_token_and_stop_on_error() {
    let (mock, client) = setup().await;
    // first page: the request without page_token (the least specific hook)
    mock.on("faq.list")
        .reply(faq_page(true, "6856395634652479491", &["f1", "f2"]));
    mock.on("faq.list")
        .query_param("page_token", "6856395634652479491")
        .reply(faq_page(true, "p3", &["f3", "f4"]));
    mock.on("faq.list")
        .query_param("page_token", "p3")
        .reply(faq_page(false, "", &["f5"]));
    let ids: Vec<String> = collect(
        client
            .faq()
            .list()
            .status(types::FaqStatus::Online)
            .page_size(2)
            .items(),
    )
    .await
    .into_iter()
    .map(|f| f.unwrap().faq_id.unwrap())
    .collect();
    assert_eq!(ids, ["f1", "f2", "f3", "f4", "f5"]);
    let reqs = mock.requests_for("faq.list");
    assert_eq!(reqs.len(), 3);
    let expected: [&[(&str, &str)]; 3] = [
        &[("status", "1"), ("page_size", "2")],
        &[
            ("status", "1"),
            ("page_token", "6856395634652479491"),
            ("page_size", "2"),
        ],
        &[("status", "1"), ("page_token", "p3"), ("page_size", "2")],
    ];
    for (r, query) in reqs.iter().zip(expected) {
        assert_request(
            &mock,
            "faq.list",
            r,
            &Wire {
                method: "GET",
                path: "/open-apis/helpdesk/v1/faqs",
                query,
                body: None,
                auth: Auth::Managed,
            },
        );
    }

    // page 2 fails: page 1's items, the error, then the end
    mock.clear_requests();
    mock.clear_hooks();
    mock.on("faq.list").reply(faq_page(true, "p2", &["f1"]));
    mock.on("faq.list")
        .query_param("page_token", "p2")
        .reply_error(154004);
    let mut items = client.faq().list().items_with(tenant());
    assert_eq!(
        next(&mut items).await.unwrap().unwrap().faq_id.as_deref(),
        Some("f1")
    );
    assert!(matches!(
        next(&mut items).await,
        Some(Err(Error::Api(faq::ListError::NotFound(_))))
    ));
    assert!(next(&mut items).await.is_none());
    assert_eq!(mock.requests_for("faq.list").len(), 2);
}

#[tokio::test]
async fn faq_patch() {
    let (mock, client) = setup().await;
    let mut rich = types::Richtext::new();
    rich.content = Some("这是一个答案".into());
    rich.r#type = Some("text".into());
    let mut info = types::FaqUpdateInfo::new("问题");
    info.category_id = Some("6836004780707807251".into());
    info.answer_richtext = Some(vec![rich]);
    let reply = client
        .faq()
        .patch("6856395634652479491")
        .faq(info)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "faq.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/faqs/6856395634652479491",
            query: &[],
            body: Some(json!({"faq": {
                "category_id": "6836004780707807251",
                "question": "问题",
                "answer_richtext": [{"content": "这是一个答案", "type": "text"}],
            }})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, faq::PatchResponse::new());
    assert_round_trip(&mock, "faq.patch", &reply);
}

#[tokio::test]
async fn faq_search() {
    let (mock, client) = setup().await;
    // base64=true: the query itself is base64 ("wifi")
    let reply = client
        .faq()
        .search("d2lmaQ==")
        .base64("true")
        .page_size(10)
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "faq.search",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/faqs/search",
            query: &[
                ("query", "d2lmaQ=="),
                ("base64", "true"),
                ("page_size", "10"),
            ],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        r.raw_query.as_deref(),
        Some("query=d2lmaQ%3D%3D&base64=true&page_size=10")
    );
    assert_eq!(reply.has_more, Some(false));
    assert_eq!(reply.page_token.as_deref(), Some("6986214054876479490"));
    assert_eq!((reply.page_size, reply.total), (Some(2), Some(2)));
    let items = reply.items.as_ref().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].question.as_deref(), Some("盒餐发放位置查询"));
    assert_eq!(items[1].faq_id.as_deref(), Some("6986214054826147841"));
    assert_eq!(items[1].update_time, Some(TimestampSecs(1630063323)));
    assert_eq!(
        items[0].create_time.map(SystemTime::from),
        Some(UNIX_EPOCH + Duration::from_secs(1_626_604_715))
    );
    assert_eq!(
        items[1].categories.as_ref().expect("categories")[1]
            .name
            .as_deref(),
        Some("餐饮服务")
    );
    assert_eq!(
        items[0]
            .update_user
            .as_ref()
            .and_then(|u| u.name.as_deref()),
        Some("戴xx")
    );
    assert_round_trip(&mock, "faq.search", &reply);
}

#[tokio::test]
async fn faq_search_items_follow_page_token_and_stop_on_error() {
    let (mock, client) = setup().await;
    mock.on("faq.search")
        .reply(faq_page(true, "s2", &["a", "b"]));
    mock.on("faq.search")
        .query_param("page_token", "s2")
        .reply(faq_page(false, "", &["c"]));
    let ids: Vec<String> = collect(client.faq().search("wifi").items())
        .await
        .into_iter()
        .map(|f| f.unwrap().faq_id.unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let reqs = mock.requests_for("faq.search");
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].query, [("query".to_string(), "wifi".to_string())]);
    assert_eq!(
        reqs[1].raw_query.as_deref(),
        Some("query=wifi&page_token=s2")
    );

    mock.clear_requests();
    mock.clear_hooks();
    mock.on("faq.search").reply(faq_page(true, "s2", &["a"]));
    mock.on("faq.search")
        .query_param("page_token", "s2")
        .reply_error(154000);
    let got = collect(client.faq().search("wifi").items()).await;
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].as_ref().unwrap().faq_id.as_deref(), Some("a"));
    assert!(
        matches!(&got[1], Err(Error::Api(faq::SearchError::BadRequest(e))) if e.code == 154000),
        "{:?}",
        got[1]
    );
    assert_eq!(mock.requests_for("faq.search").len(), 2);
}

// -------------------------------------------------------------- category.*

#[tokio::test]
async fn category_create() {
    let (mock, client) = setup().await;
    let reply = client
        .category()
        .create(category::CreateArgs {
            name: "创建团队和邀请成员".into(),
            parent_id: "0".into(),
        })
        .language("zh_cn")
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "category.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/categories",
            query: &[],
            body: Some(
                json!({"name": "创建团队和邀请成员", "parent_id": "0", "language": "zh_cn"}),
            ),
            auth: Auth::User,
        },
    );
    let c = reply.category.as_ref().expect("category");
    assert_eq!(c.category_id.as_deref(), Some(CATEGORY_ID));
    assert_eq!(c.id.as_deref(), Some(CATEGORY_ID));
    assert_eq!(c.name.as_deref(), Some("创建团队和邀请成员"));
    assert_eq!(c.parent_id.as_deref(), Some("0"));
    assert_eq!(c.helpdesk_id.as_deref(), Some("6939771743531696147"));
    assert_eq!(c.language.as_deref(), Some("zh_cn"));
    assert_eq!(c.children, None);
    assert_round_trip(&mock, "category.create", &reply);
}

#[tokio::test]
async fn category_delete() {
    let (mock, client) = setup().await;
    let reply = client
        .category()
        .delete(CATEGORY_ID)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "category.delete",
        Wire {
            method: "DELETE",
            path: "/open-apis/helpdesk/v1/categories/6948728206392295444",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, category::DeleteResponse::new());
    assert_round_trip(&mock, "category.delete", &reply);
}

#[tokio::test]
async fn category_get() {
    let (mock, client) = setup().await;
    let reply = client.category().get(CATEGORY_ID).send().await.unwrap();
    assert_wire(
        &mock,
        "category.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/categories/6948728206392295444",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(reply.category_id.as_deref(), Some(CATEGORY_ID));
    assert_eq!(reply.id.as_deref(), Some(CATEGORY_ID));
    assert_eq!(reply.name.as_deref(), Some("创建团队和邀请成员"));
    assert_eq!(reply.helpdesk_id.as_deref(), Some("6939771743531696147"));
    assert_eq!(reply.language.as_deref(), Some("zh_cn"));
    assert_round_trip(&mock, "category.get", &reply);
}

#[tokio::test]
async fn category_list() {
    let (mock, client) = setup().await;
    let reply = client
        .category()
        .list()
        .lang("zh_cn")
        .order_by(1)
        .asc(true)
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "category.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/categories",
            query: &[("lang", "zh_cn"), ("order_by", "1"), ("asc", "true")],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        r.raw_query.as_deref(),
        Some("lang=zh_cn&order_by=1&asc=true")
    );
    let top = &reply.categories.as_ref().expect("categories")[0];
    assert_eq!(top.category_id.as_deref(), Some(CATEGORY_ID));
    assert_eq!(top.parent_id.as_deref(), Some("0"));
    let child = &top.children.as_ref().expect("children")[0];
    assert_eq!(
        (child.id.as_deref(), child.name.as_deref()),
        (Some("4"), Some("Hardware"))
    );
    let grandchild = &child.children.as_ref().expect("grandchildren")[0];
    assert_eq!(grandchild.name.as_deref(), Some("Computer"));
    assert_eq!(grandchild.parent_id.as_deref(), Some("4"));
    assert_eq!(grandchild.language.as_deref(), Some("en_us"));
    assert_round_trip(&mock, "category.list", &reply);
}

#[tokio::test]
async fn category_patch() {
    let (mock, client) = setup().await;
    let reply = client
        .category()
        .patch(CATEGORY_ID)
        .name("创建团队和邀请成员")
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "category.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/categories/6948728206392295444",
            query: &[],
            // parent_id was not set: absent
            body: Some(json!({"name": "创建团队和邀请成员"})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, category::PatchResponse::new());
    assert_round_trip(&mock, "category.patch", &reply);
}

#[tokio::test]
async fn faq_list_items_end_with_an_error_when_the_page_token_repeats() {
    let (mock, client) = setup().await;
    // Every page says `has_more: true` with page_token "p2", including the
    // request that sent that very token. Following it again can only loop.
    mock.on("faq.list").reply(faq_page(true, "p2", &["f1"]));
    let mut items = client.faq().list().items();
    let mut got = Vec::new();
    for _ in 0..10 {
        match next(&mut items).await {
            Some(item) => got.push(item),
            None => break,
        }
    }
    assert!(
        got.len() < 10,
        "the stream did not end: {} requests so far",
        mock.requests_for("faq.list").len()
    );
    // page 1, page 2 (same token back), then an error, never a silent stop
    assert!(
        matches!(got.last(), Some(Err(Error::Reply(r))) if r.kind == ReplyErrorKind::BadData),
        "{got:?}"
    );
    assert!(next(&mut items).await.is_none());
    assert_eq!(mock.requests_for("faq.list").len(), 2);
}

/// With no hooks, the mock answers faq.list as two pages: the client's
/// stream walks both and ends cleanly (the example's items twice).
#[tokio::test]
async fn faq_list_items_walk_the_mocks_default_two_pages() {
    let (mock, client) = setup().await;
    let faqs = client.faq().list().items().try_collect().await.unwrap();
    let ids: Vec<_> = faqs.iter().map(|f| f.faq_id.as_deref().unwrap()).collect();
    assert_eq!(ids, ["6936004780707807231", "6936004780707807231"]);
    let reqs = mock.requests_for("faq.list");
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].query_param("page_token"), None);
    assert_eq!(
        reqs[1].query_param("page_token"),
        Some("6856395634652479491")
    );
}
