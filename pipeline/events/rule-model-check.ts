/**
 * Which rules a detector can serve. Labels come from whatever model card is configured, so a rule
 * works as soon as a model with its classes is: a COCO model leaves fire_smoke idle (reported as
 * info, not an error), a fire model enables it, with no code change.
 */
import type { RuleDef } from './event-model.ts';
import { labelSet, normaliseLabel } from './labels.ts';

/** One rule the model cannot serve, or serves only in part. */
export interface RuleModelNote {
  readonly ruleId: string;
  readonly eventType: string;
  /** The rule's labels (classes and withClasses) the model does not have, as the rule spells them. */
  readonly missing: readonly string[];
  /** One line for an info-level log. */
  readonly message: string;
}

/** The rules sorted by whether a model can serve them. */
export interface RuleModelReport {
  /** The model, "id" or "id@version", as given. */
  readonly model: string;
  /** Rules the model can serve: it has at least one of the classes and, when named, one of the withClasses. */
  readonly enabled: readonly RuleDef[];
  /** Rules that stay idle on this model. */
  readonly disabled: readonly RuleModelNote[];
  /** Enabled rules of which some labels are missing (e.g. a garbage model without "litter"). */
  readonly partial: readonly RuleModelNote[];
}

/** Sorts `rules` by whether a model with `labels` can raise them (labels compared as in labels.ts). */
export function checkRulesAgainstModel(rules: readonly RuleDef[], model: { readonly id: string; readonly labels: readonly string[] }): RuleModelReport {
  const has = labelSet(model.labels);
  const enabled: RuleDef[] = [];
  const disabled: RuleModelNote[] = [];
  const partial: RuleModelNote[] = [];
  for (const rule of rules) {
    const withClasses = rule.withClasses ?? [];
    const missing = [...rule.classes, ...withClasses].filter((l) => !has.has(normaliseLabel(l)));
    const anyClass = rule.classes.some((l) => has.has(normaliseLabel(l)));
    const anyWith = withClasses.length === 0 || withClasses.some((l) => has.has(normaliseLabel(l)));
    const note = (verb: string, why: string): RuleModelNote => ({
      ruleId: rule.id,
      eventType: rule.eventType,
      missing,
      message: `rule ${rule.id} ${verb} on model ${model.id}: ${why}`,
    });
    if (!anyClass || !anyWith) {
      const lacks = !anyClass ? rule.classes : withClasses;
      disabled.push(note('is idle', `the model has none of ${lacks.join(', ')}`));
    } else {
      enabled.push(rule);
      if (missing.length) partial.push(note('runs', `without ${missing.join(', ')} (not in the model's labels)`));
    }
  }
  return { model: model.id, enabled, disabled, partial };
}
