/**
 * The code verifier: the response is JavaScript (optionally in a fenced block) that defines the entry function
 * (default `f`); gold is `{entry?, tests: [{args, expected}]}`. The response runs in a sandbox:
 *
 * - a separate `deno run` process with every permission denied (`--deny-read/write/net/env/run/ffi/sys`,
 *   `--no-prompt`), no remote or npm imports, no config, an empty environment and the root as its working folder;
 * - nowhere to write: its Deno caches (`DENO_DIR`) point below `/dev/null`, where no folder can be made, so the Cache
 *   API, module caches and any other store Deno keeps on disk fail (the Cache API writes under `--deny-write`), and a
 *   file size limit of 0 (`prlimit --fsize=0`) has the kernel kill it should anything still write to a file; the
 *   storage globals (`caches`, `localStorage`, …) are removed before the answer runs. No temp folder is made, so a
 *   dead host leaves nothing behind (folders `guide-sandbox-<pid>-…` of dead hosts, from earlier versions, are removed
 *   under any permissions the host has);
 * - a V8 heap cap (`--max-old-space-size`), a data limit on the whole process (`prlimit --data`: ArrayBuffers and
 *   Workers count), and a wall-clock limit after which the process is killed, here and by
 *   coreutils' `timeout` around it (so a sandbox dies at its deadline even if this process is blocked or dead);
 * - stdout and stderr read up to a cap, so a flood of output cannot exhaust the host;
 * - nothing of the machine in view: the binary's path, the working folder and process ids read as neutral values
 *   inside, and reasons are scrubbed of paths (look-alike slashes, such as U+2215, count as slashes).
 *
 * A response over {@link MAX_RESPONSE_CHARS} is false without running, and the fenced block is found by a linear scan,
 * so no response costs the host more than a pass over its text. The entry must be declared by the answer itself: the
 * name is resolved in the answer's own top-level scope, never as a global (an empty answer does not pass `btoa`).
 *
 * Inside, the untrusted code runs in a Worker that never sees the verdict channel (see `sandbox_runner.ts`); the
 * host receives the returned values on a line tagged with a random nonce, decodes them within a budget
 * ({@link MAX_DECODED_VALUES}: a result too large is the answer's failure, not the host's) and decides the verdict
 * itself, by deep equality with the expected values. An exit, crash, timeout or out-of-memory is `correct: false`
 * with a reason, from which the machine's paths are scrubbed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyCode } from "./code.ts";
 * const verdict = await verifyCode("function f(x) { return 2 * x + 1; }", { tests: [{ args: [3], expected: 7 }] });
 * assert.equal(verdict.correct, true);
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { basename, dirname, join } from "node:path";
import { exists, scrubPaths } from "../io.ts";
import type { Verdict } from "./verdict.ts";

/** Gold of a code problem. */
export interface CodeGold {
  /** Name of the function the response must define (default `f`). */
  entry?: string;
  tests: { args: unknown[]; expected: unknown }[];
}

/** Limits of one sandboxed run. */
export interface SandboxLimits {
  /** Wall-clock limit of the whole run, in ms (default 5,000). */
  timeoutMs?: number;
  /** V8 heap cap, in MiB (default 128). */
  memoryMb?: number;
  /**
   * The whole sandbox process's data limit (RLIMIT_DATA: heap, ArrayBuffers, every isolate's memory), in MiB (default
   * 1,536: an idle Deno already counts ≈ 550 MiB of reservations, and a correct 150,000-element answer needs the rest
   * of 1,536 to be copied out and printed).
   */
  processMb?: number;
  /** Most bytes of stdout kept (default 1 MiB); more kills the run. */
  maxOutputBytes?: number;
}

const RUNNER = fileURLToPath(new URL("./sandbox_runner.ts", import.meta.url));
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Names the harness cannot bind as the entry (reserved words, and `eval`, which it calls). */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await eval arguments").split(" "),
);

/** Longest response judged, in characters: a longer one is false without being scanned or run. */
export const MAX_RESPONSE_CHARS = 100_000;

/**
 * The code of a response: the last fenced block (```js, ```javascript, ```ts or bare), else the whole text. A linear
 * scan (the regex it replaces backtracked quadratically on an unclosed fence: 10 s for 120 KB).
 */
