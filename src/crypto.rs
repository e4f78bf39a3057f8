//! Ed25519 keys: the verifier's keyring (importable from a JWKS) and, behind
//! the `issuer` feature, signing.

use crate::error::{Error, Result};
use crate::format::{base64url, SIGNATURE_LEN, SIGNING_DOMAIN};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

/// One JSON Web Key of type OKP / Ed25519 (RFC 8037), public part only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type; must be `OKP`.
    pub kty: String,
    /// Curve; must be `Ed25519`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    /// Key id, as the snapshot header names it.
    pub kid: String,
    /// Algorithm, if given, must be `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use, if given, must be `sig`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// A private key part: never accepted in a keyring.
    #[serde(default, skip_serializing)]
    pub d: Option<String>,
}

/// A JSON Web Key Set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// Public keys by key id.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<(String, VerifyingKey)>,
}

impl Keyring {
    /// An empty keyring (refuses every snapshot with `unknown_key`).
    pub fn new() -> Self {
        Keyring::default()
    }

    /// Adds a raw 32-byte public key under `kid`. Refuses malformed and weak
    /// (small-order) keys.
    pub fn insert(&mut self, kid: &str, public_key: &[u8]) -> Result<()> {
        if kid.is_empty() || kid.len() > crate::format::MAX_KID_LEN {
            return Err(Error::InvalidKey {
                detail: format!("a key id must be 1 to {} bytes", crate::format::MAX_KID_LEN),
            });
        }
        let bytes: [u8; 32] = public_key.try_into().map_err(|_| Error::InvalidKey {
            detail: format!(
                "key `{kid}`: an Ed25519 public key is 32 bytes, got {}",
                public_key.len()
            ),
        })?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| Error::InvalidKey {
            detail: format!("key `{kid}` is not a valid Ed25519 point"),
        })?;
        if key.is_weak() {
            return Err(Error::InvalidKey {
                detail: format!("key `{kid}` is a weak (small-order) key"),
            });
        }
        if self.keys.iter().any(|(k, _)| k == kid) {
            return Err(Error::InvalidKey {
                detail: format!("key id `{kid}` appears twice"),
            });
        }
        self.keys.push((kid.to_owned(), key));
        Ok(())
    }

    /// Builds a keyring from a JWKS. Every key must be OKP/Ed25519 with a
    /// `kid`; a key carrying a private part (`d`) is refused.
    pub fn from_jwks(jwks: &Jwks) -> Result<Keyring> {
        let mut ring = Keyring::new();
        for (i, jwk) in jwks.keys.iter().enumerate() {
            let name = if jwk.kid.is_empty() {
                format!("keys[{i}]")
            } else {
                format!("`{}`", jwk.kid)
            };
            if jwk.d.is_some() {
                return Err(Error::InvalidKey {
                    detail: format!(
                        "key {name} contains a private part (`d`): publish only public keys"
                    ),
                });
            }
            if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
                return Err(Error::InvalidKey {
                    detail: format!(
                        "key {name} is `{}`/`{}`, expected `OKP`/`Ed25519`",
                        jwk.kty, jwk.crv
                    ),
                });
            }
            if jwk.alg.as_deref().is_some_and(|a| a != "EdDSA") {
                return Err(Error::InvalidKey {
                    detail: format!("key {name} has `alg` other than `EdDSA`"),
                });
            }
            if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
                return Err(Error::InvalidKey {
                    detail: format!("key {name} has `use` other than `sig`"),
                });
            }
            let x = base64url::decode(&jwk.x).map_err(|e| Error::InvalidKey {
                detail: format!("key {name}: `x` is not base64url ({e})"),
            })?;
            ring.insert(&jwk.kid, &x)?;
        }
        Ok(ring)
    }

    /// Parses a JWKS document (or a single JWK) from JSON.
    #[cfg(feature = "std-json")]
    pub fn from_jwks_json(json: &str) -> Result<Keyring> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| Error::InvalidKey {
                detail: format!("the JWKS is not JSON: {e}"),
            })?;
        let jwks: Jwks = if value.get("keys").is_some() {
            serde_json::from_value(value)
        } else {
            serde_json::from_value(value).map(|k| Jwks { keys: vec![k] })
        }
        .map_err(|e| Error::InvalidKey {
            detail: format!("not a JWKS of Ed25519 keys: {e}"),
        })?;
        Keyring::from_jwks(&jwks)
    }

    /// Key ids in the ring.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|(k, _)| k.as_str())
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the ring holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Strictly verifies a snapshot `signature` over `SIGNING_DOMAIN | signed` with key `kid`.
    pub fn verify(&self, kid: &str, signed: &[u8], signature: &[u8; SIGNATURE_LEN]) -> Result<()> {
        self.verify_domain(SIGNING_DOMAIN, kid, signed, signature)
    }

    /// Strictly verifies `signature` over `domain | signed` with key `kid`.
    pub fn verify_domain(
        &self,
        domain: &[u8],
        kid: &str,
        signed: &[u8],
        signature: &[u8; SIGNATURE_LEN],
    ) -> Result<()> {
        let key = self
            .keys
            .iter()
            .find(|(k, _)| k == kid)
            .map(|(_, key)| key)
            .ok_or_else(|| Error::UnknownKey { kid: kid.into() })?;
        let sig = Signature::from_bytes(signature);
        let mut message = Vec::with_capacity(domain.len() + signed.len());
        message.extend_from_slice(domain);
        message.extend_from_slice(signed);
        key.verify_strict(&message, &sig)
            .map_err(|_| Error::BadSignature)
    }
}

