/**
 * YAML configs checked against a schema: an unknown key is an error naming it and the closest valid key, a wrong
 * type names the key's path and the expected type, and every error carries `file:line`. Missing keys take the
 * schema's defaults, so the result is the fully resolved config that a run saves beside its results.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { field, parseConfig, section } from "./validate.ts";
 * const schema = section({ lr: field("number", 1e-4), steps: field("integer", 100, { min: 1 }) });
 * assert.deepEqual(parseConfig("steps: 20\n", schema, "run.yaml"), { lr: 0.0001, steps: 20 });
 * assert.throws(() => parseConfig("steps: 0\n", schema, "run.yaml"), /run.yaml:1: key "steps": expected an integer in \[1, ∞\]/);
 * ```
 *
 * @module
 */
import { isMap, isScalar, LineCounter, parseDocument, stringify } from "yaml";
import { closestKey } from "../nearest.ts";

export { closestKey, editDistance } from "../nearest.ts";

/** A leaf of the schema; `T` is the type of its resolved value. */
export interface FieldSpec<T = unknown> {
  kind: "field";
  type: "number" | "integer" | "string" | "boolean";
  default: T;
  /** Allowed values (strings). */
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** `null` is a valid value (meaning "unset"). */
  nullable?: boolean;
  /** `tiers`: a string of comma-separated whole numbers ≥ 1, like "1,2,3" (empty allowed: no tiers). */
  format?: "tiers";
  doc?: string;
  /**
   * When the knob was added (a date), for knobs added after run stores existed: at its default it is left out of a
   * config's identity (`identityOf`), so adding it changes no run id and no saved config.
   */
  since?: string;
}

/** A mapping of named specs. */
export interface SectionSpec<F extends Record<string, Spec> = Record<string, Spec>> {
  kind: "section";
  fields: F;
  /** What the section is for (the settings reference prints it). */
  doc?: string;
}

/** A schema node. */
export type Spec = FieldSpec | SectionSpec;

/** The type of the value a schema resolves to: a section's keys each with its field's type. */
export type Resolved<S> = S extends SectionSpec<infer F> ? { [K in keyof F]: Resolved<F[K]> }
  : S extends FieldSpec<infer T> ? T
  : never;

/** Options of a field besides its type and default. */
export type FieldOptions = Omit<FieldSpec, "kind" | "type" | "default" | "choices">;

/** A leaf with its default; its value's type follows from `type`, `choices` and `nullable`. */
export function field(type: "number" | "integer", defaultValue: number, options?: FieldOptions): FieldSpec<number>;
export function field(
  type: "number" | "integer",
  defaultValue: number | null,
  options: FieldOptions & { nullable: true },
): FieldSpec<number | null>;
export function field(type: "boolean", defaultValue: boolean, options?: FieldOptions): FieldSpec<boolean>;
export function field<const C extends string>(
  type: "string",
  defaultValue: NoInfer<C>,
  options: FieldOptions & { choices: readonly C[] },
): FieldSpec<C>;
export function field(
  type: "string",
  defaultValue: string | null,
  options: FieldOptions & { nullable: true },
): FieldSpec<string | null>;
export function field(type: "string", defaultValue: string, options?: FieldOptions): FieldSpec<string>;
export function field(
  type: FieldSpec["type"],
  defaultValue: unknown,
  options: Omit<FieldSpec, "kind" | "type" | "default"> = {},
): FieldSpec {
  return { kind: "field", type, default: defaultValue, ...options };
}

/** A mapping (`doc`: what it is for). */
export function section<const F extends Record<string, Spec>>(fields: F, doc?: string): SectionSpec<F> {
  return doc === undefined ? { kind: "section", fields } : { kind: "section", fields, doc };
}

/** The tiers of a `tiers` field's text ("1,2,3" → [1, 2, 3]; "" → []). */
export function parseTiers(text: string): number[] {
  return text.trim() === "" ? [] : text.split(",").map((t) => Number(t.trim()));
}

/** A config problem, as `file:line: message`. */
export class ConfigError extends Error {
  constructor(file: string, line: number | undefined, message: string) {
    super(`${file}${line ? `:${line}` : ""}: ${message}`);
    this.name = "ConfigError";
  }
}

/** The schema's defaults as a plain object. */
export function defaults(spec: Spec): unknown {
  if (spec.kind === "field") return spec.default;
  return Object.fromEntries(Object.entries(spec.fields).map(([k, s]) => [k, defaults(s)]));
}

