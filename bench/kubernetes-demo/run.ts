// `npm run bench:kubernetes-demo`: how fast mend heals a crash loop on the Kubernetes demo. Runs
// `mend demo --kubernetes` (the real process, its whole fault schedule) several times, each on a
// fresh store, and reads from each run's summary the crash loops it healed: the time from the
// pod's CrashLoopBackOff in the API server to mend's heal decision, and from that decision to
// verified recovery. Prints each run's rows and the medians over all of them. See bench/README.md.
//
//   node bench/kubernetes-demo/run.ts [--runs 3] [--duration 110] [--out FILE]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../../src/demo/crash-loop-figures.ts';

const { values } = parseArgs({
  strict: true,
  options: {
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '110' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('npm run bench:kubernetes-demo -- [--runs N] [--duration S] [--out FILE]\n');
  process.exit(0);
}
const runs = Number(values.runs);
const duration = Number(values.duration);
if (!(runs >= 1) || !(duration >= 30)) throw new Error('--runs >= 1 and --duration >= 30, please');

const MEND = fileURLToPath(new URL('../../bin/mend.js', import.meta.url));

interface Row {
  run: number;
  incident: string;
  pod: string;
  toSignalMs: number;
  toDecisionMs: number;
  toRecoveryMs: number | null;
}

/** One whole demo, as a person runs it; its summary's crash-loop rows. */
async function demo(run: number): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mend-bench-k8s-demo-'));
  try {
    const child = spawn(
      process.execPath,
      [
        MEND,
        'demo',
        '--kubernetes',
        '--duration',
        String(duration),
        '--db',
        join(dir, 'demo.db'),
        '--listen',
        '127.0.0.1:0',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`run ${run}: mend demo exited ${code}\n${out.slice(-3000)}`);
    const seconds = (text: string) =>
      text === '-'
        ? null
        : text.endsWith('ms')
          ? Number(text.slice(0, -2))
          : Math.round(Number(text.slice(0, -1)) * 1000);
    // The summary's rows: INCIDENT POD CRASHLOOPBACKOFF TO-SIGNAL TO-DECISION TO-RECOVERY.
    const row =
      /^(inc-\d+) +(\S+\/\S+) +\d\d:\d\d:\d\d\.\d{3} +([\d.]+m?s) +([\d.]+m?s) +([\d.]+m?s|-)$/gm;
    return [...out.matchAll(row)].map((m) => ({
      run,
      incident: m[1]!,
      pod: m[2]!,
      toSignalMs: seconds(m[3]!)!,
      toDecisionMs: seconds(m[4]!)!,
      toRecoveryMs: seconds(m[5]!),
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (let run = 1; run <= runs; run++) {
  const found = await demo(run);
  for (const r of found)
    process.stdout.write(
      `run ${run}  ${r.incident.padEnd(7)} ${r.pod.padEnd(28)} signal ${r.toSignalMs} ms  decision ${r.toDecisionMs} ms  recovery ${r.toRecoveryMs ?? '-'} ms\n`,
    );
  if (found.length === 0) process.stdout.write(`run ${run}: no crash loop healed\n`);
  rows.push(...found);
}
const recovered = rows.flatMap((r) => (r.toRecoveryMs === null ? [] : [r.toRecoveryMs]));
const result = {
  runs,
  durationSeconds: duration,
  cores: cpus().length,
  crashLoops: rows.length,
  medianToSignalMs: median(rows.map((r) => r.toSignalMs)),
  medianToDecisionMs: median(rows.map((r) => r.toDecisionMs)),
  medianToRecoveryMs: median(recovered),
  rows,
};
process.stdout.write(
  `\n${rows.length} crash loops over ${runs} runs: CrashLoopBackOff -> signal median ${result.medianToSignalMs} ms, -> heal decision median ${result.medianToDecisionMs} ms; decision -> verified recovery median ${result.medianToRecoveryMs} ms (of ${recovered.length})\n`,
);
// Per Deployment: api's crash loop is healed by the restart rung, web's bad release by the ladder.
const deploymentOf = (pod: string) => pod.split('/')[1]!.split('-').slice(0, -2).join('-');
for (const name of [...new Set(rows.map((r) => deploymentOf(r.pod)))].sort()) {
  const of = rows.filter((r) => deploymentOf(r.pod) === name);
  const healed = of.flatMap((r) => (r.toRecoveryMs === null ? [] : [r.toRecoveryMs]));
  process.stdout.write(
    `  ${name}: ${of.length} crash loops; signal median ${median(of.map((r) => r.toSignalMs))} ms, heal decision median ${median(of.map((r) => r.toDecisionMs))} ms, verified recovery median ${median(healed)} ms after it\n`,
  );
}
if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
