import { assertEquals } from "./assert.ts";
import { tf, useBackend } from "../lib/mod.ts";

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`tfjs runs a matMul on the ${backend} backend`, async () => {
    assertEquals(await useBackend(backend), backend);
    assertEquals(tf.getBackend(), backend);
    const product = tf.tidy(() => tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[5, 6], [7, 8]])));
    assertEquals(Array.from(await product.data()), [19, 22, 43, 50]);
    product.dispose();
  });
}
