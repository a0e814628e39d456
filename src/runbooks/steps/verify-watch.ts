import type { ServiceConfig } from '../../config/config.ts';
import { parseDuration } from '../../config/kinds/duration.ts';
import { kubeClient } from '../../kubernetes/client/kube-client.ts';
import { ServiceWatch } from '../../kubernetes/watch/service-watch.ts';
import { BoundedOutput } from '../../signals/probes/bounded-output.ts';
import { KUBERNETES_SOURCE, runningWatches } from '../../signals/sources/kubernetes-watch.ts';
import { systemClock } from '../../support/clock.ts';
import { abortReason, sleep } from './sleep.ts';
import type { StepContext, StepResult } from './step-kind.ts';

/**
 * Clear rounds in a row a watched service needs by default: two, a second apart, so a change
 * that is on its way (an old pod's deletion behind the rollout's end) is seen.
 */
const WATCH_THRESHOLD = 2;
const WATCH_INTERVAL_MS = 1000;

/**
 * Whether a verify checks the Service's Kubernetes watch: the signal that fired is the watch's,
 * or (a run by hand) the service watches and has no checks.
 */
export function verifiesWatch(check: string | undefined, ctx: StepContext): boolean {
  const service = ctx.service;
  if (check !== undefined || service?.kubernetes?.watch === undefined) return false;
  if (ctx.lead !== undefined) return ctx.lead.source === KUBERNETES_SOURCE;
  return service.checks.length === 0;
}

/**
 * The check that fired, for a watched service: the watch's conditions. Passes when none of the
 * service's conditions is failing (the one that fired cleared, and no other took its place: a
 * restart whose new pods crash again is no heal) `successThreshold` rounds in a row. It reads
 * the watch this mend runs; a run by hand starts one for the step. Rounds read memory, not the
 * API server: the watch keeps it current.
 */
export async function verifyWatch(
  spec: { successThreshold?: number | undefined; interval?: string | undefined },
  service: ServiceConfig,
  ctx: StepContext,
): Promise<StepResult> {
  const threshold = spec.successThreshold ?? WATCH_THRESHOLD;
  const intervalMs =
    spec.interval !== undefined ? parseDuration(spec.interval)! : WATCH_INTERVAL_MS;
  const log = new BoundedOutput(ctx.maxOutputBytes);
  const say = (line: string) => log.push(Buffer.from(`${line}\n`));
  let watch = runningWatches.get(service.name);
  let own: ServiceWatch | undefined;
  if (watch === undefined) {
    try {
      const client = await kubeClient(service.kubernetes!.context);
      own = new ServiceWatch({
        service: service.name,
        target: service.kubernetes!,
        client,
        clock: systemClock,
        onTransitions: () => {},
        onFailure: (f) => say(`watch: ${f.what}: ${f.error.message}`),
      });
      own.start();
      watch = own;
      say(`watching ${service.name}'s workload for this step (no watch running in this mend)`);
    } catch (err) {
      return { ok: false, error: `cannot reach Kubernetes: ${(err as Error).message}` };
    }
  }
  try {
    let streak = 0;
    let rounds = 0;
    let last: string[] = [];
    for (;;) {
      const behind = watch.failing;
      if (watch.synced && behind !== undefined) {
        // The watch cannot see the cluster now: a round that says nothing either way (the
        // streak stands, as a discarded probe result).
        rounds++;
        say(`round ${rounds} not judged: the watch is behind the cluster (${behind})`);
      } else if (watch.synced) {
        rounds++;
        last = watch
          .firing()
          .map(
            (c) =>
              `${c.reason} ${c.kind.toLowerCase()}/${c.name}${c.container ? ` (${c.container})` : ''}: ${c.message}`,
          );
        streak = last.length === 0 ? streak + 1 : 0;
        say(`round ${rounds} ${last.length === 0 ? 'clear' : `failing: ${last.join('; ')}`}`);
      }
      const data = {
        watch: KUBERNETES_SOURCE,
        rounds,
        passedInARow: streak,
        threshold,
        failing: last,
      };
      if (streak >= threshold) return { ok: true, output: log.text(), data };
      if (ctx.signal.aborted || !(await sleep(intervalMs, ctx.signal))) {
        const why = !watch.synced
          ? 'the watch never listed the workload'
          : last.length > 0
            ? last[0]!
            : `clear ${streak} of ${threshold} in a row`;
        return {
          ok: false,
          error: `not healthy (${abortReason(ctx.signal)}): ${why}`,
          output: log.text(),
          data,
        };
      }
    }
  } finally {
    await own?.stop();
  }
}
