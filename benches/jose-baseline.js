// The baseline the first load is measured against, in the same run: jose
// verifying an EdDSA (Ed25519) JWT that carries the same person's
// permissions (what teams do without permsnap), signed with the vectors' key.
// The public key is imported once, as an app does at start-up; each verify
// then reads the claims into a Set (as peer-bench's jose peer does).
// Shared by benches/js-bench.mjs (Node) and benches/bench.html (Chromium).

const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromHex = (hex) => Uint8Array.from(hex.match(/../g), (h) => parseInt(h, 16));

export async function joseBaseline(jose, vectors) {
  const dia = vectors.cases.find((c) => c.name === "sitee/dia");
  const pub = vectors.key.jwks.keys[0];
  const privateKey = await jose.importJWK({ kty: "OKP", crv: "Ed25519", x: pub.x, d: b64(fromHex(vectors.key.seed_hex)) }, "EdDSA");
  const jwt = await new jose.SignJWT({ tenant: dia.expect.tenant, perms: dia.expect.allowed, hidden: dia.expect.hidden_fields })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: pub.kid })
    .setSubject(dia.expect.subject)
    .setIssuedAt(dia.now - 60)
    .setExpirationTime(dia.expect.expires_at)
    .sign(privateKey);
  const publicKey = await jose.importJWK({ kty: "OKP", crv: "Ed25519", x: pub.x }, "EdDSA");
  const options = { algorithms: ["EdDSA"], currentDate: new Date(dia.now * 1000) };
  return {
    jwt,
    async verify() {
      const { payload } = await jose.jwtVerify(jwt, publicKey, options);
      return new Set(payload.perms);
    },
  };
}
