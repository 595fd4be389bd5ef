/**
 * A KV cache for sampling that grows in place, for the WASM backend with native products. The plain cache of
 * `model.ts` is a pair of tensors per layer, and tensors are immutable: every new token concatenates the whole cache
 * into a new one (a third of a sampling call's kernel time at batch 256). Here each layer's keys and values live in
 * one buffer on the WASM heap, [rows, capacity, dModel], written in place, and one kernel per layer attends a new
 * token over them with two OpenBLAS products per row. Rows that finish are dropped by moving the live rows down.
 *
 * Why two products per row and not one per head: for row b, the scores of every head are the diagonal blocks of
 * Q_b [heads × headDim] · K_bᵀ, with K_b read as [(seen · heads) × headDim] (the buffer's rows, unchanged); one
 * product computes heads× more than needed, and at 4 heads that is cheaper than 4 calls. The weights are then laid
 * out block-diagonally so that one more product gives every head's attended values.
 *
 * Used by `sample.ts` when {@link heapCacheAvailable}; it attends exactly as `model.ts`'s `attention` (tested
 * against it: same greedy tokens, logits within float rounding).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapView, nativeBlas, nativeKernelsActive } from "./native.ts";
import type { Blas } from "./blas.ts";
import type { ModelConfig } from "./model.ts";

/** The parts of tfjs-backend-wasm's `BackendWasm` the cache uses. */
interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(at: number): void };
}

const KERNEL = "GuideCachedAttention";

/** Can sampling use a {@link HeapKvCache} (the WASM backend with the kit's native kernels)? */
export function heapCacheAvailable(): boolean {
  return nativeKernelsActive() && tf.getBackend() === "wasm" && nativeBlas() !== null;
}

function wasmBackend(): WasmBackend {
  return tf.backend() as unknown as WasmBackend;
}

/** Scratch in JavaScript memory (OpenBLAS reads any buffer), grown on demand. */
class Scratch {
  bytes = new Uint8Array(0);
  floats = new Float32Array(0);
  get(count: number): Float32Array {
    if (this.floats.length < count) {
      this.bytes = new Uint8Array(4 * Math.max(count, 2 * this.floats.length));
      this.floats = new Float32Array(this.bytes.buffer);
    }
    return this.floats;
  }
  view(count: number): Uint8Array {
    this.get(count);
    return this.bytes.subarray(0, 4 * count);
  }
}

/** Keys and values of every layer on the WASM heap, [rows, capacity, dModel] each, filled from position 0. */
export class HeapKvCache {
  /** Positions stored so far (the same for every row: rows are left-padded). */
  length = 0;
  /** Rows in the batch (shrinks as finished rows are dropped). */
  rows: number;
  private readonly keyAt: number[] = [];
  private readonly valueAt: number[] = [];
  /** Per row, the first position that is not padding. */
  private firstReal: Int32Array;
  private freed = false;

