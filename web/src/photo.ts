/** Longest side of an uploaded photo, pixels (the server shrinks to the same). */
const MAX_SIDE = 1920;

/**
 * A phone photo made upright, shrunk to 1920 px and re-encoded as JPEG in the browser before
 * upload: a 6 MB camera file becomes ~300-600 KB, which matters on a weak mobile connection.
 * Falls back to the file itself when the browser cannot decode it (the server checks it anyway).
 */
export async function photoForUpload(file: File): Promise<Blob> {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    return blob ?? file;
  } catch {
    return file;
  }
}

/** Base64 of a blob (for JSON bodies). */
export async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
