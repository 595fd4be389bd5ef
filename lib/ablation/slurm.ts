/**
 * Slurm export: the grid becomes three jobs over the same run store — the base (SFT and its evaluations, all the
 * node's cores), an array of runs (one run per array task, single-threaded, after the base), and the results
 * (summary and figures, after every task, whether or not some failed). Tasks follow the local runner's rules: a
 * finished run is skipped, a cut-off one resumes from its checkpoint, so resubmitting the array redoes nothing.
 *
 * @example
 * ```ts
 * import { slurmScripts } from "./slurm.ts";
 * declare const grid: import("./grid.ts").Grid;
 * const files = slurmScripts(grid, { out: "/scratch/ablation", gridFile: "/scratch/ablation/grids/abc.yaml" });
 * console.log(files["submit.sh"]);
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Grid } from "./grid.ts";

/** Options of {@link slurmScripts}. */
export interface SlurmOptions {
  /** The run store (absolute: every node must see it). */
  out: string;
  /** The grid file inside the store (`saveGrid`). */
  gridFile: string;
  /** Deno binary on the nodes (default: `$DENO`, else this one). */
  deno?: string;
  /** Wall-clock limit per run task, `H:MM:SS` (default 4:00:00). */
  time?: string;
  /** Extra `#SBATCH` lines (partition, account, …). */
  extra?: string[];
  /** Cores of the base job (default 8). */
  baseCpus?: number;
}

const quote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;

/** The files to write under `OUT/slurm/`: `base.sbatch`, `runs.sbatch`, `results.sbatch`, `submit.sh`, `runs.txt`. */
export function slurmScripts(grid: Grid, options: SlurmOptions): Record<string, string> {
  const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
  const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
  const deno = options.deno ?? Deno.execPath();
  const extra = (options.extra ?? []).map((l) => `#SBATCH ${l}`);
  const log = `${options.out}/slurm/logs`;
  const header = (name: string, cpus: number, time: string, more: string[] = []) =>
    [
      "#!/bin/bash",
      `#SBATCH --job-name=${name}`,
      `#SBATCH --cpus-per-task=${cpus}`,
      `#SBATCH --time=${time}`,
      ...more,
      ...extra,
      "set -euo pipefail",
      `DENO="\${DENO:-${deno}}"`,
      `KIT=("$DENO" run -A --config ${quote(config)} ${quote(cli)} ${quote(options.gridFile)} --out ${
        quote(options.out)
      })`,
      "",
    ].join("\n");
  const count = grid.runs.length;
  return {
    "base.sbatch": header("guide-base", options.baseCpus ?? 8, "4:00:00", [`#SBATCH --output=${log}/base-%j.out`]) +
      `"\${KIT[@]}" --base-only --workers "\${SLURM_CPUS_PER_TASK:-1}"\n`,
    "runs.sbatch": header("guide-runs", 1, options.time ?? "4:00:00", [
      `#SBATCH --array=0-${count - 1}`,
      `#SBATCH --output=${log}/run-%A_%a.out`,
    ]) + `"\${KIT[@]}" --task-index "\${SLURM_ARRAY_TASK_ID}"\n`,
    "results.sbatch": header("guide-results", 1, "1:00:00", [`#SBATCH --output=${log}/results-%j.out`]) +
      `"\${KIT[@]}" --results-only\n`,
    "submit.sh": [
      "#!/bin/bash",
      `# Submit the grid ${grid.file} (${count} runs) to Slurm: base, then the run array, then the results.`,
      "set -euo pipefail",
      `cd ${quote(options.out + "/slurm")}`,
      `mkdir -p ${quote(log)}`,
      "base=$(sbatch --parsable base.sbatch)",
      'runs=$(sbatch --parsable --dependency=afterok:"$base" runs.sbatch)',
      'results=$(sbatch --parsable --dependency=afterany:"$runs" results.sbatch)',
      'echo "submitted: base $base, runs $runs (array of ' + count + '), results $results"',
      "",
    ].join("\n"),
    "runs.txt": grid.runs.map((r, i) => `${i}\t${r.id}`).join("\n") + "\n",
  };
}
