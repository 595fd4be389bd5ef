/**
 * LaTeX (and plain-text) answers made comparable: {@link normalizeAnswer} cleans an answer's surface (delimiters,
 * spacing, units, currency, separators, percent), {@link toMathjs} turns one cleaned scalar into mathjs syntax.
 * Structure (lists, sets, intervals, relations) is the job of `answer.ts`; this module only sees text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { normalizeAnswer, toMathjs } from "./latex.ts";
 * assert.equal(normalizeAnswer("$\\dfrac{3}{4}\\text{ cm}.$"), "\\frac{3}{4}");
 * assert.equal(normalizeAnswer("12,000,023"), "12000023");
 * assert.equal(toMathjs("\\frac12\\sqrt{3}"), "((1)/(2)) * sqrt(3)");
 * ```
 *
 * @module
 */

/** The contents of the brace group opening at `open`, and the index after it; null when unbalanced. */
export function braceGroup(text: string, open: number): { content: string; end: number } | null {
  if (text[open] !== "{") return null;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++; // an escaped brace never opens or closes
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return { content: text.slice(open + 1, i), end: i + 1 };
  }
  return null;
}

/** Unit words dropped after a value (`5\text{ cm}`, `125 miles`); `\mathrm{…}` is dropped only for these. */
export const UNIT_WORDS = new Set([
  ..."m cm mm km in ft yd mi g kg mg lb lbs oz s ms h hr hrs min mins sec l ml L mL".split(" "),
  ..."meter meters metre metres centimeter centimeters millimeter millimeters kilometer kilometers".split(" "),
  ..."inch inches foot feet yard yards mile miles gram grams kilogram kilograms pound pounds ounce ounces".split(" "),
  ..."second seconds minute minutes hour hours day days week weeks month months year years".split(" "),
  ..."liter liters litre litres gallon gallons unit units square cubic sq mph kph km/h m/s".split(" "),
  ..."dollar dollars cent cents euro euros degree degrees radian radians rad cal kcal J kJ W kW V A N Pa".split(" "),
]);

/** Words after a number that change what it says (never dropped as units): scale, comparison, negation. */
const NOT_UNITS = new Set(
  ("hundred hundreds thousand thousands million millions billion billions trillion trillions dozen dozens " +
    "squared cubed half halves quarter quarters percent times and or not no more less than at least most " +
    "about over under plus minus each per fewer greater smaller larger bigger higher lower longer shorter older " +
    "younger extra additional maximum minimum max min approximately roughly around nearly almost only exactly " +
    "above below before after ago later earlier off away apart short either neither nor never to from between " +
    "if unless when fold").split(" "),
);

/**
 * Is `word` (one or more words) a unit to drop after a value? Known unit words always; any other plain noun
 * (`5 \text{ apples}`) unless it is a scale or comparison word (`2 \text{ million}`, `5 \text{ or more}`); for
 * `\mathrm{}` only known units, since it also spells constants and variables (`\mathrm{e}`).
 */
function isUnit(word: string, mathish: boolean): boolean {
  if (!/^[a-zA-Z][a-zA-Z .\/]*$/.test(word)) return false;
  const words = word.trim().split(/\s+/).map((w) => w.replace(/\.$/, ""));
  if (words.every((w) => UNIT_WORDS.has(w))) return true;
  if (mathish || words.some((w) => NOT_UNITS.has(w.toLowerCase()))) return false;
  return words.every((w) => w.length > 1);
}

/** What a dropped unit leaves, so a unit's own exponent (`\mbox{ cm}^2`) can go with it and nothing else's. */
const DROPPED_UNIT = "\uE000";

const TEXT_COMMANDS = "text|textnormal|textrm|textbf|textit|textsf|texttt|mbox|hbox|mathrm|operatorname";

