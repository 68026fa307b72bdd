// The results of the sitting so far, folded under the current item.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { verdictPill } from "../views/labels.js";

export function resultsPanel(client, el) {
  const results = () => (client.state && client.state.results) || [];
  return new Panel({
    el,
    reads: ["results"],
    key: results,
    build: () => {
      if (!results().length) return [];
      return h("details", { class: "card results-list" },
        h("summary", {}, t("seat.results_of_sitting", { n: results().length })),
        h("ul", {}, results().map((r) => h("li", {},
          h("span", {}, r.title, r.round > 1 ? ` (${t("ballot.round_n", { n: r.round })})` : ""),
          verdictPill(r.outcome)))));
    },
  });
}
