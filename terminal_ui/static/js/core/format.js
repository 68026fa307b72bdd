// Times, dates and sizes as the pages show them.
import { lang, locale } from "./i18n.js";

export function fmtClock(seconds) {
  if (seconds == null) return "";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** Hours and minutes of a time (an ISO string or a Date). */
export function fmtTime(when) {
  if (!when) return "";
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString(lang() === "en" ? "en-GB" : locale(), { hour: "2-digit", minute: "2-digit" });
}

/** A calendar date (YYYY-MM-DD): 2026年11月25日, or 2026-11-25 in English. */
export function fmtDate(isoDate) {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.slice(0, 10).split("-").map(Number);
  return lang() === "zh" ? `${y}年${m}月${d}日` : `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Date and time of an ISO timestamp. */
export function fmtDateTime(iso) {
  return iso ? `${fmtDate(iso)} ${fmtTime(iso)}` : "";
}

export function fmtSize(n) {
  if (!n) return "";
  return n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

/** The non-empty parts joined with a middle dot: date · place. */
export function dotted(...parts) {
  return parts.filter(Boolean).join(" · ");
}
