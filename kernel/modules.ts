/**
 * Fetches the kit's npm modules before a task runs, quietly: the first command on a fresh clone (or after
 * `deno.lock` changes) prints one line saying what it is doing instead of Deno's ~1,000 `Download …` and
 * `Initialize …` lines, then `deno install --quiet`; afterwards it checks one stamp and prints nothing. The tasks
 * then run with `--quiet`, so Deno's own chatter never reaches the user while the kit's output does. `deno.json`
 * sets `"nodeModulesDir": "manual"` for this: with `auto`, `deno task` itself installs, loudly, before any task runs
 * (a `deno test` or `deno check` by hand on a fresh clone then asks for `deno install` first).
 *
 * Imports nothing from npm (it runs before the modules exist). Run: every task in `deno.json` starts with it.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Buffer } from "node:buffer";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Beside the modules it vouches for: a fresh clone has neither. */
const STAMP = join(ROOT, "node_modules", ".guide-modules");

/** The lockfile's SHA-256: the modules are current when the stamp holds it. */
async function lockDigest(): Promise<string> {
  const bytes = await Deno.readFile(join(ROOT, "deno.lock"));
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");
}

if (import.meta.main) {
  const digest = await lockDigest();
  const stamped = await Deno.readTextFile(STAMP).catch(() => "");
  if (stamped.trim() !== digest) {
    console.error("guide: fetching the kit's npm modules (after a clone or a lockfile change; about a minute)");
    const out = await new Deno.Command(Deno.execPath(), { args: ["install", "--quiet"], cwd: ROOT, stdout: "null" })
      .output();
    if (!out.success) {
      const why = new TextDecoder().decode(out.stderr).trim().split("\n").filter(Boolean).pop() ?? `exit ${out.code}`;
      console.error(`guide: deno install failed: ${why}`);
      Deno.exit(1);
    }
    await Deno.writeTextFile(STAMP, digest + "\n");
  }
}
