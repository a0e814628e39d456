import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { secretRef } from '../../secrets/secret-ref.ts';
import { DeliveryError } from '../delivery-error.ts';
import { defineNotifierKind } from '../notifier-kind.ts';
import { emailMessage } from './email-message.ts';

export const EMAIL_DEFAULTS = {
  port: 587,
  security: 'starttls' as 'starttls' | 'tls' | 'none',
  subjectPrefix: '[mend]',
};

// Loose on purpose: nodemailer and the server judge addresses; this catches a missing @.
const address = z.string().regex(/^[^\s@]+@[^\s@]+$|^.*<[^\s@<>]+@[^\s@<>]+>$/, {
  error: 'expected an email address such as oncall@example.com or "Ops <ops@example.com>"',
});

export const emailSpec = z.strictObject({
  host: z.string().min(1).describe('The SMTP server.'),
  port: z
    .int()
    .min(1)
    .max(65535)
    .default(EMAIL_DEFAULTS.port)
    .describe('Default 587 (submission); 465 with `security: tls`.'),
  security: z
    .enum(['starttls', 'tls', 'none'])
    .default(EMAIL_DEFAULTS.security)
    .describe(
      '`starttls`: upgrade with STARTTLS and refuse a server that cannot; `tls`: TLS from the first byte (port 465); `none`: plain text (a local relay only). Default `starttls`.',
    ),
  caFile: z
    .string()
    .min(1)
    .optional()
    .describe('PEM CA certificate(s) to trust for the server, besides the system ones.'),
  auth: z
    .strictObject({
      user: z.string().min(1).describe('The SMTP user name.'),
      password: secretRef('The SMTP password'),
    })
    .optional()
    .describe('SMTP AUTH credentials. Unset: no authentication.'),
  from: address.describe('The sender, e.g. `mend <mend@example.com>`.'),
  to: z.array(address).min(1).describe('Recipients.'),
  subjectPrefix: z
    .string()
    .max(40)
    .default(EMAIL_DEFAULTS.subjectPrefix)
    .describe('Starts every subject, for mail filters. Default `[mend]`.'),
});

type EmailSpec = z.output<typeof emailSpec>;

/** SMTP with nodemailer (loaded on the first email, so config loading stays light). */
export const emailNotifier = defineNotifierKind({
  name: 'email',
  summary: 'An email (text and HTML) through an SMTP server',
  spec: emailSpec,
  async deliver(spec, notification, ctx) {
    const { createTransport } = await import('nodemailer');
    const message = emailMessage(notification, spec.subjectPrefix);
    const transport = createTransport({
      host: spec.host,
      port: spec.port,
      secure: spec.security === 'tls',
      requireTLS: spec.security === 'starttls',
      ignoreTLS: spec.security === 'none',
      ...(spec.auth
        ? { auth: { user: spec.auth.user, pass: await ctx.secret(spec.auth.password) } }
        : {}),
      ...(spec.caFile ? { tls: { ca: await readCa(spec) } } : {}),
      // Its own timeouts end a stuck session too; the attempt's signal (given to sendMail) ends
      // the session at once when the attempt's time is up or mend stops.
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    try {
      await transport.sendMail({
        signal: ctx.signal,
        from: spec.from,
        to: spec.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Mend-Key': notification.key, 'X-Mend-Event': notification.event },
      });
    } catch (err) {
      throw smtpError(err, spec);
    } finally {
      transport.close();
    }
  },
});

async function readCa(spec: EmailSpec): Promise<Buffer> {
  try {
    return await readFile(spec.caFile!);
  } catch (err) {
    throw new DeliveryError(`cannot read caFile ${spec.caFile}: ${(err as Error).message}`, {
      transient: false,
      cause: err,
    });
  }
}

/**
 * SMTP says itself whether to try again: 4xx replies are temporary, 5xx permanent (RFC 5321).
 * Connection trouble is transient; a refused login or a refused TLS upgrade is not.
 */
function smtpError(err: unknown, spec: EmailSpec): DeliveryError {
  const e = err as Error & { code?: string; responseCode?: number; response?: string };
  const where = `SMTP ${spec.host}:${spec.port}`;
  const detail = e.response ?? e.message;
  if (typeof e.responseCode === 'number') {
    return new DeliveryError(`${where} refused: ${detail}`, {
      transient: e.responseCode >= 400 && e.responseCode < 500,
      cause: err,
    });
  }
  const terminal = e.code === 'EAUTH' || e.code === 'ETLS' || e.code === 'EENVELOPE';
  return new DeliveryError(`${where}: ${e.code ? `${e.code}: ` : ''}${detail}`, {
    transient: !terminal,
    cause: err,
  });
}
