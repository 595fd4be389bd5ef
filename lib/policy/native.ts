/**
 * The kit's kernels for the WASM backend. Native products: `BatchMatMul` (every `tf.matMul`, 2-D or batched, with
 * either transpose), `_FusedMatMul` (`tf.fused.matMul`: a product, a bias and an activation) and `Sum` over leading
 * axes, re-registered to call OpenBLAS's `cblas_sgemm`/`cblas_sgemv` through FFI (`blas.ts`) on the backend's own
 * heap; with them, the fused backward kernels of `fused.ts`. Any case these kernels do not cover (other dtypes,
 * broadcasting other than "same batch or one of them 1", a PReLU activation, other reductions) runs the WASM kernel
 * it replaces, so the results are tfjs's own within float rounding. Separately, {@link shareIdentityOnWasm} makes
 * clones share memory (numerically a no-op).
 *
 * With native products a transposed operand costs nothing (OpenBLAS reads it in place), while the WASM kernel is ~10×
 * slower with a transpose flag than with an explicit transpose; {@link nativeKernelsActive} tells `ops.ts` which
 * way to write a gradient.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBackend, tf } from "./backend.ts";
 * import { nativeKernelsActive, useNativeKernels } from "./native.ts";
 * await selectBackend("wasm", { quiet: true }); // turns native products on when OpenBLAS loads
 * const product = () => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync();
 * const native = product();
 * useNativeKernels(false); // back to the WASM kernels
 * assert.equal(nativeKernelsActive(), false);
 * assert.equal(product().join(), native.join()); // 19,22,43,50 either way
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Blas, coresForThisProcess, loadBlas } from "./blas.ts";
import { useFusedKernels } from "./fused.ts";
import { heapView, offsetOf, type WasmBackend, type WasmKernelArgs } from "./wasm_heap.ts";

type KernelArgs = WasmKernelArgs;

const REPLACED = ["BatchMatMul", "_FusedMatMul", "Sum"] as const;
const originals = new Map<string, tf.KernelConfig>();
let blas: Blas | null = null;
let active = false;

/** True while the products run on OpenBLAS (and the fused kernels are registered). */
export function nativeKernelsActive(): boolean {
  return active;
}

/** The OpenBLAS behind the native products, when they are on. */
export function nativeBlas(): Blas | null {
  return active ? blas : null;
}

/**
 * Give each product `1 / processes` of this process's cores (at least one thread), so that `processes` tfjs
 * instances computing at once (a pool's workers are threads of this process, and OpenBLAS's thread count is
 * process-wide) never oversubscribe them. Returns the threads per product (1 without OpenBLAS).
 */
export function setProductThreads(processes: number): number {
  const threads = Math.max(1, Math.floor(coresForThisProcess() / Math.max(1, processes)));
  if (active && blas) blas.setThreads(threads);
  return active && blas ? blas.threads() : 1;
}

/**
 * Turn the native kernels on (`true`: loads OpenBLAS as `GUIDE_BLAS` says) or off (tfjs's WASM kernels). Call after
 * the WASM backend has started. Returns whether they are on, and why not when they are not.
 */
export function useNativeKernels(on: boolean): { active: boolean; reason?: string } {
  if (!on) {
    restoreOriginals();
    return { active: false, reason: "turned off" };
  }
  const load = loadBlas();
  if (!load.blas) {
    restoreOriginals();
    return { active: false, reason: load.reason };
  }
  blas = load.blas;
  for (const name of REPLACED) {
    const original = originals.get(name) ?? tf.getKernel(name, "wasm");
    if (!original) return { active: false, reason: `the wasm backend has no ${name} kernel to replace` };
    originals.set(name, original);
  }
  useFusedKernels(true);
  swap("BatchMatMul", batchMatMul);
  swap("_FusedMatMul", fusedMatMul);
  swap("Sum", sum);
  active = true;
  return { active: true };
}

