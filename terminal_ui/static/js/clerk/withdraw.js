// The clerk's withdraw (撤回) action on an agenda item or ballot: shown only where it is allowed (the
// clerk, not the administrator; a sitting not closed; nothing with a result), sent over HTTP.
import { api, failText } from "../core/api.js";
import { canWithdrawBallot, canWithdrawItem, withdrawButton } from "../views/withdraw.js";
import { get, guarded, loadAgenda } from "./data.js";

/** The "撤回" button of ``x`` (kind "item" or "ballot"), or null where it may not be withdrawn. */
export function withdrawAction(kind, x) {
  const agenda = get("agenda");
  const status = agenda && agenda.sitting ? agenda.sitting.status : null;
  if (get("role") !== "clerk") return null;
  if (!(kind === "item" ? canWithdrawItem(x, status) : canWithdrawBallot(x, status))) return null;
  return withdrawButton({ kind, id: x.id, title: x.title }, async (reason) => {
    try {
      await api("POST", `/api/${kind}s/${x.id}/withdraw`, { reason });
    } catch (ex) {
      return failText(ex);
    }
    await guarded(loadAgenda);
    return null;
  });
}
