import type { Input } from '../../src/policy/index.ts';
import { firing, outcome, resolved, T0 } from '../policy/helpers.ts';

/** The incidents the report's tests read. */
export const policies = {
  restart: {
    match: { services: { names: ['api', 'db'] } },
    heal: { runbook: 'restart' },
    escalate: { notifiers: ['oncall'] },
    cooldown: '30s',
    maxAttempts: 3,
    window: '1h',
  },
  shadow: {
    match: { services: { names: ['worker'] } },
    heal: { runbook: 'recycle' },
    escalate: { notifiers: ['oncall'] },
    shadow: true,
  },
};

/** api: healed three times (chronic), then fails again and the breaker pages; db: a failed heal
 * then recovery; worker: shadow, recovers on its own twice. */
export function story(): Input[] {
  const at = (s: number) => T0 + s * 1000;
  const healed = (n: number, s: number, took: number): Input[] => [
    firing('api', at(s), { startsAt: at(s - 3) }),
    outcome(`inc-${n}:heal:1`, at(s + took), 'succeeded'),
    resolved('api', at(s + took + 5)),
  ];
  return [
    ...healed(1, 0, 10),
    ...healed(2, 100, 20),
    ...healed(3, 200, 40),
    firing('db', at(250), { startsAt: at(249) }),
    outcome('inc-4:heal:1', at(260), 'failed'),
    resolved('db', at(270)),
    firing('api', at(300), { startsAt: at(297) }),
    firing('worker', at(400), { startsAt: at(400) }),
    resolved('worker', at(445)),
    firing('worker', at(500), { startsAt: at(500) }),
  ];
}
