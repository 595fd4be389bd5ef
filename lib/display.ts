/**
 * Display helpers for notebooks on the Deno kernel: {@link show} draws a Plotly figure, {@link progress} draws a
 * progress bar that updates in place. Both work outside Jupyter too (a script, a test, `deno task ablation`):
 * `show` then prints a one-line description and `progress` draws on the terminal.
 *
 * @example
 * ```ts
 * import { progress, show } from "./display.ts";
 * const bar = progress(3, { label: "steps" });
 * for (let i = 0; i < 3; i++) bar.tick();
 * await bar.done();
 * await show({ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: "counts" } });
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type Figure, figureTitle } from "./plot/figure.ts";
import { escapeHtml, figureHtml, FigureRenderer } from "./plot/export.ts";
import { findChromium } from "./plot/chromium.ts";

/** Are we running inside `deno jupyter` (where `Deno.jupyter` exists)? */
export function inJupyter(): boolean {
  try {
    // Outside the kernel, reading Deno.jupyter throws rather than returning undefined.
    return typeof Deno.jupyter?.broadcast === "function";
  } catch {
    return false;
  }
}

/** The fallback a frontend without a Plotly renderer shows (GitHub, nbviewer, a plain Jupyter install). */
export type Fallback = "png" | "html" | "none";

/** Options of {@link show}. */
export interface ShowOptions {
  /** Fallback beside the Plotly bundle; default `png` when Chromium is installed, else `html` (Plotly inlined). */
  fallback?: Fallback;
  /** Size of the PNG fallback in CSS pixels (default: the figure's layout size, else 900 × 500). */
  width?: number;
  height?: number;
}

// One browser renders every PNG fallback of a session; it closes itself after a short idle time, so a kernel does
// not keep a Chromium alive between cells.
let renderer: Promise<FigureRenderer> | undefined;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
const RENDERER_IDLE_MS = 5_000;

async function renderPng(figure: Figure, options: ShowOptions, chromium: string): Promise<Uint8Array> {
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  renderer ??= FigureRenderer.launch(chromium);
  const active = renderer;
  try {
    // Large enough to read in a notebook that shows only the fallback (GitHub, nbviewer): the figure's own size, else
    // 900 × 500 CSS pixels, at 1.5× for sharp text.
    const layout = (figure.layout ?? {}) as { width?: number; height?: number };
    const width = options.width ?? layout.width ?? 900;
    const height = options.height ?? layout.height ?? 500;
    return await (await active).render(figure, "png", { width, height, scale: 1.5 });
  } finally {
    idleTimer = setTimeout(() => {
      if (renderer === active) renderer = undefined;
      active.then((r) => r.close()).catch(() => {});
    }, RENDERER_IDLE_MS);
    Deno.unrefTimer(idleTimer);
  }
}

/**
 * The Jupyter MIME bundle for a figure: the Plotly JSON (rendered interactively by JupyterLab with its Plotly
 * extension and by VS Code) plus a fallback for frontends without a Plotly renderer.
 */
export async function figureBundle(figure: Figure, options: ShowOptions = {}): Promise<Record<string, unknown>> {
  const chromium = findChromium();
  const fallback = options.fallback ?? (chromium ? "png" : "html");
  const title = figureTitle(figure);
  const bundle: Record<string, unknown> = {
    "application/vnd.plotly.v1+json": { data: figure.data, layout: figure.layout ?? {}, config: figure.config ?? {} },
    "text/plain": `Plotly figure${title ? `: ${title}` : ""} (${figure.data.length} traces)`,
  };
  if (fallback === "png") {
    if (!chromium) throw new Error(`show: fallback "png" needs Chromium (GUIDE_CHROMIUM or Debian's chromium)`);
    bundle["image/png"] = Buffer.from(await renderPng(figure, options, chromium)).toString("base64");
  } else if (fallback === "html") {
    bundle["text/html"] = figureHtml(figure);
  }
  return bundle;
}

/**
 * Show a Plotly figure: in Jupyter as a display with the Plotly MIME bundle and a PNG or HTML fallback; elsewhere
 * as one line on stdout.
 */
export async function show(figure: Figure, options: ShowOptions = {}): Promise<void> {
  if (!inJupyter()) {
    const title = figureTitle(figure);
    console.log(`[figure${title ? `: ${title}` : ""}, ${figure.data.length} traces]`);
    return;
  }
  const bundle = await figureBundle(figure, options);
  await Deno.jupyter.display(bundle, { raw: true });
  await settleIopub(JSON.stringify(bundle).length);
}

/**
 * Show Markdown (a results table, a summary file): rendered in Jupyter, printed as it is elsewhere.
 */
export async function showMarkdown(markdown: string): Promise<void> {
  if (!inJupyter()) {
    console.log(markdown);
    return;
  }
  await Deno.jupyter.display({ "text/markdown": markdown, "text/plain": markdown }, { raw: true });
  await settleIopub(markdown.length);
}

