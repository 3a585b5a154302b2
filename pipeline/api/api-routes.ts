/**
 * One place where an HTTP route is declared: its method and path, what it is for, and the zod
 * schemas of its path parameters, query and body. The same declaration registers the express
 * handler (which gets the parsed input; a request that does not fit is a 400 naming the field)
 * and feeds the OpenAPI document (openapi.ts), so the documentation cannot drift from what is
 * validated.
 */
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { z } from 'zod';
import { badRequest, route } from './api-errors.ts';

/** HTTP methods the API uses. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A route as documented. */
export interface RouteSpec {
  readonly method: HttpMethod;
  /** Full path in OpenAPI form: `/api/cameras/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Status -> what it means. 400/503 are added where they apply. */
  readonly responses: Readonly<Record<number, string>>;
  /** Content type of a 200 that is not JSON (`image/jpeg`, `text/html`, `text/plain`). */
  readonly produces?: string;
}

/** Declaration of one route (the path is relative to the router's mount point, express style). */
export interface RouteDeclaration<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined> {
  readonly summary: string;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  readonly responses: Readonly<Record<number, string>>;
  readonly produces?: string;
  /** Middleware run before the input is parsed (a rate limiter, say). */
  readonly before?: readonly RequestHandler[];
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: the request's parameters, query and body, parsed. */
export interface RouteInput<P, Q, B> {
  readonly params: Out<P>;
  readonly query: Out<Q>;
  readonly body: Out<B>;
}

/** Turns a zod failure into a 400 naming the first field at fault. */
export function zodBadRequest(where: string, error: z.ZodError): Error {
  const issue = error.issues[0];
  if (!issue) return badRequest(where, 'invalid');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return badRequest(issue.keys[0] ?? where, `unknown ${where} parameter${issue.keys.length > 1 ? 's' : ''} ${keys}`);
  }
  const field = issue.path.length ? issue.path.map(String).join('.') : where;
  return badRequest(field, issue.message);
}

/** Parses `value` with `schema`, or throws a 400 naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw zodBadRequest(where, r.error);
  return r.data;
}

/** `/:id/visits` -> `/{id}/visits`. */
export function openApiPath(mount: string, path: string): string {
  const full = `${mount}${path === '/' ? '' : path}` || '/';
  return full.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*([A-Za-z0-9_]+)/g, '{$1}');
}

/** An express router whose routes are declared with their schemas (see the file comment). */
export class ApiRoutes {
  readonly router = Router();
  readonly specs: RouteSpec[] = [];

  constructor(
    /** Where the router is mounted (`/api/cameras`). */
    readonly mount: string,
    /** OpenAPI tag of its routes. */
    readonly tag: string,
  ) {}

  get<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(
    path: string,
    decl: RouteDeclaration<P, Q, undefined>,
    handler: (input: RouteInput<P, Q, undefined>, req: Request, res: Response) => Promise<void>,
  ): void {
    this.add('get', path, decl, handler);
  }

  post<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
    path: string,
    decl: RouteDeclaration<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>, req: Request, res: Response) => Promise<void>,
  ): void {
    this.add('post', path, decl, handler);
  }

  put<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
    path: string,
    decl: RouteDeclaration<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>, req: Request, res: Response) => Promise<void>,
  ): void {
    this.add('put', path, decl, handler);
  }

  patch<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(
    path: string,
    decl: RouteDeclaration<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>, req: Request, res: Response) => Promise<void>,
  ): void {
    this.add('patch', path, decl, handler);
  }

  delete<P extends z.ZodObject | undefined = undefined, Q extends z.ZodObject | undefined = undefined>(
    path: string,
    decl: RouteDeclaration<P, Q, undefined>,
    handler: (input: RouteInput<P, Q, undefined>, req: Request, res: Response) => Promise<void>,
  ): void {
    this.add('delete', path, decl, handler);
  }

  private add<P extends z.ZodObject | undefined, Q extends z.ZodObject | undefined, B extends z.ZodType | undefined>(
    method: HttpMethod,
    path: string,
    decl: RouteDeclaration<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>, req: Request, res: Response) => Promise<void>,
  ): void {
    this.specs.push({
      method,
      path: openApiPath(this.mount, path),
      summary: decl.summary,
      tag: this.tag,
      responses: decl.responses,
      ...(decl.params ? { params: decl.params } : {}),
      ...(decl.query ? { query: decl.query } : {}),
      ...(decl.body ? { body: decl.body } : {}),
      ...(decl.produces ? { produces: decl.produces } : {}),
    });
    this.router[method](
      path,
      ...(decl.before ?? []),
      route(async (req, res) => {
        // A route that declares no query takes none: a stray key is a 400 naming it, never ignored.
        if (!decl.query) {
          const stray = Object.keys(req.query ?? {})[0];
          if (stray !== undefined) throw badRequest(stray.slice(0, 64), 'unknown query parameter: this route takes none');
        }
        const input = {
          params: (decl.params ? parseInput(decl.params, req.params, 'path') : undefined) as Out<P>,
          query: (decl.query ? parseInput(decl.query, req.query, 'query') : undefined) as Out<Q>,
          body: (decl.body ? parseInput(decl.body, req.body ?? {}, 'body') : undefined) as Out<B>,
        };
        await handler(input, req, res);
      }),
    );
  }
}
