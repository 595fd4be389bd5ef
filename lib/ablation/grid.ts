/**
 * Ablation grids: a YAML file with a `base` run config and `axes` (any config key by dotted path, each with a list of
 * values); the runs are the cartesian product, each resolved against the run schema and named by a stable id from
 * its resolved config, so the same run always lands in the same folder. A malformed grid names the file, the line
 * and the key; an unknown algorithm lists the valid ones.
 *
 * ```yaml
 * base:
 *   steps: 100
 *   rollout: { groupSize: 8, promptsPerStep: 16 }
 * axes:
 *   algorithm: [grpo, filter-grpo, guide-grpo]
 *   seed: [0, 1, 2]
 *   guide.baseline: [group, plain]
 * ```
 *
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { RUN_SCHEMA, type RunConfig } from "../config/schema.ts";
import { closestKey, ConfigError, resolve, type SectionSpec, type Spec } from "../config/validate.ts";
import { sha256Hex } from "../io.ts";

/** One run of a grid. */
export interface GridRun {
  /** Stable name: algorithm, seed and a hash of the resolved config. */
  id: string;
  config: RunConfig;
  /** The axis values that made this run, by dotted path. */
  axes: Record<string, unknown>;
}

/** A parsed grid. */
export interface Grid {
  base: Record<string, unknown>;
  axes: [string, unknown[]][];
}

/** Canonical JSON: keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The stable id of a resolved config. */
export async function runId(config: RunConfig): Promise<string> {
  const hash = (await sha256Hex(canonicalJson(config))).slice(0, 10);
  return `${config.algorithm}-s${config.seed}-${hash}`;
}

/** The schema node at a dotted path, or an error message naming the closest valid key. */
function specAt(path: string): { spec?: Spec; problem?: string } {
  let node: Spec = RUN_SCHEMA;
  const parts = path.split(".");
  for (const [i, part] of parts.entries()) {
    if (node.kind !== "section") return { problem: `"${parts.slice(0, i).join(".")}" has no keys below it` };
    const section: SectionSpec = node;
    if (!(part in section.fields)) {
      const near = closestKey(part, Object.keys(section.fields));
      const where = i > 0 ? ` in "${parts.slice(0, i).join(".")}"` : "";
      return { problem: `unknown key "${part}"${where}${near ? ` (did you mean "${near}"?)` : ""}` };
    }
    node = section.fields[part];
  }
  return { spec: node };
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!node[part] || typeof node[part] !== "object") node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** Parse and check a grid file's text; every run is resolved, so a bad value fails here with its line. */
export async function parseGrid(text: string, file: string): Promise<GridRun[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    throw new ConfigError(file, error.linePos?.[0]?.line, `invalid YAML: ${error.message.split("\n")[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root)) throw new ConfigError(file, 1, "a grid is a mapping with `base` and `axes`");
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (key !== "base" && key !== "axes") {
      const near = closestKey(key, ["base", "axes"]);
      throw new ConfigError(file, lineOf(pair.key), `unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ""}`);
    }
  }
  const baseNode = root.get("base", true);
  const base = (baseNode ? doc.toJS().base : {}) ?? {};
  // The base alone must be a valid config (errors carry their lines).
  const baseLine = (path: string[]) => {
    let node: unknown = baseNode;
    let line = lineOf(baseNode);
    for (const part of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
      if (!pair) break;
      line = lineOf(pair.key) ?? line;
      node = pair.value;
    }
    return line;
  };
  resolve(RUN_SCHEMA, base, { file, lineOf: baseLine });

  const axesNode = root.get("axes", true);
  const axes: [string, unknown[], number | undefined][] = [];
  if (axesNode !== undefined && axesNode !== null) {
    if (!isMap(axesNode)) throw new ConfigError(file, lineOf(axesNode), "`axes` maps config keys to lists of values");
    for (const pair of axesNode.items) {
      const path = isScalar(pair.key) ? String(pair.key.value) : "";
      const line = lineOf(pair.key);
      const { spec, problem } = specAt(path);
      if (problem) throw new ConfigError(file, line, `axes: ${problem}`);
      if (spec!.kind !== "field") throw new ConfigError(file, line, `axes: "${path}" is a section, not a value`);
      if (!isSeq(pair.value) || pair.value.items.length === 0) {
        throw new ConfigError(file, line, `axes: key "${path}": expected a non-empty list of values`);
      }
      axes.push([path, pair.value.toJSON() as unknown[], line]);
    }
  }

  // The cartesian product, first axis slowest.
  let combos: Record<string, unknown>[] = [{}];
  for (const [path, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [path]: v })));
  const runs: GridRun[] = [];
  const seen = new Map<string, number>();
  for (const combo of combos) {
    const merged = structuredClone(base) as Record<string, unknown>;
    for (const [path, value] of Object.entries(combo)) setPath(merged, path, value);
    const config = resolve(RUN_SCHEMA, merged, {
      file,
      lineOf: (path) => axes.find(([p]) => p === path.join("."))?.[2] ?? baseLine(path),
    }) as RunConfig;
    const id = await runId(config);
    if (seen.has(id)) continue; // two axis values that resolve to the same config are one run
    seen.set(id, runs.length);
    runs.push({ id, config, axes: combo });
  }
  return runs;
}

/** Read and parse a grid file. */
export async function loadGrid(file: string): Promise<GridRun[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new ConfigError(file, undefined, `cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  return await parseGrid(text, file);
}
