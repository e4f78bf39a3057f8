// The browser entry: snapshot and catalog texts to bytes, as the Rust core
// reads them (src/encoding.rs, src/wire/mod.rs `to_binary_framed`):
// unpadded base64url, strictly (no padding, no other character, no length
// of 1 mod 4, zero trailing bits), around it only what Rust's `trim`
// removes.

import { refusal } from "./wasm.js";
import { MAX_INPUT, tooLarge } from "../internal.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const SIXES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) SIXES[ALPHABET.charCodeAt(i)] = i;

/** The bytes of unpadded base64url `text`, or null. */
export function base64url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array((text.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? SIXES[c] : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return (acc & ((1 << bits) - 1)) === 0 ? out : null;
}

/** Whether UTF-16 unit `c` is what Rust's `str::trim` removes (Unicode
 *  White_Space; not U+FEFF, which JavaScript's `trim` also removes). */
const space = (c: number): boolean =>
  (c >= 9 && c <= 13) || c === 32 || c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
  || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;

/** `s` without what Rust's `str::trim` removes (a scan from each end: a
 *  regular expression would backtrack over long runs of spaces). */
export function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && space(s.charCodeAt(a))) a++;
  while (b > a && space(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

const utf8 = new TextEncoder();
/** UTF-8 strictly (a leading U+FEFF kept: it is part of a name). */
export const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Each byte's two hex digits. */
const DIGITS = Array.from({ length: 256 }, (_, x) => x.toString(16).padStart(2, "0"));

/** `b` as hex digits (a snapshot's id on every load: a table, where
 *  `Array.from` with a callback was a tenth of a cached reload). */
export function hex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += DIGITS[b[i]];
  return s;
}

/** `bytes`, a binary document, when it is at most `max` bytes. */
function bounded(bytes: Uint8Array, max: number): Uint8Array {
  if (bytes.length > max) throw refusal("too_large");
  return bytes;
}

/** A document's binary form from `input`: bytes starting with its
 *  `magic` as they are, else its text (UTF-8 bytes or a string) decoded,
 *  at most `max` bytes once decoded. */
export function binary(input: string | Uint8Array, magic: string, max: number): Uint8Array {
  let text: string;
  if (typeof input === "string") {
    if (input.length > MAX_INPUT) throw tooLarge(input.length);
    if (input.startsWith(magic)) return bounded(utf8.encode(input), max);
    text = input;
  } else {
    if (input.length > MAX_INPUT) throw tooLarge(input.length);
    if (magic.split("").every((c, i) => input[i] === c.charCodeAt(0))) return bounded(input.slice(), max);
    try {
      text = strictUtf8.decode(input);
    } catch {
      throw refusal("bad_encoding", "neither binary nor UTF-8 text");
    }
  }
  text = trim(text);
  // Rust measures the trimmed text in UTF-8 bytes (never fewer than its
  // UTF-16 units).
  const limit = Math.ceil((max * 4) / 3);
  if (text.length > limit || utf8.encode(text).length > limit) throw refusal("too_large");
  const bytes = base64url(text);
  if (bytes === null) throw refusal("bad_encoding");
  return bytes;
}
