/**
 * `deno task ship-base OUT/bases/<id>`: make a shipped base (`bases/<id>/`, see `shipped.ts`) from a base a grid
 * built and calibrated, so that later grids with the same `sft` section start from it instead of rebuilding.
 *
 * @module
 */
import { relative } from "node:path";
import { parseFlags } from "../lib/flags.ts";
import { selectBackend } from "../lib/policy/backend.ts";
import { packShippedBase, SHIPPED_FILES } from "../lib/ablation/shipped.ts";

const USAGE = "usage: deno task ship-base OUT/bases/<id>   (a base a grid built and calibrated; writes bases/<id>/)";

if (import.meta.main) {
  try {
    const { positionals } = parseFlags("ship-base", USAGE, { args: Deno.args, allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new Error(`expected one base folder\n${USAGE}`);
    await selectBackend(undefined, { quiet: true });
    const dir = await packShippedBase(positionals[0]);
    console.log(`wrote ${relative(Deno.cwd(), dir)}/ (${SHIPPED_FILES.length} files, SHA256SUMS, README.md)`);
  } catch (e) {
    console.error(`ship-base: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
