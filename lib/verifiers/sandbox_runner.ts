/**
 * The sandbox's inside, run by `code.ts` as `deno run` with every permission denied. Never imported.
 *
 * It reads one JSON request from stdin (`{nonce, codes, entry, args, timeoutMs}`: the answers of a group, judged
 * against the same tests), then evaluates each answer in a Worker of its own — a separate V8 isolate, created for it
 * and terminated after it — passing it only the entry name and the test arguments, never the nonce. One answer
 * therefore cannot touch another's realm, and its deadline (`timeoutMs`, counted from its own Worker's start) stops
 * only it. The values the entry function returns come back by structured clone (plain data, whatever the code did to
 * its own realm's prototypes or to the functions the harness uses, which it captured first), and this side prints them
 * on one stdout line per answer that starts with the nonce and the answer's index. Whatever the untrusted code prints
 * cannot start with a nonce it has never seen, so the host ignores it; the verdict channel is never within its reach.
 * An answer that takes the whole process down (out of memory) ends the lines; the host judges the answers left
 * without a line again, each in a process of its own.
 *
 * Before the answer runs, its realm loses: every channel out of its Worker (`postMessage`, `BroadcastChannel`, Deno's
 * internals), so shared memory it makes is freed with its Worker instead of pinned in this process for the next
 * answers; every store that reaches the disk (`caches`, `localStorage`, `sessionStorage`, `indexedDB`,
 * `Deno.openKv`); and every name of the machine (`Deno.execPath()`, `Deno.cwd()`, the process ids, and through them
 * Node's `process.execPath`, `title`, `argv`, `cwd()`, `pid`, `ppid`; the global `process` has no `resourceUsage`).
 * The entry is the function the answer's own top-level scope declares under that name, never a global of the same
 * name nor that global re-bound.
 *
 * @module
 */

interface Request {
  nonce: string;
  codes: string[];
  entry: string;
  args: unknown[][];
  /** Each answer's deadline, from its Worker's start. */
  timeoutMs: number;
}

/** What the worker sends back. */
type Outcome =
  | { compileError: string }
  | { results: Record<number, { ok: true; value: unknown } | { ok: false; error: string }>; count: number };

