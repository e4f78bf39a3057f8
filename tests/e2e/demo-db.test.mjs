// The demo's database: a snapshot's roles, features and record are read as
// one moment of it (scripts/serve.mjs reads them in `consistently`), so a
// role edit another writer commits between the reads cannot sign the old
// role under the new version (attack review, session 18).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openDemoDb } from "../../demo/db.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("a role edit committed between the roles and the record is seen by neither, or both", () => {
  const dir = mkdtempSync(join(tmpdir(), "permsnap-demo-db-"));
  try {
    const db = openDemoDb(join(dir, "demo.sqlite"), join(root, "presets"));
    const other = new Database(join(dir, "demo.sqlite")); // another writer
    const tenant = "spa-lumi";
    const marketing = () => db.roles(tenant).find((r) => r.id === "marketing");
    const edit = (permissions) => {
      const role = { ...marketing(), permissions };
      other.prepare("UPDATE roles SET definition = ? WHERE tenant = ? AND id = ?").run(JSON.stringify(role), tenant, "marketing");
    };
    const start = db.record(tenant, "dia").version;
    const granted = [...marketing().permissions, "payments.view"];
    // Read apart (as the demo did): the edit lands between the two reads;
    // the role read is the old one, the version the new one.
    const roles = marketing();
    edit(granted);
    assert.ok(!roles.permissions.includes("payments.view"));
    assert.ok(db.record(tenant, "dia").version > start, "the edit moves dia's version (trigger)");
    // In one read transaction: both as of before the edit, or both after.
    const version = db.record(tenant, "dia").version;
    const [role, record] = db.consistently(() => {
      const r = marketing();
      edit(granted.filter((p) => p !== "payments.view"));
      return [r, db.record(tenant, "dia")];
    });
    assert.ok(role.permissions.includes("payments.view"));
    assert.equal(record.version, version, "the record as of the roles read");
    assert.ok(db.record(tenant, "dia").version > version, "the edit landed after");
    other.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
