// The demo back office. The signed-in person's snapshot comes from the
// backend's endpoint (/api/permsnap, issued from the database) and is kept
// fresh by a permsnap session: refreshed before expiry, and at once when a
// revocation notice (an admin's edit on the Staff page) names this person.
// Every section, button, masked field and filtered row below is decided by
// permsnap from that snapshot.
import { init, Verifier, applyToDom, createSession } from "/pkg/index.js";

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const api = async (path, init) => {
  const res = await fetch(path, init);
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.message ?? body.error?.message ?? res.statusText), { code: body.code ?? body.error?.code });
  return body;
};

const state = { preset: null, doc: null, staff: [], routes: [], records: new Map(), session: null, perms: null, shown: null, issueError: null, swaps: 0 };
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

async function loadPreset(name, person) {
  state.preset = name;
  const [doc, staff, routes] = await Promise.all([api(`/api/catalog?preset=${name}`), api(`/api/staff?preset=${name}`), api(`/api/routes?preset=${name}`)]);
  state.doc = doc;
  state.staff = staff;
  state.routes = routes.routes.filter((r) => !r.public);
  // A verifier of its own for the inspector's "tamper" button: the session's is private.
  state.verifier?.free();
  state.jwks = await api("/api/jwks");
  state.verifier = new Verifier(doc, state.jwks, { tenant: doc.tenant });
  $("#preset").value = name;
  $("#business").textContent = doc.business;
  $("#staff").innerHTML = staff
    .map((s) => `<option value="${esc(s.id)}">${esc(s.name)}${s.roles.length ? ` — ${esc(s.roles.join(", "))}` : ""}${s.active ? "" : " (deactivated)"}</option>`)
    .join("");
  document.body.dataset.preset = name;
  await signIn(person ?? staff[0].id);
}

/** Signs in as `id` (the demo's stand-in for a login) and starts the
 *  session that keeps this person's snapshot fresh. */
async function signIn(id) {
  $("#staff").value = id;
  await api("/api/sign-in", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ product: state.preset, staff: id }) });
  state.session?.close();
  state.records = new Map();
  state.issueError = null;
  const session = createSession({
    catalog: state.doc,
    jwks: state.jwks,
    tenant: state.doc.tenant,
    fetchSnapshot: async ({ fresh }) => {
      // The token, echoed by the endpoint, proves the answer is fresh: the
      // session may then take the server's clock from it.
      const res = await fetch("/api/permsnap", { headers: { "permsnap-fresh": fresh } });
      const body = await res.json();
      if (res.ok) return body;
      if (res.status === 401 || res.status === 403) {
        state.issueError = `${body.error.code}: ${body.error.message}`; // deactivated, signed out…
        return null;
      }
      throw new Error(`snapshot endpoint: ${res.status}`);
    },
    notices: (deliver) => {
      const events = new EventSource("/api/notices");
      events.onmessage = (e) => deliver(e.data);
      return () => events.close();
    },
    onError: (e) => console.warn("permsnap session:", e),
  });
  state.session = session;
  session.subscribe(async (p) => {
    if (state.session !== session) return;
    state.swaps++;
    await loadRecords(p);
    if (state.session === session && session.permissions === p) show(p, session.snapshot);
  });
  const first = await session.ready;
  await loadRecords(first);
  show(first, session.snapshot);
}

/** The records this person may see: the backend filters and redacts them
 *  with the person's snapshot (the cookie its endpoint set). */
async function loadRecords(p) {
  const kinds = state.doc.catalog.kinds ?? [];
  if (p.error) {
    state.records = new Map(kinds.map((k) => [k.name, { total: 0, records: [] }]));
    return;
  }
  const lists = await Promise.all(kinds.map((k) => api(`/api/records?kind=${k.name}`).catch(() => ({ total: 0, records: [] }))));
  state.records = new Map(kinds.map((k, i) => [k.name, lists[i]]));
}

function show(perms, text) {
  state.perms = perms;
  state.shown = text;
  render();
  probeEdge(text);
  document.body.dataset.snapshot = perms.error ? `refused:${perms.error.code}` : perms.id;
}

/** Calls every route of the product through the edge gate with the
 *  snapshot shown (tampered or not), as an API client would. */
