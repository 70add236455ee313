import { describe, expect, it } from 'vitest';
import { withWarehouse } from '../testing/warehouse.js';
import { sessionStaff, startSession } from './auth.js';

describe('sessions', () => {
  it('a session touched by several requests at once answers all of them (the touch is a write that may meet another)', async () => {
    await withWarehouse(async (db) => {
      await db.run(`INSERT INTO staff (staff_id, name, email, roles, language, _ingest_id) VALUES ('H1', 'Hanna', 'h@example.fi', ['teacher'], 'fi', 'test')`);
      const signedIn = new Date('2026-02-18T08:00:00Z');
      const id = await startSession(db, 'H1', 'magic_link', signedIn);
      // Six minutes later the session is due a touch: eight requests on their own connections at once.
      const later = new Date('2026-02-18T08:06:00Z');
      const conns = await Promise.all(Array.from({ length: 8 }, () => db.connect()));
      try {
        for (let round = 0; round < 5; round++) {
          const now = new Date(later.getTime() + round * 6 * 60_000);
          const users = await Promise.all(conns.map((c) => sessionStaff(c, id, 12, now)));
          expect(users.map((u) => u?.staffId)).toEqual(conns.map(() => 'H1'));
        }
      } finally {
        for (const c of conns) c.close();
      }
    });
  });
});
