import { escalation } from '../commands/page.ts';
import { duration } from '../format.ts';
import { reasonOf } from '../judge/judging.ts';
import { type Gate, pass } from '../judge/ruling.ts';

/** Escalation ladder: past a rung's deadline go to the next rung; past the last one, page. */
export const ladder: Gate = (j) => {
  const { inc, d } = j;
  const rungs = j.policy!.rungs;
  const rung = rungs[inc.rung]!;
  if (rung.deadlineMs === null || inc.rungStartedAt === null) return null;
  if (d.now < inc.rungStartedAt + rung.deadlineMs) return null;
  if (inc.rung + 1 < rungs.length) {
    const reason = reasonOf(
      j,
      'ladder-next',
      'ladder',
      { rung: inc.rung + 2, rungs: rungs.length, deadlineMs: rung.deadlineMs },
      `still failing ${duration(rung.deadlineMs)} after rung ${inc.rung + 1} (${rung.runbook}) began: going to rung ${inc.rung + 2} of ${rungs.length} (${rungs[inc.rung + 1]!.runbook})`,
    );
    return pass(
      { kind: 'note', reason },
      { kind: 'incident', set: { rung: inc.rung + 1, rungStartedAt: null } },
    );
  }
  const page = escalation(j, j.policy!.config.escalate.notifiers);
  const reason = reasonOf(
    j,
    'ladder-exhausted',
    'ladder',
    { rungs: rungs.length, deadlineMs: rung.deadlineMs },
    `still failing ${duration(rung.deadlineMs)} after the last rung (${rung.runbook}, ${inc.rung + 1} of ${rungs.length}) began: ladder exhausted, healing stopped; ${page.words}`,
  );
  return {
    kind: 'block',
    verdict: 'escalate',
    phase: 'escalated',
    blockedBy: 'ladder',
    reason,
    effects: page.effects(reason),
  };
};
