/**
 * The stepping trainer for notebooks and runs: `createTrainer(config)`, then `await trainer.step()` returns a
 * {@link StepReport} with everything a researcher inspects — rewards, the groups with their hints, completions and
 * advantages, how full the batch got, the hinted fraction, the hinted tokens' ratios, γ and the effective weight of
 * a hinted token, and per token position the log-prob gap between the plain and the hinted context (where the gap
 * sits tells whether Guide can transfer). Algorithms: `grpo`, `filter-grpo`, `guide-grpo`, and `ppo`/`guide-ppo`
 * (a value head read in the plain context, GAE with the reward at the last token).
 *
 * @example
 * ```ts
 * import { createTrainer, generateDomain, parseRunConfig, Policy, Tokenizer } from "../mod.ts";
 * const problems = generateDomain("math", { train: 64, test: 16 });
 * const tokenizer = Tokenizer.fromTexts(problems.train.flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]));
 * const policy = Policy.create(tokenizer, { dModel: 32, layers: 1, heads: 2, ctx: 128 });
 * const trainer = await createTrainer(parseRunConfig("algorithm: guide-grpo\nworkers: 1\n"), { policy, train: problems.train });
 * const report = await trainer.step();
 * console.log(report.rewardMean, report.hintedFraction, report.gamma);
 * trainer.close();
 * ```
 *
 * @module
 */
