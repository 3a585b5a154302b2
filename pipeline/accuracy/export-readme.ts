import type { ExportSummary } from './export-summary.ts';

/** The README.md written into an export: what is in it and how far to trust its labels. */
export function exportReadme(s: ExportSummary): string {
  const layout =
    s.format === 'yolo'
      ? '- `images/`, `labels/` (`class cx cy w h`, 0-1), `classes.names` and `data.yaml` (YOLO format)'
      : '- `annotations.json` (COCO: boxes in pixels, category ids from 1) and `images/`';
  const drawn =
    s.drawnFrames === 0
      ? 'Every image is a raw frame (no boxes drawn on it).'
      : `**${s.drawnFrames} of ${s.images} images have the AI's boxes drawn on them** (no raw frame was kept for those cases). ` +
        'A detector scored on them sees the drawn rectangles; fine for comparing models, not for training. Keep raw evidence frames to fix this.';
  return `# Verified evidence export

Made ${new Date(s.createdAt).toISOString()} by \`gridworker export-verified\` from ${s.verifiedCases} verified cases.

${layout}
- \`cases.json\`: every verified case with its event-level labels: the AI's type, the verdict and
  reason, the corrected type, what the verdict says about the objects, and its image (or why not).

${s.images} images: ${s.positives} with objects (${s.annotations} boxes), ${s.negatives} without objects (false detections).
${s.skipped.length} verified cases were not exported (see \`cases.json\`, field \`skipped\`).
Classes: ${s.classes.join(', ') || '(none)'}.

## What the labels are

- Object labels are the detector's own boxes and labels on cases whose objects a grid worker's
  verdict shows to be real: confirmed cases, and rejections as "not a violation" or "wrong event
  type" (the objects were there; the event was not, or was another type, and the corrected type is
  in \`cases.json\`). Workers judge events, not boxes: box positions are the detector's.
- Only the objects that made up the event are boxed, not every object in the frame: another car
  in the picture has no label, and a model that finds it is counted a false positive. Compare
  models with each other on this data; do not read its precision as absolute.
- Images without objects are false detections (only with \`--include-rejected-as-negatives\`):
  nothing of the AI's classes is where it saw them.
- ${drawn}

## Scoring a model on it

    npx gridworker bench --data ${s.format === 'yolo' ? '<this folder>' : '<this folder>/annotations.json'} --model <model>
`;
}
