// The audit log of the sitting, newest first, and a check of its hash chain.
import { api } from "../core/api.js";
import { h, headRow } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { Panel } from "../core/panel.js";
import { get, guarded, loadAudit } from "./data.js";

let check = null; // the answer of the last chain check

function verdict() {
  if (!check) return null;
  return h("p", { class: `notice ${check.ok ? "ok" : "danger"}`, role: "status" },
    check.ok ? t("clerk.chain_ok", { n: check.entries }) : t("clerk.chain_broken", { id: check.broken_id, reason: check.reason || "" }));
}

export function auditPanel(el) {
  const panel = new Panel({
    el,
    reads: ["audit"],
    key: () => [get("audit"), check],
    build: () => {
      const verify = async () => {
        const out = await guarded(() => api("GET", "/api/audit/verify"));
        if (out) { check = out; panel.draw(); }
      };
      const entries = (get("audit") && get("audit").entries) || [];
      return [
        h("div", { class: "panel-head" }, h("p", { class: "muted" }, t("clerk.audit_help")), h("div", { class: "form-row" },
          h("button", { class: "btn ghost", onclick: loadAudit }, t("common.refresh")),
          h("button", { class: "btn secondary", onclick: verify }, t("clerk.verify_chain")))),
        verdict(),
        h("table", { class: "data-table audit" },
          headRow(["clerk.audit_id", "clerk.audit_at", "clerk.audit_actor", "clerk.audit_action", "clerk.audit_hash"], t),
          h("tbody", {}, entries.map((e) => h("tr", {}, h("td", { class: "num" }, e.id), h("td", {}, String(e.at).replace("T", " ").slice(0, 19)),
            h("td", {}, e.actor), h("td", {}, e.action), h("td", { class: "mono small" }, (e.hash || "").slice(0, 12)))))),
      ];
    },
  });
  return panel;
}
