/**
 * The parts of tfjs-backend-wasm's backend that the kit's own kernels use (`native.ts`, `fused.ts`, `kv_cache.ts`),
 * and safe views of its heap. A tensor on the WASM backend is a block of the module's linear memory at
 * `dataIdMap.get(dataId).memoryOffset`; any allocation may grow that memory and replace its buffer, so views are made
 * after a kernel's outputs are allocated, never kept across calls.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The WASM backend as its kernels see it. */
export interface WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  incRef(dataId: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(at: number): void };
}

/** What a kernel function receives on the WASM backend. */
export type WasmKernelArgs = {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: WasmBackend;
  attrs: Record<string, unknown>;
};

/** The active backend, as the WASM backend (callers check that it is). */
export function wasmBackend(): WasmBackend {
  return tf.backend() as unknown as WasmBackend;
}

/** Byte offset of a tensor's data on the heap. */
export function offsetOf(backend: WasmBackend, tensor: tf.TensorInfo): number {
  return backend.dataIdMap.get(tensor.dataId).memoryOffset;
}

/** A byte view of `bytes` bytes at `offset` of the heap, refusing one that would run past it (never a short view). */
export function heapView(heap: Uint8Array, offset: number, bytes: number): Uint8Array {
  if (offset < 0 || offset + bytes > heap.length) {
    throw new Error(`native kernel: [${offset}, ${offset + bytes}) is outside the WASM heap (${heap.length} bytes)`);
  }
  return heap.subarray(offset, offset + bytes);
}

/** Float32 views of float32 tensors on the heap (make them after every output of the kernel is allocated). */
export function floatViews(backend: WasmBackend, tensors: tf.TensorInfo[]): Float32Array[] {
  const buffer = backend.wasm.HEAPU8.buffer;
  return tensors.map((t) => new Float32Array(buffer, offsetOf(backend, t), t.shape.reduce((a, b) => a * b, 1)));
}