  /**
   * A cache for `rows` rows of at most `capacity` positions; `firstReal[r]` is the number of padding positions on
   * the left of row r.
   */
  constructor(readonly config: ModelConfig, rows: number, readonly capacity: number, firstReal: ArrayLike<number>) {
    if (!heapCacheAvailable()) throw new Error("HeapKvCache needs the wasm backend with native kernels");
    if (capacity > config.ctx) throw new Error(`cache capacity ${capacity} exceeds the model's context ${config.ctx}`);
    this.rows = rows;
    this.firstReal = Int32Array.from(firstReal);
    const backend = wasmBackend();
    const bytes = 4 * rows * capacity * config.dModel;
    try {
      for (let l = 0; l < config.layers; l++) {
        this.keyAt.push(backend.wasm._malloc(bytes) >>> 0);
        this.valueAt.push(backend.wasm._malloc(bytes) >>> 0);
        if (this.keyAt[l] === 0 || this.valueAt[l] === 0) {
          throw new Error(`the WASM heap cannot hold a ${bytes}-byte cache`);
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * Attention of a layer as `model.ts`'s `transformer` asks for it. With `time` > 1 (the prompt) it stores the keys
   * and values and attends with `attendPrompt` (the plain attention, causal over the prompt); with one new token it
   * stores it and attends over everything stored, in place.
   */
  attend(
    layer: number,
    q: tf.Tensor3D,
    k: tf.Tensor3D,
    v: tf.Tensor3D,
    attendPrompt: () => tf.Tensor3D,
  ): tf.Tensor3D {
    const [rows, time, d] = q.shape;
    if (rows !== this.rows || d !== this.config.dModel) {
      throw new Error(`cache holds ${this.rows} rows of width ${this.config.dModel}, got [${q.shape}]`);
    }
    if (this.length + time > this.capacity) {
      throw new Error(`cache capacity ${this.capacity} exceeded (${this.length} stored, ${time} more)`);
    }
    if (time > 1) {
      this.store(layer, k, v);
      return attendPrompt();
    }
    // The cache rides in the attributes: the kernel writes its buffers in place.
    const attrs = { cache: this, layer } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(KERNEL, { q, k, v }, attrs) as tf.Tensor3D;
  }

  /** Count `time` more positions as stored (after every layer has attended). */
  advance(time: number): void {
    this.length += time;
  }

  /** Copy `time` new positions of k and v ([rows, time, dModel]) into the buffers of `layer`. */
  private store(layer: number, k: tf.Tensor3D, v: tf.Tensor3D): void {
    const backend = wasmBackend();
    const heap = backend.wasm.HEAPU8;
    const [rows, time, d] = k.shape;
    const rowBytes = 4 * time * d;
    for (const [tensor, base] of [[k, this.keyAt[layer]], [v, this.valueAt[layer]]] as const) {
      const from = backend.dataIdMap.get(tensor.dataId).memoryOffset;
      for (let r = 0; r < rows; r++) {
        const to = base + 4 * (r * this.capacity + this.length) * d;
        heap.copyWithin(to, from + r * rowBytes, from + (r + 1) * rowBytes);
      }
    }
  }

  /** Keep only the rows `live` (indices into the current rows, ascending), in that order. */
  compact(live: number[]): void {
    const heap = wasmBackend().wasm.HEAPU8;
    const rowBytes = 4 * this.capacity * this.config.dModel;
    const usedBytes = 4 * this.length * this.config.dModel;
    for (const base of [...this.keyAt, ...this.valueAt]) {
      live.forEach((from, to) => {
        if (from !== to) {
          heap.copyWithin(base + to * rowBytes, base + from * rowBytes, base + from * rowBytes + usedBytes);
        }
      });
    }
    this.firstReal = Int32Array.from(live, (r) => this.firstReal[r]);
    this.rows = live.length;
  }

  /** Free the buffers (idempotent). */
  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    const backend = wasmBackend();
    for (const at of [...this.keyAt, ...this.valueAt]) if (at) backend.wasm._free(at);
  }

  /** @internal The kernel: store the new token's k and v, attend q over positions [firstReal, length]. */
  static kernel(args: { inputs: Record<string, tf.TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> }) {
    const { q, k, v } = args.inputs;
    const cache = args.attrs.cache as HeapKvCache;
    const layer = args.attrs.layer as number;
    const { backend } = args;
    const out = backend.makeOutput(q.shape, "float32");
    cache.writeToken(backend, layer, k, v);
    cache.attendToken(backend, nativeBlas()!, layer, q, out);
    return out;
  }

  private writeToken(backend: WasmBackend, layer: number, k: tf.TensorInfo, v: tf.TensorInfo): void {
    const heap = backend.wasm.HEAPU8;
    const d = this.config.dModel;
    for (const [tensor, base] of [[k, this.keyAt[layer]], [v, this.valueAt[layer]]] as const) {
      const from = backend.dataIdMap.get(tensor.dataId).memoryOffset;
      for (let r = 0; r < this.rows; r++) {
        heap.copyWithin(base + 4 * (r * this.capacity + this.length) * d, from + 4 * r * d, from + 4 * (r + 1) * d);
      }
    }
  }

  private attendToken(backend: WasmBackend, blas: Blas, layer: number, q: tf.TensorInfo, out: tf.TensorInfo): void {
    const heap = backend.wasm.HEAPU8;
    const { dModel: d, heads } = this.config;
    const headDim = d / heads;
    const qAt = backend.dataIdMap.get(q.dataId).memoryOffset;
    const outAt = backend.dataIdMap.get(out.dataId).memoryOffset;
    const seen = this.length + 1;
    for (let r = 0; r < this.rows; r++) {
      const first = Math.min(this.firstReal[r], this.length);
      const keys = seen - first;
      const columns = keys * heads;
      const rowBase = 4 * (r * this.capacity + first) * d;
      const cacheBytes = 4 * keys * d;
      // scores[h, j·heads + h'] = q_h · k_{j,h'}; the h' = h entries are the ones wanted.
      const scores = scratchScores.get(heads * columns);
      blas.sgemm(
        false,
        true,
        heads,
        columns,
        headDim,
        1,
        heapView(heap, qAt + 4 * r * d, 4 * d),
        headDim,
        heapView(heap, this.keyAt[layer] + rowBase, cacheBytes),
        headDim,
        0,
        scratchScores.view(heads * columns),
        columns,
      );
      // Softmax of each head's scores, laid out block-diagonally: weights[h, j·heads + h] = p_h(j).
      const weights = scratchWeights.get(heads * columns);
      weights.fill(0, 0, heads * columns);
      for (let h = 0; h < heads; h++) {
        const row = h * columns;
        let max = -Infinity;
        for (let j = 0; j < keys; j++) max = Math.max(max, scores[row + j * heads + h]);
        let total = 0;
        for (let j = 0; j < keys; j++) {
          const e = Math.exp(scores[row + j * heads + h] - max);
          weights[row + j * heads + h] = e;
          total += e;
        }
        for (let j = 0; j < keys; j++) weights[row + j * heads + h] /= total;
      }
      blas.sgemm(
        false,
        false,
        heads,
        headDim,
        columns,
        1,
        scratchWeights.view(heads * columns),
        columns,
        heapView(heap, this.valueAt[layer] + rowBase, cacheBytes),
        headDim,
        0,
        heapView(heap, outAt + 4 * r * d, 4 * d),
        headDim,
      );
    }
  }
}

const scratchScores = new Scratch();
const scratchWeights = new Scratch();

if (!tf.getKernel(KERNEL, "wasm")) {
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: "wasm",
    kernelFunc: HeapKvCache.kernel as unknown as tf.KernelFunc,
  });
}
