//! One gateway connection: HELLO, the client's payloads, heartbeats, and writing whatever the
//! session's outbox holds (compressed when asked) until the connection ends.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio::time::{Instant, sleep_until, timeout};

use crate::compress::{CompressKind, Compressor};
use crate::frame::{self, op};
use crate::identify::{self, ConnCtx, Outcome};
use crate::session::{ConnCommand, Outbox, Pending};
use crate::state::Sim;
use crate::violations::rule;

/// Largest client payload Discord accepts.
const MAX_PAYLOAD_BYTES: usize = 4096;
/// Frames written between two flushes (and between two looks at the socket's read side).
const WRITE_BATCH: usize = 256;
/// How long the server waits for the client's half of a close handshake.
const CLOSE_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(2);

/// What the connection URL asked for.
#[derive(Debug, Clone)]
pub(crate) struct ConnectParams {
    pub(crate) compress: Option<CompressKind>,
    pub(crate) version_ok: bool,
    pub(crate) encoding_ok: bool,
}

impl ConnectParams {
    pub(crate) fn from_query(query: Option<&str>) -> Self {
        let mut compress = Some(CompressKind::None);
        let mut version_ok = true;
        let mut encoding_ok = true;
        for pair in query.unwrap_or_default().split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "compress" => compress = CompressKind::from_query(Some(value)),
                "v" => version_ok = matches!(value, "9" | "10"),
                "encoding" => encoding_ok = value == "json",
                _ => {}
            }
        }
        Self {
            compress,
            version_ok,
            encoding_ok,
        }
    }
}

/// How a connection ended.
#[derive(Debug)]
enum End {
    /// The client sent a close frame (the echo is already queued).
    ClientClosed(Option<u16>),
    /// The server closes with this code.
    ServerClose(u16, &'static str),
    /// The client stopped heartbeating: closed with 4009, the session stays resumable.
    Zombie,
    /// The socket failed or ended without a close frame.
    Lost,
    /// Fault injection: drop TCP without a close frame.
    Drop,
    /// The simulator is stopping.
    Shutdown,
}

/// Whether a close code ends the session (otherwise it stays resumable).
fn close_kills_session(code: u16) -> bool {
    matches!(code, 1000 | 1001 | 4004 | 4007 | 4009 | 4010..=4014)
}

struct Connection {
    sim: Arc<Sim>,
    id: u64,
    ws: WebSocket,
    compressor: Compressor,
    compress: CompressKind,
    outbox: Arc<Outbox>,
    session: Option<String>,
    last_heartbeat: Instant,
    payload_times: VecDeque<Instant>,
    rate_reported: bool,
    silent_until: Option<Instant>,
    /// When the client ignored op 7 long enough: the connection is closed then.
    close_at: Option<Instant>,
    scratch: String,
}

/// Serves one upgraded gateway connection until it ends.
pub(crate) async fn serve(sim: Arc<Sim>, ws: WebSocket, params: ConnectParams) {
    let Some(compress) = params.compress else {
        close_now(ws, 4002, "Decode error").await;
        return;
    };
    if !params.version_ok {
        close_now(ws, 4012, "Invalid API version").await;
        return;
    }
    if !params.encoding_ok {
        close_now(ws, 4002, "Decode error").await;
        return;
    }
    let Ok(compressor) = Compressor::new(compress) else {
        close_now(ws, 4000, "Unknown error").await;
        return;
    };
    let id = sim.next_conn_id();
    let mut conn = Connection {
        sim,
        id,
        ws,
        compressor,
        compress,
        outbox: Arc::new(Outbox::default()),
        session: None,
        last_heartbeat: Instant::now(),
        payload_times: VecDeque::new(),
        rate_reported: false,
        silent_until: None,
        close_at: None,
        scratch: String::new(),
    };
    let end = conn.run().await;
    conn.finish(end).await;
}

async fn close_now(mut ws: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    };
    if ws.send(Message::Close(Some(frame))).await.is_ok() {
        let _ = timeout(CLOSE_HANDSHAKE_TIMEOUT, async {
            while ws.recv().await.is_some() {}
        })
        .await;
    }
}

