import type { RuleDef } from './event-model.ts';
import { RuleNotApplicableError, UnknownRuleError } from './rule-errors.ts';
import { type RuleCamera, ruleMisfit } from './rule-fit.ts';

/**
 * The rules of a validated config, and which of them apply to a camera. A camera that names rules
 * gets exactly those; one that names none gets every rule that fits it: whole-frame rules and
 * rules with a zone of their kinds on the camera, within their area-type and camera restrictions.
 */
export class RuleSet {
  private readonly byId: ReadonlyMap<string, RuleDef>;

  /** @param rules resolved rules (the config's `events.rules`), ids unique. */
  constructor(readonly rules: readonly RuleDef[]) {
    this.byId = new Map(rules.map((r) => [r.id, r]));
  }

  /** The rule set of a validated config. */
  static fromConfig(config: { readonly events: { readonly rules: readonly RuleDef[] } }): RuleSet {
    return new RuleSet(config.events.rules);
  }

  /** The rule with this id, if any. */
  get(id: string): RuleDef | undefined {
    return this.byId.get(id);
  }

  /**
   * The rules that run on `camera`, in the camera's order when it names them, else in rule order.
   * @throws UnknownRuleError / RuleNotApplicableError when the camera names a rule that is not in
   *   the set or cannot run on it (config validation reports both, so a validated config never throws).
   */
  forCamera(camera: RuleCamera): RuleDef[] {
    if (camera.rules === undefined) return this.rules.filter((r) => ruleMisfit(r, camera) === null);
    return camera.rules.map((id) => {
      const rule = this.byId.get(id);
      if (rule === undefined) throw new UnknownRuleError(`camera ${camera.id}: unknown rule "${id}"`);
      const misfit = ruleMisfit(rule, camera);
      if (misfit !== null) throw new RuleNotApplicableError(`camera ${camera.id}: ${misfit}`);
      return rule;
    });
  }
}
