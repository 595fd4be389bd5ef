/**
 * Debian packages the kit needs and npm cannot provide, installed when missing: OpenBLAS here (the native matrix
 * products, `policy/blas.ts`), Jupyter and Chromium through `kernel/setup.ts`. Idempotent and quiet: it installs
 * only what is missing and prints one line per install. Where it cannot install (not root, not Debian) it throws one
 * line saying what to install.
 *
 * @module
 */
import { loadBlas, OPENBLAS_PACKAGE } from "./policy/blas.ts";

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
