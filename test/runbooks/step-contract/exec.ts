import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processGone } from '../../helpers/processes.ts';
import type { StepFixture } from '../step-contract.ts';

export const execFixture: StepFixture = {
  passing: async () => ({ spec: { command: ['sh', '-c', 'echo restarted'] } }),
  failing: [
    async () => ({ spec: { command: ['sh', '-c', 'echo unit not found; exit 5'] } }),
    async () => ({ spec: { command: ['no-such-command-for-mend'] } }),
  ],
  async slow() {
    const dir = await mkdtemp(join(tmpdir(), 'mend-step-contract-'));
    const pidFile = join(dir, 'pid');
    return {
      // The shell writes its pid and becomes the sleep: the process group the step must kill.
      spec: { command: ['sh', '-c', `echo $$ > '${pidFile}'; exec sleep 30`] },
      async released() {
        const pid = Number(await readFile(pidFile, 'utf8'));
        assert.equal(await processGone(pid), true, `sleep ${pid} survived`);
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
  refused: { command: ['systemctl', 'restart', '{{service.labels.team}}'] },
};
