import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DataDir } from '../../core/data-dir.js';
import { isCalendarDate } from '../../core/dates.js';
import { formatDate, translator } from '../../i18n/index.js';
import { requireRole, type Workspace } from '../context.js';
import { html, table } from '../html.js';
import { adminOverview } from '../queries.js';

/** Leadership's report (aggregates only, already suppressed) and the data coordinator's overview. */
export function leadershipRoutes(app: FastifyInstance, w: Workspace): void {
  app.get('/report', w.authed, async (req, reply) => {
    requireRole(req, ['leadership', 'data_coordinator']);
    const file = latestReport(w.o.dir);
    await w.gate.use((db) => w.audit(db, req, 'viewed_report', { object_id: file ? path.basename(path.dirname(file)) : null }));
    const t = translator(req.user!.language);
    if (!file) return w.render(req, reply, t('web.report'), html`<p>${t('web.no_report')}</p>`);
    // The built report is a whole page of its own, written by the report stage in each language.
    const inLanguage = path.join(path.dirname(file), `report.${req.user!.language}.html`);
    return w.send(reply, readFileSync(existsSync(inLanguage) ? inLanguage : file, 'utf8'));
  });

  app.get('/admin', w.authed, async (req, reply) => {
    requireRole(req, ['data_coordinator']);
    const lang = req.user!.language;
    const t = translator(lang);
    const d = await w.gate.use(async (db) => {
      const d = await adminOverview(db);
      await w.audit(db, req, 'viewed_admin');
      return d;
    });
    const num = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : '–');
    const when = (x: unknown) => (x ? `${formatDate(lang, String(x))} ${String(x).slice(11)}` : '–');
    const body = html`<h2>${t('web.runs')}</h2>
${table(t('web.runs'), [t('web.col.run'), t('web.col.pipeline'), t('term.status'), t('web.col.attempts'), t('web.col.started'), t('web.col.ended'), t('web.col.error')], d.runs.map((r) => [r['run_id'], r['pipeline'], r['status'], r['attempts'], when(r['started']), when(r['ended']), r['error']] as string[])) ?? html`<p>–</p>`}
<h2>${t('web.quarantine')}</h2>
${table(t('web.quarantine'), [t('web.col.kind'), t('web.col.file'), t('web.col.reason'), t('web.col.rows')], d.quarantine.map((r) => [r['kind'], r['file_name'], r['reason'], r['n_rows']] as string[])) ?? html`<p>–</p>`}
<h2>${t('web.models')}</h2>
${table(t('web.models'), [t('web.col.version'), t('term.status'), t('web.col.data_as_of'), 'ROC AUC', 'PR AUC', 'Brier', 'ECE'], d.models.map((m) => [String(m['version']), String(m['status']), m['data_as_of'] ? formatDate(lang, String(m['data_as_of'])) : '–', num(m['roc_auc']), num(m['pr_auc']), num(m['brier']), num(m['ece'])])) ?? html`<p>–</p>`}`;
    return w.render(req, reply, t('web.admin'), body);
  });
}

/** The newest built report under <data-dir>/reports/<date>/report.html. */
function latestReport(dir: DataDir): string | undefined {
  const root = path.join(dir.root, 'reports');
  if (!existsSync(root)) return undefined;
  const dates = readdirSync(root).filter((d) => isCalendarDate(d) && existsSync(path.join(root, d, 'report.html'))).sort();
  return dates.length ? path.join(root, dates.at(-1)!, 'report.html') : undefined;
}
