import { Environment } from '@marcbachmann/cel-js';
import { z } from 'zod';

/**
 * How a Service selects the CloudEvents about it (POST /api/v1/events), and which of them say the
 * condition is over. The CEL here sees `event` (the context attributes) and `data` (the event's
 * data, parsed when it is JSON, as a string otherwise). Declared once, so the loader (which
 * type-checks every expression) and the intake (which evaluates them) cannot disagree.
 */
const environment = new Environment({ enableOptionalTypes: true });
environment.registerVariable({
  name: 'event',
  schema: {
    id: 'string',
    source: 'string',
    type: 'string',
    subject: 'string',
    time: 'string',
    extensions: 'map<string, string>',
  },
});
environment.registerVariable('data', 'dyn');

export interface EventCelContext {
  event: {
    id: string;
    source: string;
    type: string;
    /** Empty when the event has none. */
    subject: string;
    /** As sent (RFC 3339); empty when the event has none. */
    time: string;
    extensions: Record<string, string>;
  };
  data: unknown;
}

export type EventCondition = (context: EventCelContext) => boolean;

/** Parse and type-check; the message says what is wrong, or undefined when it is a bool condition. */
export function checkEventCondition(expression: string): string | undefined {
  const result = environment.check(expression);
  if (!result.valid) {
    const error = result.error as { message: string } | undefined;
    return (error?.message ?? 'invalid expression').split('\n')[0];
  }
  if (result.type !== 'bool') return `it yields ${result.type}, not bool`;
  return undefined;
}

/**
 * A checked expression as a function. A runtime error (a field `data` does not have) is false:
 * an event that does not carry what the condition reads is not selected by it.
 */
export function compileEventCondition(expression: string): EventCondition {
  const program = environment.parse(expression);
  return (context) => {
    try {
      return program(context as unknown as Record<string, unknown>) === true;
    } catch {
      return false;
    }
  };
}

const oneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const eventSelectorSchema = z
  .strictObject({
    type: oneOrMore
      .optional()
      .describe('The event `type`, exactly (or one of a list). Unset: any type.'),
    source: z.string().min(1).optional().describe('The event `source`, exactly. Unset: any.'),
    subject: z.string().min(1).optional().describe('The event `subject`, exactly. Unset: any.'),
    when: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A CEL condition over `event` (id, source, type, subject, time, extensions) and `data` (the JSON data, or its text), type-checked at load. Unset: always.',
      ),
    resolvedWhen: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A CEL condition that makes a selected event say the condition is over (a resolved signal). Unset: the event’s `status` extension, or else `data.status`, is one of resolved, ok, cleared, recovered (any case).',
      ),
  })
  .superRefine((selector, ctx) => {
    for (const field of ['when', 'resolvedWhen'] as const) {
      const expression = selector[field];
      if (expression === undefined) continue;
      const why = checkEventCondition(expression);
      if (why !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `expected a CEL condition over event and data that yields bool, found an error: ${why}`,
        });
      }
    }
  });

export type EventSelectorSpec = z.output<typeof eventSelectorSchema>;
