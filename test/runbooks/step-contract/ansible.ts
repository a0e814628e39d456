import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MakeCase, StepFixture } from '../step-contract.ts';

export const REPAIR_PLAYBOOK = fileURLToPath(
  new URL('../fixtures/ansible/repair.yml', import.meta.url),
);

/** localhost through a local connection, with the system python (no interpreter discovery). */
export const LOCAL_VARS = {
  ansible_connection: 'local',
  ansible_python_interpreter: '/usr/bin/python3',
};

/** The repair playbook on localhost with these tags, against a broken file in a temp folder. */
function play(tags: string[], vars: Record<string, unknown> = {}, extra = {}): MakeCase {
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mend-step-contract-'));
    const target = join(dir, 'app.conf');
    await writeFile(target, 'broken\n');
    return {
      spec: {
        playbook: REPAIR_PLAYBOOK,
        hosts: ['localhost'],
        tags,
        vars: { ...LOCAL_VARS, target, content: 'ok', ...vars },
        ...extra,
      },
      close: () => rm(dir, { recursive: true, force: true }),
    };
  };
}

export const ansibleFixture: StepFixture = {
  passing: play(['repair']),
  failing: [play(['break']), play(['repair'], {}, { program: 'no-such-ansible-playbook' })],
  slow: play(['slow'], { pause_s: 30 }),
  refused: { playbook: REPAIR_PLAYBOOK, limit: '{{service.labels.team}}' },
};
