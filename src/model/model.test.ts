import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { tempDir } from '../testing/temp-dir.js';
import { testNow, withCohortWarehouse } from '../testing/warehouse.js';
import { currentRiskOf } from './current.js';
import { loadArtifact } from './registry.js';
import { scoreStudents } from './score.js';
import { loadModelSpec } from './spec.js';
import { trainModel } from './train.js';

const fx = { logger: silentLogger(), clock: () => testNow };
const spec = { ...loadModelSpec(), forest: { ...loadModelSpec().forest, trees: 40 } };

describe('risk model', () => {
  it('trains reproducibly on snapshots split in time, writes a card, scores with reasons, and re-scoring replaces', async () => {
    await withCohortWarehouse(async (db) => {
      const dirA = tempDir();
      const a = await trainModel(db, dirA, { promote: true, spec }, fx);
      expect(a.promoted).toBe(true);
      const { artifact } = loadArtifact(a.directory);
      // Time split: train < validation < test, and training windows do not reach validation.
      expect(artifact.split.train.at(-1)! < artifact.split.validation[0]!).toBe(true);
      expect(artifact.split.validation.at(-1)! < artifact.split.test[0]!).toBe(true);
      const lastTrainEnd = Date.parse(artifact.split.train.at(-1)!) + artifact.horizon_days * 86_400_000;
      expect(lastTrainEnd).toBeLessThan(Date.parse(artifact.split.validation[0]!));
      expect(artifact.evaluation.roc_auc).toBeGreaterThan(0.5);
      expect(Object.keys(artifact.evaluation.groups)).toEqual(['gender', 'home_language', 'education_type', 'unit', 'age_band']);
      expect(artifact.evaluation.importances).toHaveLength(artifact.features.length);

      // Same data, same seed: the same model, bit for bit.
      const b = await trainModel(db, tempDir(), { promote: false, spec }, fx);
      expect(b.evaluation).toEqual(a.evaluation);
      expect(b.promotion_note).toMatch(/ROC AUC .* vs .*/);

      const s1 = await scoreStudents(db, { asOf: '2026-02-20' }, fx);
      expect(s1.model_version).toBe(a.version);
      expect(s1.bands.low + s1.bands.raised + s1.bands.high).toBe(s1.students);
      await scoreStudents(db, { asOf: '2026-02-20' }, fx);
      const rows = await db.all(`SELECT count(*) AS n, count(DISTINCT student_id) AS s FROM risk_scores`);
      expect(rows[0]).toEqual({ n: s1.students, s: s1.students });
      // One student's current risk follows the macro's rule: the current model only, the latest
      // score in the window (a later score of another model and an earlier one of this are passed over).
      await scoreStudents(db, { asOf: '2026-02-12' }, fx);
      await db.run(`INSERT INTO risk_scores (student_id, as_of, model_version, probability, band, rank, reasons, scored_at) SELECT student_id, as_of + 3, 'not-current', probability, 'high', rank, reasons, scored_at FROM risk_scores WHERE as_of = DATE '2026-02-20'`);
      for (const on of ['2026-02-12', '2026-02-19', '2026-02-20', '2026-02-23', '2026-03-05', '2026-03-06', '2026-02-11']) {
        const macro = await db.all(`SELECT student_id, band, probability, reasons, strftime(scored_on, '%Y-%m-%d') AS scored_on FROM current_risk($on::DATE)`, { on });
        const byId = new Map(macro.map((r) => [String(r['student_id']), r]));
        const students = (await db.all(`SELECT student_id FROM students`)).map((r) => String(r['student_id']));
        for (const id of students) {
          const m = byId.get(id);
          expect(await currentRiskOf(db, id, on)).toEqual(m ? { band: m['band'], probability: m['probability'], reasons: m['reasons'], scored_on: m['scored_on'] } : null);
        }
        if (on === '2026-03-06' || on === '2026-02-11') expect(byId.size).toBe(0);
        else expect(byId.size).toBeGreaterThan(0);
      }
      await db.run(`DELETE FROM risk_scores WHERE model_version = 'not-current' OR as_of = DATE '2026-02-12'`);
      const flagged = await db.all(`SELECT band, reasons FROM risk_scores WHERE band <> 'low' LIMIT 20`);
      for (const r of flagged) {
        const reasons = JSON.parse(String(r['reasons'])) as { feature: string; family: string; sensitivity: string; contribution: number }[];
        expect(reasons.length).toBeGreaterThan(0);
        for (const reason of reasons) {
          expect(reason.contribution).toBeGreaterThan(0);
          expect(reason.sensitivity).toBe(artifact.features.find((f) => f.name === reason.feature)!.sensitivity);
          // The date is not a reason for one student's risk.
          expect(reason.family).not.toBe('context');
        }
      }
    });
  });
});
