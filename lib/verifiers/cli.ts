/**
 * `deno task verify`: JSONL on stdin, one `{"domain", "response", "gold", …}` a line; the same objects on stdout,
 * in order, with `"correct"` (and `"reason"` when false) added: exactly one output line for every input line. A bad
 * line (empty, not JSON, missing a key, an unknown domain) gets `"correct": false` and a reason naming the line; it
 * never stops the stream. Code responses are checked several at a time (`--jobs`, default the
 * number of cores), output order kept.
 *
 * @module
 */
import { parseFlags } from "../flags.ts";
import { createInterface } from "node:readline";
import process from "node:process";
import { verify } from "./mod.ts";

/** The output object of one input line. */
export async function verifyLine(line: string, lineNumber: number): Promise<Record<string, unknown>> {
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
  const verdict = await verify(String(record.domain), record.response, record.gold);
  // A verdict about the line itself (not the answer) names the line, as every other bad line does.
  if (!verdict.correct && verdict.reason?.startsWith("unknown domain")) {
    verdict.reason = `line ${lineNumber}: ${verdict.reason}`;
  }
  const { correct: _c, reason: _r, ...rest } = record;
  return verdict.correct ? { ...rest, correct: true } : { ...rest, correct: false, reason: verdict.reason };
}

if (import.meta.main) {
  const usage = "usage: deno task verify [--jobs N] < lines.jsonl > verdicts.jsonl   (N: code checks at a time)";
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
      const out = await pending.shift()!;
      await Deno.stdout.write(encoder.encode(JSON.stringify(out) + "\n"));
    }
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber++;
    pending.push(verifyLine(line, lineNumber));
    await flush(jobs - 1);
  }
  await flush(0);
}
