/**
 * `deno task passk --before A.jsonl --after B.jsonl [--k 16] [--json]`: the gain analysis on samples of any model.
 * Each line is `{id, correct}` (already judged) or `{id, domain, response, gold}` (judged here by the kit's
 * verifiers). Prints pass@1 and pass@k before and after, the pass@k curves, and the split of gains into
 * compression, capability gain and lost problems.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { gainSplit, passAtKCurve } from "./gains.ts";
import { readSamples } from "./samples.ts";

/** Powers of two up to `max`, and `max` itself. */
export function curveKs(max: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < max; k *= 2) ks.push(k);
  ks.push(max);
  return ks;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      before: { type: "string" },
      after: { type: "string" },
      k: { type: "string", default: "16" },
      solved: { type: "string", default: "0.5" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.before || !values.after) {
    console.error("passk: usage: deno task passk --before A.jsonl --after B.jsonl [--k 16] [--solved 0.5] [--json]");
    Deno.exit(2);
  }
  const k = Number(values.k);
  if (!Number.isInteger(k) || k < 1) {
    console.error(`passk: --k must be a positive integer (got ${values.k})`);
    Deno.exit(2);
  }
  try {
    const before = await readSamples(values.before);
    const after = await readSamples(values.after);
    const minN = Math.min(...[...before.values(), ...after.values()].map((c) => c.n));
    const ks = curveKs(Math.min(k, minN));
    const split = gainSplit(before, after, k, Number(values.solved));
    const curves = { before: passAtKCurve(before.values(), ks), after: passAtKCurve(after.values(), ks) };
    if (values.json) {
      const counts = Object.fromEntries(
        Object.entries(split).map(([key, v]) => [key, Array.isArray(v) ? v.length : v]),
      );
      console.log(JSON.stringify({ k, curves, split: counts, ids: split }));
    } else {
      console.log(`problems: ${split.problems} (samples per problem ≥ ${minN}; pass@k for k up to ${ks.at(-1)})`);
      console.log("| k | pass@k before | pass@k after |");
      console.log("| --- | --- | --- |");
      curves.before.forEach((p, i) => {
        console.log(`| ${p.k} | ${p.passAtK.toFixed(4)} | ${curves.after[i].passAtK.toFixed(4)} |`);
      });
      console.log("");
      console.log(
        `| newly solved: compression (pass@${k} before > 0) | capability gain (= 0) | lost | kept | neither |`,
      );
      console.log("| --- | --- | --- | --- | --- |");
      console.log(
        `| ${split.compression.length} | ${split.capabilityGain.length} | ${split.lost.length} | ${split.kept.length} | ${split.neither.length} |`,
      );
    }
  } catch (e) {
    console.error(`passk: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
