/**
 * Installs the system packages the kit needs and that npm cannot provide: OpenBLAS (the native matrix products),
 * Jupyter (to run notebooks on the Deno kernel), Chromium (to export figures to SVG, PNG and PDF) and Slurm (a
 * one-node cluster the Slurm export is tested on). Idempotent and quiet: it installs only what is
 * missing, from Debian's packages, and prints one line per install. Where it cannot install (not root, not
 * Debian) it fails with one line saying what to install. The library only detects (`lib/policy/blas.ts`,
 * `lib/plot/chromium.ts`); installing is done here, and by the long jobs' entry points before they start
 * ({@link prepareNativeProducts}: `cli/ablation.ts`, `cli/calibrate.ts`, `cli/bench.ts`).
 *
 * Run: `deno task setup` (the test task runs it first).
 *
 * @module
 */
import { CHROMIUM_PACKAGES, findChromium } from "../lib/plot/chromium.ts";
import { loadBlas, OPENBLAS_PACKAGE } from "../lib/policy/blas.ts";

function isRoot(): boolean {
  return Deno.uid?.() === 0;
}

function isDebian(): boolean {
  try {
    Deno.statSync("/etc/debian_version");
    return true;
  } catch {
    return false;
  }
}

let aptUpdated = false;

async function apt(args: string[], log: string): Promise<void> {
  const out = await new Deno.Command("apt-get", {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  await Deno.writeTextFile(log, text, { append: true });
  if (!out.success) {
    const tail = text.trim().split("\n").slice(-5).join("\n");
    throw new Error(`apt-get ${args.join(" ")} failed (log: ${log}):\n${tail}`);
  }
}

/** Install Debian packages, refreshing the package lists once per process first. */
export async function aptInstall(packages: string[], what: string): Promise<void> {
  if (!isDebian() || !isRoot()) {
    const why = isDebian() ? "not root" : "not Debian";
    throw new Error(`${what} is missing and cannot be installed here (${why}): install ${packages.join(" ")}`);
  }
  const log = Deno.makeTempFileSync({ prefix: "guide-apt-", suffix: ".log" });
  const started = performance.now();
  if (!aptUpdated) {
    await apt(["update", "-qq"], log);
    aptUpdated = true;
  }
  await apt(["install", "-y", "-qq", "--no-install-recommends", ...packages], log);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.error(`setup: installed ${what} (${packages.join(" ")}) from Debian's packages in ${seconds} s`);
}

/**
 * Make sure OpenBLAS loads (unless `GUIDE_BLAS` says otherwise): install Debian's `libopenblas0-pthread` when it is
 * missing. Throws one line when it cannot; callers that can run without it (on the WASM kernels) catch and go on.
 */
export async function ensureOpenBlas(): Promise<void> {
  const setting = Deno.env.get("GUIDE_BLAS") || "auto";
  if (setting !== "auto") return;
  if (loadBlas("auto").blas) return;
  await aptInstall([OPENBLAS_PACKAGE], "OpenBLAS");
}

/**
 * Before a long job: install OpenBLAS when it is missing and can be installed; otherwise say once, on stderr, why
 * the matrix products will run on the WASM kernels. Never throws.
 */
export async function prepareNativeProducts(): Promise<void> {
  try {
    await ensureOpenBlas();
  } catch (e) {
    console.error(`setup: ${(e as Error).message.split("\n")[0]} (matrix products run on the WASM kernels)`);
  }
}

/** Debian packages that give `jupyter nbconvert --execute` and a Jupyter client. */
export const JUPYTER_PACKAGES = ["jupyter-client", "jupyter-nbconvert", "python3-ipykernel"];

/** Does `jupyter nbconvert` run here? */
export async function hasJupyter(): Promise<boolean> {
  try {
    const out = await new Deno.Command("jupyter", { args: ["nbconvert", "--version"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Debian packages of a one-node Slurm (the Slurm export's test runs on a real scheduler). */
export const SLURM_PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"];
/** The programs a one-node Slurm needs. */
export const SLURM_TOOLS = [
  "munged",
  "mungekey",
  "slurmctld",
  "slurmd",
  "sbatch",
  "squeue",
  "scancel",
  "scontrol",
  "sinfo",
];

/** Full path of a program on `PATH` (or in the sbin folders daemons live in), or null. */
export function findProgram(name: string): string | null {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/bin"];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Make sure OpenBLAS, Jupyter, Chromium and Slurm are present; install what is missing. Throws one line when it
 * cannot, except for Slurm: without it only the Slurm test is skipped (it says why), so a missing Slurm is one line
 * on stderr.
 */
export async function ensureSystemDeps(
  want: { openblas?: boolean; jupyter?: boolean; chromium?: boolean; slurm?: boolean } = {
    openblas: true,
    jupyter: true,
    chromium: true,
    slurm: true,
  },
): Promise<void> {
  if (want.openblas) await ensureOpenBlas();
  if (want.jupyter && !(await hasJupyter())) {
    await aptInstall(JUPYTER_PACKAGES, "Jupyter");
    if (!(await hasJupyter())) throw new Error("Jupyter was installed but `jupyter nbconvert` still does not run");
  }
  if (want.chromium && !findChromium() && Deno.env.get("GUIDE_CHROMIUM") !== "none") {
    await aptInstall(CHROMIUM_PACKAGES, "Chromium");
    if (!findChromium()) throw new Error("Chromium was installed but no browser binary was found");
  }
  if (want.slurm && SLURM_TOOLS.some((t) => !findProgram(t))) {
    try {
      await aptInstall(SLURM_PACKAGES, "Slurm");
    } catch (e) {
      console.error(`setup: ${(e as Error).message} (only the Slurm test needs it)`);
    }
  }
}

if (import.meta.main) {
  try {
    await ensureSystemDeps();
  } catch (e) {
    console.error(`setup: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
