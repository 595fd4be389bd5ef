/**
 * The jobs of an ablation, each resumable and each safe to run alone (the CLI's `--base`, `--run` and `--results`
 * call them): build the grid's SFT base, calibrate it, evaluate it once per eval setting, run one grid run, and
 * write the summary and figures from the saved results.
 *
 * @module
 */
import { join } from "node:path";
import { loadProblems } from "../data/load.ts";
import { configYaml, curveTiersOf, type RunConfig, tiersOf } from "../config/schema.ts";
import { Policy } from "../policy/policy.ts";
import { PolicyPool } from "../policy/pool.ts";
import { loadCheckpoint } from "../policy/checkpoint.ts";
import { Tokenizer } from "../policy/tokenizer.ts";
import { coresForThisProcess } from "../policy/blas.ts";
import { EVAL_SEED, evaluatePolicy, evaluationProblems } from "../rl/evaluate.ts";
import { type EvaluationRecord, evaluationRecord, runTraining } from "../rl/run.ts";
import { displayPath, exists, scrubPaths, writeTextFileAtomic } from "../io.ts";
import { exportFigures, type ExportFormat } from "../plot/export.ts";
import { ablationFigures, acrossBasesFigures } from "./plots.ts";
import { contrastsOf, type Grid, type GridRun, gridsByBase } from "./grid.ts";
import { calibrate, calibrationMarkdown, type TierCalibration } from "./calibrate.ts";
import {
  baseCurveFile,
  baseDir,
  baseEvalFile,
  checkpointPath,
  readBaseCurve,
  readBaseEvals,
  readRun,
  runDir,
  type RunResults,
} from "./store.ts";
import { type AblationReport, ablationReport, variantsOf } from "./report.ts";
import {
  type BaseMeans,
  baseMeansOf,
  capabilityTier,
  measuresOf,
  nestedMarkdown,
  type NestedVerdict,
  nestedVerdict,
} from "./nested.ts";
import { runsCsv, summaryCsv, summaryMarkdown } from "./summary.ts";
import { acquireLock } from "./processes.ts";
import {
  calibrationComparisonMarkdown,
  clearBaseFolder,
  compareCalibrations,
  INSTALLING,
  installShippedBase,
  shippedBase,
} from "./shipped.ts";

/** The vocabulary of a domain: every character of its problems, hints and solutions, in every split. */
export async function domainTokenizer(domain: string): Promise<Tokenizer> {
  const splits = [
    await loadProblems(domain, "train"),
    await loadProblems(domain, "validation"),
    await loadProblems(domain, "test"),
  ];
  const texts = splits.flat()
    .flatMap((p) => [p.prompt, p.solution, ...Object.values(p.hints)]);
  return Tokenizer.fromTexts(texts);
}

function optimizerOf(config: RunConfig) {
  const { lr, weightDecay, beta1, beta2, maxGradNorm } = config.optim;
  return { lr, weightDecay, beta1, beta2, maxGradNorm };
}

/** Where {@link buildBase}'s base came from. */
export type BaseSource = "built" | "shipped" | "existing";

/**
 * Build the grid's SFT base in `OUT/bases/<id>` on all cores (resuming a cut-off build), unless it is done. When the
 * kit ships a base with this id (`bases/<id>/`, `./shipped.ts`), that one is verified and installed instead, unless
 * `rebuild`; a corrupt shipped base is refused, naming the file.
 */
