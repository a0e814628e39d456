import { z } from 'zod';
import { valueFrom } from '../../secrets/secret-ref.ts';
import { postJson } from '../http-post.ts';
import { defineNotifierKind } from '../notifier-kind.ts';
import { httpUrl } from './http-url.ts';

// An HTTP header name (RFC 9110 token).
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const header = z
  .strictObject({
    name: z
      .string()
      .regex(HEADER_NAME, { error: 'expected an HTTP header name such as Authorization' })
      .describe('The header name.'),
    value: z.string().optional().describe('A value that is not secret.'),
    valueFrom: valueFrom
      .optional()
      .describe('A secret value (a bearer token, say), read from `env` or `file`; redacted.'),
  })
  .superRefine(
    (h, ctx) => {
      if ((h.value === undefined) === (h.valueFrom === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: h.value === undefined ? [] : ['valueFrom'],
          message: 'expected exactly one of value and valueFrom',
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .meta({ oneOf: [{ required: ['value'] }, { required: ['valueFrom'] }] });

export const webhookSpec = z.strictObject({
  url: httpUrl().describe(
    'Where to POST. Not a secret: put a credential in `headers` with `valueFrom`.',
  ),
  headers: z
    .array(header)
    .default([])
    .describe(
      'Extra request headers, as Kubernetes writes env: `{name, value}` or `{name, valueFrom: {env|file}}`. Default none.',
    ),
});

/**
 * POSTs the notification as JSON, exactly as schema/notification.schema.json documents it, so a
 * receiver can validate what it gets. Any 2xx is accepted.
 */
export const webhookNotifier = defineNotifierKind({
  name: 'webhook',
  summary: 'POST the notification as JSON (schema/notification.schema.json) to a URL',
  spec: webhookSpec,
  async deliver(spec, notification, ctx) {
    const headers: Record<string, string> = { 'user-agent': 'mend' };
    for (const h of spec.headers) {
      headers[h.name.toLowerCase()] = h.value ?? (await ctx.secret({ valueFrom: h.valueFrom! }));
    }
    await postJson(spec.url, notification, { headers, signal: ctx.signal });
  },
});
