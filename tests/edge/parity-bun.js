// Bun: prints the parity results over the vectors as JSON (the edge build's
// Node entry, which Bun runs as Node would: it initialises itself).
import * as permsnap from "../../pkg/edge/node.js";
import { parity } from "./parity.js";
import * as issuer from "../../pkg/issuer/node.js";
import { issueParity } from "./issuer-parity.js";

const vectors = await Bun.file(new URL("../../vectors/vectors.json", import.meta.url)).json();
console.log(JSON.stringify({ ...(await parity(permsnap, vectors)), ...issueParity(issuer, vectors) }));
