import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelCard, ModelCardData } from '../model-card.ts';
import { graftGflClassHead, graftTunedClassBranch } from '../onnx-graph/graft-gfl-class-head.ts';
import { sha256Hex } from '../onnx-session.ts';
import { levelWeights, type ClassHead } from './class-head.ts';
import type { FeatureExtractor } from './feature-extractor.ts';

/** Where an exported model went. */
export interface ExportedModel {
  readonly onnxPath: string;
  readonly cardPath: string;
  readonly card: ModelCardData;
}

/** What the card says beyond what the base model and head imply. */
export interface ExportDetails {
  readonly id: string;
  readonly name: string;
  readonly labels: readonly string[];
  /** Operating score threshold for the card; default the base model's. */
  readonly scoreThreshold?: number;
  readonly training: NonNullable<ModelCardData['training']>;
  /** Text of the data licence notices, written to licenses/ beside the card. */
  readonly dataNotice: string;
}

/**
 * Writes ONE ONNX file (the base graph with the trained class rows grafted into its head convs;
 * backbone, neck and box regression unchanged) and its model card, which `detect`, `bench` and
 * `run` load like any other. The card keeps the base's preprocessing, decoder and thresholds.
 */
export async function exportTrainedModel(out: string, base: ModelCard, extractor: FeatureExtractor, head: ClassHead, details: ExportDetails): Promise<ExportedModel> {
  const heads = extractor.levels.map((_, l) => levelWeights(head, l));
  const bytes = head.hidden
    ? graftTunedClassBranch(extractor.view, extractor.levels, extractor.towers, head.classes, heads.map((h) => ({ ...h, hiddenWeight: h.hiddenWeight!, hiddenBias: h.hiddenBias! })), head.kernel ? extractor.depthwise : [], head.front ? extractor.front : [])
    : graftGflClassHead(extractor.view, extractor.levels, head.classes, heads);
  const file = `${details.id.replace(/[-.]/g, '_')}.onnx`;
  const licenceFile = `licenses/${details.id}-data.md`;
  await mkdir(join(out, 'licenses'), { recursive: true });
  await writeFile(join(out, file), bytes);
  await writeFile(
    join(out, licenceFile),
    `# Training data of ${details.id}\n\nThe class head of this model was trained by \`gridworker train\` on the data below; its licence\nand attribution apply to the model as a derived work. The network itself comes from ${base.id}\n(${base.licence.name}).\n\nLicence: ${details.training.dataLicence}\n\n${details.dataNotice}`,
  );
  const strides = base.decoderParams.strides ?? [];
  const card: ModelCardData = {
    id: details.id,
    version: '1.0.0',
    name: details.name,
    file,
    sha256: sha256Hex(bytes),
    decoder: base.decoder,
    decoderParams: base.decoderParams,
    loadFixes: base.loadFixes,
    input: base.input,
    outputs: base.outputs.map((o, i) => (i < strides.length ? { ...o, shape: [1, o.shape[1]!, head.classes] } : o)),
    labels: [...details.labels],
    thresholds: { ...base.thresholds, ...(details.scoreThreshold === undefined ? {} : { score: details.scoreThreshold }) },
    licence: { name: `${base.licence.name} (network, from ${base.id}); trained head: ${details.training.dataLicence}`, file: licenceFile },
    source: `gridworker train: ${base.id} with its backbone, neck and box regression frozen and a new class head trained on ${details.training.data}`,
    training: details.training,
  };
  const cardPath = join(out, `${details.id.replace(/[-.]/g, '_')}.json`);
  await writeFile(cardPath, `${JSON.stringify(card, null, 2)}\n`);
  return { onnxPath: join(out, file), cardPath, card };
}
