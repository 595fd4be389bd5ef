/**
 * The library's layers: which room (a folder of `lib/`, or a file at its top) may import which, no import cycles
 * between files, and nothing in `lib/` importing from outside it (`cli/`, `kernel/`, `tests/`, `notebooks/`). The
 * entry points in `cli/` import the library (and the set-up task's installer, `kernel/setup.ts`), never each other,
 * and nothing in `lib/` imports them. The import graph is Deno's own (`deno info --json`, static and type imports).
 * Modules that code starts by URL (workers, subprocesses: `new URL("./x.ts", import.meta.url)`) obey the rooms' rules
 * too, but are not imports, so they close no cycle (the ablation runner starts its worker, `worker.ts`, for each run).
 */
import { assertEquals } from "./assert.ts";
import { dirname, join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL("..", import.meta.url));

/**
 * What each room may import besides itself, from the bottom up. A room imports only rooms listed before it: the
 * policy knows nothing of RL, verifiers nothing of datasets (a dataset names its verifier in the domain registry,
 * `lib/data/domains.ts`, and callers pass that table in), configs nothing of trainers, plots nothing of ablations, and
 * only `mod.ts` sees all.
 */
const MAY_IMPORT: Record<string, string[]> = {
  "nearest.ts": [],
  "io.ts": [],
  "random.ts": [],
  "flags.ts": ["nearest.ts"],
  policy: ["io.ts", "random.ts"],
  verifiers: ["nearest.ts", "io.ts", "random.ts"],
  plot: ["io.ts"],
  "display.ts": ["plot"],
  data: ["nearest.ts", "io.ts", "random.ts", "verifiers"],
  metrics: ["io.ts", "verifiers", "data"],
  config: ["nearest.ts", "io.ts", "policy", "data"],
  rl: ["io.ts", "random.ts", "policy", "verifiers", "data", "metrics", "config"],
  bench: ["io.ts", "random.ts", "policy", "verifiers", "rl"],
  ablation: [
    "io.ts",
    "random.ts",
    "flags.ts",
    "display.ts",
    "plot",
    "policy",
    "verifiers",
    "data",
    "metrics",
    "config",
    "rl",
  ],
};

/** What an entry point in `cli/` may import outside `lib/`: the installer (long jobs install OpenBLAS first). */
const CLI_MAY_IMPORT = ["kernel/setup.ts"];

/** Files of `lib/` and `cli/` (paths relative to the repository) and the repository files each imports. */
type ImportGraph = Map<string, Set<string>>;

/** The import graph, and the modules each file starts by URL. */
interface LibGraph {
  imports: ImportGraph;
  started: ImportGraph;
}

/** The room of a path under `lib/`: its folder, or the file itself at the top. */
function roomOf(path: string): string {
  return path.split("/")[1];
}

/**
 * Every broken rule of `graph`: an import from outside `lib/`, an import a room may not make, an entry point of
 * `cli/` importing anything but the library (and {@link CLI_MAY_IMPORT}), and each cycle of files (as `a → b → a`).
 * Sorted, so a failure reads the same every time.
 */
function layerViolations({ imports: graph, started }: LibGraph, rules: Record<string, string[]>): string[] {
  const found: string[] = [];
  const edges = [...graph, ...started].map(([from, targets]) => [from, targets] as const);
  for (const [from, targets] of edges) {
    if (from.startsWith("cli/")) {
      for (const to of targets) {
        if (!to.startsWith("lib/") && !CLI_MAY_IMPORT.includes(to)) {
          found.push(`${from} imports ${to}: cli/ imports only lib/ and ${CLI_MAY_IMPORT.join(", ")}`);
        }
      }
      continue;
    }
    const room = roomOf(from);
    for (const to of targets) {
      if (!to.startsWith("lib/")) {
        found.push(`${from} imports ${to}, outside lib/`);
        continue;
      }
      const target = roomOf(to);
      if (target === room || room === "mod.ts") continue;
      if (!(rules[room] ?? []).includes(target)) found.push(`${from} imports ${to}: ${room} may not import ${target}`);
    }
  }
  // Cycles: a depth-first search that meets a file still on its path has closed a loop.
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    path.push(file);
    for (const next of [...(graph.get(file) ?? [])].sort()) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") found.push(`cycle: ${[...path.slice(path.indexOf(next)), next].join(" → ")}`);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found.sort();
}

