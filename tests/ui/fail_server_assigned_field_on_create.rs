// notification.create and notification.patch leave out the fields the page
// describes as assigned by the server (id and status are 创建成功后返回;
// create_user/update_user, created_at/updated_at and the push counts record
// who, when and how many): the request bodies have no such field and no
// setter for it. Must fail to compile with exactly these errors:
// no method `with_status` and no method `with_created_at` on
// `notification::CreateBody`, and no method `read_user_count` on
// `notification::PatchRequest`. The reply type `types::Notification`
// (notification.get) keeps all of them.
use helpdesk_api::{Client, JsonString, TimestampMs, notification, types};

fn body() -> notification::CreateBody {
    notification::CreateBody::new(
        "job",
        JsonString::new("{}"),
        types::PushType::Scheduled,
        types::PushScopeType::AllMembers,
    )
}

fn patch(client: &Client) -> notification::PatchRequest {
    client.notification().patch("6985032626234982420").read_user_count(1)
}

fn main() {
    let _ = body().with_status(1);
    let _ = body().with_created_at(TimestampMs(1626332244719));
    let _ = patch;
}
