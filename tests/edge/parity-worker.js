// workerd: answers every request with the parity results over the vectors.
import * as permsnap from "permsnap/edge/workerd";
import { parity } from "./parity.js";
import * as issuer from "permsnap/issuer/workerd";
import { issueParity } from "./issuer-parity.js";

export default {
  async fetch(request, env) {
    return Response.json({ ...(await parity(permsnap, env.VECTORS)), ...issueParity(issuer, env.VECTORS) });
  },
};
