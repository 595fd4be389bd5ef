/**
 * An ablation's progress as it is drawn: the runner's state ({@link AblationProgress}), the overall line with its ETA
 * ({@link progressHead}), a drawer for terminals, logs and Jupyter, and a tracker that keeps the state current.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressHead } from "./progress.ts";
 * const line = progressHead({ phase: "runs", total: 4, skipped: 0, finished: 2, failed: [], workers: [], fraction: 0.5,
 *   elapsedS: 2700, runsElapsedS: 300 });
 * assert.equal(line, "ablation runs: 2/4 runs done · 50% · 45:00 elapsed · eta 5:00");
 * ```
 *
 * @module
 */
import { formatDuration, progress as progressBar } from "../display.ts";

/** A worker's latest report, and the runner's overall state: what progress displays draw. */
export interface AblationProgress {
  /** Runs in the grid, finished before this invocation, finished by it, failed. */
  total: number;
  skipped: number;
  finished: number;
  failed: string[];
  /** What each worker is doing (index = worker). */
  workers: (
    {
      run: string;
      step: number;
      steps: number;
      rollouts: number;
      budget: number;
      reward?: number;
      /** The step a cut-off run went on from. */
      resumedFrom?: number;
    } | null
  )[];
  /** The phase: building the base, evaluating it, running the grid, writing results. */
  phase: "base" | "base-eval" | "runs" | "results" | "done";
  /** Fraction of this invocation's work done (runs, counting partial progress), and seconds elapsed. */
  fraction: number;
  elapsedS: number;
  /** Seconds since the runs began (0 before): the ETA extrapolates from this, not from the base's SFT time. */
  runsElapsedS: number;
  /** Free text of the current phase (e.g. the base's SFT step). */
  info?: string;
  /** The base's SFT build: the fraction of its steps done, and the seconds left at this invocation's pace. */
  base?: { fraction: number; etaS: number };
}

/**
 * The overall progress line. The ETA extrapolates the runs phase alone (the base's SFT, which can take longer than a
 * run, would otherwise inflate it), so it appears once the runs begin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const line = progressHead({ phase: "runs", total: 4, skipped: 0, finished: 2, failed: [], workers: [], fraction: 0.5,
 *   elapsedS: 2700, runsElapsedS: 300 });
 * assert.equal(line, "ablation runs: 2/4 runs done · 50% · 45:00 elapsed · eta 5:00");
 * ```
 */
export function progressHead(s: AblationProgress): string {
  const extrapolate = (fraction: number, elapsedS: number) =>
    fraction > 0 && fraction < 1 ? (elapsedS * (1 - fraction)) / fraction : NaN;
  // While the base builds (the longest phase of a fresh grid), its own share and ETA; then the runs'.
  const building = s.phase === "base" && s.base !== undefined;
  const eta = building ? s.base!.etaS : s.phase === "runs" ? extrapolate(s.fraction, s.runsElapsedS) : NaN;
  const share = building ? `base ${(s.base!.fraction * 100).toFixed(0)}%` : `${(s.fraction * 100).toFixed(0)}%`;
  return `ablation ${s.phase}: ${s.finished + s.skipped}/${s.total} runs done` +
    (s.skipped ? ` (${s.skipped} already)` : "") + (s.failed.length ? `, ${s.failed.length} failed` : "") +
    ` · ${share} · ${formatDuration(s.elapsedS)} elapsed` +
    (Number.isFinite(eta) ? ` · eta ${formatDuration(eta)}` : "") + (s.info ? ` · ${s.info}` : "");
}

