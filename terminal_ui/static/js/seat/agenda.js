// The sitting's agenda on the tablet, folded under the results: each item's number, title and status,
// and for an item withdrawn (撤回) the reason stated. A new withdrawal unfolds it once; after that it
// stays as the member left it, whatever the agenda's next change.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { withdrawnNote } from "../views/withdraw.js";

export function agendaPanel(client, el) {
  const items = () => ((client.state && client.state.agenda) || { items: [] }).items || [];
  const current = () => ((client.state && client.state.agenda) || {}).current_item_id;
  const shown = new Set(); // withdrawn items the member has been shown
  let open = false; // as the member left it
  return new Panel({
    el,
    reads: ["agenda"],
    key: () => [items().map((i) => [i.id, i.position, i.title, i.status, i.withdrawn_reason]), current()],
    build: () => {
      if (!items().length) return [];
      const fresh = items().filter((i) => i.status === "withdrawn" && !shown.has(i.id));
      fresh.forEach((i) => shown.add(i.id));
      if (fresh.length) open = true;
      const folder = h("details", { class: "card seat-agenda", open },
        h("summary", {}, t("seat.agenda_of_sitting", { n: items().length })),
        h("ol", { class: "plain" }, items().map((i) => h("li", { class: `st-${i.status}` },
          h("span", { class: "agenda-no" }, i.position),
          h("span", { class: "grow agenda-title" }, i.title),
          h("span", { class: `status-tag st-${i.status}` }, t(`item.${i.status}`)),
          withdrawnNote(i)))));
      folder.addEventListener("toggle", () => { open = folder.open; });
      return folder;
    },
  });
}
