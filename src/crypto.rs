//! Ed25519 keys: the verifier's keyring (importable from a JWKS) and, behind
//! the `issuer` feature, signing.

use crate::encoding as base64url;
use crate::error::{Error, Result};
use crate::signature;
use crate::wire::{SIGNATURE_LEN, SIGNING_DOMAIN};
use serde::{Deserialize, Serialize};

/// One JSON Web Key. Only OKP / Ed25519 signing keys (RFC 8037) are used;
/// members other than these are ignored, as RFC 7517 asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type; must be `OKP`.
    pub kty: String,
    /// Curve; must be `Ed25519`.
    #[serde(default)]
    pub crv: String,
    /// The public key, base64url.
    #[serde(default)]
    pub x: String,
    /// Key id, as the snapshot header names it.
    #[serde(default)]
    pub kid: String,
    /// Algorithm, if given, must be `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Intended use, if given, must be `sig`.
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    /// Operations the key is for (RFC 7517 `key_ops`), if given, must
    /// include `verify`: a key published for other operations only is not
    /// trusted for signatures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    /// The private members the key carries ([`PRIVATE_JWK_MEMBERS`]),
    /// whatever their value (`"d": null` too): a key set holding any is
    /// refused, whichever key type carries it (attack review, session 15).
    #[serde(flatten, skip_serializing, deserialize_with = "private_members")]
    pub private: Vec<String>,
}

/// The members of a JWK that hold secret material (RFC 7518): `d` (OKP,
/// EC, RSA), `k` (a symmetric key), `p`, `q`, `dp`, `dq`, `qi` and `oth`
/// (RSA).
pub const PRIVATE_JWK_MEMBERS: &[&str] = &["d", "k", "p", "q", "dp", "dq", "qi", "oth"];

/// The names of [`PRIVATE_JWK_MEMBERS`] among a JWK's other members.
fn private_members<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> core::result::Result<Vec<String>, D::Error> {
    let rest = std::collections::BTreeMap::<String, serde::de::IgnoredAny>::deserialize(d)?;
    Ok(rest
        .into_keys()
        .filter(|k| PRIVATE_JWK_MEMBERS.contains(&k.as_str()))
        .collect())
}

/// A JSON Web Key Set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

/// Public keys by key id, sorted by key id.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: Vec<(String, PublicKey)>,
    ignored: Vec<IgnoredKey>,
}

/// A checked Ed25519 public key: its bytes and, where the curve code is,
/// the decoded point.
#[derive(Debug, Clone)]
struct PublicKey {
    /// Read by the equation: nothing reads it in the build without the
    /// curve code (whose signatures JavaScript checks: `lean`).
    #[cfg_attr(not(feature = "ed25519"), allow(dead_code))]
    bytes: [u8; 32],
    /// The key's point, negated (what the verification equation adds),
    /// and its table once built; shared by keyrings holding the same bytes.
    #[cfg(feature = "ed25519")]
    table: std::sync::Arc<crate::keytable::KeyTable>,
}

/// A key of a JWKS that is not an Ed25519 signing key, left out of the
/// keyring (RFC 7517 §5: keys of a type one does not understand are
/// ignored), with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredKey {
    /// Its `kid` (or `keys[i]` when it has none).
    pub kid: String,
    /// Why it was left out.
    pub reason: String,
}

fn invalid(detail: String) -> Error {
    Error::InvalidKey { detail }
}

/// A checked Ed25519 public key: 32 bytes, canonical, not of small order,
/// and a point of the curve.
fn verifying_key(kid: &str, public_key: &[u8]) -> Result<PublicKey> {
    crate::wire::check_kid(kid)?;
    let bytes: [u8; 32] = public_key.try_into().map_err(|_| {
        invalid(format!(
            "key `{kid}`: an Ed25519 public key is 32 bytes, got {}",
            public_key.len()
        ))
    })?;
    #[cfg_attr(not(feature = "ed25519"), allow(clippy::let_unit_value))]
    let point = signature::key_point(&bytes)
        .map_err(|problem| invalid(format!("key `{kid}` {problem}")))?;
    #[cfg(not(feature = "ed25519"))]
    let () = point;
    Ok(PublicKey {
        bytes,
        #[cfg(feature = "ed25519")]
        table: crate::keytable::KeyTable::new(-point),
    })
}

