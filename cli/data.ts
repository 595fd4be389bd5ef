/**
 * `deno task data [--out datasets] [--train 20000] [--test 500] [--seed 0]`: regenerate the kit's datasets and their
 * card, deterministically (`lib/data/generate.ts`), and print each file's SHA-256.
 *
 * @module
 */
import { join } from "node:path";
import { parseFlags } from "../lib/flags.ts";
import { writeDatasets } from "../lib/data/generate.ts";

if (import.meta.main) {
  const { values } = parseFlags("data", "usage: deno task data [--train N] [--test N] [--seed 0] [--out DIR]", {
    args: Deno.args,
    options: {
      out: { type: "string", default: "datasets" },
      train: { type: "string" },
      test: { type: "string" },
      seed: { type: "string", default: "0" },
    },
  });
  const checksums = await writeDatasets(values.out, {
    train: values.train === undefined ? undefined : Number(values.train),
    test: values.test === undefined ? undefined : Number(values.test),
    seed: Number(values.seed),
  });
  for (const [file, sum] of Object.entries(checksums)) console.log(`${sum}  ${join(values.out, file)}`);
}
