/**
 * The figures of an ablation, built from its report (`report.ts`) as plain Plotly JSON with one style:
 * a colour per variant kept across figures, mean lines with markers and 95% CI bands over seeds, axis titles with
 * units, fonts sized for a paper column (640 × 400 px at 2×). Every figure says under its title what its lines,
 * bands and bars are and over how many seeds; a probability's axis runs from 0 to just above the highest value
 * (never below 0 or past 1, and never −1 to 1 when every value is 0).
 *
 * @example
 * ```ts
 * import { learningFigure } from "./plots.ts";
 * import { type AblationReport, isOverall } from "./report.ts";
 * declare const report: AblationReport;
 * const figure = learningFigure(report, "step");
 * ```
 *
 * @module
 */
import { type AblationReport, BASE_LABEL, isOverall } from "./report.ts";
import type { CurvePoint } from "./statistics.ts";
import type { NestedVerdict } from "./nested.ts";
import { RATIO_BINS } from "../rl/step_report.ts";
import { type Figure, FIGURE_FONT } from "../plot/figure.ts";

/**
 * Colours by variant order: Okabe–Ito's first (readable in print and by colour-blind readers), then twelve more,
 * all distinct; past them the colours repeat with another dash ({@link variantStyle}), so no two variants share a
 * line style.
 */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#332288",
  "#8c564b",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
  "#9467bd",
  "#e377c2",
  "#2ca02c",
  "#d62728",
  "#1f3b73",
  "#a65628",
  "#88a000",
];

/** Line dashes: a family's members (one per member), or a round through the palette. */
const DASHES = [
  "solid",
  "dash",
  "dot",
  "dashdot",
  "longdash",
  "longdashdot",
  "6px,2px,1px,2px,1px,2px",
  "12px,3px,2px,3px",
];

/** The colour and dash of the `index`-th variant: distinct for up to PALETTE × DASHES variants. */
export function variantStyle(index: number): { color: string; dash: string } {
  const i = Math.max(0, index);
  return { color: PALETTE[i % PALETTE.length], dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length] };
}

/** Past this many variants the legend moves to the right of the plot, one entry a line, and bands lighten. */
const MANY_VARIANTS = 6;

/** The legend and margins for `count` entries: below the plot for a few, in a column at the right for many. */
function legendFor(count: number): Record<string, unknown> {
  // Every entry must fit the column: a static image cannot scroll a legend, so the figure grows with it.
  const entry = 19;
  return count > MANY_VARIANTS
    ? {
      legend: {
        orientation: "v",
        x: 1.02,
        xanchor: "left",
        y: 1,
        yanchor: "top",
        font: { size: 11 },
        tracegroupgap: 0,
      },
      margin: { l: 64, r: 230, t: 48, b: 64 },
      width: 960,
      height: Math.max(400, 48 + 64 + 24 + entry * count),
    }
    : {};
}

/** The layout every kit figure shares. */
export function baseLayout(title: string, x: string, y: string, extra: Record<string, unknown> = {}) {
  return {
    title: { text: title, font: { size: 16 } },
    font: { family: FIGURE_FONT, size: 13 },
    xaxis: {
      title: { text: x },
      automargin: true,
      zeroline: false,
      gridcolor: "#e5e5e5",
      linecolor: "#444",
      ticks: "outside",
    },
    yaxis: {
      title: { text: y },
      automargin: true,
      zeroline: false,
      gridcolor: "#e5e5e5",
      linecolor: "#444",
      ticks: "outside",
    },
    // Anchored by its top below the x-axis title, so extra rows of a long legend grow down, not over the title.
    legend: { orientation: "h", yanchor: "top", y: -0.3, x: 0, font: { size: 12 } },
    margin: { l: 64, r: 16, t: 48, b: 96 },
    plot_bgcolor: "white",
    paper_bgcolor: "white",
    ...extra,
  };
}

/** `text` broken into lines of at most `width` characters at spaces, joined by Plotly's `<br>`. */
export function wrapText(text: string, width = 86): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("<br>");
}

