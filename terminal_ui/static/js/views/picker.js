// The sittings a console may drive: a select of its bodies' sittings (each with its state); choosing one
// reconnects the console to it (and keeps it in the URL). The notice that another sitting of the body
// has opened, with the offer to switch there: a console never switches by itself once a sitting was
// picked, nor while a ballot is open on its own one.
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";

async function fill(sel, currentId) {
  const { bodies } = await api("GET", "/api/bodies");
  const groups = await Promise.all(bodies.map(async (b) => ({
    body: b, sittings: (await api("GET", `/api/bodies/${b.id}/sittings`)).sittings })));
  for (const g of groups) {
    const og = h("optgroup", { label: g.body.name });
    for (const s of g.sittings) {
      og.append(h("option", { value: String(s.id), "data-status": s.status },
        t("common.noted", { text: s.title, note: `${t(`sitting.${s.status}`)} · ${fmtDate(s.date)}` })));
    }
    sel.append(og);
  }
  sel.value = String(currentId);
  sel.disabled = groups.every((g) => g.sittings.length <= 1) && groups.length <= 1;
}

/** Drive sitting ``id`` from now on: the address names it, and the console stays there. */
function switchTo(client, id) {
  const url = new URL(location.href);
  url.searchParams.set("sitting", String(id));
  history.replaceState(null, "", url);
  client.follow = false; // a sitting chosen here is kept, even a planned one while another is open
  client.reconnect({ sittingId: id });
}

export function sittingPicker(client, currentId) {
  const sel = h("select", { id: "sitting-select", "data-fk": "sitting-select", disabled: true });
  const wrap = h("div", { class: "sitting-picker" }, h("label", { for: "sitting-select" }, t("common.choose_sitting")), sel);
  fill(sel, currentId).catch(() => { wrap.hidden = true; });
  sel.addEventListener("change", () => switchTo(client, parseInt(sel.value, 10)));
  return wrap;
}

/** Where the console could go instead: the open sitting of its body it does not follow by itself. */
function elsewhere(client) {
  const state = client.state || {};
  const s = state.sitting;
  if (!s) return null;
  if (s.opened_elsewhere) return s.opened_elsewhere;
  if (s.moved_to != null && !client.follow) return { id: s.moved_to, title: null };
  return null;
}

/** The notice in ``el``: "…已开会", the offer to switch, and while a ballot is open here, that it stays. */
export function elsewherePanel(client, el) {
  const ballotOpen = () => Boolean(client.state && client.state.ballot && client.state.ballot.status === "open");
  return new Panel({
    el,
    reads: ["sitting", "ballot"],
    key: () => [elsewhere(client), ballotOpen()],
    build: () => {
      const other = elsewhere(client);
      el.hidden = !other;
      if (!other) return null;
      return h("div", { class: "notice elsewhere", role: "status", "data-sitting": String(other.id) },
        h("p", {}, other.title ? t("common.opened_elsewhere", { title: other.title }) : t("common.opened_elsewhere_untitled")),
        ballotOpen() ? h("p", { class: "small" }, t("common.switch_after_ballot")) : null,
        h("button", { class: "btn primary small", "data-fk": "switch-sitting", onclick: () => switchTo(client, other.id) },
          t("common.switch_to_sitting")));
    },
  });
}
