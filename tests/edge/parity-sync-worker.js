// workerd: `permsnap` as workerd resolves it (the `workerd` condition:
// permsnap/sync, the small core with `curve`) over the vectors, and whether
// the runtime has FinalizationRegistry and WeakRef (a compatibility date
// before 2025-05-05 has neither: the entry must import and answer all the
// same).
import * as permsnap from "permsnap/sync/workerd";
import { parity } from "./parity.js";

export default {
  async fetch(request, env) {
    const weakRefs = typeof FinalizationRegistry === "function" && typeof WeakRef === "function";
    return Response.json({ weakRefs, ...(await parity(permsnap, env.VECTORS)) });
  },
};
