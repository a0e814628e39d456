import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort } from '../helpers/flaky-server.ts';
import {
  RUNNING_MEND_CONFIG,
  type RunningMend,
  startRunningMend,
} from '../helpers/running-mend.ts';

/**
 * A real `mend run` (running-mend.ts's config) whose runbook also tells two webhook notifiers
 * before it restarts: `hook`, a receiver on loopback, and `gone`, a port nothing listens on. So
 * one heal delivers a page and fails one (a runbook's message, not the incident's page: nothing
 * resolves it).
 */
export interface NotifyingMend extends RunningMend {
  /** Notifications `hook` received, in order (their `event`). */
  received: string[];
}

export async function startNotifyingMend(): Promise<NotifyingMend> {
  const received: string[] = [];
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).event);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  const gone = `http://127.0.0.1:${await closedPort()}/`;
  const config = (url: string) => {
    const base = RUNNING_MEND_CONFIG(url);
    const withNotify = base.replace(
      '  steps:\n',
      '  steps:\n    - name: tell\n      notify: { notifiers: [hook, gone], message: "restarting {{service.name}}" }\n',
    );
    if (withNotify === base) throw new Error('running-mend.ts config has no runbook steps');
    return `${withNotify}---
${notifier('hook', hook)}---
${notifier('gone', gone)}`;
  };
  const mend = await startRunningMend({ config });
  return {
    ...mend,
    received,
    async stop() {
      await mend.stop();
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    },
  };
}

const notifier = (name: string, url: string) => `apiVersion: mend/v1
kind: Notifier
metadata: { name: ${name} }
spec:
  webhook: { url: "${url}" }
  attempts: 1
  timeout: 1s
`;

/**
 * The work a scrape should show: `api` fails, an incident opens and is healed (the runbook tells
 * the notifiers, restarts, verifies), `api` recovers, the incident closes and resolves that page.
 * `whileOpen` runs while the incident is open and the heal waits for the check to pass.
 */
export async function failAndHeal(
  mend: NotifyingMend,
  whileOpen: () => Promise<void> = async () => {},
): Promise<void> {
  mend.target.setStatus(503);
  await mend.mend.waitForLog(/^inc-1 api: heal:/, 20_000);
  await mend.mend.waitForLog(/: the page to gone failed: /, 20_000);
  await mend.mend.waitForLog(/: page sent to hook \(webhook\)$/, 20_000);
  await whileOpen();
  mend.target.setStatus(200);
  await mend.mend.waitForLog(/^runbook restart on api \(inc-1:heal:1\): succeeded/, 20_000);
  await mend.mend.waitForLog(/^inc-1: .*recovered after heal/, 20_000);
  // The runbook's page is resolved with the incident.
  await mend.mend.waitForLog(/: resolve sent to hook \(webhook\)$/, 20_000);
}

/** GET /metrics as Prometheus scrapes it. */
export async function scrape(mend: RunningMend): Promise<string> {
  const response = await fetch(`${mend.base}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}
