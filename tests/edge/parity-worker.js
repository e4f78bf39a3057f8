// workerd: answers every request with the parity results over the vectors.
import * as permsnap from "permsnap/edge/workerd";
import { parity } from "./parity.js";

export default {
  fetch(request, env) {
    return Response.json(parity(permsnap, env.VECTORS));
  },
};
