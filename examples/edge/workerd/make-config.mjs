// Writes a workerd config for the example worker from config.capnp.in.
//   node examples/edge/workerd/make-config.mjs OUT.capnp key=value...
// Keys: CATALOG, ROUTES (JSON files), TENANT, JWKS_URL (required); ADDRESS,
// REVOCATIONS_URL, MAX_FEED_AGE, MAX_AGE, MIN_INTERVAL. Paths may be relative to the
// current directory; they are made relative to the config file.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The modules of permsnap/edge, as workerd config lines, embedded from
 *  `pkg` (a path relative to the config file). workerd has no package
 *  resolution: the entry is named as the package exports it
 *  ("permsnap/edge/workerd", what a worker imports, with wrangler too), the
 *  modules it imports by their paths relative to it. */
export function permsnapModules(pkg) {
  // Every module of the edge build, as this checkout's package ships them.
  const built = fileURLToPath(new URL("../../../pkg/edge/", import.meta.url));
  const js = readdirSync(built).filter((f) => f.endsWith(".js"));
  const name = (f) => (f === "workerd.js" ? "permsnap/edge/workerd" : `permsnap/edge/${f}`);
  return [
    ...js.map((f) => `    (name = "${name(f)}", esModule = embed "${pkg}/edge/${f}"),`),
    `    (name = "permsnap/edge/permsnap_wasm_bg.wasm", wasm = embed "${pkg}/edge/permsnap_wasm_bg.wasm"),`,
  ].join("\n");
}

export function makeConfig(out, values) {
  const here = dirname(fileURLToPath(import.meta.url));
  const rel = (p) => relative(dirname(resolve(out)), resolve(p)) || ".";
  const all = {
    // TENANT and JWKS_URL have no default: a config without them is refused.
    ADDRESS: "127.0.0.1:8787", MAX_AGE: "300", MIN_INTERVAL: "30", REVOCATIONS_URL: "", MAX_FEED_AGE: "",
    ...values,
    EXAMPLE: rel(resolve(here, "..")),
    PKG: rel(resolve(here, "../../../pkg")),
  };
  for (const k of ["CATALOG", "ROUTES"]) all[k] = rel(all[k]);
  let text = readFileSync(resolve(here, "config.capnp.in"), "utf8");
  text = text.replace("@PERMSNAP_MODULES@\n", `${permsnapModules(all.PKG)}\n`);
  text = text.replace(/@([A-Z_]+)@/g, (_, k) => {
    if (all[k] === undefined || all[k] === null) throw new Error(`no value for ${k}`);
    return String(all[k]).replace(/["\\]/g, "");
  });
  writeFileSync(out, text);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, ...pairs] = process.argv.slice(2);
  makeConfig(out, Object.fromEntries(pairs.map((p) => p.split(/=(.*)/s).slice(0, 2))));
}
