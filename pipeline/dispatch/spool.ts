import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const KEY = /^[A-Za-z0-9_-]{1,128}$/;
const FILE = /^([A-Za-z0-9_-]{1,128})\.json$/;

/**
 * A folder of jobs waiting for Redis: one JSON file per key (the case id), `<key>.json`.
 * A put is atomic and durable: written to a temporary file, fsynced, renamed over the name, and
 * the folder fsynced, so after a crash a file is either absent or complete. Putting a key again
 * replaces its file (one file per case, however often it was spooled). Keys sort by name, and
 * case ids sort by opening time, so `keys()` is delivery order. One process owns a folder.
 */
export class Spool {
  private ready: Promise<void> | undefined;

  constructor(
    /** The folder; created when missing. */
    readonly dir: string,
  ) {}

  /** Creates the folder and removes temporary files a crash left behind. */
  init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o750 });
      for (const name of await readdir(this.dir)) if (name.startsWith('.tmp-')) await rm(join(this.dir, name), { force: true });
    })();
    return this.ready;
  }

  /** Stores `data` (JSON-serialisable) under `key`, durably. */
  async put(key: string, data: unknown): Promise<void> {
    if (!KEY.test(key)) throw new RangeError(`spool key "${key.slice(0, 64)}" must be 1-128 of [A-Za-z0-9_-]`);
    await this.init();
    const tmp = join(this.dir, `.tmp-${key}-${randomBytes(4).toString('hex')}`);
    try {
      const fh = await open(tmp, 'w', 0o640);
      try {
        await fh.writeFile(JSON.stringify(data));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.dir, `${key}.json`));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await this.syncDir();
  }

  /** Keys waiting, in delivery order (sorted by name). */
  async keys(): Promise<string[]> {
    await this.init();
    const names = await readdir(this.dir);
    return names
      .map((n) => FILE.exec(n)?.[1])
      .filter((k): k is string => k !== undefined)
      .sort();
  }

  /** The stored data, or undefined when the key is not spooled. Throws SyntaxError for a damaged file. */
  async read(key: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(join(this.dir, `${key}.json`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return JSON.parse(text) as unknown;
  }

  /** Deletes a key's file (after its delivery). Missing is fine. */
  async remove(key: string): Promise<void> {
    await rm(join(this.dir, `${key}.json`), { force: true });
    await this.syncDir();
  }

  /** Moves a file that cannot be delivered aside as `<key>.json.bad`, kept for a person to look at. */
  async quarantine(key: string): Promise<void> {
    await rename(join(this.dir, `${key}.json`), join(this.dir, `${key}.json.bad`));
  }

  /** fsync of the folder makes a rename or an unlink durable. */
  private async syncDir(): Promise<void> {
    const fh = await open(this.dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
