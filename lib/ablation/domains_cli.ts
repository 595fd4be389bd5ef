/**
 * `deno task domains [NAME=DIR ...] [--out FILE]`: the findings-across-domains table (`lib/ablation/domains.ts`) from
 * each domain's grid results, printed and written to FILE (default `results/domains.md`). Without arguments it reads
 * the domain grids' default folders (`results/domain-arith`, `-physics`, `-powers`, and `-programs` as the `code`
 * column: what `deno task ablation grids/domain-<name>.yaml` writes). A folder without results is a column
 * that says so and how to fill it.
 *
 * @module
 */
import { parseFlags } from "../flags.ts";
import { join, resolve } from "node:path";
import { baseDir, loadSavedGrid } from "./store.ts";
import { collectReport } from "./jobs.ts";
import { tiersOf } from "../config/schema.ts";
import { crossDomainMarkdown, type DomainMissing, type DomainResults } from "./domains.ts";
import { displayPath, writeTextFileAtomic } from "../io.ts";

const USAGE = "usage: deno task domains [NAME=DIR ...] [--out results/domains.md]";

/** The default columns: the domain grids' output folders (the paper's code is the `programs` domain). */
const DEFAULT_DOMAINS = [
  "arith=results/domain-arith",
  "physics=results/domain-physics",
  "powers=results/domain-powers",
  "code=results/domain-programs",
];
/** The dataset domain whose grid fills a column named otherwise. */
const GRID_DOMAIN: Record<string, string> = { code: "programs" };

/** One domain's results from its folder, or why there are none. */
export async function readDomain(name: string, dir: string): Promise<DomainResults | DomainMissing> {
  try {
    await Deno.stat(join(dir, "grid.yaml"));
  } catch {
    return {
      domain: name,
      why: `no results in ${displayPath(dir)} (run \`deno task ablation grids/domain-${
        GRID_DOMAIN[name] ?? name
      }.yaml\`)`,
    };
  }
  const grid = await loadSavedGrid(dir);
  if (!grid.sft) return { domain: name, why: `${join(dir, "grid.yaml")}: no \`sft\` section, so no calibrated base` };
  const file = join(baseDir(dir, grid.sft.id), "calibration.json");
  let calibration;
  try {
    calibration = JSON.parse(await Deno.readTextFile(file)).calibration;
  } catch (e) {
    const what = e instanceof Deno.errors.NotFound ? "no calibration yet" : (e as Error).message.split("\n")[0];
    return { domain: name, why: `${displayPath(file)}: ${what} (run \`deno task calibrate\` on the grid)` };
  }
  const report = await collectReport(dir, grid);
  // A grid still running (or cut off) is not a column yet: its variants would rest on fewer seeds than designed.
  if (report.unfinished.length > 0) {
    return {
      domain: name,
      why: `${report.unfinished.length} of ${grid.runs.length} runs unfinished in ${displayPath(dir)} (rerun its grid)`,
    };
  }
  return { domain: name, report, calibration, trainedTiers: tiersOf(grid.runs[0].config.data.tiers) };
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags("domains", USAGE, {
    args,
    allowPositionals: true,
    options: { out: { type: "string", default: "results/domains.md" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const pairs = positionals.length > 0 ? positionals : DEFAULT_DOMAINS;
  const domains: (DomainResults | DomainMissing)[] = [];
  for (const pair of pairs) {
    const match = pair.match(/^([\w-]+)=(.+)$/);
    if (!match) throw new Error(`argument "${pair}": expected NAME=DIR`);
    domains.push(await readDomain(match[1], resolve(match[2])));
  }
  const markdown = crossDomainMarkdown(domains);
  await writeTextFileAtomic(values.out, markdown + "\n");
  console.log(markdown);
  console.error(`domains: wrote ${values.out}`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`domains: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