export function extractCode(response: string): string {
  const blocks: { lang: string; code: string }[] = [];
  for (let at = response.indexOf("```"); at >= 0;) {
    const lineEnd = response.indexOf("\n", at + 3);
    if (lineEnd < 0) break;
    const close = response.indexOf("```", lineEnd + 1);
    if (close < 0) break;
    const lang = /^[ \t]*([A-Za-z]*)/.exec(response.slice(at + 3, lineEnd))![1];
    blocks.push({ lang, code: response.slice(lineEnd + 1, close) });
    at = response.indexOf("```", close + 3);
  }
  if (blocks.length === 0) return response;
  const code = blocks.filter((b) => ["", "js", "javascript", "ts", "typescript", "mjs"].includes(b.lang.toLowerCase()));
  const pool = code.length > 0 ? code : blocks;
  return pool[pool.length - 1].code;
}

/** Most values (array elements, fields and leaves) the host decodes from one answer's results. */
export const MAX_DECODED_VALUES = 2_000_000;

/** A result larger than the decoding budget: the answer's failure, never the host's. */
export class DecodeBudgetError extends Error {}

/**
 * Undo the runner's tags: undefined, NaN, ±Infinity, -0, bigint, arrays and plain objects. Every value decoded counts
 * against `budget` (shared by all of an answer's results); an array's length must be a whole number within what is
 * left, so a claimed length can neither allocate nor loop past it. Over budget: {@link DecodeBudgetError}.
 */
export function decodeValue(value: unknown, budget = { left: MAX_DECODED_VALUES }): unknown {
  if (--budget.left < 0) throw new DecodeBudgetError(`results over ${MAX_DECODED_VALUES} values`);
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, budget));
  if (value && typeof value === "object") {
    const tagged = value as { $?: string; v?: unknown };
    switch (tagged.$) {
      case "undefined":
        return undefined;
      case "NaN":
        return NaN;
      case "Infinity":
        return Infinity;
      case "-Infinity":
        return -Infinity;
      case "-0":
        return -0;
      case "bigint":
        return BigInt(tagged.v as string);
      case "array": {
        const n = (tagged as { n?: unknown }).n;
        if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new DecodeBudgetError("a malformed array");
        if (n > budget.left) throw new DecodeBudgetError(`an array of ${n} elements (budget ${MAX_DECODED_VALUES})`);
        const items = (tagged.v ?? []) as Record<number, unknown>;
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = decodeValue(items[i], budget);
        return out;
      }
      case "object":
        return Object.fromEntries(
          Object.entries(tagged.v as Record<string, unknown>).map(([k, v]) => [k, decodeValue(v, budget)]),
        );
    }
  }
  return value;
}

/**
 * Deep equality of plain data: numbers by value (NaN equals NaN; 0 equals -0, as JSON cannot tell them apart in
 * gold), arrays element by element, objects key by key (order ignored).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return deepEqual(ka, kb) &&
      ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Read a stream up to `cap` bytes, calling `onOver` at once when it is exceeded; returns the text kept. */
