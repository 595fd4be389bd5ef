/**
 * `deno task test`: the one command that checks everything, in order: system packages (installed when missing),
 * `deno fmt --check`, `deno lint`, `deno check` (code and JSDoc examples), the unit tests under `tests/`, the JSDoc
 * examples that assert (run as tests), and the headless execution of every notebook under `notebooks/`. Nothing is
 * skipped: a suite that cannot run counts as failed. The last line is the total, `N passed, N failed`, for CI.
 *
 * @module
 */
import { ensureSystemDeps } from "../kernel/setup.ts";
import { listNotebooks, reportNotebook, runNotebooks } from "../kernel/notebooks.ts";

let passed = 0;
let failed = 0;
const failures: string[] = [];

function record(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else {
    failed++;
    failures.push(detail ? `${name}: ${detail}` : name);
  }
}

/** Run a command with inherited output; true when it exits 0. */
async function run(args: string[], env: Record<string, string> = {}): Promise<boolean> {
  const status = await new Deno.Command(Deno.execPath(), { args, env, stdout: "inherit", stderr: "inherit" })
    .spawn().status;
  return status.success;
}

/** Run `deno test`, streaming its output, and return its pass/fail counts from its summary line. */
async function denoTest(args: string[]): Promise<{ passed: number; failed: number } | null> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    text += decoder.decode(chunk, { stream: true });
  }
  const status = await child.status;
  // Deno's summary: "ok | 12 passed (3 steps) | 0 failed (1s)" or "FAILED | 11 passed | 1 failed (1s)".
  const summary = text.match(/^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/m);
  if (!summary) return status.success ? null : { passed: 0, failed: 1 };
  return { passed: Number(summary[1]), failed: Number(summary[2]) || (status.success ? 0 : 1) };
}

const section = (title: string) => console.log(`\n== ${title}`);

/** The TypeScript files under `dir`. */
async function* libFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* libFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

section("system packages (OpenBLAS, Jupyter, Chromium)");
let systemReady = true;
try {
  await ensureSystemDeps();
  console.log("ready");
} catch (e) {
  systemReady = false;
  console.error(`setup: ${(e as Error).message}`);
}
record(
  "system packages",
  systemReady,
  "OpenBLAS, Jupyter or Chromium missing; native, notebook and figure tests will fail",
);

section("deno fmt --check (code, then notebooks)");
record("deno fmt --check", await run(["fmt", "--check"]));
record("notebook formatting", await run(["run", "-A", "kernel/fmt.ts", "--check"]));
section("deno lint");
record("deno lint", await run(["lint"]));
section("deno check (code and JSDoc examples)");
record("deno check", await run(["check", "--doc", "."]));

section("unit tests");
const unit = await denoTest(["-A", "tests/"]);
if (unit === null) record("deno test", false, "no test summary printed");
else {
  passed += unit.passed;
  failed += unit.failed;
  if (unit.failed > 0) failures.push(`deno test: ${unit.failed} failed`);
}

section("JSDoc examples that assert (deno test --doc)");
// An example that asserts is a test: it runs. Examples that only show a call (they start processes, train or write
// under results/) are type-checked above.
const asserting: string[] = [];
for await (const file of libFiles("lib")) {
  const text = await Deno.readTextFile(file);
  const examples = text.match(/@example\s+\*\s+```ts[\s\S]*?\*\s+```/g) ?? [];
  if (examples.some((e) => e.includes("node:assert"))) asserting.push(file);
}
const docs = await denoTest(["-A", "--doc", ...asserting.sort()]);
if (docs === null) record("JSDoc examples", false, "no test summary printed");
else {
  passed += docs.passed;
  failed += docs.failed;
  if (docs.failed > 0) failures.push(`JSDoc examples: ${docs.failed} failed`);
}

section("notebooks");
const notebooks = listNotebooks("notebooks");
if (notebooks.length === 0) record("notebooks", false, "no notebooks found under notebooks/");
const results = await runNotebooks(notebooks, { onResult: reportNotebook });
for (const r of results) record(`notebook ${r.notebook}`, r.ok, r.error);

console.log("");
for (const f of failures) console.log(`failed: ${f}`);
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);
