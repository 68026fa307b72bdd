// The side navigation's context: which body and which sitting the console works on.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { sittingHeader } from "../live/start.js";
import { chooseBody, chooseSitting, get, loadBody, sitting } from "./data.js";

async function switchBody(id) {
  chooseBody(id);
  await loadBody();
  if (get("sittingId")) chooseSitting(get("sittingId"));
}

function selects() {
  const bodies = get("bodies");
  const sittings = get("sittings");
  const bodySel = h("select", { id: "ctx-body", "data-fk": "ctx-body", onchange: (e) => switchBody(parseInt(e.target.value, 10)) },
    bodies.map((b) => h("option", { value: String(b.id), selected: b.id === get("bodyId") }, b.name)));
  const sitSel = h("select", { id: "ctx-sitting", "data-fk": "ctx-sitting", disabled: !sittings.length,
    onchange: (e) => chooseSitting(parseInt(e.target.value, 10)) },
  sittings.map((x) => h("option", { value: String(x.id), selected: x.id === get("sittingId") }, t("common.noted", { text: x.title, note: t(`sitting.${x.status}`) }))));
  return [
    h("div", {}, h("label", { for: "ctx-body" }, t("clerk.body")), bodies.length ? bodySel : h("span", { class: "muted" }, t("clerk.no_body"))),
    h("div", {}, h("label", { for: "ctx-sitting" }, t("clerk.sitting")),
      sittings.length ? sitSel : h("span", { class: "muted" }, t("clerk.no_sitting"))),
  ];
}

export function contextPanel(el) {
  return new Panel({
    el,
    reads: ["bodies", "bodyId", "sittings", "sittingId"],
    key: () => [get("bodies").map((b) => [b.id, b.name]), get("bodyId"),
      get("sittings").map((x) => [x.id, x.title, x.status]), get("sittingId")],
    build: selects,
  });
}

/** The page title: the sitting on screen (from the live state once connected). */
export function titlePanel(client) {
  const title = () => {
    const s = (client.state && client.state.sitting) || sitting();
    return s ? s.title : "";
  };
  return new Panel({
    reads: ["sitting", "sittings", "sittingId", "bodies", "bodyId"],
    key: () => [title(), get("bodyId"), get("bodies").map((b) => b.name)],
    build: () => {
      const body = get("bodies").find((b) => b.id === get("bodyId"));
      sittingHeader((client.state && client.state.sitting) || sitting(), body ? body.name : "");
      document.title = `${t("clerk.page_title")}${title() ? ` · ${title()}` : ""}`;
    },
  });
}
