import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { ImageInputError } from '../errors.ts';
import type { InputSpec } from '../model-card.ts';
import type { RgbFrame } from './frame.ts';
import { preprocessRgb, type PreprocessResult } from './tensor.ts';

/**
 * Decodes an image file (any format sharp reads: JPEG, PNG, WebP, TIFF, GIF, AVIF, ...) into a
 * packed RGB24 frame: EXIF orientation applied (so width/height are as displayed), alpha
 * dropped, greyscale / CMYK / 16-bit / ICC-tagged images converted to 8-bit sRGB.
 *
 * @throws ImageInputError naming the file when it is missing or unreadable, not an image,
 *   or truncated/corrupt; the underlying error is kept as `cause`.
 */
export async function loadImageFile(path: string): Promise<RgbFrame> {
  let bytes: Buffer;
  try {
    // Reading the bytes ourselves gives errno codes (ENOENT, EACCES, EISDIR) instead of
    // sharp's single "Input file is missing" message.
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
    throw new ImageInputError(`image file ${path} ${why}`, { cause: err });
  }
  if (bytes.length === 0) throw new ImageInputError(`image file ${path} is empty`);
  try {
    const { data, info } = await sharp(bytes)
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`decoder produced ${info.channels} channels for ${info.width}x${info.height}`);
    }
    return { width: info.width, height: info.height, data };
  } catch (err) {
    throw describeDecodeError(path, err);
  }
}

/** The ImageInputError for a file sharp could not decode, naming the decoder's own reason. */
export function describeDecodeError(path: string, err: unknown): ImageInputError {
  const message = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(message)) {
    return new ImageInputError(`image file ${path} is not an image in a format sharp can read`, { cause: err });
  }
  // libvips repeats each warning line, and its generic "warning treated as error" line comes
  // before or after the decoder's own one depending on thread timing: name the decoder's.
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  const specific = lines.find((l) => !/^warning treated as error/i.test(l)) ?? lines[0] ?? message;
  const first = specific.replace(/^Input buffer (has|contains) /, '');
  return new ImageInputError(`image file ${path} is truncated or corrupt: ${first}`, { cause: err });
}

/** {@link loadImageFile} then {@link preprocessRgb}; also returns the decoded frame. */
export async function preprocessImageFile(
  path: string,
  spec: InputSpec,
  out?: Float32Array,
): Promise<PreprocessResult & { readonly frame: RgbFrame }> {
  const frame = await loadImageFile(path);
  return { ...preprocessRgb(frame, spec, out), frame };
}
