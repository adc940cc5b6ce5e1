//! One test per `agent.*`, `agent_schedule.*`, `agent_schedules.*`,
//! `agent_skill.*` and `agent_skill_rule.*` endpoint against the spec-driven
//! mock: the exact request on the wire and the example reply decoded into
//! typed values.

mod common;

use common::{Auth, Wire, assert_round_trip, assert_wire, ok_reply, setup, tenant, user};
use helpdesk_api::{agent, agent_schedule, agent_schedules, agent_skill, types};
use serde_json::json;

const AGENT_ID: &str = "ou_ea651a5c09e2d01af8acd34059f5359b";

fn all_day() -> types::WeekdaySchedule {
    let mut s = types::WeekdaySchedule::new();
    s.start_time = Some("00:00".into());
    s.end_time = Some("24:00".into());
    s.weekday = Some(types::Weekday::Everyday);
    s
}

/// The doc's example schedule (`agent_schedule.get` / `.list`).
fn assert_example_schedule(s: &helpdesk_api::types::AgentSchedule) {
    assert_eq!(s.status, Some(types::AgentScheduleStatus::Online));
    let agent = s.agent.as_ref().expect("agent");
    assert_eq!(agent.id.as_deref(), Some(AGENT_ID));
    assert_eq!(agent.email.as_deref(), Some("test@bytedance.com"));
    assert_eq!(agent.department.as_deref(), Some("测试部门"));
    assert_eq!(agent.company_name.as_deref(), Some("test-company"));
    let day = &s.schedule.as_ref().expect("schedule")[0];
    assert_eq!(day.weekday, Some(types::Weekday::Everyday));
    assert_eq!(
        (day.start_time.as_deref(), day.end_time.as_deref()),
        (Some("00:00"), Some("24:00"))
    );
    let skill = &s.agent_skills.as_ref().expect("agent_skills")[0];
    assert_eq!(
        (skill.id.as_deref(), skill.name.as_deref(), skill.is_default),
        (Some("agent-skill-id"), Some("agent-skill"), Some(false))
    );
}

// ----------------------------------------------------------------- agent.*

#[tokio::test]
async fn agent_agent_email() {
    let (mock, client) = setup().await;
    let reply = client.agent().agent_email().send().await.unwrap();
    assert_wire(
        &mock,
        "agent.agent_email",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/agent_emails",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(
        reply.agents,
        Some(json!({"ou_xxx": "xxx", "ou_yyy": "yyy"}))
    );
    assert_round_trip(&mock, "agent.agent_email", &reply);
}

#[tokio::test]
async fn agent_patch() {
    let (mock, client) = setup().await;
    let reply = client
        .agent()
        .patch("ou_14777d82ffef0f707de5a8c7ff2c5ebe")
        .status(types::AgentStatus::Offline)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/agents/ou_14777d82ffef0f707de5a8c7ff2c5ebe",
            query: &[],
            body: Some(json!({"status": 2})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, agent::PatchResponse::new());
    assert_round_trip(&mock, "agent.patch", &reply);
}

// ---------------------------------------------------------- agent_schedule.*

#[tokio::test]
async fn agent_schedule_create() {
    let (mock, client) = setup().await;
    let mut info = types::AgentScheduleUpdateInfo::new();
    info.agent_id = Some("agent-id".into());
    info.schedule = Some(vec![all_day()]);
    info.agent_skill_ids = Some(vec!["test-skill-id".into()]);
    let reply = client
        .agent_schedule()
        .create()
        .agent_schedules(vec![info])
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_schedule.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/agent_schedules",
            query: &[],
            body: Some(json!({"agent_schedules": [{
                "agent_id": "agent-id",
                "schedule": [{"start_time": "00:00", "end_time": "24:00", "weekday": 9}],
                "agent_skill_ids": ["test-skill-id"],
            }]})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, agent_schedule::CreateResponse::new());
    assert_round_trip(&mock, "agent_schedule.create", &reply);
}

#[tokio::test]
async fn agent_schedule_list() {
    let (mock, client) = setup().await;
    let reply = client
        .agent_schedule()
        .list(vec![
            types::AgentScheduleStatus::Online,
            types::AgentScheduleStatus::OffDuty,
        ])
        .send()
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "agent_schedule.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/agent_schedules",
            // a list parameter repeats its key
            query: &[("status", "1"), ("status", "3")],
            body: None,
            auth: Auth::Managed,
        },
    );
    assert_eq!(r.raw_query.as_deref(), Some("status=1&status=3"));
    let schedules = reply.agent_schedules.as_ref().expect("agent_schedules");
    assert_eq!(schedules.len(), 1);
    assert_example_schedule(&schedules[0]);
    assert_round_trip(&mock, "agent_schedule.list", &reply);
}

// --------------------------------------------------------- agent_schedules.*