/** Remove every `\boxed{…}` / `\fbox{…}` wrapper, keeping its content. */
export function unbox(text: string): string {
  let s = text;
  for (let guard = 0; guard < 50; guard++) {
    const match = /\\(?:boxed|fbox)\s*/.exec(s);
    if (!match) break;
    const group = braceGroup(s, match.index + match[0].length);
    if (!group) {
      s = s.slice(0, match.index) + s.slice(match.index + match[0].length);
      continue;
    }
    s = s.slice(0, match.index) + group.content + s.slice(group.end);
  }
  return s;
}

/** Strip outer math delimiters: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`. */
function stripDelimiters(text: string): string {
  let s = text.trim();
  for (let guard = 0; guard < 5; guard++) {
    const inner = s.match(/^\$\$([\s\S]*)\$\$$/) ?? s.match(/^\\\[([\s\S]*)\\\]$/) ??
      s.match(/^\\\(([\s\S]*)\\\)$/) ?? s.match(/^\$([\s\S]*)\$$/);
    if (!inner) break;
    s = inner[1].trim();
  }
  return s;
}

/** One `\text{…}`-like group: a separator, a unit to drop, or text kept for the parser. */
function textGroup(command: string, content: string, before: string, whole: boolean): string {
  const word = content.trim();
  if (word === "") return " ";
  if (/^(?:and|or)$/i.test(word)) return ` ${word.toLowerCase()} `;
  if (word === ",") return ",";
  if (/^(?:percent(?:age)?|pct|%)$/i.test(word)) return "\\%";
  const afterValue = /[\d})\]a-zA-Z]\s*$/.test(before) && !whole;
  if (afterValue && isUnit(word, command === "mathrm" || command === "operatorname")) return DROPPED_UNIT;
  return `\\text{${word}}`;
}

/**
 * The cleaned surface of one answer: delimiters, boxes, spacing and sizing commands, `\dfrac`-like variants, degrees,
 * currency, units after a value, thousands separators (`1,000`, `1{,}000`, `1,\!000`, `1 000`), a decimal comma
 * (`1000,99`), relation spellings (`>=`, `≥`, `\geq` all become `\ge`) and percent spellings (all become `\%`).
 */
