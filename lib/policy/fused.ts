/**
 * Fused kernels for the WASM backend: the backward passes of LayerNorm and GELU, each one or two passes over the
 * backend's heap in place of the ~8–25 small kernels autodiff composes them from (tfjs has no LayerNorm or GELU op,
 * so their gradients come from autodiff of means, squares, broadcasts and casts). The forward passes stay in tfjs's
 * WebAssembly SIMD kernels, faster than a JavaScript loop (measured: 1.2 ms against 1.3–1.9 ms for a LayerNorm of
 * 1,975 × 128). Registered by `native.ts` with the
 * other kit kernels; `ops.ts` uses them while they are registered and the composed ops otherwise (other backends,
 * `GUIDE_BLAS=off`). Tested against the composed ops (`tests/native_test.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { floatViews, type WasmKernelArgs } from "./wasm_heap.ts";

type Args = WasmKernelArgs & { inputs: Record<string, tf.TensorInfo> };

/** Names of the fused kernels (registered on the `wasm` backend only). */
export const LAYER_NORM_GRAD = "GuideLayerNormGrad";
export const GELU_GRAD = "GuideGeluGrad";

/** The GELU of the kit, x·σ(1.702·x) (see `ops.ts`). */
export const GELU_SLOPE = 1.702;

/**
 * Gradients of LayerNorm: with x̂ = (x − mean)·rstd and g = gain·dy, dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),
 * dgain = Σ_rows dy·x̂, dbias = Σ_rows dy.
 */
function layerNormGrad({ inputs, backend }: Args): tf.TensorInfo[] {
  const { dy, x, gain, mean, rstd } = inputs;
  const width = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / width;
  const dx = backend.makeOutput(x.shape, "float32");
  const dgain = backend.makeOutput([width], "float32");
  const dbias = backend.makeOutput([width], "float32");
  const [dys, xs, gs, ms, rs, dxs, dgs, dbs] = floatViews(backend, [dy, x, gain, mean, rstd, dx, dgain, dbias]);
  // Column sums in float64: a bias's gradient adds up thousands of rows.
  const gainSum = new Float64Array(width);
  const biasSum = new Float64Array(width);
  for (let r = 0, at = 0; r < rows; r++, at += width) {
    const mu = ms[r];
    const inverse = rs[r];
    let gMean = 0;
    let gxMean = 0;
    for (let i = 0; i < width; i++) {
      const d = dys[at + i];
      const xhat = (xs[at + i] - mu) * inverse;
      const g = d * gs[i];
      gMean += g;
      gxMean += g * xhat;
      gainSum[i] += d * xhat;
      biasSum[i] += d;
    }
    gMean /= width;
    gxMean /= width;
    for (let i = 0; i < width; i++) {
      const xhat = (xs[at + i] - mu) * inverse;
      dxs[at + i] = inverse * (dys[at + i] * gs[i] - gMean - xhat * gxMean);
    }
  }
  dgs.set(gainSum);
  dbs.set(biasSum);
  return [dx, dgain, dbias];
}

/** dx of y = x·s with s = σ(a·x): dy·(s + a·x·s·(1 − s)), from the saved s (no exponential). */
function geluGrad({ inputs, backend }: Args): tf.TensorInfo {
  const { dy, x, s } = inputs;
  const dx = backend.makeOutput(x.shape, "float32");
  const [dys, xs, ss, dxs] = floatViews(backend, [dy, x, s, dx]);
  for (let i = 0; i < xs.length; i++) {
    const sig = ss[i];
    dxs[i] = dys[i] * (sig + GELU_SLOPE * xs[i] * sig * (1 - sig));
  }
  return dx;
}

const KERNELS: [string, (args: Args) => tf.TensorInfo | tf.TensorInfo[]][] = [
  [LAYER_NORM_GRAD, layerNormGrad],
  [GELU_GRAD, geluGrad],
];

/** Register (`true`) or remove the fused kernels on the `wasm` backend. */
export function useFusedKernels(on: boolean): void {
  for (const [name, kernelFunc] of KERNELS) {
    const registered = tf.getKernel(name, "wasm") !== undefined;
    if (on && !registered) {
      tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    } else if (!on && registered) tf.unregisterKernel(name, "wasm");
  }
}

/** Are the fused kernels registered for the active backend? */
export function fusedKernelsActive(): boolean {
  return tf.getBackend() === "wasm" && tf.getKernel(LAYER_NORM_GRAD, "wasm") !== undefined;
}
