import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The heal of the end to end, as an operator's restart script: stop the service named by its
 * pidfile, start it again detached, and return once it answers. Usage: node restart.ts DIR PORT
 */
const [dir, port] = process.argv.slice(2) as [string, string];
const pidFile = join(dir, 'service.pid');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (existsSync(pidFile)) {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile);
  if (alive(pid)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}
const child = spawn(process.execPath, [join(import.meta.dirname, 'service.ts'), port, pidFile], {
  detached: true,
  stdio: 'ignore',
});
child.unref();
for (let i = 0; i < 400; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/metrics`)).ok && existsSync(pidFile)) {
      console.log(`service restarted, pid ${readFileSync(pidFile, 'utf8')}`);
      process.exit(0);
    }
  } catch {
    // not listening yet
  }
  await new Promise((r) => setTimeout(r, 50));
}
console.error(`service did not answer on port ${port}`);
process.exit(1);
