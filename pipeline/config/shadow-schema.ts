import { z } from 'zod';
import { AreaTypeSchema, SlugSchema } from './camera-schema.ts';

/**
 * A candidate model run in shadow beside the active ones on a group of cameras: its hits become
 * cases marked shadow that go to verification but are never dispatched, until its verdict
 * precision's lower confidence bound reaches `precisionTarget` (then it is promoted: audited).
 */
export const ShadowModelSchema = z
  .strictObject({
    model: z.string().min(1).describe('The candidate: model id, card .json or .onnx path.'),
    replaces: z
      .string()
      .min(1)
      .optional()
      .describe('The active model it is measured against and would take over from on these cameras (id, card or path); once promoted, that model stops running there. Optional: without it the candidate is added beside the active models.'),
    cameras: z.array(SlugSchema).max(10_000).default([]).describe('Camera ids of the group; default none.'),
    grids: z.array(z.string().min(1).max(64)).max(1000).default([]).describe('Grids whose cameras are in the group; default none.'),
    areaTypes: z.array(AreaTypeSchema).max(16).default([]).describe('Area types whose cameras are in the group; default none.'),
    precisionTarget: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe('Promote when the 95% Wilson lower bound of its verdict precision (confirmed / judged shadow cases) reaches this, 0-1; default 0.8.'),
  })
  .superRefine((s, ctx) => {
    if (s.cameras.length + s.grids.length + s.areaTypes.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['cameras'], message: 'name the camera group: cameras, grids or areaTypes' });
    }
  })
  .describe('A candidate model in shadow on a camera group.');

/** One shadow candidate with its defaults applied. */
export type ShadowModelConfig = z.output<typeof ShadowModelSchema>;

/** Whether a camera is in a candidate's group (any of its camera ids, grids or area types). */
export function inShadowGroup(s: Pick<ShadowModelConfig, 'cameras' | 'grids' | 'areaTypes'>, cam: { readonly id: string; readonly grid: string; readonly areaType: string }): boolean {
  return s.cameras.includes(cam.id) || s.grids.includes(cam.grid) || (s.areaTypes as readonly string[]).includes(cam.areaType);
}
