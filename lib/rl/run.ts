/**
 * A training run in a folder: `config.yaml` (the resolved config), `meta.json` (backend, versions, seed, git commit,
 * wall time, how it ended), `metrics.jsonl` (a line a step, with the completions sampled so far), `rollouts.jsonl`
 * (the groups with their hints and completions), `eval.jsonl` (held-out pass@1/pass@n per tier with every problem's
 * count of correct samples: `eval.samples` each every `eval.every` steps, `eval.finalSamples` at the end), and
 * `checkpoint/` (the policy, saved atomically at every evaluation and at the end). The run ends after `steps` steps
 * or once `rollout.budget` completions are spent, whichever comes first.
 * A NaN or infinite loss stops the run with a message in `meta.json`; the last checkpoint stays intact. A folder
 * that already holds a different config is refused, so results are never overwritten. With `resume`, a folder of the
 * same config continues from its last checkpoint (the lines logged after it are dropped and redone, with the same
 * seeds and data order, so the result equals an uninterrupted run), and a finished run (`done.json`) is skipped.
 *
 * @module
 */
import { join } from "node:path";
import { exists, readJsonLines, writeTextFileAtomic } from "../io.ts";
import { currentBackend } from "../policy/backend.ts";
import type { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { LOSS_REGISTRY } from "./loss.ts";
import { checkpointExtra, loadCheckpoint, saveCheckpoint } from "../policy/checkpoint.ts";
import type { Problem } from "../data/schema.ts";
import { type RunConfig, tiersOf } from "../config/schema.ts";
import { toYaml } from "../config/validate.ts";
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
  n: number;
  passAt1: number;
  /** pass@n. */
  passAtK: number;
  tiers: Record<string, { passAt1: number; passAtK: number; correct: Record<string, number> }>;
}

/** The saved form of an {@link Evaluation}. */
export function evaluationRecord(result: Evaluation): EvaluationRecord {
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
  return { n: result.n, passAt1: result.passAt1, passAtK: overall / result.problems.length, tiers };
}

