// The account's Staff configuration page: what an admin edits every day.
// Each save goes to the demo backend (scripts/serve.mjs), which writes the
// database, bumps the version of everyone affected and publishes a signed
// revocation notice; open pages of those people refresh their snapshot.
// (The demo lets anyone signed in use this page; a real app guards it.)
const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

async function call(method, path, body) {
  // The backend checks the admin's own snapshot (its cookie): a fresh one first.
  await fetch("/api/permsnap");
  const res = await fetch(path, { method, headers: { "content-type": "application/json" }, body: body && JSON.stringify(body) });
  const out = await res.json();
  if (!res.ok) throw new Error(out.message ?? out.error?.message ?? res.statusText);
  return out;
}

let config;

function personCard(s) {
  const held = new Set(s.roles ?? []);
  const grant = new Set(s.grant ?? []);
  const remove = new Set(s.remove ?? []);
  const roleInputs = config.rolesPerPerson === "none" ? "" : config.roles.map((r) => `<label><input type="${config.rolesPerPerson === "one" ? "radio" : "checkbox"}" name="roles-${esc(s.id)}" value="${esc(r.id)}" ${held.has(r.id) ? "checked" : ""}> ${esc(r.name ?? r.id)}</label>`).join(" ");
  const perms = config.permissions.map((p) => {
    const v = grant.has(p.name) ? "grant" : remove.has(p.name) ? "remove" : "";
    return `<label title="${esc(p.description ?? "")}"><select data-perm="${esc(p.name)}">
      <option value="" ${v === "" ? "selected" : ""}>${config.rolesPerPerson === "none" ? "off" : "as the role says"}</option>
      <option value="grant" ${v === "grant" ? "selected" : ""}>${config.rolesPerPerson === "none" ? "on" : "grant"}</option>
      ${config.rolesPerPerson === "none" ? "" : `<option value="remove" ${v === "remove" ? "selected" : ""}>remove</option>`}
    </select> <code>${esc(p.name)}</code></label>`;
  }).join("");
  return `<div class="person" data-staff="${esc(s.id)}">
    <header><b>${esc(s.name)}</b> <small>v${s.version}</small> ${roleInputs}
      <label><input type="checkbox" data-active ${s.active === false ? "" : "checked"}> active</label>
      <button type="button" class="save">Save</button> <span class="result"></span></header>
    <details><summary>Per-person switches</summary><div class="grid">${perms}</div></details>
  </div>`;
}

function roleCard(r) {
  const editable = Array.isArray(r.permissions) && !r.permissions.some((p) => p.includes("*")) && !r.except;
  const has = new Set(r.permissions ?? []);
  const holders = config.staff.filter((s) => (s.roles ?? []).includes(r.id)).map((s) => s.name.split(" (")[0]);
  return `<div class="role" data-role="${esc(r.id)}">
    <header><b>${esc(r.name ?? r.id)}</b> <small>held by ${holders.length ? esc(holders.join(", ")) : "nobody"}</small>
      ${editable ? `<button type="button" class="save">Save</button>` : `<small>(${r.owner ? "owner" : "every permission, by pattern"}: not edited here)</small>`} <span class="result"></span></header>
    ${editable ? `<details><summary>Permissions</summary><div class="grid">${config.permissions.filter((p) => !p.owner_only && !p.principal_only).map((p) => `<label><input type="checkbox" data-perm="${esc(p.name)}" ${has.has(p.name) ? "checked" : ""}> <code>${esc(p.name)}</code></label>`).join("")}</div></details>` : ""}
  </div>`;
}

async function load() {
  config = await call("GET", "/api/admin/staff");
  $("#business").textContent = config.business;
  $("#people").innerHTML = config.staff.map(personCard).join("");
  $("#roles").innerHTML = config.roles.map(roleCard).join("");
  document.body.dataset.ready = "1";
}

document.addEventListener("click", async (ev) => {
  const btn = ev.target.closest("button.save");
  if (!btn) return;
  const card = btn.closest("[data-staff], [data-role]");
  const result = card.querySelector(".result");
  result.className = "result";
  result.textContent = "saving…";
  try {
    if (card.dataset.staff) {
      const pick = (v) => [...card.querySelectorAll("select[data-perm]")].filter((s) => s.value === v).map((s) => s.dataset.perm);
      const change = { grant: pick("grant"), remove: pick("remove"), active: card.querySelector("[data-active]").checked };
      if (config.rolesPerPerson !== "none") change.roles = [...card.querySelectorAll(`input[name="roles-${card.dataset.staff}"]:checked`)].map((i) => i.value);
      const out = await call("PUT", `/api/admin/staff/${card.dataset.staff}`, change);
      result.textContent = `saved: version ${out.version}, notice sent`;
    } else {
      const permissions = [...card.querySelectorAll("input[data-perm]:checked")].map((i) => i.dataset.perm);
      const out = await call("PUT", `/api/admin/roles/${card.dataset.role}`, { permissions });
      result.textContent = `saved: notice sent for ${out.holders.join(", ") || "nobody"}`;
    }
    result.classList.add("saved");
  } catch (e) {
    result.textContent = e.message;
    result.classList.add("error");
  }
});

await load();