impl Connection {
    async fn run(&mut self) -> End {
        let hello = frame::control(
            op::HELLO,
            &json!({"heartbeat_interval": u64::try_from(self.sim.cfg.heartbeat_interval.as_millis()).unwrap_or(u64::MAX)})
                .to_string(),
        );
        if self.write_text(hello).await.is_err() || self.ws.flush().await.is_err() {
            return End::Lost;
        }
        let shutdown = self.sim.shutdown.clone();
        loop {
            let now = Instant::now();
            let silent = self.silent_until.is_some_and(|until| now < until);
            if !silent {
                self.silent_until = None;
            }
            let work = self.outbox.has_commands() || (!silent && self.outbox.has_frames());
            let heartbeat_deadline = self.last_heartbeat
                + self.sim.cfg.heartbeat_interval
                + self.sim.cfg.heartbeat_tolerance;
            let wake = [self.silent_until, self.close_at]
                .into_iter()
                .flatten()
                .fold(heartbeat_deadline, Instant::min);
            let flow = tokio::select! {
                biased;
                () = shutdown.cancelled() => Err(End::Shutdown),
                msg = self.ws.recv() => match msg {
                    Some(Ok(msg)) => self.on_message(msg).await,
                    Some(Err(_)) | None => Err(End::Lost),
                },
                () = std::future::ready(()), if work => self.pump(silent).await,
                () = self.outbox.notified(), if !work => Ok(()),
                () = sleep_until(wake) => self.on_timer(),
            };
            if let Err(end) = flow {
                return end;
            }
        }
    }

    fn on_timer(&mut self) -> Result<(), End> {
        let now = Instant::now();
        if self.close_at.is_some_and(|at| now >= at) {
            // The client ignored op 7 for the whole grace: Discord closes, resumably.
            return Err(End::ServerClose(4000, "Reconnect requested"));
        }
        let limit = self.sim.cfg.heartbeat_interval + self.sim.cfg.heartbeat_tolerance;
        if now.duration_since(self.last_heartbeat) < limit {
            return Ok(());
        }
        let sim = Arc::clone(&self.sim);
        let mut inner = sim.lock();
        sim.violation(
            &mut inner,
            rule::HEARTBEAT_TIMEOUT,
            format!(
                "no heartbeat for {:?} (interval plus tolerance)",
                now.duration_since(self.last_heartbeat)
            ),
            self.session.as_deref(),
        );
        // Report once per missed deadline.
        self.last_heartbeat = now;
        if sim.cfg.lenient {
            Ok(())
        } else {
            Err(End::Zombie)
        }
    }

    /// Serves commands, then writes a batch of frames.
    async fn pump(&mut self, silent: bool) -> Result<(), End> {
        for command in self.outbox.take_commands() {
            match command {
                ConnCommand::Send(text) => {
                    self.write_text(text).await.map_err(|()| End::Lost)?;
                    self.ws.flush().await.map_err(|_| End::Lost)?;
                }
                ConnCommand::SendBinary(bytes) => {
                    // Past the compressor on purpose: these bytes belong to no stream.
                    self.ws
                        .send(Message::Binary(bytes.into()))
                        .await
                        .map_err(|_| End::Lost)?;
                }
                ConnCommand::Reconnect => {
                    self.write_text(frame::control(op::RECONNECT, "null"))
                        .await
                        .map_err(|()| End::Lost)?;
                    self.ws.flush().await.map_err(|_| End::Lost)?;
                    let at = Instant::now() + self.sim.cfg.reconnect_grace;
                    self.close_at = Some(self.close_at.map_or(at, |c| c.min(at)));
                }
                ConnCommand::InvalidSession(resumable) => {
                    let d = if resumable { "true" } else { "false" };
                    self.write_text(frame::control(op::INVALID_SESSION, d))
                        .await
                        .map_err(|()| End::Lost)?;
                    self.ws.flush().await.map_err(|_| End::Lost)?;
                    self.session = None;
                    self.outbox.clear_frames();
                }
                ConnCommand::Close { code, reason } => return Err(End::ServerClose(code, reason)),
                ConnCommand::Drop => return Err(End::Drop),
                ConnCommand::Silence(d) => self.silent_until = Some(Instant::now() + d),
            }
        }
        if silent || self.silent_until.is_some() {
            return Ok(());
        }
        let mut batch = Vec::with_capacity(WRITE_BATCH);
        self.outbox.take_frames(WRITE_BATCH, &mut batch);
        if batch.is_empty() {
            return Ok(());
        }
        let mut written = Vec::new();
        for pending in batch {
            let result = match pending {
                Pending::Text(text, mark) => {
                    written.extend(mark);
                    self.write_utf8(text).await
                }
                Pending::Lazy { batch, index, seq } => {
                    let mut out = std::mem::take(&mut self.scratch);
                    out.clear();
                    batch.write(index, seq, &mut out);
                    let r = self.write_str(&out).await;
                    self.scratch = out;
                    r
                }
            };
            result.map_err(|()| End::Lost)?;
        }
        self.ws.flush().await.map_err(|_| End::Lost)?;
        for mark in written {
            mark.mark();
        }
        Ok(())
    }