/** The title with a subtitle under it (what the lines, bands or bars are), wrapped, room made for both. */
function titled(layout: Record<string, unknown>, subtitle: string): Record<string, unknown> {
  const title = layout.title as { text: string; font?: unknown };
  const margin = layout.margin as Record<string, number>;
  const text = wrapText(subtitle);
  const lines = text.split("<br>").length;
  return {
    ...layout,
    title: { ...title, subtitle: { text, font: { size: 11, color: "#555" } } },
    margin: { ...margin, t: Math.max(margin.t ?? 0, 62 + 15 * lines) },
  };
}

/**
 * Marker shapes by variant order: lines that coincide (several variants at 0) stay told apart by shape, small
 * filled markers drawn inside larger open ones.
 */
const SYMBOLS: [string, number][] = [
  ["circle", 5],
  ["square-open", 9],
  ["diamond-open", 11],
  ["triangle-up-open", 11],
  ["x-thin-open", 9],
  ["cross-thin-open", 10],
  ["star-open", 11],
  ["hexagon-open", 11],
];

/** The marker of the `index`-th variant: a shape and its size. */
export function variantMarker(index: number): { symbol: string; size: number } {
  const [symbol, size] = SYMBOLS[Math.max(0, index) % SYMBOLS.length];
  return { symbol, size };
}

/** "n = 3 seeds", or "n = 3–5 seeds" where variants differ, from the points' counts (each curve's largest). */
export function seedsText(curves: CurvePoint[][]): string {
  return seedCountText(curves.filter((c) => c.length > 0).map((c) => Math.max(...c.map((p) => p.n))));
}

/** "n = 3 seeds", or "n = 3–5 seeds", from each variant's seed count. */
function seedCountText(counts: number[]): string {
  if (counts.length === 0) return "no seeds";
  const [low, high] = [Math.min(...counts), Math.max(...counts)];
  return `n = ${low === high ? low : `${low}–${high}`} seed${high === 1 ? "" : "s"}`;
}

/** What a curve figure's lines and bands are. */
function bandsNote(curves: CurvePoint[][]): string {
  return `lines: mean over seeds; bands: 95% t-interval of the mean (${seedsText(curves)})`;
}

/**
 * A probability axis from 0 to just above the highest value drawn (a band's top included), at most 1.02 and at
 * least 0.05, so a flat line at 0 sits on the axis instead of in the middle of −1 to 1.
 */
export function probabilityRange(data: Record<string, unknown>[]): [number, number] {
  const ys = data.flatMap((t) => (t.y ?? []) as number[]).filter(Number.isFinite);
  const top = ys.length === 0 ? 0 : Math.max(...ys);
  return [0, Math.min(1.02, Math.max(0.05, top * 1.08))];
}

function rgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/**
 * A mean line and, where there are several seeds, its CI band (two traces: the band, then the line). The band is
 * clipped to `bounds` (a probability's interval cannot leave [0, 1]).
 */
export function bandTraces(
  points: CurvePoint[],
  name: string,
  color: string,
  options: {
    dash?: string;
    bounds?: [number, number];
    markers?: boolean;
    marker?: { symbol: string; size: number };
    bandAlpha?: number;
  } = {},
) {
  const [low, high] = options.bounds ?? [-Infinity, Infinity];
  const clip = (v: number) => Math.min(high, Math.max(low, v));
  const traces: Record<string, unknown>[] = [];
  const banded = points.filter((p) => Number.isFinite(p.half));
  if (banded.length > 1) {
    traces.push({
      type: "scatter",
      x: [...banded.map((p) => p.x), ...banded.map((p) => p.x).reverse()],
      y: [...banded.map((p) => clip(p.mean + p.half)), ...banded.map((p) => clip(p.mean - p.half)).reverse()],
      mode: "lines",
      fill: "toself",
      fillcolor: rgba(color, options.bandAlpha ?? 0.15),
      line: { width: 0 },
      hoverinfo: "skip",
      showlegend: false,
      legendgroup: name,
    });
  }
  traces.push({
    type: "scatter",
    mode: points.length > 1 ? (options.markers ? "lines+markers" : "lines") : "markers",
    x: points.map((p) => p.x),
    y: points.map((p) => p.mean),
    name,
    legendgroup: name,
    line: { color, width: 2, dash: options.dash ?? "solid" },
    marker: {
      color,
      size: options.marker?.size ?? (options.markers ? 5 : 6),
      symbol: options.marker?.symbol ?? "circle",
    },
  });
  return traces;
}

