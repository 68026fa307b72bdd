// HTTP with the staff session's CSRF token (or a tablet's bearer token), and its refusals.
import { errorText, t } from "./i18n.js";

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, data) {
    super((data && (data.message_en || data.message)) || `HTTP ${status}`);
    this.status = status;
    this.data = data || {};
  }

  get text() {
    return errorText(this.data) || `HTTP ${this.status}`;
  }
}

/** What to tell the user when a request failed: the server's refusal, else a network error. */
export function failText(ex) {
  return ex instanceof ApiError ? ex.text : t("error.network");
}

export async function session() {
  const r = await fetch("/api/session", { credentials: "same-origin", cache: "no-store" });
  const data = await r.json();
  csrfToken = data.csrf_token;
  return data;
}

/** JSON request; adds the CSRF token (staff cookie sessions) or a bearer token (tablets). */
export async function api(method, url, body, { token = null, form = null } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (method !== "GET") {
    if (!csrfToken && !token) await session();
    if (csrfToken) headers["X-CSRFToken"] = csrfToken;
  }
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const r = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  let data = null;
  try {
    data = await r.json();
  } catch (_) {
    data = null;
  }
  if (!r.ok) throw new ApiError(r.status, data);
  if (data && data.csrf_token) csrfToken = data.csrf_token;
  return data;
}

export async function logout() {
  try {
    await api("POST", "/api/logout", {});
  } finally {
    location.reload();
  }
}
