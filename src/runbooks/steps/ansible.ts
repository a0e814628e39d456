import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { isSecretRef, textOrSecret } from '../../secrets/secret-ref.ts';
import { renderHostPattern, renderJson, renderText } from '../render.ts';
import type { TemplateValues } from '../template-values.ts';
import { Refusal } from '../template-values.ts';
import { type PlaybookRun, runPlaybook } from './ansible-run.ts';
import { defineStepKind } from './step-kind.ts';

/** What ansible-playbook inherits from mend's environment unless the step lists others. */
export const ANSIBLE_INHERITED_ENV = ['PATH', 'LANG', 'LC_ALL', 'TZ'];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A tag as `--tags` takes a list of them: no comma, no space, no leading dash. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** A file that must be there when the config loads: an absolute path, no templates. */
const existingFile = (what: string) =>
  z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      const problem = fileProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: `expected ${what} ${problem}` });
    });

export const ansibleStepSpec = z
  .strictObject({
    playbook: existingFile('a playbook').describe(
      'The playbook: an absolute path to a file that exists when the config loads (no templates).',
    ),
    inventory: existingFile('an inventory')
      .optional()
      .describe(
        'An inventory file or directory (`-i`): an absolute path that exists at load. Or give `hosts`; neither: Ansible’s default inventory.',
      ),
    hosts: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'An inline inventory (`-i a,b,`): host names; templates allowed, each value one host name (`{{service.labels.host}}`).',
      ),
    limit: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A host pattern for `--limit`; templates allowed, each value one host or group name, so a value cannot widen the pattern.',
      ),
    tags: z
      .array(z.string().regex(TAG, { error: 'expected a tag name (letters, digits, _ . : -)' }))
      .default([])
      .describe('Only the tasks with these tags (`--tags`). Default: every task.'),
    skipTags: z
      .array(z.string().regex(TAG, { error: 'expected a tag name (letters, digits, _ . : -)' }))
      .default([])
      .describe('Not the tasks with these tags (`--skip-tags`).'),
    vars: z
      .record(
        z.string().regex(VAR_NAME, { error: 'expected a variable name (letters, digits, _)' }),
        z.json(),
      )
      .default({})
      .describe(
        'Extra variables, written as YAML (templates allowed in strings, as in an http body), passed in a 0600 JSON file (`-e @FILE`), never on the command line. Every string is marked unsafe for Ansible, so a value is never evaluated as Jinja. mend adds `mend`: the service, its labels, the incident, the check and run ids.',
      ),
    diff: z
      .boolean()
      .default(true)
      .describe(
        'Pass `--diff`, so the incident says what each task changed. Default true; a dry run always asks for it.',
      ),
    env: z
      .record(z.string().regex(ENV_NAME), textOrSecret('The value.'))
      .default({})
      .describe(
        'Environment variables for ansible-playbook (templates allowed, or secrets: `ANSIBLE_VAULT_PASSWORD_FILE`, a cloud token). mend’s own ANSIBLE_* output settings win.',
      ),
    inheritEnv: z
      .array(z.string().regex(ENV_NAME))
      .default(ANSIBLE_INHERITED_ENV)
      .describe(
        `Variables passed through from mend’s environment. Default \`${ANSIBLE_INHERITED_ENV.join(', ')}\`; HOME and temp files are the run’s own.`,
      ),
    program: z
      .string()
      .min(1)
      .default('ansible-playbook')
      .describe('The ansible-playbook program: a path, or a name found on PATH. No templates.'),
  })
  .superRefine((spec, ctx) => {
    if (spec.inventory !== undefined && spec.hosts !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hosts'],
        message: 'expected inventory or hosts, found both',
      });
    }
    if ('mend' in spec.vars) {
      ctx.addIssue({
        code: 'custom',
        path: ['vars', 'mend'],
        message: 'expected another variable name: mend is mend’s own (the incident context)',
      });
    }
    for (const field of ['program'] as const) {
      if (spec[field].includes('{{')) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'expected a program without templates',
        });
      }
    }
  });

export type AnsibleStepSpec = z.output<typeof ansibleStepSpec>;

interface PreparedAnsible extends PlaybookRun {
  playbook: string;
  /** Passed through from mend's environment: recorded by name only (PATH is noise). */
  inherited: string[];
  /** Names whose values came from secrets: their values are never described. */
  secretEnv: string[];
}

