import type { PathIssue } from './issues.ts';
import type { Env } from './services-schema.ts';

/** `${NAME}`, `${NAME:-fallback}`, or `$${` (an escaped, literal "${"). */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** The substituted document and the problems met on the way. */
export interface Substituted {
  readonly value: unknown;
  readonly issues: readonly PathIssue[];
}

function substituteString(text: string, env: Env, path: readonly string[], issues: PathIssue[]): string {
  return text.replace(REFERENCE, (match, body: string | undefined) => {
    if (body === undefined) return '${';
    const m = BODY.exec(body);
    if (!m) {
      issues.push({ path, message: `malformed reference "${match}" (use \${NAME} or \${NAME:-default})` });
      return match;
    }
    const found = env[m[1]!];
    if (found !== undefined) return found;
    if (m[2] !== undefined) return m[2];
    issues.push({ path, message: `environment variable ${m[1]} is not set (referenced as ${match})` });
    return match;
  });
}

function walk(value: unknown, env: Env, path: string[], issues: PathIssue[]): unknown {
  if (typeof value === 'string') return value.includes('$') ? substituteString(value, env, path, issues) : value;
  if (Array.isArray(value)) return value.map((v, i) => walk(v, env, [...path, String(i)], issues));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, env, [...path, k], issues)]));
  }
  return value;
}

/**
 * Replaces `${NAME}` in every string value of a parsed document with the environment variable,
 * `${NAME:-fallback}` with the variable or the fallback, and `$${` with a literal `${`. Keys and
 * non-string values are left alone (so `port: ${PORT}` stays a type error: quote-free YAML
 * numbers do not come from the environment). Every unset variable is reported with its key path.
 */
export function substituteEnv(doc: unknown, env: Env): Substituted {
  const issues: PathIssue[] = [];
  return { value: walk(doc, env, [], issues), issues };
}
