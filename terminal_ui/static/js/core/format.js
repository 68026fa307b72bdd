// Times, dates and sizes as the pages show them.
import { locale } from "./i18n.js";

/** Dates and times in English as in Britain: 24-hour clock, day before month. */
const dateLocale = () => (locale() === "en" ? "en-GB" : locale());

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
  return d.toLocaleTimeString(dateLocale(), { hour: "2-digit", minute: "2-digit" });
}

/** A calendar date (YYYY-MM-DD, or the date of an ISO timestamp) in the language's long form. */
export function fmtDate(isoDate) {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.slice(0, 10).split("-").map(Number);
  return new Intl.DateTimeFormat(dateLocale(), { dateStyle: "long", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
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
