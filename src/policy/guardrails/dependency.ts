import { escalation } from '../commands/page.ts';
import { serviceOf } from '../compile.ts';
import { duration, iso } from '../format.ts';
import { type Judging, reasonOf } from '../judge/judging.ts';
import { type Block, type Effect, type Gate, pass } from '../judge/ruling.ts';
import { signalOf } from '../state.ts';
import { rootOf, rootStatus } from './root-status.ts';

/**
 * While a dependency is unhealthy, hold this service: the incident is linked to the dependency's,
 * says what is done about the root (healed, breaker open, paged, silenced, or nothing: then this
 * incident pages), and is judged afresh when the dependency recovers. A dependency the evidence
 * names as failing, or unknown, that has no incident yet is waited for a short while (its own
 * checks' detection time), so that a failure mend sees a little later still links them.
 */
export const dependency: Gate = (j) => {
  const down = unhealthyDependency(j);
  if (down !== null) return hold(j, down);
  const unlink = j.inc.linkedTo === null ? [] : recovered(j);
  const settling = unconfirmedDependency(j);
  if (settling !== null && j.d.now < settling.until) return settle(j, settling, unlink);
  if (j.inc.blockedBy === 'dependency-settle' && settling !== null) {
    return pass(...unlink, { kind: 'note', reason: settled(j, settling) });
  }
  return unlink.length === 0 ? null : pass(...unlink);
};

interface Down {
  service: string;
  incident: string;
}

function hold(j: Judging, down: Down): Block {
  const { d, inc } = j;
  const root = rootOf(d, down.service, down.incident);
  const status = rootStatus(d, root);
  const via =
    root.incident === down.incident
      ? ''
      : `; root cause ${root.service} (incident ${root.incident})`;
  const head = `held: dependency ${down.service} is unhealthy (incident ${down.incident}${via})`;
  // Nothing heals the root and nobody was told: this incident pages as its own policy would.
  const page = status.kind === 'unowned' ? pageOf(j) : null;
  const message =
    status.kind === 'heals'
      ? `${head}: ${status.words}, not ${inc.service}`
      : `${head}: ${status.words}; holding ${inc.service} until ${root.service} recovers${page === null ? '' : `; ${page.words}`}`;
  const reason = reasonOf(
    j,
    'dependency',
    'dependency',
    {
      dependency: down.service,
      dependencyIncident: down.incident,
      rootIncident: root.incident,
      root: status.kind,
    },
    message,
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
  if (inc.rootStatus !== status.key) {
    effects.push({ kind: 'incident', set: { rootStatus: status.key } });
  }
  effects.push({ kind: 'held-by-dependency', service: down.service });
  if (page !== null) effects.push(...page.effects(reason));
  return {
    kind: 'block',
    verdict: 'hold',
    phase: 'held',
    blockedBy: 'dependency',
    reason,
    effects,
  };
}

/** Who this incident's own policy would tell: a heal policy's escalation, a page policy's page. */
function pageOf(j: Judging) {
  const config = j.policy?.config;
  if (config === undefined || config.action.kind === 'observe') return null;
  const notifiers =
    config.action.kind === 'page' ? config.action.notifiers : config.escalate.notifiers;
  return escalation(j, notifiers);
}

/**
 * The dependency it was linked to recovered: unlink, and judge afresh. `for` starts again, so a
 * dependent that recovers with its dependency is left alone.
 */
function recovered(j: Judging): Effect[] {
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
  return [
    { kind: 'note', reason },
    {
      kind: 'event',
      event: { type: 'unlinked', incidentId: inc.id, at: d.now, dependency, reason },
    },
    {
      kind: 'incident',
      set: {
        since: d.now,
        linkedTo: null,
        linkedVia: null,
        rootStatus: null,
        recoveredWith: dependency,
      },
    },
  ];
}

/**
 * The first unhealthy dependency with an open incident: configured ones first, then those the
 * evidence names (failing or unknown). A name listed twice is asked twice, with the same answer:
 * cheaper than a Set.
 */
function unhealthyDependency(j: Judging): Down | null {
  for (const name of j.service.dependsOn) {
    const down = openIncidentOf(j, name);
    if (down !== null) return down;
  }
  for (const fingerprint of j.inc.firing) {
    const signal = signalOf(j.svc, fingerprint);
    for (const name of signal?.namedDeps ?? []) {
      const down = openIncidentOf(j, name);
      if (down !== null) return down;
    }
    for (const name of signal?.unknownDeps ?? []) {
      const down = openIncidentOf(j, name);
      if (down !== null) return down;
    }
  }
  return null;
}

function openIncidentOf(j: Judging, name: string): Down | null {
  if (name === j.inc.service) return null;
  const dependency = j.d.peek(name);
  if (dependency === undefined || dependency.firing === 0) return null;
  const incident = dependency.incidents[0]?.id;
  return incident === undefined ? null : { service: name, incident };
}

interface Unconfirmed {
  service: string;
  health: 'failing' | 'unknown';
  settleMs: number;
  until: number;
}

/**
 * A dependency the evidence names as failing or unknown while its own checks have said nothing
 * (no incident): the one whose wait ends last, so every such dependency had its time.
 */
function unconfirmedDependency(j: Judging): Unconfirmed | null {
  let found: Unconfirmed | null = null;
  for (const fingerprint of j.inc.firing) {
    const signal = signalOf(j.svc, fingerprint);
    if (signal === undefined) continue;
    const named: [string[], Unconfirmed['health']][] = [
      [signal.namedDeps, 'failing'],
      [signal.unknownDeps ?? [], 'unknown'],
    ];
    for (const [names, health] of named) {
      for (const name of names) {
        const settleMs = serviceOf(j.d.compiled, name).settleMs;
        if (settleMs === 0 || name === j.inc.service) continue;
        const until = signal.at + settleMs;
        if (found === null || until > found.until)
          found = { service: name, health, settleMs, until };
      }
    }
  }
  return found;
}

function settle(j: Judging, dep: Unconfirmed, unlink: Effect[]): Block {
  const { inc } = j;
  return {
    kind: 'block',
    verdict: 'hold',
    phase: 'held',
    blockedBy: 'dependency-settle',
    wakeAt: dep.until,
    reason: reasonOf(
      j,
      'dependency-settle',
      'dependency',
      { dependency: dep.service, settleMs: dep.settleMs, until: dep.until },
      `held: the evidence says dependency ${dep.service} is ${dep.health}, and its own checks have not failed (yet): waiting up to ${duration(dep.settleMs)} (until ${iso(dep.until)}) for them before acting on ${inc.service}`,
    ),
    effects: unlink,
  };
}

function settled(j: Judging, dep: Unconfirmed) {
  return reasonOf(
    j,
    'dependency-settled',
    'dependency',
    { dependency: dep.service, settleMs: dep.settleMs },
    `dependency ${dep.service} did not fail by its own checks within ${duration(dep.settleMs)}: judging ${j.inc.service} on its own`,
  );
}
