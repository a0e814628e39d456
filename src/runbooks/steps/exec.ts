import { z } from 'zod';
import { isSecretRef, textOrSecret } from '../../secrets/secret-ref.ts';
import { renderArg, renderPath, renderText } from '../render.ts';
import { Refusal } from '../template-values.ts';
import { type RunAs, resolveIdentity } from './run-as.ts';
import { spawnProcess } from './spawn-process.ts';
import { defineStepKind } from './step-kind.ts';

/** What a command inherits from mend's environment unless the step lists others. */
export const EXEC_INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ID_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/;

const idOrName = (what: string) =>
  z.union([
    z.int().min(0).max(4294967294),
    z.string().regex(ID_NAME, { error: `expected a ${what} name or a numeric id` }),
  ]);

export const execStepSpec = z.strictObject({
  command: z
    .array(z.string())
    .min(1)
    .describe(
      'argv: the program and its arguments, never run through a shell. Templates allowed: each element stays exactly one argument, and a value that would start one with "-" is refused unless its param allows it.',
    ),
  env: z
    .record(z.string().regex(ENV_NAME), textOrSecret('The value.'))
    .default({})
    .describe('Environment variables set for the command (templates allowed, or secrets).'),
  inheritEnv: z
    .array(z.string().regex(ENV_NAME))
    .default(EXEC_INHERITED_ENV)
    .describe(
      `Variables passed through from mend’s environment: an allow-list, because mend’s environment holds secrets a command has no business seeing. Default \`${EXEC_INHERITED_ENV.join(', ')}\`.`,
    ),
  cwd: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Working directory; a template value is one path segment. Default: mend’s working directory (with runAs, pick one the user can enter).',
    ),
  successExitCodes: z
    .array(z.int().min(0).max(255))
    .min(1)
    .default([0])
    .describe('Exit codes that count as success. Default `[0]`.'),
  runAs: z
    .strictObject({
      user: idOrName('user').describe('A user name or uid.'),
      group: idOrName('group')
        .optional()
        .describe('A group name or gid. Default: the user’s primary group.'),
    })
    .optional()
    .describe(
      'Run as this user and group instead of mend’s own (mend must run as root), so that a runbook acts with no more rights than it needs. HOME becomes the user’s home directory.',
    ),
});

export type ExecStepSpec = z.output<typeof execStepSpec>;

interface PreparedExec {
  argv: string[];
  /** Passed through from mend's environment (recorded by name only: PATH is noise). */
  inherited: Record<string, string>;
  /** The step's own env, rendered; it wins over an inherited variable of the same name. */
  explicit: Record<string, string>;
  /** Names whose values came from secrets: their values are never described. */
  secretEnv: string[];
  cwd: string | undefined;
  successExitCodes: number[];
  runAs: RunAs | undefined;
}

export const execStep = defineStepKind({
  name: 'exec',
  summary: 'Runs a command (argv, never a shell) and checks its exit code.',
  spec: execStepSpec,
  sections: ['evidence', 'action'],
  idempotent: false,
  defaultTimeoutMs: () => 60_000,
  prepare(spec, ctx): PreparedExec {
    const argv = spec.command.map((arg, i) => renderArg(arg, ctx.values, `command[${i}]`));
    const inherited: Record<string, string> = {};
    for (const name of spec.inheritEnv) {
      const value = process.env[name];
      if (value !== undefined) inherited[name] = value;
    }
    const explicit: Record<string, string> = {};
    const secretEnv: string[] = [];
    for (const [name, value] of Object.entries(spec.env)) {
      if (isSecretRef(value)) secretEnv.push(name);
      const text = isSecretRef(value)
        ? ctx.secret(value)
        : renderText(value, ctx.values, `env.${name}`);
      if (text.includes('\u0000')) throw new Refusal(`env.${name}: holds a NUL character`);
      explicit[name] = text;
    }
    return {
      argv,
      inherited,
      explicit,
      secretEnv,
      cwd: spec.cwd === undefined ? undefined : renderPath(spec.cwd, ctx.values, 'cwd'),
      successExitCodes: spec.successExitCodes,
      runAs: spec.runAs,
    };
  },
  summarize: (c) => {
    const argv = (c.argv as string[]).map(quoteArg).join(' ');
    const user = c.runAs ? ` (as ${JSON.stringify((c.runAs as { user: unknown }).user)})` : '';
    return `${argv}${user}`;
  },
  describe: (p) => ({
    argv: p.argv,
    env: Object.fromEntries(
      Object.entries(p.explicit).map(([name, value]) => [
        name,
        p.secretEnv.includes(name) ? '[secret]' : value,
      ]),
    ),
    inheritEnv: Object.keys(p.inherited),
    ...(p.cwd !== undefined ? { cwd: p.cwd } : {}),
    ...(p.runAs !== undefined ? { runAs: p.runAs } : {}),
  }),
  async execute(p, ctx) {
    const env = { ...p.inherited, ...p.explicit };
    let ids: { uid: number; gid: number } | undefined;
    if (p.runAs !== undefined) {
      const identity = await resolveIdentity(p.runAs);
      ids = { uid: identity.uid, gid: identity.gid };
      // HOME from mend's environment is root's; the user's own is what its tools expect.
      if (identity.home !== undefined && 'HOME' in p.inherited && !('HOME' in p.explicit))
        env.HOME = identity.home;
    }
    const result = await spawnProcess(
      { argv: p.argv, env, cwd: p.cwd, ...ids },
      { signal: ctx.signal, maxOutputBytes: ctx.maxOutputBytes },
    );
    const output = result.output === '' ? {} : { output: result.output };
    if (result.error !== undefined) {
      return {
        ok: false,
        error: result.error,
        ...output,
        ...(result.code !== null ? { status: result.code } : {}),
      };
    }
    if (result.code === null) {
      return {
        ok: false,
        status: result.signal ?? 'unknown',
        error: `killed by ${result.signal}`,
        ...output,
      };
    }
    if (p.successExitCodes.includes(result.code))
      return { ok: true, status: result.code, ...output };
    return {
      ok: false,
      status: result.code,
      error: `exit code ${result.code}, expected ${p.successExitCodes.join(', ')}`,
      ...output,
    };
  },
});

/** An argv element as a person would type it: quoted only when it needs to be. */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