import type { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { LOSS_REGISTRY } from "./loss.ts";
import { checkpointExtra, loadCheckpoint, saveCheckpoint } from "../policy/checkpoint.ts";
import { Rng } from "../random.ts";
import type { Problem } from "../data/schema.ts";
import type { RunConfig } from "../config/schema.ts";
import { evaluatePolicy, type Evaluation } from "./evaluate.ts";
import { type Aggregation, batchGae, mean } from "./core.ts";
import { effectiveWeight, type HintedBaseline, type HintedWeighting, type Shaping, stepGamma } from "./guide.ts";
import { buildTrainSpec, isHintedSample, type StepSettings, type TokenTargets } from "./batch.ts";
import { collectGroups, type JudgedGroup, type RolloutStats } from "./rollout.ts";

/** Algorithms this trainer runs. */
export const TRAINER_ALGORITHMS = ["grpo", "filter-grpo", "guide-grpo", "ppo", "guide-ppo"] as const;

/** Percentiles of a set of numbers. */
export interface Spread {
  count: number;
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

function spread(values: number[]): Spread {
  if (values.length === 0) return { count: 0, mean: NaN, p10: NaN, p50: NaN, p90: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: values.length, mean: mean(values), p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}

/** One group as reported. */
export interface ReportedGroup {
  id: string;
  tier: number;
  prompt: string;
  hint?: string;
  /**
   * `advantage` is the one the step trained on: the group's (by the hinted baseline, times `guide.hintedScale` for a
   * hinted sample), or for PPO the mean of the sample's per-token GAE advantages.
   */
  completions: { text: string; reward: number; advantage: number; hinted: boolean }[];
}

/** What one step did. */
export interface StepReport {
  step: number;
  algorithm: string;
  /** Mean reward of the plain samples (before any hint). */
  rewardMean: number;
  /** Fraction of trained groups that were regrouped with the hint. */
  hintedFraction: number;
  rollout: RolloutStats;
  groups: ReportedGroup[];
  /** Ratios π_θ / π_old of plain (on-policy) tokens before the update: 1 unless sampling used a temperature. */
  plainRatios: Spread;
  /** Ratios π_θ(o_t | q) / π_old(o_t | q, h) of hinted tokens before the update. */
  hintedRatios: Spread;
  /** Counts of hinted tokens' ratios in the log10 bins of {@link RATIO_BINS}. */
  hintedRatioHistogram: number[];
  /** Mean next-token entropy over the trained tokens, in their training contexts. */
  entropy: number;
  /** Mean KL (k3) to the reference policy over the trained tokens; null without a reference. */
  kl: number | null;
  /** Fraction of plain tokens whose ratio the clip would change. */
  clipFraction: number;
  /** γ of the shaping used this step. */
  gamma: number;
  /** Mean effective per-token weight of hinted tokens relative to an on-policy token (shaped weighting). */
  hintedWeight: number;
  /** Mean of log π(o_t | q) − log π(o_t | q, h) over hinted samples, by token position. */
  logprobGap: number[];
  loss: number;
  gradNorm: number;
  tokens: number;
  updated: boolean;
  seconds: { rollout: number; train: number; total: number };
}

/** Options of {@link createTrainer}. */
export interface TrainerOptions {
  policy: Policy;
  train: Problem[];
  /** Held-out problems, for `evaluate("test")`. */
  test?: Problem[];
  /** The reference policy of the KL term (the SFT policy); needed when `loss.beta` > 0. */
  reference?: Policy;
  /** Called with every report. */
  onStep?: (report: StepReport) => void;
}

/**
 * Bins of the hinted-ratio histogram in {@link StepReport}: log10 r from −8 to 2 in steps of 0.5, the ends open
 * (ratios below 1e-8 count in the first bin, above 100 in the last).
 */
export const RATIO_BINS = { from: -8, to: 2, width: 0.5 } as const;

function ratioHistogram(ratios: number[]): number[] {
  const { from, to, width } = RATIO_BINS;
  const counts = new Array(Math.round((to - from) / width)).fill(0);
  for (const r of ratios) {
    const bin = Math.floor((Math.log10(Math.max(r, 1e-300)) - from) / width);
    counts[Math.min(counts.length - 1, Math.max(0, bin))]++;
  }
  return counts;
}

/** A stepping trainer. */
export interface Trainer {
  readonly config: RunConfig;
  readonly policy: Policy;
  /** Steps taken. */
  readonly steps: number;
  step(): Promise<StepReport>;
  /**
   * pass@1 and pass@k (unbiased, n samples each) on a split (`"train"` or `"test"`, in the trainer's tiers) or on
   * given problems.
   */
  evaluate(
    split: "train" | "test" | Problem[],
    options?: { n?: number; k?: number; problems?: number },
  ): Promise<Evaluation>;
  /** Save the policy (weights, optimizer state) with the config and step count, atomically. */
  save(dir: string): Promise<void>;
  /** Load weights and optimizer state saved by {@link Trainer.save} into this trainer's policy (same shape). */
  load(dir: string): Promise<void>;
  close(): void;
}

type Section = Record<string, unknown>;

/** Start a trainer over `options.train` with `config` (a resolved run config). */
export async function createTrainer(config: RunConfig, options: TrainerOptions): Promise<Trainer> {
  const algorithm = config.algorithm;
  if (!(TRAINER_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new Error(
      `algorithm "${algorithm}" is not in this trainer yet (available: ${TRAINER_ALGORITHMS.join(", ")})`,
    );
  }
  const rolloutConfig = config.rollout as Section;
  const guideConfig = config.guide as Section;
  const lossConfig = config.loss as Section;
  const optim = config.optim as Section;
  const tiers = String((config.data as Section).tiers).split(",").map(Number);
  const pool = await PolicyPool.create(options.policy, {
    workers: Number(config.workers) || undefined,
    losses: LOSS_REGISTRY,
  });
  const problems = options.train.filter((p) => tiers.includes(p.tier));
  if (problems.length === 0) throw new Error(`no training problems in tiers ${tiers.join(",")}`);
  // A fixed shuffled order, walked with a cursor, so that the same seed trains on the same prompts.
  const order = problems.map((_, i) => i);
  const rng = new Rng(config.seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  let cursor = 0;
  const take = (count: number) => Array.from({ length: count }, () => problems[order[cursor++ % order.length]]);
  let steps = 0;
  const guide = algorithm === "guide-grpo" || algorithm === "guide-ppo";
  const ppo = algorithm === "ppo" || algorithm === "guide-ppo";
  if (ppo && !options.policy.config.valueHead) {
    pool.close();
    throw new Error(`${algorithm} needs a policy with a value head (model.valueHead: true) for its critic`);
  }
  const ppoConfig = config.ppo as Section;

  const settings = (gamma: number): StepSettings => ({
    isCorrection: Boolean(guideConfig.isCorrection),
    baseline: guideConfig.baseline as HintedBaseline,
    weighting: guideConfig.weighting as HintedWeighting,
    shaping: guideConfig.shaping as Shaping,
    gamma,
    aggregation: lossConfig.aggregation as Aggregation,
    epsilonLow: Number(lossConfig.epsilonLow),
    epsilonHigh: Number(lossConfig.epsilonHigh),
    beta: Number(lossConfig.beta),
    entropyCoef: Number(lossConfig.entropyCoef),
    sequenceRatio: Boolean(lossConfig.sequenceRatio),
    maxTokens: Number(rolloutConfig.maxTokens),
    hintedScale: Number(guideConfig.hintedScale),
  });

  return {
    config,
    policy: options.policy,
    get steps() {
      return steps;
    },
    async step(): Promise<StepReport> {
      const started = performance.now();
      if (Number(lossConfig.beta) > 0 && !options.reference) {
        throw new Error("loss.beta > 0 needs a reference policy (TrainerOptions.reference, e.g. the SFT policy)");
      }
      const { groups, stats } = await collectGroups(pool, take(Number(rolloutConfig.promptsPerStep)), take, {
        groupSize: Number(rolloutConfig.groupSize),
        maxTokens: Number(rolloutConfig.maxTokens),
        temperature: Number(rolloutConfig.temperature),
        topP: Number(rolloutConfig.topP),
        hints: guide,
        threshold: Number(guideConfig.threshold),
        alwaysHint: Boolean(guideConfig.alwaysHint),
        mixin: Boolean(guideConfig.mixin),
        balanced: Boolean(guideConfig.balanced),
        hintStyle: (config.data as Section).hintStyle as "strategy",
        // GRPO and PPO keep every group (PPO's critic gives all-equal groups a signal); the others filter.
        filter: algorithm === "filter-grpo" || algorithm === "guide-grpo",
        maxResample: Number(rolloutConfig.maxResample),
      }, config.seed * 1_000_003 + steps);
      const rolledOut = performance.now();

      let loss = NaN;
      let gradNorm = NaN;
      let tokens = 0;
      const shaping = guideConfig.shaping as Shaping;
      // Hinted tokens' ratios π_θ(o_t | q) / π_old(o_t | q, h) (γ's quantile) and, by position, the log-prob gap.
      const ratios: number[] = [];
      const gap: number[] = [];
      const gapCount: number[] = [];
      const addHinted = (lps: number[], old: number[]) =>
        lps.forEach((lp, t) => {
          ratios.push(Math.exp(lp - old[t]));
          gap[t] = (gap[t] ?? 0) + lp - old[t];
          gapCount[t] = (gapCount[t] ?? 0) + 1;
        });
      const diagnostics = { plainRatios: [] as number[], entropy: NaN, kl: null as number | null, clipped: 0 };
      const gammaOptions = { level: Number(guideConfig.gammaLevel), gamma: Number(guideConfig.gamma) };
      let gamma = stepGamma(shaping, [], gammaOptions);
      let trainedAdvantages: number[] = [];
      if (groups.length > 0) {
        const targets = ppo
          ? await gaeTargets(options.policy, groups, Number(ppoConfig.gamma), Number(ppoConfig.lambda))
          : undefined;
        const spec = buildTrainSpec(
          groups,
          { ...settings(Number(guideConfig.gamma)), valueCoef: Number(ppoConfig.valueCoef) },
          (c) => options.policy.encodeContext(c),
          targets && ((g, i) => targets[g][i]),
        );
        tokens = spec.completions.reduce((n, c) => n + c.length, 0);
        trainedAdvantages = spec.data!.advantages.map((row) => mean(row));
        if (Number(lossConfig.beta) > 0) {
          // KL to the reference in the context each row is trained in.
          spec.data!.refLogprobs = (await options.reference!.logprobs(spec.contexts, spec.completions)).logprobs;
        }
        // One scoring pass at the point the gradient is taken (before the update), in the training contexts: it
        // gives the hinted ratios (trained in the plain context) and every diagnostic.
        const current = await pool.logprobs(spec.contexts, spec.completions);
        const data = spec.data!;
        const epsLow = Number(lossConfig.epsilonLow);
        const epsHigh = Number(lossConfig.epsilonHigh);
        let klSum = 0;
        let entropySum = 0;
        current.logprobs.forEach((lps, r) => {
          if (data.hinted[r][0]) addHinted(lps, data.oldLogprobs[r]);
          lps.forEach((lp, t) => {
            entropySum += current.entropies[r][t];
            if (data.refLogprobs) {
              const delta = data.refLogprobs[r][t] - lp;
              klSum += Math.exp(delta) - delta - 1;
            }
            if (data.hinted[r][t]) return;
            const ratio = Math.exp(lp - data.oldLogprobs[r][t]);
            diagnostics.plainRatios.push(ratio);
            const a = data.advantages[r][t];
            if ((ratio < 1 - epsLow && a < 0) || (ratio > 1 + epsHigh && a > 0)) diagnostics.clipped++;
          });
        });
        if (!guideConfig.isCorrection) {
          // Hinted samples are trained in the hinted context here; score them in the plain one for the report.
          const hinted = groups.flatMap((g) => g.samples.filter((s) => isHintedSample(g, s)).map((s) => ({ g, s })));
          if (hinted.length > 0) {
            const plain = await pool.logprobs(hinted.map(({ g }) => g.prompt), hinted.map(({ s }) => s.ids));
            plain.logprobs.forEach((lps, i) => addHinted(lps, hinted[i].s.oldLogprobs));
          }
        }
        diagnostics.entropy = entropySum / Math.max(1, tokens);
        diagnostics.kl = data.refLogprobs ? klSum / Math.max(1, tokens) : null;
        gamma = stepGamma(shaping, ratios, gammaOptions);
        spec.params!.gamma = gamma;
        const result = await pool.train(spec, { lr: Number(optim.lr) });
        loss = result.loss;
        gradNorm = result.gradNorm;
      }
      steps++;
      const finished = performance.now();
      const report: StepReport = {
        step: steps,
        algorithm,
        rewardMean: stats.plainReward,
        hintedFraction: groups.length > 0 ? groups.filter((g) => g.hint !== undefined).length / groups.length : 0,
        rollout: stats,
        groups: reportGroups(groups, trainedAdvantages),
        plainRatios: spread(diagnostics.plainRatios),
        hintedRatios: spread(ratios),
        hintedRatioHistogram: ratioHistogram(ratios),
        entropy: diagnostics.entropy,
        kl: diagnostics.kl,
        clipFraction: diagnostics.plainRatios.length > 0 ? diagnostics.clipped / diagnostics.plainRatios.length : 0,
        gamma,
        hintedWeight: ratios.length > 0 ? mean(ratios.map((r) => effectiveWeight(r, gamma, shaping))) : NaN,
        logprobGap: gap.map((sum, t) => sum / gapCount[t]),
        loss,
        gradNorm,
        tokens,
        updated: groups.length > 0,
        seconds: {
          rollout: (rolledOut - started) / 1000,
          train: (finished - rolledOut) / 1000,
          total: (finished - started) / 1000,
        },
      };
      options.onStep?.(report);
      return report;
    },
    async evaluate(split, evalOptions = {}) {
      const source = split === "train" ? problems : split === "test" ? (options.test ?? []) : split;
      const evalProblems = source.filter((p) => Array.isArray(split) || tiers.includes(p.tier))
        .slice(0, evalOptions.problems ?? Infinity);
      if (evalProblems.length === 0) {
        throw new Error(`evaluate: no problems for ${Array.isArray(split) ? "the given list" : split}`);
      }
      return await evaluatePolicy(pool, evalProblems, {
        n: evalOptions.n ?? 8,
        k: evalOptions.k,
        maxTokens: Number(rolloutConfig.maxTokens),
        temperature: Number(rolloutConfig.temperature),
        seed: 7_777 + steps,
      });
    },
    async save(dir) {
      // The data cursor too, so that a resumed run draws the same prompts as an uninterrupted one.
      await saveCheckpoint(options.policy, dir, { steps, cursor, config });
    },
    async load(dir) {
      const saved = await loadCheckpoint(dir, { expect: options.policy.config });
      try {
        options.policy.copyFrom(saved);
        const extra = await checkpointExtra(dir);
        steps = Number(extra?.steps ?? 0);
        cursor = Number(extra?.cursor ?? 0);
      } finally {
        saved.dispose();
      }
    },
    close() {
      pool.close();
    },
  };
}

/**
 * PPO's targets: the critic's values of every sample in the plain context (hinted samples too), GAE over the
 * reward at the last token, then advantages whitened over the batch (mean 0, std 1), as PPO implementations do.
 */
async function gaeTargets(
  policy: Policy,
  groups: JudgedGroup[],
  gamma: number,
  lambda: number,
): Promise<TokenTargets[][]> {
  const rows = groups.flatMap((g) => g.samples.map((s) => ({ g, s })));
  const values = await policy.values(rows.map(({ g }) => g.prompt), rows.map(({ s }) => s.ids));
  const targets = batchGae(
    rows.map(({ s }, i) => ({
      rewards: s.ids.map((_, t) => (t === s.ids.length - 1 ? s.reward : 0)),
      values: values[i],
    })),
    gamma,
    lambda,
  );
  let row = 0;
  return groups.map((g) => g.samples.map(() => targets[row++]));
}

/** The groups as reported, each sample with the advantage it was trained on (`advantages`: one per row, in order). */
function reportGroups(groups: JudgedGroup[], advantages: number[]): ReportedGroup[] {
  let row = 0;
  return groups.map((group) => ({
    id: group.problem.id,
    tier: group.problem.tier,
    prompt: group.prompt,
    hint: group.hint,
    completions: group.samples.map((s) => ({
      text: s.text ?? "",
      reward: s.reward,
      advantage: advantages[row++],
      hinted: isHintedSample(group, s),
    })),
  }));
}
