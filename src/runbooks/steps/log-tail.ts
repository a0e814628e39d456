import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { z } from 'zod';
import { TRUNCATION_MARKER } from '../../signals/observation.ts';
import { renderPath } from '../render.ts';
import { defineStepKind } from './step-kind.ts';

export const logTailStepSpec = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe('The file. Templates allowed: each value is one path segment (no "/", no "..").'),
  lines: z.int().min(1).max(100_000).default(100).describe('Last lines to keep. Default 100.'),
});

export const logTailStep = defineStepKind({
  name: 'logTail',
  summary: 'The last lines of a log file (at most the runbook’s maxOutputBytes).',
  spec: logTailStepSpec,
  sections: ['evidence'],
  idempotent: true,
  defaultTimeoutMs: () => 10_000,
  prepare: (spec, ctx) => ({ path: renderPath(spec.path, ctx.values, 'path'), lines: spec.lines }),
  describe: (p) => ({ ...p }),
  summarize: (c) => `last ${c.lines} lines of ${c.path}`,
  async execute(p, ctx) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      // Non-blocking, so that a named pipe without a writer cannot hold the step (and a thread).
      handle = await open(p.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      return { ok: false, error: `cannot open ${p.path}: ${(err as NodeJS.ErrnoException).code}` };
    }
    try {
      // Only the end of the file is read: a log can be gigabytes.
      const stats = await handle.stat();
      if (!stats.isFile()) return { ok: false, error: `cannot tail ${p.path}: not a regular file` };
      const { size } = stats;
      const length = Math.min(size, ctx.maxOutputBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      let text = buffer.toString('utf8');
      let cut = length < size;
      if (cut) text = text.slice(text.indexOf('\n') + 1); // drop the partial first line
      const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
      if (all.length > p.lines) cut = true;
      const kept = all.slice(-p.lines).join('\n');
      return {
        ok: true,
        output: cut ? `${TRUNCATION_MARKER.trimStart()}\n${kept}` : kept,
        data: { path: p.path, size, lines: Math.min(all.length, p.lines) },
      };
    } finally {
      await handle.close();
    }
  },
});
