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
import { addMetrics, type Policy, type StepStats } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { LOSS_REGISTRY } from "./loss.ts";
import { checkpointExtra, loadCheckpoint, saveCheckpoint } from "../policy/checkpoint.ts";
import { Rng } from "../random.ts";
import type { Problem } from "../data/schema.ts";
import { ALGORITHMS, type RunConfig, tiersOf } from "../config/schema.ts";
import { EVAL_SEED, evaluatePolicy, type Evaluation } from "./evaluate.ts";
import { batchGae, mean } from "./core.ts";
import { stepGamma } from "./guide.ts";
import { guidanceMethod } from "./methods.ts";
import {
  isHintedSample,
  miniBatches,
  rlTrainSpec,
  rowGammas,
  stepNormaliser,
  type StepRows,
  stepRows,
  type TokenTargets,
  withRowGammas,
} from "./batch.ts";
import { collectGroups, type JudgedGroup, type RolloutSettings } from "./rollout.ts";
import {
  type HintedDiagnostics,
  hintedDiagnostics,
  hintedReport,
  lossDiagnostics,
  reportGroups,
  type StepReport,
} from "./step_report.ts";

/** Algorithms this trainer runs: every one the schema names but `sft` (which builds a base, `lib/rl/sft.ts`). */
export const TRAINER_ALGORITHMS: readonly string[] = ALGORITHMS.filter((a) => a !== "sft");

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

