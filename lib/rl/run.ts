/**
 * A training run in a folder: `config.yaml` (the resolved config), `meta.json` (backend, versions, seed, git commit,
 * wall time, how it ended), `metrics.jsonl` (a line a step), `rollouts.jsonl` (the groups with their hints and
 * completions), `eval.jsonl`, and `checkpoint/` (the policy, saved atomically at every evaluation and at the end).
 * A NaN or infinite loss stops the run with a message in `meta.json`; the last checkpoint stays intact. A folder
 * that already holds a different config is refused, so results are never overwritten.
 *
 * @module
 */
import { join } from "node:path";
import { writeTextFileAtomic } from "../io.ts";
import { currentBackend } from "../policy/backend.ts";
import type { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { saveCheckpoint } from "../policy/checkpoint.ts";
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
  /** Called after every step (RL or SFT) with its metrics line. */
  onStep?: (metrics: Record<string, unknown>) => void | Promise<void>;
}

/** How a run ended. */
export interface RunResult {
  steps: number;
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

/** Run `config` to the end in `options.runDir`. */
export async function runTraining(config: RunConfig, options: RunOptions): Promise<RunResult> {
  const { runDir } = options;
  const configText = toYaml(config);
  const configFile = join(runDir, "config.yaml");
  try {
    const existing = await Deno.readTextFile(configFile);
    if (existing !== configText) {
      const differing = configText.split("\n").filter((line) => !existing.split("\n").includes(line));
      throw new Error(`${configFile}: the folder holds a run of another config (differs in: ${differing.join("; ")})`);
    }
    throw new Error(`${configFile}: the folder already holds this run; use a new folder`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
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
  const metrics: string[] = [];
  const evals: string[] = [];
  const checkpoint = (step: number) => saveCheckpoint(options.policy, join(runDir, "checkpoint"), { step, config });
  const record = async (line: Record<string, unknown>) => {
    metrics.push(JSON.stringify(line));
    await writeTextFileAtomic(join(runDir, "metrics.jsonl"), metrics.join("\n") + "\n");
    await options.onStep?.(line);
  };
  let steps = 0;
  let stopped: string | undefined;
  const pool = config.algorithm === "sft"
    ? await PolicyPool.create(options.policy, { workers: Number(config.workers) || undefined })
    : undefined;
  try {
    if (pool) {
      const s = config.sft as Record<string, unknown>;
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
      const evalConfig = config.eval as Record<string, unknown>;
      const every = Number(evalConfig.every);
      try {
        for (let step = 1; step <= Number(config.steps); step++) {
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
  return { steps, stopped, seconds: (performance.now() - started) / 1000 };
}
