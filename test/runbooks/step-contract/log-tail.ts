import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MakeCase, StepFixture } from '../step-contract.ts';

/** A log file in a temporary folder, made by `make(path)`. */
function inTempDir(make: (path: string) => Promise<unknown>): MakeCase {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-step-contract-'));
    const path = join(dir, 'app.log');
    await make(path);
    return { spec: { path, lines: 2 }, close: () => rm(dir, { recursive: true, force: true }) };
  };
}

export const logTailFixture: StepFixture = {
  passing: inTempDir((path) => writeFile(path, 'started\nlistening on :8080\nrefused\n')),
  failing: [
    async () => ({ spec: { path: '/nonexistent/mend/app.log' } }),
    // A named pipe nobody writes to: opening it to read would wait for a writer forever.
    inTempDir((path) => promisify(execFile)('mkfifo', [path])),
  ],
  slow: null,
  refused: { path: '/var/log/{{service.labels.team}}/app.log' },
};