async function readCapped(
  stream: ReadableStream<Uint8Array>,
  cap: number,
  onOver: () => void,
): Promise<{ text: string; over: boolean }> {
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.byteLength;
    if (bytes > cap) {
      onOver();
      await stream.cancel().catch(() => {});
      return { text, over: true };
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return { text, over: false };
}

function checkGold(gold: CodeGold): string | undefined {
  if (!gold || typeof gold !== "object" || !Array.isArray(gold.tests)) return "gold must be {entry?, tests: [...]}";
  if (gold.tests.length === 0) return "gold has no tests";
  const entry = gold.entry ?? "f";
  if (typeof entry !== "string" || !IDENTIFIER.test(entry) || RESERVED.has(entry)) {
    return `gold entry ${JSON.stringify(entry)} is no name`;
  }
  for (const [i, t] of gold.tests.entries()) {
    if (!t || !Array.isArray(t.args)) return `gold test ${i} has no args array`;
  }
  return undefined;
}

/** coreutils' `timeout` (Debian: always there), the sandbox's deadline outside this process. */
const TIMEOUT_BINARY = "/usr/bin/timeout";
/** util-linux's `prlimit` (Debian: always there), the sandbox's memory and file size limits. */
const PRLIMIT_BINARY = "/usr/bin/prlimit";
/** Whether `path` can be seen (an unreadable one counts as absent). */
const present = (path: string) => exists(path).catch(() => false);
/**
 * The sandbox's Deno cache folder: below `/dev/null`, a device, so it can never be made and nothing Deno caches (the
 * Cache API's store, module caches) reaches the disk.
 */
const NO_DENO_DIR = "/dev/null/deno";

/** What the host offers its sandboxes (`timeout`, `prlimit`), looked up once a process, after removing stale folders. */
let hostTools: Promise<{ timeout: boolean; prlimit: boolean }> | undefined;
function sandboxHost(): Promise<{ timeout: boolean; prlimit: boolean }> {
  hostTools ??= removeStaleSandboxes().then(async () => ({
    timeout: await present(TIMEOUT_BINARY),
    prlimit: await present(PRLIMIT_BINARY),
  }));
  return hostTools;
}

/**
 * Whether process `pid` is gone: signal 0 (`--allow-run`, as `deno task verify` has), else its `/proc` entry (which Deno
 * opens to `--allow-all` only); when neither can tell, it counts as alive.
 */
async function processGone(pid: number): Promise<boolean> {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return false;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true;
    if (!(e instanceof Deno.errors.NotCapable)) return false; // EPERM: alive, another user's
  }
  try {
    await Deno.stat(`/proc/${pid}`);
    return false;
  } catch (e) {
    return e instanceof Deno.errors.NotFound;
  }
}

/**
 * Remove the folders `guide-sandbox-<pid>-…` (earlier versions made one a run) of hosts that died, under whatever
 * permissions this process has: the check above needs no `--allow-all`, and a folder whose host cannot be checked is
 * kept.
 */
async function removeStaleSandboxes(): Promise<void> {
  try {
    const tmp = Deno.env.get("TMPDIR") || "/tmp";
    for await (const entry of Deno.readDir(tmp)) {
      const pid = entry.isDirectory ? entry.name.match(/^guide-sandbox-(\d+)-/)?.[1] : undefined;
      if (pid && Number(pid) !== Deno.pid && (await processGone(Number(pid)))) {
        await Deno.remove(join(tmp, entry.name), { recursive: true }).catch(() => {});
      }
    }
  } catch {
    // An unreadable temp folder: nothing to clean.
  }
}

/** A sandbox's time to start (Deno, the runner) before its first answer: part of the host's deadline, not an answer's. */
const STARTUP_MS = 3_000;

/** What one answer's Worker reported (see `sandbox_runner.ts`). */
type Outcome =
  | { timeout: true }
  | { crash: string }
  | { compileError: string }
  | { results: Record<number, { ok: true; value: unknown } | { ok: false; error: string }>; count: number };

/**
 * Characters that read as a slash (Unicode's confusables for `/`, such as U+2215 DIVISION SLASH): a path written with
 * them is still a path, so the scrubber sees them as slashes.
 */
const SLASH_LOOKALIKES =
  /[\u0337\u0338\u1735\u2041\u2044\u2215\u2571\u27cb\u29f8\u2cc6\u2f03\u3033\u30ce\u31d3\u4e3f\uff0f]/g;

/** A reason built from what the sandbox reported, with the machine's paths scrubbed however their slashes are written. */
function scrubReason(text: string): string {
  return scrubPaths(text.normalize("NFKC").replace(SLASH_LOOKALIKES, "/"));
}

/** The verdict on one answer's outcome, decided here by deep equality with the expected values. */
function verdictOf(outcome: Outcome, gold: CodeGold, timeoutMs: number): Verdict {
  if ("timeout" in outcome) return { correct: false, reason: `timeout after ${timeoutMs} ms` };
  if ("crash" in outcome) return { correct: false, reason: scrubReason(`crashed: ${outcome.crash}`) };
  if ("compileError" in outcome) {
    return { correct: false, reason: scrubReason(`does not load: ${outcome.compileError}`) };
  }
  if (outcome.count !== gold.tests.length) return { correct: false, reason: "the sandbox returned no results" };
  const budget = { left: MAX_DECODED_VALUES };
  for (const [i, test] of gold.tests.entries()) {
    const result = outcome.results?.[i];
    if (!result) return { correct: false, reason: `no result for test ${i}` };
    if (!result.ok) return { correct: false, reason: scrubReason(`test ${i} threw: ${result.error}`) };
    let value: unknown;
    try {
      value = decodeValue(result.value, budget);
    } catch (e) {
      if (!(e instanceof DecodeBudgetError)) throw e;
      return { correct: false, reason: `test ${i}: result too large to check (${e.message})` };
    }
    if (!deepEqual(value, test.expected)) return { correct: false, reason: `test ${i}: wrong answer` };
  }
  return { correct: true };
}

