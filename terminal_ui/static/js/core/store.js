// A page's own state (what it loaded over HTTP, what the user is editing), with the same change
// events as the live client: on("state", (state, changed) => …), where changed names the keys set.

export class Store {
  constructor(initial = {}) {
    this.state = { ...initial };
    this._handlers = [];
  }

  on(name, fn) {
    if (name === "state") this._handlers.push(fn);
    return this;
  }

  off(name, fn) {
    this._handlers = this._handlers.filter((x) => x !== fn);
    return this;
  }

  get(key) {
    return this.state[key];
  }

  /** Set some keys and tell every listener which ones. */
  set(patch) {
    Object.assign(this.state, patch);
    const changed = new Set(Object.keys(patch));
    for (const fn of this._handlers) fn(this.state, changed);
  }
}
