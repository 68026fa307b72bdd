// A panel owns one element of a page. It names the sections of state it reads (live snapshot sections
// such as "ballot", or keys of a page's own Store), and rebuilds its element only when one of them
// changed and what it shows (its key) differs from what it drew last. Children are drawn after their
// parent, into elements the parent may just have rebuilt.
import { region } from "./dom.js";
import { lang, onLangChange } from "./i18n.js";

export class Panel {
  /**
   * @param {object} opts
   * @param {HTMLElement|(() => HTMLElement|null)} [opts.el]  the element, or how to find it after a
   *   redraw (nothing is drawn while it is absent). Without ``el``, ``build`` sets what it owns itself.
   * @param {string[]} opts.reads  the state sections whose change may change the panel
   * @param {() => any} opts.key  what the panel shows, compared with the last drawing
   * @param {() => any} opts.build  the panel's content
   * @param {Panel[]} [opts.children]
   */
  constructor({ el = null, reads, key, build, children = [] }) {
    this.find = el === null ? null : typeof el === "function" ? el : () => el;
    this.reads = reads;
    this.key = key;
    this.build = build;
    this.children = children;
    this.drawn = undefined; // the last key of a panel without an element
  }

  wants(changed) {
    return this.reads.some((name) => changed.has(name));
  }

  /** Rebuild when what the panel shows has changed; then draw the children. */
  draw() {
    const deps = [this.key(), lang()];
    if (this.find) {
      const el = this.find();
      if (el) region(el, deps, this.build);
    } else {
      const key = JSON.stringify(deps);
      if (key !== this.drawn) {
        this.drawn = key;
        this.build();
      }
    }
    for (const child of this.children) child.draw();
  }
}

/**
 * Draw ``panels`` now and whenever a source reports a change of a section they read, or the
 * language changes. A source has on/off("state", (state, changed: Set) => …) (LiveClient, Store).
 * Returns how to stop.
 */
export function mount(panels, ...sources) {
  const draw = (p) => {
    try {
      p.draw();
    } catch (err) {
      setTimeout(() => { throw err; }); // one broken panel must not stop the others (nor the start-up)
    }
  };
  const changed = (_state, names) => {
    for (const p of panels) if (p.wants(names)) draw(p);
  };
  for (const source of sources) source.on("state", changed);
  const stopLang = onLangChange(() => panels.forEach(draw));
  panels.forEach(draw);
  return () => {
    for (const source of sources) source.off("state", changed);
    stopLang();
  };
}