export function normalizeAnswer(raw: string, options: { plain?: boolean } = {}): string {
  let s = stripDelimiters(raw);
  s = unbox(s);
  s = s.replace(/[\u2212\u2013]/g, "-").replace(/×/g, "\\times ").replace(/÷/g, "\\div ").replace(/·/g, "\\cdot ")
    .replace(/π/g, "\\pi ").replace(/∞/g, "\\infty ").replace(/∪/g, "\\cup ").replace(/∈/g, "\\in ")
    .replace(/±/g, "\\pm ").replace(/√/g, "\\sqrt").replace(/≤/g, "\\le ").replace(/≥/g, "\\ge ").replace(/≠/g, "\\ne ")
    .replace(/≈/g, "\\approx ");
  // Thousands groups written for LaTeX, before spacing commands disappear.
  s = s.replace(/(\d)\s*\{\s*,\s*\}\s*(?=\d)/g, "$1").replace(/(\d),\s*\\!\s*(?=\d)/g, "$1").replace(
    /(\d)\\[,!](?=\d{3})/g,
    "$1",
  );
  s = s.replace(/(?<!\\)\$/g, " ").replace(/\\\$/g, " ").replace(/[€£¥₹]/g, " ");
  s = s.replace(/\\(?:left|right|[bB]igg?[lr]?)(?![a-zA-Z])\s*(\.(?!\d))?/g, "");
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![a-zA-Z])/g, "");
  // `\quad` separates; it never joins digit groups into one number (`3 \quad 100` is not 3100).
  s = s.replace(/\\(?:quad|qquad)/g, " \uE001 ").replace(/(?<!\\)\\[,;:! ]|~/g, " ");
  s = s.replace(/\\[dtc]frac(?![a-zA-Z])/g, "\\frac").replace(/\\[dt]binom(?![a-zA-Z])/g, "\\binom");
  s = s.replace(/\\mathbb\s*\{?\s*R\s*\}?/g, "\\R ");
  s = s.replace(/\\(?:mathbf|boldsymbol|bm|mathit|mathsf|mathnormal|mathcal)(?![a-zA-Z])/g, "");
  // Degrees (and °C, °F after them) go; `\pmod{7}` / `(mod 7)` after a residue go (the residue is the answer).
  s = s.replace(
    /(?:\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|°|\\degree(?![a-zA-Z]))(?:\s*(?:\\(?:text|mathrm)\s*\{\s*[CF]\s*\}|[CF](?![a-zA-Z])))?/g,
    "",
  );
  s = s.replace(/\\pmod\s*\{[^{}]*\}|\\pmod\s*\d+|\(\s*(?:\\bmod|\\mod|mod)\s*\d+\s*\)/g, " ");
  s = s.replace(/\\equiv(?![a-zA-Z])/g, "=");
  s = s.replace(/\\(?:lt)(?![a-zA-Z])/g, "<").replace(/\\(?:gt)(?![a-zA-Z])/g, ">");
  s = s.replace(/\\(?:leqslant|leq|le)(?![a-zA-Z])|<=/g, "\\le ").replace(
    /\\(?:geqslant|geq|ge)(?![a-zA-Z])|>=/g,
    "\\ge ",
  );
  s = s.replace(/\\(?:neq|ne)(?![a-zA-Z])|!=|\\not\s*=/g, "\\ne ");
  s = s.replace(/\\(?:ldots|cdots|dots|dotsc|dotsb)(?![a-zA-Z])|\.{3}|…/g, " \\ldots ");
  s = s.replace(/\\(?:lvert|rvert|vert)(?![a-zA-Z])/g, "|").replace(/\\langle(?![a-zA-Z])/g, "(").replace(
    /\\rangle(?![a-zA-Z])/g,
    ")",
  );
  // Percent in every spelling becomes `\%`.
  s = s.replace(/\\?%|\s*\b(?:percent(?:age)?|pct)\b/gi, "\\%");
  const whole = new RegExp(`^\\\\(?:${TEXT_COMMANDS})\\s*\\{([^{}]*)\\}$`).exec(s.trim());
  s = s.replace(new RegExp(`\\\\(${TEXT_COMMANDS})\\s*\\{([^{}]*)\\}`, "g"), (_m, command, content, offset) => {
    return textGroup(command, content, s.slice(0, offset), whole !== null);
  });
  s = s.replace(/\uE000\s*(?:\^\s*\{?\d\}?)?/g, " ");
  s = s.replace(/\s+/g, " ").trim();
  s = s.replace(/(?<!\.)[.,;:]\s*$/, "").replace(/^=\s*/, "").trim();
  // Separators inside a number that is the whole answer (or the value after its last `=`): a decimal comma only
  // in plain text (in LaTeX `1,2` is a list), thousands in both; inside brackets a comma always separates.
  if (options.plain && /^-?\d+,\d+$/.test(s) && !/^-?[1-9]\d{0,2}(?:,\d{3})+$/.test(s)) s = s.replace(",", ".");
  s = s.replace(
    /(^|[=>]\s*|\\approx\s*)(-?\d{1,3})((?:,\d{3})+)((?:\.\d+)?(?:\s*\\%)?)$/,
    (_m, lead, head, rest, tail) => lead + head + rest.replace(/,/g, "") + tail,
  );
  s = s.replace(
    /(?<![\d.,] ?)(\d{1,3})((?: \d{3})+)(?![\d.,]| ?\d)/g,
    (_m, head, rest) => head + rest.replace(/ /g, ""),
  );
  return s.replace(/\s*\uE001\s*/g, " ").trim();
}

/** Drop plain unit words after a value at the end of one item (`125 miles`, `3 cm^2`). */
export function dropTrailingWords(text: string): string {
  const KEEP = /^(?:and|or|pi|sin|cos|tan|sec|csc|cot|log|ln|exp|sqrt|abs|oo|inf|infinity)$/i;
  let s = text;
  for (let guard = 0; guard < 4; guard++) {
    const m = s.match(/^(.*?[\d})\]])\s+([a-zA-Z]{2,})(?:\^\{?\d\}?)?\.?$/);
    if (!m || KEEP.test(m[2]) || !isUnit(m[2], false)) break;
    s = m[1];
  }
  return s.trim();
}

