import { Environment } from '@marcbachmann/cel-js';

/**
 * The language of a Policy's `when`: CEL over three variables. Declared once here so that the
 * loader (which type-checks every expression, so a typo is a config error with its position)
 * and the decision engine (which evaluates them) cannot disagree. Pure: no I/O, no clock.
 * CEL's `int` is a JS bigint: times are epoch milliseconds as ints.
 */
export const WHEN_VARIABLES = {
  signal: {
    fingerprint: 'string',
    source: 'string',
    service: 'string',
    check: 'string',
    role: 'string',
    labels: 'map<string, string>',
    status: 'string',
    startsAt: 'int',
    at: 'int',
    summary: 'string',
    error: 'string',
  },
  service: { name: 'string', labels: 'map<string, string>', dependsOn: 'list<string>' },
  incident: { id: 'string', signals: 'int', openedAt: 'int', attempts: 'int' },
} as const;

const environment = new Environment({ enableOptionalTypes: true });
for (const [name, schema] of Object.entries(WHEN_VARIABLES)) {
  environment.registerVariable({ name, schema: { ...schema } });
}

export interface WhenContext {
  signal: {
    fingerprint: string;
    source: string;
    service: string;
    check: string;
    role: string;
    labels: Record<string, string>;
    status: string;
    startsAt: bigint;
    at: bigint;
    summary: string;
    error: string;
  };
  service: { name: string; labels: Record<string, string>; dependsOn: string[] };
  incident: { id: string; signals: bigint; openedAt: bigint; attempts: bigint };
}

export type WhenCheck = { ok: true } | { ok: false; message: string; offset: number };

/** Parse and type-check: the expression must use only the declared variables and yield bool. */
export function checkWhen(expression: string): WhenCheck {
  const result = environment.check(expression);
  if (!result.valid) {
    const error = result.error as { message: string; node?: { pos?: number } } | undefined;
    const message = (error?.message ?? 'invalid expression').split('\n')[0]!;
    return { ok: false, message, offset: error?.node?.pos ?? 0 };
  }
  if (result.type !== 'bool') {
    return { ok: false, message: `it yields ${result.type}, not bool`, offset: 0 };
  }
  return { ok: true };
}

export type WhenProgram = (context: WhenContext) => boolean;

/** A checked expression as a function. Throws on a runtime error (a missing map key). */
export function compileWhen(expression: string): WhenProgram {
  const program = environment.parse(expression);
  return (context) => program(context as unknown as Record<string, unknown>) === true;
}
