import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDecoder } from '../decoders/registry.ts';
import { Detector } from '../detector.ts';
import { resolveModel } from '../model-catalog.ts';
import { OnnxModel } from '../onnx-session.ts';
import { postprocess } from '../postprocess.ts';
import { resampleBilinearJs } from './bilinear-js.ts';
import { loadImageFile } from './image-file.ts';
import { preprocessRgb } from './tensor.ts';

const images = join(import.meta.dirname, '..', '..', 'test-fixtures', 'coco', 'images');
const files = readdirSync(images).filter((f) => f.endsWith('.jpg'));

// The WebAssembly kernel is what Detector.detect uses; the JavaScript kernel is the reference.
describe.each(['fastestdet-352-coco', 'picodet-s-416-coco'])('%s: detect with the WebAssembly kernel', (modelId) => {
  let detector: Detector;
  let model: OnnxModel;
  beforeAll(async () => {
    const card = await resolveModel(modelId);
    detector = await Detector.load(card);
    model = await OnnxModel.load(card);
  });
  afterAll(async () => {
    await detector.close();
    await model.close();
  });

  it.each(files)('finds exactly the detections of the JavaScript preprocess on %s', async (file) => {
    const frame = await loadImageFile(join(images, file));
    const card = detector.card;
    const { tensor, transform } = preprocessRgb(frame, card.input, undefined, resampleBilinearJs);
    const options = { scoreThreshold: 0.1 };
    const want = postprocess(card, getDecoder(card.decoder), await model.run(tensor), transform, options);
    const { detections } = await detector.detect(frame, options);
    expect(want.length).toBeGreaterThan(0);
    expect(detections.items).toEqual(want);
  });
});
