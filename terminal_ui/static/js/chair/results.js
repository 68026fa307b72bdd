// The results of the sitting so far, newest first, each with its announcement.
import { h } from "../core/dom.js";
import { fmtTime } from "../core/format.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { verdictPill } from "../views/labels.js";
import { announcement } from "../views/result.js";

function entry(r) {
  return h("li", {}, h("details", {},
    h("summary", {},
      h("span", {}, r.title, r.round > 1 ? ` · ${t("ballot.round_n", { n: r.round })}` : ""),
      verdictPill(r.outcome),
      h("span", { class: "muted small" }, fmtTime(r.closed_at))),
    h("p", { class: "script-text small" }, announcement(r))));
}

export function resultsPanel(client, el) {
  const list = () => (client.state && client.state.results) || [];
  return new Panel({
    el,
    reads: ["results"],
    key: list,
    build: () => (list().length
      ? h("ol", { class: "results-history" }, [...list()].reverse().map(entry))
      : h("p", { class: "muted" }, t("chair.no_results"))),
  });
}