export async function buildBase(
  out: string,
  sft: GridRun,
  options: {
    workers?: number;
    onStep?: (step: number, steps: number, loss: number) => void;
    rebuild?: boolean;
    shippedRoot?: string;
  } = {},
): Promise<BaseSource> {
  const dir = baseDir(out, sft.id);
  const shipped = await shippedBase(sft.id, options.shippedRoot);
  const finished = async () => {
    const file = join(dir, "done.json");
    if (!(await exists(file))) return undefined;
    try {
      return JSON.parse(await Deno.readTextFile(file)) as { steps?: number; shipped?: string };
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message}); move the base folder away and run again`);
    }
  };
  const refuseRebuild = (done: { shipped?: string } | undefined) => {
    if (options.rebuild && done?.shipped) {
      throw new Error(
        `--rebuild-base: ${displayPath(dir)} holds the shipped base, and runs here may have started from it; ` +
          `rebuild into another --out`,
      );
    }
  };
  const before = await finished();
  refuseRebuild(before);
  if (before) return "existing";
  const release = await acquireLock(dir);
  try {
    // Another process may have finished it while this one waited for the lock.
    const done = await finished();
    refuseRebuild(done);
    if (done) return "existing";
    const cutOffInstall = await exists(join(dir, INSTALLING));
    // A build cut off here has a checkpoint to resume from: that goes on; otherwise the shipped copy, if any. A cut-off
    // install is redone (or, with --rebuild-base, cleared first: its checkpoint and calibration are not a build's).
    if (shipped && !options.rebuild && (cutOffInstall || !(await exists(join(dir, "checkpoint"))))) {
      await installShippedBase(shipped, dir, {
        domain: sft.config.data.domain,
        expectedConfig: configYaml(sft.config),
      });
      return "shipped";
    }
    if (cutOffInstall) await clearBaseFolder(dir);
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
    return "built";
  } finally {
    await release();
  }
}

/**
 * After `--rebuild-base`: the rebuilt base's calibration against the shipped one's (same problems and samples), written
 * to `OUT/bases/<id>/rebuild-check.md`; returns its first sentence (undefined when nothing is shipped to compare).
 */
export async function compareWithShipped(out: string, id: string): Promise<string | undefined> {
  const shipped = await shippedBase(id);
  if (!shipped) return undefined;
  const read = async (dir: string) => JSON.parse(await Deno.readTextFile(join(dir, "calibration.json")));
  const [a, b] = [await read(shipped), await read(baseDir(out, id))];
  if (a.problems !== b.problems || a.samples !== b.samples) {
    return `not compared with the shipped base: calibrated on ${b.problems} × ${b.samples}, it on ${a.problems} × ${a.samples}`;
  }
  const markdown = calibrationComparisonMarkdown(compareCalibrations(a.calibration, b.calibration));
  await writeTextFileAtomic(
    join(baseDir(out, id), "rebuild-check.md"),
    `# Rebuilt against shipped: ${id}\n\n${markdown}`,
  );
  return markdown.split("\n")[0];
}

/**
 * Calibrate the grid's SFT base (`calibrate`: per tier, plain and with each hint style, on the validation split) into
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
    // Validation, not test: calibration picks tiers and settings, and only the final evaluation may read test.
    const calibration = await calibrate(pool, await loadProblems(domain, "validation"), {
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

/** The sampling seed of the base's evaluation draw `draw` (draw 0: {@link EVAL_SEED}, step 0 of a run's seeds). */
export const baseDrawSeed = (draw: number) => EVAL_SEED + 1_000_003 * draw;

/**
 * Evaluate a run's starting checkpoint under its eval settings ("before" RL), on all cores: `draws` independent
 * draws (sampling seeds {@link baseDrawSeed}), each saved as it finishes, the ones already saved kept.
 */
