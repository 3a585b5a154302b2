/**
 * Where ffmpeg writes a visit's evidence JPEG: a private directory (mode 0700) made once per
 * process, on tmpfs (`/dev/shm`) when there is one so the picture never touches a disk. fluent-ffmpeg
 * spawns ffmpeg with three pipes only, so a second output to an extra pipe (`pipe:3`) is not an
 * option without bypassing it; a file on tmpfs costs one open/write/read of ~100-300 KiB.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: Promise<string> | undefined;

async function baseDir(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

async function makeDir(): Promise<string> {
  const made = await mkdtemp(join(await baseDir(), 'gridworker-evidence-'));
  process.once('exit', () => rmSync(made, { recursive: true, force: true }));
  return made;
}

/** A fresh file path for one evidence JPEG (the file does not exist yet). */
export async function evidencePath(cameraId: string): Promise<string> {
  dir ??= makeDir();
  const safeId = cameraId.replace(/[^\w.-]/g, '_').slice(0, 64);
  return join(await dir, `${safeId}-${randomBytes(6).toString('hex')}.jpg`);
}

/** The file's bytes, or undefined when ffmpeg did not write it (or wrote nothing). */
export async function readEvidence(path: string): Promise<Buffer | undefined> {
  try {
    const data = await readFile(path);
    return data.length > 0 ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Deletes the file; never throws. */
export async function removeEvidence(path: string): Promise<void> {
  await rm(path, { force: true }).catch(() => {});
}
