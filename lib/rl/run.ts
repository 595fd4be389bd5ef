/**
 * A training run in a folder: `config.yaml` (the resolved config), `meta.json` (backend, versions, seed, git commit,
 * wall time, how it ended), `metrics.jsonl` (a line a step, with the completions sampled so far), `rollouts.jsonl`
 * (the groups with their hints and completions), `eval.jsonl` (held-out pass@1/pass@n per tier with every problem's
 * count of correct samples: `eval.samples` each every `eval.every` steps, `eval.finalSamples` at the end), and
 * `checkpoint/` (the policy, saved atomically at every evaluation and at the end). The run ends after `steps` steps
 * or once `rollout.budget` completions are spent, whichever comes first.
 * A diverged step (a NaN or infinite loss or gradient norm: the policy's `DivergenceError`, from this process or a
 * pool's worker) stops the run with a message in `meta.json`; the last checkpoint stays intact. A folder that already
 * holds a different config is refused, so results are never overwritten. With `resume`, a folder of the same config
 * continues from its last checkpoint (the lines logged after it are dropped and redone, with the same seeds and data
 * order, so the result equals an uninterrupted run), and a finished run (`done.json`) is skipped.
 *
 * @module
 */
import { join } from "node:path";
import { exists, readJsonLines, scrubPaths, writeTextFileAtomic } from "../io.ts";
import { currentBackend } from "../policy/backend.ts";
import type { Policy } from "../policy/policy.ts";
import { DivergenceError } from "../policy/optimizer.ts";
import { PolicyPool } from "../policy/pool.ts";
import { LOSS_REGISTRY } from "./loss.ts";
import { checkpointExtra, loadCheckpoint, saveCheckpoint } from "../policy/checkpoint.ts";
import type { Problem } from "../data/schema.ts";
import { configYaml, curveTiersOf, type RunConfig, tiersOf } from "../config/schema.ts";
import { passAtK } from "../metrics/passk.ts";
import { sft, sftSettings } from "./sft.ts";
import { createTrainer } from "./trainer.ts";
import type { StepReport } from "./step_report.ts";
import { type Evaluation, evaluationProblems } from "./evaluate.ts";

/**
 * An evaluation as saved in `eval.jsonl` (and by the ablation for the base): the overall means, and per tier the
 * means and every problem's number of correct samples out of `n`.
 */
export interface EvaluationRecord {
  /** The split evaluated: `validation` (a learning-curve point) or `test` (the final evaluation; runs of kits before
   * the validation split evaluated only on test and wrote no split). */
  split?: "validation" | "test";
  n: number;
  passAt1: number;
  /** pass@n. */
  passAtK: number;
  tiers: Record<string, { passAt1: number; passAtK: number; correct: Record<string, number> }>;
}

/** The saved form of an {@link Evaluation}. */
export function evaluationRecord(result: Evaluation, split?: EvaluationRecord["split"]): EvaluationRecord {
  const tiers: EvaluationRecord["tiers"] = {};
  const byTier = Map.groupBy(result.problems, (p) => p.tier);
  for (const [tier, problems] of [...byTier].sort(([a], [b]) => a - b)) {
    const mean = (f: (c: number) => number) => problems.reduce((s, p) => s + f(p.correct), 0) / problems.length;
    tiers[String(tier)] = {
      passAt1: mean((c) => passAtK(result.n, c, 1)),
      passAtK: mean((c) => passAtK(result.n, c, result.n)),
      correct: Object.fromEntries(problems.map((p) => [p.id, p.correct])),
    };
  }
  const overall = result.problems.reduce((s, p) => s + passAtK(result.n, p.correct, result.n), 0);
  return {
    ...(split ? { split } : {}),
    n: result.n,
    passAt1: result.passAt1,
    passAtK: overall / result.problems.length,
    tiers,
  };
}

/** Options of {@link runTraining}. */
export interface RunOptions {
  runDir: string;
  policy: Policy;
  train: Problem[];
  /** Held-out problems of the final evaluation (`eval.tiers`, `eval.problems`). */
  test?: Problem[];
  /** Problems of the learning-curve evaluations (`eval.curveTiers`, `eval.curveProblems`): never the test split. */
  validation?: Problem[];
  reference?: Policy;
  /** Continue an unfinished run of the same config from its last checkpoint; skip a finished one. */
  resume?: boolean;
  /** Processes for this run (overrides `config.workers`; neither changes the result beyond float rounding). */
  workers?: number;
  /** Called after every step (RL or SFT) with its metrics line. */
  onStep?: (metrics: Record<string, unknown>) => void | Promise<void>;
  /** Called once, before training, when the run continues from a checkpoint: the step it continues from. */
  onResume?: (step: number) => void;
}

/** How a run ended. */
export interface RunResult {
  steps: number;
  /** The run was already finished and nothing was done. */
  skipped?: boolean;
  /** The step the run continued from (0 for a fresh run). */
  resumedFrom?: number;
  stopped?: string;
  seconds: number;
}