const GREEK = new Set(
  ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi rho sigma tau " +
    "upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Sigma Phi Psi Omega").split(" "),
);
const FUNCTIONS: Record<string, string> = {
  sin: "sin",
  cos: "cos",
  tan: "tan",
  sec: "sec",
  csc: "csc",
  cot: "cot",
  arcsin: "asin",
  arccos: "acos",
  arctan: "atan",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  exp: "exp",
  ln: "log",
  log: "log10",
  lg: "log10",
  sqrt: "sqrt",
  abs: "abs",
};
/** Functions a converted answer may call, by mathjs name. */
export const MATHJS_FUNCTIONS = new Set([
  ...Object.values(FUNCTIONS),
  "asin",
  "acos",
  "atan",
  "log",
  "nthRoot",
  "binom",
  "floor",
  "ceil",
  "det",
  "factorial",
]);

type Token = { kind: "operand" | "op" | "open" | "close"; text: string };

/**
 * One cleaned scalar (a number, an expression, a matrix) in mathjs syntax; throws on anything else (words,
 * unknown commands, unbalanced groups). Implicit products are made explicit, so `2x`, `2\pi`, `(a)(b)` and
 * `\sin x\cos x` read as a mathematician writes them.
 */
export function toMathjs(latex: string): string {
  const s = latex.replace(/(-?\d*)\.(\d*)\\overline\s*\{(\d+)\}/g, (_m, w, f, r) => repeatingToFraction(w, f, r))
    // A mixed number: 2\frac{1}{2} (digits right before a numeric fraction).
    .replace(/(^|[^\d.}\w^])(\d+)\s*\\frac\s*(\{\d+\}|\d)\s*(\{\d+\}|\d)/g, "$1($2+\\frac$3$4)")
    // A plain mixed number: 2 1/2 (a space, then a numeric fraction).
    .replace(/(^|[^\d.^])(\d+)\s+(\d+)\s*\/\s*(\d+)(?![\d.])/g, "$1($2+$3/$4)");
  return new Converter(s).run();
}

/** `a.b\overline{c}` as an exact fraction. */
function repeatingToFraction(whole: string, fixed: string, repeat: string): string {
  const negative = whole.startsWith("-");
  const digits = whole.replace("-", "") || "0";
  const denominator = BigInt("9".repeat(repeat.length) + "0".repeat(fixed.length));
  const numerator = BigInt(digits + fixed + repeat) - BigInt(digits + fixed);
  return `${negative ? "-" : ""}(${numerator}/${denominator})`;
}

class Converter {
  private i = 0;
  constructor(private readonly s: string) {}

  run(): string {
    const tokens = this.sequence(() => false);
    if (this.i < this.s.length) throw new Error(`unexpected "${this.s[this.i]}"`);
    return join(tokens);
  }

  /** Tokens until `stop()` holds at the cursor (or the end). */
  private sequence(stop: () => boolean): Token[] {
    const out: Token[] = [];
    while (this.i < this.s.length && !stop()) {
      const c = this.s[this.i];
      if (c === " " || c === "\n" || c === "\t") this.i++;
      else if (/[\d.]/.test(c)) {
        // Two numbers side by side (`3 4`) are no product a reader writes: not 12, no answer.
        if (out.length > 0 && out[out.length - 1].kind === "operand" && /^[\d.]+$/.test(out[out.length - 1].text)) {
          throw new Error("numbers side by side");
        }
        out.push(this.number());
      } else if (/[a-zA-Z]/.test(c)) out.push(...this.letters());
      else if (c === "\\") out.push(...this.command());
      else if (c === "{") out.push({ kind: "operand", text: `(${this.group()})` });
      else if (c === "(" || c === "[") {
        this.i++;
        out.push({ kind: "open", text: "(" });
      } else if (c === ")" || c === "]") {
        this.i++;
        out.push({ kind: "close", text: ")" });
      } else if (c === "^") {
        this.i++;
        out.push({ kind: "op", text: "^" }, { kind: "operand", text: `(${this.argument()})` });
      } else if (c === "|") out.push(this.abs());
      else if ("+-*/".includes(c)) {
        this.i++;
        out.push({ kind: "op", text: c });
      } else if (c === "!") {
        this.i++;
        out.push({ kind: "close", text: "!" });
      } else if (c === "'" || c === "_") throw new Error(`unexpected "${c}"`);
      else throw new Error(`unexpected "${c}"`);
    }
    return out;
  }

