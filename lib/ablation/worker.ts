/**
 * One run of a grid in a process of its own: what each of the runner's worker processes does, and each task of a
 * Slurm run array (`deno task ablation GRID --out DIR --run ID`, or `--task-index I`), with what such a process needs:
 * Ctrl-C handled once (the run keeps its last checkpoint, its lock is removed) and, for the runner's workers, a watch
 * on the parent. This file is also the entry point the runner starts for each run (`processes.ts`, as `code.ts`
 * starts its sandbox): `deno run -A worker.ts GRID --out DIR --run ID --watch-parent`, progress as JSON lines on
 * stdout, an error as one `ablation: …` line on stderr, the line the runner reports.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseFlags } from "../flags.ts";
import { type Grid, loadGrid } from "./grid.ts";
import { runOne } from "./jobs.ts";
import { nameSavedCopy } from "./store.ts";
import { releaseHeldLocks } from "./processes.ts";
import { selectBackend } from "../policy/backend.ts";

/**
 * `--run ID` or `--task-index I`: that one run of `grid` in this process, progress lines (JSON) on stdout. Ctrl-C (or
 * a polite kill) leaves its last checkpoint and removes its lock.
 */
export async function runWorker(
  grid: Grid,
  out: string,
  values: { run?: string; "task-index"?: string },
): Promise<number> {
  // Ctrl-C reaches the workers too: each leaves its last checkpoint and removes its lock.
  onInterrupt(() => {
    releaseHeldLocks();
    Deno.exit(130);
  });
  let run;
  if (values.run !== undefined) {
    run = grid.runs.find((r) => r.id === values.run);
    if (!run) throw new Error(`${grid.file}: no run "${values.run}" in this grid`);
  } else {
    const index = Number(values["task-index"]);
    run = grid.runs[index];
    if (!Number.isInteger(index) || !run) {
      throw new Error(`--task-index: ${values["task-index"]} is not in 0…${grid.runs.length - 1}`);
    }
  }
  await selectBackend(undefined, { quiet: true });
  const encoder = new TextEncoder();
  const result = await runOne(out, run, {
    onStep: (line) => {
      const { step, rollouts, rewardMean, loss } = line;
      Deno.stdout.writeSync(encoder.encode(JSON.stringify({ run: run.id, step, rollouts, rewardMean, loss }) + "\n"));
    },
    // The runner shows where a cut-off run goes on from, not step 0 until its next step ends.
    onResume: (step) =>
      Deno.stdout.writeSync(encoder.encode(JSON.stringify({ run: run.id, resumedFrom: step }) + "\n")),
  });
  console.error(
    `${run.id}: ${result.skipped ? "already finished" : "finished"}` +
      (result.resumedFrom ? ` (resumed from step ${result.resumedFrom})` : ""),
  );
  return 0;
}

/** The interrupt being handled, if any: whatever else ends meanwhile waits for it (it exits the process). */
let interruption: Promise<void> | undefined;

/** The interrupt being handled, if any ({@link onInterrupt}): await it before exiting, as it exits the process. */
export function pendingInterrupt(): Promise<void> | undefined {
  return interruption;
}

/** On Ctrl-C (or a polite kill), run `stop` once instead of dying mid-line; a second Ctrl-C exits at once. */
export function onInterrupt(stop: () => void | Promise<void>): void {
  const handler = () => {
    if (interruption) Deno.exit(130);
    interruption = Promise.resolve().then(stop).catch(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", handler);
  Deno.addSignalListener("SIGTERM", handler);
}

/** Stop when the parent's end of stdin closes: a killed runner must not leave its runs going. */
export function watchParent(): void {
  (async () => {
    const buffer = new Uint8Array(64);
    while ((await Deno.stdin.read(buffer)) !== null) {
      // The parent never writes; anything read is ignored.
    }
    console.error("the ablation runner is gone: stopping this run (it resumes from its checkpoint on the next run)");
    releaseHeldLocks();
    Deno.exit(3);
  })();
}

if (import.meta.main) {
  const usage = "usage: worker.ts GRID.yaml --out DIR (--run ID | --task-index I) [--watch-parent]   " +
    "(the runner's worker processes; by hand: deno task ablation)";
  try {
    const { values, positionals } = parseFlags("ablation", usage, {
      args: Deno.args,
      allowPositionals: true,
      options: {
        out: { type: "string" },
        run: { type: "string" },
        "task-index": { type: "string" },
        "watch-parent": { type: "boolean", default: false },
      },
    });
    if (positionals.length !== 1 || values.out === undefined) throw new Error(`a grid file and --out\n${usage}`);
    if (values.run === undefined && values["task-index"] === undefined) {
      throw new Error(`--run or --task-index\n${usage}`);
    }
    const out = resolve(values.out);
    const grid = await nameSavedCopy(out, await loadGrid(positionals[0]));
    if (values["watch-parent"]) watchParent();
    const code = await runWorker(grid, out, values);
    // A run stopped by the interrupt can end first: the interrupt's exit code is the last word.
    if (interruption) await interruption;
    Deno.exit(code);
  } catch (e) {
    if (interruption) await interruption;
    console.error(`ablation: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
