import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { escapeHtml } from '../core/html.js';
import type { Language } from '../i18n/index.js';

/**
 * Renders a Vega-Lite spec to an SVG string on the server (vega's SVG renderer, no browser and
 * no network): the report embeds it inline, so it opens from disk and prints.
 */
export function renderSvg(spec: TopLevelSpec): Promise<string> {
  return svgRenderer(spec)({});
}

/**
 * A chart drawn many times with different data: compiled and parsed once, each drawing only
 * fills its named data sets (`data: { name: … }` in the spec) and renders (the workspace's
 * timeline: one per student page).
 */
export function svgRenderer(spec: TopLevelSpec): (data: Record<string, readonly object[]>) => Promise<string> {
  const compiled = compile(spec).spec;
  const runtime = parse(compiled);
  // The data sets a drawing fills; one it does not name is emptied (never the last drawing's rows).
  const named = (compiled.data ?? []).filter((d) => !('source' in d) && !('url' in d) && !('values' in d)).map((d) => d.name);
  // One view, refilled for each drawing: building a view re-parses the dataflow, which costs more
  // than the drawing. Drawings take turns (a view holds one data state at a time).
  let view: View | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  return (data) => {
    const draw = async () => {
      view ??= new View(runtime, { renderer: 'none' });
      for (const name of named) view.data(name, (data[name] ?? []) as object[]);
      return view.toSVG();
    };
    const next = queue.then(draw, draw);
    queue = next.catch(() => {
      // A failed drawing may leave the view half-filled: the next one starts from a new view.
      view?.finalize();
      view = undefined;
    });
    return next;
  };
}

/**
 * A chart as one image for assistive technology, named in the reader's language: vega's per-mark
 * roles and English role descriptions ("X-axis titled …") are taken out, the root gets role="img"
 * and the label (the facts are in the tables beside each chart).
 */
export async function accessibleSvg(spec: TopLevelSpec, label: string): Promise<string> {
  return asOneImage(await renderSvg(spec), label);
}

/** Vega's SVG as one named image: its per-mark roles and labels out, role="img" and the label on the root. */
export function asOneImage(svg: string, label: string): string {
  const plain = svg.replace(/ (role|aria-roledescription|aria-label|aria-hidden)="[^"]*"/g, '');
  return plain.replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(label)}" `);
}

/** Numbers on axes with the reader's decimal mark (vega's d3-format locale). */
export function chartConfig(lang: Language): Record<string, unknown> {
  const comma = lang !== 'en';
  return {
    aria: false,
    font: 'system-ui, sans-serif',
    view: { stroke: '#ccc' },
    title: { anchor: 'start', fontSize: 13 },
    locale: { number: { decimal: comma ? ',' : '.', thousands: comma ? '\u00a0' : ',', grouping: [3], currency: ['', '\u00a0€'], percent: comma ? '\u00a0%' : '%' } },
  };
}

/** One point of a trend: a period, a series (e.g. a unit) and a value; null values are suppressed. */
export interface TrendPoint {
  period: string;
  series: string;
  value: number | null;
  /** A reference for the series (e.g. the national level), drawn as a dashed line. */
  reference?: number | null;
}

/** Small multiples: one line chart per series, same scales, suppressed points left out, an optional dashed reference per series. */
export function smallMultiplesSpec(points: readonly TrendPoint[], opts: { title: string; valueTitle: string; percent: boolean; lang: Language; columns?: number; width?: number }): TopLevelSpec {
  const axis = opts.percent ? { format: '.0%' } : {};
  const layers: Record<string, unknown>[] = [
    { mark: { type: 'line', point: true, color: '#0b4f9c' }, encoding: { x: { field: 'period', type: 'ordinal', title: null, axis: { labelAngle: 0 } }, y: { field: 'value', type: 'quantitative', title: opts.valueTitle, axis } } },
  ];
  if (points.some((p) => p.reference !== undefined && p.reference !== null)) {
    layers.push({ mark: { type: 'rule', strokeDash: [5, 4], color: '#6b7280' }, encoding: { y: { field: 'reference', type: 'quantitative', aggregate: 'mean' } } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    data: { values: points.filter((p) => p.value !== null) as unknown as Record<string, unknown>[] },
    facet: { field: 'series', type: 'nominal', title: null },
    columns: opts.columns ?? 4,
    spec: { width: opts.width ?? 170, height: 100, layer: layers },
    config: chartConfig(opts.lang),
  } as unknown as TopLevelSpec;
}

/** Bars (horizontal), optionally stacked by a colour field with its words in order. */
export function barSpec(values: readonly Record<string, unknown>[], opts: { title: string; category: string; value: string; valueTitle: string; percent: boolean; lang: Language; color?: { field: string; order: string[]; range: string[] }; width?: number }): TopLevelSpec {
  const rows = new Set(values.map((v) => String(v[opts.category]))).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: opts.width ?? 420,
    height: Math.max(40, rows * 22),
    data: { values: values as Record<string, unknown>[] },
    mark: { type: 'bar' },
    encoding: {
      y: { field: opts.category, type: 'nominal', title: null, sort: null },
      x: { field: opts.value, type: 'quantitative', title: opts.valueTitle, stack: opts.color ? 'zero' : null, axis: opts.percent ? { format: '.0%' } : {} },
      ...(opts.color
        ? { color: { field: opts.color.field, type: 'nominal', title: null, scale: { domain: opts.color.order, range: opts.color.range }, legend: { orient: 'top' } }, order: { field: '_order' } }
        : { color: { value: '#0b4f9c' } }),
    },
    config: chartConfig(opts.lang),
  } as unknown as TopLevelSpec;
}

/** A line over months (x: first day of the month), optionally one line per series. */
export function monthlySpec(values: readonly { month: string; value: number | null; series?: string }[], opts: { title: string; valueTitle: string; lang: Language; domain?: [number, number]; series?: { order: string[]; range: string[] } }): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: 560,
    height: 140,
    data: { values: values.filter((v) => v.value !== null).map((v) => ({ ...v, date: `${v.month}-01` })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'date', type: 'temporal', title: null, axis: { format: '%-m/%Y', labelAngle: 0, tickCount: 8 } },
      y: { field: 'value', type: 'quantitative', title: opts.valueTitle, ...(opts.domain ? { scale: { domain: opts.domain } } : {}) },
      ...(opts.series ? { color: { field: 'series', type: 'nominal', title: null, scale: { domain: opts.series.order, range: opts.series.range }, legend: { orient: 'top' } } } : { color: { value: '#0b4f9c' } }),
    },
    config: chartConfig(opts.lang),
  } as unknown as TopLevelSpec;
}

/** Calibration: mean predicted probability against the observed share, per decile, with the diagonal. */
export function calibrationSpec(bins: readonly { predicted: number; observed: number; n: number }[], opts: { title: string; predicted: string; observed: string; lang: Language }): TopLevelSpec {
  const max = Math.max(0.05, ...bins.map((b) => Math.max(b.predicted, b.observed))) * 1.1;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title,
    width: 260,
    height: 260,
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: max, y: max }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values: bins as unknown as Record<string, unknown>[] },
        mark: { type: 'line', point: true, color: '#0b4f9c' },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', title: opts.predicted, scale: { domain: [0, max] }, axis: { format: '.0%' } },
          y: { field: 'observed', type: 'quantitative', title: opts.observed, scale: { domain: [0, max] }, axis: { format: '.0%' } },
        },
      },
    ],
    config: chartConfig(opts.lang),
  } as unknown as TopLevelSpec;
}
