//! `BoxFuture`: what object-safe async traits here return ([`Command`](crate::Command),
//! [`InteractionLedger`](crate::InteractionLedger)).

use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future: what [`Command`](crate::Command) methods return, so the trait
/// stays object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