    async fn write_utf8(&mut self, text: Utf8Bytes) -> Result<(), ()> {
        let msg = if self.compressor.is_none() {
            Message::Text(text)
        } else {
            Message::Binary(
                self.compressor
                    .compress(text.as_bytes())
                    .map_err(|_| ())?
                    .into(),
            )
        };
        self.ws.feed(msg).await.map_err(|_| ())
    }

    async fn write_str(&mut self, text: &str) -> Result<(), ()> {
        let msg = if self.compressor.is_none() {
            Message::Text(Utf8Bytes::from(text))
        } else {
            Message::Binary(
                self.compressor
                    .compress(text.as_bytes())
                    .map_err(|_| ())?
                    .into(),
            )
        };
        self.ws.feed(msg).await.map_err(|_| ())
    }

    async fn write_text(&mut self, text: String) -> Result<(), ()> {
        self.write_utf8(Utf8Bytes::from(text)).await
    }

    async fn on_message(&mut self, msg: Message) -> Result<(), End> {
        match msg {
            Message::Text(text) => self.on_payload(text.as_bytes()).await,
            // hikari sends its payloads as binary frames of plain JSON.
            Message::Binary(bytes) => self.on_payload(&bytes).await,
            Message::Ping(_) | Message::Pong(_) => Ok(()),
            Message::Close(frame) => Err(End::ClientClosed(frame.map(|f| f.code))),
        }
    }

    /// Records a violation; in strict mode returns the close that enforces it.
    fn break_rule(
        &self,
        rule: &str,
        detail: String,
        code: u16,
        reason: &'static str,
    ) -> Result<(), End> {
        let sim = &self.sim;
        let mut inner = sim.lock();
        sim.violation(&mut inner, rule, detail, self.session.as_deref());
        if sim.cfg.lenient {
            Ok(())
        } else {
            Err(End::ServerClose(code, reason))
        }
    }

