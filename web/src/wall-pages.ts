/**
 * Splits a camera group into wall pages of `perPage` tiles. Pinned cameras take the first tiles
 * of every page; the rest rotate through the remaining tiles. A page is never empty unless the
 * group is.
 */
export function wallPages(cameraIds: readonly string[], pinned: readonly string[], perPage: number): string[][] {
  const pins = pinned.filter((id) => cameraIds.includes(id)).slice(0, Math.max(0, perPage - 1));
  const rest = cameraIds.filter((id) => !pins.includes(id));
  const free = perPage - pins.length;
  if (!rest.length) return pins.length ? [pins] : [];
  const pages: string[][] = [];
  for (let i = 0; i < rest.length; i += free) pages.push([...pins, ...rest.slice(i, i + free)]);
  return pages;
}
