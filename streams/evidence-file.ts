/**
 * Where ffmpeg writes a visit's evidence JPEG: a private directory (mode 0700) made for the visit
 * and removed with it, on tmpfs (`/dev/shm`) when there is one so the picture never touches a disk.
 * Per visit rather than per process: nothing is left behind by processes that never run their
 * exit hooks (test workers, killed workers), and two syscalls are nothing next to an ffmpeg spawn.
 *
 * Why a file at all: fluent-ffmpeg spawns ffmpeg with three pipes only, so a second output to an
 * extra pipe (`pipe:3`) is not possible without bypassing it; a ~100-300 KiB file on tmpfs is cheap.
 */
import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let base: Promise<string> | undefined;

async function findBase(): Promise<string> {
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** A fresh file path for one evidence JPEG in its own new directory (the file does not exist yet). */
export async function evidencePath(cameraId: string): Promise<string> {
  base ??= findBase();
  const dir = await mkdtemp(join(await base, 'gridworker-evidence-'));
  const safeId = cameraId.replace(/[^\w.-]/g, '_').slice(0, 64) || 'camera';
  return join(dir, `${safeId}.jpg`);
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

/** Deletes the file and its directory; never throws. */
export async function removeEvidence(path: string): Promise<void> {
  await rm(join(path, '..'), { recursive: true, force: true }).catch(() => {});
}
