/**
 * `deno task verify` (its entry point: `cli/verify.ts`): JSONL on stdin, one `{"domain", "response", "gold", …}` a
 * line; the same objects on stdout, in order, with `"correct"` (and `"reason"` when false) added: exactly one output
 * line for every input line. A bad line (empty, not JSON, missing a key, an unknown domain) gets `"correct": false`
 * and a reason naming the line; it never stops the stream. `domain` is a verifier's name or a dataset's (`arith` is
 * judged as a chain, `science` as a letter: the entry point passes in the datasets' verifiers, `DATASET_VERIFIERS` of
 * `lib/data/domains.ts`); an unknown one is refused, not scored: its line gets its verdict and reason, and at the end
 * the command names the first such line on stderr and exits 1, so a pipeline cannot take a typo for a score of 0.
 * Lines end at `\n` alone (one `\r` before it is dropped): U+2028, U+2029, a bare `\r` or any other byte inside a line
 * never splits it, so verdicts stay paired with their lines; and in the output those line breaks are escaped
 * (`\u2028`, …), so a reader that splits on them stays paired too. Code responses are checked several at a time
 * (`--jobs`, default the number of cores), output order kept.
 *
 * @module
 */
import { parseFlags } from "../flags.ts";
import { type Domain, verifierOf, verify } from "./mod.ts";

/**
 * The lines of a byte stream, split on `\n` only, with one `\r` before it dropped; a last line without `\n` counts.
 * Bytes that are not UTF-8 decode to U+FFFD. (`node:readline`, used before, also split on U+2028, U+2029 and a bare
 * `\r`: 4 input lines gave 5 verdicts, each paired with the wrong line.)
 */
export async function* splitLines(input: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const parts: string[] = [];
  const line = () => {
    const text = parts.join("");
    parts.length = 0;
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  };
  for await (const text of input.pipeThrough(new TextDecoderStream())) {
    let start = 0;
    for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
      parts.push(text.slice(start, end));
      start = end + 1;
      yield line();
    }
    if (start < text.length) parts.push(text.slice(start));
  }
  if (parts.length > 0) yield line();
}

/** Characters that readers other than this one take for line breaks; JSON.stringify leaves them raw. */
const LINE_BREAKS = /[\u0085\u2028\u2029]/g;

/** One output line: JSON with {@link LINE_BREAKS} escaped, so it stays one line for any reader. */
export function outputLine(value: Record<string, unknown>): string {
  const json = JSON.stringify(value);
  return json.replace(LINE_BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`) + "\n";
}

/** Output objects of lines whose domain is unknown: refused, so the command fails at the end (not read from text). */
const refusals = new WeakSet<Record<string, unknown>>();

/** The output object of one input line; `datasets` maps the datasets' names to their verifiers. */
export async function verifyLine(
  line: string,
  lineNumber: number,
  datasets: Readonly<Record<string, Domain>> = {},
): Promise<Record<string, unknown>> {
  if (line.trim() === "") return { line: lineNumber, correct: false, reason: `line ${lineNumber}: empty line` };
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch (e) {
    return { line: lineNumber, correct: false, reason: `line ${lineNumber}: invalid JSON (${(e as Error).message})` };
  }
  if (!item || typeof item !== "object" || Array.isArray(item)) {
    return { line: lineNumber, correct: false, reason: `line ${lineNumber}: not a JSON object` };
  }
  const record = item as Record<string, unknown>;
  for (const key of ["domain", "response", "gold"]) {
    if (!(key in record)) return { ...record, correct: false, reason: `line ${lineNumber}: missing key "${key}"` };
  }
  const { correct: _c, reason: _r, ...rest } = record;
  const verifier = verifierOf(String(record.domain), datasets);
  // A verdict about the line itself (not the answer) names the line, as every other bad line does.
  if (verifier.error !== undefined) {
    const refused = { ...rest, correct: false, reason: `line ${lineNumber}: key "domain": ${verifier.error}` };
    refusals.add(refused);
    return refused;
  }
  const verdict = await verify(verifier.domain, record.response, record.gold);
  return verdict.correct ? { ...rest, correct: true } : { ...rest, correct: false, reason: verdict.reason };
}

/**
 * The command: reads stdin, writes the verdicts to stdout, and returns the exit status (1 when a line named an unknown
 * domain); `--help` and a bad flag exit here. `datasets` maps the datasets' names to their verifiers.
 */
export async function runVerify(args: string[], datasets: Readonly<Record<string, Domain>>): Promise<number> {
  const usage = `usage: deno task verify [--jobs N] < lines.jsonl > verdicts.jsonl

Judges each input line with the kit's verifiers and writes it back with "correct" (and "reason" when false) added:
one output line for every input line, in order.

  --jobs N     code checks at a time (default: the number of cores)
  -h, --help   this text

An input line: {"domain": D, "response": "...", "gold": G, ...any other keys, kept}
  D: math, choice, code, chain, program, or a dataset's name (${Object.keys(datasets).join(", ")})
  G: math, an answer or a solution ("\\frac{1}{2}"); choice, a letter ("C"); chain, the canonical chain;
     code, {"entry"?: "f", "tests": [{"args": [...], "expected": ...}]}; program, {"params": [...], "tests": [...]}
An unknown domain is refused: its line gets correct false, and the command exits 1 naming the first such line.`;
  const { values } = parseFlags("verify", usage, {
    args,
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
      verifyLine(line, n, datasets).then((out) => {
        if (refusals.has(out)) refused.push(String(out.reason));
        return out;
      }).catch((e) => ({ line: n, correct: false, reason: `line ${n}: ${(e as Error).message}` })),
    );
    await flush(jobs - 1);
  }
  await flush(0);
  if (refused.length > 0) {
    const more = refused.length > 1 ? ` (and ${refused.length - 1} more line(s) with an unknown domain)` : "";
    console.error(`verify: stdin ${refused[0]}${more}`);
    return 1;
  }
  return 0;
}
