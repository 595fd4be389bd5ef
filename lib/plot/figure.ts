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
