/**
 * Installs the `guide-deno` Jupyter kernelspec ("Deno — Guide kit"), which runs the pinned Deno as a Jupyter kernel.
 *
 * The spec goes to `$JUPYTER_DATA_DIR/kernels/guide-deno/kernel.json` (Jupyter's own data dir rules otherwise:
 * `$XDG_DATA_HOME/jupyter` or `~/.local/share/jupyter` on Linux, `~/Library/Jupyter` on macOS).
 *
 * Run: `deno task kernel:install [--data-dir DIR]`.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { join } from "node:path";
import { writeTextFileAtomic } from "../lib/io.ts";

/** The Deno release the kit is pinned to (also in README.md and .ci/run). */
export const PINNED_DENO = "2.9.6";
/** Kernel name notebooks refer to in their metadata. */
export const KERNEL_NAME = "guide-deno";
/** Name shown in JupyterLab's launcher and VS Code's kernel picker. */
export const KERNEL_DISPLAY_NAME = "Deno — Guide kit";

/** A Jupyter kernelspec (kernel.json). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** Jupyter's data directory, by Jupyter's own rules (JUPYTER_DATA_DIR first). */
export function jupyterDataDir(): string {
  const explicit = Deno.env.get("JUPYTER_DATA_DIR");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? Deno.cwd();
  if (Deno.build.os === "darwin") return join(home, "Library", "Jupyter");
  if (Deno.build.os === "windows") return join(Deno.env.get("APPDATA") ?? home, "jupyter");
  return join(Deno.env.get("XDG_DATA_HOME") ?? join(home, ".local", "share"), "jupyter");
}

/**
 * The command that starts the pinned Deno: this very binary when it is the pinned release (no npm round trip at
 * kernel start), otherwise the npm package of the pinned release.
 */
export function pinnedDenoCommand(): string[] {
  return Deno.version.deno === PINNED_DENO ? [Deno.execPath()] : ["npx", "-y", `deno@${PINNED_DENO}`];
}

/** The kernelspec for the `guide-deno` kernel. */
export function kernelSpec(): KernelSpec {
  return {
    argv: [...pinnedDenoCommand(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    // The kernel's output goes to notebooks: ANSI colour codes would show up as garbage there.
    env: { NO_COLOR: "1" },
    metadata: { deno_version: PINNED_DENO },
  };
}

/**
 * Write the kernelspec into `<dataDir>/kernels/guide-deno/kernel.json` (atomically) and return that path.
 *
 * @example
 * ```ts
 * import { installKernel } from "./install.ts";
 * const path = await installKernel(await Deno.makeTempDir());
 * console.log(`kernelspec written to ${path}`);
 * ```
 */
export async function installKernel(dataDir: string = jupyterDataDir()): Promise<string> {
  const dir = join(dataDir, "kernels", KERNEL_NAME);
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, "kernel.json");
  await writeTextFileAtomic(path, JSON.stringify(kernelSpec(), null, 2) + "\n");
  return path;
}

/**
 * The installed kernelspec's state: `missing` (none in `dataDir`), `ok`, or `broken` with the Deno it names that is
 * gone (clearing npx's cache removes the binary a spec written from it points at, and Jupyter then fails silently).
 */
export async function kernelHealth(
  dataDir: string = jupyterDataDir(),
): Promise<{ state: "missing" | "ok" } | { state: "broken"; deno: string }> {
  let spec: KernelSpec;
  try {
    spec = JSON.parse(await Deno.readTextFile(join(dataDir, "kernels", KERNEL_NAME, "kernel.json")));
  } catch {
    return { state: "missing" };
  }
  const deno = spec.argv?.[0] ?? "";
  if (!deno.startsWith("/")) return { state: "ok" }; // a command on PATH (npx)
  try {
    await Deno.stat(deno);
    return { state: "ok" };
  } catch {
    return { state: "broken", deno };
  }
}

/** Reinstall the user's kernelspec when it names a Deno that is gone; returns a line saying so, or undefined. */
export async function repairKernel(dataDir: string = jupyterDataDir()): Promise<string | undefined> {
  const health = await kernelHealth(dataDir);
  if (health.state !== "broken") return undefined;
  const path = await installKernel(dataDir);
  return `the "${KERNEL_NAME}" kernelspec named a Deno that is gone (${health.deno}); reinstalled it at ${path}`;
}

if (import.meta.main) {
  const { values } = parseFlags("kernel:install", "usage: deno task kernel:install [--data-dir DIR]", {
    args: Deno.args,
    options: { "data-dir": { type: "string" } },
  });
  const health = await kernelHealth(values["data-dir"]);
  const path = await installKernel(values["data-dir"]);
  const repaired = health.state === "broken" ? ` (repaired: it named ${health.deno}, which is gone)` : "";
  console.log(`installed kernel "${KERNEL_NAME}" (${KERNEL_DISPLAY_NAME}) at ${path}${repaired}`);
}
