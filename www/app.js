// The demo dashboard. Every show/hide, mask and list filter below is decided
// by permsnap from a real snapshot signed by the backend (scripts/serve.mjs).
import { init, Verifier, applyToDom } from "/pkg/index.js";

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const api = async (path) => {
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.message ?? res.statusText), { code: body.code });
  return body;
};

const state = { preset: null, doc: null, staff: [], verifier: null, text: null, bytes: 0, perms: null };

function sampleRecords(kind, staffIds) {
  const prefix = kind.name.split("_")[0].replace(/s$/, "");
  const n = staffIds.length;
  const special = { 0: "104", 5: "221" };
  return Array.from({ length: 24 }, (_, i) => {
    const r = { [kind.id_field ?? "id"]: `${prefix}-${special[i] ?? 300 + i}`, title: `${kind.name.replace(/_/g, " ")} #${i + 1}` };
    (kind.owner_fields ?? []).forEach((f, j) => { r[f] = staffIds[(i * (j + 3) + j) % n]; });
    if (kind.assignee_field) r[kind.assignee_field] = [staffIds[(i + 2) % n]];
    for (const f of kind.fields ?? []) {
      r[f.name] = f.name === "email" ? `client${i + 1}@mail.test` : f.name === "phone" ? `+1 555 010${i % 10}` : `19${70 + i}-0${1 + (i % 9)}-1${i % 10}`;
    }
    return r;
  });
}

async function loadPreset(name) {
  state.preset = name;
  const [doc, staff, jwks, routes] = await Promise.all([api(`/api/catalog?preset=${name}`), api(`/api/staff?preset=${name}`), api("/api/jwks"), api(`/api/routes?preset=${name}`)]);
  state.routes = routes.routes.filter((r) => !r.public);
  state.verifier?.free();
  state.doc = doc;
  state.staff = staff;
  state.verifier = new Verifier(doc, jwks, { tenant: doc.tenant });
  $("#staff").innerHTML = staff
    .map((s) => `<option value="${esc(s.id)}">${esc(s.name)}${s.roles.length ? ` — ${esc(s.roles.join(", "))}` : ""}${s.active ? "" : " (deactivated)"}</option>`)
    .join("");
  await selectStaff(staff[0].id);
  document.body.dataset.preset = name;
}

async function selectStaff(id) {
  $("#staff").value = id;
  try {
    const out = await api(`/api/snapshot?preset=${state.preset}&staff=${encodeURIComponent(id)}`);
    state.text = out.snapshot;
    state.bytes = out.bytes;
  } catch (e) {
    // The issuer refused (a deactivated account): no snapshot, nothing shown.
    state.text = null;
    state.bytes = 0;
    state.issueError = `${e.code}: ${e.message}`;
  }
  show(state.text);
}

function show(text) {
  state.perms?.free();
  state.perms = state.verifier.loadOrDeny(text);
  state.shown = text;
  render();
  probeEdge(text);
}

/** Calls every route of the preset through the edge gate with the snapshot
 *  shown (tampered or not), as an API client would. */
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

function render() {
  const p = state.perms;
  const cat = state.doc.catalog;
  const staffIds = state.staff.map((s) => s.id);
  const bySection = new Map(cat.sections.map((s) => [s.id, []]));
  for (const perm of cat.permissions) bySection.get(perm.section)?.push(perm);
  const kindHome = new Map();
  for (const perm of cat.permissions) if (perm.scope_kind && !kindHome.has(perm.scope_kind)) kindHome.set(perm.scope_kind, perm.section);

  $("#nav").innerHTML = cat.sections
    .map((s) => `<a href="#sec-${esc(s.id)}" data-requires-any="${esc(bySection.get(s.id).map((x) => x.name).join(" "))}">${esc(s.name || s.id)}</a>`)
    .join("");

  const table = (kind) => {
    const all = sampleRecords(kind, staffIds);
    const rows = p.redact(kind.name, p.filter(kind.name, all));
    const hidden = new Set(p.hiddenFields(kind.name));
    const cols = Object.keys(all[0]);
    const scope = p.scope(kind.name);
    const scopeName = typeof scope === "string" ? scope : `specific: ${scope.specific.join(", ")}`;
    return `<div class="kind" data-kind="${esc(kind.name)}">
      <p class="count">${esc(kind.name)}: showing <b data-count>${rows.length}</b> of ${all.length} (scope <code>${esc(scopeName)}</code>)</p>
      ${rows.length === 0 ? `<p class="empty">No ${esc(kind.name.replace(/_/g, " "))} visible.</p>` : `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>
      ${rows.map((r) => `<tr>${cols.map((c) => (c in r ? `<td class="${hidden.has(c) ? "masked" : ""}" data-col="${esc(c)}">${esc(Array.isArray(r[c]) ? r[c].join(", ") : r[c])}</td>` : `<td class="masked" data-col="${esc(c)}">removed</td>`)).join("")}</tr>`).join("")}
      </tbody></table>`}</div>`;
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
  if (homeless.length) {
    cards.push(`<section class="card" id="sec-records"><h2>Records</h2>${homeless.map(table).join("")}</section>`);
  }
  $("#main").innerHTML = cards.join("");
  applyToDom(document.body, p);

  // Inspector
  const refused = p.error;
  const status = $("#status");
  status.textContent = refused ? `REFUSED (${refused.code}): everything hidden` : `verified: ${p.subject} @ ${p.tenant}`;
  status.className = refused ? "status refused" : "status";
  const claims = p.claims();
  const facts = refused
    ? { refused: `${refused.code}: ${refused.message}`, issuer: state.text ? "" : state.issueError ?? "" }
    : {
        subject: claims.subject, roles: claims.roles.join(", ") || "—", tenant: claims.tenant,
        "binary size": `${state.bytes} bytes`, "text size": `${state.text.length} chars`,
        expires: new Date(claims.expiresAt * 1000).toISOString(),
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

$("#tamper").addEventListener("click", () => {
  if (!state.text) return;
  const i = Math.floor(state.text.length / 2);
  const c = state.text[i] === "A" ? "B" : "A";
  show(state.text.slice(0, i) + c + state.text.slice(i + 1));
});
$("#reload").addEventListener("click", () => selectStaff($("#staff").value));
$("#staff").addEventListener("change", (e) => selectStaff(e.target.value));
$("#preset").addEventListener("change", (e) => loadPreset(e.target.value));

await init();
const presets = await api("/api/presets");
$("#preset").innerHTML = presets.map((p) => `<option>${esc(p)}</option>`).join("");
await loadPreset(presets[0]);
document.body.dataset.ready = "1";
