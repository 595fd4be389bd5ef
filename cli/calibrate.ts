/**
 * `deno task calibrate [GRID.yaml] [--out DIR] [--problems N] [--samples N] [--workers N]`: the grid's SFT base
 * (built in the run store if missing, as `deno task ablation` would) measured tier by tier, plain and with each hint
 * style: `bases/<id>/calibration.json` and `calibration.md`, and the table on stdout (a saved calibration with the same
 * settings is shown, not redone). A grid's `calibration` section makes `deno task ablation` do this itself.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { basename, extname, join, resolve } from "node:path";
import { loadGrid, MAIN_GRID } from "../lib/ablation/grid.ts";
import { buildBase, calibrateBase } from "../lib/ablation/jobs.ts";
import { describeBackend, selectBackend } from "../lib/policy/backend.ts";
import { prepareNativeProducts } from "../kernel/setup.ts";

const USAGE =
  "usage: deno task calibrate [GRID.yaml] [--out DIR] [--problems 128] [--samples 16] [--workers N]   (defaults: the grid's `calibration`)";

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags("calibrate", USAGE, {
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      problems: { type: "string" },
      samples: { type: "string" },
      workers: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const number = (name: string, text: string | undefined) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a whole number ≥ 1, got "${text}"`);
    return value;
  };
  const file = positionals[0] ?? MAIN_GRID;
  const grid = await loadGrid(file);
  if (!grid.sft) throw new Error(`${file}: no \`sft\` section: nothing to calibrate`);
  const out = resolve(values.out ?? join("results", basename(file, extname(file))));
  // Defaults: the grid's `calibration` section, else 128 × 16.
  const problems = number("problems", values.problems ?? String(grid.calibration?.problems ?? 128));
  const samples = number("samples", values.samples ?? String(grid.calibration?.samples ?? 16));
  const workers = values.workers === undefined ? undefined : number("workers", values.workers);
  await prepareNativeProducts();
  console.error(describeBackend(await selectBackend(undefined, { quiet: true })));
  await buildBase(out, grid.sft, { workers });
  const { markdown } = await calibrateBase(out, grid, {
    problems,
    samples,
    workers,
    onTier: (t) =>
      console.error(
        `tier ${t.tier}: plain pass@1 ${t.plain.passAt1.toFixed(3)} pass@${samples} ${
          t.plain.passAtK.toFixed(3)
        } · ${t.regime}`,
      ),
  });
  console.log(markdown);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`calibrate: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