/** A running progress display. */
export interface Progress {
  /** Count `n` more units done (default 1); `info` is shown after the counts (e.g. the latest reward). */
  tick(n?: number, info?: string): void;
  /** Set the count of units done. */
  set(done: number, info?: string): void;
  /** Finish: draw the final state (and end the terminal line); resolves once Jupyter has been sent the update. */
  done(info?: string): Promise<void>;
}

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Shown before the bar. */
  label?: string;
  /** Where to draw: `jupyter` (one display updated in place), `terminal`, or `auto` (default). */
  target?: "auto" | "jupyter" | "terminal";
  /** Redraw at most this often, in ms (the final state is always drawn). Default 200. */
  intervalMs?: number;
}

/** `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

interface ProgressState {
  label?: string;
  done: number;
  total: number;
  elapsedS: number;
  info?: string;
}

/** Counts, percentage, elapsed time, ETA and info: everything but the label and the bar. */
export function progressStatus(state: ProgressState): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const eta = state.done > 0 ? (state.elapsedS / state.done) * (state.total - state.done) : NaN;
  return [
    `${state.done}/${state.total} ${(fraction * 100).toFixed(0).padStart(3)}%`,
    ` ${formatDuration(state.elapsedS)}`,
    state.done < state.total ? ` eta ${formatDuration(eta)}` : "",
    state.info ? `  ${state.info}` : "",
  ].join("");
}

/** One line of text describing progress: label, bar, then {@link progressStatus}. */
export function progressLine(state: ProgressState, width = 24): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + ".".repeat(width - filled);
  return `${state.label ? `${state.label} ` : ""}[${bar}] ${progressStatus(state)}`;
}

let displayCounter = 0;

/**
 * Give the kernel time to put sent display messages on the wire. `Deno.jupyter.broadcast` resolves once a message
 * is queued; a cell that ends right after it can report "idle" first, and nbconvert then drops the message. Measured
 * here: 5 MB displays at the end of a cell were lost 7 times in 24 without a pause and never with 50 ms; bursts of
 * small `update_display_data` were lost too. The pause (50 ms + 1 ms per 25 kB) grows with the message size. Outside Jupyter it is zero.
 */
function settleIopub(bytes = 0): Promise<void> {
  if (!inJupyter()) return Promise.resolve();
  const ms = 50 + bytes / 25_000;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Start a progress display for `total` units. In Jupyter it is one display updated in place
 * (`Deno.jupyter.broadcast` with a display id); elsewhere a terminal bar on stderr (a line per 10% when stderr is
 * not a terminal, so logs stay short).
 */
export function progress(total: number, options: ProgressOptions = {}): Progress {
  const target = options.target === "auto" || options.target === undefined
    ? (inJupyter() ? "jupyter" : "terminal")
    : options.target;
  const intervalMs = options.intervalMs ?? 200;
  const started = performance.now();
  const displayId = `guide-progress-${Deno.pid}-${++displayCounter}`;
  const tty = Deno.stderr.isTerminal();
  let done = 0;
  let info: string | undefined;
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let shown = false;
  let finished = false;
  // Jupyter messages are sent in order, one after another, so an update never overtakes the display it updates.
  let sending: Promise<void> = Promise.resolve();

  const draw = (final: boolean) => {
    const now = performance.now();
    const due = final || now - lastDraw >= intervalMs;
    // Without a terminal, a line per tenth keeps logs short whatever the rate of ticks.
    const decile = total > 0 ? Math.floor((10 * done) / total) : 0;
    if (target === "terminal" && !tty ? !(final || decile > lastDecile) : !due) return;
    lastDraw = now;
    lastDecile = decile;
    const state = { label: options.label, done, total, elapsedS: (now - started) / 1000, info };
    const line = progressLine(state);
    if (target === "jupyter") {
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const html = `<div style="font-family:monospace">${escapeHtml(options.label ?? "")} ` +
        `<progress value="${fraction}" max="1" style="width:16em;vertical-align:middle"></progress> ` +
        `${escapeHtml(progressStatus(state))}</div>`;
      const msgType = shown ? "update_display_data" : "display_data";
      shown = true;
      const content = {
        data: { "text/plain": line, "text/html": html },
        metadata: {},
        transient: { display_id: displayId },
      };
      sending = sending.then(() => Deno.jupyter.broadcast(msgType, content)).catch(() => {});
    } else if (tty) {
      Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2K${line}${final ? "\n" : ""}`));
    } else {
      console.error(line);
    }
  };

  draw(true);
  return {
    tick(n = 1, newInfo?: string) {
      this.set(done + n, newInfo);
    },
    set(value: number, newInfo?: string) {
      if (finished) return;
      done = value;
      if (newInfo !== undefined) info = newInfo;
      draw(false);
    },
    done(newInfo?: string) {
      if (!finished) {
        if (newInfo !== undefined) info = newInfo;
        finished = true;
        draw(true);
      }
      return sending.then(() => settleIopub());
    },
  };
}
