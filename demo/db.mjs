// The demo's database: one SQLite file (better-sqlite3) holding, per
// business account, its roles, its staff records and its data, as a real
// back office keeps them. Seeded once from presets/ and demo/seed-data.mjs;
// the Staff configuration page edits it. Every edit that changes someone's
// access bumps their `version` (triggers do, whoever writes): the issuer
// signs it into new snapshots and a revocation notice by person retires
// the older ones.

import Database from "better-sqlite3";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { seedData } from "./seed-data.mjs";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  tenant   TEXT PRIMARY KEY,
  product  TEXT NOT NULL UNIQUE,
  name     TEXT NOT NULL,
  city     TEXT NOT NULL,
  features TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS roles (
  tenant     TEXT NOT NULL REFERENCES accounts(tenant),
  id         TEXT NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
);
CREATE TABLE IF NOT EXISTS staff (
  tenant  TEXT NOT NULL REFERENCES accounts(tenant),
  id      TEXT NOT NULL,
  name    TEXT NOT NULL,
  access  TEXT NOT NULL,           -- roles, grant, remove, scopes… (JSON)
  version INTEGER NOT NULL DEFAULT 1,
  pin_hash TEXT,                   -- never selected for the issuer
  PRIMARY KEY (tenant, id)
);
CREATE TABLE IF NOT EXISTS records (
  tenant TEXT NOT NULL REFERENCES accounts(tenant),
  kind   TEXT NOT NULL,
  id     TEXT NOT NULL,
  data   TEXT NOT NULL,
  PRIMARY KEY (tenant, kind, id)
);
CREATE TABLE IF NOT EXISTS notices (
  seq    INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant TEXT NOT NULL,
  text   TEXT NOT NULL,
  at     INTEGER NOT NULL            -- seconds since the Unix epoch
);
-- Whoever writes (the Staff page, a script, another server), a change of
-- what someone may do moves their version forward, never back: a role
-- written, replaced or deleted moves its holders' (a role's id column is
-- its definition's id), the account's features everyone's, any write of a
-- person's row (replaced, deleted and inserted again, its version set
-- back) theirs, past the highest it ever had (staff_high); a version is a
-- whole number. The server revokes what is older. Who holds a role is read
-- the same by SQL and JavaScript: a row whose roles they read differently
-- (a key written twice) is nobody's (see person()).
CREATE TABLE IF NOT EXISTS staff_high (
  tenant  TEXT NOT NULL,
  id      TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (tenant, id)
);
`;

/** The triggers, made anew at each open (a body changed by a newer demo
 *  takes effect on an existing database): `dropTriggers` first. */
const TRIGGERS = `
CREATE TRIGGER role_id_inserted BEFORE INSERT ON roles
  WHEN NOT json_valid(NEW.definition) OR json_extract(NEW.definition, '$.id') IS NOT NEW.id
    OR (SELECT count(*) FROM json_each(NEW.definition) WHERE key = 'id') != 1 BEGIN
  SELECT RAISE(ABORT, 'roles.id and the definition''s one id differ');
END;
CREATE TRIGGER role_id_updated BEFORE UPDATE ON roles
  WHEN NOT json_valid(NEW.definition) OR json_extract(NEW.definition, '$.id') IS NOT NEW.id
    OR (SELECT count(*) FROM json_each(NEW.definition) WHERE key = 'id') != 1 BEGIN
  SELECT RAISE(ABORT, 'roles.id and the definition''s one id differ');
END;
CREATE TRIGGER staff_access_inserted BEFORE INSERT ON staff WHEN NOT json_valid(NEW.access) BEGIN
  SELECT RAISE(ABORT, 'staff.access is JSON');
END;
CREATE TRIGGER staff_access_updated BEFORE UPDATE ON staff WHEN NOT json_valid(NEW.access) BEGIN
  SELECT RAISE(ABORT, 'staff.access is JSON');
END;
CREATE TRIGGER role_written AFTER INSERT ON roles BEGIN
  UPDATE staff SET version = version + 1 WHERE tenant = NEW.tenant
    AND json_valid(staff.access) AND EXISTS (SELECT 1 FROM json_each(staff.access, '$.roles') WHERE value = NEW.id);
