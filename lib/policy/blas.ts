/**
 * OpenBLAS through Deno's FFI: the native matrix products behind the WASM backend's `BatchMatMul` and
 * `_FusedMatMul` kernels (`native.ts`). `cblas_sgemm` reads and writes `Float32Array` views of the WASM backend's own
 * memory, so no tensor is copied out of tfjs.
 *
 * `GUIDE_BLAS` chooses: `auto` (default: Debian's `libopenblas.so.0`, from the package `libopenblas0-pthread`),
 * `off` (WASM kernels only), or a path to a library. A library is used only when it is OpenBLAS: the reference BLAS
 * (`libblas.so.3` from `libblas3`) has no threads and runs slower than WASM, and a library without `cblas_sgemm` is
 * not a BLAS at all; both are refused with a one-line reason, and the WASM kernels run.
 *
 * OpenBLAS 0.3.21 (Debian 12) does not recognise recent Intel models and falls back to its Prescott (SSE3) kernels,
 * 3–5× slower than the AVX-512 ones on the same core. So the kit chooses the kernels from the CPU's flags (`SkylakeX`
 * with AVX-512, `Haswell` with AVX2 + FMA) unless `OPENBLAS_CORETYPE` is set (yours stands). OpenBLAS has no call
 * that chooses its kernels: its constructor reads `OPENBLAS_CORETYPE` from the environment while the library loads,
 * and never again. So the kit puts the variable in the environment for the load alone (`dlopen`) and takes it out
 * right after: the process's environment is as it was, and no child process inherits the choice (`deno task bench`
 * hands it to its PyTorch peer explicitly, from {@link Blas.coreType}). The threads of one product are set through
 * OpenBLAS's own call (`openblas_set_num_threads`), not through `OPENBLAS_NUM_THREADS`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBlas } from "./blas.ts";
 * const loaded = loadBlas("off");
 * assert.equal(loaded.blas, null);
 * assert.equal(loaded.reason, "GUIDE_BLAS=off");
 * ```
 *
 * @module
 */

/** Row-major storage, as tfjs keeps tensors (CBLAS_ORDER). */
const ROW_MAJOR = 101;
/** CBLAS_TRANSPOSE values. */
const NO_TRANS = 111;
const TRANS = 112;

/** Library names tried, in order, when `GUIDE_BLAS` is `auto`. */
export const OPENBLAS_CANDIDATES = [
  "libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "libopenblas.so",
  "libopenblas.dylib",
];

/** The Debian package that provides OpenBLAS with threads. */
export const OPENBLAS_PACKAGE = "libopenblas0-pthread";

const SGEMM = {
  // order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc
  parameters: [
    "i32",
    "i32",
    "i32",
    "i32",
    "i32",
    "i32",
    "f32",
    "buffer",
    "i32",
    "buffer",
    "i32",
    "f32",
    "buffer",
    "i32",
  ],
  result: "void",
} as const;

const SGEMV = {
  // order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy
  parameters: ["i32", "i32", "i32", "i32", "f32", "buffer", "i32", "buffer", "i32", "f32", "buffer", "i32"],
  result: "void",
} as const;

const OPENBLAS_SYMBOLS = {
  cblas_sgemm: SGEMM,
  cblas_sgemv: SGEMV,
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
  openblas_get_corename: { parameters: [], result: "pointer" },
} as const;

/** A loaded OpenBLAS. */
export interface Blas {
  /** The library as it was opened. */
  path: string;
  /** `openblas_get_config()`, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64". */
  config: string;
  /** The kernels in use, e.g. "SkylakeX". */
  core: string;
  /** How the kernels were chosen (detected by OpenBLAS, from the CPU's flags, or from OPENBLAS_CORETYPE). */
  coreSource: string;
  /**
   * The `OPENBLAS_CORETYPE` the library loaded with: yours, or the kit's from the CPU's flags; undefined where
   * OpenBLAS chose by itself. What another process needs to run the same kernels.
   */
  coreType?: string;
  /**
   * C = alpha · op(A) · op(B) + beta · C, row-major, on byte views (`Uint8Array`s over any memory, the WASM heap
   * included): op(A) is m × k, op(B) is k × n, C is m × n. The caller guarantees that every view covers its matrix
   * (a short view makes OpenBLAS read or write past it).
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Uint8Array,
    lda: number,
    b: Uint8Array,
    ldb: number,
    beta: number,
    c: Uint8Array,
    ldc: number,
  ): void;
  /**
   * y = alpha · op(A) · x + beta · y, row-major: A is m × n as stored, op(A) = Aᵀ with `trans` (then x has m
   * entries and y n), contiguous vectors. Views as for {@link Blas.sgemm}.
   */
  sgemv(
    trans: boolean,
    m: number,
    n: number,
    alpha: number,
    a: Uint8Array,
    lda: number,
    x: Uint8Array,
    beta: number,
    y: Uint8Array,
  ): void;
  /** Threads OpenBLAS uses for one product (process-wide). */
  threads(): number;
  /** Set the threads of one product (process-wide; never more than the cores). */
  setThreads(threads: number): void;
}

