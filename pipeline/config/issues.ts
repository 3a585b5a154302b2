import type { z } from 'zod';
import type { ConfigIssue } from './errors.ts';
import { maskUrl } from './mask-credentials.ts';
import { REDACTED } from './redact-config.ts';

/** A config issue whose key path is still a list of keys and indexes. */
export interface PathIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly value?: unknown;
}

/** Dotted form of a key path; "(root)" for the document. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(root)';
}

/** A value safe to print: URL credentials masked, anything under a `password` key replaced. */
export function maskValue(value: unknown, key?: PropertyKey): unknown {
  if (key === 'password' && value !== undefined) return REDACTED;
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map((v) => maskValue(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v, k)]));
  }
  return value;
}

/** Zod issues as config issues: one per unknown key, "missing" for absent required keys, bad values kept. */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[]): PathIssue[] {
  return issues.flatMap((i): PathIssue[] => {
    const input: unknown = (i as { input?: unknown }).input;
    if (i.code === 'unrecognized_keys') {
      const parent = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
      return i.keys.map((k) => ({ path: [...i.path, k], message: 'unknown key', value: parent[k] }));
    }
    if (i.code === 'invalid_type' && input === undefined) return [{ path: i.path, message: `missing (expected ${i.expected})` }];
    if (i.code === 'invalid_value' && input === undefined) {
      return [{ path: i.path, message: `missing (expected one of ${i.values.map((v) => JSON.stringify(v)).join(' | ')})` }];
    }
    return [{ path: i.path, message: i.message, value: input }];
  });
}

/** Final form of an issue: dotted path, masked value, position when known. */
export function toConfigIssue(issue: PathIssue, position?: { line: number; column: number }): ConfigIssue {
  return {
    path: dottedPath(issue.path),
    message: issue.message,
    ...('value' in issue ? { value: maskValue(issue.value, issue.path.at(-1)) } : {}),
    ...(position ?? {}),
  };
}
