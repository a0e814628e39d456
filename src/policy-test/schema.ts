import { z } from 'zod';
import { formatJson } from '../config/format-json.ts';
import { toJsonSchema } from '../config/json-schema.ts';
import { DURATION_EXPECTED, DURATION_PATTERN, parseDuration } from '../config/kinds/duration.ts';
import { timestamp } from '../config/kinds/silence.ts';

/**
 * The `mend test` file format, in the spirit of `promtool test rules`: the config to load, then
 * cases, each a timeline of inputs at relative times and the expected decisions and incident
 * states at given times. This schema validates test files and is published as JSON Schema.
 */

const offset = () =>
  z
    .string()
    .regex(DURATION_PATTERN, { error: DURATION_EXPECTED })
    .describe('A time relative to the case start: `0s`, `30s`, `1h2m`.');

const labels = z.record(z.string(), z.string());

const signalFields = z.strictObject({
  service: z.string().min(1).describe('The service the signal is about.'),
  check: z
    .string()
    .min(1)
    .default('live')
    .describe('The check that changed state. Default `live`.'),
  source: z.string().min(1).default('probe').describe('The signal source. Default `probe`.'),
  role: z
    .enum(['liveness', 'readiness', 'startup'])
    .optional()
    .describe('The check role; default: the role of the check in the config, else liveness.'),
  labels: labels.default({}).describe('Extra labels (service, check, source and role are added).'),
  summary: z.string().optional().describe('One line: why the state changed.'),
  error: z.string().optional().describe('The last observation’s error.'),
  failingDependencies: z
    .array(z.string())
    .default([])
    .describe('Dependencies the health document reports as failing (evidence).'),
  unknownDependencies: z
    .array(z.string())
    .default([])
    .describe('Dependencies the health document reports as unknown or degraded (evidence).'),
  fingerprint: z.string().optional().describe('Default: source/service/check.'),
});

const signal = z.union([z.string().min(1), signalFields]);

const answer = z.strictObject({
  id: z.string().describe('The approval id, e.g. inc-1:approval:1.'),
  actor: z.string().default('tester'),
  unrequested: z
    .literal(true)
    .optional()
    .describe(
      'The case never requested this approval, on purpose. Without it, an answer to a request the case did not make by then is a mistake in the test.',
    ),
});

export const testInput = z
  .strictObject({
    at: offset(),
    fire: signal.optional().describe('A signal fires: a service name, or the signal’s fields.'),
    resolve: signal.optional().describe('A firing signal resolves: a service name, or fields.'),
    outcome: z
      .strictObject({
        command: z.string().describe('The heal id, e.g. inc-1:heal:1.'),
        result: z.enum(['succeeded', 'failed', 'unknown']),
        detail: z.string().optional(),
        refused: z
          .literal(true)
          .optional()
          .describe(
            'With `failed`: the runbook refused the heal before anything ran (its params): final, not retried.',
          ),
        unissued: z
          .literal(true)
          .optional()
          .describe(
            'The case never issued this heal, on purpose (to test that the engine ignores it). Without it, an outcome for a heal the case did not issue by then is a mistake in the test.',
          ),
      })
      .optional()
      .describe('A heal ended.'),
    approve: answer.optional().describe('A human approves a request.'),
    deny: answer.optional().describe('A human denies a request.'),
    breakerReset: z
      .strictObject({
        service: z.string(),
        runbook: z.string().optional(),
        actor: z.string().default('tester'),
      })
      .optional()
      .describe('An operator resets a breaker.'),
    silence: z
      .strictObject({
        id: z.string().describe('The id the controller would give it, e.g. sil-1.'),
        matchers: z.array(z.string()).describe('Alertmanager matchers: service="db".'),
        from: offset().optional().describe('When it starts (default: when it is added).'),
        until: offset().describe('When it ends.'),
        comment: z.string().default(''),
        actor: z.string().default('tester'),
      })
      .optional()
      .describe('An operator adds a silence at run time (mend silence add, the API).'),
    expireSilence: z
      .strictObject({ id: z.string(), actor: z.string().default('tester') })
      .optional()
      .describe('An operator ends a runtime silence early.'),
    tick: z.literal(true).optional().describe('Only time passes (ticks also run every tickEvery).'),
  })
  .superRefine((input, ctx) => {
    const kinds = [
      'fire',
      'resolve',
      'outcome',
      'approve',
      'deny',
      'breakerReset',
      'silence',
      'expireSilence',
      'tick',
    ];
    const present = kinds.filter((kind) => (input as Record<string, unknown>)[kind] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: present.length > 1 ? [present[1]!] : [],
        message: `expected exactly one of ${kinds.join(', ')}, found ${present.length === 0 ? 'none' : present.join(' and ')}`,
      });
    }
  });