export async function evaluateBase(
  out: string,
  config: RunConfig,
  workers: number | undefined,
  draws: number,
): Promise<EvaluationRecord[]> {
  const saved = await readBaseEvals(out, config, draws);
  const curveSaved = await readBaseCurve(out, config);
  if (saved.length >= draws && curveSaved) return saved;
  const { eval: evalConfig, rollout } = config;
  const test = await loadProblems(config.data.domain, "test");
  const problems = evaluationProblems(test, tiersOf(evalConfig.tiers), evalConfig.problems);
  const policy = await loadCheckpoint(checkpointPath(out, config));
  const pool = await PolicyPool.create(policy, { workers });
  try {
    if (!curveSaved) {
      // Step 0 of every run's learning curve: the validation problems a run's curve evaluations read, seed EVAL_SEED.
      const validation = await loadProblems(config.data.domain, "validation");
      const curve = evaluationProblems(validation, curveTiersOf(config), evalConfig.curveProblems);
      const result = await evaluatePolicy(pool, curve, {
        n: evalConfig.samples,
        k: evalConfig.samples,
        maxTokens: rollout.maxTokens,
        temperature: rollout.temperature,
        seed: baseDrawSeed(0),
      });
      const record = evaluationRecord(result, "validation");
      await writeTextFileAtomic(await baseCurveFile(out, config), JSON.stringify(record) + "\n");
    }
    const n = evalConfig.finalSamples;
    for (let draw = saved.length; draw < draws; draw++) {
      const result = await evaluatePolicy(pool, problems, {
        n,
        k: n,
        maxTokens: rollout.maxTokens,
        temperature: rollout.temperature,
        seed: baseDrawSeed(draw),
      });
      const record = evaluationRecord(result, "test");
      await writeTextFileAtomic(await baseEvalFile(out, config, draw), JSON.stringify(record) + "\n");
      saved.push(record);
    }
    return saved;
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
  options: { onStep?: (line: Record<string, unknown>) => void; onResume?: (step: number) => void } = {},
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
        validation: await loadProblems(domain, "validation"),
        reference: kl ? base : undefined,
        resume: true,
        workers: 1,
        onStep: options.onStep,
        onResume: options.onResume,
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
  const baseEvals = new Map<string, EvaluationRecord[]>();
  const baseCurves = new Map<string, EvaluationRecord>();
  for (const run of grid.runs) {
    results.set(run.id, await readRun(out, run.id));
    const base = await readBaseEvals(out, run.config, grid.summary.baseDraws);
    if (base.length > 0) baseEvals.set(run.id, base);
    const curve = await readBaseCurve(out, run.config);
    if (curve) baseCurves.set(run.id, curve);
  }
  return ablationReport(grid, results, baseEvals, baseCurves);
}

/** What {@link writeResults} wrote. */
export interface WrittenResults {
  /** The report (a grid of several bases: its first base's). */
  report: AblationReport;
  /** Per base (one entry for a one-base grid). */
  reports: AblationReport[];
  /** The verdict across bases (grids of several bases). */
  nested?: NestedVerdict;
  files: string[];
  summary: string;
  partial: boolean;
}

/**
 * Write `summary.csv`, `runs.csv`, `summary.md` and the figures of the grid's saved results (no training). A grid of
 * several SFT bases is reported per base (each as a one-base grid of its runs would be) under the verdict across
 * bases (`nested.ts`, also saved as `nested.json`); its CSVs hold every base's lines, its figures are per base
 * (`figures/<base id>/`).
 */
export async function writeResults(
  out: string,
  grid: Grid,
  options: { formats?: ExportFormat[]; failures?: { id: string; message: string }[] } = {},
): Promise<WrittenResults> {
  const grids = gridsByBase(grid);
  const reports = await Promise.all(grids.map((g) => collectReport(out, g)));
  // A grid with runs left to finish writes beside the last complete summary, never over it.
  const unfinished = reports.reduce((n, r) => n + r.unfinished.length, 0);
  const partial = unfinished > 0;
  const several = grids.length > 1;
  const summaryCsvFile = join(out, partial ? "summary.partial.csv" : "summary.csv");
  const summaryFile = join(out, partial ? "summary.partial.md" : "summary.md");
  const figuresDir = join(out, partial ? "figures-partial" : "figures");
  const runsCsvFile = join(out, partial ? "runs.partial.csv" : "runs.csv");
  const nestedFile = join(out, partial ? "nested.partial.json" : "nested.json");
  // Several bases: one CSV of every base's lines (summary.csv gains a leading `base` column).
  const joinCsv = (texts: string[], prefix?: string[]) =>
    texts.map((t, i) => {
      const lines = t.trimEnd().split("\n");
      const body = i === 0 ? lines : lines.slice(1);
      if (!prefix) return body.join("\n");
      return body.map((l, j) => (i === 0 && j === 0 ? `base,${l}` : `${prefix[i]},${l}`)).join("\n");
    }).join("\n") + "\n";
  await writeTextFileAtomic(
    summaryCsvFile,
    several ? joinCsv(reports.map(summaryCsv), reports.map((r) => r.base)) : summaryCsv(reports[0]),
  );
  await writeTextFileAtomic(runsCsvFile, joinCsv(reports.map(runsCsv)));
  const failures = (options.failures ?? []).map((f) =>
    `- ${f.id}: ${scrubPaths(f.message)} (log: ${join("runs", f.id, "run.log")})`
  );
  const failed = failures.length > 0 ? `\n## Failed runs\n\n${failures.join("\n")}\n` : "";
  const title = partial
    ? `Ablation summary (partial: ${grid.runs.length - unfinished} of ${grid.runs.length} runs finished): ${
      displayPath(grid.file)
    }`
    : `Ablation summary: ${displayPath(grid.file)}`;
  // Each base's calibration (when the grid asked for one) closes its section: every number of a grid in one file.
  const calibrationOf = async (g: Grid, level: string) => {
    const file = g.sft ? join(baseDir(out, g.sft.id), "calibration.md") : "";
    return grid.calibration && await exists(file)
      ? `\n${(await Deno.readTextFile(file)).replace(/^# /, `${level} Base: `)}`
      : "";
  };
  let nested: NestedVerdict | undefined;
  const files = [summaryCsvFile, runsCsvFile, summaryFile];
  if (!several) {
    const summary = summaryMarkdown(reports[0], title) + failed + await calibrationOf(grid, "##");
    await writeTextFileAtomic(summaryFile, summary);
  } else {
    const means = await Promise.all(grids.map((g, i) => baseMeans(out, g, reports[i])));
    const { settings } = reports[0];
    nested = nestedVerdict(
      means,
      { ...settings, contrasts: contrastsOf(settings.contrasts) },
      measuresOf(reports[0].k, settings.equivalence, capabilityTier(reports[0])),
    );
    await writeTextFileAtomic(nestedFile, JSON.stringify({ domain: reports[0].domain, ...nested }, null, 2) + "\n");
    files.push(nestedFile);
    const sections = [`# ${title}`, "", nestedMarkdown(nested), ""];
    for (const [i, g] of grids.entries()) {
      // Each base's own summary, one heading level down.
      const own = summaryMarkdown(reports[i], `Base ${reports[i].base} alone (${g.runs.length} runs)`)
        .replace(/^(#+) /gm, "#$1 ");
      sections.push(own + await calibrationOf(g, "###"), "");
    }
    await writeTextFileAtomic(summaryFile, sections.join("\n").trimEnd() + "\n" + failed);
  }
  if (nested) {
    // The figures across bases beside each base's folder of figures.
    await Deno.mkdir(figuresDir, { recursive: true });
    const exported = await exportFigures(
      acrossBasesFigures(nested).map(({ name, figure }) => ({ figure, path: join(figuresDir, name) })),
      { formats: options.formats },
    );
    files.push(...exported.flatMap((e) => e.files));
  }
  for (const report of reports) {
    const dir = several ? join(figuresDir, report.base) : figuresDir;
    await Deno.mkdir(dir, { recursive: true });
    const exported = await exportFigures(
      ablationFigures(report).map(({ name, figure }) => ({ figure, path: join(dir, name) })),
      { formats: options.formats },
    );
    files.push(...exported.flatMap((e) => e.files));
  }
  if (!partial) {
    // Complete: the partial files of an earlier invocation are out of date.
    const stale = ["summary.partial.csv", "runs.partial.csv", "summary.partial.md", "nested.partial.json"];
    for (const name of [...stale, "figures-partial"]) {
      await Deno.remove(join(out, name), { recursive: true }).catch(() => {});
    }
  }
  return { report: reports[0], reports, nested, files, summary: summaryFile, partial };
}

/** One base's means for the verdict across bases: its report, its runs' final evaluations, its base draws. */
async function baseMeans(out: string, grid: Grid, report: AblationReport): Promise<BaseMeans> {
  const finalOf = (r: RunResults) => r.evals.filter((e) => e.split !== "validation").at(-1);
  const finals = await Promise.all(
    variantsOf(grid).map(async (v) => ({
      variant: v.label,
      records: (await Promise.all(v.runs.map((run) => readRun(out, run.id))))
        .filter((r) => r.done)
        .map(finalOf)
        .filter((e): e is NonNullable<typeof e> => e !== undefined) as EvaluationRecord[],
    })),
  );
  const first = grid.runs[0];
  const draws = first ? await readBaseEvals(out, first.config, grid.summary.baseDraws) : [];
  const novel = new Set(
    (await loadProblems(report.domain, "test")).filter((p) => p.novelHint === true).map((p) => p.id),
  );
  return baseMeansOf(report, finals, draws, novel);
}
