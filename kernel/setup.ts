/**
 * Installs the system packages the kit needs and that npm cannot provide: OpenBLAS (the native matrix products),
 * Jupyter (to run notebooks on the Deno kernel) and Chromium (to export figures to SVG, PNG and PDF). Idempotent and quiet: it installs only what is
 * missing, from Debian's packages, and prints one line per install. Where it cannot install (not root, not
 * Debian) it fails with one line saying what to install.
 *
 * Run: `deno task setup` (the test task runs it first).
 *
 * @module
 */
import { CHROMIUM_PACKAGES, findChromium } from "../lib/plot/chromium.ts";
import { aptInstall, ensureOpenBlas } from "../lib/system.ts";

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

/** Make sure OpenBLAS, Jupyter and Chromium are present; install what is missing. Throws one line when it cannot. */
export async function ensureSystemDeps(
  want: { openblas?: boolean; jupyter?: boolean; chromium?: boolean } = {
    openblas: true,
    jupyter: true,
    chromium: true,
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
}

if (import.meta.main) {
  try {
    await ensureSystemDeps();
  } catch (e) {
    console.error(`setup: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
