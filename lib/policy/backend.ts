/**
 * TensorFlow.js backend selection. The WASM backend (SIMD, one thread under Deno) is the CPU workhorse; `cpu` is
 * tfjs's plain-JavaScript fallback. The wasm binaries are loaded from the installed npm package, so nothing is
 * fetched at run time.
 *
 * @example
 * ```ts
 * import { tf, useBackend } from "./backend.ts";
 * await useBackend("wasm");
 * tf.tensor([1, 2, 3]).square().print();
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

export { tf };

/** Backends this module can start. */
export type BackendName = "wasm" | "cpu";

let wasmPathsSet = false;

/** Point the WASM backend at the `.wasm` files inside its npm package (a file:// URL Deno's fetch can read). */
function configureWasm(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  setWasmPaths(pathToFileURL(dist).href + "/");
  wasmPathsSet = true;
}

/**
 * Make `name` the active tfjs backend and return it. Throws when the backend cannot start, naming it.
 */
export async function useBackend(name: BackendName): Promise<BackendName> {
  if (name === "wasm") configureWasm();
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend "${name}" failed to initialise`);
  await tf.ready();
  return name;
}