/** Draws progress: a line per worker and an overall line with ETA (terminal), or one kernel display (Jupyter). */
export function progressDrawer(mode: "terminal" | "jupyter" | "none", workers: number) {
  if (mode === "none") return { draw: (_: AblationProgress) => {}, end: async () => {} };
  if (mode === "jupyter") {
    const bar = progressBar(1000, { label: "ablation" });
    let last: AblationProgress | undefined;
    const info = (s: AblationProgress) =>
      `${s.phase}: ${s.finished + s.skipped}/${s.total} runs` +
      (s.failed.length ? `, ${s.failed.length} failed` : "") +
      (s.info ? ` · ${s.info}` : "") +
      s.workers.map((w, i) => (w ? ` · w${i + 1} ${w.run} ${w.step}/${w.steps}` : "")).join("");
    return {
      draw: (s: AblationProgress) => {
        last = s;
        bar.set(Math.round(s.fraction * 1000), info(s));
      },
      end: async () => {
        await bar.done(last ? info(last) : undefined);
      },
    };
  }
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let drawn = 0;
  let lastPlain = 0;
  let lastState = "";
  const lastWorkers: string[] = [];
  const lines = (s: AblationProgress) => {
    const head = progressHead(s);
    const rows = s.phase === "runs"
      ? Array.from({ length: workers }, (_, i) => {
        const w = s.workers[i];
        if (!w) return `  worker ${i + 1}: idle`;
        // A step's completions can pass the budget (the step that crosses it finishes): shown clamped to it.
        const budget = w.budget > 0 ? ` rollouts ${Math.min(w.rollouts, w.budget)}/${w.budget}` : "";
        const reward = w.reward !== undefined ? ` reward ${w.reward.toFixed(3)}` : "";
        const resumed = w.resumedFrom !== undefined ? ` (resumed at step ${w.resumedFrom})` : "";
        return `  worker ${i + 1}: ${w.run} step ${w.step}/${w.steps}${resumed}${budget}${reward}`;
      })
      : [];
    return [head, ...rows];
  };
  return {
    draw: (s: AblationProgress) => {
      const text = lines(s);
      if (tty) {
        const clear = drawn > 0 ? `\x1b[${drawn}A` : "";
        Deno.stderr.writeSync(encoder.encode(clear + text.map((l) => `\x1b[2K${l}\n`).join("")));
        drawn = text.length;
        return;
      }
      // Logs (piped, redirected): a line per event — the head when the phase or a count changes, a worker's line when
      // it starts or resumes a run — and the head again at most once a minute, never the whole block redrawn.
      const events: string[] = [];
      const state = `${s.phase} ${s.finished} ${s.skipped} ${s.failed.length} ${s.info ?? ""}`;
      const now = performance.now();
      if (state !== lastState || now - lastPlain >= 60_000) {
        events.push(text[0]);
        lastState = state;
        lastPlain = now;
      }
      s.workers.forEach((w, i) => {
        const seen = w ? `${w.run} ${w.resumedFrom ?? ""}` : "";
        if (w && seen !== lastWorkers[i]) events.push(text[1 + i]);
        lastWorkers[i] = seen;
      });
      if (events.length > 0) Deno.stderr.writeSync(encoder.encode(events.join("\n") + "\n"));
    },
    end: async () => {},
  };
}

/**
 * The runner's state, kept current: elapsed time, the runs phase's own clock (for the ETA), the fraction of this
 * invocation's runs done (finished, failed and the partial progress of active ones); each change is drawn.
 */
export class ProgressTracker {
  readonly state: AblationProgress;
  private readonly started = performance.now();
  private runsStarted = NaN;
  private baseFrom: { step: number; at: number } | undefined;
  private readonly partial = new Map<string, number>();

  constructor(
    total: number,
    skipped: number,
    workers: number,
    private readonly pending: number,
    private readonly onChange: (state: AblationProgress) => void,
  ) {
    this.state = {
      total,
      skipped,
      finished: 0,
      failed: [],
      workers: Array(workers).fill(null),
      phase: "base",
      // Nothing left to run (a rerun of a finished grid): the invocation's work is done but for the results.
      fraction: pending > 0 ? 0 : 1,
      elapsedS: 0,
      runsElapsedS: 0,
    };
  }

  /** Enter a phase (with its free text), and draw. */
  phase(phase: AblationProgress["phase"], info?: string): void {
    this.state.phase = phase;
    this.info(info);
  }

  /** Set the current phase's free text, and draw. */
  info(info?: string): void {
    this.state.info = info;
    this.update();
  }

  /** Record the base build's progress (step of steps), and draw. */
  baseStep(step: number, steps: number, info: string): void {
    // A resumed build starts part-way: its pace counts the steps done in this invocation only.
    this.baseFrom ??= { step: step - 1, at: performance.now() };
    const done = step - this.baseFrom.step;
    const secondsPerStep = (performance.now() - this.baseFrom.at) / 1000 / Math.max(1, done);
    this.state.base = {
      fraction: steps > 0 ? step / steps : 0,
      etaS: done > 1 ? (steps - step) * secondsPerStep : NaN,
    };
    this.info(info);
  }

  /** Record a run's partial progress (0…1), or its end (`undefined`), and draw. */
  partialRun(id: string, fraction: number | undefined): void {
    if (fraction === undefined) this.partial.delete(id);
    else this.partial.set(id, fraction);
    this.update();
  }

  /** Recompute the times and the fraction, and draw. */
  update(): void {
    const s = this.state;
    s.elapsedS = (performance.now() - this.started) / 1000;
    if (s.phase === "runs") {
      if (Number.isNaN(this.runsStarted)) this.runsStarted = performance.now();
      s.runsElapsedS = (performance.now() - this.runsStarted) / 1000;
      const active = [...this.partial.values()].reduce((a, b) => a + b, 0);
      s.fraction = this.pending > 0 ? (s.finished + s.failed.length + active) / this.pending : 1;
    }
    this.onChange(s);
  }
}