export const ansibleStep = defineStepKind({
  name: 'ansible',
  summary:
    'Runs an Ansible playbook (argv, extra vars in a file) and records per host ok, changed, unreachable, failed and skipped, failed tasks with messages, and diffs; a dry run is --check --diff.',
  spec: ansibleStepSpec,
  sections: ['action'],
  idempotent: false,
  defaultTimeoutMs: () => 10 * 60_000,
  prepare(spec, ctx): PreparedAnsible {
    const args = [spec.playbook];
    if (spec.inventory !== undefined) args.push('-i', spec.inventory);
    if (spec.hosts !== undefined) {
      const hosts = spec.hosts.map((h, i) => renderHostPattern(h, ctx.values, `hosts[${i}]`));
      args.push('-i', `${hosts.join(',')},`); // the trailing comma makes it a list, not a path
    }
    if (spec.limit !== undefined) {
      args.push('--limit', renderHostPattern(spec.limit, ctx.values, 'limit'));
    }
    if (spec.tags.length > 0) args.push('--tags', spec.tags.join(','));
    if (spec.skipTags.length > 0) args.push('--skip-tags', spec.skipTags.join(','));
    if (spec.diff) args.push('--diff');
    const env: Record<string, string> = {};
    const inherited: string[] = [];
    for (const name of spec.inheritEnv) {
      const value = process.env[name];
      if (value !== undefined && !(name in spec.env)) {
        env[name] = value;
        inherited.push(name);
      }
    }
    const secretEnv: string[] = [];
    for (const [name, value] of Object.entries(spec.env)) {
      if (isSecretRef(value)) secretEnv.push(name);
      const text = isSecretRef(value)
        ? ctx.secret(value)
        : renderText(value, ctx.values, `env.${name}`);
      if (text.includes('\u0000')) throw new Refusal(`env.${name}: holds a NUL character`);
      env[name] = text;
    }
    const vars = {
      ...(renderJson(spec.vars, ctx.values, 'vars') as Record<string, unknown>),
      mend: context(ctx.values),
    };
    return {
      program: spec.program,
      playbook: spec.playbook,
      args,
      vars,
      env,
      inherited,
      secretEnv,
      check: false,
    };
  },
  checkMode: (p) => ({
    ...p,
    check: true,
    args: [...p.args, '--check', ...(p.args.includes('--diff') ? [] : ['--diff'])],
  }),
  summarize: (c) => {
    const argv = (c.argv as string[]).join(' ');
    return c.check ? `${argv} (check mode: nothing changes)` : argv;
  },
  describe: (p) => ({
    argv: [p.program, ...p.args, '-e', '@vars.json'],
    vars: p.vars,
    env: Object.fromEntries(
      Object.entries(p.env)
        .filter(([name]) => !p.inherited.includes(name))
        .map(([name, value]) => [name, p.secretEnv.includes(name) ? '[secret]' : value]),
    ),
    inheritEnv: p.inherited,
    ...(p.check ? { check: true } : {}),
  }),
  execute: (p, ctx) => runPlaybook({ ...p, vars: unsafe(p.vars) as Record<string, unknown> }, ctx),
});

/** The incident's context, for the playbook: who, what, and which run. */
function context(values: TemplateValues): Record<string, unknown> {
  return {
    service: values.service?.name ?? null,
    labels: values.service?.labels ?? {},
    incident: values.incidentId ?? null,
    check: values.signal?.check ?? null,
    fingerprint: values.signal?.fingerprint ?? null,
    signalLabels: values.signal?.labels ?? {},
    run: values.runId,
  };
}

/**
 * Ansible evaluates `{{ }}` in extra vars when a play uses them; `__ansible_unsafe` (read by its
 * JSON loader) marks a string as data, so a param value can never become Jinja that runs code.
 */
function unsafe(value: unknown): unknown {
  if (typeof value === 'string') return { __ansible_unsafe: value };
  if (Array.isArray(value)) return value.map(unsafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsafe(v)]));
  }
  return value;
}

function fileProblem(path: string): string | undefined {
  if (path.includes('{{')) return 'path without templates (name the file itself)';
  if (!isAbsolute(path)) return 'as an absolute path (this one is relative)';
  try {
    statSync(path);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? 'that exists (nothing is at this path)'
      : `that can be read (${code ?? (err as Error).message})`;
  }
}
