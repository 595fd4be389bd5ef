/**
 * Checkpoints: a folder with `checkpoint.json` (format, model config, tokenizer vocabulary, optimizer settings and
 * step, and for each binary file its tensors, byte offsets and SHA-256), `weights.bin` (float32, little-endian, in
 * the model's parameter order) and `optimizer.bin` (AdamW's first then second moments, same order; absent from a
 * weights-only checkpoint, whose `moments` is `null`).
 *
 * Saving writes a temporary folder beside the target and renames it into place, so a crash leaves the old
 * checkpoint or the new one, never a mix. Loading checks everything and fails with one line naming the file and
 * what does not match.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { currentBackend, tf } from "./backend.ts";
import { sha256Hex } from "../io.ts";
import { type ModelConfig, parameterShapes, validateModelConfig } from "./model.ts";
import { type AdamWConfig, DEFAULT_ADAMW } from "./optimizer.ts";
import { Policy } from "./policy.ts";
import { Tokenizer } from "./tokenizer.ts";

/** Format tag of `checkpoint.json`. */
export const CHECKPOINT_FORMAT = "guide-policy/1";

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  bytes: number;
}

interface BinaryEntry {
  file: string;
  sha256: string;
  bytes: number;
  tensors: TensorEntry[];
}

/** Contents of `checkpoint.json`. */
export interface CheckpointMeta {
  format: string;
  model: ModelConfig;
  vocabulary: string;
  optimizer: AdamWConfig & { step: number };
  weights: BinaryEntry;
  /** AdamW's moments; `null` in a weights-only checkpoint (a shipped base: whoever loads it starts a fresh optimizer). */
  moments: BinaryEntry | null;
  /** The backend that produced the weights (results on other backends agree to float precision only). */
  backend?: string;
  /** Free-form data the caller stores with the checkpoint (e.g. the trainer's step and config). */
  extra?: Record<string, unknown>;
}

async function pack(file: string, tensors: [string, tf.Tensor][]): Promise<{ entry: BinaryEntry; data: Uint8Array }> {
  const total = tensors.reduce((n, [, t]) => n + t.size * 4, 0);
  const data = new Uint8Array(total);
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const values = (await t.data()) as Float32Array;
    data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    entries.push({ name, shape: t.shape, offset, bytes: values.byteLength });
    offset += values.byteLength;
  }
  return { entry: { file, sha256: await sha256Hex(data), bytes: total, tensors: entries }, data };
}

/**
 * Save the policy (weights, config, tokenizer, optimizer state) to folder `dir`, atomically. `weightsOnly` leaves the
 * optimizer's moments out (a third of the size; loading it starts AdamW afresh, at step 0).
 */
export async function saveCheckpoint(
  policy: Policy,
  dir: string,
  extra?: Record<string, unknown>,
  options: { weightsOnly?: boolean } = {},
): Promise<void> {
  const order = parameterShapes(policy.config).map(([name]) => name);
  const weights = await pack("weights.bin", order.map((n) => [n, policy.params.get(n)!]));
  const moments = options.weightsOnly ? null : await pack("optimizer.bin", [
    ...order.map((n): [string, tf.Tensor] => [`m.${n}`, policy.optimizer.m.get(n)!]),
    ...order.map((n): [string, tf.Tensor] => [`v.${n}`, policy.optimizer.v.get(n)!]),
  ]);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    model: policy.config,
    vocabulary: policy.tokenizer.chars,
    optimizer: { ...policy.optimizer.config, step: moments ? policy.optimizer.step : 0 },
    weights: weights.entry,
    moments: moments?.entry ?? null,
    backend: currentBackend()?.name,
    ...(extra ? { extra } : {}),
  };
  const parent = dirname(dir);
  await Deno.mkdir(parent, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: parent, prefix: `.${basename(dir)}.tmp-` });
  try {
    await Deno.writeFile(join(tmp, "weights.bin"), weights.data);
    if (moments) await Deno.writeFile(join(tmp, "optimizer.bin"), moments.data);
    // checkpoint.json last: a folder with it is complete.
    await Deno.writeTextFile(join(tmp, "checkpoint.json"), JSON.stringify(meta, null, 2) + "\n");
    await Deno.chmod(tmp, 0o755);
    let old: string | undefined;
    try {
      await Deno.stat(dir);
      old = `${tmp}.old`;
      await Deno.rename(dir, old);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.rename(tmp, dir);
    if (old) await Deno.remove(old, { recursive: true });
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

/** A checkpoint problem: the message names the file and what is wrong. */
export class CheckpointError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "CheckpointError";
  }
}

function expect(condition: unknown, file: string, problem: string): asserts condition {
  if (!condition) throw new CheckpointError(file, problem);
}

