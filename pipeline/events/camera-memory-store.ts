import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/db-schema.ts';
import { type CameraMemory, emptyCameraMemory, parseCameraMemory, trackKey } from './camera-memory.ts';

/** A camera's rule memory and its first-sighting frames (key -> path, kept until `until`). */
export interface StoredCameraMemory {
  readonly memory: CameraMemory;
  readonly firstSightings: Readonly<Record<string, { readonly path: string; readonly until: number }>>;
}

/** Where the events stage keeps per-camera memory between visits (and restarts). */
export interface CameraMemoryStore {
  load(cameraId: string): Promise<StoredCameraMemory>;
  save(cameraId: string, stored: StoredCameraMemory, now: number): Promise<void>;
}

// Stored as a list: the keys hold a NUL separator (trackKey), which jsonb text cannot carry.
const firstSchema = z.array(z.object({ ruleId: z.string(), zone: z.string().nullable(), path: z.string(), until: z.number() }));
const rowSchema = z.object({ memory: z.unknown(), firstSightings: firstSchema.default([]) });

/**
 * Camera memory in the record (table camera_memory): "still there after T" survives a restart of
 * every process and of Redis. One row per camera, written after each visit inside the camera's
 * lock, so writes of one camera never race. A row another version wrote that does not parse
 * starts afresh (reported through `onUnreadable`) rather than stopping the patrol.
 */
export class RecordCameraMemoryStore implements CameraMemoryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onUnreadable: (cameraId: string, err: Error) => void = () => undefined,
  ) {}

  async load(cameraId: string): Promise<StoredCameraMemory> {
    const row = await this.db.selectFrom('camera_memory').select('memory').where('camera_id', '=', cameraId).executeTakeFirst();
    if (!row) return { memory: emptyCameraMemory(), firstSightings: {} };
    try {
      const parsed = rowSchema.parse(row.memory);
      const firstSightings = Object.fromEntries(parsed.firstSightings.map((f) => [trackKey(f.ruleId, f.zone), { path: f.path, until: f.until }]));
      return { memory: parseCameraMemory(parsed.memory), firstSightings };
    } catch (err) {
      this.onUnreadable(cameraId, err as Error);
      return { memory: emptyCameraMemory(), firstSightings: {} };
    }
  }

  async save(cameraId: string, stored: StoredCameraMemory, now: number): Promise<void> {
    const firstSightings = Object.entries(stored.firstSightings)
      .filter(([, v]) => v.until > now)
      .map(([k, v]) => {
        const [ruleId = '', zone = ''] = k.split('\u0000');
        return { ruleId, zone: zone === '' ? null : zone, path: v.path, until: v.until };
      });
    const memory = JSON.stringify({ memory: stored.memory, firstSightings });
    await this.db
      .insertInto('camera_memory')
      .values({ camera_id: cameraId, memory, updated_at: now })
      .onConflict((oc) => oc.column('camera_id').doUpdateSet({ memory, updated_at: now }))
      .execute();
  }
}
