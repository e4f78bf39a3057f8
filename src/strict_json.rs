//! JSON text read strictly: an object that names a key twice is refused.
//! `serde_json`, like most parsers, keeps the last of the two, so
//! `{"public": false, "public": true}` in a route table, or `"remove":
//! [...], "remove": []` in a staff record, would say one thing to a reviewer
//! and another to the issuer or the gate. Every policy, catalog, role,
//! record, route table and JWKS read from text goes through [`parse`].

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `text` as a JSON value, refusing an object with a repeated key.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Unique>(text).map(|u| u.0)
}

pub use crate::model::def::present;

/// A JSON value whose objects have unique keys.
struct Unique(Value);

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number that is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` is written twice in one object: JSON readers keep one of \
                     the two, so what was meant cannot be told"
                )));
            }
            let Unique(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_key_written_twice_is_refused_at_any_depth() {
        for bad in [
            r#"{"a": 1, "a": 1}"#,
            r#"[{"path": "/a", "public": false, "public": true}]"#,
            r#"{"x": {"remove": ["b"], "remove": []}}"#,
            r#"{"x": [[{"k": 1, "k": 2}]]}"#,
        ] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("written twice"), "{bad}: {e}");
        }
    }

    #[test]
    fn reads_what_serde_json_reads_otherwise() {
        for good in [
            r#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": 18446744073709551615}"#,
            "[]",
            r#""text""#,
            "0",
        ] {
            assert_eq!(
                parse(good).unwrap(),
                serde_json::from_str::<serde_json::Value>(good).unwrap()
            );
        }
        assert!(parse("{").is_err());
    }
}
