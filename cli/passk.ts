/**
 * `deno task passk --before A.jsonl --after B.jsonl [--k 16] [--json]`: the gain analysis on samples of any model.
 * Each line is `{id, correct}` (already judged) or `{id, domain, response, gold}` (judged here by the kit's
 * verifiers). Problems are matched by id: the analysis runs on the problems both files hold (none: an error; some
 * left out: a warning naming how many), at the largest k every matched problem supports. Prints pass@k before and
 * after, the pass@k curves, and the split of gains into compression, capability gain and lost problems.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { analysePassk, type PasskAnalysis } from "../lib/metrics/gains.ts";
import { readSamples } from "../lib/metrics/samples.ts";

const USAGE = `usage: deno task passk --before A.jsonl --after B.jsonl [--k 16] [--solved 0.5] [--json]

The gain analysis of any model's samples, before and after training: pass@k both ways and the split of the problems
newly solved into compression (reachable before) and capability gain (unreachable before), and those lost.

  --before FILE   samples before training (JSONL)
  --after FILE    samples after training (JSONL)
  --k N           the largest k of pass@k (default 16; capped at the fewest samples any matched problem has)
  --solved F      the pass@1 at or above which a problem counts as solved (default 0.5: by most samples)
  --json          one JSON object instead of the tables
  -h, --help      this text

Each line of a file is one sample of one problem, in either form:
  {"id": "arith-test-00012", "correct": true}                                       already judged
  {"id": "arith-test-00012", "domain": "math", "response": "...", "gold": "42"}     judged here by the kit's verifier
A problem's samples are the lines with its id; problems are matched by id across the two files.`;

/** The analysis as the terminal shows it. */
function printAnalysis(result: PasskAnalysis): void {
  const { curves, split, kUsed, match } = result;
  console.log(
    `problems: ${match.matched} in both files (${match.beforeOnly} only before, ${match.afterOnly} only after); ` +
      `pass@k for k up to ${kUsed}`,
  );
  console.log("| k | pass@k before | pass@k after |");
  console.log("| --- | --- | --- |");
  curves.before.forEach((p, i) =>
    console.log(`| ${p.k} | ${p.passAtK.toFixed(4)} | ${curves.after[i].passAtK.toFixed(4)} |`)
  );
  console.log("");
  console.log(
    `| newly solved: compression (pass@${kUsed} before > 0) | capability gain (= 0) | lost | kept | neither |`,
  );
  console.log("| --- | --- | --- | --- | --- |");
  console.log(
    `| ${split.compression.length} | ${split.capabilityGain.length} | ${split.lost.length} | ${split.kept.length} | ${split.neither.length} |`,
  );
}

async function main(args: string[]): Promise<number> {
  const { values } = parseFlags("passk", USAGE, {
    args,
    options: {
      before: { type: "string" },
      after: { type: "string" },
      k: { type: "string", default: "16" },
      solved: { type: "string", default: "0.5" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.before || !values.after) {
    console.error(`passk: --before and --after are both needed\n${USAGE}`);
    return 2;
  }
  const k = Number(values.k);
  if (!Number.isInteger(k) || k < 1) {
    console.error(`passk: --k must be a positive integer (got ${values.k})`);
    return 2;
  }
  const solved = Number(values.solved);
  if (!(solved > 0 && solved <= 1)) {
    console.error(`passk: --solved must be a fraction in (0, 1] (got ${values.solved})`);
    return 2;
  }
  try {
    const result = analysePassk(await readSamples(values.before), await readSamples(values.after), k, solved, {
      before: values.before,
      after: values.after,
    });
    for (const w of result.warnings) console.error(`passk: ${w}`);
    if (values.json) {
      const counts = Object.fromEntries(
        Object.entries(result.split).map(([key, v]) => [key, Array.isArray(v) ? v.length : v]),
      );
      console.log(JSON.stringify({ ...result, split: counts, ids: result.split }));
    } else printAnalysis(result);
    return 0;
  } catch (e) {
    console.error(`passk: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