function describe(spec: FieldSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(", ")}`;
  const bounds = spec.min !== undefined || spec.max !== undefined
    ? ` in [${spec.min ?? "-∞"}, ${spec.max ?? "∞"}]`
    : "";
  return `${spec.type === "integer" ? "an integer" : `a ${spec.type}`}${bounds}${spec.nullable ? " or null" : ""}`;
}

function checkField(spec: FieldSpec, value: unknown, path: string, fail: (message: string) => never): unknown {
  if (value === null && spec.nullable) return null;
  const got = JSON.stringify(value);
  const bad = () => fail(`key "${path}": expected ${describe(spec)}, got ${got}`);
  switch (spec.type) {
    case "boolean":
      if (typeof value !== "boolean") bad();
      return value;
    case "string":
      if (typeof value !== "string") bad();
      if (spec.choices && !spec.choices.includes(value as string)) bad();
      if (
        spec.format === "tiers" &&
        !parseTiers(value as string).every((t) => Number.isInteger(t) && t >= 1 && t <= (spec.max ?? Infinity))
      ) {
        // A tier the data does not have would train or evaluate on nothing for it, silently: refused here.
        const range = spec.max !== undefined ? `tiers 1 to ${spec.max}` : "whole numbers ≥ 1";
        fail(`key "${path}": expected comma-separated tiers (${range}, like "1,2,3"), got ${got}`);
      }
      return value;
    case "integer":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) bad();
      if (spec.type === "integer" && !Number.isInteger(value)) bad();
      if (
        (spec.min !== undefined && (value as number) < spec.min) ||
        (spec.max !== undefined && (value as number) > spec.max)
      ) {
        bad();
      }
      return value;
    }
  }
}

/**
 * Validate `overrides` (a plain object, e.g. from code or a grid axis) against `spec` and merge it over the
 * defaults. `where` gives errors their file and, per path, line.
 */
export function resolve(
  spec: SectionSpec,
  overrides: unknown,
  where: { file: string; lineOf?: (path: string[]) => number | undefined } = { file: "config" },
  path: string[] = [],
): Record<string, unknown> {
  const fail = (message: string, at: string[] = path): never => {
    throw new ConfigError(where.file, where.lineOf?.(at), message);
  };
  if (overrides === undefined || overrides === null) overrides = {};
  if (typeof overrides !== "object" || Array.isArray(overrides)) {
    fail(`key "${path.join(".") || "(top level)"}": expected a mapping, got ${JSON.stringify(overrides)}`);
  }
  const given = overrides as Record<string, unknown>;
  const valid = Object.keys(spec.fields);
  for (const key of Object.keys(given)) {
    if (!(key in spec.fields)) {
      const near = closestKey(key, valid);
      const scope = path.length ? ` in "${path.join(".")}"` : "";
      fail(`unknown key "${key}"${scope}${near ? ` (did you mean "${near}"?)` : ` (valid: ${valid.join(", ")})`}`, [
        ...path,
        key,
      ]);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(spec.fields)) {
    const at = [...path, key];
    if (sub.kind === "section") out[key] = resolve(sub, given[key], where, at);
    else {
      out[key] = key in given
        ? checkField(sub, given[key], at.join("."), (m) => fail(m, at))
        : structuredClone(sub.default);
    }
  }
  return out;
}

/**
 * Check a value that is already resolved (a config section that crossed to a worker, say): every key of `spec`
 * present, none unknown, each of its field's type — where {@link resolve} would fill a missing key with its default,
 * this fails naming it. `what` names the value in the error.
 */
export function checkResolved<S extends SectionSpec>(
  spec: S,
  value: unknown,
  what: string,
  path: string[] = [],
): Resolved<S> {
  const missing = firstMissing(spec, value, path);
  if (missing) throw new ConfigError(what, undefined, `missing key "${missing}"`);
  return resolve(spec, value, { file: what }, path) as Resolved<S>;
}

/** The path of the first key of `spec` that `value` lacks, at any depth. */
function firstMissing(spec: SectionSpec, value: unknown, path: string[]): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined; // resolve names it
  const given = value as Record<string, unknown>;
  for (const [key, sub] of Object.entries(spec.fields)) {
    if (!(key in given)) return [...path, key].join(".");
    const deeper = sub.kind === "section" ? firstMissing(sub, given[key], [...path, key]) : undefined;
    if (deeper) return deeper;
  }
  return undefined;
}

/** Parse YAML text and resolve it against `spec`; errors name `file`, the line and the key. */
export function parseConfig(text: string, spec: SectionSpec, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = error.linePos?.[0]?.line;
    throw new ConfigError(file, line, `invalid YAML: ${error.message.split("\n")[0]}`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new ConfigError(file, 1, "the config must be a mapping");
  const lineOf = (path: string[]): number | undefined => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      const key = findKey(doc.contents, path.slice(0, n));
      const nodeRange = node && typeof node === "object" && "range" in node
        ? (node as { range?: [number, number, number] }).range
        : undefined;
      const range = key?.range ?? nodeRange;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
  return resolve(spec, doc.toJS() ?? {}, { file, lineOf });
}

/** The key node of `path` inside a YAML map (so an unknown key's own line is found). */
function findKey(root: unknown, path: string[]): { range?: [number, number, number] } | undefined {
  let node = root;
  let key: { range?: [number, number, number] } | undefined;
  for (const part of path) {
    if (!isMap(node)) return undefined;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === part);
    if (!pair) return undefined;
    key = pair.key as { range?: [number, number, number] };
    node = pair.value;
  }
  return key;
}

/** Read and resolve a config file. */
export async function loadConfig(file: string, spec: SectionSpec): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new ConfigError(file, undefined, `cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  return parseConfig(text, spec, file);
}

/**
 * A resolved config's identity under `spec`: every value, except those of knobs with `since` that sit at their
 * default (a run from before the knob existed ran exactly as the default does).
 */
export function identityOf(config: Record<string, unknown>, spec: SectionSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const node = spec.fields[key];
    if (node?.kind === "section") out[key] = identityOf(value as Record<string, unknown>, node);
    else if (!(node?.kind === "field" && node.since !== undefined && value === node.default)) out[key] = value;
  }
  return out;
}

/** A resolved config as YAML, for the run folder. */
export function toYaml(config: Record<string, unknown>): string {
  return stringify(config);
}
