pub mod command;
pub mod emoji;
pub mod interaction;
pub mod monetization;
