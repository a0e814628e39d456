import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { type TestContext, test } from 'node:test';
import { KubeClient } from '../../src/kubernetes/client/kube-client.ts';
import { loadKubeConfig } from '../../src/kubernetes/client/load-config.ts';
import { field } from '../../src/kubernetes/simulator/objects.ts';
import { resourceOfKind } from '../../src/kubernetes/simulator/resources.ts';
import { kubernetesLeaseElection } from '../../src/replicas/kubernetes-lease-election.ts';
import { FencedError } from '../../src/store/fenced-error.ts';
import type { KyselyStore } from '../../src/store/kysely-store.ts';
import { openKyselyStore } from '../../src/store/open.ts';
import { createTestSchema } from '../helpers/postgres.ts';
import {
  clusterConfig,
  createTestDatabase,
  ReplicaCluster,
  startCountingTarget,
  until,
} from '../helpers/replica-cluster.ts';
import { simulate } from '../kubernetes/helpers/kubectl.ts';
import { tick } from '../store/contract/decision-fixtures.ts';
import { T0 } from '../store/contract/fixtures.ts';

/**
 * The leader elected by a coordination.k8s.io/v1 Lease on the simulated cluster, as client-go
 * elects, with the fencing still the store's epoch. Each replica's monotonic clock is its own
 * and stepped by the test: a Lease is taken over once its holder has been seen silent for a
 * lease duration, whatever the timestamps in it say.
 */
const LEASE_MS = 10_000;

async function setUp(t: TestContext) {
  const sim = await simulate(t, '32');
  const kubeconfig = `${process.env.TMPDIR ?? '/tmp'}/mend-lease-${process.pid}-${Date.now()}`;
  await sim.cluster.writeKubeconfig(kubeconfig, { namespace: 'shop' });
  const kc = await loadKubeConfig(undefined, {
    env: { KUBECONFIG: kubeconfig },
    home: '/nonexistent',
    inClusterPrefix: '/nonexistent',
  });
  const client = new KubeClient(kc);
  const schema = await createTestSchema();
  const stores: KyselyStore[] = [];
  const store = async () => {
    const opened = await openKyselyStore({ path: schema.url });
    stores.push(opened);
    return opened;
  };
  t.after(async () => {
    await client.close();
    for (const opened of stores) await opened.close();
    await schema.drop();
  });
  const replica = async (id: string, name = 'mend-leader') => {
    let clock = 0;
    const opened = await store();
    const election = kubernetesLeaseElection({
      client,
      namespace: 'shop',
      name,
      id,
      leaseMs: LEASE_MS,
      store: opened.replicas(),
      now: () => clock,
    });
    const advance = (ms: number) => {
      clock += ms;
    };
    return { election, store: opened, advance };
  };
  const lease = (name = 'mend-leader') =>
    sim.cluster.store.get(resourceOfKind('Lease')!, 'shop', name);
  return { sim, replica, lease };
}

test('a Lease elects one leader; its holder renews it; a silent holder is replaced after a lease duration, the epoch up by one, its writes refused', async (t) => {
  const { sim, replica, lease } = await setUp(t);
  const a = await replica('replica-a');
  const b = await replica('replica-b');

  const first = await a.election.campaign();
  assert.equal(first?.epoch, 1);
  assert.equal(field(lease()!, 'spec', 'holderIdentity'), 'replica-a');
  assert.equal(field(lease()!, 'spec', 'leaseDurationSeconds'), 10);
  assert.equal(field(lease()!, 'spec', 'leaseTransitions'), 0);
  assert.match(
    String(field(lease()!, 'spec', 'renewTime')),
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
  );
  const got = await sim.kubectl(['get', 'lease', 'mend-leader', '-n', 'shop']);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /^NAME +HOLDER +AGE\nmend-leader +replica-a +/);

  assert.equal(await b.election.campaign(), undefined, 'held: b just saw it');
  b.advance(LEASE_MS - 1);
  assert.equal(await b.election.campaign(), undefined, 'not yet silent for a lease duration');
  // a renews: the Lease changes, so b's count starts again from now.
  assert.equal((await a.election.renew(1))?.epoch, 1);
  b.advance(5_000);
  assert.equal(await b.election.campaign(), undefined, 'renewed 5 s ago (on b’s clock)');

  const old = a.store.fenced({ epoch: 1, refused: () => {} });
  await old.recordDecision(tick(T0));
  b.advance(LEASE_MS);
  const taken = await b.election.campaign();
  assert.equal(taken?.epoch, 2, 'the store’s epoch follows the Lease');
  assert.equal(field(lease()!, 'spec', 'holderIdentity'), 'replica-b');
  assert.equal(field(lease()!, 'spec', 'leaseTransitions'), 1);
  assert.equal(await a.election.renew(1), undefined, 'a lost it: its renewal is refused');
  await assert.rejects(old.recordDecision(tick(T0 + 1)), FencedError, 'and so is its decision');
  assert.equal((await a.store.listDecisions()).length, 1);

  // b lets go (a clean stop): a takes it at once, without waiting out the lease.
  await b.election.release(2);
  assert.equal(field(lease()!, 'spec', 'holderIdentity'), '');
  assert.equal((await a.election.campaign())?.epoch, 3);
  assert.equal((await a.store.replicas().lease()).lease.holder, 'replica-a');
});

