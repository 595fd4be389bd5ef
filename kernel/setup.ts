/**
 * Installs the system packages the kit needs and that npm cannot provide: Jupyter (to run notebooks on the Deno
 * kernel) and Chromium (to export figures to SVG, PNG and PDF). Idempotent and quiet: it installs only what is
 * missing, from Debian's packages, and prints one line per install. Where it cannot install (not root, not
 * Debian) it fails with one line saying what to install.
 *
 * Run: `deno task setup` (the test task runs it first).
 *
 * @module
 */
import { CHROMIUM_PACKAGES, findChromium } from "../lib/plot/chromium.ts";

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

/** Make sure Jupyter and Chromium are present; install what is missing. Throws with one line when it cannot. */
export async function ensureSystemDeps(
  want: { jupyter?: boolean; chromium?: boolean } = { jupyter: true, chromium: true },
): Promise<void> {
  if (want.jupyter && !(await hasJupyter())) {
    await aptInstall(JUPYTER_PACKAGES, "Jupyter");
    if (!(await hasJupyter())) throw new Error("Jupyter was installed but `jupyter nbconvert` still does not run");
  }
  if (want.chromium && !findChromium() && Deno.env.get("GUIDE_CHROMIUM") !== "none") {
    await aptInstall(CHROMIUM_PACKAGES, "Chromium");
    if (!findChromium()) throw new Error("Chromium was installed but no browser binary was found");
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
