/**
 * A tiny tmpfs mounted for a test (needs root: `mount -t tmpfs`), to make storage faults real:
 * a read-only folder root cannot write to (chmod does not stop root) and a disk that fills up.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when this process may mount file systems (root). */
export const canMount = process.getuid?.() === 0;

/** A mounted tmpfs; `close()` unmounts and removes the mount point (safe to call twice). */
export interface TinyFs {
  readonly dir: string;
  /** Remounts read-only (EROFS for every write). */
  readOnly(): void;
  close(): void;
}

/** Mounts a tmpfs of `sizeKiB` on a fresh folder under the system temp folder. */
export function mountTinyFs(sizeKiB: number): TinyFs {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tinyfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0755`, 'tmpfs', dir]);
  let closed = false;
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir]),
    close: () => {
      if (closed) return;
      closed = true;
      try {
        execFileSync('umount', [dir]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