  private number(): Token {
    const m = this.s.slice(this.i).match(/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+(?![\d.]))?/);
    if (!m) throw new Error("bad number");
    this.i += m[0].length;
    const base = this.s.slice(this.i).match(/^_\s*(?:\{\s*(\d+)\s*\}|(\d))/);
    if (base && /^\d+$/.test(m[0])) {
      // A numeral in another base (`204_5`) stays a numeral: a symbol of its own, equal only to itself.
      this.i += base[0].length;
      return { kind: "operand", text: `numeral_${m[0]}_base_${base[1] ?? base[2]}` };
    }
    return { kind: "operand", text: m[0] };
  }

  /** Plain letters: known function names and constants, else one symbol a letter (`xy` is x·y). */
  private letters(): Token[] {
    const run = this.s.slice(this.i).match(/^[a-zA-Z]+/)![0];
    const lower = run.toLowerCase();
    if (FUNCTIONS[lower] && run.length > 1) {
      this.i += run.length;
      return [this.applyFunction(FUNCTIONS[lower])];
    }
    if (/^(?:pi|inf|infinity|oo)$/i.test(run)) {
      this.i += run.length;
      return [{ kind: "operand", text: lower === "pi" ? "pi" : "Infinity" }];
    }
    // Two letters may be a product (`ab`); three or more that name nothing are a word, not mathematics.
    if (run.length >= 3) throw new Error(`word "${run}"`);
    this.i++;
    return [{ kind: "operand", text: this.subscripted(run[0]) }];
  }

  /** `x_1`, `a_{n}`, `x_{12}` as one identifier. */
  private subscripted(name: string): string {
    const m = this.s.slice(this.i).match(/^_\s*(?:\{\s*([a-zA-Z0-9]+)\s*\}|([a-zA-Z0-9]))/);
    if (!m) return name;
    this.i += m[0].length;
    return `${name}_${m[1] ?? m[2]}`;
  }

  private command(): Token[] {
    const name = this.s.slice(this.i + 1).match(/^[a-zA-Z]+/)?.[0] ?? this.s[this.i + 1];
    this.i += 1 + name.length;
    if (FUNCTIONS[name] && name !== "sqrt" && name !== "abs") {
      if (name === "log" && /^\s*_/.test(this.s.slice(this.i))) {
        this.i = this.s.indexOf("_", this.i) + 1;
        const base = this.argument();
        return [{ kind: "operand", text: `log(${this.functionArgument()}, ${base})` }];
      }
      return [this.applyFunction(FUNCTIONS[name])];
    }
    if (GREEK.has(name)) return [{ kind: "operand", text: this.subscripted(name) }];
    switch (name) {
      case "frac": {
        const a = this.argument();
        const b = this.argument();
        return [{ kind: "operand", text: `((${a})/(${b}))` }];
      }
      case "sqrt": {
        this.skipSpaces();
        if (this.s[this.i] === "[") {
          const close = this.s.indexOf("]", this.i);
          if (close < 0) throw new Error("unclosed root index");
          const n = toMathjs(this.s.slice(this.i + 1, close));
          this.i = close + 1;
          return [{ kind: "operand", text: `nthRoot(${this.argument()}, ${n})` }];
        }
        return [{ kind: "operand", text: `sqrt(${this.argument()})` }];
      }
      case "binom": {
        const n = this.argument();
        const k = this.argument();
        return [{ kind: "operand", text: `binom(${n}, ${k})` }];
      }
      case "cdot":
      case "times":
      case "ast":
        return [{ kind: "op", text: "*" }];
      case "div":
        return [{ kind: "op", text: "/" }];
      case "pi":
        return [{ kind: "operand", text: "pi" }];
      case "infty":
        return [{ kind: "operand", text: "Infinity" }];
      case "%":
        return [{ kind: "op", text: "/" }, { kind: "operand", text: "100" }];
      case "lfloor":
      case "lceil": {
        const closer = name === "lfloor" ? "\\rfloor" : "\\rceil";
        const inner = this.sequence(() => this.s.startsWith(closer, this.i));
        if (!this.s.startsWith(closer, this.i)) throw new Error(`unclosed \\${name}`);
        this.i += closer.length;
        return [{ kind: "operand", text: `${name === "lfloor" ? "floor" : "ceil"}(${join(inner)})` }];
      }
      case "text":
      case "mathrm":
      case "operatorname": {
        const group = braceGroup(this.s, this.skipSpaces());
        if (!group) throw new Error(`\\${name} without a group`);
        this.i = group.end;
        const word = group.content.trim().replace(/^\((.+)\)$/, "$1");
        if (FUNCTIONS[word]) return [this.applyFunction(FUNCTIONS[word])];
        if (!/^[a-zA-Z]+$/.test(word)) throw new Error(`text "${word}"`);
        if (word === "e" || word === "i") return [{ kind: "operand", text: word }];
        return [{ kind: "operand", text: word.length > 1 ? `text_${word.toLowerCase()}` : word }];
      }
      case "begin":
        return [this.matrix()];
      case "angle":
      case "measuredangle": {
        // `\angle ABC` names an angle: one symbol, so `\angle ABC = 30` is a labelled 30.
        this.skipSpaces();
        const name = this.s.slice(this.i).match(/^[A-Za-z]+/)?.[0];
        if (!name) throw new Error("\\angle without a name");
        this.i += name.length;
        return [{ kind: "operand", text: `angle_${name}` }];
      }
      case "exponentiale":
        return [{ kind: "operand", text: "e" }];
      default:
        throw new Error(`unknown command \\${name}`);
    }
  }

  private skipSpaces(): number {
    while (this.s[this.i] === " ") this.i++;
    return this.i;
  }

  /** A command's argument: a brace group, or one character / command / number. */
  private argument(): string {
    this.skipSpaces();
    if (this.s[this.i] === "{") return this.group();
    if (this.s[this.i] === "\\") return join(this.command());
    if (/\d/.test(this.s[this.i] ?? "")) return this.s[this.i++];
    if (/[a-zA-Z]/.test(this.s[this.i] ?? "")) return this.subscripted(this.s[this.i++]);
    if (this.s[this.i] === "-") {
      this.i++;
      return `-${this.argument()}`;
    }
    throw new Error("missing argument");
  }

  private group(): string {
    const g = braceGroup(this.s, this.i);
    if (!g) throw new Error("unbalanced braces");
    this.i = g.end;
    return toMathjs(g.content);
  }

  /** `\sin x`, `\sin(2x)`, `\sin^2 x` (a power of the value), `\sin^{-1} x` (the inverse). */
  private applyFunction(fn: string): Token {
    this.skipSpaces();
    let power: string | null = null;
    if (this.s[this.i] === "^") {
      this.i++;
      power = this.argument();
    }
    const inverse = power !== null && /^\(?-\(?1\)?\)?$/.test(power.replace(/\s/g, ""));
    const name = inverse && ["sin", "cos", "tan"].includes(fn) ? `a${fn}` : fn;
    const applied = `${name}(${this.functionArgument()})`;
    return { kind: "operand", text: power !== null && !inverse ? `(${applied})^(${power})` : applied };
  }

  /** A function's argument: a bracketed or braced group, else the next term (`2x`, `\theta`, `x^2`). */
  private functionArgument(): string {
    this.skipSpaces();
    const c = this.s[this.i];
    if (c === "(" || c === "[") {
      const close = matchingClose(this.s, this.i);
      const inner = toMathjs(this.s.slice(this.i + 1, close));
      this.i = close + 1;
      return inner;
    }
    if (c === "{") return this.group();
    const start = this.i;
    const tokens: Token[] = [];
    while (this.i < this.s.length) {
      this.skipSpaces();
      const d = this.s[this.i];
      if (d === undefined || !/[\d.a-zA-Z\\^]/.test(d)) break;
      if (d === "\\") {
        const name = this.s.slice(this.i + 1).match(/^[a-zA-Z]+/)?.[0] ?? "";
        if (!GREEK.has(name) && name !== "pi" && name !== "frac") break;
        tokens.push(...this.command());
      } else if (d === "^") {
        this.i++;
        tokens.push({ kind: "op", text: "^" }, { kind: "operand", text: `(${this.argument()})` });
      } else if (/[\d.]/.test(d)) tokens.push(this.number());
      else {
        const run = this.s.slice(this.i).match(/^[a-zA-Z]+/)![0];
        if (run.length > 1 && FUNCTIONS[run.toLowerCase()]) break;
        tokens.push(...this.letters());
      }
    }
    if (tokens.length === 0) throw new Error(`function without an argument at ${start}`);
    return join(tokens);
  }

  private abs(): Token {
    const close = this.s.indexOf("|", this.i + 1);
    if (close < 0) throw new Error("unclosed |");
    const inner = toMathjs(this.s.slice(this.i + 1, close));
    this.i = close + 1;
    return { kind: "operand", text: `abs(${inner})` };
  }

  /** `\begin{pmatrix}…\end{pmatrix}` (and bmatrix, matrix, array; vmatrix is a determinant) as a mathjs matrix. */
  private matrix(): Token {
    const env = braceGroup(this.s, this.skipSpaces());
    if (!env) throw new Error("\\begin without an environment");
    const name = env.content.trim();
    if (!/^(?:[pbBvV]?matrix|array|smallmatrix)$/.test(name)) throw new Error(`environment ${name}`);
    this.i = env.end;
    if (name === "array") {
      const spec = braceGroup(this.s, this.skipSpaces());
      if (spec) this.i = spec.end;
    }
    const endTag = `\\end{${name}}`;
    const end = this.s.indexOf(endTag, this.i);
    if (end < 0) throw new Error(`unclosed ${name}`);
    const body = this.s.slice(this.i, end);
    this.i = end + endTag.length;
    const rows = body.split(/\\\\/).map((r) => r.replace(/\\hline/g, "").trim()).filter((r) => r.length > 0);
    const cells = rows.map((r) => r.split("&").map((c) => toMathjs(c.trim())));
    if (cells.length === 0 || cells.some((r) => r.length !== cells[0].length)) throw new Error("ragged matrix");
    const literal = `[${cells.map((r) => `[${r.join(", ")}]`).join(", ")}]`;
    return { kind: "operand", text: name.startsWith("v") || name.startsWith("V") ? `det(${literal})` : literal };
  }
}

/** Index of the bracket closing the one at `open` (any of `()[]`), or throws. */
function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if ("([{".includes(text[i])) depth++;
    else if (")]}".includes(text[i]) && --depth === 0) return i;
  }
  throw new Error("unbalanced brackets");
}

/** Tokens to text with the products a reader leaves implicit written out. */
function join(tokens: Token[]): string {
  let out = "";
  let previous: Token | null = null;
  for (const t of tokens) {
    const leftEnds = previous && (previous.kind === "operand" || previous.kind === "close");
    if (leftEnds && (t.kind === "operand" || t.kind === "open")) out += " * ";
    else if (out && t.kind === "op") out += " ";
    out += t.text;
    if (t.kind === "op") out += " ";
    previous = t;
  }
  return out.replace(/\s+/g, " ").trim();
}
