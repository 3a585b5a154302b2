import { join } from 'node:path';

/** A stored evidence file, relative to the evidence folder: `<yyyy-mm-dd>/<sha256 hex>.jpg` (UTC day). */
export const EVIDENCE_PATH_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}/[0-9a-f]{64}\\.jpg$';
const EVIDENCE_PATH = new RegExp(EVIDENCE_PATH_PATTERN);

/** True when `rel` is exactly the shape of a stored evidence path (so it cannot leave the folder). */
export function isEvidencePath(rel: string): boolean {
  return EVIDENCE_PATH.test(rel);
}

/** The relative path of content with this hash stored at `at` (epoch ms; the folder is the UTC day). */
export function evidencePathFor(sha256Hex: string, at: number): string {
  return `${new Date(at).toISOString().slice(0, 10)}/${sha256Hex}.jpg`;
}

/**
 * The absolute file of a relative evidence path, or undefined when the path is not one the store
 * writes. Only the exact `<day>/<hash>.jpg` shape is accepted: no "..", no separators, no encoding
 * tricks can reach outside the folder.
 */
export function resolveEvidencePath(dir: string, rel: string): string | undefined {
  return isEvidencePath(rel) ? join(dir, rel) : undefined;
}