END;
CREATE TRIGGER role_edited AFTER UPDATE ON roles BEGIN
  UPDATE staff SET version = version + 1 WHERE tenant IN (OLD.tenant, NEW.tenant)
    AND json_valid(staff.access) AND EXISTS (SELECT 1 FROM json_each(staff.access, '$.roles') WHERE value IN (OLD.id, NEW.id));
END;
CREATE TRIGGER role_deleted AFTER DELETE ON roles BEGIN
  UPDATE staff SET version = version + 1 WHERE tenant = OLD.tenant
    AND json_valid(staff.access) AND EXISTS (SELECT 1 FROM json_each(staff.access, '$.roles') WHERE value = OLD.id);
END;
CREATE TRIGGER staff_version_inserted BEFORE INSERT ON staff
  WHEN typeof(NEW.version) != 'integer' OR NEW.version < 1 OR NEW.version > 9007199254740990 BEGIN
  SELECT RAISE(ABORT, 'staff.version is a whole number from 1 to 2^53 - 2 (a notice before 2^53 - 1 revokes the last)');
END;
CREATE TRIGGER staff_version_updated BEFORE UPDATE ON staff
  WHEN typeof(NEW.version) != 'integer' OR NEW.version < 1 OR NEW.version > 9007199254740990 BEGIN
  SELECT RAISE(ABORT, 'staff.version is a whole number from 1 to 2^53 - 2 (a notice before 2^53 - 1 revokes the last)');
END;
CREATE TRIGGER features_edited AFTER UPDATE ON accounts BEGIN
  UPDATE staff SET version = version + 1 WHERE tenant IN (OLD.tenant, NEW.tenant);
END;
CREATE TRIGGER staff_inserted AFTER INSERT ON staff BEGIN
  UPDATE staff SET version = (SELECT version FROM staff_high WHERE tenant = NEW.tenant AND id = NEW.id) + 1
    WHERE tenant = NEW.tenant AND id = NEW.id
      AND NEW.version <= coalesce((SELECT version FROM staff_high WHERE tenant = NEW.tenant AND id = NEW.id), 0);
  INSERT INTO staff_high (tenant, id, version)
    VALUES (NEW.tenant, NEW.id, (SELECT version FROM staff WHERE tenant = NEW.tenant AND id = NEW.id))
    ON CONFLICT (tenant, id) DO UPDATE SET version = max(version, excluded.version);
END;
CREATE TRIGGER staff_written AFTER UPDATE ON staff
  WHEN NEW.version <= OLD.version OR NEW.tenant IS NOT OLD.tenant OR NEW.id IS NOT OLD.id BEGIN
  UPDATE staff SET version = max(OLD.version, NEW.version,
      coalesce((SELECT version FROM staff_high WHERE tenant = NEW.tenant AND id = NEW.id), 0)) + 1
    WHERE tenant = NEW.tenant AND id = NEW.id;
END;
CREATE TRIGGER staff_high_seen AFTER UPDATE OF version ON staff BEGIN
  INSERT INTO staff_high (tenant, id, version) VALUES (NEW.tenant, NEW.id, NEW.version)
    ON CONFLICT (tenant, id) DO UPDATE SET version = max(version, excluded.version);
END;
CREATE TRIGGER staff_deleted AFTER DELETE ON staff BEGIN
  INSERT INTO staff_high (tenant, id, version) VALUES (OLD.tenant, OLD.id, OLD.version)
    ON CONFLICT (tenant, id) DO UPDATE SET version = max(version, excluded.version);