async function probeEdge(text) {
  const run = (state.probe = (state.probe ?? 0) + 1);
  delete document.body.dataset.edgeReady;
  const rows = await Promise.all(
    state.routes.map(async (r) => {
      const method = (r.methods ?? ["GET"])[0];
      const path = r.path.replace(/\{\*[^}]+\}/g, "all").replace(/\{[^}]+\}/g, "42");
      const res = await fetch(`/edge${path}?preset=${state.preset}`, { method, headers: text ? { authorization: `Permsnap ${text}` } : {} });
      const body = await res.json();
      const why = body.error ? `${body.error.code}${body.error.permission ? ` (${body.error.permission})` : ""}` : "allowed";
      return `<tr data-route="${esc(method)} ${esc(r.path)}" class="${res.ok ? "ok" : "denied"}"><td>${esc(method)}</td><td><code>${esc(path)}</code></td><td data-status>${res.status}</td><td>${esc(why)}</td></tr>`;
    }),
  );
  if (run !== state.probe) return; // a newer snapshot is being probed
  $("#edge tbody").innerHTML = rows.join("");
  document.body.dataset.edgeReady = "1";
}

const staffName = (id) => state.staff.find((s) => s.id === id)?.name.split(" (")[0] ?? id;
const cell = (r, c, hidden) => (c in r ? `<td class="${hidden.has(c) ? "masked" : ""}" data-col="${esc(c)}">${esc(Array.isArray(r[c]) ? r[c].join(", ") : r[c])}</td>` : `<td class="masked" data-col="${esc(c)}">removed</td>`);

/** A week calendar (appointments): one column per day, the visible
 *  appointments in time order. */
function calendar(rows, hidden) {
  const days = WEEKDAYS.map((_, i) => rows.filter((r) => (new Date(r.start).getDay() + 6) % 7 === i).sort((a, b) => a.start.localeCompare(b.start)));
  return `<div class="week">${days.map((list, i) => `<div class="day"><h3>${WEEKDAYS[i]}</h3>${list.map((r) => `
    <div class="appt" data-id="${esc(r.id)}" style="min-height:${Math.max(1, r.minutes / 30) * 1.1}rem">
      <time data-col="start">${esc(r.start.slice(11, 16))}</time> <b data-col="title">${esc(r.title)}</b>
      <span data-col="client" class="${hidden.has("client") ? "masked" : ""}">${esc(r.client ?? "")}</span>
      <small>with <span data-col="staff_id" title="${esc(staffName(r.staff_id))}">${esc(r.staff_id)}</span>, booked by <span data-col="created_by">${esc(r.created_by)}</span></small>
    </div>`).join("")}</div>`).join("")}</div>`;
}

