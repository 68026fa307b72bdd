// The plural form of a counted text, by the catalogue's own gettext rule (its Plural-Forms header,
// e.g. "(n != 1)"): a small evaluator of that C-like expression — numbers, n, ! % < > <= >= == !=
// && || ?: and parentheses — so no catalogue text is ever run as code.

const TOKEN = /\s*(\d+|n|\|\||&&|==|!=|<=|>=|[<>%!?:()])/y;

function tokens(expr) {
  const out = [];
  TOKEN.lastIndex = 0;
  while (expr.slice(TOKEN.lastIndex).trim() !== "") {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expr);
    if (!m) throw new SyntaxError(`bad plural rule at ${at}: ${expr}`);
    out.push(m[1]);
  }
  return out;
}

const BINARY = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["%"]];
const APPLY = {
  "||": (a, b) => a || b, "&&": (a, b) => a && b, "==": (a, b) => a === b, "!=": (a, b) => a !== b,
  "<": (a, b) => a < b, ">": (a, b) => a > b, "<=": (a, b) => a <= b, ">=": (a, b) => a >= b, "%": (a, b) => a % b,
};

/** A function n -> the index of its plural form, from a gettext plural expression. */
export function pluralRule(expr) {
  const ts = tokens(expr);
  let i = 0;
  const next = () => ts[i++];
  const expect = (t) => { if (next() !== t) throw new SyntaxError(`bad plural rule: ${expr}`); };
  const primary = () => {
    const t = next();
    if (t === "(") { const e = ternary(); expect(")"); return e; }
    if (t === "!") { const e = primary(); return (n) => Number(!e(n)); }
    if (t === "n") return (n) => n;
    if (/^\d+$/.test(t || "")) return () => Number(t);
    throw new SyntaxError(`bad plural rule: ${expr}`);
  };
  const binary = (level) => {
    if (level === BINARY.length) return primary();
    let left = binary(level + 1);
    while (BINARY[level].includes(ts[i])) {
      const op = next();
      const a = left;
      const b = binary(level + 1);
      left = (n) => Number(APPLY[op](a(n), b(n)));
    }
    return left;
  };
  function ternary() {
    const cond = binary(0);
    if (ts[i] !== "?") return cond;
    next();
    const yes = ternary();
    expect(":");
    const no = ternary();
    return (n) => (cond(n) ? yes(n) : no(n));
  }
  const rule = ternary();
  if (i !== ts.length) throw new SyntaxError(`bad plural rule: ${expr}`);
  return rule;
}
