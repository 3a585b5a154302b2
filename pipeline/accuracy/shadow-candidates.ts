import { resolveModel } from '../../models/model-catalog.ts';
import type { GridworkerConfig } from '../config/config-schema.ts';
import { inShadowGroup } from '../config/shadow-schema.ts';
import type { ShadowCandidate } from './shadow-standing.ts';

/**
 * The config's shadow candidates as the comparison sees them, with their models named by card
 * id (resolved once: specs may be card or .onnx paths) and their camera groups drawn from the
 * config passed in (it can be reloaded).
 */
export async function shadowCandidateResolver(config: GridworkerConfig, modelDirs: readonly string[]): Promise<(cfg: GridworkerConfig) => ShadowCandidate[]> {
  const ids = new Map<string, string>();
  for (const s of config.models.shadow) {
    for (const spec of [s.model, ...(s.replaces === undefined ? [] : [s.replaces])]) {
      if (!ids.has(spec)) ids.set(spec, (await resolveModel(spec, { modelDirs })).id);
    }
  }
  return (cfg) =>
    cfg.models.shadow.flatMap((s) => {
      const model = ids.get(s.model);
      if (model === undefined) return [];
      const replaces = s.replaces === undefined ? undefined : ids.get(s.replaces);
      return [{ model, ...(replaces ? { replaces } : {}), cameras: cfg.cameras.filter((c) => inShadowGroup(s, c)).map((c) => c.id), precisionTarget: s.precisionTarget }];
    });
}
