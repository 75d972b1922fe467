pub mod create_forum_thread;

mod add_thread_member;
mod create_thread;
mod create_thread_from_message;
mod get_joined_private_archived_threads;
mod get_private_archived_threads;
mod get_public_archived_threads;
mod get_thread_member;
mod get_thread_members;
mod join_thread;
mod leave_thread;
mod remove_thread_member;
mod update_thread;

pub use self::{
    add_thread_member::AddThreadMember, create_forum_thread::CreateForumThread,
    create_thread::CreateThread, create_thread_from_message::CreateThreadFromMessage,
    get_joined_private_archived_threads::GetJoinedPrivateArchivedThreads,
    get_private_archived_threads::GetPrivateArchivedThreads,
    get_public_archived_threads::GetPublicArchivedThreads, get_thread_member::GetThreadMember,
    get_thread_members::GetThreadMembers, join_thread::JoinThread, leave_thread::LeaveThread,
    remove_thread_member::RemoveThreadMember, update_thread::UpdateThread,
};
