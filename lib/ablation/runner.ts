/**
 * The ablation runner: builds the grid's SFT base once (all cores), evaluates it once per eval setting (the "before"
 * of every run), then runs the grid's runs in N worker processes, one single-threaded run each, and writes the
 * summary and the figures. Everything lands in one run store (`./store.ts`): a rerun skips finished runs and
 * continues unfinished ones from their checkpoints, so killing the ablation at any moment loses no finished run and
 * redoes none. Worker processes watch their stdin and stop when the runner dies, so a killed ablation leaves no run
 * behind that could race its rerun; a per-run lock refuses a second live writer. The jobs themselves are in
 * `jobs.ts`, the worker processes and locks in `processes.ts`, the progress display in `progress.ts`.
 *
 * @example
 * ```ts
 * import { parseGrid } from "./grid.ts";
 * import { runAblation } from "./runner.ts";
 * const grid = await parseGrid(await Deno.readTextFile("grids/quick-math.yaml"), "grids/quick-math.yaml");
 * const { report } = await runAblation(grid, { out: "results/quick-math", workers: 2 });
 * console.log(report.rows.filter((r) => r.tier === "all"));
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { describeBackend, selectBackend } from "../policy/backend.ts";
import { coresForThisProcess } from "../policy/blas.ts";
import { exists } from "../io.ts";
import { inJupyter } from "../display.ts";
import type { ExportFormat } from "../plot/export.ts";
import { type Grid, type GridRun, gridsByBase, loadGrid } from "./grid.ts";
import type { NestedVerdict } from "./nested.ts";
import { baseEvalFile, checkpointPath, conflicts, readBaseCurve, readBaseEvals, runDir, saveGrid } from "./store.ts";
import type { AblationReport } from "./report.ts";
import { buildBase, calibrateBase, compareWithShipped, evaluateBase, writeResults } from "./jobs.ts";
import { spawnRun } from "./processes.ts";
import { type AblationProgress, progressDrawer, ProgressTracker } from "./progress.ts";

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
  /** Train the SFT base even where the kit ships it (`bases/<id>/`), then compare the two calibrations. */
  rebuildBase?: boolean;
}

/** What {@link runAblation} did. */
export interface AblationResult {
  /** The report (a grid of several bases: its first base's). */
  report: AblationReport;
  /** The verdict across bases, for a grid of several. */
  nested?: NestedVerdict;
  /** The summary written: `summary.md`, or `summary.partial.md` beside it while runs are left to finish. */
  summary: string;
  /** Runs found finished and skipped, and runs this invocation finished. */
  skipped: string[];
  finished: string[];
  failed: { id: string; log: string; message: string }[];
  seconds: number;
  /** With `rebuildBase`: the first sentence of `bases/<id>/rebuild-check.md` (the rebuilt base against the shipped). */
  rebuildCheck?: string;
}

/** Refuse an output folder whose run folders hold other configs than `grid` gives them. */
async function checkNoConflicts(out: string, grid: Grid): Promise<void> {
  const clashes = await conflicts(out, grid);
  if (clashes.length === 0) return;
  throw new Error(
    `${out}: ${clashes.length} run folder(s) hold another config than this grid gives them; nothing was run or ` +
      `overwritten (use another --out, or move the folders away):\n` +
      clashes.map((c) => `  ${c.dir}:\n${c.diff.map((d) => `    ${d}`).join("\n")}`).join("\n"),
  );
}

/**
 * The bases the pending runs start from: each built (and calibrated) once on all cores, evaluated once per eval
 * setting.
 */
async function prepareBase(
  out: string,
  grid: Grid,
  pending: GridRun[],
  workers: number,
  progress: ProgressTracker,
  rebuild: boolean,
): Promise<string | undefined> {
  const checks: string[] = [];
  for (const one of gridsByBase(grid)) {
    const sft = one.sft;
    if (!sft) continue;
    const source = await buildBase(out, sft, {
      workers,
      rebuild,
      onStep: (step, steps, loss) =>
        progress.baseStep(step, steps, `sft ${sft.id} step ${step}/${steps} loss ${loss.toFixed(3)}`),
    });
    if (source === "shipped") {
      progress.info(`base ${sft.id}: the shipped one (bases/${sft.id}, SHA-256 checked; --rebuild-base trains it)`);
    }
    if (grid.calibration) {
      progress.info(`calibrating the base ${sft.id}`);
      await calibrateBase(out, one, {
        ...grid.calibration,
        workers,
        onTier: (t) => progress.info(`calibrating the base ${sft.id}: tier ${t.tier} ${t.regime}`),
      });
      const check = rebuild ? await compareWithShipped(out, sft.id) : undefined;
      if (check) {
        progress.info(check);
        checks.push(grid.bases.length > 1 ? `${sft.id}: ${check}` : check);
      }
    }
  }
  const rebuildCheck = checks.length > 0 ? checks.join("; ") : undefined;
  progress.phase("base-eval");
  const evaluated = new Set<string>();
  for (const run of pending) {
    const file = await baseEvalFile(out, run.config);
    if (evaluated.has(file)) continue;
    evaluated.add(file);
    progress.info(`evaluating the base (${file})`);
    await evaluateBase(out, run.config, workers, grid.summary.baseDraws);
  }
  return rebuildCheck;
}

