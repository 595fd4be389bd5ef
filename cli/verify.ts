/**
 * `deno task verify`: JSONL on stdin, one `{"domain", "response", "gold", …}` a line; the same objects on stdout,
 * in order, with `"correct"` (and `"reason"` when false) added: exactly one output line for every input line. A bad
 * line (empty, not JSON, missing a key, an unknown domain) gets `"correct": false` and a reason naming the line; it
 * never stops the stream. `domain` is a verifier's name or a dataset's (the domain registry, `lib/data/domains.ts`, maps it: `arith` is
 * judged as a chain, `science` as a letter); an unknown one is refused, not scored: its line gets its verdict and reason, and at the end the command
 * names the first such line on stderr and exits 1, so a pipeline cannot take a typo for a score of 0. Lines end at `\n` alone (one `\r` before it is dropped): U+2028, U+2029, a bare `\r` or any
 * other byte inside a line never splits it, so verdicts stay paired with their lines; and in the output those line
 * breaks are escaped (`\u2028`, …), so a reader that splits on them stays paired too. Code responses are checked several
 * at a time (`--jobs`, default the number of cores), output order kept.
 *
 * @module
 */
import { parseFlags } from "../lib/flags.ts";
import { DATASET_VERIFIERS } from "../lib/data/domains.ts";
import { isRefused, outputLine, splitLines, verifyLine } from "../lib/verifiers/jsonl.ts";

if (import.meta.main) {
  const usage = `usage: deno task verify [--jobs N] < lines.jsonl > verdicts.jsonl

Judges each input line with the kit's verifiers and writes it back with "correct" (and "reason" when false) added:
one output line for every input line, in order.

  --jobs N     code checks at a time (default: the number of cores)
  -h, --help   this text

An input line: {"domain": D, "response": "...", "gold": G, ...any other keys, kept}
  D: math, choice, code, chain, program, or a dataset's name (${Object.keys(DATASET_VERIFIERS).join(", ")})
  G: math, an answer or a solution ("\\frac{1}{2}"); choice, a letter ("C"); chain, the canonical chain;
     code, {"entry"?: "f", "tests": [{"args": [...], "expected": ...}]}; program, {"params": [...], "tests": [...]}
An unknown domain is refused: its line gets correct false, and the command exits 1 naming the first such line.`;
  const { values } = parseFlags("verify", usage, {
    args: Deno.args,
    options: {
      jobs: { type: "string", default: String(navigator.hardwareConcurrency ?? 2) },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error(`verify: --jobs: expected a whole number ≥ 1, got "${values.jobs}"\n${usage}`);
    Deno.exit(2);
  }
  const encoder = new TextEncoder();
  const pending: Promise<Record<string, unknown>>[] = [];
  let lineNumber = 0;
  const flush = async (keep: number) => {
    while (pending.length > keep) {
      const bytes = encoder.encode(outputLine(await pending.shift()!));
      for (let done = 0; done < bytes.length;) done += await Deno.stdout.write(bytes.subarray(done));
    }
  };
  const refused: string[] = [];
  for await (const line of splitLines(Deno.stdin.readable)) {
    lineNumber++;
    const n = lineNumber;
    // Whatever happens while judging, the line still gets its one verdict.
    pending.push(
      verifyLine(line, n, DATASET_VERIFIERS).then((out) => {
        if (isRefused(out)) refused.push(String(out.reason));
        return out;
      }).catch((e) => ({ line: n, correct: false, reason: `line ${n}: ${(e as Error).message}` })),
    );
    await flush(jobs - 1);
  }
  await flush(0);
  if (refused.length > 0) {
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more line(s) with an unknown domain)` : "";
    console.error(`verify: stdin ${refused[0]}${more}`);
    Deno.exit(1);
  }
}