/** Options of {@link runTraining}. */
export interface RunOptions {
  runDir: string;
  policy: Policy;
  train: Problem[];
  /** Held-out problems for `eval.jsonl`. */
  test?: Problem[];
  reference?: Policy;
  /** Continue an unfinished run of the same config from its last checkpoint; skip a finished one. */
  resume?: boolean;
  /** Processes for this run (overrides `config.workers`; neither changes the result beyond float rounding). */
  workers?: number;
  /** Called after every step (RL or SFT) with its metrics line. */
  onStep?: (metrics: Record<string, unknown>) => void | Promise<void>;
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

/** Run `config` to the end in `options.runDir`. */
export async function runTraining(config: RunConfig, options: RunOptions): Promise<RunResult> {
  const { runDir } = options;
  const configText = toYaml(config);
  const configFile = join(runDir, "config.yaml");
  let resumeFrom = 0;
  let existing: string | undefined;
  try {
    existing = await Deno.readTextFile(configFile);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (existing !== undefined) {
    if (existing !== configText) {
      const differing = configText.split("\n").filter((line) => !existing!.split("\n").includes(line));
      throw new Error(`${configFile}: the folder holds a run of another config (differs in: ${differing.join("; ")})`);
    }
    if (!options.resume) throw new Error(`${configFile}: the folder already holds this run; use a new folder`);
    if (await exists(join(runDir, "done.json"))) return { steps: 0, skipped: true, seconds: 0 };
    resumeFrom = await checkpointStep(join(runDir, "checkpoint"));
  }
  await writeTextFileAtomic(configFile, configText);
  const started = performance.now();
  const meta: Record<string, unknown> = {
    algorithm: config.algorithm,
    seed: config.seed,
    backend: currentBackend() ?? null,
    versions: { deno: Deno.version.deno, v8: Deno.version.v8, tfjs: "4.22.0" },
    gitCommit: await gitCommit(),
    startedAt: new Date().toISOString(),
  };
  const writeMeta = () => writeTextFileAtomic(join(runDir, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  await writeMeta();
  // On resume, keep what was logged up to the checkpoint; later lines are redone.
  const upTo = async (file: string) =>
    resumeFrom > 0
      ? (await readJsonLines(join(runDir, file))).filter((l) => Number(l.step) <= resumeFrom).map((l) =>
        JSON.stringify(l)
      )
      : [];
  const metrics: string[] = await upTo("metrics.jsonl");
  const evals: string[] = await upTo("eval.jsonl");
  const rollouts = await upTo("rollouts.jsonl");
  await writeTextFileAtomic(join(runDir, "rollouts.jsonl"), rollouts.map((l) => l + "\n").join(""));
  if (resumeFrom > 0) meta.resumedFrom = resumeFrom;
  let trainerRef: { save(dir: string): Promise<void> } | undefined;
  const checkpoint = (step: number) =>
    trainerRef
      ? trainerRef.save(join(runDir, "checkpoint"))
      : saveCheckpoint(options.policy, join(runDir, "checkpoint"), {
        steps: step,
        config,
      });
  const log = async (line: Record<string, unknown>) => {
    metrics.push(JSON.stringify(line));
    await writeTextFileAtomic(join(runDir, "metrics.jsonl"), metrics.join("\n") + "\n");
  };
  const record = async (line: Record<string, unknown>) => {
    await log(line);
    await options.onStep?.(line);
  };
  let steps = resumeFrom;
  let stopped: string | undefined;
  const pool = config.algorithm === "sft"
    ? await PolicyPool.create(options.policy, {
      workers: options.workers ?? (config.workers || undefined),
      losses: LOSS_REGISTRY,
    })
    : undefined;
  try {
    if (pool) {
      if (resumeFrom > 0) {
        const saved = await loadCheckpoint(join(runDir, "checkpoint"), { expect: options.policy.config });
        options.policy.copyFrom(saved);
        saved.dispose();
      }
      await sft(pool, options.train, sftSettings(config, resumeFrom), async (report) => {
        steps = report.step;
        // The line first, so that a checkpoint never runs ahead of the metrics kept on resume.
        await log({ ...report });
        if (report.step % config.eval.every === 0) await checkpoint(report.step);
        await options.onStep?.({ ...report });
      });
    } else {
      const trainer = await createTrainer(options.workers ? { ...config, workers: options.workers } : config, {
        policy: options.policy,
        train: options.train,
        reference: options.reference,
      });
      trainerRef = trainer;
      if (resumeFrom > 0) await trainer.load(join(runDir, "checkpoint"));
      const { every, finalSamples, samples } = config.eval;
      try {
        const heldOut = options.test
          ? evaluationProblems(options.test, tiersOf(config.eval.tiers), config.eval.problems)
          : undefined;
        const budget = config.rollout.budget;
        // Completions sampled so far: what an equal-budget comparison counts.
        let rollouts = metrics.length > 0 ? Number(JSON.parse(metrics[metrics.length - 1]).rollouts ?? 0) : 0;
        const spent = () => budget > 0 && rollouts >= budget;
        for (let step = resumeFrom + 1; step <= config.steps && !spent(); step++) {
          const report: StepReport = await trainer.step();
          steps = step;
          rollouts += report.rollout.completions;
          const last = step === config.steps || spent();
          const { groups, ...line } = report;
          await Deno.writeTextFile(join(runDir, "rollouts.jsonl"), JSON.stringify({ step, groups }) + "\n", {
            append: true,
          });
          await record({ ...line, rollouts });
          if (heldOut && heldOut.length > 0 && (step % every === 0 || last)) {
            const n = last ? finalSamples : samples;
            const result = await trainer.evaluate(heldOut, { n, k: n });
            evals.push(JSON.stringify({ step, rollouts, ...evaluationRecord(result) }));
            await writeTextFileAtomic(join(runDir, "eval.jsonl"), evals.join("\n") + "\n");
          }
          if (step % every === 0 && !last) await checkpoint(step);
        }
      } finally {
        trainer.close();
      }
    }
    await checkpoint(steps);
  } catch (e) {
    const message = (e as Error).message;
    if (!/loss is (NaN|Infinity|-Infinity)|gradient norm is/.test(message)) throw e;
    // A diverged step: stop here, keep the last checkpoint as it is.
    stopped = `step ${steps + 1}: ${message}`;
    console.error(`run stopped at ${stopped}; the last checkpoint is intact`);
  } finally {
    pool?.close();
    meta.steps = steps;
    meta.stopped = stopped ?? null;
    meta.seconds = (performance.now() - started) / 1000;
    meta.finishedAt = new Date().toISOString();
    await writeMeta();
  }
  // Written last and atomically: its presence means every file above is complete.
  if (!stopped) await writeTextFileAtomic(join(runDir, "done.json"), JSON.stringify({ steps }) + "\n");
  return { steps, stopped, resumedFrom: resumeFrom || undefined, seconds: (performance.now() - started) / 1000 };
}
