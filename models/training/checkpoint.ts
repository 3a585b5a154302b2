import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatIssues } from '../model-card.ts';
import { CheckpointError } from './training-errors.ts';

/** One finished epoch as recorded in the checkpoint and shown on the progress line. */
export const EpochRecord = z.strictObject({
  epoch: z.number().int().positive(),
  loss: z.number(),
  learningRate: z.number(),
  valAp50: z.number().nullable(),
  valMap: z.number().nullable(),
  seconds: z.number().min(0),
});
export type EpochRecord = z.infer<typeof EpochRecord>;

/**
 * Everything needed to continue a run after its last finished epoch and end bit-identical to an
 * uninterrupted one: the head, the optimiser moments and step, and the history. Shuffling is
 * seeded by (seed, epoch), so no random state needs saving. `runKey` ties it to one run's data,
 * base model and settings.
 */
export const CheckpointSchema = z.strictObject({
  version: z.literal(1),
  runKey: z.string().regex(/^[0-9a-f]{64}$/),
  epoch: z.number().int().min(0),
  params: z.array(z.number()),
  adam: z.strictObject({ step: z.number().int().min(0), m: z.array(z.number()), v: z.array(z.number()) }),
  history: z.array(EpochRecord),
  /** The moving average of the parameters, in runs that export it (`weightAverage`). */
  average: z.array(z.number()).optional(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** Writes the checkpoint atomically (temp file, then rename), so a kill mid-write leaves the previous one. */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(checkpoint));
  await rename(tmp, path);
}

/** Reads and validates a checkpoint; `runKey` must match the run being resumed. */
export async function loadCheckpoint(path: string, runKey: string, paramCount: number): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(`checkpoint ${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = CheckpointSchema.safeParse(json);
  if (!parsed.success) throw new CheckpointError(`checkpoint ${path} is invalid: ${formatIssues(parsed.error.issues)}`);
  const cp = parsed.data;
  if (cp.runKey !== runKey) {
    throw new CheckpointError(`checkpoint ${path} belongs to a different run (other data, base model, classes or settings): start without --resume or use another --out`);
  }
  if (cp.params.length !== paramCount || cp.adam.m.length !== paramCount || cp.adam.v.length !== paramCount) {
    throw new CheckpointError(`checkpoint ${path} holds ${cp.params.length} parameters, the head has ${paramCount}`);
  }
  if (cp.average && cp.average.length !== paramCount) {
    throw new CheckpointError(`checkpoint ${path} holds a weight average of ${cp.average.length} values, the head has ${paramCount}`);
  }
  return cp;
}
