// A select of the body's sittings; choosing one reconnects the console to it (and keeps it in the URL).
import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { fmtDate } from "../core/format.js";
import { t } from "../core/i18n.js";

async function fill(sel, currentId) {
  const { bodies } = await api("GET", "/api/bodies");
  const groups = await Promise.all(bodies.map(async (b) => ({
    body: b, sittings: (await api("GET", `/api/bodies/${b.id}/sittings`)).sittings })));
  for (const g of groups) {
    const og = h("optgroup", { label: g.body.name });
    for (const s of g.sittings) og.append(h("option", { value: String(s.id) }, t("common.noted", { text: s.title, note: fmtDate(s.date) })));
    sel.append(og);
  }
  sel.value = String(currentId);
  sel.disabled = groups.every((g) => g.sittings.length <= 1) && groups.length <= 1;
}

export function sittingPicker(client, currentId) {
  const sel = h("select", { id: "sitting-select", "data-fk": "sitting-select", disabled: true });
  const wrap = h("div", { class: "sitting-picker" }, h("label", { for: "sitting-select" }, t("common.choose_sitting")), sel);
  fill(sel, currentId).catch(() => { wrap.hidden = true; });
  sel.addEventListener("change", () => {
    const id = parseInt(sel.value, 10);
    const url = new URL(location.href);
    url.searchParams.set("sitting", String(id));
    history.replaceState(null, "", url);
    client.follow = false; // a sitting chosen here is kept, even a planned one while another is open
    client.reconnect({ sittingId: id });
  });
  return wrap;
}
