//! Shared by the router's integration tests: log capture and small command builders.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use novera_commands::CommandDef;
use twilight_model::application::command::CommandType;
use twilight_util::builder::command::{CommandBuilder, StringBuilder};

pub(crate) mod lossy;

/// Everything logged by this test binary, so tests can check what the operator sees.
static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the crypto provider and a capturing log subscriber (once per test binary).
pub(crate) fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(Arc::clone(&buffer));
        let _ = tracing_subscriber::fmt()
            .with_env_filter("novera_commands=debug,warn")
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        buffer
    });
}

/// The captured log text so far.
pub(crate) fn logs() -> String {
    LOGS.get()
        .map(|b| String::from_utf8_lossy(&b.lock().unwrap()).into_owned())
        .unwrap_or_default()
}

/// A command definition with no options.
pub(crate) fn def(name: &str) -> CommandDef {
    CommandDef::new(
        CommandBuilder::new(name, format!("Test command {name}"), CommandType::ChatInput).build(),
    )
}

/// A command definition with one required string option `text`.
pub(crate) fn def_with_text(name: &str) -> CommandDef {
    CommandDef::new(
        CommandBuilder::new(name, format!("Test command {name}"), CommandType::ChatInput)
            .option(StringBuilder::new("text", "Some text").required(true))
            .build(),
    )
}

/// The 8-hex-digit reference id in a user-facing error message.
pub(crate) fn reference_in(text: &str) -> Option<String> {
    let start = text.find("Reference: `")? + "Reference: `".len();
    let id: String = text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (id.len() == 8).then_some(id)
}
