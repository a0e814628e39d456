import { suggest } from '../config/suggest.ts';
import type { Mismatch } from './compare.ts';
import type { CaseRun } from './run-case.ts';
import { offsetMs, type TestCase } from './schema.ts';

/**
 * Mistakes in the case itself: an outcome for a heal the case never issued, an answer to an
 * approval it never requested. The engine ignores those (it says so in a reason), so a typo in
 * an id would otherwise pass unnoticed. `unissued: true` / `unrequested: true` send one on
 * purpose, to test that the engine ignores it.
 */
export function inputMistakes(testCase: TestCase, run: CaseRun, start: number): Mismatch[] {
  const times = [...run.moments.keys()].sort((a, b) => a - b);
  const issuedBy = (at: number, kind: 'heal' | 'approval') => {
    const ids: string[] = [];
    for (const time of times) {
      if (time > at) break;
      for (const command of run.moments.get(time)!.commands) {
        if (kind === 'heal' && command.kind === 'heal') ids.push(command.id);
        if (kind === 'approval' && command.kind === 'requestApproval') ids.push(command.approvalId);
      }
    }
    return ids;
  };
  const out: Mismatch[] = [];
  for (const input of testCase.inputs) {
    const at = start + offsetMs(input.at);
    if (input.outcome !== undefined && !input.outcome.unissued) {
      const issued = issuedBy(at, 'heal');
      const id = input.outcome.command;
      if (!issued.includes(id)) out.push(mistake(input.at, 'outcome', 'a heal', id, issued));
    }
    for (const [field, answer] of [
      ['approve', input.approve],
      ['deny', input.deny],
    ] as const) {
      if (answer === undefined || answer.unrequested) continue;
      const requested = issuedBy(at, 'approval');
      if (!requested.includes(answer.id)) {
        out.push(mistake(input.at, field, 'an approval request', answer.id, requested));
      }
    }
  }
  return out;
}

function mistake(at: string, field: string, what: string, id: string, known: string[]): Mismatch {
  const close = suggest(id, known);
  const flag = field === 'outcome' ? 'unissued' : 'unrequested';
  return {
    at,
    what: `the ${field} input (a mistake in the test?)`,
    expected: [
      `the id of ${what} the case issued by then: ${known.length > 0 ? known.join(', ') : 'none yet'}`,
    ],
    actual: [
      `${JSON.stringify(id)}, which was never issued${close !== undefined ? ` (did you mean ${JSON.stringify(close)}?)` : ''}; to send it on purpose, set ${flag}: true`,
    ],
  };
}
