/**
 * `deno task figures OUT [--formats LIST]`: redraw an ablation's summary and figures from its saved results
 * (`OUT/grid.yaml` and the run folders), without training. Unfinished runs are left out and named.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { join } from "node:path";
import { loadSavedGrid } from "../lib/ablation/store.ts";
import { writeResults } from "../lib/ablation/jobs.ts";
import { parseFormats } from "../lib/plot/export.ts";

async function main(args: string[]): Promise<void> {
  const usage = "usage: deno task figures OUT [--formats LIST]   (OUT: a `deno task ablation` folder; LIST: " +
    "comma-separated, of html, svg, png, jpeg (or jpg), pdf; default html,svg,png,pdf)";
  const { values, positionals } = parseFlags("figures", usage, {
    args,
    allowPositionals: true,
    options: { formats: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help || positionals.length !== 1) {
    (values.help ? console.log : console.error)(values.help ? usage : `figures: one output folder, please\n${usage}`);
    Deno.exit(values.help ? 0 : 2);
  }
  const formats = values.formats === undefined ? undefined : parseFormats(values.formats);
  const out = positionals[0];
  const gridFile = join(out, "grid.yaml");
  try {
    await Deno.stat(gridFile);
  } catch {
    throw new Error(`${gridFile}: not found (is ${out} the output folder of deno task ablation?)`);
  }
  const grid = await loadSavedGrid(out);
  const { reports, files, summary, partial } = await writeResults(out, grid, { formats });
  const unfinished = reports.flatMap((r) => r.unfinished);
  if (unfinished.length > 0) console.error(`not finished, left out: ${unfinished.join(", ")}`);
  console.log(`wrote ${files.length} files: ${summary}, ${join(out, partial ? "figures-partial" : "figures")}/`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`figures: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
