import { z } from 'zod';
import { defineProbeKind } from './probe-kind.ts';

export const execProbeSpec = z.strictObject({
  command: z
    .array(z.string())
    .min(1)
    .describe('argv: the program and its arguments. Never run through a shell.'),
  env: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra environment variables. PATH is inherited from mend.'),
  cwd: z.string().optional().describe('Working directory. Default: mend’s working directory.'),
  successExitCodes: z
    .array(z.int().min(0).max(255))
    .min(1)
    .default([0])
    .describe('Exit codes that count as success.'),
});

export type ExecProbeSpec = z.output<typeof execProbeSpec>;

export const execProbe = defineProbeKind({
  name: 'exec',
  summary: 'Runs a command (argv, no shell); succeeds on an expected exit code.',
  spec: execProbeSpec,
  prepare(_spec) {
    throw new Error('exec probe: not implemented yet');
  },
});