async function gitCommit(): Promise<string | null> {
  try {
    const out = await new Deno.Command("git", { args: ["rev-parse", "HEAD"], stdout: "piped", stderr: "null" })
      .output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** The step a run's checkpoint was saved at (0 when there is none). */
async function checkpointStep(dir: string): Promise<number> {
  if (!(await exists(join(dir, "checkpoint.json")))) return 0;
  const extra = await checkpointExtra(dir);
  return Number(extra?.steps ?? 0);
}

/**
 * Claim `options.runDir` for `config`: a fresh folder gets the config; one holding another config is refused; one
 * holding this config resumes from its checkpoint (`resume`) or is refused. Returns the step to resume from, or
 * `"done"` for a finished run.
 */
async function claimRunDir(config: RunConfig, options: RunOptions): Promise<number | "done"> {
  const configText = configYaml(config);
  const configFile = join(options.runDir, "config.yaml");
  let existing: string | undefined;
  try {
    existing = await Deno.readTextFile(configFile);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  let resumeFrom = 0;
  if (existing !== undefined) {
    if (existing !== configText) {
      const differing = configText.split("\n").filter((line) => !existing!.split("\n").includes(line));
      throw new Error(`${configFile}: the folder holds a run of another config (differs in: ${differing.join("; ")})`);
    }
    if (!options.resume) throw new Error(`${configFile}: the folder already holds this run; use a new folder`);
    if (await exists(join(options.runDir, "done.json"))) return "done";
    resumeFrom = await checkpointStep(join(options.runDir, "checkpoint"));
  }
  await writeTextFileAtomic(configFile, configText);
  return resumeFrom;
}

/** A run's logs (`metrics.jsonl`, `eval.jsonl`, `rollouts.jsonl`), cut back to the checkpoint on resume. */
class RunLog {
  private constructor(private readonly dir: string, private metrics: string[], private evals: string[]) {}

  /** Open the logs of `dir`, keeping the lines up to step `resumeFrom` (later lines are redone). */
  static async open(dir: string, resumeFrom: number): Promise<RunLog> {
    const upTo = async (file: string) =>
      resumeFrom > 0
        ? (await readJsonLines(join(dir, file))).filter((l) => Number(l.step) <= resumeFrom).map((l) =>
          JSON.stringify(l)
        )
        : [];
    const rollouts = await upTo("rollouts.jsonl");
    await writeTextFileAtomic(join(dir, "rollouts.jsonl"), rollouts.map((l) => l + "\n").join(""));
    return new RunLog(dir, await upTo("metrics.jsonl"), await upTo("eval.jsonl"));
  }

  /** Completions sampled up to the last logged step. */
  /** Wall-clock seconds of training at the last evaluation kept (0 for a fresh run): a resumed run counts on. */
  get evalSeconds(): number {
    return this.evals.length > 0 ? Number(JSON.parse(this.evals[this.evals.length - 1]).seconds ?? 0) : 0;
  }

  get rollouts(): number {
    return this.metrics.length > 0 ? Number(JSON.parse(this.metrics[this.metrics.length - 1]).rollouts ?? 0) : 0;
  }

  async metric(line: Record<string, unknown>): Promise<void> {
    this.metrics.push(JSON.stringify(line));
    await writeTextFileAtomic(join(this.dir, "metrics.jsonl"), this.metrics.join("\n") + "\n");
  }

  async groups(step: number, groups: unknown): Promise<void> {
    await Deno.writeTextFile(join(this.dir, "rollouts.jsonl"), JSON.stringify({ step, groups }) + "\n", {
      append: true,
    });
  }

  async evaluation(line: Record<string, unknown>): Promise<void> {
    this.evals.push(JSON.stringify(line));
    await writeTextFileAtomic(join(this.dir, "eval.jsonl"), this.evals.join("\n") + "\n");
  }
}

/** The steps a run has taken so far (what a stopped run reports). */
interface Progress {
  steps: number;
}

/** The SFT warm-up of a run, checkpointed every `eval.every` steps and at the end. */
async function runSft(config: RunConfig, options: RunOptions, log: RunLog, progress: Progress): Promise<void> {
  const checkpointDir = join(options.runDir, "checkpoint");
  const checkpoint = () => saveCheckpoint(options.policy, checkpointDir, { steps: progress.steps, config });
  const pool = await PolicyPool.create(options.policy, {
    workers: options.workers ?? (config.workers || undefined),
    losses: LOSS_REGISTRY,
  });
  try {
    if (progress.steps > 0) {
      const saved = await loadCheckpoint(checkpointDir, { expect: options.policy.config });
      options.policy.copyFrom(saved);
      saved.dispose();
    }
    await sft(pool, options.train, sftSettings(config, progress.steps), async (report) => {
      progress.steps = report.step;
      // The line first, so that a checkpoint never runs ahead of the metrics kept on resume.
      await log.metric({ ...report });
      if (report.step % config.eval.every === 0) await checkpoint();
      await options.onStep?.({ ...report });
    });
    await checkpoint();
  } finally {
    pool.close();
  }
}

/** The RL steps of a run, with held-out evaluations and checkpoints every `eval.every` steps and at the end. */
async function runRl(config: RunConfig, options: RunOptions, log: RunLog, progress: Progress): Promise<void> {
  const trainer = await createTrainer(options.workers ? { ...config, workers: options.workers } : config, {
    policy: options.policy,
    train: options.train,
    reference: options.reference,
  });
  const checkpointDir = join(options.runDir, "checkpoint");
  try {
    if (progress.steps > 0) await trainer.load(checkpointDir);
    const { every, finalSamples, samples, budget } = { ...config.eval, budget: config.rollout.budget };
    const final = options.test
      ? evaluationProblems(options.test, tiersOf(config.eval.tiers), config.eval.problems)
      : [];
    const curve = options.validation
      ? evaluationProblems(options.validation, curveTiersOf(config), config.eval.curveProblems)
      : [];
    // Completions sampled so far: what an equal-budget comparison counts.
    let rollouts = log.rollouts;
    // Seconds of this run's wall clock (evaluations included) at each evaluation: curves over time compare variants
    // whose steps cost differently (hinted resamples, filtered groups).
    const clockStart = performance.now() - log.evalSeconds * 1000;
    const spent = () => budget > 0 && rollouts >= budget;
    for (let step = progress.steps + 1; step <= config.steps && !spent(); step++) {
      // The share of the run behind this step, by steps or by the budget spent, whichever is further along.
      const behind = Math.max((step - 1) / config.steps, budget > 0 ? Math.min(1, rollouts / budget) : 0);
      const report: StepReport = await trainer.step(behind);
      progress.steps = step;
      rollouts += report.rollout.completions;
      const last = step === config.steps || spent();
      const { groups, ...line } = report;
      await log.groups(step, groups);
      await log.metric({ ...line, rollouts });
      await options.onStep?.({ ...line, rollouts });
      // The learning curve reads the validation split every `every` steps; the test split is read once, at the end.
      const evaluations: [Problem[], number, "validation" | "test"][] = [];
      if (curve.length > 0 && (step % every === 0 || last)) evaluations.push([curve, samples, "validation"]);
      if (final.length > 0 && last) evaluations.push([final, finalSamples, "test"]);
      for (const [problems, n, split] of evaluations) {
        const result = await trainer.evaluate(problems, { n, k: n });
        const seconds = Number(((performance.now() - clockStart) / 1000).toFixed(3));
        await log.evaluation({ step, rollouts, seconds, ...evaluationRecord(result, split) });
      }
      if (step % every === 0 && !last) await trainer.save(checkpointDir);
    }
    await trainer.save(checkpointDir);
  } finally {
    trainer.close();
  }
}

/** Run `config` to the end in `options.runDir`. */
export async function runTraining(config: RunConfig, options: RunOptions): Promise<RunResult> {
  const { runDir } = options;
  const claimed = await claimRunDir(config, options);
  if (claimed === "done") return { steps: 0, skipped: true, seconds: 0 };
  const resumeFrom = claimed;
  const started = performance.now();
  const meta: Record<string, unknown> = {
    algorithm: config.algorithm,
    seed: config.seed,
    // Backend notes can quote module paths (a backend that failed to load): no machine paths in output files.
    backend: JSON.parse(scrubPaths(JSON.stringify(currentBackend() ?? null))),
    versions: { deno: Deno.version.deno, v8: Deno.version.v8, tfjs: "4.22.0" },
    gitCommit: await gitCommit(),
    startedAt: new Date().toISOString(),
  };
  const writeMeta = () => writeTextFileAtomic(join(runDir, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  await writeMeta();
  const log = await RunLog.open(runDir, resumeFrom);
  if (resumeFrom > 0) {
    meta.resumedFrom = resumeFrom;
    options.onResume?.(resumeFrom);
  }
  const progress: Progress = { steps: resumeFrom };
  let stopped: string | undefined;
  try {
    if (config.algorithm === "sft") await runSft(config, options, log, progress);
    else await runRl(config, options, log, progress);
  } catch (e) {
    // A diverged step (in this process or a pool's worker): stop here, keep the last checkpoint as it is.
    if (!(e instanceof DivergenceError)) throw e;
    stopped = `step ${progress.steps + 1}: ${e.message}`;
    console.error(`run stopped at ${stopped}; the last checkpoint is intact`);
  } finally {
    meta.steps = progress.steps;
    meta.stopped = stopped ?? null;
    meta.seconds = (performance.now() - started) / 1000;
    meta.finishedAt = new Date().toISOString();
    await writeMeta();
  }
  // Written last and atomically: its presence means every file above is complete.
  const steps = progress.steps;
  if (!stopped) await writeTextFileAtomic(join(runDir, "done.json"), JSON.stringify({ steps }) + "\n");
  return { steps, stopped, resumedFrom: resumeFrom || undefined, seconds: (performance.now() - started) / 1000 };
}
