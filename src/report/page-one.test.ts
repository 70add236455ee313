import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../core/config.js';
import { catalogues } from '../i18n/index.js';
import { expectGolden } from '../testing/golden.js';
import { testEffects, withCohortWarehouse } from '../testing/warehouse.js';
import { loadRules, runTriggers } from '../triggers/index.js';
import { buildReport, reportOptions, renderReportHtml } from './index.js';

/** The visible text of page one (the key figures, what changed, the trend chart's words), one line per block. */
export function pageOneText(html: string): string {
  const section = /<section id="page-one">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  return section
    .replace(/<(tr|p|h1|h2|h3|li|caption|title|text)[ >]/g, '\n$&')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n') + '\n';
}

/**
 * Words that are English and nowhere Finnish or Swedish: every word of the English catalogue and
 * of the report's codes (negative_exit_share …) that neither the Finnish nor the Swedish
 * catalogue uses. Proper names pass (Pasila, Vallila, kiinni, ROC AUC are in both).
 */
function englishOnlyWords(): Set<string> {
  const words = (text: string) => text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const local = new Set([...words(Object.values(catalogues.fi).join(' ')), ...words(Object.values(catalogues.sv).join(' '))]);
  const codes = ['negative exit share', 'academic year', 'in progress', 'present', 'graduated', 'due to finish', 'on time', 'credits vs plan', 'attendance rate', 'upper secondary', 'vocational', 'yes', 'no', 'share', 'value', 'period', 'series', 'reference', 'predicted', 'observed', 'calibration', 'unit', 'provider', 'all', 'reached within days'];
  return new Set([...words(Object.values(catalogues.en).join(' ')), ...codes.flatMap(words)].filter((w) => w.length > 2 && !local.has(w)));
}

describe('the leadership report\'s first page', () => {
  it('reads in Finnish and Swedish on the bundled cohort (golden text), with no English word in it', async () => {
    await withCohortWarehouse(async (db) => {
      const rules = await loadRules(defaultConfig());
      for (const day of ['2026-02-09', '2026-02-10', '2026-02-11']) await runTriggers(db, rules, { asOf: day }, testEffects);
      const english = englishOnlyWords();
      // The detector itself: the old page's words are caught.
      for (const w of ['negative', 'share', 'attendance', 'contacted', 'calibration', 'vocational']) expect(english.has(w), w).toBe(true);
      for (const lang of ['fi', 'sv'] as const) {
        const report = await buildReport(db, { ...reportOptions(defaultConfig(), { asOf: '2026-02-11', lang, bootstrap: 20 }) }, testEffects);
        const text = pageOneText(renderReportHtml(report, lang));
        const found = [...new Set((text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) => english.has(w)))];
        expect(found, `English words on the ${lang} page one`).toEqual([]);
        expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/); // dates as 11.2.2026
        expectGolden(`report/page-one.${lang}.txt`, text);
      }
    });
  });
});
