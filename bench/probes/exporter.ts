// One phase with Prometheus's blackbox_exporter: start it with a generated config, drive it with
// exporter-driver.ts (a separate process) at the phase's rate, and measure the exporter process
// alone from /proc over the driving window.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { onCleanup, startChild, stopChild } from './children.ts';
import { PhaseSampler } from './measure.ts';
import { type PhaseResult, phaseResult, reportedLateness } from './phase-result.ts';
import { readCpu, readMemory } from './proc.ts';
import type { Target } from './target.ts';

export const EXPORTER_BINARY = '/usr/bin/prometheus-blackbox-exporter';

// Each probe builds a new HTTP client with keep-alive disabled (blackbox_exporter's http prober
// always does), so every probe is a fresh connection. ip4 only, as the target listens on it.
const CONFIG = `modules:
  http_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
  https_2xx:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      tls_config:
        insecure_skip_verify: true
`;

const driverReport = z.object({
  probes: z.number(),
  failed: z.number(),
  skipped: z.number(),
  driverCpuMs: z.number(),
  driverPeakRssBytes: z.number(),
  latenessMs: reportedLateness,
  roundTripMs: reportedLateness.shape.all,
  startupSeconds: z.number(),
});

export interface ExporterPhaseOptions {
  target: Target;
  checks: number;
  durationSeconds: number;
  warmupSeconds: number;
  concurrency: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`blackbox_exporter not healthy at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function exporterVersion(): string {
  const result = spawnSync(EXPORTER_BINARY, ['--version'], { encoding: 'utf8' });
  return /version (\S+)/.exec(`${result.stdout}${result.stderr}`)?.[1] ?? 'unknown';
}

export async function runExporterPhase(options: ExporterPhaseOptions): Promise<PhaseResult> {
  const { target, checks, durationSeconds, warmupSeconds } = options;
  const https = target.url.startsWith('https:');
  const dir = mkdtempSync(join(tmpdir(), 'mend-bench-exporter-'));
  const forget = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'blackbox.yml'), CONFIG);
  const port = await freePort();
  const exporterArgs = [
    `--config.file=${join(dir, 'blackbox.yml')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ];
  // setpriv execs the exporter (same pid) with a parent-death signal, so it cannot outlive us.
  const exporter = existsSync('/usr/bin/setpriv')
    ? startChild('/usr/bin/setpriv', [
        '--pdeathsig',
        'KILL',
        '--',
        EXPORTER_BINARY,
        ...exporterArgs,
      ])
    : startChild(EXPORTER_BINARY, exporterArgs);
  const warnings: string[] = [];
  try {
    await waitUntilHealthy(`http://127.0.0.1:${port}/-/healthy`, 15_000);
    const driver = startChild(process.execPath, [
      join(import.meta.dirname, 'exporter-driver.ts'),
      ...['--checks', String(checks), '--period', '1', '--duration', String(durationSeconds)],
      ...['--url', target.url, '--exporter', `http://127.0.0.1:${port}`],
      ...['--module', https ? 'https_2xx' : 'http_2xx'],
      ...['--concurrency', String(options.concurrency), '--warmup', String(warmupSeconds)],
    ]);
    try {
      await driver.nextLine((line) => line.includes('"event"'), 60_000);
      const cpuAtStart = readCpu(exporter.pid)?.selfMs ?? 0;
      const sampler = new PhaseSampler(target, exporter.pid);
      const line = await driver.nextLine(
        (text) => text.includes('"probes"'),
        (durationSeconds + 120) * 1000,
      );
      await sampler.sampleNow();
      const cpuAtEnd = readCpu(exporter.pid)?.selfMs ?? Number.NaN;
      const peakRssBytes = readMemory(exporter.pid)?.peakRssBytes ?? Number.NaN;
      const measured = await sampler.stop();
      const report = driverReport.parse(JSON.parse(line));
      if (report.skipped > 0) {
        warnings.push(`exporter fell behind: ${report.skipped} probes still waiting at the end`);
      }
      return phaseResult({
        name: 'exporter',
        https,
        checks,
        durationSeconds,
        warmupSeconds,
        probes: report.probes,
        failed: report.failed,
        cpuMs: cpuAtEnd - cpuAtStart,
        peakRssBytes,
        // The driver's: how late each /probe request left, which grows once the exporter falls
        // behind and the concurrency bound holds requests back.
        latenessMs: report.latenessMs,
        startupSeconds: null,
        reported: report,
        measured,
        warnings,
      });
    } finally {
      await stopChild(driver);
    }
  } finally {
    await stopChild(exporter);
    rmSync(dir, { recursive: true, force: true });
    forget();
  }
}