END;
`;

/** Drops every trigger `triggers` creates, and those an earlier demo made
 *  that it no longer does. */
function dropTriggers(triggers) {
  const names = [...triggers.matchAll(/CREATE TRIGGER (\w+)/g)].map((m) => m[1]).concat(["access_edited"]);
  return names.map((n) => `DROP TRIGGER IF EXISTS ${n};`).join("\n");
}

/** The per-person access keys a staff record may hold (what the Staff page
 *  edits and the issuer reads); `id`, `name` and `version` are columns. */
const ACCESS_KEYS = ["roles", "owner", "principal", "active", "grant", "remove", "scopes", "hidden_fields", "apps", "shared_account", "step_up", "permission_scopes"];

/** Monday 00:00 of the current week (local time). */
function thisMonday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return d;
}

/** Opens (creating and seeding when empty) the demo database at `path`
 *  (`:memory:` for a throwaway one). */
export function openDemoDb(path, presetsDir) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // A REPLACE's implicit delete fires the delete triggers too.
  db.pragma("recursive_triggers = ON");
  db.exec(SCHEMA);
  db.exec(dropTriggers(TRIGGERS));
  db.exec(TRIGGERS);
  if (db.prepare("SELECT count(*) AS n FROM accounts").get().n === 0) seed(db, presetsDir);
  return new DemoDb(db);
}

function seed(db, presetsDir) {
  const weekStart = thisMonday();
  const insert = {
    account: db.prepare("INSERT INTO accounts (tenant, product, name, city, features) VALUES (?, ?, ?, ?, ?)"),
    role: db.prepare("INSERT INTO roles (tenant, id, definition) VALUES (?, ?, ?)"),
    staff: db.prepare("INSERT INTO staff (tenant, id, name, access, version) VALUES (?, ?, ?, ?, ?)"),
    record: db.prepare("INSERT INTO records (tenant, kind, id, data) VALUES (?, ?, ?, ?)"),
  };
  db.transaction(() => {
    // The products in the order the page lists them, the others after.
    const order = ["sitee", "ecwid", "shopify-partner", "amilia", "lightspeed"];
    const rank = (f) => (order.includes(f.slice(0, -5)) ? order.indexOf(f.slice(0, -5)) : order.length);
    for (const file of readdirSync(presetsDir).filter((f) => f.endsWith(".json")).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
      const product = file.slice(0, -5);
      const policy = JSON.parse(readFileSync(join(presetsDir, file), "utf8"));
      const { business, records } = seedData(product, policy, { weekStart });
      insert.account.run(policy.tenant, product, business.name, business.city, JSON.stringify(policy.features ?? []));
      for (const role of policy.roles ?? []) insert.role.run(policy.tenant, role.id, JSON.stringify(role));
      for (const { id, name, version, ...access } of policy.staff) {
        insert.staff.run(policy.tenant, id, name ?? id, JSON.stringify(access), version ?? 1);
      }
      for (const [kind, rows] of Object.entries(records)) {
        const idField = policy.catalog.kinds.find((k) => k.name === kind)?.id_field ?? "id";
        for (const r of rows) insert.record.run(policy.tenant, kind, String(r[idField]), JSON.stringify(r));
      }
    }
  })();
}

export class DemoDb {
  #db;
  #q;

  constructor(db) {
    this.#db = db;
    this.#q = {
      accounts: db.prepare("SELECT tenant, product, name, city, features FROM accounts ORDER BY rowid"),
      account: db.prepare("SELECT tenant, product, name, city, features FROM accounts WHERE product = ?"),
      roles: db.prepare("SELECT id, definition FROM roles WHERE tenant = ? ORDER BY rowid"),
      role: db.prepare("SELECT definition FROM roles WHERE tenant = ? AND id = ?"),
      setRole: db.prepare("UPDATE roles SET definition = ? WHERE tenant = ? AND id = ?"),
      staff: db.prepare("SELECT id, name, access, version, json_extract(access, '$.roles') AS sql_roles FROM staff WHERE tenant = ? ORDER BY rowid"),
      versions: db.prepare("SELECT id, version FROM staff WHERE tenant = ?"),
      deleted: db.prepare("SELECT h.id, h.version FROM staff_high h WHERE h.tenant = ? AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.tenant = h.tenant AND s.id = h.id)"),
      // The issuer's row: never `pin_hash` (the issuer refuses secret-looking columns anyway).
      person: db.prepare("SELECT id, name, access, version, json_extract(access, '$.roles') AS sql_roles FROM staff WHERE tenant = ? AND id = ?"),
      setAccess: db.prepare("UPDATE staff SET access = ?, version = version + 1 WHERE tenant = ? AND id = ? RETURNING version"),
      records: db.prepare("SELECT data FROM records WHERE tenant = ? AND kind = ? ORDER BY rowid"),
      addNotice: db.prepare("INSERT INTO notices (tenant, text, at) VALUES (?, ?, unixepoch())"),
      notices: db.prepare("SELECT text FROM notices WHERE tenant = ? AND at > unixepoch() - 172800 ORDER BY seq"),
    };
  }

  accounts() {
    return this.#q.accounts.all().map(account);
  }

  /** The account of a product (`sitee`…), or null. */
  account(product) {
    const a = this.#q.account.get(product);
    return a ? account(a) : null;
  }

  /** The account's roles; a row whose definition names another id than
   *  its id column (written around the triggers) is left out: its holders
   *  get no snapshot (`unknown_role`). */
  roles(tenant) {
    return this.#q.roles.all(tenant).flatMap((r) => {
      try {
        const role = JSON.parse(r.definition);
        return role !== null && typeof role === "object" && role.id === r.id ? [role] : [];
      } catch {
        return [];
      }
    });
  }

  /** People deleted (their last version), from staff_high. */
  deleted(tenant) {
    return new Map(this.#q.deleted.all(tenant).map((r) => [r.id, r.version]));
  }

  /** Each person's version, by id (what the server watches). */
  versions(tenant) {
    return new Map(this.#q.versions.all(tenant).map((r) => [r.id, r.version]));
  }

  /** Runs `f` in one read transaction: what it reads is one moment of the
   *  database, whatever other writers commit meanwhile. (The roles read
   *  apart from the person's record let a role edit committed between the
   *  two reads sign the old role under the new version, which no notice
   *  revokes: attack review, session 18.) */
  consistently(f) {
    return this.#db.transaction(f).deferred();
  }

  /** Runs `f` in one write transaction, taken before anything is read:
   *  no other writer comes between a check and the write it allows. */
  atomically(f) {
    return this.#db.transaction(f).immediate();
  }

  /** Every staff member with their access (for the Staff page). */
  staff(tenant) {
    return this.#q.staff.all(tenant).map(person).filter((s) => s !== null);
  }

  /** One person's staff record as the issuer reads it, or null. */
  record(tenant, id) {
    const row = this.#q.person.get(tenant, id);
    return row ? person(row) : null;
  }

  /** Replaces a person's access (only the keys a record has); returns their
   *  new version. */
  setAccess(tenant, id, access) {
    const clean = Object.fromEntries(Object.entries(access).filter(([k]) => ACCESS_KEYS.includes(k)));
    const unknown = Object.keys(access).filter((k) => !ACCESS_KEYS.includes(k));
    if (unknown.length > 0) throw Object.assign(new Error(`unknown staff field ${unknown.join(", ")}`), { status: 400 });
    const row = this.#q.setAccess.get(JSON.stringify(clean), tenant, id);
    if (!row) throw Object.assign(new Error(`no staff member ${id}`), { status: 404 });
    return row.version;
  }

  /** Replaces a role's permissions (its holders' versions move: the
   *  `role_edited` trigger). */
  setRolePermissions(tenant, roleId, permissions) {
    const row = this.#q.role.get(tenant, roleId);
    if (!row) throw Object.assign(new Error(`no role ${roleId}`), { status: 404 });
    this.#q.setRole.run(JSON.stringify({ ...JSON.parse(row.definition), permissions }), tenant, roleId);
  }

  records(tenant, kind) {
    return this.#q.records.all(tenant, kind).map((r) => JSON.parse(r.data));
  }

  addNotice(tenant, text) {
    this.#q.addNotice.run(tenant, text);
  }

  /** The account's notices of the last two days (a snapshot lifetime and
   *  the replica lag allowed). */
  notices(tenant) {
    return this.#q.notices.all(tenant).map((r) => r.text);
  }

  close() {
    this.#db.close();
  }
}

const account = (a) => ({ ...a, features: JSON.parse(a.features) });
/** A staff row as the issuer reads it; `null` when SQL (the triggers)
 *  and JavaScript would read its roles differently (a `roles` key written
 *  twice: SQL takes the first, `JSON.parse` the last), so that no edit of
 *  a role can miss its holder. */
const person = (row) => {
  let access;
  let sqlRoles;
  try {
    access = JSON.parse(row.access);
    // Compared as values: `\u00e9` and `é` are one role.
    sqlRoles = row.sql_roles === null ? null : JSON.stringify(JSON.parse(row.sql_roles));
  } catch {
    return null; // not JSON (written around the triggers): nobody
  }
  if (typeof access !== "object" || access === null || Array.isArray(access)) return null;
  const roles = access.roles === undefined ? null : JSON.stringify(access.roles);
  if (roles !== sqlRoles) return null;
  return { id: row.id, name: row.name, version: row.version, ...access };
};
