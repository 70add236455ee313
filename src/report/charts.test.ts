import { describe, expect, it } from 'vitest';
import { calibrationSpec, renderSvg, smallMultiplesSpec, svgRenderer } from './charts.js';

describe('charts (vega-lite rendered to SVG on the server)', () => {
  it('draws small multiples and a calibration plot without any external reference', async () => {
    const trend = await renderSvg(
      smallMultiplesSpec(
        [
          { period: '2023–24', series: 'Pasila', value: 0.11 },
          { period: '2024–25', series: 'Pasila', value: 0.09 },
          { period: '2023–24', series: 'Vallila', value: null },
          { period: '2024–25', series: 'Vallila', value: 0.14 },
        ],
        { title: 'Keskeyttäminen', valueTitle: 'osuus', percent: true, lang: 'fi' },
      ),
    );
    expect(trend).toMatch(/^<svg/);
    expect(trend).toContain('Pasila');
    expect(trend).toContain('Vallila');
    expect(trend).toContain('2024–25');
    // Axis numbers with the Finnish decimal mark and percent sign (vega's number locale).
    expect(trend).toMatch(/\d+\u00a0%/);
    const calibration = await renderSvg(calibrationSpec([{ predicted: 0.02, observed: 0.025, n: 900 }, { predicted: 0.2, observed: 0.18, n: 100 }], { title: 'Kalibrointi', predicted: 'arvioitu', observed: 'toteutunut', lang: 'fi' }));
    for (const svg of [trend, calibration]) {
      // Namespace declarations are not requests; nothing else may point outside the file.
      const outside = svg.replace(/xmlns(:\w+)?="[^"]*"/g, '');
      expect(outside).not.toMatch(/https?:|<image|href=/);
    }
  });

  it('draws one compiled chart many times with fresh data each time, also when drawings overlap', async () => {
    const spec = { data: { name: 'a' }, mark: 'bar', encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } } } as const;
    const kept = svgRenderer(spec as never);
    const A = [{ k: 'x', v: 1 }, { k: 'y', v: 5 }];
    const B = [{ k: 'z', v: 3 }];
    const fresh = async (data: Record<string, object[]>) => svgRenderer(spec as never)(data);
    expect(await kept({ a: A })).toBe(await fresh({ a: A }));
    expect(await kept({ a: B })).toBe(await fresh({ a: B }));
    // A data set not given is empty, never the last drawing's rows.
    expect(await kept({})).toBe(await fresh({}));
    const [a, b] = await Promise.all([kept({ a: A }), kept({ a: B })]);
    expect([a, b]).toEqual([await fresh({ a: A }), await fresh({ a: B })]);
    expect(a).not.toBe(b);
  });
});

