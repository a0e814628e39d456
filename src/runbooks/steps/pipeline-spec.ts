import { z } from 'zod';
import { type SecretRef, secretRef } from '../../secrets/secret-ref.ts';
import { renderText } from '../render.ts';
import { Refusal } from '../template-values.ts';
import type { PrepareContext } from './step-kind.ts';

/** An API's base URL, written as it is (no templates): where mend sends the token. */
export const apiBase = (what: string, example: string) =>
  z
    .string()
    .regex(/^https?:\/\/[^\s{}]+$/, {
      error: `expected an http or https URL without templates, such as ${example}`,
    })
    .describe(`${what} (no templates: the token is sent there).`);

/** A name that is the system's own (a variable, an input, a parameter). */
export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Values for the run (inputs, variables, parameters): names, and strings with templates. */
export const runValues = (what: string) =>
  z
    .record(
      z.string().regex(NAME, { error: `expected a ${what} name (letters, digits, _)` }),
      z.string(),
    )
    .default({})
    .describe(
      `The ${what}s the run starts with; templates allowed (\`{{params.version}}\`), each value sent as one string.`,
    );

/** A token for the API: always a secret; mend adds the scheme the API wants itself. */
export const apiToken = (what: string) => secretRef(what);

export function renderValues(
  values: Record<string, string>,
  ctx: PrepareContext,
  field: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, text]) => [
      name,
      oneLine(renderText(text, ctx.values, `${field}.${name}`), `${field}.${name}`),
    ]),
  );
}

/** A value that goes into a header or a form field: one line, no NUL. */
export function oneLine(text: string, field: string): string {
  if (/[\r\n\0]/.test(text)) throw new Refusal(`${field}: a value may not hold CR, LF or NUL`);
  return text;
}

/** The secret's value alone: the kind puts its own `Bearer ` or basic-auth form around it. */
export function tokenOf(ref: SecretRef, ctx: PrepareContext, field: string): string {
  return oneLine(ctx.secret({ valueFrom: ref.valueFrom }), field);
}

/** `https://host/api/v4` + `/projects/1`: the base's own path kept, one slash between. */
export function under(base: string, path: string): URL {
  return new URL(`${base.replace(/\/+$/, '')}${path}`);
}

/**
 * A refinement: the values may not set the name that carries the command id (mend sets it).
 * `values` and `name` are the spec's field names: `parameters` and `commandIdParameter`.
 */
export function commandIdLeftToMend(values: string, name: string, what: string) {
  return (spec: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const key = spec[name] as string;
    if (Object.hasOwn(spec[values] as object, key)) {
      ctx.addIssue({
        code: 'custom',
        path: [values, key],
        message: `expected another name: mend sets this ${what} to the command id (${name})`,
      });
    }
  };
}