/**
 * Make the WASM backend's `Identity` share its input's data instead of copying it. tfjs clones every tensor a
 * gradient will need (`Engine.clone` runs `Identity`), ~900 clones per training micro-batch here, and the WASM kernel
 * copies each (13% of a training step). Tensors are immutable and their memory is reference-counted, so a clone can
 * share it, as the cpu backend's `Identity` and the WASM backend's own `Reshape` do. Idempotent.
 */
export function shareIdentityOnWasm(): void {
  const current = tf.getKernel("Identity", "wasm");
  if (!current || current.kernelFunc === shareIdentity) return;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({ ...current, kernelFunc: shareIdentity as unknown as tf.KernelFunc });
}

function shareIdentity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

function swap(name: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo): void {
  const original = originals.get(name)!;
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({
    kernelName: name,
    backendName: "wasm",
    // The WASM kernel's own set-up (binding its C function) still runs if the backend is (re)initialised, so the
    // fallback keeps working.
    setupFunc: original.setupFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

function restoreOriginals(): void {
  for (const [name, original] of originals) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(original);
  }
  useFusedKernels(false);
  active = false;
}

function fallback(name: string, args: KernelArgs): tf.TensorInfo {
  return originals.get(name)!.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Shapes of a (batched) product, or null when the batch dimensions do not broadcast as "equal, or one is 1". */
function productShape(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and ` +
        `transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = size(outer);
  if (!((batchA === batchB || batchA === 1 || batchB === 1) && batch === Math.max(batchA, batchB))) return null;
  return { m, n, k, batch, batchA, batchB, outShape: [...outer, m, n] };
}

/**
 * C = op(A)·op(B) (+ C when `accumulate`) for every batch entry, straight on the heap. A batch that shares one B
 * and reads A untransposed is one product of batch·m rows (the common case of a dense layer over [batch, time, d]).
 */
function gemm(
  backend: WasmBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  out: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  shape: NonNullable<ReturnType<typeof productShape>>,
  accumulate: boolean,
): void {
  const { m, n, k, batch, batchA, batchB } = shape;
  if (m * n * batch === 0) return;
  // Read the heap after makeOutput: an allocation may have grown the WASM memory and replaced its buffer.
  const heap = backend.wasm.HEAPU8;
  const aAt = offsetOf(backend, a);
  const bAt = offsetOf(backend, b);
  const cAt = offsetOf(backend, out);
  if (k === 0) {
    if (!accumulate) heap.fill(0, cAt, cAt + 4 * batch * m * n);
    return;
  }
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  const beta = accumulate ? 1 : 0;
  if (batchB === 1 && !transposeA) {
    // One B for every entry and A's rows contiguous across the batch: a single product of batch·m rows.
    const rows = batch * m;
    blas!.sgemm(
      false,
      transposeB,
      rows,
      n,
      k,
      1,
      heapView(heap, aAt, 4 * rows * k),
      lda,
      heapView(heap, bAt, 4 * k * n),
      ldb,
      beta,
      heapView(heap, cAt, 4 * rows * n),
      n,
    );
    return;
  }
  const aSize = 4 * m * k;
  const bSize = 4 * k * n;
  const cSize = 4 * m * n;
  for (let i = 0; i < batch; i++) {
    const aOffset = aAt + (batchA === 1 ? 0 : i * aSize);
    const bOffset = bAt + (batchB === 1 ? 0 : i * bSize);
    blas!.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      heapView(heap, aOffset, aSize),
      lda,
      heapView(heap, bOffset, bSize),
      ldb,
      beta,
      heapView(heap, cAt + i * cSize, cSize),
      n,
    );
  }
}

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  if (a.dtype !== "float32" || b.dtype !== "float32") return fallback("BatchMatMul", args);
  const shape = productShape(a, b, transposeA, transposeB);
  if (!shape) return fallback("BatchMatMul", args);
  const out = args.backend.makeOutput(shape.outShape, "float32");
  gemm(args.backend, a, b, out, transposeA, transposeB, shape, false);
  return out;
}

/** Activations `tf.fused.matMul` may ask for, applied in place after the product (PReLU falls back). */
const ACTIVATIONS: Record<string, ((x: number, alpha: number) => number) | null> = {
  linear: null,
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  leakyrelu: (x, alpha) => (x > 0 ? x : alpha * x),
  elu: (x) => (x >= 0 ? x : Math.exp(x) - 1),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

function fusedMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  const activation = String(args.attrs.activation ?? "linear");
  const alpha = Number(args.attrs.leakyreluAlpha ?? 0);
  if (!a || !b || a.dtype !== "float32" || b.dtype !== "float32") return fallback("_FusedMatMul", args);
  if (preluActivationWeights || !(activation in ACTIVATIONS)) return fallback("_FusedMatMul", args);
  const shape = productShape(a, b, transposeA, transposeB);
  // A bias of one value per output column (or a single value) is written first and accumulated onto.
  const biasSize = bias ? size(bias.shape) : 0;
  if (!shape || (bias && (bias.dtype !== "float32" || (biasSize !== shape.n && biasSize !== 1)))) {
    return fallback("_FusedMatMul", args);
  }
  const { backend } = args;
  const out = backend.makeOutput(shape.outShape, "float32");
  const total = shape.batch * shape.m * shape.n;
  if (bias) {
    const heap = backend.wasm.HEAPU8;
    const at = offsetOf(backend, out);
    const values = new Float32Array(heap.buffer, at, total);
    const biasValues = new Float32Array(heap.buffer, offsetOf(backend, bias), biasSize);
    if (biasSize === 1) values.fill(biasValues[0]);
    else {
      // The first row, then doubling copies (a dozen memmoves for thousands of rows).
      values.set(biasValues, 0);
      for (let filled = shape.n; filled < total; filled *= 2) {
        values.copyWithin(filled, 0, Math.min(filled, total - filled));
      }
    }
  }
  gemm(backend, a, b, out, transposeA, transposeB, shape, Boolean(bias));
  const apply = ACTIVATIONS[activation];
  if (apply) {
    const heap = backend.wasm.HEAPU8;
    const values = new Float32Array(heap.buffer, offsetOf(backend, out), total);
    for (let i = 0; i < total; i++) values[i] = apply(values[i], alpha);
  }
  return out;
}

/** Ones for reductions as products (JavaScript memory: OpenBLAS reads any buffer), grown on demand. */
let ones = new Uint8Array(0);

function onesView(count: number): Uint8Array {
  if (ones.length < 4 * count) {
    ones = new Uint8Array(4 * Math.max(count, 2 * ones.length / 4));
    new Float32Array(ones.buffer).fill(1);
  }
  return ones.subarray(0, 4 * count);
}

/**
 * `Sum` over leading axes (a bias's gradient: [rows, n] → [n], and every broadcast add's gradient) as Xᵀ · 1 on
 * OpenBLAS; the WASM kernel transposes the tensor first for any axis but the last. Other reductions fall back.
 */
function sum(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x!;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((axis, i) => axis === i);
  if (x.dtype !== "float32" || !leading) return fallback("Sum", args);
  const rows = size(x.shape.slice(0, axes.length));
  const columns = size(x.shape.slice(axes.length));
  const kept = x.shape.slice(axes.length);
  const outShape = args.attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept;
  const out = args.backend.makeOutput(outShape, "float32");
  if (columns === 0) return out;
  const heap = args.backend.wasm.HEAPU8;
  const outAt = offsetOf(args.backend, out);
  if (rows === 0) {
    heap.fill(0, outAt, outAt + 4 * columns);
    return out;
  }
  const xAt = offsetOf(args.backend, x);
  blas!.sgemv(
    true,
    rows,
    columns,
    1,
    heapView(heap, xAt, 4 * rows * columns),
    columns,
    onesView(rows),
    0,
    heapView(heap, outAt, 4 * columns),
  );
  return out;
}

export type { Blas };
