/**
 * Body of one detector process (see detector-pool.ts): loads a Detector for each card of its
 * first message (each model once), then answers detect requests one at a time, each naming its model
 * (a frame, or a file path it reads and decodes itself).
 * Models are added (`load`) and dropped (`unload`) in the same order as the frames, so a model is
 * only closed after the frames sent for it before the unload. Errors travel as
 * { name, code, message } and are rebuilt as typed errors by the pool. Exits when its parent
 * goes (the IPC channel closes).
 */
import { performance } from 'node:perf_hooks';
import { Detector } from './detector.ts';
import type { DetectFileRequest, DetectorInit, DetectorReply, DetectorRequest, DetectRequest, LoadModelRequest, WireError } from './detector-process-protocol.ts';
import { loadImageFile } from './preprocess/image-file.ts';

const send = (reply: DetectorReply): void => {
  process.send?.(reply);
};

const wireError = (err: unknown): WireError => {
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return { name: String(e.name ?? 'Error'), code: String(e.code ?? 'MODEL_ERROR'), message: String(e.message ?? err) };
};

let detectors: Map<string, Detector> | undefined;
let options: { threads: number; skipIntegrityCheck: boolean } = { threads: 1, skipIntegrityCheck: false };
// Requests are answered in order: onnxruntime runs one at a time here anyway.
let chain: Promise<void> = Promise.resolve();

async function init(msg: DetectorInit): Promise<void> {
  try {
    options = { threads: msg.sessionThreads, skipIntegrityCheck: msg.skipIntegrityCheck };
    const loaded = new Map<string, Detector>();
    try {
      for (const card of msg.cards) loaded.set(card.id, await Detector.load(card, options));
    } catch (err) {
      await Promise.allSettled([...loaded.values()].map((d) => d.close()));
      throw err;
    }
    detectors = loaded;
    send({ kind: 'ready' });
  } catch (err) {
    send({ kind: 'load-error', error: wireError(err) });
  }
}

async function load(all: Map<string, Detector>, msg: LoadModelRequest): Promise<void> {
  try {
    const before = all.get(msg.card.id);
    const d = await Detector.load(msg.card, options);
    all.set(msg.card.id, d);
    await before?.close();
    send({ kind: 'loaded', id: msg.id });
  } catch (err) {
    send({ kind: 'load-failed', id: msg.id, error: wireError(err) });
  }
}

async function unload(all: Map<string, Detector>, model: string): Promise<void> {
  const d = all.get(model);
  all.delete(model);
  await d?.close().catch(() => undefined);
}

const detectorFor = (all: Map<string, Detector>, model: string): Detector => {
  const d = all.get(model);
  if (!d) throw Object.assign(new Error(`model ${model} is not loaded in this detector process (loaded: ${[...all.keys()].join(', ')})`), { code: 'MODEL_LOAD_FAILED' });
  return d;
};

async function detect(all: Map<string, Detector>, msg: DetectRequest): Promise<void> {
  try {
    const d = detectorFor(all, msg.model);
    const r = await d.detect({ width: msg.width, height: msg.height, data: msg.data }, msg.options);
    send({ kind: 'result', id: msg.id, detections: r.detections, timingsMs: r.timingsMs });
  } catch (err) {
    send({ kind: 'error', id: msg.id, error: wireError(err) });
  }
}

/** Reads and decodes the file here; a file that will not decode is answered as an error (ImageInputError), the process goes on. */
async function detectFile(all: Map<string, Detector>, msg: DetectFileRequest): Promise<void> {
  try {
    const d = detectorFor(all, msg.model);
    const t0 = performance.now();
    const frame = await loadImageFile(msg.path);
    const decodeMs = performance.now() - t0;
    const r = await d.detect(frame, msg.options);
    send({ kind: 'file-result', id: msg.id, detections: r.detections, timingsMs: r.timingsMs, decodeMs });
  } catch (err) {
    send({ kind: 'error', id: msg.id, error: wireError(err) });
  }
}

process.on('message', (msg: DetectorInit | DetectorRequest) => {
  if (msg.kind === 'init') {
    chain = chain.then(() => init(msg));
    return;
  }
  // Queued behind the init: `detectors` is read when the step runs.
  chain = chain.then(() => {
    const all = detectors;
    if (!all) return;
    if (msg.kind === 'detect') return detect(all, msg);
    if (msg.kind === 'detect-file') return detectFile(all, msg);
    if (msg.kind === 'load') return load(all, msg);
    return unload(all, msg.model);
  });
});
process.on('disconnect', () => {
  void Promise.allSettled([...(detectors?.values() ?? [])].map((d) => d.close())).finally(() => process.exit(0));
});
