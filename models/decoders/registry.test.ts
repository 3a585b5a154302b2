import { describe, expect, it } from 'vitest';
import { DecoderError } from '../errors.ts';
import { gflDecoder } from './gfl.ts';
import { getDecoder, inferDecoder, listDecoders } from './registry.ts';

const shapes = (list: number[][]) => list.map((dims, i) => ({ name: `out${i}`, dims }));
const coco = (size: number) => ({ inputWidth: size, inputHeight: size, numClasses: 80 });
const summary = (matches: ReturnType<typeof inferDecoder>) => matches.map((m) => ({ name: m.decoder.name, params: m.params }));

describe('decoder registry', () => {
  it('lists every decoder under its key', () => {
    expect(listDecoders().map((d) => d.name)).toEqual(['gfl', 'yolox', 'fastestdet', 'yolov5', 'yolov8', 'nms-free']);
  });

  it('finds a decoder by key and names the known keys for an unknown one', () => {
    expect(getDecoder('gfl')).toBe(gflDecoder);
    expect(() => getDecoder('yolo')).toThrow(DecoderError);
    expect(() => getDecoder('yolo')).toThrow('unknown decoder "yolo"; known decoders: gfl, yolox, fastestdet, yolov5, yolov8, nms-free');
  });
});

describe('inferDecoder', () => {
  it('recognises PicoDet-S-416 as gfl with 4 strides and reads regMax off the box tensors', () => {
    const pico = shapes([[1, 2704, 80], [1, 676, 80], [1, 169, 80], [1, 49, 80], [1, 2704, 32], [1, 676, 32], [1, 169, 32], [1, 49, 32]]);
    expect(summary(inferDecoder(pico, coco(416)))).toEqual([{ name: 'gfl', params: { strides: [8, 16, 32, 64], regMax: 7 } }]);
  });

  it('recognises PicoDet-S-320 and NanoDet-m-416', () => {
    const pico320 = shapes([[1, 1600, 80], [1, 400, 80], [1, 100, 80], [1, 25, 80], [1, 1600, 32], [1, 400, 32], [1, 100, 32], [1, 25, 32]]);
    expect(summary(inferDecoder(pico320, coco(320)))).toEqual([{ name: 'gfl', params: { strides: [8, 16, 32, 64], regMax: 7 } }]);
    const nano = shapes([[1, 2704, 80], [1, 676, 80], [1, 169, 80], [1, 2704, 32], [1, 676, 32], [1, 169, 32]]);
    expect(summary(inferDecoder(nano, coco(416)))).toEqual([{ name: 'gfl', params: { strides: [8, 16, 32], regMax: 7 } }]);
  });

  it('infers a GFL regMax other than 7 (4 x 17 = 68 bins -> regMax 16), with or without strides', () => {
    const gfl16 = shapes([[1, 16, 80], [1, 4, 80], [1, 1, 80], [1, 16, 68], [1, 4, 68], [1, 1, 68]]);
    expect(summary(inferDecoder(gfl16, coco(32)))).toEqual([{ name: 'gfl', params: { strides: [8, 16, 32], regMax: 16 } }]);
    const twoLevels = shapes([[1, 4, 80], [1, 1, 80], [1, 4, 68], [1, 1, 68]]);
    expect(summary(inferDecoder(twoLevels, { ...coco(16), params: { strides: [8, 16] } }))).toEqual([{ name: 'gfl', params: { strides: [8, 16], regMax: 16 } }]);
  });

  it('uses the regMax the caller gives even when the shapes disagree', () => {
    const twoLevels = shapes([[1, 4, 80], [1, 1, 80], [1, 4, 68], [1, 1, 68]]);
    expect(() => inferDecoder(twoLevels, { ...coco(16), params: { strides: [8, 16], regMax: 7 } })).toThrow(/4 x \(regMax 7 \+ 1\) = 32 bins/);
  });

  it('returns every fit: a YOLOX output also has the YOLOv5 shape', () => {
    expect(summary(inferDecoder(shapes([[1, 3549, 85]]), coco(416)))).toEqual([
      { name: 'yolox', params: { strides: [8, 16, 32] } },
      { name: 'yolov5', params: {} },
    ]);
  });

  it('recognises FastestDet, YOLOv8 and NMS-free outputs', () => {
    expect(summary(inferDecoder(shapes([[1, 85, 22, 22]]), coco(352)))).toEqual([{ name: 'fastestdet', params: {} }]);
    expect(summary(inferDecoder(shapes([[1, 84, 8400]]), coco(640)))).toEqual([{ name: 'yolov8', params: {} }]);
    expect(summary(inferDecoder(shapes([[1, 300, 6]]), coco(640)))).toEqual([{ name: 'nms-free', params: {} }]);
  });

  it('throws one DecoderError listing every decoder and stride set it tried', () => {
    let error: unknown;
    try {
      inferDecoder(shapes([[1, 8400, 84]]), coco(640));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DecoderError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('no decoder fits outputs [1, 8400, 84] with 80 classes on a 640x640 input:');
    expect(lines.slice(1).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '  - gfl (strides 8, 16, 32, 64)',
      '  - gfl (strides 8, 16, 32)',
      '  - yolox (strides 8, 16, 32)',
      '  - fastestdet',
      '  - yolov5',
      '  - yolov8',
      '  - nms-free',
    ]);
    expect(lines[6]).toMatch(/looks transposed/);
  });
});
