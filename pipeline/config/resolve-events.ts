/**
 * Merges a config's `events` section over the shipped catalogue and rules, and reports what does
 * not hold together, each problem at its key path.
 */
import { DEFAULT_EVENT_TYPES, DEFAULT_RULES } from '../events/default-catalogue.ts';
import type { EventTypeDef, RuleDef } from '../events/event-model.ts';
import type { EventsSection } from './events-schema.ts';
import type { PathIssue } from './issues.ts';

/** The event types and rules in force: shipped ones with the config's changes. */
export interface ResolvedEvents {
  /** Shipped types first (overridden in place), then new ones in file order. */
  readonly catalogue: readonly EventTypeDef[];
  /** Shipped rules first (overridden in place, disabled ones removed), then new ones in file order. */
  readonly rules: readonly RuleDef[];
}

/** The merge and what was wrong with it. */
export interface EventsResolution {
  readonly events: ResolvedEvents;
  readonly issues: readonly PathIssue[];
  /** Rule id -> index of its entry in `events.rules`, for rules the file declares (even ones with problems). */
  readonly ruleEntries: ReadonlyMap<string, number>;
  /** Ids removed with `disabled: true`. */
  readonly disabled: ReadonlySet<string>;
}

/** What the catalogue and rules start from. */
export interface ShippedEvents {
  readonly catalogue: readonly EventTypeDef[];
  readonly rules: readonly RuleDef[];
}

/** Defaults of a new rule's optional fields. */
export const NEW_RULE_DEFAULTS = { zoneKinds: [] as readonly string[], minScore: 0.35, minArea: 0, minCount: 1 } as const;

const TYPE_FIELDS = ['nameZh', 'nameEn', 'category', 'severity', 'deadlineMinutes', 'responsibleUnit'] as const;
const RULE_FIELDS = ['eventType', 'classes', 'persistence'] as const;

/** The entry's given fields, without id / disabled and without keys left undefined. */
function given<T extends object>(entry: T): Partial<T> {
  return Object.fromEntries(Object.entries(entry).filter(([k, v]) => v !== undefined && k !== 'id' && k !== 'disabled')) as Partial<T>;
}

function needs(id: string, what: string, fields: readonly string[], entry: object): string | null {
  const missing = fields.filter((f) => (entry as Record<string, unknown>)[f] === undefined);
  return missing.length ? `"${id}" is not a shipped ${what}, so it needs ${fields.join(', ')} (missing: ${missing.join(', ')})` : null;
}

function resolveCatalogue(section: EventsSection, shipped: readonly EventTypeDef[], issues: PathIssue[]): EventTypeDef[] {
  const types = new Map(shipped.map((t) => [t.id, t]));
  section.catalogue.forEach((entry, i) => {
    const base = types.get(entry.id);
    const at = (...key: (string | number)[]): PropertyKey[] => ['events', 'catalogue', i, ...key];
    if (base) {
      const byLevel = base.deadlineMinutesByLevel || entry.deadlineMinutesByLevel ? { deadlineMinutesByLevel: { ...base.deadlineMinutesByLevel, ...given(entry.deadlineMinutesByLevel ?? {}) } } : {};
      types.set(entry.id, { ...base, ...given(entry), responsibleUnit: { ...base.responsibleUnit, ...entry.responsibleUnit }, ...byLevel });
      return;
    }
    const missing = needs(entry.id, 'event type', TYPE_FIELDS, entry);
    if (missing) return void issues.push({ path: at('id'), message: missing, value: entry.id });
    if (entry.responsibleUnit?.default === undefined) {
      return void issues.push({ path: at('responsibleUnit'), message: 'needs a `default` unit for the other area types', value: entry.responsibleUnit });
    }
    types.set(entry.id, { id: entry.id, ...(given(entry) as Omit<EventTypeDef, 'id'>) });
  });
  return [...types.values()];
}

/** Pushes what is wrong with a merged rule; true when nothing is. */
function checkRule(rule: RuleDef, i: number, typeIds: ReadonlySet<string>, issues: PathIssue[]): boolean {
  const before = issues.length;
  const at = (...key: (string | number)[]): PropertyKey[] => ['events', 'rules', i, ...key];
  if (!typeIds.has(rule.eventType)) {
    issues.push({ path: at('eventType'), message: `unknown event type "${rule.eventType}" (known: ${[...typeIds].join(', ')})`, value: rule.eventType });
  }
  const p = rule.persistence;
  if (p.kind === 'frames' && p.k > p.n) issues.push({ path: at('persistence', 'k'), message: `k (${p.k}) cannot exceed n (${p.n})`, value: p.k });
  return issues.length === before;
}

/**
 * Merges `section` over the shipped catalogue and rules. Issues: a new event type or rule missing
 * required fields, a new type without a `default` unit, a rule naming an unknown event type,
 * k > n, disabling a rule that does not exist. Entries with problems are left out of the result.
 */
export function resolveEvents(section: EventsSection, shipped: ShippedEvents = { catalogue: DEFAULT_EVENT_TYPES, rules: DEFAULT_RULES }): EventsResolution {
  const issues: PathIssue[] = [];
  const catalogue = resolveCatalogue(section, shipped.catalogue, issues);
  const typeIds = new Set(catalogue.map((t) => t.id));
  const rules = new Map(shipped.rules.map((r) => [r.id, r]));
  const ruleEntries = new Map<string, number>();
  const disabled = new Set<string>();
  section.rules.forEach((entry, i) => {
    const base = rules.get(entry.id);
    if (entry.disabled) {
      if (base) rules.delete(entry.id);
      else issues.push({ path: ['events', 'rules', i, 'id'], message: `no rule "${entry.id}" to disable (rules: ${[...rules.keys()].join(', ')})`, value: entry.id });
      disabled.add(entry.id);
      ruleEntries.delete(entry.id);
      return;
    }
    ruleEntries.set(entry.id, i);
    disabled.delete(entry.id);
    const missing = base ? null : needs(entry.id, 'rule', RULE_FIELDS, entry);
    if (missing) return void issues.push({ path: ['events', 'rules', i, 'id'], message: missing, value: entry.id });
    const rule = { ...(base ?? { id: entry.id, ...NEW_RULE_DEFAULTS }), ...given(entry) } as RuleDef;
    if (!checkRule(rule, i, typeIds, issues)) return;
    rules.set(entry.id, rule);
  });
  return { events: { catalogue, rules: [...rules.values()] }, issues, ruleEntries, disabled };
}
