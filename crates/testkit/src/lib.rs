//! Placeholder: this crate is filled by its own milestone-1 issue and exports nothing yet.
//!
//! See `docs/ARCHITECTURE.md` for what it will own and what it must never depend on.