/** Errors of memory a neighbour can exhaust (shared buffers it left pinned in the process), not only the answer. */
const MEMORY_ERROR = /allocation failed|could not allocate|unable to grow|out of memory/i;

/** Whether an outcome failed for want of memory, which in a group may be a neighbour's doing. */
function memoryFailure(outcome: Outcome): boolean {
  if ("compileError" in outcome) return MEMORY_ERROR.test(String(outcome.compileError));
  if (!("results" in outcome)) return false;
  return Object.values(outcome.results ?? {}).some((r) => r && !r.ok && MEMORY_ERROR.test(String(r.error)));
}

/** Run `response` against the tests of `gold` in the sandbox and decide the verdict here. */
export async function verifyCode(response: string, gold: CodeGold, limits: SandboxLimits = {}): Promise<Verdict> {
  return (await verifyCodeGroup([response], gold, limits))[0];
}

/**
 * Judge a group of answers to one problem in one sandbox process (one process start instead of one per answer), each
 * answer in a Worker of its own, one after another, each with its own deadline (`timeoutMs`). One answer cannot change
 * another's verdict: it never shares a realm with it and has no channel out of its Worker (shared memory it makes stays
 * there and is freed with it); an answer that takes the whole process down (out of memory, a flood of output) only
 * leaves the answers after it without a result line; and every verdict a neighbour could have caused (no line, a torn
 * line, a timeout, a crash, an allocation that failed) is decided again with the answer alone in a process of its own,
 * where nothing but itself can fail it. Responses over {@link MAX_RESPONSE_CHARS} are false without running.
 */
export async function verifyCodeGroup(
  responses: string[],
  gold: CodeGold,
  limits: SandboxLimits = {},
): Promise<Verdict[]> {
  const problem = checkGold(gold);
  if (problem) return responses.map(() => ({ correct: false, reason: problem }));
  const verdicts: Verdict[] = responses.map((r) =>
    typeof r === "string" && r.length <= MAX_RESPONSE_CHARS
      ? { correct: false }
      : { correct: false, reason: `response over ${MAX_RESPONSE_CHARS} characters` }
  );
  const judged = [...responses.keys()].filter((i) => !verdicts[i].reason);
  if (judged.length === 0) return verdicts;
  const timeoutMs = limits.timeoutMs ?? 5_000;
  const run = await runSandbox(judged.map((i) => extractCode(responses[i])), gold, limits);
  for (const [k, i] of judged.entries()) {
    const outcome = run.outcomes.get(k);
    // In a group, a timeout, a crash or a failed allocation may be a neighbour's doing (work it left running after its
    // Worker ended, such as WebCrypto jobs on Deno's thread pool, slows the next answer; memory it left pinned starves
    // it): those answers are judged again alone, as are answers without a line. A wrong value or another error is the
    // answer's own.
    const lone = judged.length > 1 &&
      (!outcome || "timeout" in outcome || "crash" in outcome || memoryFailure(outcome));
    if (lone) verdicts[i] = await verifyCode(responses[i], gold, limits);
    else if (outcome) verdicts[i] = verdictOf(outcome, gold, timeoutMs);
    else verdicts[i] = run.failure;
  }
  return verdicts;
}

/**
 * One sandbox process over `codes`: the outcomes it reported, by answer index, and, for the answers it did not reach,
 * why the process ended.
 */
