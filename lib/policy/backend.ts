/**
 * TensorFlow.js backend selection. `auto` tries, in order:
 *
 * 1. `tensorflow`: `@tensorflow/tfjs-node-gpu`, when it imports and finds a GPU;
 * 2. `wasm`: the SIMD WebAssembly backend (one thread under Deno), with OpenBLAS's products where they load;
 * 3. `webgpu`: `@tensorflow/tfjs-backend-webgpu` on Deno's WebGPU, when the adapter is a real GPU (a software
 *    adapter such as Mesa's llvmpipe is never chosen automatically, but can be forced). It comes after `wasm`
 *    because the kit's models are too small for it: on an NVIDIA H200 it trained at 2,127 tokens/s, against 15,795
 *    for PyTorch on two of that machine's cores (`docs/performance.md`, "On a GPU");
 * 4. `cpu`: tfjs's plain-JavaScript backend.
 *
 * `GUIDE_BACKEND` (or the `backend` argument) forces one. The native packages are imported dynamically: where their
 * binary is missing the import throws, which means "fall back". One line on stderr says which backend runs.
 *
 * @example
 * ```ts
 * import { selectBackend, tf } from "./backend.ts";
 * const chosen = await selectBackend("wasm");
 * console.log(chosen.name, tf.tensor([1, 2, 3]).square().dataSync());
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { coresForThisProcess } from "./blas.ts";
import { nativeBlas, shareIdentityOnWasm, useNativeKernels } from "./native.ts";

export { tf };

/** Every backend the kit can run on (a `backend` setting names one of these, or `auto`). */
export const BACKENDS = ["tensorflow", "webgpu", "wasm", "cpu"] as const;
/** A tfjs backend the kit can run on. */
export type BackendName = typeof BACKENDS[number];

/** The order `auto` tries them in: a real CUDA device first, then WASM, which beats WebGPU at the kit's sizes. */
export const AUTO_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "webgpu", "cpu"];

/** Which backend runs, and on what. */
export interface BackendInfo {
  name: BackendName;
  /** The device or why it was picked, e.g. "llvmpipe (software adapter, forced)". */
  detail: string;
  /** Backends tried before it, with why each was passed over. */
  skipped: string[];
  /**
   * Where the matrix products run: `openblas` (native, through FFI; WASM backend only) or the backend's own kernels,
   * with why OpenBLAS is not used when it could have been.
   */
  products: { engine: "openblas" | "backend"; detail: string };
}

let wasmPathsSet = false;

/** Point the WASM backend at the `.wasm` files inside its npm package (a file:// URL Deno's fetch can read). */
function configureWasm(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  setWasmPaths(pathToFileURL(dist).href + "/");
  wasmPathsSet = true;
}

/** Is `name` a backend this module knows? */
export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

/** A software WebGPU adapter (llvmpipe, lavapipe, SwiftShader) runs at CPU speed: never picked automatically. */
function isSoftwareAdapter(info: { description?: string; device?: string; isFallbackAdapter?: boolean }): boolean {
  const text = `${info.description ?? ""} ${info.device ?? ""}`;
  return info.isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|software/i.test(text);
}

