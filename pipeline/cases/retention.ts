import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import { isEvidencePath } from './evidence-path.ts';

/** What a retention pass removed. */
export interface RetentionReport {
  /** Evidence files deleted. */
  readonly files: number;
  /** Evidence rows marked deleted. */
  readonly rows: number;
  /** Day folders older than the cutoff that were looked at. */
  readonly days: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const pointers = z.object({
  first: z.string().optional(),
  best: z.string().optional(),
  after: z.string().optional(),
  raw: z.string().optional(),
  handledPhoto: z.string().optional(),
});

/**
 * Deletes evidence files in day folders older than `maxAgeMs` (their UTC day ends before
 * now - maxAge), except what a case still shows: its first and best sighting, the re-check's
 * "after" frame (the before/after pair), the unit's photo and the undrawn frame kept for
 * training. Case rows stay; the evidence rows of deleted files are marked `deleted_at`.
 * Latest-sighting frames, frames of repeat sightings and first-sighting frames no case used go.
 */
export async function applyRetention(db: Kysely<Database>, evidenceDir: string, maxAgeMs: number, now: number): Promise<RetentionReport> {
  const cutoffDay = new Date(now - maxAgeMs).toISOString().slice(0, 10);
  const days = (await readdir(evidenceDir).catch(() => [] as string[])).filter((d) => DAY.test(d) && d < cutoffDay).sort();
  if (days.length === 0) return { files: 0, rows: 0, days: 0 };
  const keep = new Set<string>();
  const rows = await db.selectFrom('cases').select('evidence').execute();
  for (const r of rows) {
    const p = pointers.safeParse(r.evidence);
    if (!p.success) continue;
    for (const v of Object.values(p.data)) if (v) keep.add(v);
  }
  const deleted: string[] = [];
  for (const day of days) {
    const names = await readdir(join(evidenceDir, day)).catch(() => [] as string[]);
    for (const name of names) {
      const rel = `${day}/${name}`;
      if (!isEvidencePath(rel) || keep.has(rel)) continue;
      await rm(join(evidenceDir, rel), { force: true });
      deleted.push(rel);
    }
    // An emptied day folder goes too (rmdir fails on a non-empty one, which is fine).
    await rmdir(join(evidenceDir, day)).catch(() => undefined);
  }
  let marked = 0;
  for (let i = 0; i < deleted.length; i += 500) {
    const r = await db.updateTable('evidence').set({ deleted_at: now }).where('path', 'in', deleted.slice(i, i + 500)).where('deleted_at', 'is', null).executeTakeFirst();
    marked += Number(r.numUpdatedRows);
  }
  return { files: deleted.length, rows: marked, days: days.length };
}
