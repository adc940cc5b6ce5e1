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
    ($($ep:path => $resp:ty, $err:ty;)*) => {
        /// The ids of the endpoints [`decode_all`] covers, from their generated metadata.
        pub const ENDPOINT_IDS: &[&str] = &[$($ep.id),*];

        /// Decodes `body` with HTTP `status` as the reply of every endpoint.
        pub fn decode_all(status: u16, body: &[u8]) {
            $(check::<$resp, $err>($ep.id, status, body);)*
        }
    };
}

endpoints! {
    agent::AGENT_EMAIL_ENDPOINT => agent::AgentEmailResponse, agent::AgentEmailError;
    agent::PATCH_ENDPOINT => agent::PatchResponse, agent::PatchError;
    agent_schedule::CREATE_ENDPOINT => agent_schedule::CreateResponse, agent_schedule::CreateError;
    agent_schedule::LIST_ENDPOINT => agent_schedule::ListResponse, agent_schedule::ListError;
    agent_schedules::DELETE_ENDPOINT => agent_schedules::DeleteResponse, agent_schedules::DeleteError;
    agent_schedules::GET_ENDPOINT => agent_schedules::GetResponse, agent_schedules::GetError;
    agent_schedules::PATCH_ENDPOINT => agent_schedules::PatchResponse, agent_schedules::PatchError;
    agent_skill::CREATE_ENDPOINT => agent_skill::CreateResponse, agent_skill::CreateError;
    agent_skill::DELETE_ENDPOINT => agent_skill::DeleteResponse, agent_skill::DeleteError;
    agent_skill::GET_ENDPOINT => agent_skill::GetResponse, agent_skill::GetError;
    agent_skill::LIST_ENDPOINT => agent_skill::ListResponse, agent_skill::ListError;
    agent_skill::PATCH_ENDPOINT => agent_skill::PatchResponse, agent_skill::PatchError;
    agent_skill_rule::LIST_ENDPOINT => agent_skill_rule::ListResponse, agent_skill_rule::ListError;
    bot_message::CREATE_ENDPOINT => bot_message::CreateResponse, bot_message::CreateError;
    category::CREATE_ENDPOINT => category::CreateResponse, category::CreateError;
    category::DELETE_ENDPOINT => category::DeleteResponse, category::DeleteError;
    category::GET_ENDPOINT => category::GetResponse, category::GetError;
    category::LIST_ENDPOINT => category::ListResponse, category::ListError;
    category::PATCH_ENDPOINT => category::PatchResponse, category::PatchError;
    event::SUBSCRIBE_ENDPOINT => event::SubscribeResponse, event::SubscribeError;
    event::UNSUBSCRIBE_ENDPOINT => event::UnsubscribeResponse, event::UnsubscribeError;
    faq::CREATE_ENDPOINT => faq::CreateResponse, faq::CreateError;
    faq::DELETE_ENDPOINT => faq::DeleteResponse, faq::DeleteError;
    faq::FAQ_IMAGE_ENDPOINT => serde::de::IgnoredAny, faq::FaqImageError;
    faq::GET_ENDPOINT => faq::GetResponse, faq::GetError;
    faq::LIST_ENDPOINT => faq::ListResponse, faq::ListError;
    faq::PATCH_ENDPOINT => faq::PatchResponse, faq::PatchError;
    faq::SEARCH_ENDPOINT => faq::SearchResponse, faq::SearchError;
    notification::CANCEL_APPROVE_ENDPOINT => notification::CancelApproveResponse, notification::CancelApproveError;
    notification::CANCEL_SEND_ENDPOINT => notification::CancelSendResponse, notification::CancelSendError;
    notification::CREATE_ENDPOINT => notification::CreateResponse, notification::CreateError;
    notification::EXECUTE_SEND_ENDPOINT => notification::ExecuteSendResponse, notification::ExecuteSendError;
    notification::GET_ENDPOINT => notification::GetResponse, notification::GetError;
    notification::PATCH_ENDPOINT => notification::PatchResponse, notification::PatchError;
    notification::PREVIEW_ENDPOINT => notification::PreviewResponse, notification::PreviewError;
    notification::SUBMIT_APPROVE_ENDPOINT => notification::SubmitApproveResponse, notification::SubmitApproveError;
    ticket::ANSWER_USER_QUERY_ENDPOINT => ticket::AnswerUserQueryResponse, ticket::AnswerUserQueryError;
    ticket::CUSTOMIZED_FIELDS_ENDPOINT => ticket::CustomizedFieldsResponse, ticket::CustomizedFieldsError;
    ticket::GET_ENDPOINT => ticket::GetResponse, ticket::GetError;
    ticket::LIST_ENDPOINT => ticket::ListResponse, ticket::ListError;
    ticket::START_SERVICE_ENDPOINT => ticket::StartServiceResponse, ticket::StartServiceError;
    ticket::TICKET_IMAGE_ENDPOINT => serde::de::IgnoredAny, ticket::TicketImageError;
    ticket::UPDATE_ENDPOINT => ticket::UpdateResponse, ticket::UpdateError;
    ticket_customized_field::CREATE_ENDPOINT => ticket_customized_field::CreateResponse, ticket_customized_field::CreateError;
    ticket_customized_field::DELETE_ENDPOINT => ticket_customized_field::DeleteResponse, ticket_customized_field::DeleteError;
    ticket_customized_field::GET_ENDPOINT => ticket_customized_field::GetResponse, ticket_customized_field::GetError;
    ticket_customized_field::LIST_ENDPOINT => ticket_customized_field::ListResponse, ticket_customized_field::ListError;
    ticket_customized_field::PATCH_ENDPOINT => ticket_customized_field::PatchResponse, ticket_customized_field::PatchError;
    ticket_message::CREATE_ENDPOINT => ticket_message::CreateResponse, ticket_message::CreateError;
    ticket_message::LIST_ENDPOINT => ticket_message::ListResponse, ticket_message::ListError;
}