async function runSandbox(
  codes: string[],
  gold: CodeGold,
  limits: SandboxLimits,
): Promise<{ outcomes: Map<number, Outcome>; failure: Verdict }> {
  const entry = gold.entry ?? "f";
  const timeoutMs = limits.timeoutMs ?? 5_000;
  const deadlineMs = codes.length * timeoutMs + STARTUP_MS;
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const host = await sandboxHost();
  // The deadline is enforced three times: per answer inside (its Worker is terminated), here for the whole process,
  // and by coreutils' `timeout` around the sandbox, which kills it a second later whatever this process is doing,
  // even blocked or dead.
  const backstop = host.timeout
    ? [TIMEOUT_BINARY, "--signal=KILL", "--kill-after=1", `${Math.ceil(deadlineMs / 1000) + 1}`]
    : [];
  // A real memory limit on the whole process (util-linux's prlimit): what the V8 heap cap does not count —
  // ArrayBuffers, isolates — fails at it (measured: 100 ArrayBuffers of 64 MiB are refused part-way). And no file may
  // grow past 0 bytes: the kernel kills a sandbox that writes one (its stdout and stderr are pipes, which do not count).
  const limit = host.prlimit
    ? [PRLIMIT_BINARY, `--data=${(limits.processMb ?? 1536) * 2 ** 20}`, "--fsize=0", "--core=0", "--"]
    : [];
  // Through a wrapper, Deno is found on PATH by its bare name, so the sandbox's argv[0] (Node's `process.argv0`) names
  // no folder of this machine.
  const wrapped = backstop.length + limit.length > 0;
  const [program, ...wrapper] = [...backstop, ...limit, wrapped ? basename(Deno.execPath()) : Deno.execPath()];
  const child = new Deno.Command(program, {
    args: [
      ...wrapper,
      "run",
      "--no-prompt",
      "--deny-read",
      "--deny-write",
      "--deny-net",
      "--deny-env",
      "--deny-run",
      "--deny-ffi",
      "--deny-sys",
      "--no-remote",
      "--no-npm",
      "--no-config",
      "--no-lock",
      "--no-code-cache",
      "--quiet",
      `--v8-flags=--max-old-space-size=${limits.memoryMb ?? 128}`,
      RUNNER,
    ],
    // The root: `Deno.cwd()` inside names no folder of this host (a temp folder named the host's pid).
    cwd: "/",
    clearEnv: true,
    env: { NO_COLOR: "1", DENO_DIR: NO_DENO_DIR, ...(wrapped ? { PATH: dirname(Deno.execPath()) } : {}) },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const kill = () => {
    try {
      // Through `timeout`, SIGTERM reaches the sandbox and a SIGKILL follows a second later; without it, SIGKILL.
      child.kill(backstop.length > 0 ? "SIGTERM" : "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, deadlineMs);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(
      new TextEncoder().encode(JSON.stringify({ nonce, codes, entry, args: gold.tests.map((t) => t.args), timeoutMs })),
    );
    await writer.close().catch(() => {});
    const cap = limits.maxOutputBytes ?? 1 << 20;
    const [out, err] = await Promise.all([readCapped(child.stdout, cap, kill), readCapped(child.stderr, cap, kill)]);
    const status = await child.status;
    // Lines of answers judged before the process ended still count: each came from that answer's own Worker.
    // Only whole lines count (output cut at the cap can end inside one), and a line that does not parse is as good as
    // none: that answer is judged again alone.
    const outcomes = new Map<number, Outcome>();
    for (const line of out.text.slice(0, out.text.lastIndexOf("\n") + 1).split("\n")) {
      if (!line.startsWith(`${nonce} `)) continue;
      const rest = line.slice(nonce.length + 1);
      const space = rest.indexOf(" ");
      const index = Number(rest.slice(0, space));
      if (!Number.isInteger(index) || index < 0 || index >= codes.length) continue;
      try {
        outcomes.set(index, JSON.parse(rest.slice(space + 1)));
      } catch {
        // a torn line
      }
    }
    const failure: Verdict = out.over || err.over
      ? { correct: false, reason: `output over ${cap} bytes` }
      : timedOut
      ? { correct: false, reason: `timeout after ${timeoutMs} ms` }
      : /out of memory|heap limit/i.test(err.text)
      ? { correct: false, reason: "out of memory" }
      : {
        correct: false,
        reason: `sandbox exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""})`,
      };
    return { outcomes, failure };
  } finally {
    clearTimeout(timer);
  }
}
