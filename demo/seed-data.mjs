// Demo seed data: plausible records for each preset's kinds (a French spa, a
// French online shop, a Québec agency and recreation centre), so the dashboard
// filters something that looks like a real account. Seeded by the preset name,
// never Math.random: the same preset and week always give the same records.

const BUSINESS = {
  sitee: { name: "Spa Lumière", city: "Lyon" },
  ecwid: { name: "Atelier Ora", city: "Nantes" },
  "shopify-partner": { name: "Studio KB", city: "Montréal" },
  amilia: { name: "Loisirs Rosemont", city: "Montréal" },
  lightspeed: { name: "Vélo Limoilou", city: "Québec" },
};

const FIRST = ["Camille", "Léa", "Chloé", "Manon", "Emma", "Sarah", "Julie", "Inès", "Clara", "Louise", "Juliette", "Alice", "Anaïs", "Mathilde", "Élodie", "Margaux", "Nathalie", "Sophie", "Isabelle", "Marie-Ève", "Hugo", "Thomas", "Nicolas", "Julien", "Antoine", "Maxime", "Olivier", "Mathieu", "Étienne", "Gabriel"];
const LAST_FR = ["Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Chevalier", "Faure", "Rousseau", "Blanc", "Guerin"];
const LAST_QC = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné", "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier", "Dubé"];

const SERVICES = [
  ["Soin visage éclat", 60, 75], ["Soin visage hydratant", 90, 95], ["Massage suédois 60 min", 60, 80],
  ["Massage californien 90 min", 90, 110], ["Massage aux pierres chaudes", 90, 115], ["Manucure", 30, 30],
  ["Manucure semi-permanent", 60, 45], ["Pédicure spa", 60, 50], ["Épilation jambes complètes", 30, 35],
  ["Épilation sourcils", 30, 15], ["Réflexologie plantaire", 60, 65], ["Gommage corps au sel marin", 30, 40],
].map(([name, minutes, price]) => ({ name, minutes, price }));

const TALKS = [
  ["Report de rendez-vous", "Bonjour, est-il possible de décaler mon rendez-vous à samedi matin ?"],
  ["Carte cadeau", "Je voudrais offrir un massage à ma mère, vous faites des cartes cadeaux ?"],
  ["Allergie", "Je suis allergique aux huiles essentielles, pouvez-vous adapter le soin ?"],
  ["Confirmation", "Merci, c'est bien noté pour jeudi 14 h."],
  ["Retard", "Je serai en retard d'une dizaine de minutes, désolée !"],
  ["Forfait 5 massages", "Le forfait est-il valable aussi pour les pierres chaudes ?"],
  ["Avis après le soin", "Un grand merci, ma peau n'a jamais été aussi douce."],
  ["Annulation", "Je dois annuler demain, je suis malade. Je vous rappelle."],
  ["Devis mariage", "Nous serions 5 pour une mise en beauté le 12 juin, quel tarif ?"],
];

const PRODUCTS = [["Bol en grès émaillé", 24], ["Tasse Ora bleu nuit", 18], ["Vase soliflore", 32], ["Assiette plate 27 cm", 22], ["Théière en porcelaine", 58], ["Set de 4 bols à café", 64], ["Plat à tarte", 39], ["Carte cadeau 50 €", 50]];
const CITIES = ["Nantes", "Paris", "Lyon", "Bordeaux", "Rennes", "Lille", "Toulouse", "Montpellier", "Strasbourg", "Angers", "Montréal", "Québec"];

const ACTIVITIES = [["Natation parent-enfant (10 sem.)", 95], ["Yoga doux 55+", 80], ["Camp de jour — semaine", 175], ["Hockey cosom 8-10 ans", 120], ["Patin libre", 4.5], ["Badminton libre", 6], ["Aquaforme", 85], ["Poterie pour ados", 140], ["Soccer U10 été", 110], ["Location de glace 1 h", 250]];

