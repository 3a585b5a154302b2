/**
 * Label matching between rules and detector cards. Cards spell the same class differently
 * ("dining table", "dining_table", "Fire"), so labels compare case-insensitively with spaces,
 * "_" and "-" treated alike.
 */

/** The comparable form of a label: lower case, runs of space / _ / - as one space, trimmed. */
export function normaliseLabel(label: string): string {
  return label.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** A set of labels in comparable form. */
export function labelSet(labels: readonly string[]): ReadonlySet<string> {
  return new Set(labels.map(normaliseLabel));
}
