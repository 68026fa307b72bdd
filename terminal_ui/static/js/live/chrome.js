// The header every page shares: the language switch and the connection dot and banner (offline, refused,
// or, on the consoles, the sync between several server processes interrupted).
import { applyI18n, errorText, lang, nextLang, onLangChange, setLang, t } from "../core/i18n.js";

/** Wire the language switch of the page header and translate the static texts. */
export function chrome() {
  const sw = document.getElementById("lang-switch");
  if (sw && !sw._wired) {
    sw._wired = true;
    const label = () => {
      const next = nextLang();
      sw.textContent = next.name;
      sw.setAttribute("lang", next.code === "zh" ? "zh-CN" : next.code);
      sw.setAttribute("aria-label", next.switch);
    };
    label();
    sw.addEventListener("click", () => setLang(nextLang().code));
    onLangChange(label);
  }
  if (document.documentElement.dataset.lang !== lang()) applyI18n(document);
}

function bannerText(client) {
  const st = client.status;
  if (st === "offline" || (st === "connecting" && client.everOnline)) return [t("conn.banner_offline"), "offline"];
  const why = client.refusal;
  if (st === "refused" && why && why.error !== "revoked" && why.error !== "unauthenticated") {
    return [errorText(why), "refused"];
  }
  if (st === "online" && client.syncLost) return [t("conn.banner_sync"), "offline"];
  return [null, "offline"];
}

/** The connection banner and the status dot follow the live client. */
export function connectionIndicator(client) {
  const banner = document.getElementById("conn-banner");
  const dot = document.getElementById("conn-dot");
  const show = () => {
    if (dot) {
      dot.dataset.state = client.status;
      dot.title = t(`conn.${client.status}`);
      dot.setAttribute("aria-label", t(`conn.${client.status}`));
    }
    if (!banner) return;
    const [text, cls] = bannerText(client);
    banner.hidden = !text;
    banner.className = `banner ${cls}`;
    banner.textContent = text || "";
  };
  client.on("status", show);
  client.on("sync", show);
  onLangChange(show);
  show();
}
