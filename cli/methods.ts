/**
 * `deno task methods DIR ... [--out FILE]`: the methods × domains table (`lib/ablation/methods_table.ts`) from grid
 * folders of several bases (each with its `nested.json`), printed and written to FILE (default
 * `results/methods.md`). Without arguments it reads the published `results/published/methods-*` folders.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { join } from "node:path";
import { methodsTableMarkdown, readNested } from "../lib/ablation/methods_table.ts";
import { writeTextFileAtomic } from "../lib/io.ts";

const USAGE = "usage: deno task methods [DIR ...] [--out results/methods.md]";
const PUBLISHED = "results/published";

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags("methods", USAGE, {
    args,
    allowPositionals: true,
    options: { out: { type: "string", default: "results/methods.md" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let dirs = positionals;
  if (dirs.length === 0) {
    dirs = [];
    for await (const entry of Deno.readDir(PUBLISHED)) {
      if (entry.isDirectory && entry.name.startsWith("methods-") && entry.name !== "methods-arith-one-base") {
        dirs.push(join(PUBLISHED, entry.name));
      }
    }
    dirs.sort();
    if (dirs.length === 0) throw new Error(`no ${PUBLISHED}/methods-* folders: name the grid folders`);
  }
  const markdown = methodsTableMarkdown(await Promise.all(dirs.map(readNested)));
  await writeTextFileAtomic(values.out, markdown + "\n");
  console.log(markdown);
  console.error(`methods: wrote ${values.out}`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`methods: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
