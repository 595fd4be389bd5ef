/**
 * The methods × domains table: each domain's verdict across bases (`nested.json`, written by a grid of several SFT
 * bases: `nested.ts`) side by side, a row per method. Each cell is the method's change from its base (the mean over
 * bases of each base's mean over seeds), marked by the test across bases: ▲/▼ above/below the base, ≈ equivalent
 * within the margin, R replicated (decided and of one sign on every base), · inconclusive. Nothing is recomputed here:
 * the cells are the saved comparisons.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodsTableMarkdown } from "./methods_table.ts";
 * const cmp = (measure: string, estimate: number, call: string, replicated: boolean) => ({
 *   variant: "guide", against: "base (SFT)", measure, difference: { estimate }, call, replicated, agreeing: 3,
 *   why: undefined,
 * });
 * const text = methodsTableMarkdown([{
 *   domain: "arith",
 *   bases: ["b0", "b1", "b2"],
 *   seeds: 3,
 *   variants: ["guide"],
 *   pooled: { guide: { updates: { mean: 40, half: 3, n: 3 } } },
 *   comparisons: [cmp("all pass@1", 0.031, "above", true), cmp("all pass@k", -0.002, "inconclusive", false)],
 * }]);
 * assert.ok(text.includes("| guide | +0.031 ▲R 3/3↑ | −0.002 · 3/3↓ |"));
 * ```
 *
 * @module
 */
import { BASE_LABEL } from "./report.ts";
import { sides } from "./nested.ts";

/** What the table reads of a domain's `nested.json`. */
export interface SavedNested {
  domain: string;
  bases: string[];
  seeds: number;
  variants: string[];
  pooled: Record<string, Record<string, { mean: number; half: number; n: number }>>;
  comparisons: {
    variant: string;
    against: string;
    measure: string;
    difference: { estimate: number };
    call: string;
    replicated: boolean;
    agreeing: number;
    why?: string;
  }[];
}

/** The table's columns per domain: the measure and how its header says it. */
const COLUMNS: [string, string][] = [
  ["all pass@1", "overall pass@1"],
  ["all pass@k", "overall pass@k"],
  ["net", "net problems"],
  ["reach recall", "cap. tier pass@k, seen facts"],
  ["reach transfer", "cap. tier pass@k, novel facts"],
  ["untrained pass@1", "untrained easy tiers pass@1"],
  ["updates", "updates"],
];

const signed = (x: number, digits: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/** One cell: the change from the base with its call's mark (updates: the count itself). */
function cell(domain: SavedNested, variant: string, measure: string): string {
  if (measure === "updates") {
    const u = domain.pooled[variant]?.updates;
    return u && Number.isFinite(u.mean) ? u.mean.toFixed(0) : "";
  }
  const c = domain.comparisons.find((c) => c.variant === variant && c.measure === measure && c.against === BASE_LABEL);
  if (!c || !Number.isFinite(c.difference.estimate)) return "";
  const mark = c.why
    ? " (untested)"
    : c.call === "above"
    ? " ▲"
    : c.call === "below"
    ? " ▼"
    : c.call === "≈"
    ? " ≈"
    : " ·";
  const count = c.why || c.call === "≈" ? "" : ` ${sides(c, domain.bases.length)}`;
  return `${signed(c.difference.estimate, measure === "net" ? 1 : 3)}${mark}${c.replicated ? "R" : ""}${count}`;
}

/** The methods × domains table as Markdown: a section per domain, a row per method, then how to read it. */
export function methodsTableMarkdown(domains: SavedNested[]): string {
  const out: string[] = [];
  for (const d of domains) {
    const present = COLUMNS.filter(([m]) =>
      m === "updates" || d.comparisons.some((c) => c.measure === m && c.against === BASE_LABEL)
    );
    out.push(
      `**${d.domain}** (${d.bases.length} bases × ${d.seeds}+ seeds)`,
      "",
      `| method | ${present.map(([, label]) => label).join(" | ")} |`,
      `| --- | ${present.map(() => "---").join(" | ")} |`,
      ...d.variants.map((v) => `| ${v} | ${present.map(([m]) => cell(d, v, m)).join(" | ")} |`),
      "",
    );
  }
  out.push(
    "Each cell: the change from the base (net: problems gained − lost), the mean over bases of each base's mean over " +
      "its seeds; updates: RL updates the budget bought. ▲/▼: above/below the base by the paired t-test over bases " +
      "(Holm across the domain's comparisons), ≈: equivalent within the margin, ·: inconclusive, R: replicated (decided " +
      "and of one sign on every base); `k/B↑` or `↓`: on how many of the B bases the change went the mean's way (a " +
      "count, not a test).",
  );
  return out.join("\n");
}

/** Read a grid folder's `nested.json` (a grid of several bases), or say why it cannot be. */
export async function readNested(dir: string): Promise<SavedNested> {
  const file = `${dir}/nested.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    throw new Error(`${file}: missing (run a grid of several bases into ${dir}, e.g. grids/methods-arith.yaml)`);
  }
  try {
    const saved = JSON.parse(text) as SavedNested;
    for (const key of ["domain", "bases", "variants", "pooled", "comparisons"] as const) {
      if (!(key in saved)) throw new Error(`no key "${key}"`);
    }
    return saved;
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}