#[tokio::test]
async fn agent_schedules_delete() {
    let (mock, client) = setup().await;
    let reply = client
        .agent_schedules()
        .delete(AGENT_ID)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_schedules.delete",
        Wire {
            method: "DELETE",
            path: "/open-apis/helpdesk/v1/agents/ou_ea651a5c09e2d01af8acd34059f5359b/schedules",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, agent_schedules::DeleteResponse::new());
    assert_round_trip(&mock, "agent_schedules.delete", &reply);
}

#[tokio::test]
async fn agent_schedules_get() {
    let (mock, client) = setup().await;
    // the doc's example id is "客服 id": non-ASCII and a space, one segment
    let reply = client
        .agent_schedules()
        .get("客服 id")
        .send_with(tenant())
        .await
        .unwrap();
    let r = assert_wire(
        &mock,
        "agent_schedules.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/agents/%E5%AE%A2%E6%9C%8D%20id/schedules",
            query: &[],
            body: None,
            auth: Auth::GivenTenant,
        },
    );
    assert_eq!(
        r.path_params.get("agent_id").map(String::as_str),
        Some("客服 id")
    );
    assert_example_schedule(reply.agent_schedule.as_ref().expect("agent_schedule"));
    assert_round_trip(&mock, "agent_schedules.get", &reply);
}

#[tokio::test]
async fn agent_schedules_patch() {
    let (mock, client) = setup().await;
    let mut info = types::AgentSchedulePatchInfo::new();
    info.schedule = Some(vec![all_day()]);
    info.agent_skill_ids = Some(vec!["test-skill-id".into()]);
    let reply = client
        .agent_schedules()
        .patch(AGENT_ID)
        .agent_schedule(info)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_schedules.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/agents/ou_ea651a5c09e2d01af8acd34059f5359b/schedules",
            query: &[],
            body: Some(json!({"agent_schedule": {
                "schedule": [{"start_time": "00:00", "end_time": "24:00", "weekday": 9}],
                "agent_skill_ids": ["test-skill-id"],
            }})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, agent_schedules::PatchResponse::new());
    assert_round_trip(&mock, "agent_schedules.patch", &reply);
}

// ------------------------------------------------------------ agent_skill.*

fn department_rule() -> types::AgentSkillCreateRule {
    let mut rule = types::AgentSkillCreateRule::new();
    rule.id = Some("12".into());
    rule.selected_operator = Some(types::AgentSkillOperator::ArrayAnyIn);
    rule.operand = Some(json!({"selected_departments": [{"id": "部门ID", "name": "IT"}]}));
    rule
}

#[tokio::test]
async fn agent_skill_create() {
    let (mock, client) = setup().await;
    let reply = client
        .agent_skill()
        .create()
        .name("部门技能")
        .rules(vec![department_rule()])
        .agent_ids(["ou_ea21d7f018e1155d960e40d33191f966"])
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_skill.create",
        Wire {
            method: "POST",
            path: "/open-apis/helpdesk/v1/agent_skills",
            query: &[],
            body: Some(json!({
                "name": "部门技能",
                "rules": [{
                    "id": "12",
                    "selected_operator": 8,
                    "operand": {"selected_departments": [{"id": "部门ID", "name": "IT"}]},
                }],
                "agent_ids": ["ou_ea21d7f018e1155d960e40d33191f966"],
            })),
            auth: Auth::User,
        },
    );
    assert_eq!(reply.agent_skill_id.as_deref(), Some("test-skill-id"));
    assert_round_trip(&mock, "agent_skill.create", &reply);
}

#[tokio::test]
async fn agent_skill_delete() {
    let (mock, client) = setup().await;
    let reply = client
        .agent_skill()
        .delete("test-skill-id")
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_skill.delete",
        Wire {
            method: "DELETE",
            path: "/open-apis/helpdesk/v1/agent_skills/test-skill-id",
            query: &[],
            body: None,
            auth: Auth::User,
        },
    );
    assert_eq!(reply, agent_skill::DeleteResponse::new());
    assert_round_trip(&mock, "agent_skill.delete", &reply);
}

