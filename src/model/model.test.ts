import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { tempDir } from '../testing/temp-dir.js';
import { testNow, withCohortWarehouse } from '../testing/warehouse.js';
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
      const flagged = await db.all(`SELECT band, reasons FROM risk_scores WHERE band <> 'low' LIMIT 20`);
      for (const r of flagged) {
        const reasons = JSON.parse(String(r['reasons'])) as { feature: string; sensitivity: string; contribution: number }[];
        expect(reasons.length).toBeGreaterThan(0);
        for (const reason of reasons) {
          expect(reason.contribution).toBeGreaterThan(0);
          expect(reason.sensitivity).toBe(artifact.features.find((f) => f.name === reason.feature)!.sensitivity);
        }
      }
    });
  });
});
