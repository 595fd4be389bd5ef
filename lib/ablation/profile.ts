/**
 * Profiles for notebooks: `GUIDE_PROFILE=ci` (what headless test runs set) picks a toy grid that runs in seconds,
 * anything else (the default, `full`) the main job that `deno task ablation` runs, on the shipped `arith` base. A
 * notebook asks for its grid, its run store and the SFT base here, so that every notebook of a profile shares one
 * base and one ablation, and the full profile's is the terminal's (`results/main`).
 *
 * @example
 * ```ts
 * import { notebookBase, profile } from "./profile.ts";
 * const { policy, grid, out } = await notebookBase();
 * console.log(profile(), grid.runs.length, out, policy.parameterCount);
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { type Grid, loadGrid, MAIN_GRID } from "./grid.ts";
import { baseDir } from "./store.ts";
import { buildBase, collectReport } from "./jobs.ts";
import { runAblation } from "./runner.ts";
import type { AblationReport } from "./report.ts";
import { loadCheckpoint } from "../policy/checkpoint.ts";
import type { Policy } from "../policy/policy.ts";
import { selectBackend } from "../policy/backend.ts";

/** The toy grid of the `ci` profile: the main job's variants on `arith` at toy size. */
export const CI_GRID: string = fileURLToPath(new URL("../../grids/notebook-ci.yaml", import.meta.url));
const RESULTS = fileURLToPath(new URL("../../results", import.meta.url));

/** `ci` when `GUIDE_PROFILE=ci`, else `full`. */
export function profile(): "ci" | "full" {
  return Deno.env.get("GUIDE_PROFILE") === "ci" ? "ci" : "full";
}

/** The profile's grid: the main job (`full`) or the toy grid (`ci`). */
export async function notebookGrid(which = profile()): Promise<Grid> {
  return await loadGrid(which === "ci" ? CI_GRID : MAIN_GRID);
}

/** The domain of the profile's grid (`arith` for both profiles): what a notebook loads problems of. */
export async function notebookDomain(which = profile()): Promise<string> {
  const grid = await notebookGrid(which);
  return grid.sft!.config.data.domain;
}

/** The profile's run store: `results/main` (shared with `deno task ablation`) or `results/notebook-ci`. */
export function notebookOut(which = profile()): string {
  return join(RESULTS, which === "ci" ? "notebook-ci" : "main");
}

/**
 * The profile's SFT base, built on first use (all cores; resumed if it was cut off) and loaded. `onStep` sees the
 * SFT's steps while it builds.
 */
export async function notebookBase(
  options: { which?: "ci" | "full"; onStep?: (step: number, steps: number, loss: number) => void } = {},
): Promise<{ policy: Policy; grid: Grid; out: string; dir: string }> {
  const grid = await notebookGrid(options.which);
  const out = notebookOut(options.which);
  await selectBackend(undefined, { quiet: true });
  await buildBase(out, grid.sft!, { onStep: options.onStep });
  const dir = baseDir(out, grid.sft!.id);
  return { policy: await loadCheckpoint(join(dir, "checkpoint")), grid, out, dir };
}

/**
 * The profile's ablation, run now if any of its runs is unfinished (with the kernel's progress display in a
 * notebook; finished runs are skipped), else read from the run store.
 */
export async function notebookAblation(
  options: { which?: "ci" | "full"; workers?: number } = {},
): Promise<{ grid: Grid; out: string; report: AblationReport; ran: boolean }> {
  const grid = await notebookGrid(options.which);
  const out = notebookOut(options.which);
  const saved = await collectReport(out, grid);
  if (saved.unfinished.length === 0) return { grid, out, report: saved, ran: false };
  const { report } = await runAblation(grid, { out, workers: options.workers, formats: ["html"] });
  return { grid, out, report, ran: true };
}
