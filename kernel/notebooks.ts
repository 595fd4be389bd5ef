/**
 * Executes notebooks headless on the `guide-deno` kernel through `jupyter nbconvert --execute`, one after another,
 * each under a wall-clock timeout, and names the notebook and cell of the first error.
 *
 * Run: `deno task notebooks [--timeout SECONDS] [--keep DIR] [NOTEBOOK ...]` (default: every `notebooks/*.ipynb`).
 * The kernelspec is installed into a private temporary Jupyter path for the run, so the user's own Jupyter setup is
 * neither needed nor touched. `GUIDE_PROFILE` (default `ci` here) tells notebooks to run their small profile.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { basename, join, relative, resolve } from "node:path";
import { installKernel, KERNEL_NAME, repairKernel } from "./install.ts";
import { ensureSystemDeps } from "./setup.ts";

/** Outcome of one notebook. */
export interface NotebookResult {
  notebook: string;
  ok: boolean;
  seconds: number;
  /** One line naming the failing cell and the error, when not ok. */
  error?: string;
  /** The executed copy, when `keep` was given. */
  executed?: string;
}

/** Options of {@link runNotebooks}. */
export interface RunNotebooksOptions {
  /** Wall-clock limit per notebook, in seconds (default 600). */
  timeoutS?: number;
  /** Keep the executed notebooks (with outputs) in this folder. */
  keep?: string;
  /** Extra environment for the kernels. */
  env?: Record<string, string>;
  /** Called after each notebook. */
  onResult?: (result: NotebookResult) => void;
}

interface NotebookCell {
  cell_type: string;
  source: string | string[];
}

function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

/**
 * Turn nbconvert's stderr into one line naming the failing cell. nbconvert prints the failing cell's source between
 * dashed rules, then the error; the source is matched back to the notebook to get the cell's number.
 */
export function describeFailure(stderr: string, cells: NotebookCell[]): string {
  const match = stderr.match(
    /An error occurred while executing the following cell:\n-{10,}\n([\s\S]*?)\n-{10,}\n([\s\S]*)$/,
  );
  if (!match) {
    if (/Timeout|timed out/i.test(stderr)) return "a cell timed out";
    const lines = stderr.trim().split("\n").filter((l) => l.trim() && !l.startsWith(" ") && !l.startsWith("Traceback"));
    return lines.slice(-2).join(" | ") || "nbconvert failed without a message";
  }
  const [, source, rest] = match;
  const code = cells.filter((c) => c.cell_type === "code");
  const index = code.findIndex((c) => cellSource(c).trim() === source.trim());
  const errorLine = rest.split("\n").map((l) => l.trim()).find((l) => l && !/^-+$/.test(l)) ?? "error";
  const firstLine = source.trim().split("\n")[0].slice(0, 80);
  const where = index >= 0 ? `code cell ${index + 1} of ${code.length}` : "a code cell";
  return `${where} (${firstLine}) failed: ${errorLine}`;
}

/** A process and all its descendants, children first found through `pgrep -P` (Jupyter starts kernels in a
 * session of their own, so killing nbconvert's process group would miss them). */
async function processTree(pid: number): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-P", String(pid)], stdout: "piped", stderr: "null" })
    .output().catch(() => null);
  const children = out ? new TextDecoder().decode(out.stdout).split("\n").filter(Boolean).map(Number) : [];
  const below = await Promise.all(children.map(processTree));
  return [pid, ...below.flat()];
}

/** Run nbconvert on one notebook; on timeout kill it together with the kernel it started. */
async function executeNotebook(
  path: string,
  outDir: string,
  timeoutS: number,
  env: Record<string, string>,
): Promise<{ success: boolean; timedOut: boolean; stderr: string }> {
  const args = [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    `--ExecutePreprocessor.kernel_name=${KERNEL_NAME}`,
    `--ExecutePreprocessor.timeout=${timeoutS}`,
    "--output-dir",
    outDir,
    "--output",
    basename(path),
    path,
  ];
  const child = new Deno.Command("jupyter", { args, env, stdout: "null", stderr: "piped" }).spawn();
  let timedOut = false;
  const timer = setTimeout(async () => {
    timedOut = true;
    for (const pid of await processTree(child.pid)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }, timeoutS * 1000);
  try {
    const out = await child.output();
    return { success: out.success, timedOut, stderr: new TextDecoder().decode(out.stderr) };
  } finally {
    clearTimeout(timer);
  }
}

/** Every `*.ipynb` in a folder, sorted by name. */
export function listNotebooks(dir: string): string[] {
  const names: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isFile && entry.name.endsWith(".ipynb")) names.push(join(dir, entry.name));
  }
  return names.sort();
}

