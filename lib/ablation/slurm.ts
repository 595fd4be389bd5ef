/**
 * Slurm export: the grid becomes three jobs over the same run store — the base (SFT and its evaluations, all the
 * node's cores; a grid of several bases builds each in turn), an array of runs (one run per array task, single-threaded, after the base), and the results
 * (summary and figures, after every task, whether or not some failed). Tasks follow the local runner's rules: a
 * finished run is skipped, a cut-off one resumes from its checkpoint, so resubmitting the array redoes nothing.
 *
 * @example
 * ```ts
 * import { slurmScripts } from "./slurm.ts";
 * declare const grid: import("./grid.ts").Grid;
 * const files = slurmScripts(grid, {
 *   out: "/scratch/ablation",
 *   gridFile: "/scratch/ablation/grids/abc.yaml",
 *   cli: "/home/me/guide/cli/ablation.ts",
 * });
 * console.log(files["submit.sh"]);
 * ```
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Grid } from "./grid.ts";

/** Options of {@link slurmScripts}. */
export interface SlurmOptions {
  /** The run store (absolute: every node must see it). */
  out: string;
  /** The grid file inside the store (`saveGrid`). */
  gridFile: string;
  /**
   * The entry point every job runs, with the grid and `--out`: `deno task ablation`'s (`cli/ablation.ts`, absolute),
   * for its `--base-only`, `--task-index I` and `--results-only`.
   */
  cli: string;
  /** Deno binary on the nodes (default: `$DENO` at submission, else this one). */
  deno?: string;
  /** Deno's cache on the nodes (default: `$DENO_DIR` at submission, else this process's). */
  denoDir?: string;
  /** Wall-clock limit per run task, `H:MM:SS` (default 4:00:00). */
  time?: string;
  /** Extra `sbatch` arguments for every job (`--partition=…`, `--account=…`, `--time=…`): `--slurm-args`. */
  extra?: string[];
  /** Cores of the base job (default: a whole node, `--exclusive`). */
  baseCpus?: number;
  /** Figure formats of the results job (default: the CLI's default). */
  formats?: string[];
  /** The base job trains the SFT base even where the kit ships it (`--rebuild-base`). */
  rebuildBase?: boolean;
}

const quote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;
/** A path in an `#SBATCH` line (sbatch reads double quotes there, so a path may hold spaces). */
const directivePath = (s: string) => `"${s.replaceAll('"', '\\"')}"`;

/**
 * The files to write under `OUT/slurm/`: `base.sbatch`, `runs.sbatch`, `results.sbatch`, `submit.sh`, `runs.txt`.
 * What a real scheduler needs (learned on a one-node Slurm 22.05, `tests/slurm_test.ts`): a base that asks for a whole
 * node rather than a core count the node may not have; one CPU per run task and one thread in it (as local runs);
 * jobs run from the kit's root, as `deno task` does (so their output matches a local run's); the submitting shell's
 * Deno binary and cache written into the scripts (a compute node has no npx cache of its own
 * unless the home is shared); separate output and error files per task, appended across requeues; `--requeue`, so a
 * task the scheduler kills comes back and resumes from its checkpoint; and a start and end line with a timestamp in
 * every log, so the order the jobs ran in can be read back.
 */
export function slurmScripts(grid: Grid, options: SlurmOptions): Record<string, string> {
  const { cli } = options;
  const config = fileURLToPath(new URL("../../deno.json", import.meta.url));
  const repo = dirname(config);
  const deno = options.deno ?? Deno.execPath();
  const denoDir = options.denoDir ?? defaultDenoDir();
  const extra = (options.extra ?? []).map((arg) => `#SBATCH ${arg}`);
  const log = `${options.out}/slurm/logs`;
  const header = (name: string, resources: string[], time: string, logName: string) =>
    [
      "#!/bin/bash",
      `#SBATCH --job-name=${name}`,
      ...resources,
      `#SBATCH --time=${time}`,
      // Where `deno task` runs: the kit's root (every node sees it, as it sees the kit's code).
      `#SBATCH --chdir=${directivePath(repo)}`,
      `#SBATCH --output=${directivePath(`${log}/${logName}.out`)}`,
      `#SBATCH --error=${directivePath(`${log}/${logName}.err`)}`,
      "#SBATCH --open-mode=append",
      ...extra,
      "set -euo pipefail",
      'echo "guide-slurm: start $(date +%s.%N) job ${SLURM_JOB_ID:-?} task ${SLURM_ARRAY_TASK_ID:--}"',
      "trap 'echo \"guide-slurm: end $(date +%s.%N) status $?\"' EXIT",
      `DENO="\${DENO:-${deno}}"`,
      `export DENO_DIR="\${DENO_DIR:-${denoDir}}" NO_COLOR=1`,
      `KIT=("$DENO" run -A --cached-only --config ${quote(config)} ${quote(cli)} ${quote(options.gridFile)} --out ${
        quote(options.out)
      })`,
      "",
    ].join("\n");
  const count = grid.runs.length;
  const baseResources = options.baseCpus
    ? ["#SBATCH --nodes=1", `#SBATCH --cpus-per-task=${options.baseCpus}`]
    : ["#SBATCH --nodes=1", "#SBATCH --exclusive"];
  const formats = options.formats ? ` --formats ${quote(options.formats.join(","))}` : "";
  return {
    "base.sbatch": header("guide-base", baseResources, "4:00:00", "base-%j") +
      `"\${KIT[@]}" --base-only${options.rebuildBase ? " --rebuild-base" : ""} ` +
      '--workers "${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-1}}"\n',
    "runs.sbatch": header(
      "guide-runs",
      [
        `#SBATCH --array=0-${count - 1}`,
        "#SBATCH --ntasks=1",
        "#SBATCH --cpus-per-task=1",
        "#SBATCH --requeue",
      ],
      options.time ?? "4:00:00",
      "run-%A_%a",
    ) +
      "# One core, one thread: the same arithmetic as a local run (`GUIDE_CORES`).\n" +
      "export GUIDE_CORES=1 OPENBLAS_NUM_THREADS=1\n" +
      '"${KIT[@]}" --task-index "${SLURM_ARRAY_TASK_ID}"\n',
    "results.sbatch":
      header("guide-results", ["#SBATCH --ntasks=1", "#SBATCH --cpus-per-task=1"], "1:00:00", "results-%j") +
      `"\${KIT[@]}" --results-only${formats}\n`,
    "submit.sh": [
      "#!/bin/bash",
      `# Submit the grid ${grid.file} (${count} runs) to Slurm: base, then the run array, then the results.`,
      "# Safe to run again: a finished base or run is skipped, a cut-off one resumes from its checkpoint.",
      "set -euo pipefail",
      `jobs=${quote(options.out + "/slurm")}`,
      `mkdir -p ${quote(log)}`,
      'base=$(sbatch --parsable "$jobs/base.sbatch")',
      'runs=$(sbatch --parsable --dependency=afterok:"$base" "$jobs/runs.sbatch")',
      'results=$(sbatch --parsable --dependency=afterany:"$runs" "$jobs/results.sbatch")',
      'echo "submitted: base $base, runs $runs (array of ' + count + '), results $results"',
      "",
    ].join("\n"),
    "runs.txt": grid.runs.map((r, i) => `${i}\t${r.id}`).join("\n") + "\n",
  };
}

/** This process's Deno cache: `$DENO_DIR`, else Deno's default for this user. */
function defaultDenoDir(): string {
  const set = Deno.env.get("DENO_DIR");
  if (set) return set;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME") ?? "/root";
  return `${xdg ?? `${home}/.cache`}/deno`;
}
