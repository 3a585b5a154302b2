import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseConfigError } from './db-errors.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes the embedded database's folder for this process (`<dir>/gridworker.pid`): PGlite is one
 * process's database, and a second process opening the same files would corrupt them. A folder
 * held by a live process is a DatabaseConfigError naming it; a lock left by a dead one is taken
 * over. Returns the release function.
 */
export async function lockEmbeddedDir(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'gridworker.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(file, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (pid && alive(pid)) {
        throw new DatabaseConfigError(
          `the embedded database in ${dir} is in use by process ${pid} (one process only): use the API of that process, stop it first, or set DATABASE_URL to a PostgreSQL server`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new DatabaseConfigError(`cannot take the embedded database in ${dir}`);
}
