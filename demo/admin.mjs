// The Staff configuration API's rules, as a back office must enforce them
// (attack reviews, session 15): an admin edits only what the Staff page
// edits; the owner's and principal admin's records, and the owner's role,
// are the owner's; and no edit of a person or of a role may leave anyone
// with more than the editor holds: a permission, a wider scope on a kind or
// under a permission, a field the editor cannot see, an application. What
// someone holds is what the issuer would sign for them, read back through
// the verifier: the comparison is of decisions, not of names.

/** What the Staff page edits of a person: nothing else (an `owner` or
 *  `principal` flag, scopes, hidden fields) is taken from a request. */
const STAFF_EDITS = ["roles", "grant", "remove", "active"];

/** Scopes from the narrowest; a list of ids (`specific`, `listed`) is
 *  compared as wider than any other but itself. */
const RANK = { none: 0, own: 1, assigned: 2, all: 3 };

/** The Staff API of one back office: `db` (demo/db.mjs), `fail(status,
 *  message)` for refusals, `PermsnapError` of the issuer build. */
export function staffAdmin({ db, fail, PermsnapError }) {
  /** What `record` would be signed with, read back: permissions, scopes,
   *  hidden fields, applications, owner and principal flags. A record the
   *  issuer refuses holds nothing when `refusedIsNothing` (a person whose
   *  role broke can still be mended), else the refusal is the caller's
   *  400, except a deactivated person, who holds nothing. */
  function decisionOf(p, record, refusedIsNothing) {
    let snapshot;
    try {
      snapshot = p.issuer.issue(p.account.tenant, record).snapshot;
    } catch (e) {
      if (!(e instanceof PermsnapError)) throw e;
      if (refusedIsNothing || e.code === "deactivated") return nothing(p);
      throw fail(400, `${e.code}: ${e.message}`);
    }
    const g = p.verifier.load(snapshot);
    try {
      return held(p, g);
    } finally {
      g.free();
    }
  }

  /** Permission → the kind of records it acts on (`scope_kind`), once per
   *  product (the catalog does not change while the server runs). */
  const kinds = new Map();
  const kindOf = (p) => {
    let m = kinds.get(p);
    if (!m) kinds.set(p, (m = new Map(p.compiled.catalog.permissions.filter((x) => x.scope_kind).map((x) => [x.name, x.scope_kind]))));
    return m;
  };

  /** A decision of verified permissions `g` (the editor's too). */
  function held(p, g) {
    const permissions = new Set(g.allowed());
    const kinds = p.verifier.kindNames;
    const acting = kindOf(p);
    return {
      permissions,
      scopes: new Map(kinds.map((k) => [k, g.scope(k)])),
      hidden: new Map(kinds.map((k) => [k, new Set(g.hiddenFields(k))])),
      permissionScopes: new Map([...permissions].filter((n) => acting.has(n)).map((n) => [n, g.permissionScope(n)])),
      apps: new Set(g.apps()),
      stepUp: new Set(g.stepUpActions()),
      owner: g.isOwner,
      principal: g.isPrincipal,
    };
  }

  function nothing(p) {
    const kinds = p.verifier.kindNames;
    return {
      permissions: new Set(),
      scopes: new Map(kinds.map((k) => [k, "none"])),
      hidden: new Map(kinds.map((k) => [k, new Set(p.verifier.fieldNames(k))])),
      permissionScopes: new Map(),
      apps: new Set(),
      stepUp: new Set(),
      owner: false,
      principal: false,
    };
  }

  /** Whether `after` reaches records `before` did not. */
  function widened(before, after) {
    const a = JSON.stringify(after);
    if (after === "none" || a === JSON.stringify(before)) return false;
    if (typeof before === "string" && typeof after === "string") return RANK[after] > RANK[before];
    return true;
  }

  /** Refuses (403) what `after` holds beyond `before` that `editor` does
   *  not hold: nobody hands out, to others or to themselves, more than
   *  they have. A permission given, or acting on more records, needs the
   *  editor to hold it over every record of its kind, and leaves hidden
   *  what the editor cannot see there. */
  function noEscalation(p, who, editor, before, after) {
    const beyond = [];
    const acting = kindOf(p);
    for (const n of after.permissions) {
      const gained = !before.permissions.has(n);
      if (gained && !editor.permissions.has(n)) {
        beyond.push(n);
        continue;
      }
      // Not without the PIN the editor needs for it.
      if (!after.stepUp.has(n) && (gained || before.stepUp.has(n)) && editor.stepUp.has(n)) beyond.push(`${n} without a PIN step-up`);
      const k = acting.get(n);
      if (k === undefined) continue;
      if (widened(gained ? "none" : before.permissionScopes.get(n), after.permissionScopes.get(n)) && editor.permissionScopes.get(n) !== "all") {
        beyond.push(`${n} over ${k} you do not all see`);
      }
      if (gained) for (const f of editor.hidden.get(k)) if (!after.hidden.get(k).has(f)) beyond.push(`${k}.${f} (hidden from you) through ${n}`);
    }
    for (const [k, scope] of after.scopes) {
      if (widened(before.scopes.get(k), scope)) {
        if (editor.scopes.get(k) !== "all") beyond.push(`more ${k}`);
        // More records, each showing no field hidden from the editor.
        for (const f of editor.hidden.get(k)) if (!after.hidden.get(k).has(f)) beyond.push(`${k}.${f} (hidden from you) on more records`);
      }
      for (const f of before.hidden.get(k)) {
        if (!after.hidden.get(k).has(f) && editor.hidden.get(k).has(f)) beyond.push(`${k}.${f} shown`);
      }
    }
    for (const a of after.apps) if (!before.apps.has(a) && !editor.apps.has(a)) beyond.push(`application ${a}`);
    if ((after.owner && !before.owner) || (after.principal && !before.principal)) {
      if (!editor.owner) beyond.push("the owner's powers");
    }
    if (beyond.length > 0) throw fail(403, `you cannot give ${who} what you do not hold: ${beyond.join(", ")}`);
  }

  /** The roles that make their holder the owner. */
  const ownerRoles = (tenant) => new Set(db.roles(tenant).filter((r) => r.owner).map((r) => r.id));

  /** Is `record` the owner's or the principal admin's (by flag or role)? */
  const protectedRecord = (tenant, record) =>
    record.owner === true || record.principal === true || (record.roles ?? []).some((r) => ownerRoles(tenant).has(r));

  /** A person's access edited by an admin (`editor`: their verified
   *  permissions): validated by the issuer against the roles the database
   *  holds now (`sync`: another server may have edited one), compared and
   *  saved in one write transaction, with a new version. The caller
   *  publishes the notice (the database's version moved). */
  function editStaff(p, editor, id, change, sync) {
    return db.atomically(() => {
      stillTheEditor(p, editor);
      sync();
      return staffEdit(p, editor, id, change);
    });
  }

  /** Inside the write transaction: the editor's record as the database
   *  holds it now still stands behind their snapshot (another writer may
   *  have deactivated or edited them while this request waited). */
  function stillTheEditor(p, editor) {
    const record = db.record(p.account.tenant, editor.subject);
    if (!record || record.active === false || record.version !== editor.version) {
      throw fail(401, "your access changed meanwhile: load /api/permsnap again");
    }
  }

  function staffEdit(p, editor, id, change) {
    const tenant = p.account.tenant;
    const extra = Object.keys(change).filter((k) => !STAFF_EDITS.includes(k));
    if (extra.length > 0) throw fail(400, `not editable here: ${extra.join(", ")} (only ${STAFF_EDITS.join(", ")})`);
    for (const k of ["roles", "grant", "remove"]) {
      const v = change[k];
      if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((x) => typeof x === "string"))) throw fail(400, `\`${k}\` is a list of names (or null to clear it)`);
    }
    if (change.active !== undefined && change.active !== null && typeof change.active !== "boolean") throw fail(400, "`active` is true or false");
    const current = db.record(tenant, id);
    if (!current) throw fail(404, `no staff member ${id}`);
    const mine = held(p, editor);
    if (protectedRecord(tenant, current) && !mine.owner) throw fail(403, "only the owner edits the owner's and the principal admin's access");
    const had = new Set(current.roles ?? []);
    const roles = change.roles === undefined ? had : new Set(change.roles ?? []);
    const owners = ownerRoles(tenant);
    if (!mine.owner && [...owners].some((r) => had.has(r) !== roles.has(r))) throw fail(403, "only the owner gives or takes the owner's role");
    const { id: _i, name: _n, version, ...access } = current;
    const next = { ...access, ...change };
    for (const k of Object.keys(next)) if (next[k] === null) delete next[k];
    const record = { id, name: current.name, version: version + 1, ...next };
    const after = decisionOf(p, record, false); // a refused record is not saved
    const before = decisionOf(p, current, true);
    noEscalation(p, id, mine, before, after);
    // The account keeps an active owner.
    if (before.owner && !after.owner) {
      const others = db.staff(tenant).filter((s) => s.id !== id && s.active !== false && (s.owner === true || (s.roles ?? []).some((r) => owners.has(r))));
      if (others.length === 0) throw fail(409, "the account would be left without an active owner");
    }
    return { id, version: db.setAccess(tenant, id, next) };
  }

  /** A role's permissions edited by an admin: every holder's decision
   *  before and after is compared with the editor's; saved, then the
   *  issuer loads the roles as saved (a refused or failed save leaves it
   *  with the database's roles: `sync`). */
  function editRole(p, editor, roleId, change, sync) {
    try {
      return db.atomically(() => {
        stillTheEditor(p, editor);
        sync();
        return roleEdit(p, editor, roleId, change);
      });
    } finally {
      sync(); // what the database holds once the transaction is over, saved or not
    }
  }

  function roleEdit(p, editor, roleId, change) {
    const tenant = p.account.tenant;
    const extra = Object.keys(change).filter((k) => k !== "permissions");
    if (extra.length > 0) throw fail(400, `not editable here: ${extra.join(", ")} (only permissions)`);
    const { permissions } = change;
    if (!Array.isArray(permissions) || !permissions.every((x) => typeof x === "string")) throw fail(400, "`permissions` is a list of names");
    const role = db.roles(tenant).find((r) => r.id === roleId);
    if (!role) throw fail(404, `no role ${roleId}`);
    if (role.owner || role.except || !Array.isArray(role.permissions) || role.permissions.some((x) => x.includes("*"))) {
      throw fail(400, `role ${roleId} is not edited here (the owner's, or every permission by pattern)`);
    }
    const known = new Set(p.verifier.permissionNames);
    const unknown = permissions.filter((x) => !known.has(x));
    if (unknown.length > 0) throw fail(400, `not permissions of the catalog (names only, no patterns): ${unknown.join(", ")}`);
    const mine = held(p, editor);
    const holders = db.staff(tenant).filter((s) => (s.roles ?? []).includes(roleId));
    const befores = holders.map((h) => decisionOf(p, h, true));
    const roles = db.roles(tenant).map((r) => (r.id === roleId ? { ...r, permissions } : r));
    const broken = p.issuer.setAccount(tenant, roles, { features: db.account(p.account.product).features });
    const refused = broken.find((b) => b.role === roleId);
    if (refused) throw fail(400, refused.problem);
    holders.forEach((h, i) => noEscalation(p, h.id, mine, befores[i], decisionOf(p, { ...h, version: h.version + 1 }, true)));
    db.setRolePermissions(tenant, roleId, permissions);
    return { role: roleId, holders: holders.map((h) => h.id) };
  }

  return { editStaff, editRole };
}