/**
 * Cores this process may use: `GUIDE_CORES` when set (the ablation runner gives each of its concurrent run
 * processes a share), else all of the machine's. Throws on a value that is not a whole number ≥ 1.
 */
export function coresForThisProcess(): number {
  const machine = navigator.hardwareConcurrency ?? 1;
  const set = Deno.env.get("GUIDE_CORES");
  if (set === undefined || set === "") return machine;
  const cores = Number(set);
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`GUIDE_CORES: expected a whole number ≥ 1, got "${set}"`);
  return Math.min(cores, machine);
}

/** The result of {@link loadBlas}: the library, or why none is used. */
export type BlasLoad = { blas: Blas; reason?: undefined } | { blas: null; reason: string };

/** OpenBLAS's name for the best kernels the CPU's flags allow, or undefined where its own detection should stand. */
export function coreTypeForFlags(flags: ReadonlySet<string>): string | undefined {
  if (["avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"].every((f) => flags.has(f))) return "SkylakeX";
  if (flags.has("avx2") && flags.has("fma")) return "Haswell";
  return undefined;
}

/** The CPU's feature flags from /proc/cpuinfo (empty where it cannot be read). */
function cpuFlags(): Set<string> {
  try {
    const line = Deno.readTextFileSync("/proc/cpuinfo").match(/^flags\s*:(.*)$/m);
    return new Set(line ? line[1].trim().split(/\s+/) : []);
  } catch {
    return new Set();
  }
}

/** How OpenBLAS's kernels are chosen: the core type it loads with, whether the kit sets it, and the line that says so. */
interface CoreChoice {
  coreType?: string;
  /** True where the kit sets `coreType` for the load (the environment has none). */
  kitSets: boolean;
  source: string;
}

/** Choose OpenBLAS's kernels before it loads (see the module doc): yours, else from the CPU's flags, else its own. */
function chooseCoreType(): CoreChoice {
  const set = Deno.env.get("OPENBLAS_CORETYPE");
  if (set) return { coreType: set, kitSets: false, source: `OPENBLAS_CORETYPE=${set}` };
  const core = coreTypeForFlags(cpuFlags());
  if (!core) return { kitSets: false, source: "detected by OpenBLAS" };
  return { coreType: core, kitSets: true, source: `from the CPU's flags (OPENBLAS_CORETYPE=${core})` };
}

/**
 * Run `load` (the `dlopen` calls) with `OPENBLAS_CORETYPE` in the environment where the kit chose it, and take it out
 * again after: OpenBLAS's constructor reads it during the load, and there is no other way to hand it the choice.
 */
function loadingWith<T>(choice: CoreChoice, load: () => T): T {
  if (!choice.kitSets) return load();
  Deno.env.set("OPENBLAS_CORETYPE", choice.coreType!);
  try {
    return load();
  } finally {
    Deno.env.delete("OPENBLAS_CORETYPE");
  }
}

/** True in a Deno Worker (a pool's), false on the process's main thread. */
const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";

/** Whether this thread has set the product threads of a library it loaded (once, on the main thread). */
let threadsSet = false;

function firstLine(e: unknown): string {
  return String((e as Error).message ?? e).split("\n")[0].slice(0, 160);
}

let loaded: BlasLoad | undefined;
let loadedSetting: string | undefined;

/**
 * Load OpenBLAS as `setting` says (default `GUIDE_BLAS`, else `auto`), once per process (Worker) and setting: a
 * library that loaded is kept, a failure is tried again next time (OpenBLAS may have been installed since). Never
 * throws: a missing library, a missing FFI permission or a library that is not OpenBLAS gives `{ blas: null, reason }`.
 */
