import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeFixture, ProbeTarget } from '../contract.ts';

/** A log file in a folder of its own, read from its start (`startAt: start`) in one run. */
async function logFile(text: string, spec: Record<string, unknown> = {}): Promise<ProbeTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-log-contract-'));
  const path = join(dir, 'app.log');
  await writeFile(path, text);
  return {
    spec: { path, pattern: 'ERROR', startAt: 'start', ...spec },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export const logFixture: ProbeFixture = {
  healthy: () => logFile('INFO started\nINFO serving\n'),
  down: () => logFile('INFO started\nERROR cannot reach the database\n'),
  hanging: null,
  verbose: (bytes) => logFile(`ERROR ${'x'.repeat(bytes * 4)}\n`, { maxLineBytes: bytes * 8 }),
};