/** The TypeScript files under `dir` (default: `lib/` and `cli/`), absolute. */
async function libFiles(dir?: string): Promise<string[]> {
  if (dir === undefined) return [...await libFiles(join(ROOT, "lib")), ...await libFiles(join(ROOT, "cli"))];
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await libFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The import graph of `lib/` and `cli/`, from `deno info --json` over a module that imports every file of them. */
async function libGraph(): Promise<LibGraph> {
  const files = await libFiles();
  const dir = await Deno.makeTempDir();
  try {
    const root = join(dir, "all.ts");
    await Deno.writeTextFile(root, files.map((f) => `import ${JSON.stringify(`file://${f}`)};\n`).join(""));
    const info = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(ROOT, "deno.json"), root],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!info.success) throw new Error(`deno info failed: ${new TextDecoder().decode(info.stderr)}`);
    const { modules } = JSON.parse(new TextDecoder().decode(info.stdout)) as {
      modules: { specifier: string; dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[] }[];
    };
    const graph: LibGraph = { imports: new Map(), started: new Map() };
    const repoPath = (url: string) => relative(ROOT, fromFileUrl(url));
    for (const module of modules) {
      if (!module.specifier.startsWith("file://") || !/^(lib|cli)\//.test(repoPath(module.specifier))) continue;
      const from = repoPath(module.specifier);
      const targets = new Set<string>();
      const started = new Set<string>();
      for (const dep of module.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          // npm packages resolve to files under node_modules/ (nodeModulesDir "manual"): libraries, not rooms.
          if (target?.startsWith("file://") && !repoPath(target).startsWith("node_modules/")) {
            targets.add(repoPath(target));
          }
        }
      }
      const source = await Deno.readTextFile(fromFileUrl(module.specifier));
      for (const [, url] of source.matchAll(/new URL\(\s*"(\.{1,2}\/[^"]+\.ts)"\s*,\s*import\.meta\.url\s*\)/g)) {
        started.add(relative(ROOT, join(dirname(fromFileUrl(module.specifier)), url)));
      }
      graph.imports.set(from, targets);
      graph.started.set(from, started);
    }
    return graph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the layer check finds an upward import, an import from outside lib/, a CLI's import and a cycle", () => {
  const imports: ImportGraph = new Map([
    ["lib/policy/policy.ts", new Set(["lib/policy/losses.ts", "lib/random.ts"])],
    ["lib/policy/losses.ts", new Set(["lib/rl/loss.ts"])],
    ["lib/rl/loss.ts", new Set(["lib/policy/policy.ts"])],
    ["lib/ablation/runner.ts", new Set(["kernel/display.ts", "lib/rl/loss.ts"])],
    ["lib/ablation/jobs.ts", new Set(["cli/ablation.ts"])],
    ["cli/ablation.ts", new Set(["lib/ablation/runner.ts", "kernel/setup.ts", "cli/figures.ts", "tests/assert.ts"])],
  ]);
  // A worker started by URL obeys the rooms (the policy may not start an RL module, the library no CLI) but closes no
  // cycle.
  const started: ImportGraph = new Map([
    ["lib/policy/pool.ts", new Set(["lib/rl/worker.ts"])],
    ["lib/ablation/processes.ts", new Set(["cli/ablation.ts"])],
  ]);
  assertEquals(layerViolations({ imports, started }, MAY_IMPORT), [
    "cli/ablation.ts imports cli/figures.ts: cli/ imports only lib/ and kernel/setup.ts",
    "cli/ablation.ts imports tests/assert.ts: cli/ imports only lib/ and kernel/setup.ts",
    "cycle: lib/rl/loss.ts → lib/policy/policy.ts → lib/policy/losses.ts → lib/rl/loss.ts",
    "lib/ablation/jobs.ts imports cli/ablation.ts, outside lib/",
    "lib/ablation/processes.ts imports cli/ablation.ts, outside lib/",
    "lib/ablation/runner.ts imports kernel/display.ts, outside lib/",
    "lib/policy/losses.ts imports lib/rl/loss.ts: policy may not import rl",
    "lib/policy/pool.ts imports lib/rl/worker.ts: policy may not import rl",
  ]);
});

Deno.test("lib/ keeps its layers: no upward imports, no cycles, nothing from outside lib/; cli/ imports lib/", async () => {
  const graph = await libGraph();
  assertEquals(layerViolations(graph, MAY_IMPORT), []);
  // The graph is the real one: the policy reaches its worker, the runner its run processes, the whole library hangs
  // off mod.ts, and the entry points are in it.
  assertEquals(graph.started.get("lib/policy/pool.ts")?.has("lib/policy/worker.ts"), true);
  assertEquals(graph.started.get("lib/ablation/processes.ts")?.has("lib/ablation/worker.ts"), true);
  assertEquals(graph.imports.get("lib/mod.ts")?.has("lib/rl/loss.ts"), true);
  assertEquals(graph.imports.get("cli/ablation.ts")?.has("lib/ablation/runner.ts"), true);
  assertEquals(graph.imports.size, (await libFiles()).length);
});
