import { z } from 'zod';
import { compileSafeRegex, RE2_SYNTAX } from '../../config/safe-regex.ts';

const httpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const httpProbeSpec = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an absolute http:// or https:// URL' })
      .describe('The URL to request, e.g. http://127.0.0.1:8080/readyz.'),
    method: httpMethod.default('GET').describe('The request method.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Request headers, as name: value.'),
    body: z.string().optional().describe('A request body to send.'),
    expectedStatus: z
      .array(z.int().min(100).max(599))
      .min(1)
      .optional()
      .describe(
        'Status codes that count as success, judged on the answer the probe stops at (see ' +
          'followRedirects). Default: 200-399, as in Kubernetes, so a redirect that is not ' +
          'followed counts as success (the observation says so).',
      ),
    bodyContains: z
      .string()
      .min(1)
      .optional()
      .describe('The (bounded) body must contain this text.'),
    bodyRegex: z
      .string()
      .min(1)
      .optional()
      .describe(
        `The (bounded) body must match this regular expression somewhere (${RE2_SYNTAX}; matched in linear time).`,
      ),
    maxLatencyMs: z
      .int()
      .positive()
      .optional()
      .describe('Fail when the whole probe takes longer than this, even if the answer is good.'),
    followRedirects: z
      .boolean()
      .optional()
      .describe(
        'Unset (the default), redirects go as in Kubernetes: one to the same host name (any ' +
          'port or scheme) is followed, up to 10; one to another host is not, and is the answer ' +
          'judged. true: follow redirects to any host too, up to 10. false: follow none. ' +
          'Credentials and a configured Host header are never sent to another origin.',
      ),
    maxBodyBytes: z
      .int()
      .positive()
      .max(16 * 1024 * 1024)
      .default(64 * 1024)
      .describe(
        'Read at most this many bytes of the body (kubelet reads 10 KiB); the rest is never ' +
          'read. A body that stalls or breaks off before its end or this limit makes the result ' +
          'discarded when the status passed: it counts neither way, as in kubelet.',
      ),
    healthDocument: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe(
        'auto: when the body is a health document (application/health+json, or Spring Boot ' +
          'Actuator), record the status of each dependency it lists.',
      ),
    tls: z
      .strictObject({
        insecureSkipVerify: z
          .boolean()
          .default(false)
          .describe('Do not verify the server certificate. Off by default.'),
        caFile: z
          .string()
          .optional()
          .describe('PEM file of the CA(s) that sign the server certificate.'),
        serverName: z.string().optional().describe('Server name for SNI and verification.'),
      })
      .default({ insecureSkipVerify: false })
      .describe('TLS settings for https:// URLs.'),
  })
  .superRefine((spec, ctx) => {
    if (spec.bodyRegex !== undefined) {
      const compiled = compileSafeRegex(spec.bodyRegex);
      if ('error' in compiled) {
        ctx.addIssue({ code: 'custom', path: ['bodyRegex'], message: compiled.error });
      }
    }
  });

export type HttpProbeSpec = z.output<typeof httpProbeSpec>;