#[tokio::test]
async fn agent_skill_get() {
    let (mock, client) = setup().await;
    let reply = client
        .agent_skill()
        .get("6941215891786825756")
        .send()
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_skill.get",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/agent_skills/6941215891786825756",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    let skill = reply.agent_skill.as_ref().expect("agent_skill");
    assert_eq!(skill.id.as_deref(), Some("test-skill-id"));
    assert_eq!(skill.name.as_deref(), Some("skill-name"));
    assert_eq!(skill.is_default, Some(false));
    assert_eq!(
        skill.agent_ids.as_deref(),
        Some(&[AGENT_ID.to_string()][..])
    );
    let rule = &skill.rules.as_ref().expect("rules")[0];
    assert_eq!(
        rule.selected_operator,
        Some(types::AgentSkillOperator::ArrayAnyIn)
    );
    assert_eq!(
        rule.operator_options,
        Some(vec![
            types::AgentSkillOperator::ArrayNoneIn,
            types::AgentSkillOperator::ArrayAnyIn
        ])
    );
    assert_eq!(rule.category, Some(types::AgentSkillRuleCategory::UserInfo));
    assert_eq!(rule.display_name.as_deref(), Some("Chinese FAQs category"));
    assert_eq!(
        rule.operand
            .as_ref()
            .map(|o| &o["selected_departments"][0]["name"]),
        Some(&json!("IT"))
    );
    let agent = &skill.agents.as_ref().expect("agents")[0];
    assert_eq!(
        (agent.id.as_deref(), agent.name.as_deref()),
        (Some(AGENT_ID), Some("test-user"))
    );
    assert_round_trip(&mock, "agent_skill.get", &reply);
}

#[tokio::test]
async fn agent_skill_list() {
    let (mock, client) = setup().await;
    let reply = client.agent_skill().list().send().await.unwrap();
    assert_wire(
        &mock,
        "agent_skill.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/agent_skills",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    let skills = reply.agent_skills.as_ref().expect("agent_skills");
    assert_eq!(skills.len(), 1);
    assert_eq!(skills[0].id.as_deref(), Some("test-skill-id"));
    assert_eq!(skills[0].name.as_deref(), Some("skill-name"));
    assert_eq!(skills[0].is_default, Some(false));
    assert_eq!(
        skills[0].agent_ids.as_deref(),
        Some(&[AGENT_ID.to_string()][..])
    );
    assert_eq!(skills[0].rules, None);
    assert_round_trip(&mock, "agent_skill.list", &reply);
}

#[tokio::test]
async fn agent_skill_patch() {
    let (mock, client) = setup().await;
    let mut rule = types::AgentSkillPatchRule::new();
    rule.id = Some("test-skill-id".into());
    rule.selected_operator = Some(types::AgentSkillOperator::ArrayAnyIn);
    rule.operator_options = Some(vec![
        types::AgentSkillOperator::ArrayNoneIn,
        types::AgentSkillOperator::ArrayAnyIn,
    ]);
    let mut skill = types::AgentSkillPatchInfo::new();
    skill.name = Some("skill-name".into());
    skill.rules = Some(vec![rule]);
    skill.agent_ids = Some(vec!["ou_ea21d7f018e1155d960e40d33191f966".into()]);
    let reply = client
        .agent_skill()
        .patch("test-skill-id")
        .agent_skill(skill)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_skill.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/agent_skills/test-skill-id",
            query: &[],
            body: Some(json!({"agent_skill": {
                "name": "skill-name",
                "rules": [{"id": "test-skill-id", "selected_operator": 8, "operator_options": [7, 8]}],
                "agent_ids": ["ou_ea21d7f018e1155d960e40d33191f966"],
            }})),
            auth: Auth::User,
        },
    );
    assert_eq!(reply, agent_skill::PatchResponse::new());
    assert_round_trip(&mock, "agent_skill.patch", &reply);
}

// ------------------------------------------------------- agent_skill_rule.*

#[tokio::test]
async fn agent_skill_rule_list() {
    let (mock, client) = setup().await;
    let reply = client.agent_skill_rule().list().send().await.unwrap();
    assert_wire(
        &mock,
        "agent_skill_rule.list",
        Wire {
            method: "GET",
            path: "/open-apis/helpdesk/v1/agent_skill_rules",
            query: &[],
            body: None,
            auth: Auth::Managed,
        },
    );
    let rules = reply.rules.as_ref().expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].id.as_deref(), Some("test-skill-id"));
    assert_eq!(rules[0].selected_operator, None);
    assert_eq!(
        rules[0].operator_options,
        Some(vec![
            types::AgentSkillOperator::ArrayNoneIn,
            types::AgentSkillOperator::ArrayAnyIn
        ])
    );
    assert_eq!(
        rules[0].category,
        Some(types::AgentSkillRuleCategory::UserInfo)
    );
    assert_eq!(rules[0].display_name.as_deref(), Some("中文知识库分类"));
    assert_eq!(
        rules[0].operand,
        Some(json!({"selected_departments": [{"id": "部门ID", "name": "IT"}]}))
    );
    assert_round_trip(&mock, "agent_skill_rule.list", &reply);
}

// ------------------------------------------------- Weekday 10 / 11 (issue 14)