/**
 * Execute notebooks one at a time; return one result per notebook. Needs `jupyter nbconvert` (see `setup.ts`).
 */
export async function runNotebooks(paths: string[], options: RunNotebooksOptions = {}): Promise<NotebookResult[]> {
  const timeoutS = options.timeoutS ?? 600;
  const jupyterPath = await Deno.makeTempDir({ prefix: "guide-jupyter-" });
  const outDir = options.keep ?? await Deno.makeTempDir({ prefix: "guide-notebooks-" });
  await installKernel(jupyterPath);
  const env: Record<string, string> = {
    JUPYTER_PATH: [jupyterPath, Deno.env.get("JUPYTER_PATH")].filter(Boolean).join(":"),
    GUIDE_PROFILE: Deno.env.get("GUIDE_PROFILE") ?? "ci",
    // Debian's Python warns about frozen modules under a debugger flag; keep the logs to what matters.
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    ...options.env,
  };
  const results: NotebookResult[] = [];
  try {
    for (const path of paths) {
      const started = performance.now();
      const notebook = relative(Deno.cwd(), resolve(path));
      let cells: NotebookCell[] = [];
      let result: NotebookResult;
      try {
        cells = JSON.parse(await Deno.readTextFile(path)).cells ?? [];
        const run = await executeNotebook(path, outDir, timeoutS, env);
        const seconds = (performance.now() - started) / 1000;
        if (run.timedOut) result = { notebook, ok: false, seconds, error: `timed out after ${timeoutS} s` };
        else if (run.success) result = { notebook, ok: true, seconds };
        else result = { notebook, ok: false, seconds, error: describeFailure(run.stderr, cells) };
      } catch (e) {
        const seconds = (performance.now() - started) / 1000;
        result = { notebook, ok: false, seconds, error: (e as Error).message.split("\n")[0] };
      }
      if (options.keep) result.executed = join(outDir, basename(path));
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await Deno.remove(jupyterPath, { recursive: true }).catch(() => {});
    if (!options.keep) await Deno.remove(outDir, { recursive: true }).catch(() => {});
  }
  return results;
}

/** Print one line per notebook. */
export function reportNotebook(result: NotebookResult): void {
  const time = `${result.seconds.toFixed(1)} s`;
  if (result.ok) console.log(`notebook ${result.notebook} ... ok (${time})`);
  else console.log(`notebook ${result.notebook} ... FAILED (${time}): ${result.error}`);
}

if (import.meta.main) {
  const { values, positionals } = parseFlags(
    "notebooks",
    "usage: deno task notebooks [--timeout S] [--keep DIR] [NOTEBOOK ...]",
    {
      args: Deno.args,
      allowPositionals: true,
      options: { timeout: { type: "string", default: "600" }, keep: { type: "string" } },
    },
  );
  const timeoutS = Number(values.timeout);
  if (!(timeoutS > 0)) {
    console.error(`notebooks: --timeout must be a positive number of seconds (got "${values.timeout}")`);
    Deno.exit(2);
  }
  try {
    await ensureSystemDeps({ jupyter: true });
  } catch (e) {
    console.error(`notebooks: ${(e as Error).message}`);
    Deno.exit(1);
  }
  // The runner uses a kernelspec of its own; the user's (for JupyterLab) is repaired here if its Deno is gone.
  const repaired = await repairKernel().catch(() => undefined);
  if (repaired) console.error(`notebooks: ${repaired}`);
  const paths = positionals.length > 0 ? positionals : listNotebooks("notebooks");
  if (paths.length === 0) {
    console.error("notebooks: no notebooks to run");
    Deno.exit(1);
  }
  const results = await runNotebooks(paths, { timeoutS, keep: values.keep, onResult: reportNotebook });
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  Deno.exit(failed > 0 ? 1 : 0);
}
