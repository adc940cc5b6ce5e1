//! Every endpoint's reply decoder, listed once. `tests/smoke.rs` checks
//! that the list covers every endpoint of `spec/endpoints/`.

use helpdesk_api::runtime::{OperationError, decode_reply};
use helpdesk_api::*;
use serde::de::DeserializeOwned;

/// Decodes `body` as one endpoint's reply and checks that the outcome is
/// a value or a typed error consistent with the reply.
fn check<T, E>(id: &str, status: u16, body: &[u8])
where
    T: DeserializeOwned,
    E: OperationError,
{
    match decode_reply::<T, E>(status, Some("fuzz-log-id"), body) {
        Ok(_) => assert!(
            (200..300).contains(&status),
            "{id}: a value from a reply with HTTP {status}"
        ),
        Err(Error::Api(e)) => {
            let api = e.api_error();
            assert_ne!(api.code, 0, "{id}: an API error with code 0");
            assert_eq!(api.status, status, "{id}");
            assert_eq!(api.log_id.as_deref(), Some("fuzz-log-id"), "{id}");
            let _ = e.to_string();
        }
        Err(Error::Reply(r)) => {
            assert_eq!(r.status, status, "{id}");
            assert_eq!(r.log_id.as_deref(), Some("fuzz-log-id"), "{id}");
            assert!(
                r.excerpt.len() <= 3 * helpdesk_api::runtime::EXCERPT_BYTES,
                "{id}: excerpt of {} bytes",
                r.excerpt.len()
            );
            let _ = r.to_string();
        }
        Err(other) => panic!("{id}: decode_reply returned {other:?}"),
    }
}

macro_rules! endpoints {
    ($($ep:ident => $resp:ty, $err:ty;)*) => {
        /// The ids of the endpoints [`decode_all`] covers, from their generated metadata.
        pub const ENDPOINT_IDS: &[&str] = &[$($ep.id),*];

        /// Decodes `body` with HTTP `status` as the reply of every endpoint.
        pub fn decode_all(status: u16, body: &[u8]) {
            $(check::<$resp, $err>($ep.id, status, body);)*
        }
    };
}

