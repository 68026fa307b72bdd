// The staff login gate: the console shows only once someone with a permitted role is logged in.
import { api, failText, session } from "../core/api.js";
import { h } from "../core/dom.js";
import { onLangChange, t } from "../core/i18n.js";

const ROLE_KEYS = { admin: "role.admin", chair: "role.chair", clerk: "role.clerk", display: "role.display" };

function roleName(role) {
  return t(ROLE_KEYS[role] || "role.other");
}

function loginForm(s, roles, onSubmit) {
  const user = h("input", { id: "login-user", name: "username", autocomplete: "username", required: true });
  const pass = h("input", { id: "login-pass", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const err = h("p", { class: "form-error", role: "alert" });
  const wrong = s.role !== "anonymous" && !roles.includes(s.role)
    ? h("p", { class: "notice warn" }, t("login.wrong_role", { role: roleName(s.role) }))
    : null;
  const form = h("form", { class: "card login-card", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, t("login.title")),
    h("p", { class: "muted" }, t("login.for", { roles: roles.map(roleName).join(t("list.sep")) })),
    wrong,
    h("label", { for: "login-user" }, t("login.username")), user,
    h("label", { for: "login-pass" }, t("login.password")), pass,
    err,
    h("button", { class: "btn primary big", type: "submit" }, t("login.submit")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    try {
      await onSubmit(user.value.trim(), pass.value);
    } catch (ex) {
      err.textContent = failText(ex);
      pass.value = "";
      pass.focus();
    }
  });
  return { form, user };
}

/**
 * Resolves with the staff session once someone with one of ``roles`` is logged in; until then shows
 * a login form in ``box`` (and hides ``main``).
 */
export async function staffGate(box, main, roles) {
  let s = await session();
  const open = () => {
    box.hidden = true;
    main.hidden = false;
  };
  if (roles.includes(s.role)) {
    open();
    return s;
  }
  main.hidden = true;
  box.hidden = false;
  return new Promise((resolve) => {
    const render = () => {
      const { form, user } = loginForm(s, roles, async (username, password) => {
        await api("POST", "/api/login", { username, password });
        s = await session();
        if (!roles.includes(s.role)) return render();
        open();
        return resolve(s);
      });
      box.replaceChildren(form);
      user.focus();
    };
    render();
    onLangChange(() => { if (!box.hidden) render(); });
  });
}
