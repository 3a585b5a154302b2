import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FrameKeeper } from '../events/event-sink.ts';
import { writeEvidence } from './evidence.ts';

/** The events stage's first-sighting frames, kept as evidence files (content-addressed). */
export function evidenceFrameKeeper(evidenceDir: string): FrameKeeper {
  return {
    keep: (jpeg, at) => writeEvidence(evidenceDir, jpeg, at),
    read: (path) => readFile(join(evidenceDir, path)).catch(() => undefined),
  };
}