function variantsIn(report: AblationReport): string[] {
  return [...new Set(report.rows.filter((r) => r.variant !== BASE_LABEL).map((r) => r.variant))];
}

/**
 * The family of each variant: a variant named `X-…` belongs to `X`'s family when `X` is a variant too (the shortest
 * such `X`: `guide-plain-unit-kl` and `guide-plain-unit-half` are `guide-plain-unit`'s, `grpo-52-updates` is
 * `grpo`'s); every other variant heads its own. Families in order of appearance, members in order after their head.
 */
export function variantFamilies(variants: string[]): string[][] {
  const families = new Map<string, string[]>();
  for (const v of variants) {
    const head = variants.filter((x) => v === x || v.startsWith(`${x}-`)).sort((a, b) => a.length - b.length)[0];
    families.set(head, [...(families.get(head) ?? []), v]);
  }
  return [...families.values()].map((members) => members.sort((a, b) => variants.indexOf(a) - variants.indexOf(b)));
}

/**
 * Line styles that hold at 20+ variants: a colour per family, a dash per member (the head solid), so related
 * variants read as one group (legends list them together, {@link inFamilyOrder}); a family with more members than
 * dashes continues in a colour no family heads; families past the palette take it again with another dash. No two
 * variants share a style.
 */
export function familyStyles(variants: string[]): Map<string, { color: string; dash: string }> {
  const styles = new Map<string, { color: string; dash: string }>();
  const taken = new Set<string>();
  const families = variantFamilies(variants);
  // Past its dashes a member takes a colour no family heads (then any free style), never a neighbour's colour.
  const spare = PALETTE.slice(families.length).flatMap((color) => DASHES.map((dash) => ({ color, dash })));
  const any = Array.from({ length: PALETTE.length * DASHES.length }, (_, i) => variantStyle(i));
  families.forEach((members, f) => {
    members.forEach((v, m) => {
      const shift = m + Math.floor(f / PALETTE.length);
      const own = DASHES.map((_, d) => ({
        color: PALETTE[f % PALETTE.length],
        dash: DASHES[(shift + d) % DASHES.length],
      }));
      const style = [...own, ...spare, ...any].find((c) => !taken.has(JSON.stringify(c))) ?? own[0];
      taken.add(JSON.stringify(style));
      styles.set(v, style);
    });
  });
  return styles;
}

/** Legend entries in family order (each head followed by its members), after anything ranked before them. */
function inFamilyOrder(data: Record<string, unknown>[], report: AblationReport): Record<string, unknown>[] {
  const order = variantFamilies(variantsIn(report)).flat();
  for (const trace of data) {
    const at = order.indexOf(String(trace.name));
    if (at >= 0 && trace.legendrank === undefined) trace.legendrank = 10 + at;
  }
  return data;
}

function styleOf(
  report: AblationReport,
): (variant: string) => { color: string; dash: string; marker: { symbol: string; size: number } } {
  const variants = variantsIn(report);
  const styles = familyStyles(variants);
  return (variant) => ({
    ...(styles.get(variant) ?? variantStyle(0)),
    marker: variantMarker(variants.indexOf(variant)),
  });
}

/** A grey note in the middle of a panel. */
function panelNote(text: string): Record<string, unknown> {
  return { text, xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { size: 13, color: "#666" } };
}

/** A note over a panel whose every curve sits at 0 (a flat line on a 0–1 axis reads as a result). */
function allZeroNote(data: Record<string, unknown>[]): Record<string, unknown>[] {
  const ys = data.filter((t) => t.name).flatMap((t) => (t.y ?? []) as number[]);
  return ys.length === 0 || ys.some((y) => y !== 0) ? [] : [panelNote("every variant at 0 on this tier")];
}

const tierName = (
  tier: string,
) => (tier === "all" ? "all tiers" : tier === "trained" ? "trained tiers" : `tier ${tier}`);

