/**
 * The run store of an ablation: one output folder that every worker, every rerun and every Slurm array task shares.
 *
 * ```
 * OUT/grid.yaml               the grid last run here (what the summary and `deno task figures OUT` read)
 * OUT/grid-source.json        {"file": …}: the grid file as it was given (the summary's title names it)
 * OUT/grids/<hash>.yaml       every grid run here, by content (what worker processes and Slurm tasks read)
 * OUT/bases/<sft id>/         the SFT base: a run folder (config.yaml, metrics.jsonl, checkpoint/, done.json)
 * OUT/base-evals/<key>.json   the base's test evaluation ("before"), one per base and eval settings; further
 *                             independent draws <key>.draw<i>.json; its learning-curve point <key>.curve.json
 * OUT/runs/<run id>/          a run folder (lib/rl/run.ts), plus run.log (its worker's stderr) and lock
 * OUT/summary.csv, summary.md OUT/figures/
 * ```
 *
 * A finished run has `done.json` (written last, atomically); an unfinished one resumes from its checkpoint. A folder
 * whose `config.yaml` differs from the grid's config of the same id is never touched: {@link conflicts} lists them.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { configYaml, type RunConfig } from "../config/schema.ts";
import { exists, readJsonLines, sha256Hex, writeTextFileAtomic } from "../io.ts";
import type { EvaluationRecord } from "../rl/run.ts";
import { canonicalJson, type Grid, type GridRun, loadGrid } from "./grid.ts";

/** Folder of a run. */
export function runDir(out: string, id: string): string {
  return join(out, "runs", id);
}

/** Folder of an SFT base. */
export function baseDir(out: string, id: string): string {
  return join(out, "bases", id);
}

/** Where a run's starting checkpoint lies: relative `model.checkpoint` paths are inside the output folder. */
export function checkpointPath(out: string, config: RunConfig): string {
  const path = String((config.model as Record<string, unknown>).checkpoint);
  return path.startsWith("/") ? path : join(out, path);
}

/**
 * The settings that decide the base's evaluation, hashed: runs that share them (the base checkpoint and the
 * eval settings) share one evaluation of the base.
 */
export async function evalKey(config: RunConfig): Promise<string> {
  const rollout = config.rollout as Record<string, unknown>;
  const key = {
    checkpoint: (config.model as Record<string, unknown>).checkpoint,
    eval: config.eval,
    domain: (config.data as Record<string, unknown>).domain,
    maxTokens: rollout.maxTokens,
    temperature: rollout.temperature,
  };
  return (await sha256Hex(canonicalJson(key))).slice(0, 10);
}

/**
 * File of the base's evaluation under a run's eval settings: draw 0 is `<key>.json` (the file earlier kits wrote),
 * draw i > 0 `<key>.draw<i>.json` (an independent sampling seed).
 */
export async function baseEvalFile(out: string, config: RunConfig, draw = 0): Promise<string> {
  return join(out, "base-evals", `${await evalKey(config)}${draw > 0 ? `.draw${draw}` : ""}.json`);
}

/**
 * Save the grid's text: by content for workers, and as the output folder's current grid, with the file it came from
 * (so that a summary redrawn from the folder names the same grid).
 */
export async function saveGrid(out: string, grid: Grid): Promise<string> {
  const file = join(out, "grids", `${(await sha256Hex(grid.text)).slice(0, 12)}.yaml`);
  await writeTextFileAtomic(file, grid.text);
  await writeTextFileAtomic(join(out, "grid.yaml"), grid.text);
  await writeTextFileAtomic(join(out, "grid-source.json"), JSON.stringify({ file: grid.file }) + "\n");
  return file;
}

/**
 * A grid loaded from the folder's own copy (`OUT/grids/<hash>.yaml`, what Slurm jobs read) named by the file it was
 * first run from, when that copy is the folder's current grid; otherwise the grid as it is.
 */
export async function nameSavedCopy(out: string, grid: Grid): Promise<Grid> {
  if (!resolve(grid.file).startsWith(resolve(out, "grids") + "/")) return grid;
  try {
    const current = await Deno.readTextFile(join(out, "grid.yaml"));
    const { file } = JSON.parse(await Deno.readTextFile(join(out, "grid-source.json")));
    if (current === grid.text && typeof file === "string") grid.file = file;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new Error(`${join(out, "grid-source.json")}: ${(e as Error).message}`);
    }
  }
  return grid;
}