async function activate(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/** Where the products of the active backend run: OpenBLAS on WASM when it loads (see `native.ts`). */
function chooseProducts(name: BackendName): BackendInfo["products"] {
  if (name !== "wasm") {
    useNativeKernels(false);
    return { engine: "backend", detail: `${name}'s own kernels` };
  }
  shareIdentityOnWasm();
  const native = useNativeKernels(true);
  const blas = nativeBlas();
  if (!native.active || !blas) return { engine: "backend", detail: `WASM kernels (${native.reason})` };
  const version = blas.config.match(/OpenBLAS [\d.]+/)?.[0] ?? "OpenBLAS";
  const threads = blas.threads();
  return {
    engine: "openblas",
    detail: `${version} (${blas.core} kernels, ${blas.coreSource}; ${threads} thread${threads > 1 ? "s" : ""})`,
  };
}

/** Try to start one backend; return its detail, or throw with why it cannot run. */
async function start(name: BackendName, forced: boolean): Promise<string> {
  switch (name) {
    case "tensorflow": {
      try {
        // Resolves everywhere (pinned in deno.json); throws where its native binary was not built.
        await import("@tensorflow/tfjs-node-gpu");
      } catch (e) {
        throw new Error(`tfjs-node-gpu does not load (${(e as Error).message.split("\n")[0].slice(0, 120)})`);
      }
      if (!(await activate("tensorflow"))) throw new Error("tfjs-node-gpu loaded but its backend did not start");
      // deno-lint-ignore no-explicit-any
      const onGpu = (tf.backend() as any).isUsingGpuDevice === true;
      if (!onGpu && !forced) throw new Error("tfjs-node-gpu found no GPU");
      return onGpu ? "libtensorflow on the GPU" : "libtensorflow on the CPU (forced)";
    }
    case "webgpu": {
      // deno-lint-ignore no-explicit-any
      const gpu = (navigator as any).gpu;
      const adapter = await gpu?.requestAdapter?.();
      if (!adapter) throw new Error("no WebGPU adapter");
      const info = adapter.info ?? {};
      const software = isSoftwareAdapter({
        ...info,
        isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter,
      });
      const description = info.description || info.device || "unknown adapter";
      if (software && !forced) throw new Error(`WebGPU adapter is a software renderer (${description})`);
      try {
        await import("@tensorflow/tfjs-backend-webgpu");
      } catch (e) {
        throw new Error(`tfjs-backend-webgpu does not load (${(e as Error).message.split("\n")[0].slice(0, 120)})`);
      }
      if (!(await activate("webgpu"))) throw new Error("the webgpu backend did not start");
      return software ? `${description} (software adapter, forced)` : description;
    }
    case "wasm": {
      configureWasm();
      if (!(await activate("wasm"))) throw new Error("the wasm backend did not start");
      const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
      return `WebAssembly, ${simd}, 1 thread`;
    }
    case "cpu": {
      if (!(await activate("cpu"))) throw new Error("the cpu backend did not start");
      return "plain JavaScript";
    }
  }
}

let current: BackendInfo | undefined;

/** The backend chosen by the last {@link selectBackend}, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * Choose and start a backend: `auto` (default, or `GUIDE_BACKEND`) tries them in {@link AUTO_ORDER}; a name forces that one
 * and fails with a clear error if it cannot run. Prints one line saying which backend runs (unless `quiet`).
 */
export async function selectBackend(
  preference: BackendName | "auto" = (Deno.env.get("GUIDE_BACKEND") as BackendName | undefined) ?? "auto",
  options: { quiet?: boolean } = {},
): Promise<BackendInfo> {
  if (preference !== "auto" && !isBackendName(preference)) {
    throw new Error(`unknown backend "${preference}" (GUIDE_BACKEND or backend): use auto, ${BACKENDS.join(", ")}`);
  }
  // Production mode skips tfjs's debug checks, and its advert for tfjs-node when the cpu backend starts.
  tf.enableProdMode();
  coresForThisProcess(); // a bad GUIDE_CORES is an error here, not a reason to skip a backend
  const candidates: readonly BackendName[] = preference === "auto" ? AUTO_ORDER : [preference];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      const detail = await start(name, preference !== "auto");
      await tf.ready();
      current = { name, detail, skipped, products: chooseProducts(name) };
      if (!options.quiet) console.error(describeBackend(current));
      return current;
    } catch (e) {
      if (preference !== "auto") throw new Error(`backend ${name} cannot run: ${(e as Error).message}`);
      skipped.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no tfjs backend could start: ${skipped.join("; ")}`);
}

/** One line saying which backend runs, where its matrix products run, and what was passed over. */
export function describeBackend(info: BackendInfo): string {
  const passed = info.skipped.length ? `; skipped ${info.skipped.join("; ")}` : "";
  const products = info.name === "wasm" ? `; matrix products: ${info.products.detail}` : "";
  return `backend: ${info.name} (${info.detail})${products}${passed}`;
}

/** Make `name` the active backend and return it (quietly); throws when it cannot start. */
export async function useBackend(name: BackendName): Promise<BackendName> {
  return (await selectBackend(name, { quiet: true })).name;
}
