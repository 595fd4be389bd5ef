/**
 * A training run in a folder: `config.yaml` (the resolved config), `meta.json` (backend, versions, seed, git commit,
 * wall time, how it ended), `metrics.jsonl` (a line a step), `rollouts.jsonl` (the groups with their hints and
 * completions), `eval.jsonl`, and `checkpoint/` (the policy, saved atomically at every evaluation and at the end).
 * A NaN or infinite loss stops the run with a message in `meta.json`; the last checkpoint stays intact. A folder
 * that already holds a different config is refused, so results are never overwritten. With `resume`, a folder of the
 * same config continues from its last checkpoint (the lines logged after it are dropped and redone, with the same
 * seeds and data order, so the result equals an uninterrupted run), and a finished run (`done.json`) is skipped.
 *
 * @module
 */
import { join } from "node:path";
import { writeTextFileAtomic } from "../io.ts";
import { currentBackend } from "../policy/backend.ts";
import type { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { checkpointExtra, saveCheckpoint } from "../policy/checkpoint.ts";
import type { Problem } from "../data/schema.ts";
import { type RunConfig } from "../config/schema.ts";
import { toYaml } from "../config/validate.ts";
import { sft } from "./sft.ts";
import { createTrainer, type StepReport } from "./trainer.ts";

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

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(file)).split("\n").filter((l) => l.trim() !== "");
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
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
    resumeFrom > 0 ? (await readLines(join(runDir, file))).filter((l) => JSON.parse(l).step <= resumeFrom) : [];
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
  const record = async (line: Record<string, unknown>) => {
    metrics.push(JSON.stringify(line));
    await writeTextFileAtomic(join(runDir, "metrics.jsonl"), metrics.join("\n") + "\n");
    await options.onStep?.(line);
  };
  let steps = resumeFrom;
  let stopped: string | undefined;
  const pool = config.algorithm === "sft"
    ? await PolicyPool.create(options.policy, { workers: Number(config.workers) || undefined })
    : undefined;
  try {
    if (pool) {
      const s = config.sft as Record<string, unknown>;
      if (resumeFrom > 0) throw new Error(`${runDir}: resuming an sft run is not supported; start it anew`);
      await sft(pool, options.train, {
        steps: Number(s.steps),
        batch: Number(s.batch),
        tiers: String(s.tiers).split(",").map(Number),
        hintedFraction: Number(s.hintedFraction),
        hintStyle: (config.data as Record<string, unknown>).hintStyle as "strategy",
        lr: Number((config.optim as Record<string, unknown>).lr),
        seed: config.seed,
      }, async (report) => {
        steps = report.step;
        if (report.step % Number((config.eval as Record<string, unknown>).every) === 0) await checkpoint(report.step);
        await record({ ...report });
      });
    } else {
      const trainer = await createTrainer(config, {
        policy: options.policy,
        train: options.train,
        reference: options.reference,
      });
      trainerRef = trainer;
      if (resumeFrom > 0) await trainer.load(join(runDir, "checkpoint"));
      const evalConfig = config.eval as Record<string, unknown>;
      const every = Number(evalConfig.every);
      try {
        for (let step = resumeFrom + 1; step <= Number(config.steps); step++) {
          const report: StepReport = await trainer.step();
          steps = step;
          const { groups, ...line } = report;
          await Deno.writeTextFile(join(runDir, "rollouts.jsonl"), JSON.stringify({ step, groups }) + "\n", {
            append: true,
          });
          await record(line);
          if (options.test && (step % every === 0 || step === Number(config.steps))) {
            const problems = options.test.slice(0, Number(evalConfig.problems));
            const samples = Number(evalConfig.samples);
            const result = await trainer.evaluate(problems, { n: samples, k: samples });
            evals.push(JSON.stringify({ step, ...result, problems: problems.length, samples }));
            await writeTextFileAtomic(join(runDir, "eval.jsonl"), evals.join("\n") + "\n");
          }
          if (step % every === 0) await checkpoint(step);
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