/// A JWK for a raw public key.
pub fn public_jwk(kid: &str, public_key: &[u8; 32]) -> Jwk {
    Jwk {
        kty: "OKP".into(),
        crv: "Ed25519".into(),
        x: base64url::encode(public_key),
        kid: kid.into(),
        alg: Some("EdDSA".into()),
        use_: Some("sig".into()),
        d: None,
    }
}

/// A short key id derived from a public key: base64url of the first 3
/// bytes of its SHA-512 (4 characters).
pub fn derive_kid(public_key: &[u8; 32]) -> String {
    use sha2::{Digest, Sha512};
    let digest = Sha512::digest(public_key);
    base64url::encode(digest.get(..3).unwrap_or(&[]))
}

/// Signing, for the issuer only: never compiled into the browser build.
#[cfg(feature = "issuer")]
pub mod signing {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    /// An Ed25519 signing key with its key id.
    pub struct IssuerKey {
        kid: String,
        key: SigningKey,
    }

    impl std::fmt::Debug for IssuerKey {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("IssuerKey")
                .field("kid", &self.kid)
                .finish_non_exhaustive()
        }
    }

    impl IssuerKey {
        /// A key from its 32-byte secret seed.
        pub fn from_seed(kid: Option<&str>, seed: &[u8; 32]) -> Result<IssuerKey> {
            let key = SigningKey::from_bytes(seed);
            let kid = match kid {
                Some(k) => k.to_owned(),
                None => derive_kid(&key.verifying_key().to_bytes()),
            };
            if kid.is_empty() || kid.len() > crate::format::MAX_KID_LEN {
                return Err(Error::InvalidKey {
                    detail: "a key id must be 1 to 64 bytes".into(),
                });
            }
            Ok(IssuerKey { kid, key })
        }

        /// A fresh random key.
        pub fn generate(kid: Option<&str>) -> Result<IssuerKey> {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| Error::InvalidKey {
                detail: format!("no randomness available: {e}"),
            })?;
            IssuerKey::from_seed(kid, &seed)
        }

        /// The key id.
        pub fn kid(&self) -> &str {
            &self.kid
        }

        /// The secret seed (handle with care).
        pub fn seed(&self) -> [u8; 32] {
            self.key.to_bytes()
        }

        /// The public key.
        pub fn public_key(&self) -> [u8; 32] {
            self.key.verifying_key().to_bytes()
        }

        /// The public key as a JWK.
        pub fn public_jwk(&self) -> Jwk {
            public_jwk(&self.kid, &self.public_key())
        }

        /// Signs `SIGNING_DOMAIN | signed` (a snapshot).
        pub fn sign(&self, signed: &[u8]) -> [u8; SIGNATURE_LEN] {
            self.sign_domain(SIGNING_DOMAIN, signed)
        }

        /// Signs `domain | signed`.
        pub fn sign_domain(&self, domain: &[u8], signed: &[u8]) -> [u8; SIGNATURE_LEN] {
            let mut message = Vec::with_capacity(domain.len() + signed.len());
            message.extend_from_slice(domain);
            message.extend_from_slice(signed);
            self.key.sign(&message).to_bytes()
        }
    }
}
