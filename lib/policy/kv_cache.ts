/**
 * A KV cache for sampling that grows in place, for the WASM backend with native products. The plain cache of
 * `model.ts` is a pair of tensors per layer, and tensors are immutable: every new token concatenates the whole cache
 * into a new one (a third of a sampling call's kernel time at batch 256). Here each layer's keys and values live in
 * one buffer on the WASM heap, [rows, capacity, dModel], written in place, and a new token attends over them in
 * three kernels: the scores (one OpenBLAS matrix-vector product per row and head, reading the head's columns of
 * the buffer in place), tfjs's softmax, and the weighted values (one more product per row and head). Rows that
 * finish are dropped by moving the live rows down.
 *
 * Used by `sample.ts` when {@link heapCacheAvailable}; it attends exactly as `model.ts`'s `attention` (tested
 * against it: the same greedy and seeded tokens, log-probs within float rounding).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { nativeBlas, nativeKernelsActive } from "./native.ts";
import { heapView, offsetOf, type WasmBackend, wasmBackend, type WasmKernelArgs } from "./wasm_heap.ts";
import type { ModelConfig } from "./model.ts";

const SCORES = "GuideCachedScores";
const MIX = "GuideCachedMix";
const MASKED = -1e9;

/** Can sampling use a {@link HeapKvCache} (the WASM backend with the kit's native kernels)? */
export function heapCacheAvailable(): boolean {
  return nativeKernelsActive() && tf.getBackend() === "wasm" && nativeBlas() !== null;
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
    // The cache rides in the attributes: the scores kernel writes the new keys and values into it in place.
    const attrs = { cache: this, layer } as unknown as tf.NamedAttrMap;
    const scores = tf.engine().runKernel(SCORES, { q, k, v }, attrs) as tf.Tensor3D;
    // The softmax in tfjs's WebAssembly kernel: V8's Math.exp costs ~13 ns, twice the rest of a row's attention.
    const weights = tf.softmax(scores);
    return tf.engine().runKernel(MIX, { weights }, attrs) as tf.Tensor3D;
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
      const from = offsetOf(backend, tensor);
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

  /**
   * @internal Kernel: store the new token's k and v, and return the scores [rows, heads, length + 1] of q against
   * every stored key (−1e9 on each row's padding, as `model.ts`'s mask), one matrix-vector product per head.
   */
  static scores(args: KernelArgs): tf.TensorInfo {
    const { q, k, v } = args.inputs;
    const cache = args.attrs.cache as HeapKvCache;
    const layer = args.attrs.layer as number;
    const { backend } = args;
    const { dModel: d, heads } = cache.config;
    const headDim = d / heads;
    const seen = cache.length + 1;
    const out = backend.makeOutput([cache.rows, heads, seen], "float32");
    cache.writeToken(backend, layer, k, v);
    const heap = backend.wasm.HEAPU8;
    const blas = nativeBlas()!;
    const qAt = offsetOf(backend, q);
    const outAt = offsetOf(backend, out);
    const scores = new Float32Array(heap.buffer, outAt, cache.rows * heads * seen);
    for (let r = 0; r < cache.rows; r++) {
      const keys = cache.keyAt[layer] + 4 * r * cache.capacity * d;
      for (let h = 0; h < heads; h++) {
        // Head h's keys are columns [h·headDim, (h+1)·headDim) of the row's [seen × dModel] block.
        blas.sgemv(
          false,
          seen,
          headDim,
          1,
          heapView(heap, keys + 4 * h * headDim, 4 * ((seen - 1) * d + headDim)),
          d,
          heapView(heap, qAt + 4 * (r * d + h * headDim), 4 * headDim),
          0,
          heapView(heap, outAt + 4 * (r * heads + h) * seen, 4 * seen),
        );
        scores.fill(MASKED, (r * heads + h) * seen, (r * heads + h) * seen + Math.min(cache.firstReal[r], seen));
      }
    }
    return out;
  }

  /** @internal Kernel: the attended values [rows, 1, dModel] from the softmax weights [rows, heads, length]. */
  static mix(args: KernelArgs): tf.TensorInfo {
    const { weights } = args.inputs;
    const cache = args.attrs.cache as HeapKvCache;
    const layer = args.attrs.layer as number;
    const { backend } = args;
    const { dModel: d, heads } = cache.config;
    const headDim = d / heads;
    const seen = weights.shape[2];
    const out = backend.makeOutput([cache.rows, 1, d], "float32");
    const heap = backend.wasm.HEAPU8;
    const blas = nativeBlas()!;
    const weightsAt = offsetOf(backend, weights);
    const outAt = offsetOf(backend, out);
    for (let r = 0; r < cache.rows; r++) {
      const values = cache.valueAt[layer] + 4 * r * cache.capacity * d;
      for (let h = 0; h < heads; h++) {
        // attended_h = V_hᵀ · p_h, V_h being columns [h·headDim, (h+1)·headDim) of the row's values.
        blas.sgemv(
          true,
          seen,
          headDim,
          1,
          heapView(heap, values + 4 * h * headDim, 4 * ((seen - 1) * d + headDim)),
          d,
          heapView(heap, weightsAt + 4 * (r * heads + h) * seen, 4 * seen),
          0,
          heapView(heap, outAt + 4 * (r * d + h * headDim), 4 * headDim),
        );
      }
    }
    return out;
  }

  private writeToken(backend: WasmBackend, layer: number, k: tf.TensorInfo, v: tf.TensorInfo): void {
    const heap = backend.wasm.HEAPU8;
    const d = this.config.dModel;
    for (const [tensor, base] of [[k, this.keyAt[layer]], [v, this.valueAt[layer]]] as const) {
      const from = offsetOf(backend, tensor);
      for (let r = 0; r < this.rows; r++) {
        heap.copyWithin(base + 4 * (r * this.capacity + this.length) * d, from + 4 * r * d, from + 4 * (r + 1) * d);
      }
    }
  }
}

type KernelArgs = WasmKernelArgs & { inputs: Record<string, tf.TensorInfo> };

for (const [name, kernel] of [[SCORES, HeapKvCache.scores], [MIX, HeapKvCache.mix]] as const) {
  if (!tf.getKernel(name, "wasm")) {
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: kernel as unknown as tf.KernelFunc });
  }
}