/** A stepping trainer. */
export interface Trainer {
  readonly config: RunConfig;
  readonly policy: Policy;
  /** Steps taken. */
  readonly steps: number;
  /**
   * One step. `progress`, the share of the run behind it (0 to 1), is what a method's guidance schedule reads
   * (QuestA's shrinking prefix, Scaf-GRPO's exemption period); default: steps taken / `config.steps` (a run with a
   * budget passes the larger of that and the budget's share spent).
   */
  step(progress?: number): Promise<StepReport>;
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

/** The rollout an algorithm asks for: Guide regroups failures with hints; filtering drops all-equal groups. */
export function rolloutSettings(config: RunConfig): RolloutSettings {
  const method = guidanceMethod(config.algorithm);
  return {
    rollout: config.rollout,
    guide: config.guide,
    hintStyle: config.data.hintStyle,
    hints: method !== undefined || config.algorithm === "guide-grpo" || config.algorithm === "guide-ppo",
    // GRPO and PPO keep every group (PPO's critic gives all-equal groups a signal); the others filter.
    filter: method !== undefined || config.algorithm === "filter-grpo" || config.algorithm === "guide-grpo",
    ...(method && { method }),
  };
}

/** The training problems in a fixed seeded order, walked by a cursor (saved, so a resumed run draws the same). */
function promptOrder(problems: Problem[], seed: number): number[] {
  const order = problems.map((_, i) => i);
  const rng = new Rng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Start a trainer over `options.train` with `config` (a resolved run config). */
export async function createTrainer(config: RunConfig, options: TrainerOptions): Promise<Trainer> {
  return await RlTrainer.create(config, options);
}

/** What the update of a step did (nothing when no group was informative). */
interface StepUpdate {
  gamma: number;
  hinted: HintedDiagnostics;
  advantages: number[];
  tokens: number;
  trained?: { loss: number; gradNorm: number; metrics: Record<string, number> };
}

/** GRPO, Filter-GRPO, Guide-GRPO, PPO and Guide-PPO over a pool of the policy, one step at a time. */
class RlTrainer implements Trainer {
  private cursor = 0;
  private stepsTaken = 0;
  private readonly rollout: RolloutSettings;
  private readonly ppo: boolean;

  private constructor(
    readonly config: RunConfig,
    private readonly options: TrainerOptions,
    private readonly pool: PolicyPool,
    private readonly problems: Problem[],
    private readonly tiers: number[],
    private readonly order: number[],
  ) {
    // A method guided by worked solutions takes them as completions in the policy's tokens.
    this.rollout = {
      ...rolloutSettings(config),
      encodeSolution: (text) => options.policy.tokenizer.encodeCompletion(text),
    };
    this.ppo = config.algorithm === "ppo" || config.algorithm === "guide-ppo";
  }

  static async create(config: RunConfig, options: TrainerOptions): Promise<RlTrainer> {
    const algorithm = config.algorithm;
    if (algorithm === "sft") {
      throw new Error(
        `algorithm "${algorithm}" is not in this trainer yet (available: ${TRAINER_ALGORITHMS.join(", ")})`,
      );
    }
    if ((algorithm === "ppo" || algorithm === "guide-ppo") && !options.policy.config.valueHead) {
      throw new Error(`${algorithm} needs a policy with a value head (model.valueHead: true) for its critic`);
    }
    const tiers = tiersOf(config.data.tiers);
    const problems = options.train.filter((p) => tiers.includes(p.tier));
    if (problems.length === 0) throw new Error(`no training problems in tiers ${tiers.join(",")}`);
    const pool = await PolicyPool.create(options.policy, {
      workers: config.workers || undefined,
      losses: LOSS_REGISTRY,
    });
    return new RlTrainer(config, options, pool, problems, tiers, promptOrder(problems, config.seed));
  }

  get policy(): Policy {
    return this.options.policy;
  }

  get steps(): number {
    return this.stepsTaken;
  }

  /** The next `count` prompts of the seeded order. */
  private take = (count: number): Problem[] =>
    Array.from({ length: count }, () => this.problems[this.order[this.cursor++ % this.order.length]]);

  /** One step: rollout (with hinted regroups), the update, the report. */
  async step(progress: number = this.stepsTaken / this.config.steps): Promise<StepReport> {
    const { config } = this;
    const started = performance.now();
    if (config.loss.beta > 0 && !this.options.reference) {
      throw new Error("loss.beta > 0 needs a reference policy (TrainerOptions.reference, e.g. the SFT policy)");
    }
    const seed = config.seed * 1_000_003 + this.stepsTaken;
    const prompts = this.take(config.rollout.promptsPerStep);
    const { groups, stats } = await collectGroups(this.pool, prompts, this.take, this.rollout, seed, progress);
    const rolledOut = performance.now();
    const update = await this.update(groups);
    this.stepsTaken++;
    const finished = performance.now();
    const report: StepReport = {
      step: this.stepsTaken,
      algorithm: config.algorithm,
      rewardMean: stats.plainReward,
      hintedFraction: groups.length > 0 ? groups.filter((g) => g.hint !== undefined).length / groups.length : 0,
      rollout: stats,
      groups: reportGroups(groups, update.advantages),
      ...lossDiagnostics(update.trained?.metrics ?? {}),
      gamma: update.gamma,
      ...hintedReport(update.hinted, update.gamma, config.guide.shaping),
      loss: update.trained?.loss ?? NaN,
      gradNorm: update.trained?.gradNorm ?? NaN,
      tokens: update.tokens,
      updated: update.trained !== undefined,
      seconds: {
        rollout: (rolledOut - started) / 1000,
        train: (finished - rolledOut) / 1000,
        total: (finished - started) / 1000,
      },
    };
    this.options.onStep?.(report);
    return report;
  }

  /**
   * The update of a step, top to bottom: the rollout's rows and targets (PPO's GAE, else group advantages), the
   * reference's log-probs (β > 0), γ from the hinted ratios before any update, the step as data, one update per
   * mini-batch.
   */
  private async update(groups: JudgedGroup[]): Promise<StepUpdate> {
    const { config, options } = this;
    const { guide } = config;
    const gammaOptions = { level: guide.gammaLevel, gamma: guide.gamma };
    if (groups.length === 0) {
      return { gamma: stepGamma(guide.shaping, [], gammaOptions), hinted: NO_HINTED, advantages: [], tokens: 0 };
    }
    const targets = this.ppo
      ? await gaeTargets(options.policy, groups, config.ppo.gamma, config.ppo.lambda)
      : undefined;
    const rows = stepRows(groups, config, (c) => options.policy.encodeContext(c), targets && ((g, i) => targets[g][i]));
    // KL to the reference in the context each row is trained in.
    const refLogprobs = config.loss.beta > 0
      ? (await options.reference!.logprobs(rows.contexts, rows.completions)).logprobs
      : undefined;
    // With the hinted rows already in the plain context (IS correction, or a method that trains them there), the
    // step's rows are scored as they stand.
    const inPlain = this.rollout.method ? this.rollout.method.role(true).context === "plain" : guide.isCorrection;
    const hinted = this.rollout.hints ? await scoreHinted(this.pool, groups, inPlain ? rows : undefined) : NO_HINTED;
    const gamma = stepGamma(guide.shaping, hinted.ratios, gammaOptions);
    const spec = rlTrainSpec(rows, config, { gamma, refLogprobs });
    // The official per-sequence γ comes from each mini-batch's ratios as it is trained (padding: the step's longest).
    const perSequence = guide.gammaScope === "sequence" && guide.shaping === "quantile" && guide.isCorrection &&
      this.rollout.hints && !this.rollout.method;
    const padTo = guide.gammaPadding ? Math.max(...spec.completions.map((c) => c.length)) : undefined;
    const trained: StepStats[] = [];
    const trainedGammas: number[] = [];
    for (const part of miniBatches(spec, config.optim.miniBatches, stepNormaliser(config))) {
      const scored = perSequence ? (await this.pool.logprobs(part.contexts, part.completions)).logprobs : [];
      const gammas = perSequence ? rowGammas(part, scored, { level: guide.gammaLevel, padTo }) : [];
      trainedGammas.push(...gammas.filter((g) => g !== undefined));
      trained.push(await this.pool.train(perSequence ? withRowGammas(part, gammas) : part, { lr: config.optim.lr }));
    }
    return {
      // With per-sequence γ, the report's γ is the mean of the γ the hinted rows trained with.
      gamma: trainedGammas.length > 0 ? mean(trainedGammas) : gamma,
      hinted,
      advantages: rows.advantages.map((row) => mean(row)),
      tokens: spec.completions.reduce((n, c) => n + c.length, 0),
      trained: combineUpdates(trained),
    };
  }

  async evaluate(
    split: "train" | "test" | Problem[],
    evalOptions: { n?: number; k?: number; problems?: number } = {},
  ): Promise<Evaluation> {
    const source = split === "train" ? this.problems : split === "test" ? (this.options.test ?? []) : split;
    const problems = source.filter((p) => Array.isArray(split) || this.tiers.includes(p.tier))
      .slice(0, evalOptions.problems ?? Infinity);
    if (problems.length === 0) {
      throw new Error(`evaluate: no problems for ${Array.isArray(split) ? "the given list" : split}`);
    }
    return await evaluatePolicy(this.pool, problems, {
      n: evalOptions.n ?? 8,
      k: evalOptions.k,
      maxTokens: this.config.rollout.maxTokens,
      temperature: this.config.rollout.temperature,
      seed: EVAL_SEED + this.stepsTaken,
    });
  }

  async save(dir: string): Promise<void> {
    // The data cursor too, so that a resumed run draws the same prompts as an uninterrupted one.
    await saveCheckpoint(this.policy, dir, { steps: this.stepsTaken, cursor: this.cursor, config: this.config });
  }

  async load(dir: string): Promise<void> {
    const saved = await loadCheckpoint(dir, { expect: this.policy.config });
    try {
      this.policy.copyFrom(saved);
      const extra = await checkpointExtra(dir);
      this.stepsTaken = Number(extra?.steps ?? 0);
      this.cursor = Number(extra?.cursor ?? 0);
    } finally {
      saved.dispose();
    }
  }

  close(): void {
    this.pool.close();
  }
}

/**
 * Guide's ratios π_θ(o_t | q) / π_old(o_t | q, h): every hinted sample scored in the plain context at the point the
 * gradient is taken (before the update), against the log-probs it was drawn with in the hinted one. With IS
 * correction the hinted rows of `spec` are already in the plain context, and the step's rows are scored together
 * (scoring them apart packs them differently, which moves γ in its last bits and so a seeded run's numbers).
 */
async function scoreHinted(pool: PolicyPool, groups: JudgedGroup[], step?: StepRows): Promise<HintedDiagnostics> {
  if (step) {
    const { hinted, oldLogprobs } = step;
    const scored = await pool.logprobs(step.contexts, step.completions);
    const rows = scored.logprobs.map((_, r) => r).filter((r) => hinted[r][0] === 1);
    return hintedDiagnostics(rows.map((r) => scored.logprobs[r]), rows.map((r) => oldLogprobs[r]));
  }
  const samples = groups.flatMap((g) => g.samples.filter((s) => isHintedSample(g, s)).map((s) => ({ g, s })));
  if (samples.length === 0) return NO_HINTED;
  const plain = await pool.logprobs(samples.map(({ g }) => g.prompt), samples.map(({ s }) => s.ids));
  return hintedDiagnostics(plain.logprobs, samples.map(({ s }) => s.oldLogprobs));
}

/** No hinted samples: no ratios, no gap. */
const NO_HINTED: HintedDiagnostics = { ratios: [], logprobGap: [] };

/** One step's statistics from its mini-batch updates: sums add up, the loss and gradient norm are their means. */
function combineUpdates(updates: StepStats[]): StepStats {
  if (updates.length === 1) return updates[0];
  const metrics: Record<string, number> = {};
  for (const u of updates) addMetrics(metrics, u.metrics);
  return {
    ...updates[updates.length - 1],
    loss: mean(updates.map((u) => u.loss)),
    gradNorm: mean(updates.map((u) => u.gradNorm)),
    metrics,
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
