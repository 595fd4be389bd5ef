/**
 * `deno task ablation [grid.yaml] [--out DIR] [--workers N] [--dry-run] [--slurm]`: run a grid (default: the main
 * job, `grids/main.yaml`) into a run store, resuming whatever an earlier invocation left, then write
 * `summary.csv`, `summary.md` and `figures/`. Internal modes: `--run ID` (one run in this process: what worker
 * processes do, `lib/ablation/worker.ts`), `--task-index I` (the I-th run: what Slurm array tasks do), `--base-only`,
 * `--results-only` (the Slurm jobs run this file).
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { basename, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Grid, gridsByBase, loadGrid, MAIN_GRID } from "../lib/ablation/grid.ts";
import { buildBase, calibrateBase, compareWithShipped, evaluateBase, writeResults } from "../lib/ablation/jobs.ts";
import { runAblation } from "../lib/ablation/runner.ts";
import { verdict } from "../lib/ablation/verdict.ts";
import { baseEvalFile, nameSavedCopy, runDir, saveGrid } from "../lib/ablation/store.ts";
import { slurmScripts } from "../lib/ablation/slurm.ts";
import { shippedBase } from "../lib/ablation/shipped.ts";
import { displayPath, exists, writeTextFileAtomic } from "../lib/io.ts";
import { releaseHeldLocks, stopWorkers } from "../lib/ablation/processes.ts";
import { onInterrupt, pendingInterrupt, runWorker, watchParent } from "../lib/ablation/worker.ts";
import { describeBackend, selectBackend } from "../lib/policy/backend.ts";
import { prepareNativeProducts } from "../kernel/setup.ts";
import { type ExportFormat, parseFormats } from "../lib/plot/export.ts";

const USAGE = `usage: deno task ablation [GRID.yaml] [--out DIR] [--workers N] [--dry-run] [--slurm] [--formats LIST]
                              [--rebuild-base] [--base-only] [--results-only]

Runs every run of GRID (default: the main job, grids/main.yaml) into DIR (default:
results/<grid name>): the SFT base once, then the runs N at a time (default: one per core), each in its own
single-threaded process. A rerun skips finished runs and continues cut-off ones. Writes DIR/summary.csv,
DIR/summary.md and DIR/figures/ (html always; svg, png, jpeg, pdf with Chromium).

  --dry-run        list the runs (id, state, axis values) and exit
  --slurm          write DIR/slurm/ (sbatch scripts: base, run array, results; submit.sh) instead of running
  --slurm-args=S   extra sbatch arguments for every job, e.g. --slurm-args="--partition=cpu --account=lab --time=2:00:00"
  --formats LIST   figure formats, comma-separated, of html, svg, png, jpeg (or jpg), pdf (default html,svg,png,pdf)
  --rebuild-base   train the SFT base even where the kit ships it (bases/<id>/), then compare its calibration
                   with the shipped one's (DIR/bases/<id>/rebuild-check.md)
  --workers N      runs at a time (default: the number of cores)
  --base-only      build (or install) and calibrate the base and evaluate it, without the runs
  --results-only   redraw DIR's summary and figures from its saved runs (as deno task figures DIR)
  -h, --help       this text

Used by the runner and by Slurm jobs, rarely by hand:
  --run ID         run the one run ID in this process (progress as JSON lines on stdout)
  --task-index I   run the I-th run of the grid (a Slurm array task)
  --watch-parent   stop when stdin closes (the runner's workers: a killed runner leaves no run going)

Ctrl-C stops the runs (each keeps its last checkpoint) and prints the command that resumes.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("ablation", USAGE, {
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      workers: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      slurm: { type: "boolean", default: false },
      "slurm-args": { type: "string" },
      formats: { type: "string" },
      run: { type: "string" },
      "task-index": { type: "string" },
      "base-only": { type: "boolean", default: false },
      "results-only": { type: "boolean", default: false },
      "rebuild-base": { type: "boolean", default: false },
      "watch-parent": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new Error(`one grid file at most (got ${positionals.join(" ")})\n${USAGE}`);
  const file = positionals[0] ?? MAIN_GRID;
  const out = resolve(values.out ?? join("results", basename(file, extname(file))));
  // Slurm jobs read the folder's copy of the grid; its summary still names the grid the researcher wrote.
  const grid = await nameSavedCopy(out, await loadGrid(file));
  if ((await Deno.stat(out).catch(() => null))?.isFile) throw new Error(`--out: ${out} is a file, not a folder`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) {
    throw new Error(`--workers: expected a whole number ≥ 1, got "${values.workers}"`);
  }
  const formats = values.formats === undefined ? undefined : parseFormats(values.formats);

  if (values["watch-parent"]) watchParent();
  if (values.run !== undefined || values["task-index"] !== undefined) {
    return await runWorker(grid, out, values);
  }

  if (values["dry-run"]) return await dryRun(grid, out);
  if (values["slurm-args"] !== undefined && !values.slurm) throw new Error("--slurm-args: only with --slurm");
  const rebuildBase = values["rebuild-base"];
  if (values.slurm) return await writeSlurm(grid, out, slurmArgs(values["slurm-args"]), formats, rebuildBase);
  onInterrupt(async () => {
    await stopWorkers();
    releaseHeldLocks();
    const done = await Promise.all(grid.runs.map((r) => exists(join(runDir(out, r.id), "done.json"))));
    const finished = done.filter(Boolean).length;
    console.error(
      `\nablation: interrupted with ${finished} of ${grid.runs.length} runs finished (the others keep their last ` +
        `checkpoint); resume with: deno task ablation ${displayPath(grid.file)} --out ${displayPath(out)}`,
    );
    Deno.exit(130);
  });
  // The runs' processes load what this one installed.
  await prepareNativeProducts();
  if (values["base-only"]) return await baseOnly(grid, out, workers, rebuildBase);
  if (values["results-only"]) {
    const { files } = await writeResults(out, grid, { formats });
    console.log(`wrote ${files.length} files under ${out}`);
    return 0;
  }
  return await runAll(grid, out, workers, formats, rebuildBase);
}

/** `--dry-run`: the runs with their state (done, partial, new) and axis values. */
async function dryRun(grid: Grid, out: string): Promise<number> {
  console.log(`${grid.file}: ${grid.runs.length} runs into ${out}`);
  for (const sft of grid.bases) {
    const state = await exists(join(out, "bases", sft.id, "done.json"))
      ? "done"
      : await shippedBase(sft.id)
      ? `shipped: bases/${sft.id}`
      : "to build";
    console.log(`base ${sft.id} (${state})`);
  }
  const width = Math.max(...grid.runs.map((r) => r.id.length));
  for (const run of grid.runs) {
    const dir = runDir(out, run.id);
    const state = await exists(join(dir, "done.json"))
      ? "done"
      : await exists(join(dir, "checkpoint", "checkpoint.json"))
      ? "partial"
      : "new";
    const axes = Object.entries(run.axes).map(([k, v]) => `${k}=${v}`).join(" ");
    console.log(`${run.id.padEnd(width)}  ${state.padEnd(7)}  ${axes}`);
  }
  return 0;
}