async function readBinary(
  dir: string,
  entry: BinaryEntry,
  expected: [string, number[]][],
): Promise<Map<string, Float32Array>> {
  const file = join(dir, entry.file);
  let data: Uint8Array;
  try {
    data = await Deno.readFile(file);
  } catch (e) {
    throw new CheckpointError(file, `cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  expect(
    data.byteLength === entry.bytes,
    file,
    `is ${data.byteLength} bytes, checkpoint.json says ${entry.bytes} (truncated or replaced)`,
  );
  expect(
    (await sha256Hex(data)) === entry.sha256,
    file,
    "SHA-256 does not match checkpoint.json (the file is corrupt)",
  );
  expect(
    entry.tensors.length === expected.length,
    file,
    `holds ${entry.tensors.length} tensors, the model needs ${expected.length}`,
  );
  const out = new Map<string, Float32Array>();
  entry.tensors.forEach((t, i) => {
    const [name, shape] = expected[i];
    expect(t.name === name, file, `tensor ${i} is "${t.name}", expected "${name}"`);
    expect(
      JSON.stringify(t.shape) === JSON.stringify(shape),
      file,
      `tensor "${name}" has shape [${t.shape}], the model needs [${shape}]`,
    );
    const size = shape.reduce((a, b) => a * b, 1);
    expect(
      t.bytes === size * 4 && t.offset + t.bytes <= data.byteLength,
      file,
      `tensor "${name}" lies outside the file`,
    );
    out.set(name, new Float32Array(data.slice(t.offset, t.offset + t.bytes).buffer));
  });
  return out;
}

/**
 * Load a policy saved by {@link saveCheckpoint}. With `expect`, the checkpoint's model must have that shape
 * (e.g. the one a config asks for): a mismatch names the key.
 */
export async function loadCheckpoint(dir: string, options: { expect?: Partial<ModelConfig> } = {}): Promise<Policy> {
  const metaFile = join(dir, "checkpoint.json");
  let text: string;
  try {
    text = await Deno.readTextFile(metaFile);
  } catch (e) {
    throw new CheckpointError(metaFile, `cannot be read (${(e as Error).message.split("\n")[0]})`);
  }
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(metaFile, `is not valid JSON (${(e as Error).message})`);
  }
  expect(meta && typeof meta === "object", metaFile, "is not a JSON object");
  expect(
    meta.format === CHECKPOINT_FORMAT,
    metaFile,
    `format is ${JSON.stringify(meta.format)}, expected "${CHECKPOINT_FORMAT}"`,
  );
  for (const key of ["model", "optimizer", "weights"] as const) {
    expect(meta[key] && typeof meta[key] === "object", metaFile, `key "${key}" is missing or not an object`);
  }
  expect(
    meta.moments === null || (meta.moments && typeof meta.moments === "object"),
    metaFile,
    `key "moments" is missing (null for a weights-only checkpoint) or not an object`,
  );
  expect(typeof meta.vocabulary === "string", metaFile, `key "vocabulary" is missing or not a string`);
  try {
    validateModelConfig(meta.model);
  } catch (e) {
    throw new CheckpointError(metaFile, (e as Error).message);
  }
  for (const [key, value] of Object.entries(options.expect ?? {})) {
    const saved = meta.model[key as keyof ModelConfig];
    expect(saved === value, metaFile, `model.${key} is ${saved}, expected ${value}`);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(meta.vocabulary);
  } catch (e) {
    throw new CheckpointError(metaFile, `vocabulary: ${(e as Error).message}`);
  }
  expect(
    tokenizer.size === meta.model.vocab,
    metaFile,
    `vocabulary has ${tokenizer.size} tokens, model.vocab is ${meta.model.vocab}`,
  );
  const shapes = parameterShapes(meta.model);
  const weights = await readBinary(dir, meta.weights, shapes);
  const moments = meta.moments && await readBinary(dir, meta.moments, [
    ...shapes.map(([n, s]): [string, number[]] => [`m.${n}`, s]),
    ...shapes.map(([n, s]): [string, number[]] => [`v.${n}`, s]),
  ]);
  const { step = 0, ...optimizer } = { ...DEFAULT_ADAMW, ...meta.optimizer };
  const policy = Policy.fromValues(meta.model, tokenizer, weights, optimizer);
  if (!moments) return policy; // weights only: a fresh optimizer
  policy.optimizer.step = step;
  tf.tidy(() => {
    for (const [name, shape] of shapes) {
      policy.optimizer.m.get(name)!.assign(tf.tensor(moments.get(`m.${name}`)!, shape));
      policy.optimizer.v.get(name)!.assign(tf.tensor(moments.get(`v.${name}`)!, shape));
    }
  });
  return policy;
}

/** The `extra` data stored with a checkpoint, without loading its tensors. */
export async function checkpointExtra(dir: string): Promise<Record<string, unknown> | undefined> {
  const meta = JSON.parse(await Deno.readTextFile(join(dir, "checkpoint.json"))) as CheckpointMeta;
  return meta.extra;
}
