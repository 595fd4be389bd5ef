/**
 * The ablation runner: builds the grid's SFT base once (all cores), evaluates it once per eval setting (the "before"
 * of every run), then runs the grid's runs in N worker processes, one single-threaded run each, and writes the
 * summary and the figures. Everything lands in one run store (`./store.ts`): a rerun skips finished runs and
 * continues unfinished ones from their checkpoints, so killing the ablation at any moment loses no finished run and
 * redoes none. Worker processes watch their stdin and stop when the runner dies, so a killed ablation leaves no run
 * behind that could race its rerun; a per-run lock refuses a second live writer.
 *
 * @example
 * ```ts
 * import { parseGrid } from "./grid.ts";
 * import { runAblation } from "./runner.ts";
 * const grid = await parseGrid(await Deno.readTextFile("grids/quick.yaml"), "grids/quick.yaml");
 * const { report } = await runAblation(grid, { out: "results/quick", workers: 2 });
 * console.log(report.rows.filter((r) => r.tier === "all"));
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostname } from "node:os";
import { loadProblems } from "../data/load.ts";
import { type RunConfig, tiersOf } from "../config/schema.ts";
import { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { loadCheckpoint } from "../policy/checkpoint.ts";
import { Tokenizer } from "../policy/tokenizer.ts";
import { describeBackend, selectBackend } from "../policy/backend.ts";
import { coresForThisProcess } from "../policy/blas.ts";
import { evaluatePolicy, evaluationProblems } from "../rl/evaluate.ts";
import { type EvaluationRecord, evaluationRecord, runTraining } from "../rl/run.ts";
import { exists, writeTextFileAtomic } from "../io.ts";
import { formatDuration, inJupyter, progress as progressBar } from "../display.ts";
import { exportFigures, type ExportFormat } from "../plot/export.ts";
import { ablationFigures } from "./plots.ts";
import { type Grid, type GridRun, loadGrid } from "./grid.ts";
import { calibrate, calibrationMarkdown, type TierCalibration } from "./calibrate.ts";
import {
  baseDir,
  baseEvalFile,
  checkpointPath,
  conflicts,
  readBaseEval,
  readRun,
  runDir,
  type RunResults,
  saveGrid,
} from "./store.ts";
import { type AblationReport, ablationReport } from "./report.ts";
import { summaryCsv, summaryMarkdown } from "./summary.ts";

/** The kit's entry point for worker processes (this module's CLI). */
export const CLI_PATH = fileURLToPath(new URL("./cli.ts", import.meta.url));
const CONFIG_PATH = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** A worker's latest report, and the runner's overall state: what progress displays draw. */
export interface AblationProgress {
  /** Runs in the grid, finished before this invocation, finished by it, failed. */
  total: number;
  skipped: number;
  finished: number;
  failed: string[];
  /** What each worker is doing (index = worker). */
  workers: ({ run: string; step: number; steps: number; rollouts: number; budget: number; reward?: number } | null)[];
  /** The phase: building the base, evaluating it, running the grid, writing results. */
  phase: "base" | "base-eval" | "runs" | "results" | "done";
  /** Fraction of this invocation's work done (runs, counting partial progress), and seconds elapsed. */
  fraction: number;
  elapsedS: number;
  /** Seconds since the runs began (0 before): the ETA extrapolates from this, not from the base's SFT time. */
  runsElapsedS: number;
  /** Free text of the current phase (e.g. the base's SFT step). */
  info?: string;
}

/** Options of {@link runAblation}. */
export interface AblationOptions {
  /** The run store (created if missing). */
  out: string;
  /** Runs at a time, each a single-threaded process (default: the number of cores). */
  workers?: number;
  /** `auto`: lines in a terminal, the kernel's progress display in Jupyter; `none`: quiet. */
  display?: "auto" | "terminal" | "jupyter" | "none";
  /** Called whenever progress changes. */
  onProgress?: (state: AblationProgress) => void;
  /** Figure formats (default all four; html is always written; images need Chromium). */
  formats?: ExportFormat[];
}

