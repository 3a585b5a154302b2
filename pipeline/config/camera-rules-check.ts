import { type RuleCamera, ruleMisfit } from '../events/rule-fit.ts';
import type { PathIssue } from './issues.ts';
import type { EventsResolution } from './resolve-events.ts';

/**
 * Cross-checks between the resolved rules and the rest of the config, each at its key path: a
 * camera naming an unknown, disabled or unfitting rule; a rule restricted to an unknown camera; a
 * k-of-n rule that runs on some camera needing more frames than a visit takes (patrol.dwell.frames).
 */
export function cameraRuleIssues(cameras: readonly RuleCamera[], resolution: EventsResolution, dwellFrames: number): PathIssue[] {
  const issues: PathIssue[] = [];
  const rules = new Map(resolution.events.rules.map((r) => [r.id, r]));
  cameras.forEach((cam, ci) =>
    cam.rules?.forEach((id, j) => {
      const path = ['cameras', ci, 'rules', j];
      const rule = rules.get(id);
      if (rule === undefined) {
        // A declared rule with problems of its own is reported there, not again here.
        if (resolution.ruleEntries.has(id)) return;
        const why = resolution.disabled.has(id) ? `rule "${id}" is disabled in events.rules` : `unknown rule "${id}" (rules: ${[...rules.keys()].join(', ')})`;
        issues.push({ path, message: why, value: id });
        return;
      }
      const misfit = ruleMisfit(rule, cam);
      if (misfit !== null) issues.push({ path, message: misfit, value: id });
    }),
  );
  const cameraIds = new Set(cameras.map((c) => c.id));
  for (const rule of resolution.events.rules) {
    const entry = resolution.ruleEntries.get(rule.id);
    rule.cameraIds?.forEach((id, j) => {
      if (!cameraIds.has(id) && entry !== undefined) issues.push({ path: ['events', 'rules', entry, 'cameraIds', j], message: `unknown camera "${id}"`, value: id });
    });
    const p = rule.persistence;
    const runs = cameras.some((c) => (c.rules ? c.rules.includes(rule.id) : ruleMisfit(rule, c) === null));
    if (p.kind === 'frames' && p.k > dwellFrames && runs) {
      const message = `rule ${rule.id} needs ${p.k} frames with a hit, but a visit takes ${dwellFrames} (patrol.dwell.frames)`;
      if (entry !== undefined) issues.push({ path: ['events', 'rules', entry, 'persistence', 'k'], message, value: p.k });
      else issues.push({ path: ['patrol', 'dwell', 'frames'], message, value: dwellFrames });
    }
  }
  return issues;
}