test('replicas racing for a free Lease: the resourceVersion lets exactly one win', async (t) => {
  const { replica, lease } = await setUp(t);
  const racers = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((id) => replica(id, 'race')));
  const won = await Promise.all(racers.map((r) => r.election.campaign()));
  assert.equal(won.filter((w) => w !== undefined).length, 1, JSON.stringify(won));
  const winner = racers[won.findIndex((w) => w !== undefined)]!;
  assert.equal(
    field(lease('race')!, 'spec', 'holderIdentity'),
    ['r1', 'r2', 'r3', 'r4'][racers.indexOf(winner)],
  );
  // The losers lost to a create: they have not seen the Lease yet, and a Lease first seen now
  // counts as renewed now (client-go's rule), so they wait a whole duration from here.
  const losers = racers.filter((r) => r !== winner);
  for (const r of losers) assert.equal(await r.election.campaign(), undefined);
  for (const r of losers) r.advance(LEASE_MS + 1);
  const again = await Promise.all(losers.map((r) => r.election.campaign()));
  assert.equal(again.filter((w) => w !== undefined).length, 1);
  assert.equal(await winner.election.renew(1), undefined, 'the old winner lost it');
});

test('mend run --replica electing by the Lease: the leader SIGKILLed, the other takes the Lease and the epoch, and heals', async (t) => {
  const { sim, lease } = await setUp(t);
  const kubeconfig = `${process.env.TMPDIR ?? '/tmp'}/mend-lease-run-${process.pid}-${Date.now()}`;
  await sim.cluster.writeKubeconfig(kubeconfig, { namespace: 'shop' });
  const db = await createTestDatabase();
  const target = await startCountingTarget();
  const replicas = await ReplicaCluster.create(
    db.url,
    clusterConfig(target.url, {
      services: 2,
      leaseSeconds: 3,
      kubernetesLease: { namespace: 'shop', name: 'mend' },
    }),
  );
  t.after(async () => {
    await replicas.stop();
    await target.close();
    await db.drop();
    await rm(kubeconfig, { force: true });
  });
  const env = { KUBECONFIG: kubeconfig };
  replicas.start(env);
  replicas.start(env);
  await replicas.waitForMembers(2, 3000, 20_000);
  const first = await replicas.waitForLeader(10_000);
  assert.equal(
    field(lease('mend')!, 'spec', 'holderIdentity'),
    first.id,
    'the Lease names the leader',
  );
  first.mend!.kill('SIGKILL');
  const next = await replicas.waitForLeader(15_000, first.id);
  assert.equal(next.epoch, first.epoch + 1);
  assert.equal(field(lease('mend')!, 'spec', 'holderIdentity'), next.id);
  assert.equal(field(lease('mend')!, 'spec', 'leaseTransitions'), 1);
  target.setHealthy('svc-1', false);
  const store = await replicas.store();
  await until(20_000, 'svc-1 healed by the new leader', async () => {
    const [incident] = await store.listIncidents({ service: 'svc-1' });
    return incident?.status === 'resolved' ? incident : undefined;
  });
  assert.equal([...target.restarts.values()].join(','), '1');
});
