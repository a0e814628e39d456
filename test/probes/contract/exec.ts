import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processGone } from '../../helpers/processes.ts';
import type { ProbeFixture } from '../contract.ts';

const none = async () => {};

export const execFixture: ProbeFixture = {
  healthy: async () => ({ spec: { command: ['sh', '-c', 'exit 0'] }, close: none }),
  down: async () => ({ spec: { command: ['sh', '-c', 'echo db down; exit 3'] }, close: none }),
  async hanging() {
    const dir = await mkdtemp(join(tmpdir(), 'mend-exec-contract-'));
    const pidFile = join(dir, 'pid');
    return {
      // The shell writes its pid and becomes the sleep: the process the probe must kill.
      spec: { command: ['sh', '-c', `echo $$ > '${pidFile}'; exec sleep 30`] },
      async released() {
        const pid = Number(await readFile(pidFile, 'utf8'));
        assert.equal(await processGone(pid), true, `sleep ${pid} survived`);
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
  verbose: async (bytes) => ({
    spec: { command: ['sh', '-c', `head -c ${bytes * 16} /dev/zero | tr '\\0' a`] },
    close: none,
  }),
};
