// The demo's control command, as a runbook's exec step runs it:
//   node src/demo/ctl.ts restart api      (also: stop, start, status)
// It asks the demo supervisor's control API on loopback and exits non-zero when that fails,
// printing what it got: the runbook records it as the step's output.
import { CONTROL_PORT } from './control-api.ts';

const [action, service] = process.argv.slice(2);
const base = process.env.MEND_DEMO_CONTROL ?? `http://127.0.0.1:${CONTROL_PORT}`;
if (!action || (action !== 'status' && !service)) {
  process.stderr.write('usage: node src/demo/ctl.ts restart|stop|start SERVICE | status\n');
  process.exit(2);
}
const url = action === 'status' ? `${base}/services` : `${base}/services/${service}/${action}`;
try {
  const res = await fetch(url, {
    method: action === 'status' ? 'GET' : 'POST',
    signal: AbortSignal.timeout(15_000),
  });
  process.stdout.write(await res.text());
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`cannot reach the demo supervisor at ${base}: ${(err as Error).message}\n`);
  process.exit(1);
}
