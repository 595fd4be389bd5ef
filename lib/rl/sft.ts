/**
 * SFT warm-up: builds the base policy RL starts from, by next-token training on worked solutions of the easy tiers
 * (config `sft.tiers`, default 1–2), with a fraction `sft.hintedFraction` of the examples in the hinted context so
 * that the policy knows the hint format before Guide uses it. Deterministic in the seed.
 *
 * @module
 */
import type { Policy, StepStats, TrainSpec } from "../policy/policy.ts";
import { Rng } from "../random.ts";
import type { HintStyle, Problem } from "../data/schema.ts";
import { domainSpec } from "../data/domains.ts";
import { type RunConfig, tiersOf } from "../config/schema.ts";

/** Settings of the warm-up. */
export interface SftSettings {
  steps: number;
  batch: number;
  tiers: number[];
  hintedFraction: number;
  hintStyle: HintStyle;
  lr: number;
  seed: number;
  /** Tiers seen rarely (the testbed's 0.3% of plain tier-3 examples makes that tier barely reachable). */
  rareTiers?: number[];
  /** Fraction of examples drawn from `rareTiers`. */
  rareFraction?: number;
  /**
   * Fraction of the rare examples shown hinted (default 0: all plain). A domain whose hard tiers add an operation the
   * SFT tiers never show (physics' products) needs it hinted somewhere, or a hint naming it has nothing to follow.
   */
  rareHintedFraction?: number;
  /**
   * Rare tiers shown only hinted (default none). A tier the base meets only with a hint in context stays unreachable
   * plain and reachable hinted: the capability-gain regime, when the tier below must keep some plain examples.
   */
  rareHintedTiers?: number[];
  /**
   * Another valid order for a problem's hinted example (`alternativeOrder` of the `arith` domain): a fraction
   * `alternativeFraction` of hinted examples use it when the problem has one.
   */
  alternative?: (problem: Problem, rng: Rng) => { hint: string; solution: string } | null;
  alternativeFraction?: number;
  /** Steps already done (a resumed run): their batches are drawn and skipped, so the rest is as uninterrupted. */
  startStep?: number;
}

/** The SFT settings of a run config (`startStep`: steps already done, when resuming). */
export function sftSettings(config: RunConfig, startStep = 0): SftSettings {
  const s = config.sft;
  return {
    steps: s.steps,
    batch: s.batch,
    tiers: tiersOf(s.tiers),
    hintedFraction: s.hintedFraction,
    rareTiers: tiersOf(s.rareTiers),
    rareFraction: s.rareFraction,
    rareHintedFraction: s.rareHintedFraction,
    rareHintedTiers: tiersOf(s.rareHintedTiers),
    // The domains whose hinted examples can take another valid order register it (`sft.alternativeFraction`).
    alternative: domainSpec(config.data.domain).alternative,
    alternativeFraction: s.alternativeFraction,
    hintStyle: config.data.hintStyle,
    lr: config.optim.lr,
    seed: config.seed,
    startStep,
  };
}

/** A policy that trains on a step described as data: a `PolicyPool` (all cores), or a one-process stand-in. */
export interface Trainable {
  policy: Policy;
  train(spec: TrainSpec, options?: { lr?: number }): Promise<StepStats>;
}

/** One SFT step's report. */
export interface SftReport {
  step: number;
  loss: number;
  gradNorm: number;
  hinted: number;
}

/** Run the warm-up on `pool`'s policy; calls `onStep` after every step. */
export async function sft(
  pool: Trainable,
  problems: Problem[],
  settings: SftSettings,
  onStep?: (report: SftReport) => void | Promise<void>,
): Promise<SftReport[]> {
  const policy = pool.policy;
  const pick = problems.filter((p) => settings.tiers.includes(p.tier));
  if (pick.length === 0) throw new Error(`sft: no problems in tiers ${settings.tiers.join(",")}`);
  const rare = problems.filter((p) => settings.rareTiers?.includes(p.tier));
  const rareFraction = rare.length > 0 ? settings.rareFraction ?? 0 : 0;
  const rng = new Rng(settings.seed);
  const reports: SftReport[] = [];
  for (let step = 1; step <= settings.steps; step++) {
    // Rare examples and alternatives are drawn (with their random numbers) only when asked for, so other runs keep
    // their stream; a resumed run draws every skipped step's numbers too, so it continues the same stream.
    const rareFlags = Array.from({ length: settings.batch }, () => rareFraction > 0 && rng.next() < rareFraction);
    const batch = rareFlags.map((r) => r ? rare[rng.nextUint32() % rare.length] : pick[rng.nextUint32() % pick.length]);
    const rareHinted = settings.rareHintedFraction ?? 0;
    const hintedFlags = batch.map((p, i) =>
      rareFlags[i]
        ? settings.rareHintedTiers?.includes(p.tier) || (rareHinted > 0 && rng.next() < rareHinted)
        : rng.next() < settings.hintedFraction
    );
    const alternatives = batch.map((p, i) =>
      hintedFlags[i] && settings.alternative && rng.next() < (settings.alternativeFraction ?? 0)
        ? settings.alternative(p, rng)
        : null
    );
    if (step <= (settings.startStep ?? 0)) continue;
    const contexts = batch.map((p, i) =>
      policy.encodeContext(
        alternatives[i]
          ? { prompt: p.prompt, hint: alternatives[i]!.hint }
          : hintedFlags[i]
          ? { prompt: p.prompt, hint: p.hints[settings.hintStyle] }
          : p.prompt,
      )
    );
    const completions = batch.map((p, i) => policy.tokenizer.encodeCompletion(alternatives[i]?.solution ?? p.solution));
    const spec = {
      loss: "nll",
      contexts,
      completions,
      normaliser: completions.reduce((n, c) => n + c.length, 0),
    };
    const stats = await pool.train(spec, { lr: settings.lr });
    const report = { step, loss: stats.loss, gradNorm: stats.gradNorm, hinted: hintedFlags.filter(Boolean).length };
    reports.push(report);
    await onStep?.(report);
  }
  return reports;
}
