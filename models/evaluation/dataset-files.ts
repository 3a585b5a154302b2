import { readdir } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import sharp from 'sharp';

/** File extensions read as images (lower case). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff', '.gif', '.avif']);

/** Every image file under `dir`, recursively, sorted by path; hidden folders are skipped. */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(path);
    }
  };
  await walk(dir);
  return out.sort();
}

/**
 * The YOLO label file of an image: the last `images` folder in its path becomes `labels` and the
 * extension `.txt` (Ultralytics' rule); an image outside any `images` folder has its label beside it.
 */
export function labelPathFor(imagePath: string): string {
  const marker = `${sep}images${sep}`;
  const at = imagePath.lastIndexOf(marker);
  const base = at === -1 ? imagePath : `${imagePath.slice(0, at)}${sep}labels${sep}${imagePath.slice(at + marker.length)}`;
  return base.slice(0, base.length - extname(base).length) + '.txt';
}

/** Displayed width and height of an image file (EXIF orientation applied), read from its header. */
export async function imageSize(path: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(path).metadata();
  const { width, height } = meta.autoOrient;
  if (!width || !height) throw new Error('no width or height in the image header');
  return { width, height };
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