/** The output folder's current grid, named by the file it was run from (when the folder recorded it). */
export async function loadSavedGrid(out: string): Promise<Grid> {
  const grid = await loadGrid(join(out, "grid.yaml"));
  try {
    const { file } = JSON.parse(await Deno.readTextFile(join(out, "grid-source.json")));
    if (typeof file === "string") grid.file = file;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new Error(`${join(out, "grid-source.json")}: ${(e as Error).message}`);
    }
  }
  return grid;
}

/**
 * Runs (and the base) whose folder holds another config than the grid's: each with the lines that differ. A config
 * that changed under the same id (an edited `config.yaml`, or a kit whose defaults moved) is refused, never
 * overwritten.
 */
export async function conflicts(out: string, grid: Grid): Promise<{ dir: string; diff: string[] }[]> {
  const found: { dir: string; diff: string[] }[] = [];
  const check = async (dir: string, run: GridRun) => {
    let saved: string;
    try {
      saved = await Deno.readTextFile(join(dir, "config.yaml"));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    const wanted = configYaml(run.config);
    if (saved === wanted) return;
    const savedLines = saved.split("\n");
    const wantedLines = wanted.split("\n");
    const diff = [
      ...savedLines.filter((l) => l.trim() && !wantedLines.includes(l)).map((l) => `- ${l.trim()} (saved)`),
      ...wantedLines.filter((l) => l.trim() && !savedLines.includes(l)).map((l) => `+ ${l.trim()} (grid)`),
    ];
    found.push({ dir, diff });
  };
  for (const sft of grid.bases) await check(baseDir(out, sft.id), sft);
  for (const run of grid.runs) await check(runDir(out, run.id), run);
  return found;
}

/** One evaluation line of `eval.jsonl`. */
export type EvalLine = EvaluationRecord & {
  step: number;
  rollouts: number;
  /** Wall-clock seconds since the run began (absent in runs of kits before it was recorded). */
  seconds?: number;
};

/** What a run folder holds. */
export interface RunResults {
  id: string;
  done: boolean;
  evals: EvalLine[];
  metrics: Record<string, unknown>[];
  /** Per tier: groups trained on, and how many of them were hinted (from `rollouts.jsonl`). */
  hintedByTier: Record<string, { groups: number; hinted: number }>;
}

/** Read a run folder's results (an absent folder reads as empty, not done). */
export async function readRun(out: string, id: string): Promise<RunResults> {
  const dir = runDir(out, id);
  const hintedByTier: RunResults["hintedByTier"] = {};
  for (const line of await readJsonLines(join(dir, "rollouts.jsonl"))) {
    for (const group of (line.groups ?? []) as { tier: number; hint?: string }[]) {
      const entry = hintedByTier[String(group.tier)] ??= { groups: 0, hinted: 0 };
      entry.groups++;
      if (group.hint !== undefined) entry.hinted++;
    }
  }
  return {
    id,
    done: await exists(join(dir, "done.json")),
    evals: (await readJsonLines(join(dir, "eval.jsonl"))) as unknown as EvalLine[],
    metrics: await readJsonLines(join(dir, "metrics.jsonl")),
    hintedByTier,
  };
}

/** The base's evaluation for a run's eval settings, if it has been made. */
export async function readBaseEval(out: string, config: RunConfig, draw = 0): Promise<EvaluationRecord | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(await baseEvalFile(out, config, draw)));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** File of the base's learning-curve evaluation (step 0 of every curve: validation split, curve settings). */
export async function baseCurveFile(out: string, config: RunConfig): Promise<string> {
  return join(out, "base-evals", `${await evalKey(config)}.curve.json`);
}

/** The base's learning-curve evaluation, if saved. */
export async function readBaseCurve(out: string, config: RunConfig): Promise<EvaluationRecord | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(await baseCurveFile(out, config)));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** The base's evaluation draws 0 … `draws` − 1 that exist, in order (a missing draw ends the list). */
export async function readBaseEvals(out: string, config: RunConfig, draws: number): Promise<EvaluationRecord[]> {
  const records: EvaluationRecord[] = [];
  for (let draw = 0; draw < draws; draw++) {
    const record = await readBaseEval(out, config, draw);
    if (!record) break;
    records.push(record);
  }
  return records;
}
