import { z } from 'zod';
import { compileSafeRegex, RE2_SYNTAX, type SafeRegex, safeRegex } from '../safe-regex.ts';
import type { ParamValue } from '../template.ts';

/**
 * Runbook parameters: declared with a type and optional default, anchored pattern and enum, and
 * checked before a heal runs. Values arrive as the policy rendered them (a template always gives
 * a string) or as `--param k=v` text, so "3" is accepted for an integer and "true" for a boolean.
 */

export const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The longest string a param may hold: a runbook parameter is a name, not a document. */
export const PARAM_MAX_LENGTH = 1024;

export const paramSpec = z.strictObject({
  type: z
    .enum(['string', 'integer', 'boolean'])
    .default('string')
    .describe('The value’s type. Default `string`.'),
  default: z
    .union([z.string(), z.int(), z.boolean()])
    .optional()
    .describe('Used when the heal gives no value. Unset: the param is required.'),
  pattern: z
    .string()
    .min(1)
    .optional()
    .describe(
      `A regular expression (${RE2_SYNTAX}; matched in linear time) the whole string value must match: it is anchored at both ends, e.g. \`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\`.`,
    ),
  enum: z
    .array(z.union([z.string(), z.int()]))
    .min(1)
    .optional()
    .describe('The only values allowed.'),
  allowLeadingDash: z
    .boolean()
    .default(false)
    .describe(
      'Whether a string value may begin with "-". Default false: a value must never become an option of a program it is passed to.',
    ),
  description: z.string().optional().describe('What the param is for, for people.'),
});

export type ParamSpec = z.output<typeof paramSpec>;

/** The pattern as matched: anchored, so `[a-z]+` cannot pass "ok; rm -rf /". */
export function compilePattern(pattern: string): SafeRegex {
  return safeRegex(pattern, { anchored: true });
}

/** Load-time problems of one declaration (a default that breaks its own rules, a bad regex). */
export function declarationErrors(spec: ParamSpec): { path: string[]; message: string }[] {
  const errors: { path: string[]; message: string }[] = [];
  if (spec.pattern !== undefined) {
    const compiled = compileSafeRegex(spec.pattern, { anchored: true });
    if ('error' in compiled) {
      errors.push({ path: ['pattern'], message: compiled.error });
      return errors;
    }
  }
  for (const [i, value] of (spec.enum ?? []).entries()) {
    const checked = checkParam(spec, value, { ignoreEnum: true });
    if ('error' in checked) errors.push({ path: ['enum', String(i)], message: checked.error });
  }
  if (spec.default !== undefined) {
    const checked = checkParam(spec, spec.default);
    if ('error' in checked) errors.push({ path: ['default'], message: checked.error });
  }
  return errors;
}

/** One value, typed and checked against its declaration. */
export function checkParam(
  spec: ParamSpec,
  given: ParamValue,
  options: { ignoreEnum?: boolean } = {},
): { value: ParamValue } | { error: string } {
  const value = coerce(spec.type, given);
  const shown = JSON.stringify(given);
  if (value === undefined) return { error: `expected ${article(spec.type)}, found ${shown}` };
  if (typeof value === 'string') {
    if (value.length > PARAM_MAX_LENGTH) {
      return { error: `expected at most ${PARAM_MAX_LENGTH} characters, found ${value.length}` };
    }
    if (value.includes('\u0000')) return { error: `expected no NUL character, found ${shown}` };
    if (value.startsWith('-') && !spec.allowLeadingDash) {
      return {
        error: `expected a value that does not begin with "-" (allowLeadingDash is false), found ${shown}`,
      };
    }
    if (spec.pattern !== undefined && !compilePattern(spec.pattern).test(value)) {
      return { error: `expected a value matching ${spec.pattern}, found ${shown}` };
    }
  }
  if (!options.ignoreEnum && spec.enum !== undefined && !spec.enum.includes(value as never)) {
    return {
      error: `expected one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}, found ${shown}`,
    };
  }
  return { value };
}

/**
 * Every declared param with its value (given, else the default), or every problem at once:
 * a missing required param, an undeclared one (a typo in a policy), a value breaking its rules.
 */
export function validateParams(
  declared: Record<string, ParamSpec>,
  given: Record<string, ParamValue>,
): { params: Record<string, ParamValue> } | { errors: string[] } {
  const errors: string[] = [];
  const params: Record<string, ParamValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      const known = Object.keys(declared).join(', ') || 'none';
      errors.push(`params.${name}: not declared by the runbook (declared: ${known})`);
    }
  }
  for (const [name, spec] of Object.entries(declared)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined) {
      errors.push(
        `params.${name}: required and not given (a policy gives it in heal.params; a run by hand, as a param)`,
      );
      continue;
    }
    const checked = checkParam(spec, value);
    if ('error' in checked) errors.push(`params.${name}: ${checked.error}`);
    else params[name] = checked.value;
  }
  return errors.length > 0 ? { errors } : { params };
}

function coerce(type: ParamSpec['type'], value: ParamValue): ParamValue | undefined {
  switch (type) {
    case 'string':
      // YAML reads `replicas: 3` as a number; as a string param it is the text "3".
      return String(value);
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
      if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
      return undefined;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return undefined;
  }
}

function article(type: ParamSpec['type']): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}
