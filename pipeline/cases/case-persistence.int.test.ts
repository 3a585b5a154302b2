import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.ts';
import { CaseStore } from './case-store.ts';
import { TEST_TYPES, testContext, testEvent } from './case-test-fixtures.ts';

describe('cases survive closing and reopening the embedded database (the npm start default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-embedded-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const eventType = (id: string) => TEST_TYPES.find((t) => t.id === id);

  it('keeps cases, verdicts, the audit trail, list order and the cooldown', async () => {
    const h1 = await openDatabase({ embeddedDir: join(dir, 'db') });
    const store = new CaseStore(h1.db, { eventType });
    const a = (await store.openOrUpdate(testEvent(), testContext())).case;
    const b = (await store.openOrUpdate(testEvent({ place: [0.6, 0.1, 0.8, 0.3] }), testContext())).case;
    await store.claim(a.id, 'w1');
    await store.verdict(a.id, 'w1', { verdict: 'confirmed' });
    await store.verdict(b.id, 'w2', { verdict: 'rejected', reason: 'duplicate' });
    await store.changesAnnounced();
    await h1.close();

    const h2 = await openDatabase({ embeddedDir: join(dir, 'db') });
    try {
      const again = new CaseStore(h2.db, { eventType });
      expect(await again.get(a.id)).toMatchObject({ status: 'accepted', claimedBy: 'w1', verdict: { verdict: 'confirmed', by: 'w1' } });
      expect(await again.get(b.id)).toMatchObject({ status: 'rejected', verdict: { reason: 'duplicate' } });
      expect((await again.audit(a.id)).map((e) => e.action)).toEqual(['opened', 'claimed', 'confirmed']);
      expect((await again.list({ status: 'accepted' })).cases.map((c) => c.id)).toEqual([a.id]);
      // Dedup and cooldown state came back too: the same car updates the accepted case; the rejected one suppresses.
      expect((await again.openOrUpdate(testEvent(), testContext())).case.id).toBe(a.id);
      expect((await again.openOrUpdate(testEvent({ place: [0.6, 0.1, 0.8, 0.3] }), testContext())).outcome).toBe('suppressed');
    } finally {
      await h2.close();
    }
  });
});
