// The start-up every live page shares: the header, the staff login gate, the live connection with
// its banner, the panels it feeds, and the countdowns ticking from the server's clock.
import { logout } from "../core/api.js";
import { h } from "../core/dom.js";
import { errorText } from "../core/i18n.js";
import { mount } from "../core/panel.js";
import { tickCountdowns } from "../views/countdown.js";
import { LiveClient } from "./client.js";
import { chrome, connectionIndicator } from "./chrome.js";
import { staffGate } from "./gate.js";

/** The sitting asked for in the address (?sitting=12), or null for the server's choice. */
export function sittingFromUrl() {
  const sid = parseInt(new URLSearchParams(location.search).get("sitting"), 10);
  return Number.isFinite(sid) ? sid : null;
}

/**
 * The header names the body and the sitting a console drives (``sitting`` of the snapshot, or of the
 * sitting list before it connects), always: a chair serving two bodies sees which hall this is.
 */
export function sittingHeader(sitting, bodyName = "") {
  const el = document.getElementById("top-title");
  if (!el) return;
  const body = (sitting && sitting.body && sitting.body.name) || bodyName;
  el.replaceChildren(
    ...(body ? [h("span", { class: "top-body", id: "top-body" }, body)] : []),
    h("span", { class: "top-sitting", id: "top-sitting" }, (sitting && sitting.title) || ""));
  el.title = [body, sitting && sitting.title].filter(Boolean).join(" · ");
}

/**
 * A staff console: the header, then the login gate for ``roles``; resolves with the session. The
 * header shows who is logged in and a logout button where the page has one.
 */
export async function staffPage({ roles, login = "login", app }) {
  chrome();
  const out = document.getElementById("logout");
  if (out) out.addEventListener("click", logout);
  const who = await staffGate(document.getElementById(login), document.getElementById(app), roles);
  const whoEl = document.getElementById("who");
  if (whoEl) whoEl.textContent = who.name || "";
  if (out) out.hidden = false;
  return who;
}

/**
 * A terminal on a planned sitting while another sitting of its body is open (``sitting.moved_to``, from
 * the event sitting_moved or any snapshot) joins that one, without a reload; the address follows.
 */
function followOpened(client) {
  client.on("state", (state, changed) => {
    const s = state && state.sitting;
    if (!client.follow || !changed.has("sitting") || !s || s.status !== "planned" || s.moved_to == null) return;
    if (state.ballot && state.ballot.status === "open") return; // never away from an open ballot by itself
    client.reconnect({ sittingId: s.moved_to });
    if (!new URLSearchParams(location.search).has("sitting")) return;
    const url = new URL(location.href);
    url.searchParams.set("sitting", String(s.moved_to));
    history.replaceState(null, "", url);
  });
}

/**
 * Connect ``client`` and feed ``panels`` (with the page's own ``stores``). A staff page reloads when
 * its session has ended (the login gate shows again); before the first snapshot a refusal is shown
 * by ``refused(text, why)``. ``onTick`` runs every second after the countdowns. With ``connect: false``
 * the page connects later (client.reconnect). Returns how to stop: disconnect, and draw no more.
 */
export function goLive(client, { panels = [], stores = [], staff = true, refused = null, onTick = null, connect = true } = {}) {
  connectionIndicator(client);
  followOpened(client);
  client.on("refused", (why) => {
    if (staff && why.error === "unauthenticated") location.reload();
    else if (refused && !client.state) refused(errorText(why), why);
  });
  const unmount = mount(panels, client, ...stores);
  const timer = setInterval(() => {
    if (!client.state) return;
    tickCountdowns(client);
    if (onTick) onTick();
  }, 1000);
  if (connect) client.connect();
  return () => {
    clearInterval(timer);
    unmount();
    client.close();
  };
}

export { LiveClient };