/** `--slurm-args "--partition=cpu --time=2:00:00"`: sbatch options, each one word starting with `-`. */
function slurmArgs(text: string | undefined): string[] {
  const args = (text ?? "").trim().split(/\s+/).filter((a) => a.length > 0);
  const bad = args.find((a) => !a.startsWith("-"));
  if (bad !== undefined) throw new Error(`--slurm-args: "${bad}" is not an sbatch option (write --name=value)`);
  return args;
}

/** `--slurm`: write the sbatch scripts instead of running. */
async function writeSlurm(
  grid: Grid,
  out: string,
  extra: string[],
  formats: string[] | undefined,
  rebuildBase: boolean,
): Promise<number> {
  const gridFile = await saveGrid(out, grid);
  const files = slurmScripts(grid, { out, gridFile, cli: fileURLToPath(import.meta.url), extra, formats, rebuildBase });
  for (const [name, text] of Object.entries(files)) await writeTextFileAtomic(join(out, "slurm", name), text);
  await Deno.chmod(join(out, "slurm", "submit.sh"), 0o755);
  console.log(
    `wrote ${join(out, "slurm")}/ (${Object.keys(files).join(", ")}): run ${join(out, "slurm", "submit.sh")}`,
  );
  return 0;
}

/** `--base-only`: the base, its calibration and its evaluations, without the runs. */
async function baseOnly(
  grid: Grid,
  out: string,
  workers: number | undefined,
  rebuild: boolean,
): Promise<number> {
  console.error(describeBackend(await selectBackend(undefined, { quiet: true })));
  for (const one of gridsByBase(grid)) {
    if (!one.sft) continue;
    const { id } = one.sft;
    const source = await buildBase(out, one.sft, { workers, rebuild });
    console.error(`base ${id}: ${source === "shipped" ? `the shipped one (bases/${id})` : source}`);
    if (grid.calibration) {
      await calibrateBase(out, one, { ...grid.calibration, workers });
      const check = rebuild ? await compareWithShipped(out, id) : undefined;
      if (check) console.error(`${id}: ${check}`);
    }
  }
  const seen = new Set<string>();
  for (const run of grid.runs) {
    const f = await baseEvalFile(out, run.config);
    if (!seen.has(f)) await evaluateBase(out, run.config, workers, grid.summary.baseDraws);
    seen.add(f);
  }
  return 0;
}

