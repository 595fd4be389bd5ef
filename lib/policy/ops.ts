/**
 * Differentiable building blocks that avoid the TensorFlow.js WASM backend's gaps (DESIGN.md, "Facts about the
 * toolchain"): `gather`'s gradient needs `UnsortedSegmentSum`, which WASM lacks, so embeddings are one-hot · matMul;
 * and matMul with `transposeA`/`transposeB` is ~10× slower there than an explicit transpose, so the gradients below
 * transpose explicitly instead of using tfjs's built-in matMul gradient (which relies on those flags).
 *
 * @module
 */
import { tf } from "./backend.ts";

type Tensor = tf.Tensor;
type Tensor2D = tf.Tensor2D;
type Tensor3D = tf.Tensor3D;

/** `x · w` for 2-D `x` [n, k] and `w` [k, m], with explicit transposes in the gradient. */
export const matMul2d: (x: Tensor2D, w: Tensor2D) => Tensor2D = tf.customGrad(
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

/** Batched `a · b` for 3-D `a` [b, n, k] and `b` [b, k, m], with explicit transposes in the gradient. */
export const batchMatMul: (a: Tensor3D, b: Tensor3D) => Tensor3D = tf.customGrad(
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
  const y = matMul2d(x.reshape([-1, inner]) as Tensor2D, w);
  const biased = b ? tf.add(y, b) : y;
  return biased.reshape([...outer, w.shape[1]]);
}

/** Rows of `table` [n, d] picked by integer `ids` (any shape), as one-hot · matMul so that it trains on WASM. */
export function embed(ids: Tensor, table: Tensor2D): Tensor {
  // Built as int32 then cast: the WASM OneHot kernel ignores a float32 dtype and returns int32 bits.
  const oneHot = tf.oneHot(ids.flatten() as tf.Tensor1D, table.shape[0]).toFloat() as Tensor2D;
  return matMul2d(oneHot, table).reshape([...ids.shape, table.shape[1]]);
}

/** Layer normalisation over the last axis. */
export function layerNorm(x: Tensor, gain: tf.Tensor1D, bias: tf.Tensor1D, epsilon = 1e-5): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), gain), bias);
}

/**
 * GELU in its sigmoid form, x·σ(1.702·x) (Hendrycks & Gimpel). The tanh form costs 5× more on WASM (its `tanh` is
 * slow: 205 ms against 39 ms for `sigmoid` over 10 M values, measured here), and tfjs has no GELU op. It differs from the exact
 * (erf) GELU by at most 0.0203.
 */
export function gelu(x: Tensor): Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}
