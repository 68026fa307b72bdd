// What the clerk's console has loaded over HTTP, as one Store the panels read: the bodies and the one
// chosen, its people, sittings and devices, the chosen sitting's agenda (with ballots, specs and
// rounds), the results of its closed rounds and its audit log. Loading is here, drawing is not.
import { api, failText } from "../core/api.js";
import { toast } from "../core/notify.js";
import { Store } from "../core/store.js";

const BODY_KEY = "biaojue.clerk.body";
const SITTING_KEY = "biaojue.clerk.sitting";

export const data = new Store({
  bodies: [],
  bodyId: parseInt(localStorage.getItem(BODY_KEY), 10) || null,
  sittings: [],
  sittingId: null,
  people: [],
  agenda: null,
  devices: [],
  pinLockouts: [], // seats with wrong PINs lately: [{seat, person_id, name, failures, sources}]
  results: {}, // ballot_id -> the results answer
  audit: null,
  users: [], // staff accounts (the administrator's): [{id, username, role, active, bodies, person_id, person}]
  role: null, // the signed-in role (clerk or admin): what the console offers follows it
});

export const get = (key) => data.get(key);

/** Run a request; a refusal becomes a toast. Resolves with the answer, or undefined after a refusal. */
export async function guarded(fn, okText) {
  try {
    const out = await fn();
    if (okText) toast(okText, "ok");
    return out;
  } catch (ex) {
    toast(failText(ex), "error", 9000);
    return undefined;
  }
}

export const body = () => get("bodies").find((b) => b.id === get("bodyId")) || null;
export const sitting = () => get("sittings").find((s) => s.id === get("sittingId")) || null;

async function loadBodies() {
  const bodies = (await api("GET", "/api/bodies")).bodies;
  let bodyId = get("bodyId");
  if (!bodies.find((b) => b.id === bodyId)) bodyId = bodies.length ? bodies[0].id : null;
  if (bodyId) localStorage.setItem(BODY_KEY, String(bodyId));
  data.set({ bodies, bodyId });
}

export async function loadPeople() {
  const id = get("bodyId");
  data.set({ people: id ? (await api("GET", `/api/bodies/${id}/people`)).people : [] });
}

export async function loadSittings() {
  const id = get("bodyId");
  const sittings = id ? (await api("GET", `/api/bodies/${id}/sittings`)).sittings : [];
  const wanted = parseInt(new URLSearchParams(location.search).get("sitting"), 10)
    || parseInt(localStorage.getItem(SITTING_KEY), 10) || get("sittingId");
  const chosen = sittings.find((s) => s.id === wanted)
    || sittings.find((s) => s.status === "open") || sittings.find((s) => s.status === "planned") || sittings[0];
  data.set({ sittings, sittingId: chosen ? chosen.id : null });
}

/** The list of sittings again (after one was corrected or deleted, here or on another console): the
 * sitting worked on stays chosen while it exists, and its agenda follows. */
export async function reloadSittings() {
  const before = get("sittingId");
  await loadSittings();
  const now = get("sittingId");
  if (now !== before) {
    if (now) await chooseSitting(now);
    else data.set({ agenda: null });
  } else if (now) await loadAgenda();
}

export async function loadAgenda() {
  const id = get("sittingId");
  data.set({ agenda: id ? await api("GET", `/api/sittings/${id}/agenda`) : null });
}

export async function loadDevices() {
  const id = get("bodyId");
  if (!id) return;
  await guarded(async () => {
    const out = await api("GET", `/api/bodies/${id}/devices`);
    data.set({ devices: out.devices, pinLockouts: out.pin_lockouts || [] });
  });
}

export async function loadAudit() {
  const id = get("sittingId");
  if (!id) return;
  await guarded(async () => data.set({ audit: await api("GET", `/api/audit?sitting_id=${id}&limit=100`) }));
}

/** The ballots of the agenda with at least one closed round. */
export function closedBallots() {
  const agenda = get("agenda");
  if (!agenda) return [];
  return agenda.items.flatMap((i) => i.ballots.map((b) => ({ ...b, item: i })))
    .filter((b) => b.rounds.some((r) => r.status === "closed"));
}

export async function loadAllResults() {
  const ids = closedBallots().map((b) => b.id);
  if (!get("agenda")) return;
  await guarded(async () => {
    const answers = await Promise.all(ids.map((id) => api("GET", `/api/ballots/${id}/results`)));
    const results = { ...get("results") };
    for (const a of answers) results[a.ballot.id] = a;
    data.set({ results });
  });
}

/** Everything of the chosen body: its people, its sittings and the chosen sitting's agenda. */
export async function loadBody() {
  await guarded(async () => {
    await Promise.all([loadPeople(), loadSittings()]);
    await loadAgenda();
  });
}

export async function refreshAll() {
  await guarded(loadBodies);
  await loadBody();
}

export function chooseBody(id) {
  localStorage.setItem(BODY_KEY, String(id));
  localStorage.removeItem(SITTING_KEY);
  data.set({ bodyId: id });
}

export function chooseSitting(id) {
  localStorage.setItem(SITTING_KEY, String(id));
  const url = new URL(location.href);
  url.searchParams.set("sitting", String(id));
  history.replaceState(null, "", url);
  data.set({ sittingId: id, results: {}, audit: null });
  return guarded(loadAgenda);
}
