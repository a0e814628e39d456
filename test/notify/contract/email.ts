import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Answering, NotifierFixture, NotifierTarget } from '../contract.ts';
import { type SmtpFaults, type SmtpReceiver, startSmtpReceiver } from '../smtp-receiver.ts';

/** A target over the SMTP receiver, which tests of the kind's wire format read. */
export type EmailTarget = NotifierTarget & { smtp: SmtpReceiver };

export const SMTP_PASSWORD = 'smtp-pa55word';

const FAULTS: Record<Answering, SmtpFaults> = {
  accept: {},
  unavailable: { refuseRecipients: { code: 451, message: 'Mailbox temporarily unavailable' } },
  rateLimited: { refuseConnections: { code: 421, message: 'Too many connections, try later' } },
  // Refused by the password: the server knows another one.
  refuse: {},
  silent: { silent: true },
  echo: { echoPassword: true },
};

export const emailFixture: NotifierFixture<EmailTarget> = {
  async start(answering) {
    const password = answering === 'refuse' ? 'another-pa55word' : SMTP_PASSWORD;
    const smtp = await startSmtpReceiver({ user: 'mend', password }, FAULTS[answering]);
    const dir = await mkdtemp(join(tmpdir(), 'mend-email-'));
    const passwordFile = join(dir, 'password');
    await writeFile(passwordFile, `${SMTP_PASSWORD}\n`);
    return {
      spec: {
        host: '127.0.0.1',
        port: smtp.port,
        security: 'starttls',
        caFile: smtp.caFile,
        auth: { user: 'mend', password: { valueFrom: { file: passwordFile } } },
        from: 'mend <mend@example.com>',
        to: ['oncall@example.com', 'Ops <ops@example.com>'],
      },
      env: {},
      secrets: [SMTP_PASSWORD],
      smtp,
      attempts: smtp.sessions,
      accepted: () => smtp.mails.length,
      openConnections: smtp.openConnections,
      async close() {
        await smtp.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  refusal: /^SMTP 127\.0\.0\.1:\d+ refused: 535 Invalid username or password$/,
};
