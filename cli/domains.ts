/**
 * `deno task domains [NAME=DIR ...] [--out FILE]`: the findings-across-domains table (`lib/ablation/domains.ts`) from
 * each domain's grid results, printed and written to FILE (default `results/domains.md`). Without arguments it reads
 * the domain grids' default folders (`results/domain-arith`, `-physics`, `-powers`, and `-programs` as the `code`
 * column: what `deno task ablation grids/domain-<name>.yaml` writes). A folder without results is a column
 * that says so and how to fill it.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { resolve } from "node:path";
import { crossDomainMarkdown, type DomainMissing, type DomainResults, readDomain } from "../lib/ablation/domains.ts";
import { writeTextFileAtomic } from "../lib/io.ts";

const USAGE = "usage: deno task domains [NAME=DIR ...] [--out results/domains.md]";

/** The default columns: the domain grids' output folders (the paper's code is the `programs` domain). */
const DEFAULT_DOMAINS = [
  "arith=results/domain-arith",
  "physics=results/domain-physics",
  "powers=results/domain-powers",
  "code=results/domain-programs",
];

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
