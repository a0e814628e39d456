import type { AccessCheck } from '../kubernetes/access/access-check.ts';
import { permissionText } from '../kubernetes/access/permission.ts';
import { preparedAccess } from './kubernetes-access.ts';
import type { PreparedStep } from './preflight.ts';

/** What a run asks of the preflight's memory (src/kubernetes/access/access-check.ts). */
export type RunAccess = Pick<AccessCheck, 'states'>;

/** Why a run may not start: refused (final: the same heal is refused again), or not known yet. */
export interface AccessBlock {
  detail: string;
  final: boolean;
}

/**
 * Before a run's first step: every Kubernetes permission its action steps (steps, onFailure)
 * need, where they will act, checked. One refused: the run is refused, final, naming each
 * missing permission, so the incident pages with them and nothing half-runs. One not known (the
 * review failed): the run does not start either, but that is not final (the heal may be tried
 * again). Evidence steps do not block (evidence never blocks the heal): a refused read is
 * recorded as the step's failure, and /readyz already names it.
 */
export async function accessBlock(
  steps: readonly PreparedStep[],
  access: RunAccess,
): Promise<AccessBlock | undefined> {
  const needed = preparedAccess(steps).filter((n) => n.section !== 'evidence');
  if (needed.length === 0) return undefined;
  const states = await access.states(needed.map((n) => n.permission));
  const denied: string[] = [];
  const unknown: string[] = [];
  needed.forEach((n, i) => {
    const state = states[i]!;
    if (state.kind === 'denied') denied.push(`${n.step} needs ${permissionText(n.permission)}`);
    if (state.kind === 'unknown') {
      unknown.push(`${n.step} needs ${permissionText(n.permission)} (${state.error})`);
    }
  });
  if (denied.length > 0) {
    return {
      final: true,
      detail: `missing Kubernetes permission (a SelfSubjectAccessReview said no): ${denied.join('; ')}; nothing ran; grant it (mend kubernetes rbac -c CONFIG prints the Roles) and reload mend`,
    };
  }
  if (unknown.length > 0) {
    return {
      final: false,
      detail: `cannot tell whether mend may act (the access review failed): ${unknown.join('; ')}; nothing ran`,
    };
  }
  return undefined;
}