// dev-104 and dev-221 are the stores Théo's specific scope names in the preset.
const DEV_STORES = [[101, "Démo thème Aurore"], [104, "Test thème Nordik"], [117, "Bac à sable checkout"], [130, "Démo Érablière"], [152, "Test app Fidélité"], [168, "Prototype Friperie"], [190, "Démo B2B Grossiste"], [221, "Test thème Cantons"], [236, "Formation Max"]];
const CLIENT_STORES = ["Érablière Gagnon", "Bijoux Mauve", "Café Saint-Roch", "Friperie La Ruelle", "Savonnerie des Cantons", "Miel de la Beauce", "Chaussures Limoilou", "Boulangerie Le Pétrin", "Thé Camellia", "Plantes et Pots", "Librairie Le Quartier"];
const PLUS_STORES = ["Groupe Boréal (sandbox)", "Maison Laurentide (sandbox)", "Fromageries Champêtre (sandbox)", "Boréal expansion US (sandbox)"];

// mulberry32, seeded by an FNV-1a hash of the preset name.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: (xs) => xs[int(0, xs.length - 1)] };
}
const hash = (s) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261);

const pad = (n, w = 2) => String(n).padStart(w, "0");
const seq = (prefix, i) => `${prefix}-${pad(i + 1, 3)}`;
const addDays = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
const day = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const at = (d, minutes) => `${day(d)}T${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
const slug = (s) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const money = (x) => Math.round(x * 100) / 100;

function people(r, n, lasts, domains) {
  const seen = new Set();
  const out = [];
  while (out.length < n) {
    const first = r.pick(FIRST), last = r.pick(lasts), name = `${first} ${last}`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ name, email: `${slug(first)}.${slug(last)}@${r.pick(domains)}` });
  }
  return out;
}

function sitee(r, staff, weekStart) {
  const ids = staff.map((s) => s.id);
  const rr = (i) => ids[i % ids.length];
  // A shared front-desk login books and takes payments but performs no service.
  const practitioners = staff.filter((s) => !s.shared_account).map((s) => s.id);
  const clients = people(r, 40, LAST_FR, ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr"]).map((p, i) => ({
    id: seq("cli", i), ...p,
    phone: `+33 ${r.pick([6, 7])} ${[0, 0, 0, 0].map(() => pad(r.int(0, 99))).join(" ")}`,
    created_by: rr(i), assignees: [],
  }));

  // Mon–Sat, 9:00–19:00, no practitioner booked twice at once.
  const lanes = new Map();
  const booked = [];
  while (booked.length < 60) {
    const d = booked.length % 6, who = r.pick(practitioners), svc = r.pick(SERVICES);
    const start = 9 * 60 + 30 * r.int(0, (600 - svc.minutes) / 30);
    const lane = lanes.get(`${d}/${who}`) ?? [];
    if (lane.some(([s, e]) => start < e && s < start + svc.minutes)) continue;
    lanes.set(`${d}/${who}`, [...lane, [start, start + svc.minutes]]);
    const client = r.pick(clients);
    // Sitee's clients list: those one worked with or has appointments with.
    if (!client.assignees.includes(who)) client.assignees.push(who);
    booked.push({ start: at(addDays(weekStart, d), start), svc, client, who });
  }
  booked.sort((a, b) => a.start.localeCompare(b.start));
  const appointments = booked.map((b, i) => ({
    id: seq("apt", i), title: b.svc.name, client: b.client.name, client_id: b.client.id, start: b.start,
    minutes: b.svc.minutes, staff_id: b.who, created_by: rr(i + 2), client_assignees: [...b.client.assignees],
  }));

  // The week's first 40 appointments are the ones already paid.
  const payments = booked.slice(0, 40).map((b, i) => ({
    id: seq("pay", i), amount: b.svc.price, method: r.pick(["Carte bancaire", "Carte bancaire", "Espèces", "Carte cadeau"]),
    date: b.start.slice(0, 10), client: b.client.name, staff_id: b.who, client_assignees: [...b.client.assignees],
  }));

  // Internal documents belong to no client, so no one is assigned to them.
  const docKinds = ["Questionnaire de santé", "Consentement épilation", "Fiche allergies", "Devis forfait mariée"];
  const internal = ["Protocole d'hygiène cabine", `Grille tarifaire ${weekStart.getFullYear()}`, "Planning des congés", "Fiche produit huile de massage"];
  const documents = Array.from({ length: 12 }, (_, i) => {
    const client = i < 8 ? r.pick(clients) : null;
    return {
      id: seq("doc", i), title: client ? `${docKinds[i % 4]} — ${client.name}` : internal[i - 8],
      uploaded_by: rr(i + 3), client_assignees: client ? [...client.assignees] : [], date: day(addDays(weekStart, -r.int(1, 30))),
    };
  });

  const conversations = Array.from({ length: 15 }, (_, i) => {
    const client = r.pick(clients), [subject, last_message] = TALKS[i % TALKS.length];
    return { id: seq("conv", i), subject, client: client.name, staff_id: rr(i + 1), client_assignees: [...client.assignees], last_message };
  });

  return { clients, appointments, payments, documents, conversations };
}

function ecwid(r, weekStart) {
  const customers = people(r, 25, LAST_FR, ["gmail.com", "orange.fr", "free.fr", "outlook.fr"]).map((p, i) => ({ id: seq("cus", i), ...p, city: r.pick(CITIES) }));
  const basket = () => {
    const items = Array.from({ length: r.int(1, 3) }, () => r.pick(PRODUCTS));
    return { items: items.map(([name]) => name), total: money(items.reduce((s, [, price]) => s + price, 0) + 6.9) };
  };
  // Numbers rise with the date, over the three weeks before weekStart.
  const orders = Array.from({ length: 30 }, (_, i) => {
    const age = 21 - Math.floor(i * 0.7), c = r.pick(customers);
    const status = age > 10 ? (r.next() < 0.1 ? "Remboursée" : "Livrée") : age > 4 ? "Expédiée" : r.pick(["Payée", "En attente de paiement"]);
    return { id: seq("ord", i), number: `#${1040 + i}`, customer: c.name, email: c.email, total: basket().total, status, date: day(addDays(weekStart, -age)) };
  });
  const abandoned_carts = Array.from({ length: 10 }, (_, i) => {
    const c = r.pick(customers);
    return { id: seq("cart", i), customer: c.name, email: c.email, ...basket(), date: day(addDays(weekStart, -r.int(1, 14))) };
  });
  return { orders, abandoned_carts, customers };
}

