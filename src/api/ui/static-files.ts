import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { STATIC_PREFIX } from './layout.ts';

/** The few files the dashboard's pages load: its own from web/, htmx and uPlot from their packages. */
const FILES: Record<string, { path: () => string; type: string }> = {
  'dashboard.css': { path: () => web('dashboard.css'), type: 'text/css; charset=utf-8' },
  'dashboard.js': { path: () => web('dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'trends.js': { path: () => web('trends.js'), type: 'text/javascript; charset=utf-8' },
  'htmx.min.js': {
    path: () => pkg('htmx.org/dist/htmx.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.iife.min.js': {
    path: () => pkg('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'uPlot.min.css': { path: () => pkg('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

function pkg(file: string): string {
  return createRequire(import.meta.url).resolve(file);
}

function web(name: string): string {
  return fileURLToPath(new URL(`../../../web/${name}`, import.meta.url));
}

/** Served from memory, read once at start: a missing file stops mend at start, not a page later. */
export async function serveStaticFiles(app: FastifyInstance): Promise<void> {
  const loaded = await Promise.all(
    Object.entries(FILES).map(async ([name, file]) => ({
      name,
      type: file.type,
      body: await readFile(file.path()),
    })),
  );
  for (const file of loaded) {
    app.get(`${STATIC_PREFIX}/${file.name}`, async (_request, reply) =>
      reply.type(file.type).header('cache-control', 'no-cache').send(file.body),
    );
  }
}
