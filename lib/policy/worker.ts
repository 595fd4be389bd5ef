/**
 * A policy worker: a Deno Worker holding its own tfjs (one WASM thread each) and a copy of the policy's weights,
 * answering the requests of `pool.ts`. Not imported directly.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type BackendName, selectBackend, tf } from "./backend.ts";
import type { ModelConfig } from "./model.ts";
import { Policy } from "./policy.ts";
import type { LossRegistry, TrainSpec } from "./train_spec.ts";
import type { SampleOptions } from "./sample.ts";
import { Tokenizer } from "./tokenizer.ts";

/** Requests a worker answers. */
export type WorkerRequest =
  | {
    kind: "init";
    backend: BackendName;
    config: ModelConfig;
    vocabulary: string;
    weights: [string, Float32Array][];
    /** Module exporting the pool's `LOSS_REGISTRY` (absent: the pool does not train). */
    lossModule?: string;
  }
  | { kind: "weights"; weights: [string, Float32Array][] }
  | { kind: "sample"; contexts: number[][]; options: SampleOptions }
  | { kind: "logprobs"; contexts: number[][]; completions: number[][] }
  | { kind: "gradients"; spec: TrainSpec };

/**
 * A reply: the request's id, and its result or its error's message and name (a posted Error keeps neither its class
 * nor, for a class of the kit's, its name: the pool rebuilds the classes it branches on from `name`).
 */
export type WorkerReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string; name: string };

let policy: Policy | undefined;
let losses: LossRegistry | undefined;

/** The registry exported by `module` (imported here: a function cannot be posted to a worker). */
async function importLosses(module: string): Promise<LossRegistry> {
  const registry = (await import(module)).LOSS_REGISTRY as LossRegistry | undefined;
  if (typeof registry?.lossByName !== "function") throw new Error(`${module} exports no LOSS_REGISTRY`);
  return registry;
}

async function handle(request: WorkerRequest): Promise<{ result: unknown; transfer: Transferable[] }> {
  switch (request.kind) {
    case "init": {
      await selectBackend(request.backend, { quiet: true });
      policy?.dispose();
      policy = Policy.fromValues(request.config, new Tokenizer(request.vocabulary), new Map(request.weights));
      losses = request.lossModule ? await importLosses(request.lossModule) : undefined;
      return { result: null, transfer: [] };
    }
    case "weights": {
      const target = policy!;
      tf.tidy(() => {
        for (const [name, values] of request.weights) {
          const param = target.params.get(name)!;
          param.assign(tf.tensor(values, param.shape));
        }
      });
      return { result: null, transfer: [] };
    }
    case "sample":
      return { result: await policy!.sample(request.contexts, request.options), transfer: [] };
    case "logprobs":
      return { result: await policy!.logprobs(request.contexts, request.completions), transfer: [] };
    case "gradients": {
      if (!losses) throw new Error("no loss registry: the pool was created without one");
      const { loss, grads, metrics } = await policy!.gradients(request.spec, losses.lossByName(request.spec.loss));
      // Copies own their buffers, so they can be transferred without touching tfjs's memory.
      const entries = [...grads].map(([name, g]): [string, Float32Array<ArrayBuffer>] => [name, g.slice()]);
      return { result: { loss, grads: entries, metrics }, transfer: entries.map(([, g]) => g.buffer) };
    }
  }
}

self.onmessage = async (event: MessageEvent<{ id: number; request: WorkerRequest }>) => {
  const { id, request } = event.data;
  try {
    const { result, transfer } = await handle(request);
    self.postMessage({ id, ok: true, result } satisfies WorkerReply, { transfer });
  } catch (e) {
    const { message, name } = e as Error;
    self.postMessage({ id, ok: false, error: message, name } satisfies WorkerReply);
  }
};
