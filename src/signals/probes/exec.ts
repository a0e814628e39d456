import { spawn } from 'node:child_process';
import { z } from 'zod';
import { describeSpawnError } from '../../support/child-process.ts';
import { ProcessTree } from '../../support/process-tree.ts';
import type { ProbeResult } from '../observation.ts';
import { abortMessage } from './abort-message.ts';
import { BoundedOutput } from './bounded-output.ts';
import { defineProbeKind, type ProbeContext } from './probe-kind.ts';

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
  prepare(spec) {
    const env = { ...inheritedEnv(), ...spec.env };
    return (ctx) => runCommand(spec, env, ctx);
  },
});

/**
 * Only what a command needs to find its tools is inherited. mend's own environment can hold
 * secrets (database URLs, API tokens) that a health check has no business seeing.
 */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function runCommand(
  spec: ExecProbeSpec,
  env: Record<string, string>,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const program = spec.command[0] ?? '';
    const output = new BoundedOutput(ctx.maxOutputBytes);
    const tree = new ProcessTree();
    // Settled once nothing the command started is left: its group and what left the group.
    let contained: Promise<unknown> = Promise.resolve();
    let settled = false;

    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      const text = output.text();
      void contained.then(() => resolve(text === '' ? result : { ...result, output: text }));
    };
    const onAbort = (): void => {
      contained = tree.kill(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const doing = `running ${program}; killed its process group`;
      finish({ ok: false, error: abortMessage(ctx, performance.now() - startedAt, doing) });
    };
    if (ctx.signal.aborted) {
      resolve({ ok: false, error: abortMessage(ctx, 0, `before starting ${program}`) });
      return;
    }

    // detached puts the command in its own process group, so a timeout can kill its children
    // too; the tree's tag in its environment finds those that leave the group.
    const child = spawn(program, spec.command.slice(1), {
      shell: false,
      env: tree.env(env),
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const collect = (chunk: Buffer): void => output.push(chunk);
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error) =>
      finish({
        ok: false,
        error: describeSpawnError(error, { program: spec.command[0] ?? '', cwd: spec.cwd }),
      }),
    );
    // Background processes it left behind would hold the pipes open and outlive the check.
    child.once('exit', () => {
      contained = tree.kill(child);
    });
    child.once('close', (code, signal) => finish(verdict(spec, code, signal, output)));
  });
}

function verdict(
  spec: ExecProbeSpec,
  code: number | null,
  signal: NodeJS.Signals | null,
  output: BoundedOutput,
): ProbeResult {
  if (code === null) {
    return { ok: false, status: signal ?? 'unknown', error: `killed by ${signal}` };
  }
  if (spec.successExitCodes.includes(code)) return { ok: true, status: code };
  const expected = spec.successExitCodes.join(', ');
  const last = lastLine(output);
  return {
    ok: false,
    status: code,
    error: `exit code ${code}, expected ${expected}${last === '' ? '' : `: ${last}`}`,
  };
}

/** The last thing a failing command said is usually why it failed. */
function lastLine(output: BoundedOutput): string {
  const text = output.truncated ? '' : output.text().trimEnd();
  const line = text.slice(text.lastIndexOf('\n') + 1);
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
