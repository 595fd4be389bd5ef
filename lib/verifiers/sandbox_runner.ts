/**
 * The sandbox's inside, run by `code.ts` as `deno run` with every permission denied. Never imported.
 *
 * It reads one JSON request from stdin (`{nonce, code, entry, args}`), then evaluates the untrusted code in a Worker
 * — a separate V8 isolate — and passes it only the entry name and the test arguments, never the nonce. The values
 * the entry function returns come back by structured clone (plain data, whatever the code did to its own realm's
 * prototypes), and this side prints them on one stdout line that starts with the nonce. Whatever the untrusted code
 * prints cannot start with a nonce it has never seen, so the host ignores it.
 *
 * @module
 */

interface Request {
  nonce: string;
  code: string;
  entry: string;
  args: unknown[][];
}

/** What the worker sends back. */
type Outcome =
  | { compileError: string }
  | { results: Record<number, { ok: true; value: unknown } | { ok: false; error: string }>; count: number };

// The worker's whole source. The harness keeps everything the untrusted code could tamper with out of its reach:
// results travel over a MessagePort that only the harness's closure holds, sent with a postMessage captured before
// the code runs, in containers without prototypes (no inherited setters). Values are tagged so that undefined,
// NaN, ±Infinity, -0 and bigints survive JSON.
const WORKER_SOURCE = `
const send = MessagePort.prototype.postMessage;
const defineValue = (target, key, value) => Object.defineProperty(target, key, { value, enumerable: true });
const encode = (v) => {
  if (v === undefined) return { $: "undefined" };
  if (typeof v === "number") {
    if (Number.isNaN(v)) return { $: "NaN" };
    if (v === Infinity) return { $: "Infinity" };
    if (v === -Infinity) return { $: "-Infinity" };
    if (Object.is(v, -0)) return { $: "-0" };
    return v;
  }
  if (typeof v === "bigint") return { $: "bigint", v: v.toString() };
  if (Array.isArray(v)) {
    const items = Object.create(null);
    for (let i = 0; i < v.length; i++) defineValue(items, i, encode(v[i]));
    return { $: "array", v: items, n: v.length };
  }
  if (v && typeof v === "object") {
    const fields = Object.create(null);
    for (const k of Object.keys(v)) defineValue(fields, k, encode(v[k]));
    return { $: "object", v: fields };
  }
  return v;
};
self.onmessage = async (event) => {
  const port = event.ports[0];
  const { code, entry, args } = event.data;
  let fn;
  try {
    fn = new Function(code + "\\n;return typeof " + entry + " === 'function' ? " + entry + " : undefined;")();
  } catch (error) {
    send.call(port, { compileError: String(error && error.message || error).slice(0, 200) });
    return;
  }
  if (typeof fn !== "function") {
    send.call(port, { compileError: "the response defines no function named " + entry });
    return;
  }
  const results = Object.create(null);
  for (let i = 0; i < args.length; i++) {
    try {
      let value = fn(...args[i]);
      if (value && typeof value.then === "function") value = await value;
      defineValue(results, i, { ok: true, value: encode(value) });
    } catch (error) {
      defineValue(results, i, { ok: false, error: String(error && error.message || error).slice(0, 200) });
    }
  }
  send.call(port, { results, count: args.length });
};
`;

const request: Request = JSON.parse(await new Response(Deno.stdin.readable).text());
const worker = new Worker(`data:application/javascript,${encodeURIComponent(WORKER_SOURCE)}`, { type: "module" });
// Results come only through this channel's other end, handed to the harness before the untrusted code runs;
// messages the code posts on the worker itself are ignored.
const channel = new MessageChannel();
const outcome = await new Promise<Outcome | { crash: string }>((resolve) => {
  channel.port1.onmessage = (event: MessageEvent<Outcome>) => resolve(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    resolve({ crash: String(event.message).slice(0, 200) });
  };
  worker.postMessage({ code: request.code, entry: request.entry, args: request.args }, [channel.port2]);
});
channel.port1.close();
worker.terminate();
// Only this realm knows the nonce; JSON here is untouched by the untrusted code.
await Deno.stdout.write(new TextEncoder().encode(`\n${request.nonce} ${JSON.stringify(outcome)}\n`));
Deno.exit(0);