function render() {
  const p = state.perms;
  const cat = state.doc.catalog;
  const bySection = new Map(cat.sections.map((s) => [s.id, []]));
  for (const perm of cat.permissions) bySection.get(perm.section)?.push(perm);
  const kindHome = new Map();
  for (const perm of cat.permissions) if (perm.scope_kind && !kindHome.has(perm.scope_kind)) kindHome.set(perm.scope_kind, perm.section);

  $("#nav").innerHTML = cat.sections
    .map((s) => `<a href="#sec-${esc(s.id)}" data-requires-any="${esc(bySection.get(s.id).map((x) => x.name).join(" "))}">${esc(s.name || s.id)}</a>`)
    .join("") + `<a href="/staff.html" class="admin">Staff configuration ↗</a>`;

  const table = (kind) => {
    // Filtered and redacted by the backend already; the page applies the
    // same snapshot again (the inspector's tampered copy denies it all).
    const { total, records: all } = state.records.get(kind.name) ?? { total: 0, records: [] };
    const rows = p.redact(kind.name, p.filter(kind.name, all));
    const hidden = new Set(p.hiddenFields(kind.name));
    const cols = [...new Set([...all.flatMap((r) => Object.keys(r)), ...(kind.fields ?? []).map((f) => f.name)])];
    const scope = p.scope(kind.name);
    const scopeName = typeof scope === "string" ? scope : scope.specific ? `specific: ${scope.specific.join(", ")}` : "listed";
    const body = rows.length === 0
      ? `<p class="empty">No ${esc(kind.name.replace(/_/g, " "))} visible.</p>`
      : "start" in all[0]
        ? calendar(rows, hidden)
        : `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>
          ${rows.map((r) => `<tr>${cols.map((c) => cell(r, c, hidden)).join("")}</tr>`).join("")}</tbody></table>`;
    return `<div class="kind" data-kind="${esc(kind.name)}">
      <p class="count">${esc(kind.name.replace(/_/g, " "))}: showing <b data-count>${rows.length}</b> of ${total} (scope <code>${esc(scopeName)}</code>)</p>${body}</div>`;
  };

  const cards = cat.sections.map((s) => {
    const perms = bySection.get(s.id);
    const kinds = (cat.kinds ?? []).filter((k) => kindHome.get(k.name) === s.id);
    return `<section class="card" id="sec-${esc(s.id)}" data-requires-any="${esc(perms.map((x) => x.name).join(" "))}">
      <h2>${esc(s.name || s.id)}</h2>
      <div class="actions">${perms.map((x) => `<button type="button" data-requires="${esc(x.name)}" data-perm="${esc(x.name)}" title="${esc(x.description ?? "")}">${esc(x.name)}${p.can(x.name) && p.needsStepUp(x.name) ? " 🔒 PIN" : ""}</button>`).join("")}</div>
      ${kinds.map(table).join("")}
    </section>`;
  });
  const homeless = (cat.kinds ?? []).filter((k) => !kindHome.has(k.name));
  if (homeless.length) cards.push(`<section class="card" id="sec-records"><h2>Records</h2>${homeless.map(table).join("")}</section>`);
  $("#main").innerHTML = cards.join("");
  applyToDom(document.body, p);

  // Inspector
  const refused = p.error;
  const status = $("#status");
  status.textContent = refused ? `REFUSED (${refused.code}): everything hidden` : `verified: ${p.subject} @ ${p.tenant}`;
  status.className = refused ? "status refused" : "status";
  const claims = p.claims();
  const text = state.shown;
  const facts = refused
    ? { refused: `${refused.code}: ${refused.message}`, issuer: state.issueError ?? "" }
    : {
        subject: claims.subject, roles: claims.roles.join(", ") || "—", tenant: claims.tenant,
        "binary size": `${Math.floor((text.length * 3) / 4)} bytes`, "text size": `${text.length} chars`,
        issued: new Date(claims.issuedAt * 1000).toLocaleTimeString(), expires: new Date(claims.expiresAt * 1000).toLocaleTimeString(),
        refreshes: String(state.swaps),
        owner: claims.owner ? (claims.principal ? "yes (principal)" : "yes") : "no",
        "shared account": claims.sharedAccount ? "yes" : "no",
        apps: claims.apps.join(", ") || "—",
        scopes: Object.entries(claims.scopes).map(([k, v]) => `${k}: ${typeof v === "string" ? v : v.listed ? `${v.listed.count} ids beside the snapshot` : "specific"}`).join("; "),
        "hidden fields": Object.entries(claims.hiddenFields).map(([k, v]) => `${k}.${v.join(`, ${k}.`)}`).join("; ") || "—",
        "step-up": claims.stepUp.join(", ") || "—",
        "snapshot id": claims.id, version: String(claims.version), catalog: `${claims.catalog} (revision ${claims.revision})`,
      };
  $("#facts").innerHTML = Object.entries(facts).map(([k, v]) => `<dt>${esc(k)}</dt><dd data-fact="${esc(k)}">${esc(v)}</dd>`).join("");
  $("#why").innerHTML = cat.permissions
    .filter((x) => !p.can(x.name))
    .map((x) => `<li data-why="${esc(x.name)}"><code>${esc(x.name)}</code>: ${esc(p.explain(x.name).message)}</li>`)
    .join("");
}

document.addEventListener("click", (ev) => {
  const btn = ev.target.closest("button[data-perm]");
  if (!btn) return;
  const name = btn.dataset.perm;
  if (state.perms.needsStepUp(name)) {
    // The shared front-desk account: the acting person types their PIN, which
    // the backend checks. It is never in the snapshot.
    const pin = window.prompt(`${name} needs your personal PIN (checked by the server)`);
    btn.textContent = pin ? `${name} ✓ sent for PIN check` : `${name} 🔒 PIN`;
  } else {
    btn.textContent = `${name} ✓`;
  }
});

$("#tamper").addEventListener("click", async () => {
  const text = state.session?.snapshot;
  if (!text) return;
  const i = Math.floor(text.length / 2);
  const tampered = text.slice(0, i) + (text[i] === "A" ? "B" : "A") + text.slice(i + 1);
  show(await state.verifier.verifyOrDeny(tampered), tampered);
});
$("#reload").addEventListener("click", async () => show(await state.session.refresh(), state.session.snapshot));
$("#staff").addEventListener("change", (e) => signIn(e.target.value));
$("#preset").addEventListener("change", (e) => loadPreset(e.target.value));

await init();
const presets = await api("/api/presets");
$("#preset").innerHTML = presets.map((p) => `<option>${esc(p)}</option>`).join("");
// Back to whoever was signed in (the Staff page and a reload keep the person).
const me = await api("/api/me").catch(() => null);
await loadPreset(me?.product ?? "sitee", me?.id);
document.body.dataset.ready = "1";