export function loadBlas(setting: string = Deno.env.get("GUIDE_BLAS") || "auto"): BlasLoad {
  if (loaded && loadedSetting === setting) return loaded;
  const load = open(setting);
  if (load.blas) {
    loaded = load;
    loadedSetting = setting;
  }
  return load;
}

function open(setting: string): BlasLoad {
  if (setting === "off") return { blas: null, reason: "GUIDE_BLAS=off" };
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { blas: null, reason: "no FFI permission (run with --allow-ffi, or -A, to use OpenBLAS)" };
  }
  const candidates = setting === "auto" ? OPENBLAS_CANDIDATES : [setting];
  let choice: CoreChoice = { kitSets: false, source: "detected by OpenBLAS" };
  let threads: number | undefined;
  try {
    choice = chooseCoreType();
    // One product may use every core this process has (OpenBLAS's own count is every core of the machine). The count
    // is process-wide: the main thread sets it once, on its first load; a pool's workers, which load the library
    // after it, leave it to the pool (`setProductThreads`). OPENBLAS_NUM_THREADS, when set, is OpenBLAS's to read.
    if (!inWorker && !threadsSet && !Deno.env.get("OPENBLAS_NUM_THREADS")) threads = coresForThisProcess();
  } catch (e) {
    // Without env permission OpenBLAS keeps its own choices; a bad GUIDE_CORES is the caller's error.
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) throw e;
  }
  return loadingWith(choice, () => openFirst(candidates, setting, choice, threads));
}

/** Open the first of `candidates` that is there, as {@link open} says. */
function openFirst(candidates: string[], setting: string, choice: CoreChoice, threads?: number): BlasLoad {
  const failures: string[] = [];
  for (const path of candidates) {
    let sgemmOnly: Deno.DynamicLibrary<{ cblas_sgemm: typeof SGEMM }>;
    try {
      sgemmOnly = Deno.dlopen(path, { cblas_sgemm: SGEMM });
    } catch (e) {
      const message = firstLine(e);
      // dlopen's "cannot open shared object file" means "not here": try the next name quietly.
      if (/cannot open shared object|image not found|no such file/i.test(message)) {
        failures.push(`${path}: not found`);
        continue;
      }
      return { blas: null, reason: `${path} is not a BLAS (no cblas_sgemm: ${message})` };
    }
    sgemmOnly.close();
    let lib: Deno.DynamicLibrary<typeof OPENBLAS_SYMBOLS>;
    try {
      lib = Deno.dlopen(path, OPENBLAS_SYMBOLS);
    } catch {
      return {
        blas: null,
        reason: `${path} has cblas_sgemm but is not OpenBLAS (no openblas_set_num_threads: a reference BLAS without ` +
          `threads, slower than WASM); install ${OPENBLAS_PACKAGE}`,
      };
    }
    const blas = wrap(path, lib, choice);
    if (threads !== undefined) {
      blas.setThreads(threads);
      threadsSet = true;
    }
    return { blas };
  }
  const hint = setting === "auto" ? `; install ${OPENBLAS_PACKAGE} (deno task setup)` : "";
  return { blas: null, reason: `OpenBLAS not found (${failures.join(", ")})${hint}` };
}

function wrap(path: string, lib: Deno.DynamicLibrary<typeof OPENBLAS_SYMBOLS>, choice: CoreChoice): Blas {
  const s = lib.symbols;
  const text = (p: Deno.PointerValue) => (p ? Deno.UnsafePointerView.getCString(p) : "");
  const cores = navigator.hardwareConcurrency ?? 1;
  return {
    path,
    config: text(s.openblas_get_config()),
    core: text(s.openblas_get_corename()),
    coreSource: choice.source,
    coreType: choice.coreType,
    sgemm: (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
      s.cblas_sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        alpha,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      ),
    sgemv: (trans, m, n, alpha, a, lda, x, beta, y) =>
      s.cblas_sgemv(ROW_MAJOR, trans ? TRANS : NO_TRANS, m, n, alpha, a, lda, x, 1, beta, y, 1),
    threads: () => s.openblas_get_num_threads(),
    setThreads: (threads) => s.openblas_set_num_threads(Math.max(1, Math.min(cores, Math.floor(threads)))),
  };
}
