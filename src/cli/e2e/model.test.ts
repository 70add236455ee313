import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliJson } from '../../testing/cli.js';
import { tempDir } from '../../testing/temp-dir.js';

describe('kiinni model and score (real CLI)', () => {
  it('trains on the bundled cohort, evaluates with the generator truth, and scores with hidden welfare reasons', async () => {
    const data = tempDir();
    const cohort = path.join(repoRoot, 'fixtures', 'cohort');
    await runCli(['--data-dir', data, 'init']);
    expect((await runCli(['--data-dir', data, 'ingest', '--dir', cohort])).exitCode).toBe(0);

    const train = await runCliJson<{ version: string; promoted: boolean; evaluation: { roc_auc: number; oracle_roc_auc: number | null } }>(
      ['--data-dir', data, 'model', 'train', '--truth', path.join(cohort, 'truth')],
    );
    expect(train.result.exitCode).toBe(0);
    expect(train.json.promoted).toBe(true);
    expect(train.json.evaluation.oracle_roc_auc).toBeGreaterThan(0.5);

    const evaluated = await runCliJson<Record<string, unknown>>(['--data-dir', data, 'model', 'evaluate', '--truth', path.join(cohort, 'truth')]);
    expect(evaluated.result.exitCode).toBe(0);
    for (const key of ['roc_auc', 'pr_auc', 'brier', 'ece', 'oracle_roc_auc', 'calibration', 'capacity', 'lead_time', 'groups', 'importances']) {
      expect(evaluated.json, key).toHaveProperty(key);
    }
    // Recomputed from the warehouse, the figures match what training recorded.
    expect(evaluated.json['roc_auc']).toBe(train.json.evaluation.roc_auc);

    const list = await runCliJson<{ versions: { version: string; status: string }[] }>(['--data-dir', data, 'model', 'list']);
    expect(list.json.versions).toMatchObject([{ version: train.json.version, status: 'current' }]);
    const card = await runCli(['--data-dir', data, 'model', 'show']);
    expect(card.stdout).toMatch(/## Error rates by group/);

    const score = await runCliJson<{ students: number; top: { reasons: string[] }[] }>(
      ['--data-dir', data, 'score', '--as-of', '2026-02-20', '--show', '50', '--lang', 'fi'],
    );
    expect(score.result.exitCode).toBe(0);
    expect(score.json.students).toBeGreaterThan(200);
    expect(score.json.top).toHaveLength(50);
    // The coordinator's view never carries well-being reasons.
    expect(JSON.stringify(score.json.top)).not.toMatch(/[Vv]ointi|hyvinvointi|motivaatio|yhteydenottoa/);

    const empty = tempDir();
    await runCli(['--data-dir', empty, 'init']);
    const noModel = await runCli(['--data-dir', empty, 'score']);
    expect(noModel.exitCode).toBe(2);
    expect(noModel.stderr).toMatch(/No current model yet/);
  });
});
