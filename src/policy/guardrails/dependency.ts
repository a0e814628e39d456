import { duration } from '../format.ts';
import { type Judging, reasonOf } from '../judge/judging.ts';
import { type Effect, type Gate, type Pass, pass } from '../judge/ruling.ts';
import { incidentOf, signalOf } from '../state.ts';

/**
 * While a dependency is unhealthy, heal it, not this service: the incident is linked to the
 * dependency's, and judged afresh when the dependency recovers.
 */
export const dependency: Gate = (j) => {
  const { d, inc } = j;
  const down = unhealthyDependency(j);
  if (down === null) return inc.linkedTo === null ? null : recovered(j);
  const root = rootOf(j, down.service, down.incident);
  const rootWords =
    root.incident === down.incident
      ? ''
      : `; root cause ${root.service} (incident ${root.incident})`;
  const reason = reasonOf(
    j,
    'dependency',
    'dependency',
    { dependency: down.service, dependencyIncident: down.incident, rootIncident: root.incident },
    `held: dependency ${down.service} is unhealthy (incident ${down.incident}${rootWords}): healing ${root.service}, not ${inc.service}`,
  );
  const effects: Effect[] = [];
  if (inc.linkedTo !== down.incident) {
    effects.push(
      { kind: 'incident', set: { linkedTo: down.incident, linkedVia: down.service } },
      {
        kind: 'event',
        event: {
          type: 'linked',
          incidentId: inc.id,
          at: d.now,
          rootIncidentId: down.incident,
          dependency: down.service,
          reason,
        },
      },
    );
  }
  effects.push({ kind: 'held-by-dependency', service: down.service });
  return {
    kind: 'block',
    verdict: 'hold',
    phase: 'held',
    blockedBy: 'dependency',
    reason,
    effects,
  };
};

/**
 * The dependency it was linked to recovered: unlink, and judge afresh. `for` starts again, so a
 * dependent that recovers with its dependency is left alone.
 */
function recovered(j: Judging): Pass {
  const { d, inc } = j;
  const dependency = inc.linkedVia ?? '';
  const forMs = j.policy?.config.forMs ?? 0;
  const again = forMs > 0 ? ` (for ${duration(forMs)} starts again)` : '';
  const reason = reasonOf(
    j,
    'dependency-recovered',
    'dependency',
    { dependencyIncident: inc.linkedTo! },
    `dependency ${dependency} recovered (incident ${inc.linkedTo}): judging ${inc.service} afresh${again}`,
  );
  return pass(
    { kind: 'note', reason },
    {
      kind: 'event',
      event: { type: 'unlinked', incidentId: inc.id, at: d.now, dependency, reason },
    },
    { kind: 'incident', set: { since: d.now, linkedTo: null, linkedVia: null } },
  );
}

/**
 * The first unhealthy dependency with an open incident: configured ones first, then those the
 * evidence names. A name listed twice is asked twice, with the same answer: cheaper than a Set.
 */
function unhealthyDependency(j: Judging): { service: string; incident: string } | null {
  for (const name of j.service.dependsOn) {
    const down = openIncidentOf(j, name);
    if (down !== null) return down;
  }
  for (const fingerprint of j.inc.firing) {
    for (const name of signalOf(j.svc, fingerprint)?.namedDeps ?? []) {
      const down = openIncidentOf(j, name);
      if (down !== null) return down;
    }
  }
  return null;
}

function openIncidentOf(j: Judging, name: string): { service: string; incident: string } | null {
  if (name === j.inc.service) return null;
  const dependency = j.d.peek(name);
  if (dependency === undefined || dependency.firing === 0) return null;
  const incident = dependency.incidents[0]?.id;
  return incident === undefined ? null : { service: name, incident };
}

/** Follow the links from the dependency's incident to the one that is not waiting on another. */
function rootOf(j: Judging, service: string, incident: string) {
  let at = { service, incident };
  for (let hops = 0; hops < 32; hops++) {
    const next = incidentOf(j.d.peek(at.service), at.incident);
    if (next?.linkedTo == null || next.linkedVia === null) break;
    at = { service: next.linkedVia, incident: next.linkedTo };
  }
  return at;
}
