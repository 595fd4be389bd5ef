/**
 * The JSONL of `deno task verify` (`cli/verify.ts`): input lines split on `\n` alone, each judged into its output
 * object (`"correct"`, and `"reason"` when false; a bad line gets a reason naming it), written back one line each with
 * the characters other readers take for line breaks escaped. A line whose domain is unknown is refused
 * ({@link isRefused}), so the command can fail at the end.
 *
 * @module
 */
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

/** Is `verdict` (an object {@link verifyLine} returned) the refusal of a line whose domain is unknown? */
export function isRefused(verdict: Record<string, unknown>): boolean {
  return refusals.has(verdict);
}

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
