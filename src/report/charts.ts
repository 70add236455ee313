import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Renders a Vega-Lite spec to an SVG string on the server (vega's SVG renderer, no browser and
 * no network): the report embeds it inline, so it opens from disk and prints.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** One point of a trend: a period, a series (e.g. a unit) and a value; null values are suppressed. */
export interface TrendPoint {
  period: string;
  series: string;
  value: number | null;
}

/** Small multiples: one line chart per series, same scales, suppressed points left out. */
export function smallMultiplesSpec(points: readonly TrendPoint[], opts: { title: string; valueTitle: string; percent: boolean }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    data: { values: points.filter((p) => p.value !== null) as unknown as Record<string, unknown>[] },
    facet: { field: 'series', type: 'nominal', title: null },
    columns: 4,
    spec: {
      width: 170,
      height: 110,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'period', type: 'ordinal', title: null, axis: { labelAngle: -40 } },
        y: { field: 'value', type: 'quantitative', title: opts.valueTitle, axis: opts.percent ? { format: '.0%' } : {} },
      },
    },
    config: { font: 'system-ui, sans-serif', view: { stroke: '#bbb' } },
  };
}

/** Calibration: mean predicted probability against the observed share, per bin, with the diagonal. */
export function calibrationSpec(bins: readonly { predicted: number; observed: number; n: number }[], title: string): TopLevelSpec {
  const max = Math.max(0.05, ...bins.map((b) => Math.max(b.predicted, b.observed))) * 1.1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 320,
    height: 320,
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: max, y: max }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: bins as unknown as Record<string, unknown>[] },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: 'predicted', scale: { domain: [0, max] }, axis: { format: '.0%' } },
          y: { field: 'observed', type: 'quantitative', title: 'observed', scale: { domain: [0, max] }, axis: { format: '.0%' } },
        },
      },
    ],
    config: { font: 'system-ui, sans-serif' },
  };
}
