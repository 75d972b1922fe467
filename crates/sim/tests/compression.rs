//! Transport compression: `zlib-stream` and `zstd-stream` arrive as binary frames that decode
//! with one stream per connection; without `compress` frames are plain text.

mod common;

use common::{TOKEN, fast, start, within};
use flate2::{Decompress, FlushDecompress};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

enum Decoder {
    Zlib(Decompress),
    Zstd(zstd::stream::raw::Decoder<'static>),
}

impl Decoder {
    fn decode(&mut self, bytes: &[u8]) -> Value {
        let mut out = vec![0u8; 1 << 20];
        let n = match self {
            Self::Zlib(d) => {
                assert!(
                    bytes.ends_with(&[0, 0, 0xff, 0xff]),
                    "zlib-stream frames end with a sync flush"
                );
                let before = d.total_out();
                d.decompress(bytes, &mut out, FlushDecompress::Sync)
                    .expect("inflate");
                usize::try_from(d.total_out() - before).expect("size")
            }
            Self::Zstd(d) => {
                use zstd::stream::raw::{InBuffer, Operation, OutBuffer};
                let mut src = InBuffer::around(bytes);
                let mut dst = OutBuffer::around(&mut out[..]);
                while src.pos < bytes.len() {
                    d.run(&mut src, &mut dst).expect("zstd decode");
                }
                dst.pos()
            }
        };
        serde_json::from_slice(&out[..n]).expect("decompressed JSON")
    }
}

async fn session_with(query: &str, mut decoder: Option<Decoder>) {
    let sim = start(fast().guilds(3)).await;
    let url = format!("{}/?v=10&encoding=json{query}", sim.gateway_url());
    let (mut ws, _) = within("connect", tokio_tungstenite::connect_async(url))
        .await
        .expect("connect");
    let mut next = async |ws: &mut tokio_tungstenite::WebSocketStream<_>| -> Value {
        loop {
            match within("frame", ws.next()).await {
                Some(Ok(Message::Binary(b))) => {
                    return decoder
                        .as_mut()
                        .expect("binary only when compressing")
                        .decode(&b);
                }
                Some(Ok(Message::Text(t))) => {
                    assert!(decoder.is_none(), "text frame on a compressed connection");
                    return serde_json::from_str(&t).expect("JSON");
                }
                Some(Ok(_)) => {}
                other => panic!("connection ended: {other:?}"),
            }
        }
    };
    let hello = next(&mut ws).await;
    assert_eq!(hello["op"], 10);
    ws.send(Message::text(
        json!({"op": 2, "d": {"token": TOKEN, "intents": 513, "properties": {}, "compress": true}})
            .to_string(),
    ))
    .await
    .expect("identify");
    let ready = next(&mut ws).await;
    assert_eq!(ready["t"], "READY");
    assert_eq!(ready["s"], 1);
    for seq in 2..=4 {
        let guild = next(&mut ws).await;
        assert_eq!(guild["t"], "GUILD_CREATE");
        assert_eq!(guild["s"], seq);
    }
    // Client payloads may be binary frames of plain JSON (hikari).
    ws.send(Message::binary(
        json!({"op": 1, "d": 4}).to_string().into_bytes(),
    ))
    .await
    .expect("heartbeat");
    assert_eq!(next(&mut ws).await["op"], 11);
    sim.shutdown().await;
}

#[tokio::test]
async fn zlib_stream_sends_binary_frames() {
    session_with(
        "&compress=zlib-stream",
        Some(Decoder::Zlib(Decompress::new(true))),
    )
    .await;
}

#[tokio::test]
async fn zstd_stream_sends_binary_frames() {
    let decoder = zstd::stream::raw::Decoder::new().expect("decoder");
    session_with("&compress=zstd-stream", Some(Decoder::Zstd(decoder))).await;
}

#[tokio::test]
async fn no_compression_sends_text_frames() {
    session_with("", None).await;
}
