/**
 * Differentiable building blocks that avoid the TensorFlow.js WASM backend's gaps: `gather`'s gradient needs
 * `UnsortedSegmentSum`, which WASM lacks, so embeddings are one-hot · matMul; and the WASM matMul kernel with
 * `transposeA`/`transposeB` is ~10× slower than an explicit transpose, so on the WASM kernels the gradients below
 * transpose explicitly. With native products (`native.ts`, OpenBLAS) a transposed operand is free and an explicit
 * transpose is a wasted copy, so there the flags are used.
 *
 * @module
 */
import { tf } from "./backend.ts";
import { nativeKernelsActive } from "./native.ts";
import { GELU_GRAD, GELU_SLOPE, LAYER_NORM_GRAD } from "./fused.ts";

type Tensor = tf.Tensor;
type Tensor2D = tf.Tensor2D;
type Tensor3D = tf.Tensor3D;

/** `x · w` for 2-D `x` [n, k] and `w` [k, m], with explicit transposes in the gradient on the WASM kernels. */
export function matMul2d(x: Tensor2D, w: Tensor2D): Tensor2D {
  return nativeKernelsActive() ? tf.matMul(x, w) : matMul2dExplicit(x, w);
}

const matMul2dExplicit: (x: Tensor2D, w: Tensor2D) => Tensor2D = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: Tensor2D, w: Tensor2D, save: any) => {
    save([x, w]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: Tensor2D, [xs, ws]: Tensor[]) => [
        tf.matMul(dy, tf.transpose(ws as Tensor2D)),
        tf.matMul(tf.transpose(xs as Tensor2D), dy),
      ],
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as unknown as (x: Tensor2D, w: Tensor2D) => Tensor2D;

/**
 * Batched `a · b` for 3-D `a` [b, n, k] and `b` [b, k, m] (`b` [b, m, k] with `transposeB`), with explicit
 * transposes, forward and backward, on the WASM kernels.
 */
export function batchMatMul(a: Tensor3D, b: Tensor3D, transposeB = false): Tensor3D {
  if (nativeKernelsActive()) return tf.matMul(a, b, false, transposeB);
  return batchMatMulExplicit(a, transposeB ? tf.transpose(b, [0, 2, 1]) as Tensor3D : b);
}

const batchMatMulExplicit: (a: Tensor3D, b: Tensor3D) => Tensor3D = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((a: Tensor3D, b: Tensor3D, save: any) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: Tensor3D, [as, bs]: Tensor[]) => [
        tf.matMul(dy, tf.transpose(bs, [0, 2, 1]) as Tensor3D),
        tf.matMul(tf.transpose(as, [0, 2, 1]) as Tensor3D, dy),
      ],
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as unknown as (a: Tensor3D, b: Tensor3D) => Tensor3D;

/** A dense layer over the last axis of `x` (any rank): `x · w + b`. */
export function dense(x: Tensor, w: Tensor2D, b?: tf.Tensor1D): Tensor {
  const inner = x.shape[x.shape.length - 1];
  const outer = x.shape.slice(0, -1);
  const rows = x.reshape([-1, inner]) as Tensor2D;
  // With native products the bias is written first and the product accumulated onto it (one pass fewer).
  const biased = b && nativeKernelsActive()
    ? tf.fused.matMul({ a: rows, b: w, bias: b })
    : b
    ? tf.add(matMul2d(rows, w), b)
    : matMul2d(rows, w);
  return biased.reshape([...outer, w.shape[1]]);
}

/** Rows of `table` [n, d] picked by integer `ids` (any shape), as one-hot · matMul so that it trains on WASM. */
export function embed(ids: Tensor, table: Tensor2D): Tensor {
  // Built as int32 then cast: the WASM OneHot kernel ignores a float32 dtype and returns int32 bits.
  const oneHot = tf.oneHot(ids.flatten() as tf.Tensor1D, table.shape[0]).toFloat() as Tensor2D;
  return matMul2d(oneHot, table).reshape([...ids.shape, table.shape[1]]);
}

/**
 * Layer normalisation over the last axis. With the kit's kernels the backward pass is one fused kernel instead of
 * autodiff's ~25 (the forward stays in tfjs's kernels: WebAssembly SIMD beats a JavaScript loop there).
 */
export function layerNorm(x: Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon = 1e-5): Tensor {
  if (nativeKernelsActive()) return fusedLayerNorm(epsilon)(x, gain, bias);
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gain), bias);
}

const fusedLayerNorms = new Map<number, (x: Tensor, gain: Tensor, bias: Tensor) => Tensor>();

function fusedLayerNorm(epsilon: number): (x: Tensor, gain: Tensor, bias: Tensor) => Tensor {
  let op = fusedLayerNorms.get(epsilon);
  if (!op) {
    op = tf.customGrad(
      // deno-lint-ignore no-explicit-any
      ((x: Tensor, gain: Tensor, bias: Tensor, save: any) => {
        const { mean, variance } = tf.moments(x, -1, true);
        const rstd = tf.rsqrt(tf.add(variance, epsilon));
        save([x, gain, mean, rstd]);
        return {
          value: tf.add(tf.mul(tf.mul(tf.sub(x, mean), rstd), gain), bias),
          gradFunc: (dy: Tensor, [xs, gs, ms, rs]: Tensor[]) =>
            tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x: xs, gain: gs, mean: ms, rstd: rs }, {}) as Tensor[],
        };
        // deno-lint-ignore no-explicit-any
      }) as any,
    ) as unknown as (x: Tensor, gain: Tensor, bias: Tensor) => Tensor;
    fusedLayerNorms.set(epsilon, op);
  }
  return op;
}

/**
 * GELU in its sigmoid form, x·σ(1.702·x) (Hendrycks & Gimpel). The tanh form costs 5× more on WASM (its `tanh` is
 * slow: 205 ms against 39 ms for `sigmoid` over 10 M values, measured here), and tfjs has no GELU op. It differs from
 * the exact (erf) GELU by at most 0.0203. With the kit's kernels the gradient is one fused pass over the saved
 * sigmoid instead of autodiff's eight kernels.
 */
export function gelu(x: Tensor): Tensor {
  if (nativeKernelsActive()) return fusedGelu(x);
  return tf.mul(x, tf.sigmoid(tf.mul(x, GELU_SLOPE)));
}

const fusedGelu: (x: Tensor) => Tensor = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: Tensor, save: any) => {
    const s = tf.sigmoid(tf.mul(x, GELU_SLOPE));
    save([x, s]);
    return {
      value: tf.mul(x, s),
      gradFunc: (dy: Tensor, [xs, ss]: Tensor[]) =>
        tf.engine().runKernel(GELU_GRAD, { dy, x: xs, s: ss }, {}) as Tensor,
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
) as unknown as (x: Tensor) => Tensor;