    fn check_rate(&mut self) -> Result<(), End> {
        let now = Instant::now();
        let window = self.sim.cfg.gateway_rate_window;
        while self
            .payload_times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.payload_times.pop_front();
        }
        self.payload_times.push_back(now);
        if self.payload_times.len() > self.sim.cfg.gateway_rate_limit as usize {
            if self.rate_reported && self.sim.cfg.lenient {
                return Ok(());
            }
            self.rate_reported = true;
            let detail = format!(
                "more than {} payloads in {:?}",
                self.sim.cfg.gateway_rate_limit, window
            );
            return self.break_rule(rule::GATEWAY_RATE, detail, 4008, "Rate limited.");
        }
        self.rate_reported = false;
        Ok(())
    }

    async fn on_payload(&mut self, bytes: &[u8]) -> Result<(), End> {
        if bytes.len() > MAX_PAYLOAD_BYTES {
            self.break_rule(
                rule::DECODE_ERROR,
                format!(
                    "payload of {} bytes (limit {MAX_PAYLOAD_BYTES})",
                    bytes.len()
                ),
                4002,
                "Decode error",
            )?;
        }
        self.check_rate()?;
        let Some((opcode, d)) = serde_json::from_slice::<Value>(bytes)
            .ok()
            .and_then(|mut v| {
                Some((
                    v.get("op")?.as_u64()?,
                    v.get_mut("d").map(Value::take).unwrap_or_default(),
                ))
            })
        else {
            return self.break_rule(
                rule::DECODE_ERROR,
                "payload is not a JSON object with an integer op".to_owned(),
                4002,
                "Decode error",
            );
        };
        match opcode {
            1 => self.on_heartbeat(&d).await,
            2 | 6 => {
                if self.session.is_some() {
                    return self.break_rule(
                        rule::ALREADY_AUTHENTICATED,
                        format!("op {opcode} on an authenticated connection"),
                        4005,
                        "Already authenticated.",
                    );
                }
                let ctx = ConnCtx {
                    conn_id: self.id,
                    outbox: Arc::clone(&self.outbox),
                    compress: self.compress,
                };
                let outcome = if opcode == 2 {
                    identify::identify(&self.sim, &ctx, &d)
                } else {
                    identify::resume(&self.sim, &ctx, &d)
                };
                self.apply(outcome).await
            }
            3 | 4 | 8 | 31 => {
                let Some(session) = self.session.clone() else {
                    return self.break_rule(
                        rule::NOT_AUTHENTICATED,
                        format!("op {opcode} before IDENTIFY or RESUME"),
                        4003,
                        "Not authenticated.",
                    );
                };
                if opcode == 8 {
                    identify::request_members(&self.sim, &session, &d);
                }
                Ok(())
            }
            other => self.break_rule(
                rule::UNKNOWN_OPCODE,
                format!("unknown opcode {other}"),
                4001,
                "Unknown opcode.",
            ),
        }
    }

    async fn apply(&mut self, outcome: Outcome) -> Result<(), End> {
        match outcome {
            Outcome::Attached(session) => {
                self.session = Some(session);
                Ok(())
            }
            Outcome::Close(code, reason) => Err(End::ServerClose(code, reason)),
            Outcome::InvalidSession(resumable) => {
                let text = frame::control(
                    op::INVALID_SESSION,
                    if resumable { "true" } else { "false" },
                );
                self.write_text(text).await.map_err(|()| End::Lost)?;
                self.ws.flush().await.map_err(|_| End::Lost)
            }
            Outcome::Ignored => Ok(()),
        }
    }

    async fn on_heartbeat(&mut self, d: &Value) -> Result<(), End> {
        let now = Instant::now();
        self.last_heartbeat = now;
        if let Some(id) = &self.session {
            let mut inner = self.sim.lock();
            if let Some(session) = inner.sessions.get_mut(id) {
                session.record_heartbeat(self.id, now);
                if let Some(seq) = d.as_u64() {
                    session.ack(seq);
                }
            }
        }
        if self.silent_until.is_some_and(|until| now < until) {
            return Ok(());
        }
        let ack = frame::control(op::HEARTBEAT_ACK, "null");
        self.write_text(ack).await.map_err(|()| End::Lost)?;
        self.ws.flush().await.map_err(|_| End::Lost)
    }

    async fn finish(mut self, end: End) {
        let kill = match &end {
            End::ClientClosed(code) => code.is_some_and(|c| matches!(c, 1000 | 1001)),
            // A zombied connection is dropped but its session stays resumable.
            End::ServerClose(code, _) => close_kills_session(*code),
            End::Zombie | End::Lost | End::Drop | End::Shutdown => false,
        };
        tracing::debug!(conn = self.id, ?end, kill, "gateway connection ended");
        // Detach first: the session is resumable (or dead) from now on, not after the handshake.
        if let Some(id) = &self.session {
            let mut inner = self.sim.lock();
            if let Some(session) = inner.sessions.get_mut(id)
                && session.conn.as_ref().is_some_and(|c| c.conn_id == self.id)
            {
                session.conn = None;
                session.disconnected_at = Some(Instant::now());
                if kill {
                    session.alive = false;
                }
            }
        }
        let close = match end {
            // The echo of the client's close frame is queued by the WebSocket layer: flush it,
            // then let the client finish (twilight waits for the echo before GatewayClose).
            End::ClientClosed(_) => {
                let _ = self.ws.flush().await;
                true
            }
            End::ServerClose(code, reason) => self.send_close(code, reason).await,
            End::Zombie => self.send_close(4009, "Session timed out").await,
            End::Lost | End::Drop | End::Shutdown => false,
        };
        if close {
            let shutdown = self.sim.shutdown.clone();
            let ws = &mut self.ws;
            tokio::select! {
                () = shutdown.cancelled() => {}
                _ = timeout(CLOSE_HANDSHAKE_TIMEOUT, async { while ws.recv().await.is_some() {} }) => {}
            }
        }
        drop(self.ws);
    }

    async fn send_close(&mut self, code: u16, reason: &'static str) -> bool {
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        };
        self.ws.send(Message::Close(Some(frame))).await.is_ok()
    }
}
