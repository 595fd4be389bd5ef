/**
 * Formatting of notebooks. `deno fmt` formats the code cells of `.ipynb` files, but `deno fmt --check` (2.9.6)
 * reports freshly formatted notebooks as unformatted whenever its cache is cold (a fresh clone, CI), although
 * formatting them changes no byte. So notebooks are excluded from `deno fmt` in deno.json and formatted here through
 * `deno fmt --ext=ipynb -`, whose output is compared byte for byte.
 *
 * Run: `deno task fmt` (formats code and notebooks); `deno run -A kernel/fmt.ts --check` only checks notebooks.
 *
 * @module
 */
import { listNotebooks } from "./notebooks.ts";

/** Notebooks the kit keeps formatted. */
export const NOTEBOOK_DIRS = ["notebooks", "tests/fixtures"];

/** The notebook's text as `deno fmt` would write it. */
export async function formatNotebook(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=ipynb", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr).trim().split("\n")[0]);
  return new TextDecoder().decode(out.stdout);
}

/** Check (or, with `write`, fix) the formatting of notebooks; return the paths that were not formatted. */
export async function formatNotebooks(paths: string[], write: boolean): Promise<string[]> {
  const unformatted: string[] = [];
  for (const path of paths) {
    const text = await Deno.readTextFile(path);
    const formatted = await formatNotebook(text);
    if (formatted === text) continue;
    unformatted.push(path);
    if (write) await Deno.writeTextFile(path, formatted);
  }
  return unformatted;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const paths = NOTEBOOK_DIRS.flatMap((dir) => listNotebooks(dir));
  const unformatted = await formatNotebooks(paths, !check);
  for (const path of unformatted) console.log(check ? `not formatted: ${path}` : `formatted ${path}`);
  if (check && unformatted.length > 0) {
    console.error(`${unformatted.length} notebook(s) not formatted: run \`deno task fmt\``);
    Deno.exit(1);
  }
  console.log(`Checked ${paths.length} notebooks`);
}