/** Evaluate the base of every run (its draws and curve point) where its checkpoint exists and some are missing. */
async function completeBaseEvaluations(out: string, grid: Grid, workers: number): Promise<void> {
  const done = new Set<string>();
  for (const run of grid.runs) {
    const file = await baseEvalFile(out, run.config);
    if (done.has(file)) continue;
    done.add(file);
    if (!(await exists(join(checkpointPath(out, run.config), "checkpoint.json")))) continue;
    const saved = await readBaseEvals(out, run.config, grid.summary.baseDraws);
    if (saved.length >= grid.summary.baseDraws && await readBaseCurve(out, run.config)) continue;
    await selectBackend(undefined, { quiet: true });
    await evaluateBase(out, run.config, workers, grid.summary.baseDraws);
  }
}

/**
 * Why a run failed, from its log: the line its process ends with (`ablation: …`, what `worker.ts` prints on an error),
 * else the last line that mentions an error, else the last line; the exit code when the log says nothing.
 */
export async function failureReason(log: string, code: number): Promise<string> {
  const lines = (await Deno.readTextFile(log).catch(() => "")).trim().split("\n").map((l) => l.trim()).filter(Boolean);
  const stated = lines.filter((l) => l.startsWith("ablation: ")).pop()?.slice("ablation: ".length);
  return stated ?? lines.filter((l) => /error/i.test(l)).pop() ?? lines.pop() ?? `exit code ${code}`;
}

/** Run the pending runs, `workers` processes at a time, each with its share of the cores. */
async function runPending(
  out: string,
  gridFile: string,
  pending: GridRun[],
  workers: number,
  progress: ProgressTracker,
): Promise<{ finished: string[]; failed: AblationResult["failed"] }> {
  const finished: string[] = [];
  const failed: AblationResult["failed"] = [];
  const { state } = progress;
  const queue = [...pending];
  const concurrent = Math.min(workers, queue.length);
  const coresPerRun = Math.max(1, Math.floor(coresForThisProcess() / concurrent));
  await Promise.all(Array.from({ length: concurrent }, async (_, slot) => {
    while (queue.length > 0) {
      const run = queue.shift()!;
      const w: NonNullable<AblationProgress["workers"][number]> = {
        run: run.id,
        step: 0,
        steps: run.config.steps,
        rollouts: 0,
        budget: run.config.rollout.budget,
      };
      state.workers[slot] = w;
      progress.update();
      const { code, log } = await spawnRun(out, gridFile, run, coresPerRun, (line) => {
        if (typeof line.resumedFrom === "number") w.step = w.resumedFrom = line.resumedFrom;
        if (typeof line.step === "number") w.step = line.step;
        if (typeof line.rollouts === "number") w.rollouts = line.rollouts;
        if (typeof line.rewardMean === "number") w.reward = line.rewardMean;
        progress.partialRun(run.id, Math.min(1, Math.max(w.step / w.steps, w.budget > 0 ? w.rollouts / w.budget : 0)));
      });
      if (code === 0 && await exists(join(runDir(out, run.id), "done.json"))) {
        finished.push(run.id);
        state.finished++;
      } else {
        failed.push({ id: run.id, log, message: await failureReason(log, code) });
        state.failed.push(run.id);
      }
      state.workers[slot] = null;
      progress.partialRun(run.id, undefined);
    }
  }));
  return { finished, failed };
}

/** Run a grid into `options.out`: base, base evaluations, runs in parallel, summary and figures. */
export async function runAblation(grid: Grid, options: AblationOptions): Promise<AblationResult> {
  const { out } = options;
  const started = performance.now();
  const workers = Math.max(1, options.workers ?? coresForThisProcess());
  await Deno.mkdir(out, { recursive: true });
  await checkNoConflicts(out, grid);
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
  const progress = new ProgressTracker(grid.runs.length, skipped.length, workers, pending.length, (state) => {
    options.onProgress?.(state);
    drawer.draw(state);
  });
  try {
    let ran: { finished: string[]; failed: AblationResult["failed"] } = { finished: [], failed: [] };
    let rebuildCheck: string | undefined;
    if (pending.length > 0) {
      const backend = await selectBackend(undefined, { quiet: true });
      if (mode !== "none") console.error(describeBackend(backend));
      rebuildCheck = await prepareBase(out, grid, pending, workers, progress, options.rebuildBase ?? false);
      progress.phase("runs");
      ran = await runPending(out, gridFile, pending, workers, progress);
    }
    // A folder whose runs all finished under an earlier kit may lack the base's later draws or its curve point:
    // measure what is missing while the base is there (nothing is redone when they are saved).
    if (pending.length === 0) await completeBaseEvaluations(out, grid, workers);
    progress.phase("results", "summary and figures");
    const { report, nested, summary } = await writeResults(out, grid, {
      formats: options.formats,
      failures: ran.failed,
    });
    progress.state.fraction = 1;
    progress.phase("done");
    return { report, nested, summary, skipped, ...ran, seconds: (performance.now() - started) / 1000, rebuildCheck };
  } finally {
    await drawer.end();
  }
}

/** Load a grid file and run it (the `deno task ablation` path without the CLI). */
export async function runAblationFile(file: string, options: AblationOptions): Promise<AblationResult> {
  return await runAblation(await loadGrid(file), options);
}