endpoints! {
    AGENT_AGENT_EMAIL_ENDPOINT => AgentAgentEmailResponse, AgentAgentEmailError;
    AGENT_PATCH_ENDPOINT => AgentPatchResponse, AgentPatchError;
    AGENT_SCHEDULE_CREATE_ENDPOINT => AgentScheduleCreateResponse, AgentScheduleCreateError;
    AGENT_SCHEDULE_LIST_ENDPOINT => AgentScheduleListResponse, AgentScheduleListError;
    AGENT_SCHEDULES_DELETE_ENDPOINT => AgentSchedulesDeleteResponse, AgentSchedulesDeleteError;
    AGENT_SCHEDULES_GET_ENDPOINT => AgentSchedulesGetResponse, AgentSchedulesGetError;
    AGENT_SCHEDULES_PATCH_ENDPOINT => AgentSchedulesPatchResponse, AgentSchedulesPatchError;
    AGENT_SKILL_CREATE_ENDPOINT => AgentSkillCreateResponse, AgentSkillCreateError;
    AGENT_SKILL_DELETE_ENDPOINT => AgentSkillDeleteResponse, AgentSkillDeleteError;
    AGENT_SKILL_GET_ENDPOINT => AgentSkillGetResponse, AgentSkillGetError;
    AGENT_SKILL_LIST_ENDPOINT => AgentSkillListResponse, AgentSkillListError;
    AGENT_SKILL_PATCH_ENDPOINT => AgentSkillPatchResponse, AgentSkillPatchError;
    AGENT_SKILL_RULE_LIST_ENDPOINT => AgentSkillRuleListResponse, AgentSkillRuleListError;
    BOT_MESSAGE_CREATE_ENDPOINT => BotMessageCreateResponse, BotMessageCreateError;
    CATEGORY_CREATE_ENDPOINT => CategoryCreateResponse, CategoryCreateError;
    CATEGORY_DELETE_ENDPOINT => CategoryDeleteResponse, CategoryDeleteError;
    CATEGORY_GET_ENDPOINT => CategoryGetResponse, CategoryGetError;
    CATEGORY_LIST_ENDPOINT => CategoryListResponse, CategoryListError;
    CATEGORY_PATCH_ENDPOINT => CategoryPatchResponse, CategoryPatchError;
    EVENT_SUBSCRIBE_ENDPOINT => EventSubscribeResponse, EventSubscribeError;
    EVENT_UNSUBSCRIBE_ENDPOINT => EventUnsubscribeResponse, EventUnsubscribeError;
    FAQ_CREATE_ENDPOINT => FaqCreateResponse, FaqCreateError;
    FAQ_DELETE_ENDPOINT => FaqDeleteResponse, FaqDeleteError;
    FAQ_FAQ_IMAGE_ENDPOINT => serde::de::IgnoredAny, FaqFaqImageError;
    FAQ_GET_ENDPOINT => FaqGetResponse, FaqGetError;
    FAQ_LIST_ENDPOINT => FaqListResponse, FaqListError;
    FAQ_PATCH_ENDPOINT => FaqPatchResponse, FaqPatchError;
    FAQ_SEARCH_ENDPOINT => FaqSearchResponse, FaqSearchError;
    NOTIFICATION_CANCEL_APPROVE_ENDPOINT => NotificationCancelApproveResponse, NotificationCancelApproveError;
    NOTIFICATION_CANCEL_SEND_ENDPOINT => NotificationCancelSendResponse, NotificationCancelSendError;
    NOTIFICATION_CREATE_ENDPOINT => NotificationCreateResponse, NotificationCreateError;
    NOTIFICATION_EXECUTE_SEND_ENDPOINT => NotificationExecuteSendResponse, NotificationExecuteSendError;
    NOTIFICATION_GET_ENDPOINT => NotificationGetResponse, NotificationGetError;
    NOTIFICATION_PATCH_ENDPOINT => NotificationPatchResponse, NotificationPatchError;
    NOTIFICATION_PREVIEW_ENDPOINT => NotificationPreviewResponse, NotificationPreviewError;
    NOTIFICATION_SUBMIT_APPROVE_ENDPOINT => NotificationSubmitApproveResponse, NotificationSubmitApproveError;
    TICKET_ANSWER_USER_QUERY_ENDPOINT => TicketAnswerUserQueryResponse, TicketAnswerUserQueryError;
    TICKET_CUSTOMIZED_FIELDS_ENDPOINT => TicketCustomizedFieldsResponse, TicketCustomizedFieldsError;
    TICKET_GET_ENDPOINT => TicketGetResponse, TicketGetError;
    TICKET_LIST_ENDPOINT => TicketListResponse, TicketListError;
    TICKET_START_SERVICE_ENDPOINT => TicketStartServiceResponse, TicketStartServiceError;
    TICKET_TICKET_IMAGE_ENDPOINT => serde::de::IgnoredAny, TicketTicketImageError;
    TICKET_UPDATE_ENDPOINT => TicketUpdateResponse, TicketUpdateError;
    TICKET_CUSTOMIZED_FIELD_CREATE_ENDPOINT => TicketCustomizedFieldCreateResponse, TicketCustomizedFieldCreateError;
    TICKET_CUSTOMIZED_FIELD_DELETE_ENDPOINT => TicketCustomizedFieldDeleteResponse, TicketCustomizedFieldDeleteError;
    TICKET_CUSTOMIZED_FIELD_GET_ENDPOINT => TicketCustomizedFieldGetResponse, TicketCustomizedFieldGetError;
    TICKET_CUSTOMIZED_FIELD_LIST_ENDPOINT => TicketCustomizedFieldListResponse, TicketCustomizedFieldListError;
    TICKET_CUSTOMIZED_FIELD_PATCH_ENDPOINT => TicketCustomizedFieldPatchResponse, TicketCustomizedFieldPatchError;
    TICKET_MESSAGE_CREATE_ENDPOINT => TicketMessageCreateResponse, TicketMessageCreateError;
    TICKET_MESSAGE_LIST_ENDPOINT => TicketMessageListResponse, TicketMessageListError;
}
