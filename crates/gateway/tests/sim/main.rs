//! Integration tests of novera-gateway against novera-sim (one test binary, one module per
//! behaviour of the "Done when" list).

#![allow(dead_code, unreachable_pub, clippy::missing_panics_doc)]

mod common;

mod backpressure;
mod budget;
mod checkpoint;
mod connect;
mod faults;
mod forward;
mod garbage;
mod instance;
mod restart;
mod shards;
