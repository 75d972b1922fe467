//! The application's Ed25519 key pair: Discord signs every request to an interactions endpoint
//! with it (`X-Signature-Ed25519`, hex, over `X-Signature-Timestamp` followed by the body) and
//! publishes the public key as `verify_key`. Signing is ed25519-dalek's, not hand-written.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey};

/// A key pair that signs endpoint requests.
pub(crate) struct AppKeys {
    signing: SigningKey,
}

impl fmt::Debug for AppKeys {
    // Never the secret half.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppKeys")
            .field("verify_key", &self.verify_key_hex())
            .finish()
    }
}

impl AppKeys {
    /// A fresh key pair. The seed comes from `fastrand`, not a cryptographic generator: the
    /// simulator signs to be verified, not to keep a secret.
    pub(crate) fn generate() -> Self {
        let mut seed = [0_u8; 32];
        seed.fill_with(|| fastrand::u8(..));
        Self::from_seed(seed)
    }

    pub(crate) fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    /// The public key as Discord shows it (`verify_key`): 64 hex digits.
    pub(crate) fn verify_key_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().as_bytes())
    }

    /// `X-Signature-Ed25519` for a request: the hex signature of `timestamp` then `body`.
    pub(crate) fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.extend_from_slice(body);
        hex::encode(self.signing.sign(&message).to_bytes())
    }
}

/// One signed request to the endpoint, as sent (what a replay probe sends again).
#[derive(Debug, Clone)]
pub(crate) struct SignedRequest {
    pub(crate) timestamp: String,
    pub(crate) signature: String,
    pub(crate) body: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    use super::*;

    #[test]
    fn signatures_verify_with_the_published_key_over_timestamp_and_body() {
        let keys = AppKeys::from_seed([7; 32]);
        let signature = keys.sign("1700000000", br#"{"type":1}"#);
        let key_bytes: [u8; 32] = hex::decode(keys.verify_key_hex())
            .expect("hex")
            .try_into()
            .expect("32 bytes");
        let key = VerifyingKey::from_bytes(&key_bytes).expect("key");
        let sig_bytes: [u8; 64] = hex::decode(signature)
            .expect("hex")
            .try_into()
            .expect("64 bytes");
        let sig = Signature::from_bytes(&sig_bytes);
        assert!(key.verify(br#"1700000000{"type":1}"#, &sig).is_ok());
        assert!(key.verify(br#"1700000001{"type":1}"#, &sig).is_err());
        assert!(!format!("{keys:?}").contains(&hex::encode([7_u8; 32])));
    }
}
