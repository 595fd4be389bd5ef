/**
 * The runner's processes: a per-folder lock (one live writer per run or base, a stale lock taken over), and one
 * worker process per run (`worker.ts`, `--watch-parent`), whose progress lines come back on its stdout.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostname } from "node:os";
import { exists } from "../io.ts";
import type { GridRun } from "./grid.ts";
import { runDir } from "./store.ts";

/** The entry point of worker processes (one run each). */
export const WORKER_PATH = fileURLToPath(new URL("./worker.ts", import.meta.url));
const CONFIG_PATH = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** The locks this process holds, so that an interrupted process can remove them on its way out. */
const heldLocks = new Set<string>();
/** The worker processes this process runs, so that an interrupt can stop them before it exits. */
const liveChildren = new Set<Deno.ChildProcess>();
let stopping = false;

/** Remove every lock this process holds (synchronously: this runs on the way out of an interrupted process). */
export function releaseHeldLocks(): void {
  for (const file of heldLocks) {
    try {
      Deno.removeSync(file);
    } catch {
      // Already gone.
    }
  }
  heldLocks.clear();
}

/**
 * Stop starting runs and interrupt the running workers (each removes its lock and keeps its last checkpoint);
 * one that has not exited after `graceMs` is killed. Resolves when none is left.
 */
export async function stopWorkers(graceMs = 10_000): Promise<void> {
  stopping = true;
  const children = [...liveChildren];
  for (const child of children) {
    try {
      child.kill("SIGINT");
    } catch {
      // Already exited.
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
  await Promise.race([Promise.all(children.map((c) => c.status)), late]);
  clearTimeout(timer);
  for (const child of liveChildren) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }
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
      heldLocks.add(file);
      return async () => {
        heldLocks.delete(file);
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

/** Run a worker process for one run; progress lines come back on its stdout. */
export async function spawnRun(
  out: string,
  gridFile: string,
  run: GridRun,
  cores: number,
  onLine: (line: Record<string, unknown>) => void,
): Promise<{ code: number; log: string }> {
  if (stopping) throw new Error("interrupted: no new run is started");
  const log = join(runDir(out, run.id), "run.log");
  await Deno.mkdir(runDir(out, run.id), { recursive: true });
  const logFile = await Deno.open(log, { create: true, append: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      CONFIG_PATH,
      WORKER_PATH,
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
  liveChildren.add(child);
  child.status.then(() => liveChildren.delete(child));
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
