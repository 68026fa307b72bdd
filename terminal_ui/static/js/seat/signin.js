// Signing in: a member (or an observer) signs in on the tablet before voting.
import { h } from "../core/dom.js";
import { t } from "../core/i18n.js";
import { ackOk, toast } from "../core/notify.js";
import { Panel } from "../core/panel.js";

/** The sign-in button's action: sign in (retried until answered), then show it at once. */
export function signIn(client) {
  return async (e) => {
    const btn = e.currentTarget;
    btn.disabled = true;
    const ack = await client.call("sign_in", {}, { retry: true });
    btn.disabled = false;
    if (ackOk(ack)) {
      client.setLocal("me", { ...client.state.me, signed_in: true, attendance: "present" });
      toast(t("seat.signed_in"), "ok");
    }
  };
}

export function signinPanel(client, el) {
  const need = () => {
    const s = client.state;
    if (!s) return false;
    const me = s.me || {};
    const closed = s.sitting && s.sitting.status === "closed";
    return !me.signed_in && !closed && (me.entitled || me.role === "observer");
  };
  const attendance = () => client.state && client.state.me && client.state.me.attendance;
  return new Panel({
    el,
    reads: ["me", "sitting"],
    key: () => [need(), attendance()],
    build: () => {
      if (!need()) return [];
      return h("div", { class: "card signin-card" },
        h("div", {},
          h("h2", {}, t("seat.signin_title")),
          h("p", { class: "muted" }, t("seat.signin_help")),
          attendance() === "leave" ? h("p", { class: "muted" }, t("seat.on_leave")) : null),
        h("button", { class: "btn primary huge", id: "signin-btn", "data-fk": "signin", onclick: signIn(client) },
          t("seat.signin")));
    },
  });
}
