// The pages' words. Every text comes from the server's message catalogue for one language
// (GET /i18n/<lang>.json: the Babel catalogues of terminal_ui/translations with the labels of
// ballots.labels merged in). Static texts in templates carry data-i18n="key" (and
// data-i18n-attr="attr:key,..." for attributes); scripts call t("key", {n: 3}).
//
// The choice of language is kept in localStorage and in the `lang` cookie (the server renders the
// templates and its own messages in the cookie's language).

import { pluralRule } from "./plural.js";

const cache = new Map();
const listeners = [];
let current = null;
let catalogue = { lang: "zh", plural: "0", languages: {}, messages: {} };
let pluralIndex = () => 0;

async function fetchCatalogue(code) {
  if (!cache.has(code)) {
    const r = await fetch(`/i18n/${encodeURIComponent(code)}.json`, { credentials: "same-origin" });
    if (!r.ok) throw new Error(`no catalogue for ${code}: HTTP ${r.status}`);
    cache.set(code, await r.json());
  }
  return cache.get(code);
}

function savedLang() {
  try {
    return localStorage.getItem("lang");
  } catch (_) {
    return null; // private mode: the cookie still remembers
  }
}

function remember(code) {
  try {
    localStorage.setItem("lang", code);
  } catch (_) {
    // private mode: the cookie still remembers
  }
  document.cookie = `lang=${code}; path=/; max-age=31536000; SameSite=Lax`;
}

/** The language the server rendered the page in (data-lang on <html>); a choice saved here wins. */
async function start() {
  const rendered = document.documentElement.dataset.lang || "zh";
  const wanted = savedLang() || rendered;
  try {
    use(await fetchCatalogue(wanted));
  } catch (_) {
    use(await fetchCatalogue(rendered));
  }
  if (current !== rendered) remember(current);
}

function use(found) {
  catalogue = found;
  current = found.lang;
  pluralIndex = pluralRule(found.plural);
}

await start();

export function lang() {
  return current;
}

/** The BCP 47 tag of the current language (dates, plural rules, the page's lang attribute). */
export function locale() {
  return current === "zh" ? "zh-CN" : current;
}

/** Whether the catalogue has a text for ``key``. */
export function has(key) {
  return key in catalogue.messages;
}

/** Fill {name} placeholders of ``text`` from ``vars``. */
function format(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** The plural form of a counted text for the number ``n``, by the catalogue's Plural-Forms rule. */
function pluralForm(forms, n) {
  return forms[pluralIndex(Math.abs(Math.trunc(Number(n) || 0)))] ?? forms[forms.length - 1];
}

/** The text of ``key`` in the current language, with {name} placeholders filled from ``vars``. */
export function t(key, vars = {}) {
  const found = catalogue.messages[key];
  if (found === undefined) return key;
  return format(Array.isArray(found) ? pluralForm(found, vars.n) : found, vars);
}

/** A server text given in both languages. */
export function pick(zh, en) {
  return current === "en" && en ? en : zh || en || "";
}

/** The message of a refusal ({message, message_zh, message_en}) in the current language. */
export function errorText(err) {
  if (!err) return "";
  if (current === "en") return err.message_en || err.message || err.error || "";
  return err.message_zh || err.message || err.message_en || err.error || "";
}

/** The language after the current one (the header's switch offers it) with its own name. */
export function nextLang() {
  const codes = Object.keys(catalogue.languages);
  const code = codes[(codes.indexOf(current) + 1) % codes.length] || current;
  return { code, ...(catalogue.languages[code] || { name: code, switch: code }) };
}

export async function setLang(code) {
  use(await fetchCatalogue(code));
  remember(current);
  applyI18n(document);
  for (const fn of [...listeners]) fn(current);
}

/** Call ``fn`` after every change of language; returns how to stop. */
export function onLangChange(fn) {
  listeners.push(fn);
  return () => {
    const at = listeners.indexOf(fn);
    if (at >= 0) listeners.splice(at, 1);
  };
}

/** Translate the static texts of ``root`` and set the document's language. */
export function applyI18n(root = document) {
  document.documentElement.lang = locale();
  document.documentElement.dataset.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const key = el.dataset.i18n;
    if (key) el.textContent = t(key);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(",")) {
      const [attr, key] = pair.split(":");
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/**
 * How a body names its voting members, in the current language: ``bodyWord(body.words)`` is 代表 under
 * the plenary preset, 组成人员 for a standing committee. ``key``: member, members, all or roster. The
 * words are the body's rule's (ballots/words.py), sent with the body (``words``); they are data, not
 * page texts.
 */
export function bodyWord(words, key = "member") {
  const w = words || {};
  const zhKey = key === "members" ? "member" : key;
  return (current === "en" ? w[`${key}_en`] : w[`${zhKey}_zh`]) || "";
}
