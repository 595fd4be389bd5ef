/**
 * Plotly figures as plain JSON: what the builders return, what notebooks show and what the exporter renders.
 *
 * @module
 */

/** A Plotly figure: traces, layout and config, exactly as `Plotly.newPlot` takes them. */
export interface Figure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/**
 * The font every exported image is drawn in, shipped with the kit (`@fontsource/dejavu-sans`, pinned, inlined into the
 * rendering page): SVG, PNG and PDF come out the same on any machine, whatever sans-serif it has (DejaVu on one,
 * Liberation on another). HTML pages, opened in a reader's browser, fall back to the families after it.
 */
export const BUNDLED_FONT = "Guide DejaVu Sans";
/** The `layout.font.family` of the kit's figures: the bundled face first. */
export const FIGURE_FONT = `"${BUNDLED_FONT}", "DejaVu Sans", Verdana, sans-serif`;

/** Default export size in CSS pixels: a single paper column at 2× scale reads well. */
export const DEFAULT_SIZE = { width: 640, height: 400 };

/** The figure's title text, if it has one. */
export function figureTitle(figure: Figure): string | undefined {
  const title = figure.layout?.title;
  if (typeof title === "string") return title;
  if (title && typeof title === "object" && typeof (title as { text?: unknown }).text === "string") {
    return (title as { text: string }).text;
  }
  return undefined;
}