/** The whole grid, then each variant's all-tier result on the terminal. */
async function runAll(
  grid: Grid,
  out: string,
  workers: number | undefined,
  formats: ExportFormat[] | undefined,
  rebuildBase: boolean,
): Promise<number> {
  const result = await runAblation(grid, { out, workers, formats, rebuildBase });
  const all = result.report.rows.filter((r) => r.tier === "all");
  console.log(
    `${grid.file}: ${result.finished.length} runs finished, ${result.skipped.length} already done, ` +
      `${result.failed.length} failed, in ${result.seconds.toFixed(0)} s`,
  );
  for (const r of all) {
    const ci = (x: { mean: number; half: number }) =>
      Number.isFinite(x.half) ? `${x.mean.toFixed(3)} ± ${x.half.toFixed(3)}` : x.mean.toFixed(3);
    console.log(`  ${r.variant.padEnd(28)} pass@1 ${ci(r.passAt1)}  pass@${result.report.k} ${ci(r.passAtK)}`);
  }
  // Several bases: the verdict across them (each base's own verdict is in the summary).
  const { rule, findings } = result.nested ?? verdict(result.report);
  if (result.nested) console.log(`  (the first base's numbers; ${grid.bases.length} bases in all)`);
  console.log(`\n${rule.replaceAll("**", "")}\n${findings.map((f) => `  ${f.replaceAll("**", "")}`).join("\n")}`);
  if (result.rebuildCheck) console.log(`\n${result.rebuildCheck} (see ${join(out, "bases")}/<id>/rebuild-check.md)`);
  const partial = result.summary.endsWith(".partial.md");
  console.log(`summary: ${result.summary}; figures: ${join(out, partial ? "figures-partial" : "figures")}/`);
  for (const f of result.failed) console.error(`run ${f.id} FAILED: ${f.message} (log: ${f.log})`);
  return result.failed.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    const code = await main(Deno.args);
    // A run stopped by the interrupt can end main first: the interrupt's line and exit code are the last word.
    await pendingInterrupt();
    Deno.exit(code);
  } catch (e) {
    await pendingInterrupt();
    console.error(`ablation: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
