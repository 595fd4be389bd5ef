/**
 * Calibration of a base policy against the tiers: per tier, plain pass@1 and pass@k and, for each hint style, hinted
 * pass@1 and pass@k, then the regime each tier is in for Guide (`docs/testbed.md`):
 * - `learned`: plain pass@1 above `learnedAt` — RL has little to add;
 * - `self-distillation`: reachable by sampling (plain pass@k > 0) but rarely solved — where RL compresses pass@k into
 *   pass@1;
 * - `capability gain`: never reached by sampling (plain pass@k = 0) but reachable with a hint (hinted pass@k ≥
 *   `hintReach`) — where Guide's hints can add what sampling cannot;
 * - `out of reach`: neither.
 *
 * `deno task calibrate [GRID.yaml] [--out DIR] [--problems N] [--samples N]` builds (or loads) the grid's SFT base in
 * its run store and writes `calibration.json` and `calibration.md` there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regime } from "./calibrate.ts";
 * assert.equal(regime({ passAt1: 0.01, passAtK: 0.12, hintedPassAtK: 0.5 }), "self-distillation");
 * assert.equal(regime({ passAt1: 0, passAtK: 0, hintedPassAtK: 0.4 }), "capability gain");
 * ```
 *
 * @module
 */
import { HINT_STYLES, type HintStyle, type Problem } from "../data/schema.ts";
import { evaluatePolicy } from "../rl/evaluate.ts";
import type { Sampler } from "../policy/policy.ts";

/** What a tier is for Guide, given its plain and hinted pass rates. */
export type Regime = "learned" | "self-distillation" | "capability gain" | "out of reach";

/** Thresholds of {@link regime}. */
export interface RegimeThresholds {
  /** Plain pass@1 above which a tier counts as learned (default 0.2). */
  learnedAt?: number;
  /** Hinted pass@k from which hints make an unreachable tier reachable (default 0.3, the testbed note's). */
  hintReach?: number;
}

/** The regime of a tier from plain pass@1, plain pass@k and the best hinted pass@k. */
export function regime(
  rates: { passAt1: number; passAtK: number; hintedPassAtK: number },
  thresholds: RegimeThresholds = {},
): Regime {
  const { learnedAt = 0.2, hintReach = 0.3 } = thresholds;
  if (rates.passAt1 > learnedAt) return "learned";
  if (rates.passAtK > 0) return "self-distillation";
  return rates.hintedPassAtK >= hintReach ? "capability gain" : "out of reach";
}

/** One tier's calibration. */
export interface TierCalibration {
  tier: number;
  problems: number;
  samples: number;
  plain: { passAt1: number; passAtK: number };
  /** By hint style. */
  hinted: Partial<Record<HintStyle, { passAt1: number; passAtK: number }>>;
  regime: Regime;
}

/** Options of {@link calibrate}. */
export interface CalibrateOptions extends RegimeThresholds {
  tiers?: number[];
  /** Problems per tier (default 128) and samples per problem (default 16: the k of pass@k). */
  problems?: number;
  samples?: number;
  styles?: readonly HintStyle[];
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /** Called after each tier. */
  onTier?: (calibration: TierCalibration) => void;
}

async function rates(
  policy: Sampler,
  problems: Problem[],
  style: HintStyle | undefined,
  options: Required<Pick<CalibrateOptions, "samples" | "maxTokens" | "temperature" | "seed">>,
): Promise<{ passAt1: number; passAtK: number }> {
  const { passAt1, passAtK } = await evaluatePolicy(policy, problems, {
    n: options.samples,
    maxTokens: options.maxTokens,
    temperature: options.temperature,
    seed: options.seed,
    hintStyle: style,
  });
  return { passAt1, passAtK };
}

/** Calibrate `policy` on held-out problems (the kit passes the validation split, never test), tier by tier. */
export async function calibrate(
  policy: Sampler,
  heldOut: Problem[],
  options: CalibrateOptions = {},
): Promise<TierCalibration[]> {
  const tiers = options.tiers ?? [...new Set(heldOut.map((p) => p.tier))].sort((a, b) => a - b);
  const settings = {
    samples: options.samples ?? 16,
    maxTokens: options.maxTokens ?? 64,
    temperature: options.temperature ?? 1,
    seed: options.seed ?? 4_242,
  };
  const out: TierCalibration[] = [];
  for (const tier of tiers) {
    const problems = heldOut.filter((p) => p.tier === tier).slice(0, options.problems ?? 128);
    if (problems.length === 0) throw new Error(`calibrate: no problems in tier ${tier}`);
    const plain = await rates(policy, problems, undefined, settings);
    const hinted: TierCalibration["hinted"] = {};
    for (const style of options.styles ?? HINT_STYLES) hinted[style] = await rates(policy, problems, style, settings);
    const bestHinted = Math.max(0, ...Object.values(hinted).map((h) => h!.passAtK));
    const entry: TierCalibration = {
      tier,
      problems: problems.length,
      samples: settings.samples,
      plain,
      hinted,
      regime: regime({ ...plain, hintedPassAtK: bestHinted }, options),
    };
    out.push(entry);
    options.onTier?.(entry);
  }
  return out;
}

/** The calibration as a Markdown table. */
export function calibrationMarkdown(calibration: TierCalibration[], title = "Calibration"): string {
  const styles = [...new Set(calibration.flatMap((c) => Object.keys(c.hinted)))] as HintStyle[];
  const k = calibration[0]?.samples ?? 16;
  const f = (x: number | undefined) => (x === undefined ? "" : x.toFixed(3));
  const lines = [
    `# ${title}`,
    "",
    `Per tier: ${
      calibration[0]?.problems ?? 0
    } held-out problems × ${k} samples; pass@1 and pass@${k} (unbiased) in the ` +
    `plain context and with each hint style in context.`,
    "",
    `| tier | plain pass@1 | plain pass@${k} | ${
      styles.map((s) => `${s} pass@1 | ${s} pass@${k}`).join(" | ")
    } | regime |`,
    `|---|---|---|${styles.map(() => "---|---|").join("")}---|`,
    ...calibration.map((c) =>
      `| ${c.tier} | ${f(c.plain.passAt1)} | ${f(c.plain.passAtK)} | ${
        styles.map((s) => `${f(c.hinted[s]?.passAt1)} | ${f(c.hinted[s]?.passAtK)}`).join(" | ")
      } | ${c.regime} |`
    ),
    "",
  ];
  return lines.join("\n");
}