// The worker's whole source. Everything the harness uses is captured before the untrusted code runs (Reflect.apply,
// the port's postMessage, structuredClone, Object's and Array's functions), so that code replacing them afterwards
// (Function.prototype.call, Object.defineProperty, Array.isArray, …) changes nothing the harness does. Results travel
// over a MessagePort that only the harness's closure holds. A returned value is first passed through structuredClone:
// a Proxy is refused, a getter is read once, and what is encoded is plain data that no longer runs code. Values are
// tagged so that undefined, NaN, ±Infinity, -0 and bigints survive JSON; arrays stay arrays (compact on the wire).
//
// Before the answer runs, its realm loses every way out of the Worker, every store that reaches the disk and every
// name of the machine (see below); the entry is then looked up in the answer's own top-level scope (see onmessage).
const WORKER_SOURCE = `
const apply = Reflect.apply;
const send = MessagePort.prototype.postMessage;
const clone = structuredClone;
const makeFunction = Function;
const { create, defineProperty, getOwnPropertyDescriptor, keys, is } = Object;
const isArray = Array.isArray;
const isNaN = Number.isNaN;
const toText = String;
const sliceText = String.prototype.slice;
const post = (port, message) => apply(send, port, [message]);
// No Workers for the answer: each would be another isolate outside the heap cap.
delete globalThis.Worker;
// Nor a way to end its own Worker without a word (read as a timeout after the whole deadline): calling either throws.
delete Deno.exit;
delete globalThis.close;
// No channel to the rest of the process: SharedArrayBuffers or shared WebAssembly.Memory posted to the runner stayed
// pinned there and starved the next answers of memory. Deno's internals hold the raw ops behind such channels.
delete globalThis.postMessage;
delete globalThis.BroadcastChannel;
delete Deno[Deno.internal];
// No store that reaches the disk (the Cache API wrote under --deny-write), whichever of them this Deno offers.
for (const name of ["caches", "CacheStorage", "Cache", "localStorage", "sessionStorage", "Storage", "indexedDB"]) {
  delete globalThis[name];
}
delete Deno.openKv;
// Nothing of the machine: the binary's path, the working folder and process ids read as neutral values (Node's
// process object reads its own from these when first used), and Node's resource usage is gone.
for (const [key, value] of [["execPath", () => "deno"], ["cwd", () => "/"], ["pid", 1], ["ppid", 0]]) {
  defineProperty(Deno, key, { value, configurable: true });
}
delete Deno.chdir;
const processGetter = (getOwnPropertyDescriptor(globalThis, "process") || {}).get;
if (processGetter) {
  defineProperty(globalThis, "process", {
    configurable: true,
    get() {
      const process = apply(processGetter, globalThis, []);
      delete process.resourceUsage;
      delete process.chdir;
      return process;
    },
  });
}
// The global value named \`name\`, read before the answer can change it (Deno's own lazy getters, such as btoa's, run).
const globalValue = (name) => {
  try {
    return globalThis[name];
  } catch {
    return undefined;
  }
};
const define = (target, key, value) =>
  defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
const describe = (error) => apply(sliceText, toText(error && error.message || error), [0, 200]);
const encode = (v) => {
  if (v === undefined) return { $: "undefined" };
  if (typeof v === "number") {
    if (isNaN(v)) return { $: "NaN" };
    if (v === Infinity) return { $: "Infinity" };
    if (v === -Infinity) return { $: "-Infinity" };
    if (is(v, -0)) return { $: "-0" };
    return v;
  }
  if (typeof v === "bigint") return { $: "bigint", v: toText(v) };
  if (isArray(v)) {
    const n = v.length;
    const items = [];
    for (let i = 0; i < n; i++) define(items, i, encode(v[i]));
    return { $: "array", v: items, n };
  }
  if (v && typeof v === "object") {
    const fields = create(null);
    const names = keys(v);
    for (let i = 0; i < names.length; i++) define(fields, names[i], encode(v[names[i]]));
    return { $: "object", v: fields };
  }
  return v;
};
self.onmessage = async (event) => {
  const port = event.ports[0];
  const { code, entry, args } = event.data;
  const builtin = globalValue(entry);
  let fn;
  try {
    // The code must parse alone as a function body, so the text added to it below cannot be spliced into. It then runs
    // by direct eval in a sloppy function nested in one that declares the entry name: the name resolves to what the
    // answer's own top level declares, else to that empty binding, never to a global (an empty answer would pass
    // entry "btoa"); and under eval a top-level return is a syntax error, so the eval's value is the entry's own.
    makeFunction(code);
    const scope = makeFunction("let " + entry + "; return function () { return eval(arguments[0]); };");
    fn = scope()(code + "\\n;" + entry);
  } catch (error) {
    post(port, { compileError: describe(error) });
    return;
  }
  // A declaration that only re-binds the global it shadows (const btoa = globalThis.btoa) defines nothing either.
  if (typeof fn !== "function" || (builtin !== undefined && fn === builtin)) {
    post(port, { compileError: "the response defines no function named " + entry });
    return;
  }
  const results = create(null);
  for (let i = 0; i < args.length; i++) {
    try {
      let value = apply(fn, undefined, args[i]);
      if (value && typeof value.then === "function") value = await value;
      let plain;
      try {
        plain = clone(value);
      } catch (error) {
        define(results, i, { ok: false, error: "returned a value that cannot be copied out (" + describe(error) + ")" });
        continue;
      }
      define(results, i, { ok: true, value: encode(plain) });
    } catch (error) {
      define(results, i, { ok: false, error: describe(error) });
    }
  }
  post(port, { results, count: args.length });
};
`;

const request: Request = JSON.parse(await new Response(Deno.stdin.readable).text());
const encoder = new TextEncoder();

/** Judge one answer in a fresh Worker, stopped at its deadline. */
async function judge(code: string): Promise<Outcome | { crash: string } | { timeout: true }> {
  const worker = new Worker(`data:application/javascript,${encodeURIComponent(WORKER_SOURCE)}`, { type: "module" });
  // Results come only through this channel's other end, handed to the harness before the untrusted code runs;
  // messages the code posts on the worker itself are ignored.
  const channel = new MessageChannel();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await new Promise<Outcome | { crash: string } | { timeout: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timeout: true }), request.timeoutMs);
    channel.port1.onmessage = (event: MessageEvent<Outcome>) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      resolve({ crash: String(event.message).slice(0, 200) });
    };
    worker.postMessage({ code, entry: request.entry, args: request.args }, [channel.port2]);
  });
  clearTimeout(timer);
  channel.port1.close();
  worker.terminate();
  return outcome;
}

for (const [i, code] of request.codes.entries()) {
  const outcome = await judge(code);
  // Only this realm knows the nonce; JSON here is untouched by the untrusted code.
  await Deno.stdout.write(encoder.encode(`\n${request.nonce} ${i} ${JSON.stringify(outcome)}\n`));
}
Deno.exit(0);
