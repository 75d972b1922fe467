//! The physical limits: a gateway client that only reads frames, and twilight-model
//! deserializing the same payloads in a tight loop.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use serde::de::DeserializeSeed as _;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use twilight_model::gateway::event::GatewayEventDeserializer;

use crate::bot::BENCH_TOKEN;

/// The intents of a load: what the bot asks for, so the simulator writes the same payloads
/// (content, embeds) to a bare client as to the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadIntents {
    /// `GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT`: `novera`'s default.
    Messages,
    /// The default ones plus `GUILD_PRESENCES`: `GUILD_CREATE` then lists every member of a
    /// guild that is not large (as on Discord), so the bot caches them.
    Members,
    /// The default ones plus `GUILD_MEMBERS`, `GUILD_PRESENCES`, `GUILD_MESSAGE_REACTIONS` and
    /// `GUILD_MESSAGE_TYPING`: every kind of the simulator's mixed load.
    Mix,
}

impl LoadIntents {
    /// Intent names, as `discord.intents` takes them.
    #[must_use]
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Self::Messages => &["GUILDS", "GUILD_MESSAGES", "MESSAGE_CONTENT"],
            Self::Members => &[
                "GUILDS",
                "GUILD_PRESENCES",
                "GUILD_MESSAGES",
                "MESSAGE_CONTENT",
            ],
            Self::Mix => &[
                "GUILDS",
                "GUILD_MEMBERS",
                "GUILD_PRESENCES",
                "GUILD_MESSAGES",
                "GUILD_MESSAGE_REACTIONS",
                "GUILD_MESSAGE_TYPING",
                "MESSAGE_CONTENT",
            ],
        }
    }

    /// The intent bits.
    #[must_use]
    pub fn bits(self) -> u64 {
        self.names()
            .iter()
            .filter_map(|name| twilight_model::gateway::Intents::from_name(name))
            .fold(0, |bits, intent| bits | intent.bits())
    }

    /// The `NOVERA_DISCORD__INTENTS` value that makes the bot ask for these.
    #[must_use]
    pub fn env_value(self) -> String {
        let quoted: Vec<String> = self.names().iter().map(|n| format!("\"{n}\"")).collect();
        format!("[{}]", quoted.join(","))
    }
}

/// How long any single frame may take to arrive before the reader gives up.
const FRAME_PATIENCE: Duration = Duration::from_secs(30);

/// A bare gateway client: IDENTIFY, then count (and optionally keep) frames, nothing else.
///
/// With `compressed`, it asks for `zstd-stream` like twilight does and never decompresses:
/// it measures what the simulator and the loopback socket can push, not what parsing costs.
pub struct FrameReader {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl FrameReader {
    /// Connects to `gateway_url` (`ws://127.0.0.1:PORT`), identifies as shard `[0, 1]` with
    /// `intents` and reads READY and the `guilds` `GUILD_CREATEs`, so the next frames are what
    /// comes after.
    pub async fn identify(
        gateway_url: &str,
        compressed: bool,
        guilds: u32,
        intents: LoadIntents,
    ) -> Result<Self> {
        let compress = if compressed {
            "&compress=zstd-stream"
        } else {
            ""
        };
        let url = format!(
            "{}/?v=10&encoding=json{compress}",
            gateway_url.trim_end_matches('/')
        );
        let (ws, _) = tokio_tungstenite::connect_async(url.as_str())
            .await
            .with_context(|| format!("connect to {url}"))?;
        let mut reader = Self { ws };
        reader.next_frame().await.context("HELLO")?;
        let identify = json!({
            "op": 2,
            "d": {
                "token": BENCH_TOKEN,
                "intents": intents.bits(),
                "properties": {"os": "linux", "browser": "novera-bench", "device": "novera-bench"},
                "shard": [0, 1],
                "large_threshold": 250,
            }
        });
        reader
            .ws
            .send(Message::Text(identify.to_string().into()))
            .await
            .context("send IDENTIFY")?;
        // One frame per payload: READY, then one GUILD_CREATE per guild.
        for _ in 0..=guilds {
            reader.next_frame().await.context("READY / GUILD_CREATE")?;
        }
        Ok(reader)
    }

