/**
 * Text for drawing into raw frames: each character is rendered once per font size by sharp
 * (librsvg, the system's monospace font, so any script the fonts cover) into an alpha mask, and
 * kept. A label is then a row of cached masks blended into the frame (draw-raw.ts): no SVG
 * rendering or compositing per picture.
 */
import sharp from 'sharp';

/** An 8-bit coverage mask of one character (or a whole string). */
export interface TextMask {
  readonly width: number;
  readonly height: number;
  readonly alpha: Uint8Array;
}

const CACHE_LIMIT = 4096;
const cache = new Map<string, Promise<TextMask>>();

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Wide (CJK and similar) characters take a full em; others about 0.6 em. */
const advance = (ch: string, size: number): number => Math.ceil(((ch.codePointAt(0) ?? 0) >= 0x2e80 ? 1 : 0.62) * size);

async function renderGlyph(ch: string, size: number): Promise<TextMask> {
  const width = Math.max(1, advance(ch, size));
  const height = Math.ceil(size * 1.25);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="0" y="${size}" font-family="monospace" font-size="${size}" fill="#fff">${escapeXml(ch)}</text></svg>`;
  const alpha = await sharp(Buffer.from(svg)).ensureAlpha().extractChannel(3).raw().toBuffer();
  return { width, height, alpha: new Uint8Array(alpha.buffer, alpha.byteOffset, alpha.length) };
}

/** The mask of one character at `size` px (cached). */
export function glyph(ch: string, size: number): Promise<TextMask> {
  const key = `${size}:${ch}`;
  let hit = cache.get(key);
  if (!hit) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    hit = renderGlyph(ch, size);
    // A failed render is not kept: the next call tries again.
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
  }
  return hit;
}

/** The mask of a whole line of text at `size` px, built from cached character masks. */
export async function textMask(text: string, size: number): Promise<TextMask> {
  const glyphs = await Promise.all([...text].map((ch) => glyph(ch, size)));
  const width = Math.max(1, glyphs.reduce((w, g) => w + g.width, 0));
  const height = Math.ceil(size * 1.25);
  const alpha = new Uint8Array(width * height);
  let x0 = 0;
  for (const g of glyphs) {
    for (let y = 0; y < g.height; y++) alpha.set(g.alpha.subarray(y * g.width, (y + 1) * g.width), y * width + x0);
    x0 += g.width;
  }
  return { width, height, alpha };
}
