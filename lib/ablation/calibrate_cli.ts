/**
 * `deno task calibrate [GRID.yaml] [--out DIR] [--problems N] [--samples N] [--workers N]`: the grid's SFT base
 * (built in the run store if missing, as `deno task ablation` would) measured tier by tier, plain and with each hint
 * style: `bases/<id>/calibration.json` and `calibration.md`, and the table on stdout.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, extname, join, resolve } from "node:path";
import { loadGrid, QUICK_GRID } from "./grid.ts";
import { buildBase } from "./runner.ts";
import { baseDir } from "./store.ts";
import { calibrate, calibrationMarkdown } from "./calibrate.ts";
import { loadProblems } from "../data/load.ts";
import { loadCheckpoint } from "../policy/checkpoint.ts";
import { PolicyPool } from "../policy/pool.ts";
import { selectBackend } from "../policy/backend.ts";
import { writeTextFileAtomic } from "../io.ts";

const USAGE = "usage: deno task calibrate [GRID.yaml] [--out DIR] [--problems 128] [--samples 16] [--workers N]";

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      problems: { type: "string", default: "128" },
      samples: { type: "string", default: "16" },
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
  const file = positionals[0] ?? QUICK_GRID;
  const grid = await loadGrid(file);
  if (!grid.sft) throw new Error(`${file}: no \`sft\` section: nothing to calibrate`);
  const out = resolve(values.out ?? join("results", basename(file, extname(file))));
  const problems = number("problems", values.problems);
  const samples = number("samples", values.samples);
  const workers = values.workers === undefined ? undefined : number("workers", values.workers);
  await selectBackend(undefined, { quiet: true });
  await buildBase(out, grid.sft, { workers });
  const dir = baseDir(out, grid.sft.id);
  const policy = await loadCheckpoint(join(dir, "checkpoint"));
  const pool = await PolicyPool.create(policy, { workers });
  try {
    const domain = String((grid.sft.config.data as Record<string, unknown>).domain) as "math";
    const maxTokens = Number((grid.runs[0]?.config.rollout as Record<string, unknown> | undefined)?.maxTokens ?? 64);
    const started = performance.now();
    const calibration = await calibrate(pool, await loadProblems(domain, "test"), {
      problems,
      samples,
      maxTokens,
      onTier: (t) =>
        console.error(
          `tier ${t.tier}: plain pass@1 ${t.plain.passAt1.toFixed(3)} pass@${samples} ${
            t.plain.passAtK.toFixed(3)
          } · ${t.regime}`,
        ),
    });
    const markdown = calibrationMarkdown(calibration, `Calibration of ${grid.sft.id} (${domain})`);
    await writeTextFileAtomic(
      join(dir, "calibration.json"),
      JSON.stringify({ problems, samples, maxTokens, seconds: (performance.now() - started) / 1000, calibration }) +
        "\n",
    );
    await writeTextFileAtomic(join(dir, "calibration.md"), markdown);
    console.log(markdown);
  } finally {
    pool.close();
    policy.dispose();
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`calibrate: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
