// `npm run bench:kubernetes-watch`: the time from the API server's event (a pod's container
// entering CrashLoopBackOff, stamped when the simulated cluster commits it) to mend's heal
// decision (the decision's log line, written once it is recorded), and from the decision to the
// verified recovery (the runbook's outcome), over N crash loops healed by a real `mend run`
// watching the simulated cluster over TLS. A watch bounds the first figure, not a poll
// interval. See bench/README.md.
//
//   node bench/kubernetes-watch/run.ts [--runs 10] [--out FILE]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TYPES } from '../../src/kubernetes/simulator/cluster-context.ts';
import { deploymentObject } from '../../src/kubernetes/simulator/scenario-run.ts';
import { SimulatedCluster } from '../../src/kubernetes/simulator/simulated-cluster.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    runs: { type: 'string', default: '10' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('npm run bench:kubernetes-watch -- [--runs N] [--out FILE]\n');
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs: expected a count, not ${values.runs}`);

const MEND = fileURLToPath(new URL('../../bin/mend.js', import.meta.url));
const RUNBOOK = fileURLToPath(
  new URL('../../examples/runbooks/kubernetes-rollout-restart.yaml', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'mend-bench-kwatch-'));
const CRASH = { kind: 'crash', runForMs: 300, exitCode: 1, reason: 'Error' } as const;

const cluster = await SimulatedCluster.start({
  namespaces: ['shop'],
  timing: { startMs: 100, readyAfterMs: 300, backoffMs: 500, terminationMs: 300 },
});
const kubeconfig = join(dir, 'kubeconfig');
await cluster.writeKubeconfig(kubeconfig, { namespace: 'shop' });
cluster.apply(
  deploymentObject({ name: 'web', namespace: 'shop', replicas: 2, image: 'shop/web:1.0' }),
);

// When the API server first showed each pod's container in CrashLoopBackOff.
const crashLoopAt = new Map<string, number>();
cluster.context.store.subscribe((change) => {
  const object = change.object as {
    kind?: string;
    metadata: { uid?: string };
    status?: { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] };
  };
  if (object.kind !== 'Pod' || change.type === 'DELETED') return;
  const looping = (object.status?.containerStatuses ?? []).some(
    (c) => c.state?.waiting?.reason === 'CrashLoopBackOff',
  );
  const uid = object.metadata.uid ?? '';
  if (looping && !crashLoopAt.has(uid)) crashLoopAt.set(uid, Date.now());
});
// The crash is in the bad pods, not in the image: mend's restart (its PATCH) makes good ones.
cluster.requests.onRequest((e) => {
  if (e.method === 'PATCH' && e.code === 200 && e.userAgent?.startsWith('mend/')) {
    cluster.setBehaviours([]);
  }
});

const config = join(dir, 'mend.yaml');
writeFileSync(
  config,
  `apiVersion: mend/v1
kind: Service
metadata: { name: web }
spec:
  kubernetes:
    namespace: shop
    name: web
    watch: { notReadyFor: 30s }
---
apiVersion: mend/v1
kind: Policy
metadata: { name: restart-crash-loops }
spec:
  match: { matchers: ['reason="CrashLoopBackOff"'] }
  for: 0s
  cooldown: 0s
  maxAttempts: 1000
  heal: { runbook: kubernetes-rollout-restart }
`,
);

interface LogLine {
  time: number;
  msg: string;
  incident?: string;
  verdict?: string;
}
const lines: LogLine[] = [];
const mend: ChildProcess = spawn(
  process.execPath,
  [
    MEND,
    'run',
    '-c',
    config,
    '-c',
    RUNBOOK,
    '--db',
    join(dir, 'mend.db'),
    '--listen',
    '127.0.0.1:0',
  ],
  {
    env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let buffered = '';
mend.stdout!.on('data', (chunk: Buffer) => {
  buffered += chunk.toString();
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    newline = buffered.indexOf('\n');
    if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
  }
});

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (mend.exitCode !== null)
      throw new Error(`mend exited (${mend.exitCode}) waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const rolledOut = () => {
  const d = cluster.context.store.get(TYPES.deployment, 'shop', 'web')!;
  const s = (d.status ?? {}) as Record<string, number>;
  return s.availableReplicas === 2 && s.updatedReplicas === 2 && s.replicas === 2
    ? true
    : undefined;
};

interface Run {
  run: number;
  toSignalMs: number;
  toDecisionMs: number;
  decisionToVerifiedMs: number;
}
const results: Run[] = [];
try {
  await until('mend running', () => lines.find((l) => l.msg.startsWith('mend running')));
  await until('web rolled out', rolledOut, 30_000);
  for (let run = 1; run <= runs; run++) {
    const incident = `inc-${run}`;
    const since = Date.now();
    cluster.setBehaviours([{ image: 'shop/web:crash*', behaviour: CRASH }]);
    const d = cluster.context.store.get(TYPES.deployment, 'shop', 'web')!;
    const spec = d.spec as { template: { spec: { containers: { image: string }[] } } };
    spec.template.spec.containers[0]!.image = `shop/web:crash-${run}`;
    cluster.apply(d);
    const decision = await until(`${incident}'s heal decision`, () =>
      lines.find((l) => l.incident === incident && l.verdict === 'heal'),
    );
    const signal = lines.find(
      (l) =>
        l.time >= since &&
        /^web\/kubernetes firing: container web of pod .* CrashLoopBackOff/.test(l.msg),
    )!;
    const first = Math.min(...[...crashLoopAt.values()].filter((at) => at >= since));
    const verified = await until(`${incident}'s verified heal`, () =>
      lines.find((l) => new RegExp(`\\(${incident}:heal:1\\): succeeded`).test(l.msg)),
    );
    results.push({
      run,
      toSignalMs: signal.time - first,
      toDecisionMs: decision.time - first,
      decisionToVerifiedMs: verified.time - decision.time,
    });
    process.stdout.write(
      `run ${run}: CrashLoopBackOff -> signal ${results.at(-1)!.toSignalMs} ms, -> heal decision ${results.at(-1)!.toDecisionMs} ms; decision -> verified ${results.at(-1)!.decisionToVerifiedMs} ms\n`,
    );
    await until(`${incident} resolved`, () =>
      lines.find((l) => l.incident === incident && /resolved/.test(l.msg)),
    );
    await until('web rolled out again', rolledOut, 30_000);
  }
} finally {
  mend.kill('SIGTERM');
  await new Promise((resolve) => mend.once('exit', resolve));
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

const stats = (key: keyof Run) => {
  const sorted = results.map((r) => r[key]).sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  return { median, max: sorted.at(-1)!, min: sorted[0]! };
};
const summary = {
  runs,
  cpus: cpus().length,
  crashLoopToSignalMs: stats('toSignalMs'),
  crashLoopToDecisionMs: stats('toDecisionMs'),
  decisionToVerifiedMs: stats('decisionToVerifiedMs'),
  results,
};
process.stdout.write(
  `\n${runs} runs: CrashLoopBackOff -> heal decision median ${summary.crashLoopToDecisionMs.median} ms, max ${summary.crashLoopToDecisionMs.max} ms (-> signal recorded: median ${summary.crashLoopToSignalMs.median} ms); decision -> verified recovery median ${summary.decisionToVerifiedMs.median} ms, max ${summary.decisionToVerifiedMs.max} ms\n`,
);
if (values.out) writeFileSync(values.out, `${JSON.stringify(summary, null, 2)}\n`);