const partial = z.record(z.string(), z.unknown());

const expectedCommand = z
  .union([
    z.strictObject({ heal: partial }),
    z.strictObject({ page: partial }),
    z.strictObject({ resolvePage: partial }),
    z.strictObject({ requestApproval: partial }),
    z.strictObject({ preview: partial }),
  ])
  .describe('One command: its kind and the fields to compare (others are ignored).');

const expectedReason = z
  .union([
    z.string().describe('A reason code.'),
    z.strictObject({
      code: z.string(),
      message: z.string().optional().describe('Text the message must contain.'),
      numbers: partial.optional().describe('Numbers that must be equal.'),
      incidentId: z.string().optional(),
      policy: z.string().optional(),
      guardrail: z.string().optional(),
    }),
  ])
  .describe('A reason given at that time.');

const expectedIncident = z
  .strictObject({
    id: z.string().optional(),
    service: z.string().optional(),
    status: z.enum(['open', 'closed']).optional(),
    phase: z.string().optional(),
    policy: z.string().nullable().optional(),
    linkedTo: z.string().nullable().optional(),
    attempts: z.int().optional(),
    rung: z.int().optional().describe('Ladder rung, counted from 1.'),
  })
  .describe('An incident’s state then; it is found by id, else by service.');

export const testExpectation = z.strictObject({
  at: offset(),
  commands: z
    .array(expectedCommand)
    .optional()
    .describe('Exactly the commands emitted at that time, in order.'),
  reasons: z.array(expectedReason).optional().describe('Reasons given at that time (a subset).'),
  events: z.array(partial).optional().describe('Timeline events at that time (a subset).'),
  incidents: z.array(expectedIncident).optional().describe('Incident states after that time.'),
  breakers: z
    .array(
      z.strictObject({
        service: z.string(),
        runbook: z.string(),
        state: z.enum(['closed', 'open', 'half-open']).optional(),
        attempts: z.int().optional(),
      }),
    )
    .optional()
    .describe('Breaker states after that time.'),
});

export const testCase = z.strictObject({
  name: z.string().min(1),
  config: z
    .array(z.string())
    .optional()
    .describe('Config files for this case only, relative to the test file.'),
  tickEvery: offset()
    .default('1s')
    .describe('Ticks between inputs, as the controller sends them. Default `1s`.'),
  exhaustive: z
    .boolean()
    .default(true)
    .describe(
      'Every command must be expected: a command at a time with no `commands` expectation fails the case. Default true.',
    ),
  inputs: z.array(testInput).describe('The timeline, in time order.'),
  expect: z.array(testExpectation).default([]).describe('What must hold, at given times.'),
});

export const testFile = z
  .strictObject({
    config: z
      .array(z.string())
      .min(1)
      .describe('Config files or folders to load, relative to the test file.'),
    start: timestamp()
      .default('2026-01-01T00:00:00Z')
      .describe('The absolute time of `at: 0s` (RFC 3339). Default 2026-01-01T00:00:00Z.'),
    cases: z.array(testCase).min(1),
  })
  .describe('A mend policy test file (`mend test FILE...`).');

export type TestFile = z.output<typeof testFile>;
export type TestCase = z.output<typeof testCase>;
export type TestInput = z.output<typeof testInput>;
export type TestExpectation = z.output<typeof testExpectation>;
export type SignalFields = z.output<typeof signalFields>;

export function offsetMs(text: string): number {
  return parseDuration(text)!;
}

/** schema/mend-test.schema.json */
export function renderTestJsonSchema(): string {
  const schema = toJsonSchema(testFile);
  return formatJson({ $schema: schema.$schema, title: 'mend policy test file', ...schema });
}
