import type { TopLevelSpec } from 'vega-lite';
import { formatDate, msg, type Language } from '../i18n/index.js';
import { asOneImage, svgRenderer } from '../report/index.js';
import type { StudentTimeline } from './queries.js';

/** A dated event on the timeline: a trigger opened or support recorded (only what the reader may see). */
export interface TimelineEvent {
  day: string;
  kind: 'trigger' | 'support';
  label: string;
}

/**
 * The student page's picture of the last twelve months as one server-rendered SVG (vega-lite, as
 * the report): weekly absences, credits against the plan, triggers and support on the same time
 * axis, and for welfare roles the student's own well-being answers. Every word from the catalogue;
 * the SVG carries a title and description for screen readers, and the page lists the same events
 * in text.
 */
export async function timelineSvg(lang: Language, t: StudentTimeline, events: readonly TimelineEvent[], from: string, to: string, educationType: string): Promise<string> {
  const withWellbeing = t.wellbeing.length > 0;
  // The picture's shape depends only on these: compiled once, then filled with each student's data.
  const key = [lang, from, to, educationType, withWellbeing].join('|');
  let render = renderers.get(key);
  if (!render) {
    render = svgRenderer(timelineSpec(lang, from, to, educationType, withWellbeing));
    renderers.set(key, render);
    if (renderers.size > 32) renderers.delete(renderers.keys().next().value!);
  }
  const within = (day: string) => day >= from && day <= to;
  const { unexcused, excused, earned, planned, triggerRow, supportRow } = seriesWords(lang);
  const svg = await render({
    attendance: t.attendance.filter((a) => within(a.week)).flatMap((a) => [
      { date: a.week, share: a.unexcused, kind: unexcused, order: 0 },
      { date: a.week, share: a.excused, kind: excused, order: 1 },
    ]),
    credits: t.credits.filter((c) => within(c.month)).flatMap((c) => [
      { date: c.month, credits: c.earned, kind: earned },
      { date: c.month, credits: c.planned, kind: planned },
    ]),
    events: events.filter((e) => within(e.day)).map((e) => ({ date: e.day, row: e.kind === 'trigger' ? triggerRow : supportRow, label: e.label })),
    ...(withWellbeing ? { wellbeing: t.wellbeing.filter((w) => within(w.day)).map((w) => ({ date: w.day, value: w.value })) } : {}),
  });
  // One image with one name for screen readers, in the reader's language (the facts are in the tables below it).
  return asOneImage(svg, msg(lang, 'web.timeline.title'));
}

/** The words the picture's series are named by: the data carry them and the colour scales are tied to them. */
const seriesWords = (lang: Language) => ({
  unexcused: msg(lang, 'web.timeline.unexcused'),
  excused: msg(lang, 'web.timeline.excused'),
  earned: msg(lang, 'web.timeline.earned'),
  planned: msg(lang, 'web.timeline.planned'),
  triggerRow: msg(lang, 'term.triggers'),
  supportRow: msg(lang, 'term.support_recorded'),
});

/** Compiled timelines by language, window, education type and panels (a few a day). */
const renderers = new Map<string, ReturnType<typeof svgRenderer>>();

/** The timeline's Vega-Lite spec, its data sets named (attendance, credits, events, wellbeing). */
function timelineSpec(lang: Language, from: string, to: string, educationType: string, withWellbeing: boolean): TopLevelSpec {
  const x = { field: 'date', type: 'temporal' as const, title: null, scale: { domain: [from, to] }, axis: { format: '%-d.%-m.', labelAngle: 0 } };
  const width = 640;
  // Colours tied to words explicitly: a nominal scale otherwise sorts the words, which differ by language.
  const { unexcused, excused, earned, planned, triggerRow, supportRow } = seriesWords(lang);
  const panels: TopLevelSpec[] = [];
  panels.push({
    title: msg(lang, 'web.timeline.attendance'),
    width,
    height: 90,
    data: { name: 'attendance' },
    mark: { type: 'bar', width: 5, clip: true },
    encoding: {
      x,
      y: { field: 'share', type: 'quantitative', stack: 'zero', title: null, axis: { format: '.0%' }, scale: { domain: [0, 1] } },
      color: { field: 'kind', type: 'nominal', title: null, scale: { domain: [unexcused, excused], range: ['#9b1c1c', '#9aa5b1'] }, legend: { orient: 'top' } },
      order: { field: 'order' },
    },
  } as TopLevelSpec);
  panels.push({
    title: msg(lang, 'web.timeline.credits', { education_type: educationType }),
    width,
    height: 90,
    data: { name: 'credits' },
    mark: { type: 'line', point: true, clip: true },
    encoding: {
      x,
      y: { field: 'credits', type: 'quantitative', title: null },
      color: { field: 'kind', type: 'nominal', title: null, scale: { domain: [earned, planned], range: ['#0b4f9c', '#9aa5b1'] }, legend: { orient: 'top' } },
    },
  } as TopLevelSpec);
  panels.push({
    title: msg(lang, 'web.timeline.events'),
    width,
    height: 50,
    data: { name: 'events' },
    mark: { type: 'point', filled: true, size: 70, clip: true },
    encoding: {
      x,
      y: { field: 'row', type: 'nominal', title: null, scale: { domain: [triggerRow, supportRow] } },
      color: { field: 'row', type: 'nominal', legend: null, scale: { domain: [triggerRow, supportRow], range: ['#b45309', '#0b4f9c'] } },
      tooltip: { field: 'label' },
    },
  } as TopLevelSpec);
  if (withWellbeing) {
    panels.push({
      title: msg(lang, 'web.timeline.wellbeing'),
      width,
      height: 70,
      // One point per answering day: the mean of that day's answers (a check-in asks several items).
      data: { name: 'wellbeing' },
      mark: { type: 'line', point: true, color: '#5b21b6', clip: true },
      encoding: { x, y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: null, scale: { domain: [1, 5] }, axis: { values: [1, 3, 5] } } },
    } as TopLevelSpec);
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: msg(lang, 'web.timeline.description', { from: formatDate(lang, from), to: formatDate(lang, to) }),
    vconcat: panels,
    // Each panel has its own colours and legend (absences, credits, events are different things).
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
    config: { aria: false, font: 'system-ui, sans-serif', view: { stroke: '#ddd' }, title: { anchor: 'start', fontSize: 12 } },
  } as unknown as TopLevelSpec;
}
