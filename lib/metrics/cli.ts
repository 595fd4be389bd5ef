/**
 * `deno task passk --before A.jsonl --after B.jsonl [--k 16] [--json]`: the gain analysis on samples of any model.
 * Each line is `{id, correct}` (already judged) or `{id, domain, response, gold}` (judged here by the kit's
 * verifiers). Problems are matched by id: the analysis runs on the problems both files hold (none: an error; some
 * left out: a warning naming how many), at the largest k every matched problem supports. Prints pass@k before and
 * after, the pass@k curves, and the split of gains into compression, capability gain and lost problems.
 *
 * @module
 */
import { parseFlags } from "../flags.ts";
import { type Counts, type GainSplit, gainSplit, matchProblems, passAtKCurve } from "./gains.ts";
import { readSamples } from "./samples.ts";

/** Powers of two up to `max`, and `max` itself. */
export function curveKs(max: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < max; k *= 2) ks.push(k);
  ks.push(max);
  return ks;
}

const USAGE = "usage: deno task passk --before A.jsonl --after B.jsonl [--k 16] [--solved 0.5] [--json]";

/** The analysis of two sample files, on the problems they share. */
export interface PasskAnalysis {
  /** The k asked for, and the k used: at most the fewest samples any matched problem has. */
  k: number;
  kUsed: number;
  match: { matched: number; beforeOnly: number; afterOnly: number };
  curves: { before: { k: number; passAtK: number }[]; after: { k: number; passAtK: number }[] };
  split: GainSplit;
  /** What the reader must know: ids left out, a k cut to what the samples support. */
  warnings: string[];
}

/**
 * Compare `before` and `after` on the problems both files hold (matched by id). Throws, in one line, when they share
 * none; with a partial overlap, analyses the intersection and says so.
 */
export function analysePassk(
  before: Map<string, Counts>,
  after: Map<string, Counts>,
  k: number,
  solved = 0.5,
  names = { before: "--before", after: "--after" },
): PasskAnalysis {
  const match = matchProblems(before, after);
  if (match.matched.length === 0) {
    throw new Error(
      `${names.before} (${before.size} problems) and ${names.after} (${after.size}) share no problem id: nothing to compare`,
    );
  }
  const only = (ids: Set<string>) => (m: Map<string, Counts>) => new Map([...m].filter(([id]) => ids.has(id)));
  const keep = only(new Set(match.matched));
  const [b, a] = [keep(before), keep(after)];
  const warnings: string[] = [];
  if (match.beforeOnly.length > 0 || match.afterOnly.length > 0) {
    warnings.push(
      `comparing the ${match.matched.length} problems in both files; left out: ${match.beforeOnly.length} only in ` +
        `${names.before}, ${match.afterOnly.length} only in ${names.after}`,
    );
  }
  const fewest = Math.min(...[...b.values(), ...a.values()].map((c) => c.n));
  const kUsed = Math.min(k, fewest);
  if (kUsed < k) warnings.push(`pass@${k} needs ${k} samples a problem; some have ${fewest}: using pass@${kUsed}`);
  const ks = curveKs(kUsed);
  return {
    k,
    kUsed,
    match: { matched: match.matched.length, beforeOnly: match.beforeOnly.length, afterOnly: match.afterOnly.length },
    curves: { before: passAtKCurve(b.values(), ks), after: passAtKCurve(a.values(), ks) },
    split: gainSplit(b, a, kUsed, solved),
    warnings,
  };
}

/** The analysis as the terminal shows it. */
function printAnalysis(result: PasskAnalysis): void {
  const { curves, split, kUsed, match } = result;
  console.log(
    `problems: ${match.matched} in both files (${match.beforeOnly} only before, ${match.afterOnly} only after); ` +
      `pass@k for k up to ${kUsed}`,
  );
  console.log("| k | pass@k before | pass@k after |");
  console.log("| --- | --- | --- |");
  curves.before.forEach((p, i) =>
    console.log(`| ${p.k} | ${p.passAtK.toFixed(4)} | ${curves.after[i].passAtK.toFixed(4)} |`)
  );
  console.log("");
  console.log(
    `| newly solved: compression (pass@${kUsed} before > 0) | capability gain (= 0) | lost | kept | neither |`,
  );
  console.log("| --- | --- | --- | --- | --- |");
  console.log(
    `| ${split.compression.length} | ${split.capabilityGain.length} | ${split.lost.length} | ${split.kept.length} | ${split.neither.length} |`,
  );
}

async function main(args: string[]): Promise<number> {
  const { values } = parseFlags("passk", USAGE, {
    args,
    options: {
      before: { type: "string" },
      after: { type: "string" },
      k: { type: "string", default: "16" },
      solved: { type: "string", default: "0.5" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.before || !values.after) {
    console.error(`passk: --before and --after are both needed\n${USAGE}`);
    return 2;
  }
  const k = Number(values.k);
  if (!Number.isInteger(k) || k < 1) {
    console.error(`passk: --k must be a positive integer (got ${values.k})`);
    return 2;
  }
  const solved = Number(values.solved);
  if (!(solved > 0 && solved <= 1)) {
    console.error(`passk: --solved must be a fraction in (0, 1] (got ${values.solved})`);
    return 2;
  }
  try {
    const result = analysePassk(await readSamples(values.before), await readSamples(values.after), k, solved, {
      before: values.before,
      after: values.after,
    });
    for (const w of result.warnings) console.error(`passk: ${w}`);
    if (values.json) {
      const counts = Object.fromEntries(
        Object.entries(result.split).map(([key, v]) => [key, Array.isArray(v) ? v.length : v]),
      );
      console.log(JSON.stringify({ ...result, split: counts, ids: result.split }));
    } else printAnalysis(result);
    return 0;
  } catch (e) {
    console.error(`passk: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