/** What {@link runAblation} did. */
export interface AblationResult {
  report: AblationReport;
  /** Runs found finished and skipped, and runs this invocation finished. */
  skipped: string[];
  finished: string[];
  failed: { id: string; log: string; message: string }[];
  seconds: number;
}

/** The vocabulary of a domain: every character of its problems, hints and solutions. */
export async function domainTokenizer(domain: string): Promise<Tokenizer> {
  const d = domain as "math";
  const texts = [...await loadProblems(d, "train"), ...await loadProblems(d, "test")]
    .flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]);
  return Tokenizer.fromTexts(texts);
}

function optimizerOf(config: RunConfig) {
  const { lr, weightDecay, beta1, beta2, maxGradNorm } = config.optim;
  return { lr, weightDecay, beta1, beta2, maxGradNorm };
}

/** Hold `dir/lock` for this process; a stale lock (its process gone from this host) is taken over. */
export async function acquireLock(dir: string, waitS = 120): Promise<() => Promise<void>> {
  await Deno.mkdir(dir, { recursive: true });
  const file = join(dir, "lock");
  const me = { host: hostname(), pid: Deno.pid };
  const deadline = performance.now() + waitS * 1000;
  while (true) {
    try {
      await Deno.writeTextFile(file, JSON.stringify(me) + "\n", { createNew: true });
      return async () => {
        await Deno.remove(file).catch(() => {});
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    let holder: { host?: string; pid?: number } = {};
    try {
      holder = JSON.parse(await Deno.readTextFile(file));
    } catch {
      // A lock being written right now, or a torn one: look again shortly.
    }
    const sameHost = holder.host === me.host;
    if (sameHost && holder.pid !== undefined && !(await exists(`/proc/${holder.pid}`))) {
      await Deno.remove(file).catch(() => {});
      continue;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `${file}: held by ${holder.host ?? "?"} pid ${holder.pid ?? "?"}; if that process is gone, remove the lock`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Build the grid's SFT base in `OUT/bases/<id>` on all cores (resuming a cut-off build), unless it is done. */
export async function buildBase(
  out: string,
  sft: GridRun,
  options: { workers?: number; onStep?: (step: number, steps: number, loss: number) => void } = {},
): Promise<void> {
  const dir = baseDir(out, sft.id);
  if (await exists(join(dir, "done.json"))) return;
  const release = await acquireLock(dir);
  try {
    const domain = sft.config.data.domain;
    const model = sft.config.model;
    const policy = Policy.create(await domainTokenizer(domain), {
      dModel: model.dModel,
      layers: model.layers,
      heads: model.heads,
      ctx: model.ctx,
    }, { seed: sft.config.seed, optimizer: optimizerOf(sft.config) });
    const steps = sft.config.sft.steps;
    const result = await runTraining(sft.config, {
      runDir: dir,
      policy,
      train: await loadProblems(domain, "train"),
      resume: true,
      // The SFT config's `workers` is 1 (runs in a grid get one process each); the base has the machine to itself.
      workers: options.workers ?? coresForThisProcess(),
      onStep: (m) => options.onStep?.(Number(m.step), steps, Number(m.loss)),
    });
    policy.dispose();
    if (result.stopped) throw new Error(`the sft base ${sft.id} stopped: ${result.stopped}`);
  } finally {
    await release();
  }
}

/**
 * Calibrate the grid's SFT base (`calibrate`: per tier, plain and with each hint style) into
 * `OUT/bases/<id>/calibration.{json,md}`, unless a calibration with the same settings is saved there. The base must
 * be built. `maxTokens` is the runs' (so "reachable" means reachable by a run's sampler).
 */
export async function calibrateBase(
  out: string,
  grid: Grid,
  options: { problems: number; samples: number; workers?: number; onTier?: (tier: TierCalibration) => void },
): Promise<{ calibration: TierCalibration[]; markdown: string }> {
  if (!grid.sft) throw new Error(`${grid.file}: no \`sft\` section: nothing to calibrate`);
  const dir = baseDir(out, grid.sft.id);
  const domain = grid.sft.config.data.domain;
  const maxTokens = grid.runs[0]?.config.rollout.maxTokens ?? 64;
  const { problems, samples } = options;
  const file = join(dir, "calibration.json");
  if (await exists(file)) {
    const saved = JSON.parse(await Deno.readTextFile(file));
    if (saved.problems === problems && saved.samples === samples && saved.maxTokens === maxTokens) {
      return { calibration: saved.calibration, markdown: await Deno.readTextFile(join(dir, "calibration.md")) };
    }
  }
  const policy = await loadCheckpoint(join(dir, "checkpoint"));
  const pool = await PolicyPool.create(policy, { workers: options.workers });
  try {
    const started = performance.now();
    const calibration = await calibrate(pool, await loadProblems(domain, "test"), {
      problems,
      samples,
      maxTokens,
      onTier: options.onTier,
    });
    const markdown = calibrationMarkdown(calibration, `Calibration of ${grid.sft.id} (${domain})`);
    await writeTextFileAtomic(
      file,
      JSON.stringify({ problems, samples, maxTokens, seconds: (performance.now() - started) / 1000, calibration }) +
        "\n",
    );
    await writeTextFileAtomic(join(dir, "calibration.md"), markdown);
    return { calibration, markdown };
  } finally {
    pool.close();
    policy.dispose();
  }
}

/** Evaluate a run's starting checkpoint under its eval settings once ("before" RL), on all cores. */
export async function evaluateBase(out: string, config: RunConfig, workers?: number): Promise<EvaluationRecord> {
  const saved = await readBaseEval(out, config);
  if (saved) return saved;
  const { eval: evalConfig, rollout } = config;
  const test = await loadProblems(config.data.domain, "test");
  const problems = evaluationProblems(test, tiersOf(evalConfig.tiers), evalConfig.problems);
  const policy = await loadCheckpoint(checkpointPath(out, config));
  const pool = await PolicyPool.create(policy, { workers });
  try {
    const n = evalConfig.finalSamples;
    // Seed 7777 + step, as the trainer's evaluations: this is step 0.
    const result = await evaluatePolicy(pool, problems, {
      n,
      k: n,
      maxTokens: rollout.maxTokens,
      temperature: rollout.temperature,
      seed: 7_777,
    });
    const record = evaluationRecord(result);
    await writeTextFileAtomic(await baseEvalFile(out, config), JSON.stringify(record) + "\n");
    return record;
  } finally {
    pool.close();
    policy.dispose();
  }
}

/**
 * Run one run of a grid in this process (what a worker process or a Slurm array task does): resumes it when it was
 * cut off, skips it when it is finished. `onStep` sees every metrics line.
 */
export async function runOne(
  out: string,
  run: GridRun,
  options: { onStep?: (line: Record<string, unknown>) => void } = {},
): Promise<{ skipped: boolean; resumedFrom?: number }> {
  const dir = runDir(out, run.id);
  if (await exists(join(dir, "done.json"))) return { skipped: true };
  const release = await acquireLock(dir);
  try {
    const config = run.config;
    const domain = config.data.domain;
    const base = await loadCheckpoint(checkpointPath(out, config));
    const ppo = config.algorithm === "ppo" || config.algorithm === "guide-ppo";
    const policy = base.clone({ valueHead: ppo || undefined, optimizer: optimizerOf(config) });
    const kl = config.loss.beta > 0;
    if (!kl) base.dispose();
    try {
      const result = await runTraining(config, {
        runDir: dir,
        policy,
        train: await loadProblems(domain, "train"),
        test: await loadProblems(domain, "test"),
        reference: kl ? base : undefined,
        resume: true,
        workers: 1,
        onStep: options.onStep,
      });
      if (result.stopped) throw new Error(`stopped: ${result.stopped}`);
      return { skipped: !!result.skipped, resumedFrom: result.resumedFrom };
    } finally {
      policy.dispose();
      if (kl) base.dispose();
    }
  } finally {
    await release();
  }
}

/** Read every run's results and the base's evaluations, and compute the report. */
export async function collectReport(out: string, grid: Grid): Promise<AblationReport> {
  const results = new Map<string, RunResults>();
  const baseEvals = new Map<string, EvaluationRecord>();
  for (const run of grid.runs) {
    results.set(run.id, await readRun(out, run.id));
    const base = await readBaseEval(out, run.config);
    if (base) baseEvals.set(run.id, base);
  }
  return ablationReport(grid, results, baseEvals);
}

/** Write `summary.csv`, `summary.md` and the figures of the grid's saved results (no training). */
export async function writeResults(
  out: string,
  grid: Grid,
  options: { formats?: ExportFormat[] } = {},
): Promise<{ report: AblationReport; files: string[] }> {
  const report = await collectReport(out, grid);
  await writeTextFileAtomic(join(out, "summary.csv"), summaryCsv(report));
  // The base's calibration (when the grid asked for one) closes the summary: every number of a grid in one file.
  const calibrationFile = grid.sft ? join(baseDir(out, grid.sft.id), "calibration.md") : "";
  const calibration = grid.calibration && await exists(calibrationFile)
    ? `\n${(await Deno.readTextFile(calibrationFile)).replace(/^# /, "## Base: ")}`
    : "";
  await writeTextFileAtomic(
    join(out, "summary.md"),
    summaryMarkdown(report, `Ablation summary: ${grid.file}`) + calibration,
  );
  await Deno.mkdir(join(out, "figures"), { recursive: true });
  const exported = await exportFigures(
    ablationFigures(report).map(({ name, figure }) => ({ figure, path: join(out, "figures", name) })),
    { formats: options.formats },
  );
  return {
    report,
    files: [join(out, "summary.csv"), join(out, "summary.md"), ...exported.flatMap((e) => e.files)],
  };
}

/**
 * The overall progress line. The ETA extrapolates the runs phase alone (the base's SFT, which can take longer than a
 * run, would otherwise inflate it), so it appears once the runs begin.
 *
 * @example
 * ```ts
 * progressHead({ phase: "runs", total: 4, skipped: 0, finished: 2, failed: [], workers: [], fraction: 0.5,
 *   elapsedS: 2700, runsElapsedS: 300 }); // "ablation runs: 2/4 runs done · 50% · 45:00 elapsed · eta 5:00"
 * ```
 */
export function progressHead(s: AblationProgress): string {
  const eta = s.phase === "runs" && s.fraction > 0 && s.fraction < 1
    ? (s.runsElapsedS * (1 - s.fraction)) / s.fraction
    : NaN;
  return `ablation ${s.phase}: ${s.finished + s.skipped}/${s.total} runs done` +
    (s.skipped ? ` (${s.skipped} already)` : "") + (s.failed.length ? `, ${s.failed.length} failed` : "") +
    ` · ${(s.fraction * 100).toFixed(0)}% · ${formatDuration(s.elapsedS)} elapsed` +
    (Number.isFinite(eta) ? ` · eta ${formatDuration(eta)}` : "") + (s.info ? ` · ${s.info}` : "");
}

/** Draws progress: a line per worker and an overall line with ETA (terminal), or one kernel display (Jupyter). */
function progressDrawer(mode: "terminal" | "jupyter" | "none", workers: number) {
  if (mode === "none") return { draw: (_: AblationProgress) => {}, end: async () => {} };
  if (mode === "jupyter") {
    const bar = progressBar(1000, { label: "ablation" });
    let last: AblationProgress | undefined;
    const info = (s: AblationProgress) =>
      `${s.phase}: ${s.finished + s.skipped}/${s.total} runs` +
      (s.failed.length ? `, ${s.failed.length} failed` : "") +
      (s.info ? ` · ${s.info}` : "") +
      s.workers.map((w, i) => (w ? ` · w${i + 1} ${w.run} ${w.step}/${w.steps}` : "")).join("");
    return {
      draw: (s: AblationProgress) => {
        last = s;
        bar.set(Math.round(s.fraction * 1000), info(s));
      },
      end: async () => {
        await bar.done(last ? info(last) : undefined);
      },
    };
  }
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let drawn = 0;
  let lastPlain = 0;
  let lastState = "";
  const lines = (s: AblationProgress) => {
    const head = progressHead(s);
    const rows = s.phase === "runs"
      ? Array.from({ length: workers }, (_, i) => {
        const w = s.workers[i];
        if (!w) return `  worker ${i + 1}: idle`;
        const budget = w.budget > 0 ? ` rollouts ${w.rollouts}/${w.budget}` : "";
        const reward = w.reward !== undefined ? ` reward ${w.reward.toFixed(3)}` : "";
        return `  worker ${i + 1}: ${w.run} step ${w.step}/${w.steps}${budget}${reward}`;
      })
      : [];
    return [head, ...rows];
  };
  return {
    draw: (s: AblationProgress) => {
      const text = lines(s);
      if (tty) {
        const clear = drawn > 0 ? `\x1b[${drawn}A` : "";
        Deno.stderr.writeSync(encoder.encode(clear + text.map((l) => `\x1b[2K${l}\n`).join("")));
        drawn = text.length;
        return;
      }
      // Logs: the state when a run starts or ends, else at most every 30 s.
      const state = `${s.phase} ${s.finished} ${s.skipped} ${s.failed.length} ${s.workers.map((w) => w?.run).join()}`;
      const now = performance.now();
      if (state === lastState && now - lastPlain < 30_000) return;
      lastState = state;
      lastPlain = now;
      Deno.stderr.writeSync(encoder.encode(text.join("\n") + "\n"));
    },
    end: async () => {},
  };
}

/** Run a worker process for one run; progress lines come back on its stdout. */
async function spawnRun(
  out: string,
  gridFile: string,
  run: GridRun,
  cores: number,
  onLine: (line: Record<string, unknown>) => void,
): Promise<{ code: number; log: string }> {
  const log = join(runDir(out, run.id), "run.log");
  await Deno.mkdir(runDir(out, run.id), { recursive: true });
  const logFile = await Deno.open(log, { create: true, append: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      CONFIG_PATH,
      CLI_PATH,
      gridFile,
      "--out",
      out,
      "--run",
      run.id,
      "--watch-parent",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    // Runs share the cores: each run process gets its share, so that its products never oversubscribe them (and
    // OpenBLAS's own default, which this process's environment may carry, says the same).
    env: { NO_COLOR: "1", GUIDE_CORES: String(cores), OPENBLAS_NUM_THREADS: String(cores) },
  }).spawn();
  // Never written: its end closing (this process dying) tells the worker to stop.
  const stdin = child.stdin.getWriter();
  const pumpErr = child.stderr.pipeTo(logFile.writable);
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        onLine(JSON.parse(line));
      } catch {
        // Not a progress line: ignore it (workers print nothing else on stdout).
      }
    }
  }
  const status = await child.status;
  await pumpErr.catch(() => {});
  await stdin.close().catch(() => {});
  return { code: status.code, log };
}

/** Run a grid into `options.out`: base, base evaluations, runs in parallel, summary and figures. */
export async function runAblation(grid: Grid, options: AblationOptions): Promise<AblationResult> {
  const out = options.out;
  const started = performance.now();
  const workers = Math.max(1, options.workers ?? coresForThisProcess());
  await Deno.mkdir(out, { recursive: true });
  const clashes = await conflicts(out, grid);
  if (clashes.length > 0) {
    throw new Error(
      `${out}: ${clashes.length} run folder(s) hold another config than this grid gives them; nothing was run or ` +
        `overwritten (use another --out, or move the folders away):\n` +
        clashes.map((c) => `  ${c.dir}:\n${c.diff.map((d) => `    ${d}`).join("\n")}`).join("\n"),
    );
  }
  const gridFile = await saveGrid(out, grid);
  const mode = options.display === undefined || options.display === "auto"
    ? (inJupyter() ? "jupyter" : "terminal")
    : options.display;
  const drawer = progressDrawer(mode, workers);
  const skipped: string[] = [];
  const pending: GridRun[] = [];
  for (const run of grid.runs) {
    if (await exists(join(runDir(out, run.id), "done.json"))) skipped.push(run.id);
    else pending.push(run);
  }
  const state: AblationProgress = {
    total: grid.runs.length,
    skipped: skipped.length,
    finished: 0,
    failed: [],
    workers: Array(workers).fill(null),
    phase: "base",
    fraction: 0,
    elapsedS: 0,
    runsElapsedS: 0,
  };
  let runsStarted = NaN;
  const partial = new Map<string, number>();
  const update = () => {
    state.elapsedS = (performance.now() - started) / 1000;
    if (state.phase === "runs") {
      if (Number.isNaN(runsStarted)) runsStarted = performance.now();
      state.runsElapsedS = (performance.now() - runsStarted) / 1000;
      const active = [...partial.values()].reduce((a, b) => a + b, 0);
      state.fraction = pending.length > 0 ? (state.finished + state.failed.length + active) / pending.length : 1;
    }
    options.onProgress?.(state);
    drawer.draw(state);
  };
  const finished: string[] = [];
  const failed: AblationResult["failed"] = [];
  try {
    if (pending.length > 0) {
      const backend = await selectBackend(undefined, { quiet: true });
      if (mode !== "none") console.error(describeBackend(backend));
      if (grid.sft) {
        await buildBase(out, grid.sft, {
          workers,
          onStep: (step, steps, loss) => {
            state.info = `sft step ${step}/${steps} loss ${loss.toFixed(3)}`;
            update();
          },
        });
        if (grid.calibration) {
          state.info = "calibrating the base";
          update();
          await calibrateBase(out, grid, {
            ...grid.calibration,
            workers,
            onTier: (t) => {
              state.info = `calibrating the base: tier ${t.tier} ${t.regime}`;
              update();
            },
          });
        }
      }
      state.phase = "base-eval";
      state.info = undefined;
      update();
      const evaluated = new Set<string>();
      for (const run of pending) {
        const file = await baseEvalFile(out, run.config);
        if (evaluated.has(file)) continue;
        evaluated.add(file);
        state.info = `evaluating the base (${file})`;
        update();
        await evaluateBase(out, run.config, workers);
      }
      state.phase = "runs";
      state.info = undefined;
      update();
      const queue = [...pending];
      const concurrent = Math.min(workers, queue.length);
      const coresPerRun = Math.max(1, Math.floor(coresForThisProcess() / concurrent));
      await Promise.all(Array.from({ length: Math.min(workers, queue.length) }, async (_, slot) => {
        while (queue.length > 0) {
          const run = queue.shift()!;
          state.workers[slot] = {
            run: run.id,
            step: 0,
            steps: run.config.steps,
            rollouts: 0,
            budget: run.config.rollout.budget,
          };
          update();
          const { code, log } = await spawnRun(out, gridFile, run, coresPerRun, (line) => {
            const w = state.workers[slot]!;
            if (typeof line.step === "number") w.step = line.step;
            if (typeof line.rollouts === "number") w.rollouts = line.rollouts;
            if (typeof line.rewardMean === "number") w.reward = line.rewardMean;
            partial.set(run.id, Math.min(1, Math.max(w.step / w.steps, w.budget > 0 ? w.rollouts / w.budget : 0)));
            update();
          });
          partial.delete(run.id);
          if (code === 0 && await exists(join(runDir(out, run.id), "done.json"))) {
            finished.push(run.id);
            state.finished++;
          } else {
            const text = await Deno.readTextFile(log).catch(() => "");
            const message = text.trim().split("\n").filter((l) => /error/i.test(l)).pop() ??
              `exit code ${code}`;
            failed.push({ id: run.id, log, message });
            state.failed.push(run.id);
          }
          state.workers[slot] = null;
          update();
        }
      }));
    }
    state.phase = "results";
    state.info = "summary and figures";
    update();
    const { report } = await writeResults(out, grid, { formats: options.formats });
    state.phase = "done";
    state.fraction = 1;
    state.info = undefined;
    update();
    return { report, skipped, finished, failed, seconds: (performance.now() - started) / 1000 };
  } finally {
    await drawer.end();
  }
}

/** Load a grid file and run it (the `deno task ablation` path without the CLI). */
export async function runAblationFile(file: string, options: AblationOptions): Promise<AblationResult> {
  return await runAblation(await loadGrid(file), options);
}