function shopifyPartner(r, staff, kinds) {
  const ids = staff.map((s) => s.id);
  let n = 0;
  // Owner fields come from the kind, so a renamed field in the preset still gets filled.
  const stores = (kind, list, plan) => list.map(([id, name]) => {
    const rec = { id, name, domain: `${slug(name)}.myshopify.com`, plan: plan() };
    for (const f of kind?.owner_fields ?? []) rec[f] = ids[n++ % ids.length];
    return rec;
  });
  const kind = (name) => kinds.find((k) => k.name === name);
  return {
    dev_stores: stores(kind("dev_stores"), DEV_STORES.map(([num, name]) => [`dev-${num}`, name]), () => "Development"),
    managed_stores: stores(kind("managed_stores"), CLIENT_STORES.map((name, i) => [seq("mgd", i), name]), () => r.pick(["Basic", "Grow", "Grow", "Advanced"])),
    plus_stores: stores(kind("plus_stores"), PLUS_STORES.map((name, i) => [seq("plus", i), name]), () => "Plus sandbox"),
  };
}

function amilia(r, staff, weekStart) {
  const ids = staff.map((s) => s.id);
  const clients = people(r, 20, LAST_QC, ["videotron.ca", "gmail.com", "hotmail.com", "sympatico.ca"]);
  const transactions = Array.from({ length: 30 }, (_, i) => {
    const [activity, price] = r.pick(ACTIVITIES);
    return {
      id: seq("txn", i), amount: price, activity, client: r.pick(clients).name, method: r.pick(["Débit", "Crédit", "Crédit", "Comptant"]),
      date: day(addDays(weekStart, -14 + Math.floor(i / 2.2))), admin_id: ids[i % ids.length],
    };
  });
  return { transactions };
}

export function seedData(preset, policy, { weekStart }) {
  const business = BUSINESS[preset];
  if (!business) throw new Error(`unknown preset: ${preset}`);
  const r = prng(hash(preset));
  const staff = policy.staff.filter((s) => s.active !== false);
  const kinds = policy.catalog.kinds ?? [];
  const built = {
    sitee: () => sitee(r, staff, weekStart),
    ecwid: () => ecwid(r, weekStart),
    "shopify-partner": () => shopifyPartner(r, staff, kinds),
    amilia: () => amilia(r, staff, weekStart),
    lightspeed: () => ({}),
  }[preset]();
  return { business, records: Object.fromEntries(kinds.map((k) => [k.name, built[k.name] ?? []])) };
}
