// `npm run bench:probes`: HTTP(S) checks at periodSeconds 1 through mend, blackbox_exporter and a
// bare Node loop, one after the other against a fresh local target, then a table, the ratios,
// the goals and a JSON file in bench/results/. See bench/README.md.
//
//   node bench/probes/run.ts [--sizes 1000,5000,10000] [--duration 20] [--https 2000]
//     [--only mend,exporter,bare] [--warmup S] [--target-workers N] [--concurrency C]
//     [--pause S] [--out FILE]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_FLAGS, nodeEnvironment } from '../../src/support/node-flags.ts';
import { installExitHandlers } from './children.ts';
import { EXPORTER_BINARY, exporterVersion, runExporterPhase } from './exporter.ts';
import { limitLine, limitOf } from './limit.ts';
import type { PhaseResult } from './phase-result.ts';
import { goals, ratioLines, ratios, table } from './report.ts';
import { runRunnerPhase } from './runner-phase.ts';
import { startTarget } from './target.ts';

type Contender = 'mend' | 'exporter' | 'bare';
const CONTENDERS: readonly Contender[] = ['mend', 'exporter', 'bare'];

const { values } = parseArgs({
  strict: true,
  options: {
    sizes: { type: 'string', default: '1000,5000,10000' },
    duration: { type: 'string', default: '20' },
    https: { type: 'string', default: '2000' },
    only: { type: 'string', default: CONTENDERS.join(',') },
    warmup: { type: 'string' },
    // One Node process needs about a core for 10k connections/s here: two share the load.
    'target-workers': { type: 'string', default: String(Math.min(2, cpus().length)) },
    concurrency: { type: 'string', default: '256' },
    pause: { type: 'string', default: '2' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'npm run bench:probes -- [--sizes 1000,5000,10000] [--duration 20] [--https 2000 (0: none)]\n' +
      '  [--only mend,exporter,bare] [--warmup S] [--target-workers N] [--concurrency C]\n' +
      '  [--pause S] [--out FILE]        See bench/README.md.\n',
  );
  process.exit(0);
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
const sizes = list(values.sizes)
  .map(Number)
  .filter((n) => n > 0);
const durationSeconds = Number(values.duration);
const httpsChecks = Number(values.https);
const warmupSeconds =
  values.warmup === undefined ? Math.min(5, durationSeconds / 4) : Number(values.warmup);
const targetWorkers = Number(values['target-workers']);
const concurrency = Number(values.concurrency);
const pauseMs = Number(values.pause) * 1000;
const only = list(values.only);
for (const name of only) {
  if (!CONTENDERS.includes(name as Contender)) throw new Error(`--only: unknown contender ${name}`);
}
let contenders = CONTENDERS.filter((name) => only.includes(name));
if (contenders.includes('exporter') && !existsSync(EXPORTER_BINARY)) {
  process.stderr.write(
    `${EXPORTER_BINARY} is missing: apt-get update && apt-get install -y prometheus-blackbox-exporter\n` +
      'Running without the exporter.\n',
  );
  contenders = contenders.filter((name) => name !== 'exporter');
}

installExitHandlers();

const plan: { protocol: 'http' | 'https'; checks: number }[] = [
  ...sizes.map((checks) => ({ protocol: 'http' as const, checks })),
  ...(httpsChecks > 0 ? [{ protocol: 'https' as const, checks: httpsChecks }] : []),
];

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  exporter: contenders.includes('exporter') ? exporterVersion() : undefined,
};
process.stdout.write(
  `probes benchmark: ${contenders.join(', ')}; ${plan.map((p) => `${p.checks} ${p.protocol}`).join(', ')}; ` +
    `${durationSeconds} s each, warm-up ${warmupSeconds} s\n` +
    `machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ` +
    `Node ${machine.node}${machine.exporter ? `, blackbox_exporter ${machine.exporter}` : ''}\n\n`,
);

const phases: PhaseResult[] = [];
const errors: { contender: Contender; protocol: string; checks: number; error: string }[] = [];

async function runPhase(
  contender: Contender,
  protocol: 'http' | 'https',
  checks: number,
): Promise<PhaseResult> {
  const target = await startTarget({ tls: protocol === 'https', workers: targetWorkers });
  try {
    const common = { target, checks, durationSeconds, warmupSeconds };
    switch (contender) {
      case 'mend':
        return await runRunnerPhase({
          ...common,
          name: 'mend',
          script: join(import.meta.dirname, 'mend-runner.ts'),
          // The flags and environment `mend run` runs with (bin/mend.js).
          nodeArgs: NODE_FLAGS,
          env: nodeEnvironment({}),
        });
      case 'bare':
        return await runRunnerPhase({
          ...common,
          name: 'bare',
          script: join(import.meta.dirname, 'bare-loop.ts'),
        });
      case 'exporter':
        return await runExporterPhase({ ...common, concurrency });
    }
  } finally {
    await target.stop();
  }
}

for (const { protocol, checks } of plan) {
  for (const contender of contenders) {
    process.stdout.write(`${contender} ${protocol} ${checks} checks ... `);
    try {
      const phase = await runPhase(contender, protocol, checks);
      phases.push(phase);
      const cpu = phase.steady?.cpuMsPerProbe ?? phase.cpuMsPerProbe;
      process.stdout.write(
        `${phase.probesPerSecond} probes/s, ${cpu} CPU-ms/probe, p99 late ${phase.latenessMs.all.p99} ms\n`,
      );
      for (const warning of phase.warnings) process.stdout.write(`  warning: ${warning}\n`);
      phase.limit = limitOf(phase, { cpus: machine.cpus, targetWorkers });
      process.stdout.write(`  ${limitLine(phase.limit)}\n`);
      const perSecond = phase.latenessMs.perSecondP99;
      if (perSecond !== undefined) {
        const cells = perSecond.map((p99) => (Number.isNaN(p99) ? '-' : String(Math.round(p99))));
        process.stdout.write(`  p99 lateness by second (ms): ${cells.join(' ')}\n`);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      errors.push({ contender, protocol, checks, error: message });
      process.stdout.write(`FAILED: ${message}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

const computed = ratios(phases);
const verdicts = goals(phases, computed);
process.stdout.write(`\n${table(phases)}\n\n`);
for (const phase of phases) {
  if (phase.limit === undefined) continue;
  process.stdout.write(
    `${phase.name} ${phase.protocol} ${phase.checks}: ${limitLine(phase.limit)}\n`,
  );
}
process.stdout.write(
  '\nCPU-ms/probe: steady state (target-counted responses between warm-up and end; * = whole run);\n' +
    '(run): whole run, the process CPU from /proc over the probes it reports. Exporter lateness is\n' +
    "the driver's (how late each /probe request left). busy cores: whole machine, everyone.\n\n",
);
for (const line of ratioLines(computed)) process.stdout.write(`${line}\n`);
process.stdout.write('\n');
for (const goal of verdicts)
  process.stdout.write(`${goal.verdict.padEnd(4)}  ${goal.name}: ${goal.detail}\n`);
for (const error of errors) {
  process.stdout.write(
    `ERROR ${error.contender} ${error.protocol} ${error.checks}: ${error.error}\n`,
  );
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = values.out ?? join(import.meta.dirname, '..', 'results', `probes-${stamp}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      settings: { sizes, durationSeconds, httpsChecks, warmupSeconds, targetWorkers, concurrency },
      phases,
      ratios: computed,
      goals: verdicts,
      errors,
    },
    (_key, value: unknown) => (typeof value === 'number' && Number.isNaN(value) ? null : value),
    2,
  )}\n`,
);
process.stdout.write(`\nwritten ${out}\n`);
process.exitCode = errors.length > 0 ? 1 : 0;