/// The schedule pages list "9 - Everday, 10 - Weekday, 11 - Weekend": a reply
/// with 10 and 11 decodes to the named variants, not to `Unknown`.
#[tokio::test]
async fn weekday_10_and_11_decode_to_named_variants() {
    let (mock, client) = setup().await;
    mock.on("agent_schedules.get").reply(ok_reply(json!({
        "agent_schedule": {"schedule": [
            {"start_time": "09:00", "end_time": "18:00", "weekday": 10},
            {"start_time": "10:00", "end_time": "16:00", "weekday": 11},
        ]}
    })));
    let reply = client
        .agent_schedules()
        .get(AGENT_ID)
        .send_with(tenant())
        .await
        .unwrap();
    let days = reply
        .agent_schedule
        .and_then(|s| s.schedule)
        .expect("schedule");
    assert_eq!(days[0].weekday, Some(types::Weekday::Weekdays));
    assert_eq!(days[1].weekday, Some(types::Weekday::Weekend));
    assert_eq!(types::Weekday::Weekdays.value(), 10);
    assert_eq!(types::Weekday::Weekend.value(), 11);
}

/// …and a request with them sends 10 and 11.
#[tokio::test]
async fn weekday_10_and_11_are_sent_as_10_and_11() {
    let (mock, client) = setup().await;
    let day = |weekday| {
        let mut s = types::WeekdaySchedule::new();
        s.start_time = Some("09:00".into());
        s.end_time = Some("18:00".into());
        s.weekday = Some(weekday);
        s
    };
    let mut info = types::AgentSchedulePatchInfo::new();
    info.schedule = Some(vec![
        day(types::Weekday::Weekdays),
        day(types::Weekday::Weekend),
    ]);
    client
        .agent_schedules()
        .patch(AGENT_ID)
        .agent_schedule(info)
        .send_with(user())
        .await
        .unwrap();
    assert_wire(
        &mock,
        "agent_schedules.patch",
        Wire {
            method: "PATCH",
            path: "/open-apis/helpdesk/v1/agents/ou_ea651a5c09e2d01af8acd34059f5359b/schedules",
            query: &[],
            body: Some(json!({"agent_schedule": {"schedule": [
                {"start_time": "09:00", "end_time": "18:00", "weekday": 10},
                {"start_time": "09:00", "end_time": "18:00", "weekday": 11},
            ]}})),
            auth: Auth::User,
        },
    );
}

// ------------------------- request bodies carry only their page's fields

/// The keys of a JSON object, sorted.
fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

/// agent_skill.patch page, 请求体: `agent_skill` {name, rules[] {id,
/// selected_operator, operator_options, operand}, agent_ids}. No id,
/// is_default, agents, rules[].category or rules[].display_name.
#[test]
fn agent_skill_patch_body_has_exactly_the_page_fields() {
    let mut rule = types::AgentSkillPatchRule::new();
    rule.id = Some("r".into());
    rule.selected_operator = Some(types::AgentSkillOperator::ArrayAnyIn);
    rule.operator_options = Some(vec![types::AgentSkillOperator::ArrayNoneIn]);
    rule.operand = Some(json!({}));
    let mut skill = types::AgentSkillPatchInfo::new();
    skill.name = Some("n".into());
    skill.rules = Some(vec![rule]);
    skill.agent_ids = Some(vec!["a".into()]);
    let v = serde_json::to_value(&skill).unwrap();
    assert_eq!(keys(&v), ["agent_ids", "name", "rules"]);
    assert_eq!(
        keys(&v["rules"][0]),
        ["id", "operand", "operator_options", "selected_operator"]
    );
}

/// agent_skill.create page, 请求体 `rules[]`: {id, selected_operator,
/// operand, category}. No operator_options or display_name.
#[test]
fn agent_skill_create_rule_has_exactly_the_page_fields() {
    let mut rule = department_rule();
    rule.category = Some(types::AgentSkillRuleCategory::UserInfo);
    let v = serde_json::to_value(&rule).unwrap();
    assert_eq!(keys(&v), ["category", "id", "operand", "selected_operator"]);
}

/// agent_schedules.patch page, 请求体 `agent_schedule`: {schedule,
/// agent_skill_ids}; the agent is the path parameter (agent_schedule.create
/// keeps `agent_id` in each item).
#[test]
fn agent_schedules_patch_info_has_exactly_the_page_fields() {
    let mut info = types::AgentSchedulePatchInfo::new();
    info.schedule = Some(vec![all_day()]);
    info.agent_skill_ids = Some(vec!["s".into()]);
    let v = serde_json::to_value(&info).unwrap();
    assert_eq!(keys(&v), ["agent_skill_ids", "schedule"]);
    assert_eq!(
        keys(&v["schedule"][0]),
        ["end_time", "start_time", "weekday"]
    );
    let mut create = types::AgentScheduleUpdateInfo::new();
    create.agent_id = Some("a".into());
    create.schedule = Some(vec![all_day()]);
    create.agent_skill_ids = Some(vec!["s".into()]);
    let v = serde_json::to_value(&create).unwrap();
    assert_eq!(keys(&v), ["agent_id", "agent_skill_ids", "schedule"]);
}
