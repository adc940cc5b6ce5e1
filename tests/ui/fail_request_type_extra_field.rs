// agent_skill.patch's page lists name, rules and agent_ids for `agent_skill`:
// the reply-only fields (id, is_default, agents) are not settable.
use helpdesk_api::{types};

fn main() {
    let mut skill = types::AgentSkillPatchInfo::new();
    skill.is_default = Some(true);
    let mut rule = types::AgentSkillPatchRule::new();
    rule.display_name = Some("rule".into());
}