/** Held-out pass@1 against RL steps, completions sampled or wall-clock seconds: mean and 95% CI over seeds. */
export function learningFigure(report: AblationReport, x: "step" | "rollouts" | "seconds", tier = "all"): Figure {
  const style = styleOf(report);
  const many = variantsIn(report).length > MANY_VARIANTS;
  const data = report.curves.filter((c) => c.tier === tier)
    .flatMap((c) =>
      // A marker at every x where some seed was evaluated (each seed's curve is interpolated between its own).
      bandTraces(
        x === "step" ? c.byStep : x === "rollouts" ? c.byRollouts : c.bySeconds,
        c.variant,
        style(c.variant).color,
        {
          bounds: [0, 1],
          markers: true,
          dash: style(c.variant).dash,
          marker: style(c.variant).marker,
          bandAlpha: many ? 0.06 : 0.15,
        },
      )
    );
  const curves = report.curves.filter((c) => c.tier === tier)
    .map((c) => x === "step" ? c.byStep : x === "rollouts" ? c.byRollouts : c.bySeconds);
  return {
    data: inFamilyOrder(data, report),
    layout: titled(
      baseLayout(
        `Learning efficiency (${tierName(tier)})`,
        x === "step"
          ? "RL step"
          : x === "rollouts"
          ? "completions sampled (rollouts)"
          : "wall-clock seconds (evaluations included)",
        "held-out pass@1",
        {
          yaxis: { ...baseLayout("", "", "").yaxis, title: { text: "held-out pass@1" }, range: probabilityRange(data) },
          annotations: allZeroNote(data),
          ...legendFor(variantsIn(report).length),
        },
      ),
      bandsNote(curves),
    ),
  };
}

/** pass@k for k = 1…n, before RL (the base, dashed) and after (mean and CI over seeds), log-scaled k. */
export function passkFigure(report: AblationReport, tier = "all"): Figure {
  const style = styleOf(report);
  const many = variantsIn(report).length > MANY_VARIANTS;
  const data: Record<string, unknown>[] = [];
  for (const c of report.passk.filter((p) => p.tier === tier)) {
    const { color, dash, marker } = style(c.variant);
    data.push(
      ...bandTraces(c.after, c.variant, color, {
        bounds: [0, 1],
        dash,
        markers: true,
        marker,
        bandAlpha: many ? 0.06 : 0.15,
      }),
    );
  }
  const zero = allZeroNote(data);
  const before = report.before.find((b) => b.tier === tier);
  if (before) {
    // Drawn last so that it stays visible where a variant did not move; listed first.
    data.push({
      type: "scatter",
      mode: "lines",
      x: before.curve.map((p) => p.k),
      y: before.curve.map((p) => p.passAtK),
      name: "before RL (SFT base)",
      legendrank: 1,
      line: { color: "#222", width: 2.5, dash: "dash" },
    });
  }
  const layout = baseLayout(`pass@k before and after RL (${tierName(tier)})`, "k (samples per problem)", "pass@k", {
    annotations: before && before.curve.some((p) => p.passAtK > 0) ? [] : zero,
    ...legendFor(variantsIn(report).length + 1),
  });
  const curves = report.passk.filter((p) => p.tier === tier).map((p) => p.after);
  return {
    data: inFamilyOrder(data, report),
    layout: titled(
      {
        ...layout,
        xaxis: { ...layout.xaxis, type: "log", dtick: Math.log10(2), tickformat: "d" },
        yaxis: { ...layout.yaxis, range: probabilityRange(data) },
      },
      `${bandsNote(curves)}; dashed black: the base, all its draws pooled`,
    ),
  };
}

/**
 * Problems RL gained by compression or by capability gain (right) and lost (left), mean count over seeds: three bars
 * side by side per variant, each with its own 95% interval (stacked segments would put three whiskers on one line),
 * top to bottom in the grid's order, the figure taller as variants are added (names stay readable).
 */