impl Keyring {
    /// An empty keyring (refuses every snapshot with `unknown_key`).
    pub fn new() -> Self {
        Keyring::default()
    }

    /// Adds a raw 32-byte public key under `kid`. Refuses malformed and weak
    /// (small-order) keys and a key id already present.
    pub fn insert(&mut self, kid: &str, public_key: &[u8]) -> Result<()> {
        let key = verifying_key(kid, public_key)?;
        match self.keys.binary_search_by(|(k, _)| k.as_str().cmp(kid)) {
            Ok(_) => Err(invalid(format!("key id `{kid}` appears twice"))),
            Err(at) => {
                self.keys.insert(at, (kid.to_owned(), key));
                Ok(())
            }
        }
    }

    /// Builds a keyring from a JWKS, in time proportional to its size.
    ///
    /// Ed25519 signing keys (`kty: OKP`, `crv: Ed25519`, `use` absent or
    /// `sig`, `key_ops` absent or holding `verify`, `alg` absent, `EdDSA`
    /// or `Ed25519`) are taken; other keys (an
    /// app's RSA keys, X25519 or encryption keys) are ignored and listed in
    /// [`Keyring::ignored`]. The whole set is refused when any key carries a
    /// private part (`d`, `k` and the other members of [`PRIVATE_JWK_MEMBERS`], whatever their value), an Ed25519 key is malformed or weak, a key id is
    /// missing on an Ed25519 key, or a key id appears twice.
    pub fn from_jwks(jwks: &Jwks) -> Result<Keyring> {
        let mut ring = Keyring::new();
        let mut all_kids: Vec<&str> = Vec::with_capacity(jwks.keys.len());
        for (i, jwk) in jwks.keys.iter().enumerate() {
            let name = if jwk.kid.is_empty() {
                format!("keys[{i}]")
            } else {
                format!("`{}`", jwk.kid)
            };
            if let Some(member) = jwk.private.first() {
                return Err(invalid(format!(
                    "key {name} contains a private part (`{member}`): publish only public keys"
                )));
            }
            let skip = if jwk.kty != "OKP" {
                Some(format!("key type `{}` is not OKP", jwk.kty))
            } else if jwk.crv != "Ed25519" {
                Some(format!("curve `{}` is not Ed25519", jwk.crv))
            } else if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
                Some("its `use` is not `sig`".to_owned())
            } else if jwk
                .key_ops
                .as_ref()
                .is_some_and(|ops| !ops.iter().any(|o| o == "verify"))
            {
                Some("its `key_ops` do not include `verify`".to_owned())
            } else if jwk
                .alg
                .as_deref()
                .is_some_and(|a| a != "EdDSA" && a != "Ed25519")
            {
                Some("its `alg` is not `EdDSA`".to_owned())
            } else {
                None
            };
            if !jwk.kid.is_empty() {
                all_kids.push(&jwk.kid);
            }
            if let Some(reason) = skip {
                ring.ignored.push(IgnoredKey {
                    kid: name.trim_matches('`').to_owned(),
                    reason,
                });
                continue;
            }
            if jwk.kid.is_empty() {
                return Err(invalid(format!("Ed25519 key {name} has no `kid`")));
            }
            let x = base64url::decode(&jwk.x)
                .map_err(|e| invalid(format!("key {name}: `x` is not base64url ({e})")))?;
            ring.keys
                .push((jwk.kid.clone(), verifying_key(&jwk.kid, &x)?));
        }
        crate::sort::sort_by(&mut all_kids, |a, b| a < b);
        if let Some(w) = all_kids.windows(2).find(|w| w.first() == w.get(1)) {
            let kid = w.first().copied().unwrap_or_default();
            return Err(invalid(format!("key id `{kid}` appears twice")));
        }
        crate::sort::sort_by(&mut ring.keys, |a, b| a.0 < b.0);
        Ok(ring)
    }

    /// Lets the keys this ring shares with `old` (the same kid and bytes)
    /// keep what `old` learnt about them: their use counts and precomputed
    /// tables (`keytable`). Nothing else carries over: which signatures
    /// were verified belongs to the verifier, which forgets them when its
    /// keys change.
    pub(crate) fn keep_tables(&mut self, old: &Keyring) {
        #[cfg(feature = "ed25519")]
        for (kid, key) in &mut self.keys {
            if let Ok(before) = old.key(kid) {
                if before.bytes == key.bytes {
                    key.table = std::sync::Arc::clone(&before.table);
                }
            }
        }
        #[cfg(not(feature = "ed25519"))]
        let _ = old;
    }

    /// Keys of the JWKS that were left out because they are not Ed25519
    /// signing keys.
    pub fn ignored(&self) -> &[IgnoredKey] {
        &self.ignored
    }

    /// Parses a JWKS document (or a single JWK) from JSON.
    #[cfg(feature = "std-json")]
    pub fn from_jwks_json(json: &str) -> Result<Keyring> {
        let value: serde_json::Value =
            crate::strict_json::parse(json).map_err(|e| Error::InvalidKey {
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

    fn key(&self, kid: &str) -> Result<&PublicKey> {
        self.keys
            .binary_search_by(|(k, _)| k.as_str().cmp(kid))
            .ok()
            .and_then(|at| self.keys.get(at))
            .map(|(_, key)| key)
            .ok_or_else(|| Error::UnknownKey { kid: kid.into() })
    }

    /// Strictly verifies `signature` over `domain | signed` with key `kid`
    /// (`verify_strict` semantics): the key known (`unknown_key`
    /// otherwise), the signature's shape strict, then the equation
    /// (`bad_signature` otherwise). The build without the curve code (the
    /// small core's, whose JavaScript has the platform's WebCrypto check the
    /// equation: `lean`) verifies nothing here: `async_required`.
    pub fn verify_domain(
        &self,
        domain: &[u8],
        kid: &str,
        signed: &[u8],
        signature: &[u8; SIGNATURE_LEN],
    ) -> Result<()> {
        let key = self.key(kid)?;
        signature::check_shape(signature)?;
        check(key, domain, signed, signature)
    }
}

/// The equation, in wasm, over `domain | signed`.
#[cfg(feature = "ed25519")]
fn check(
    key: &PublicKey,
    domain: &[u8],
    signed: &[u8],
    signature: &[u8; SIGNATURE_LEN],
) -> Result<()> {
    let mut message = Vec::with_capacity(domain.len() + signed.len());
    message.extend_from_slice(domain);
    message.extend_from_slice(signed);
    if signature::verify(&key.table, &key.bytes, &message, signature) {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

/// No curve code in this build: no signature verifies in Rust.
#[cfg(not(feature = "ed25519"))]
fn check(_: &PublicKey, _: &[u8], _: &[u8], _: &[u8; SIGNATURE_LEN]) -> Result<()> {
    Err(Error::AsyncRequired)
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
        key_ops: None,
        private: Vec::new(),
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

    /// Whether `kid` holds 12 bytes or more of `seed` in a text encoding
    /// (hex, base64 or base64url at any alignment, base32): a key id copied
    /// from the private key, or built from it.
    fn holds_seed(kid: &str, seed: &[u8; 32]) -> bool {
        let kid = kid.to_ascii_lowercase();
        let windows = |encoded: &str, width: usize| -> bool {
            let encoded = encoded.to_ascii_lowercase();
            (0..encoded.len()).any(|at| {
                encoded
                    .get(at..at + width)
                    .is_some_and(|part| kid.contains(part))
            })
        };
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        if windows(&hex, 24) {
            return true;
        }
        // base64url, and standard base64 (`+`, `/`), at each byte alignment.
        for skip in 0..3 {
            let url = crate::encoding::encode(seed.get(skip..).unwrap_or_default());
            if windows(&url, 16) || windows(&url.replace('-', "+").replace('_', "/"), 16) {
                return true;
            }
        }
        // base32 (RFC 4648), at each byte alignment.
        const B32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        for skip in 0..5 {
            let mut out = String::new();
            let (mut acc, mut bits) = (0u32, 0u32);
            for b in seed.iter().skip(skip) {
                acc = (acc << 8) | u32::from(*b);
                bits += 8;
                while bits >= 5 {
                    bits -= 5;
                    let at = usize::try_from((acc >> bits) & 31).unwrap_or_default();
                    out.push(char::from(B32.get(at).copied().unwrap_or(b'a')));
                }
                acc &= (1 << bits) - 1;
            }
            if windows(&out, 20) {
                return true;
            }
        }
        false
    }

    impl IssuerKey {
        /// A key from its 32-byte secret seed.
        pub fn from_seed(kid: Option<&str>, seed: &[u8; 32]) -> Result<IssuerKey> {
            let key = SigningKey::from_bytes(seed);
            let kid = match kid {
                Some(k) => k.to_owned(),
                None => derive_kid(&key.verifying_key().to_bytes()),
            };
            crate::wire::check_kid(&kid)?;
            // Every snapshot carries its key id, in the clear: a key id
            // holding the seed (a JWK's `kid` copied from its `d`) would
            // publish the key (attack review, session 16).
            if holds_seed(&kid, seed) {
                return Err(Error::InvalidKey {
                    detail: "the key id holds the private key (`kid` copied from `d`?)".into(),
                });
            }
            Ok(IssuerKey { kid, key })
        }

        /// A fresh random key.
        pub fn generate(kid: Option<&str>) -> Result<IssuerKey> {
            // A new key's id is compared byte for byte by every verifier:
            // no padding or invisible characters (`" k1"`).
            if let Some(problem) = kid.and_then(crate::issuer::names::id_problem) {
                return Err(Error::InvalidKey {
                    detail: format!("the key id {problem}"),
                });
            }
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| Error::InvalidKey {
                detail: format!("no randomness available: {e}"),
            })?;
            IssuerKey::from_seed(kid, &seed)
        }

        /// A key from the private JWK `permsnap keygen` writes
        /// (`{"kty":"OKP","crv":"Ed25519","kid":..,"x":..,"d":..}`). `x`, when
        /// present, must match `d`; members other than the registered JWK
        /// ones (`kty crv kid x d alg use key_ops`) are refused.
        pub fn from_jwk_json(json: &str) -> Result<IssuerKey> {
            let bad = |detail: String| Error::InvalidKey { detail };
            // What the parser says of a value quotes it, and the value may be
            // the whole key (a JWK encoded twice, as a secrets store may
            // hold it: attack review, session 16): only what it is, and
            // where the text stops reading, are said.
            let value = crate::strict_json::parse(json).map_err(|e| {
                bad(format!(
                    "not JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            })?;
            let serde_json::Value::Object(v) = value else {
                let what = match value {
                    serde_json::Value::String(_) => "a JSON string (the JWK encoded twice?)",
                    serde_json::Value::Array(_) => "an array",
                    _ => "not an object",
                };
                return Err(bad(format!("not a JWK object: {what}")));
            };
            const KNOWN: &[&str] = &["kty", "crv", "kid", "x", "d", "alg", "use", "key_ops"];
            if let Some(k) = v.keys().find(|k| !KNOWN.contains(&k.as_str())) {
                return Err(bad(format!("unknown JWK member `{k}`")));
            }
            // A member of another type is refused, not read as absent: an
            // `x` of `123` skipped the check that it matches `d`, a `kid` of
            // `7` was replaced by a derived one (attack review, session 15).
            let text = |k: &str| match v.get(k) {
                None => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(bad(format!("`{k}` of the JWK must be a string"))),
            };
            if text("kty")? != Some("OKP") || text("crv")? != Some("Ed25519") {
                return Err(bad(
                    "an issuer key is an Ed25519 JWK (`kty` OKP, `crv` Ed25519)".into(),
                ));
            }
            if text("alg")?.is_some_and(|a| a != "EdDSA" && a != "Ed25519") {
                return Err(bad("`alg` must be EdDSA".into()));
            }
            if text("use")?.is_some_and(|u| u != "sig") {
                return Err(bad("`use` must be `sig`: an issuer key signs".into()));
            }
            if let Some(ops) = v.get("key_ops") {
                let ops = ops
                    .as_array()
                    .filter(|ops| ops.iter().all(serde_json::Value::is_string))
                    .ok_or_else(
                        || bad("`key_ops` of the JWK must be an array of strings".into()),
                    )?;
                if !ops.iter().any(|o| o == "sign") {
                    return Err(bad(
                        "`key_ops` must include `sign`: an issuer key signs".into()
                    ));
                }
            }
            let kid = text("kid")?;
            // Compared byte for byte by every verifier, as for a new key.
            if let Some(problem) = kid.and_then(crate::issuer::names::id_problem) {
                return Err(bad(format!("the key id {problem}")));
            }
            let d = text("d")?.ok_or_else(|| bad("the JWK has no private part `d`".into()))?;
            // Nothing of the secret in the error (the decoder names the
            // character it stopped at, and where: attack review, session 16).
            let seed: [u8; 32] = crate::encoding::decode(d)
                .ok()
                .and_then(|d| d.try_into().ok())
                .ok_or_else(|| bad("`d` must be 32 bytes in unpadded base64url".into()))?;
            let key = IssuerKey::from_seed(kid, &seed)?;
            if let Some(x) = text("x")? {
                if crate::encoding::decode(x)? != key.public_key() {
                    return Err(bad("`x` does not match the private key".into()));
                }
            }
            Ok(key)
        }

        /// The private JWK (handle with care: it holds the secret seed).
        pub fn private_jwk_json(&self) -> String {
            serde_json::json!({
                "kty": "OKP", "crv": "Ed25519", "kid": self.kid, "alg": "EdDSA",
                "x": crate::encoding::encode(&self.public_key()),
                "d": crate::encoding::encode(&self.seed()),
            })
            .to_string()
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

#[cfg(all(test, feature = "ed25519"))]
mod tests {
    use super::*;
    use crate::keytable::BUILD_AFTER;
    use ed25519_dalek::{Signer, SigningKey};

    fn ring(kid: &str, key: &SigningKey) -> Keyring {
        let mut ring = Keyring::new();
        ring.insert(kid, key.verifying_key().as_bytes()).unwrap();
        ring
    }

    fn signed(key: &SigningKey, body: &[u8]) -> [u8; SIGNATURE_LEN] {
        let message = [SIGNING_DOMAIN, body].concat();
        key.sign(&message).to_bytes()
    }

    fn built(ring: &Keyring, kid: &str) -> bool {
        ring.key(kid).unwrap().table.is_built()
    }

    #[test]
    fn a_key_gets_its_table_after_enough_verifies_and_answers_alike() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let ring = ring("k", &key);
        // The first BUILD_AFTER - 1 verifies go through the chain, the
        // BUILD_AFTERth builds the table; then wrong signatures still fail.
        for i in 0..BUILD_AFTER + 3 {
            let body = i.to_le_bytes();
            let sig = signed(&key, &body);
            assert_eq!(built(&ring, "k"), i >= BUILD_AFTER, "verify {i}");
            assert_eq!(ring.verify("k", &body, &sig), Ok(()));
        }
        for i in 0..4u32 {
            let body = i.to_le_bytes();
            let sig = signed(&key, &body);
            let mut bad = sig;
            bad[40] ^= 1;
            assert_eq!(ring.verify("k", &body, &bad), Err(Error::BadSignature));
            assert_eq!(
                ring.verify("k", &(i + 1).to_le_bytes(), &sig),
                Err(Error::BadSignature)
            );
        }
        assert!(built(&ring, "k"));
    }

    #[test]
    fn tables_follow_the_same_key_bytes_only() {
        let (key, other) = (
            SigningKey::from_bytes(&[7; 32]),
            SigningKey::from_bytes(&[8; 32]),
        );
        let old = ring("k", &key);
        old.key("k").unwrap().table.table();
        // The same kid and bytes: the table carries over.
        let mut same = ring("k", &key);
        same.keep_tables(&old);
        assert!(built(&same, "k"));
        // The same bytes under another kid, or other bytes under the same
        // kid: nothing carries over, and the old key's signatures fail.
        let mut renamed = ring("k2", &key);
        renamed.keep_tables(&old);
        assert!(!built(&renamed, "k2"));
        let mut rotated = ring("k", &other);
        rotated.keep_tables(&old);
        assert!(!built(&rotated, "k"));
        let sig = signed(&key, b"body");
        assert_eq!(same.verify("k", b"body", &sig), Ok(()));
        assert_eq!(rotated.verify("k", b"body", &sig), Err(Error::BadSignature));
    }
}
