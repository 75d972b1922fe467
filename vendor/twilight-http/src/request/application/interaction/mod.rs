mod create_followup;
mod create_response;
mod create_response_with_response;
mod delete_followup;
mod delete_response;
mod get_followup;
mod get_response;
mod update_followup;
mod update_response;

pub use self::{
    create_followup::CreateFollowup, create_response::CreateResponse,
    create_response_with_response::CreateResponseWithResponse, delete_followup::DeleteFollowup,
    delete_response::DeleteResponse, get_followup::GetFollowup, get_response::GetResponse,
    update_followup::UpdateFollowup, update_response::UpdateResponse,
};