export function gainSplitFigure(report: AblationReport, tier = "all"): Figure {
  const rows = report.rows.filter((r) => r.tier === tier && r.variant !== BASE_LABEL);
  const y = rows.map((r) => r.variant);
  // Each bar with its 95% interval over seeds (none from a single seed).
  const bar = (name: string, cis: { mean: number; half: number }[], color: string, sign = 1) => ({
    type: "bar",
    orientation: "h",
    name,
    x: cis.map((c) => sign * c.mean),
    y,
    marker: { color },
    error_x: {
      type: "data",
      array: cis.map((c) => (Number.isFinite(c.half) ? c.half : 0)),
      visible: true,
      color: "#444",
      thickness: 1,
    },
  });
  const changed = rows.some((r) => r.compression.mean + r.capabilityGain.mean + r.lost.mean > 0);
  const layout = baseLayout(
    `Where RL's gains come from (${tierName(tier)}, k = ${report.k})`,
    "held-out problems (mean over seeds; lost to the left)",
    "variant",
    {
      barmode: "group",
      bargap: 0.25,
      bargroupgap: 0.05,
      height: Math.max(400, 180 + 54 * rows.length),
      annotations: changed ? [] : [panelNote("no held-out problem changed between solved and unsolved")],
    },
  );
  // The first variant on top, as in the tables; a zero line between lost and gained.
  layout.yaxis = { ...layout.yaxis, autorange: "reversed" } as typeof layout.yaxis;
  layout.xaxis = { ...layout.xaxis, zeroline: true, zerolinecolor: "#444" } as typeof layout.xaxis;
  return {
    data: [
      bar("compression (reachable before)", rows.map((r) => r.compression), "#56B4E9"),
      bar("capability gain (unreachable before)", rows.map((r) => r.capabilityGain), "#009E73"),
      bar("lost", rows.map((r) => r.lost), "#D55E00", -1),
    ],
    layout: titled(
      layout,
      `bars: mean over seeds, each against every base draw, averaged; whiskers: 95% t-interval of the mean (${
        seedCountText(rows.map((r) => r.seeds))
      })`,
    ),
  };
}

/**
 * A measure across bases: per variant, its change from the base on each SFT base (a dot per base) and the mean change
 * with the paired t-interval over bases (the test across bases, unadjusted), a zero line between worse and better.
 */
export function acrossBasesFigure(nested: NestedVerdict, measure: string): Figure {
  const label = nested.measures.find((m) => m.key === measure)?.label ?? measure;
  const rows = nested.variants
    .map((variant) =>
      nested.comparisons.find((c) => c.variant === variant && c.measure === measure && c.against === BASE_LABEL)
    )
    .filter((c): c is NonNullable<typeof c> => c !== undefined);
  const y = rows.map((c) => c.variant);
  const perBase = nested.bases.map((base, b) => ({
    type: "scatter",
    mode: "markers",
    name: `base ${base}`,
    x: rows.map((c) => c.perBase[b]),
    y,
    marker: { ...variantMarker(b + 1), color: variantStyle(b + 1).color, opacity: 0.8 },
  }));
  const mean = {
    type: "scatter",
    mode: "markers",
    name: "mean over bases (95% interval)",
    x: rows.map((c) => c.difference.estimate),
    y,
    marker: { symbol: "line-ns-open", size: 18, color: "#000", line: { width: 3 } },
    error_x: {
      type: "data",
      symmetric: false,
      array: rows.map((c) => (Number.isFinite(c.difference.high) ? c.difference.high - c.difference.estimate : 0)),
      arrayminus: rows.map((c) => (Number.isFinite(c.difference.low) ? c.difference.estimate - c.difference.low : 0)),
      visible: true,
      color: "#000",
      thickness: 1.5,
    },
  };
  const layout = baseLayout(`${label}: change from the base, per base`, `change from the base (${label})`, "variant", {
    height: Math.max(400, 180 + 40 * rows.length),
  });
  layout.yaxis = { ...layout.yaxis, autorange: "reversed" } as typeof layout.yaxis;
  layout.xaxis = { ...layout.xaxis, zeroline: true, zerolinecolor: "#444" } as typeof layout.xaxis;
  return {
    data: [...perBase, mean],
    layout: titled(
      layout,
      `dots: each base's mean over its seeds minus that base; bar: mean over the ${nested.bases.length} bases with ` +
        `its paired t-interval (unadjusted; the calls are in the summary)`,
    ),
  };
}

/** The figures across bases of a grid of several: one per measure compared with the base. */
export function acrossBasesFigures(nested: NestedVerdict): { name: string; figure: Figure }[] {
  const names: Record<string, string> = {
    "all pass@1": "bases-overall-pass1",
    "all pass@k": "bases-overall-passk",
    "reach recall": "bases-capability-seen",
    "reach transfer": "bases-capability-novel",
    "untrained pass@1": "bases-untrained-pass1",
  };
  return Object.entries(names)
    .filter(([measure]) => nested.comparisons.some((c) => c.measure === measure && c.against === BASE_LABEL))
    .map(([measure, name]) => ({ name, figure: acrossBasesFigure(nested, measure) }));
}

