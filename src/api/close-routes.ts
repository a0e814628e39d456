import type { FastifyInstance } from 'fastify';
import { suggestAll } from '../config/suggest.ts';

const routesOf = new WeakMap<FastifyInstance, string[]>();

/** Remember each route as `METHOD /path/:param`, for the 404's close matches. */
export function collectRoutes(app: FastifyInstance): void {
  const routes: string[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routes.push(`${method} ${route.url}`);
    }
  });
}

/**
 * Routes a request for a path nothing serves probably meant: each route's template with the
 * request's own segments in its parameters, compared by edit distance, so `/api/v1/incident/inc-3`
 * finds `GET /api/v1/incidents/:id` and a wrong method finds the same path's other methods.
 */
export function closeRoutes(app: FastifyInstance, method: string, path: string): string[] {
  const routes = routesOf.get(app) ?? [];
  const segments = path.split('/');
  const byRendering = new Map<string, string>();
  for (const route of routes) {
    const [, template = ''] = route.split(' ');
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const rendered = parts.map((part, i) => (part.startsWith(':') ? segments[i] : part)).join('/');
    if (rendered === path) {
      byRendering.set(`${route} (method)`, route);
      continue;
    }
    byRendering.set(rendered, route);
  }
  const exact = [...byRendering].filter(([key]) => key.endsWith(' (method)')).map(([, r]) => r);
  if (exact.length) return exact.filter((route) => !route.startsWith(`${method} `));
  return suggestAll(path, [...byRendering.keys()]).map((key) => byRendering.get(key)!);
}
