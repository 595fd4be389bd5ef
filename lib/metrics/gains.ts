/**
 * The paper's analysis (§3) of where RL's gains come from, on per-problem sample counts of the policy before and
 * after RL: pass@k curves, and the split of the problems RL newly solves into **self-distillation / compression**
 * (the initial policy could already solve them at a larger k: pass@k(before) > 0) and **capability gain**
 * (pass@k(before) = 0), with the problems RL **lost** counted too. "Solved at pass@1" means pass@1 ≥ `solved`
 * (default 0.5: solved by most samples); the paper's single-sample criterion is the limit of one sample each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gainSplit } from "./gains.ts";
 * const before = new Map([["p1", { n: 16, c: 0 }], ["p2", { n: 16, c: 2 }]]);
 * const after = new Map([["p1", { n: 16, c: 12 }], ["p2", { n: 16, c: 15 }]]);
 * const split = gainSplit(before, after, 16);
 * assert.deepEqual([split.capabilityGain, split.compression], [["p1"], ["p2"]]);
 * ```
 *
 * @module
 */
import { passAtK } from "./passk.ts";

/** Samples of one problem: n drawn, c correct. */
export interface Counts {
  n: number;
  c: number;
}

/** Mean unbiased pass@k over problems, for each k (k above a problem's n uses its n). */
export function passAtKCurve(counts: Iterable<Counts>, ks: number[]): { k: number; passAtK: number }[] {
  const problems = [...counts];
  return ks.map((k) => ({
    k,
    passAtK: problems.reduce((s, p) => s + passAtK(p.n, p.c, Math.min(k, p.n)), 0) / Math.max(problems.length, 1),
  }));
}

/** The split of gains between two policies. */
export interface GainSplit {
  /** Problems in both runs. */
  problems: number;
  /** Unsolved before, solved after, and reachable before at pass@k. */
  compression: string[];
  /** Unsolved before, solved after, and never solved before even at pass@k. */
  capabilityGain: string[];
  /** Solved before, unsolved after. */
  lost: string[];
  /** Solved before and after. */
  kept: string[];
  /** Unsolved before and after. */
  neither: string[];
}

/** Problems of two sample files matched by id: those in both (in `before`'s order), and those in only one. */
export interface ProblemMatch {
  matched: string[];
  beforeOnly: string[];
  afterOnly: string[];
}

/** Match two runs' problems by id. */
export function matchProblems(before: Map<string, Counts>, after: Map<string, Counts>): ProblemMatch {
  return {
    matched: [...before.keys()].filter((id) => after.has(id)),
    beforeOnly: [...before.keys()].filter((id) => !after.has(id)),
    afterOnly: [...after.keys()].filter((id) => !before.has(id)),
  };
}

/** Split problems by what RL changed; ids only in one of the maps are ignored. */
export function gainSplit(
  before: Map<string, Counts>,
  after: Map<string, Counts>,
  k: number,
  solved = 0.5,
): GainSplit {
  const split: GainSplit = { problems: 0, compression: [], capabilityGain: [], lost: [], kept: [], neither: [] };
  for (const [id, b] of before) {
    const a = after.get(id);
    if (!a) continue;
    split.problems++;
    const wasSolved = b.c / b.n >= solved;
    const isSolved = a.c / a.n >= solved;
    if (wasSolved && isSolved) split.kept.push(id);
    else if (wasSolved) split.lost.push(id);
    else if (!isSolved) split.neither.push(id);
    else if (passAtK(b.n, b.c, Math.min(k, b.n)) > 0) split.compression.push(id);
    else split.capabilityGain.push(id);
  }
  return split;
}

/** Powers of two up to `max`, and `max` itself. */
export function curveKs(max: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < max; k *= 2) ks.push(k);
  ks.push(max);
  return ks;
}

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