/** Histogram of hinted tokens' ratios π_θ(o|q)/π_old(o|q,h), log10 bins, per variant that trains hinted samples. */
export function hintedRatioFigure(report: AblationReport): Figure {
  const style = styleOf(report);
  const { from, width } = RATIO_BINS;
  const data = report.hinted.filter((h) => h.histogram.some((c) => c > 0)).map((h) => {
    const total = h.histogram.reduce((a, b) => a + b, 0);
    return {
      type: "bar",
      name: h.variant,
      x: h.histogram.map((_, i) => from + (i + 0.5) * width),
      y: h.histogram.map((c) => c / total),
      marker: { color: style(h.variant).color },
      opacity: 0.75,
    };
  });
  return {
    data: inFamilyOrder(data, report),
    layout: titled(
      baseLayout(
        "Hinted tokens' importance ratios",
        "log10 ratio π_θ(o_t | q) / π_old(o_t | q, h)",
        "fraction of hinted tokens",
        { barmode: "overlay", bargap: 0.05, ...legendFor(data.length) },
      ),
      "every hinted token of every seed, pooled per variant",
    ),
  };
}

/** γ (the ratio quantile of f(r) = r / (r + γ)) over steps, mean and CI over seeds, per Guide variant. */
export function gammaFigure(report: AblationReport): Figure {
  const style = styleOf(report);
  const shown = report.hinted.filter((h) => h.gamma.length > 0 && h.histogram.some((c) => c > 0));
  const data = shown.flatMap((h) =>
    bandTraces(h.gamma, h.variant, style(h.variant).color, { dash: style(h.variant).dash })
  );
  const layout = baseLayout("γ over training", "RL step", "γ (hinted-ratio quantile)", legendFor(shown.length));
  return {
    data: inFamilyOrder(data, report),
    layout: titled({ ...layout, yaxis: { ...layout.yaxis, type: "log" } }, bandsNote(shown.map((h) => h.gamma))),
  };
}

/** Fraction of the batch's groups that were regrouped with the hint, over steps. */
export function hintedFractionFigure(report: AblationReport): Figure {
  const style = styleOf(report);
  const shown = report.hinted.filter((h) => h.fraction.some((p) => p.mean > 0));
  const data = shown.flatMap((h) =>
    bandTraces(h.fraction, h.variant, style(h.variant).color, { bounds: [0, 1], dash: style(h.variant).dash })
  );
  const layout = baseLayout(
    "Hinted fraction of the batch",
    "RL step",
    "hinted groups / groups trained",
    legendFor(shown.length),
  );
  return {
    data: inFamilyOrder(data, report),
    layout: titled(
      { ...layout, yaxis: { ...layout.yaxis, range: [0, 1.02] } },
      bandsNote(shown.map((h) => h.fraction)),
    ),
  };
}

/** Every ablation figure by file name. */
export function ablationFigures(report: AblationReport): { name: string; figure: Figure }[] {
  const figures = [
    // The learning curves read the validation split on the trained tiers: their macro mean is the overall curve.
    { name: "learning-step", figure: learningFigure(report, "step", "trained") },
    { name: "learning-rollouts", figure: learningFigure(report, "rollouts", "trained") },
    { name: "passk", figure: passkFigure(report) },
    { name: "gain-split", figure: gainSplitFigure(report) },
    { name: "hinted-ratios", figure: hintedRatioFigure(report) },
    { name: "gamma", figure: gammaFigure(report) },
    { name: "hinted-fraction", figure: hintedFractionFigure(report) },
  ];
  for (const tier of report.tiers.filter((t) => !isOverall(t))) {
    // Learning curves exist on the tiers the curve evaluations cover (the trained ones, by default).
    if (report.curves.some((c) => c.tier === tier && c.byStep.length > 0)) {
      figures.push({ name: `learning-step-tier${tier}`, figure: learningFigure(report, "step", tier) });
      figures.push({ name: `learning-rollouts-tier${tier}`, figure: learningFigure(report, "rollouts", tier) });
    }
    if (report.curves.some((c) => c.tier === tier && c.bySeconds.length > 0)) {
      figures.push({ name: `learning-seconds-tier${tier}`, figure: learningFigure(report, "seconds", tier) });
    }
    figures.push({ name: `passk-tier${tier}`, figure: passkFigure(report, tier) });
  }
  return figures;
}
