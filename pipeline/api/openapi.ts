/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route declarations (api-routes.ts)
 * and their zod schemas (zod's own JSON Schema export): no second, hand-written copy.
 */
import { z } from 'zod';
import type { RouteSpec } from './api-routes.ts';

/** JSON Schema of a zod schema as the request must send it (input side: defaults optional). */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The error answer every route shares. */
const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
} as const;

function parameters(spec: RouteSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const js = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    for (const [name, prop] of Object.entries(js.properties ?? {})) {
      const { description, ...propSchema } = prop;
      out.push({
        name,
        in: where,
        required: where === 'path' || (js.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propSchema,
      });
    }
  }
  return out;
}

function responses(spec: RouteSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all: Record<number, string> = { ...spec.responses };
  if ((spec.params || spec.query || spec.body) && all[400] === undefined) all[400] = 'the request does not fit: `error.field` names the parameter at fault';
  for (const [status, description] of Object.entries(all)) {
    const code = Number(status);
    if (code >= 400) out[status] = { description, content: { 'application/json': { schema: ERROR_SCHEMA } } };
    else if (code === 204) out[status] = { description };
    else out[status] = { description, content: { [spec.produces ?? 'application/json']: {} } };
  }
  return out;
}

/** Builds the document for `specs`. */
export function buildOpenApi(specs: readonly RouteSpec[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const item = (paths[spec.path] ??= {});
    item[spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method}${spec.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(spec.params || spec.query ? { parameters: parameters(spec) } : {}),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } } : {}),
      responses: responses(spec),
    };
  }
  return { openapi: '3.1.0', info: { title: info.title, version: info.version }, paths };
}