    /// The next data frame, as text when it is one.
    async fn next_frame(&mut self) -> Result<Option<String>> {
        loop {
            let message = tokio::time::timeout(FRAME_PATIENCE, self.ws.next())
                .await
                .map_err(|_| anyhow!("no frame for {FRAME_PATIENCE:?}"))?
                .ok_or_else(|| anyhow!("the gateway closed the connection"))?
                .context("read a frame")?;
            match message {
                Message::Text(text) => return Ok(Some(text.as_str().to_owned())),
                Message::Binary(_) => return Ok(None),
                Message::Close(frame) => bail!("the gateway closed the connection: {frame:?}"),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Reads `count` frames as fast as they come, without looking inside.
    pub async fn drain(&mut self, count: u64) -> Result<()> {
        for _ in 0..count {
            let message = tokio::time::timeout(FRAME_PATIENCE, self.ws.next())
                .await
                .map_err(|_| anyhow!("no frame for {FRAME_PATIENCE:?}"))?
                .ok_or_else(|| anyhow!("the gateway closed the connection"))?
                .context("read a frame")?;
            if let Message::Close(frame) = message {
                bail!("the gateway closed the connection: {frame:?}");
            }
            black_box(&message);
        }
        Ok(())
    }

    /// Reads `count` text frames and keeps them (the payloads the ceiling parses).
    pub async fn capture(&mut self, count: usize) -> Result<Vec<String>> {
        let mut frames = Vec::with_capacity(count);
        while frames.len() < count {
            match self.next_frame().await? {
                Some(text) => frames.push(text),
                None => bail!("capture needs an uncompressed connection"),
            }
        }
        Ok(frames)
    }

    /// Closes with 1000 (the session ends; nothing is kept for a resume).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.ws.close(None)).await;
    }
}

/// Deserializes `count` gateway payloads, cycling through `samples`, on the calling thread,
/// exactly as twilight-gateway does (`GatewayEventDeserializer` over `serde_json`). Returns
/// the time it took.
pub fn deserialize(samples: &[String], count: u64) -> Result<Duration> {
    if samples.is_empty() {
        bail!("no payloads to deserialize");
    }
    // Payloads that do not parse would make the loop measure error paths: check them first.
    for sample in samples {
        parse(sample).with_context(|| format!("twilight rejects a payload: {sample:.200}"))?;
    }
    let start = Instant::now();
    let mut index = 0;
    for _ in 0..count {
        let event = parse(&samples[index])?;
        black_box(event);
        index += 1;
        if index == samples.len() {
            index = 0;
        }
    }
    Ok(start.elapsed())
}

fn parse(text: &str) -> Result<twilight_model::gateway::event::GatewayEvent> {
    let seed =
        GatewayEventDeserializer::from_json(text).ok_or_else(|| anyhow!("no gateway envelope"))?;
    let mut json = serde_json::Deserializer::from_str(text);
    seed.deserialize(&mut json).context("deserialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializes_a_message_create_and_rejects_garbage() {
        let message = r#"{"t":"MESSAGE_CREATE","s":5,"op":0,"d":{"id":"1","channel_id":"2","guild_id":"3","author":{"id":"4","username":"u","discriminator":"0","avatar":null},"content":"hi","timestamp":"2024-01-01T00:00:00.000000+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0,"flags":0,"components":[]}}"#;
        let samples = vec![message.to_owned()];
        assert!(deserialize(&samples, 3).is_ok());
        assert!(deserialize(&[], 1).is_err());
        assert!(deserialize(&["{\"op\":0}".to_owned()], 1).is_err());
    }

    #[test]
    fn intents_match_discord_bits() {
        assert_eq!(LoadIntents::Messages.bits(), 1 | (1 << 9) | (1 << 15));
        assert_eq!(
            LoadIntents::Members.bits(),
            1 | (1 << 8) | (1 << 9) | (1 << 15)
        );
        assert_eq!(
            LoadIntents::Mix.bits(),
            1 | (1 << 1) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 15)
        );
        assert_eq!(
            LoadIntents::Messages.env_value(),
            r#"["GUILDS","GUILD_MESSAGES","MESSAGE_CONTENT"]"#
        );
    }
}
