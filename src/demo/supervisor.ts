import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DemoServiceSpec {
  name: string;
  port: number;
  /** name=url of each dependency's readiness endpoint. */
  deps: string[];
}

const APP = fileURLToPath(new URL('./app.ts', import.meta.url));

/**
 * Runs the demo services as real child processes on loopback. It restarts nothing by itself:
 * bringing a service back is mend's job (or the fault injector's, until runbooks exist).
 */
export class Supervisor {
  readonly #specs: Map<string, DemoServiceSpec>;
  readonly #children = new Map<string, ChildProcess>();
  readonly #onEvent: (line: string) => void;
  readonly #flapping = new Map<string, number>();
  #stopping = false;

  constructor(specs: DemoServiceSpec[], onEvent: (line: string) => void) {
    this.#specs = new Map(specs.map((spec) => [spec.name, spec]));
    this.#onEvent = onEvent;
  }

  async startAll(): Promise<void> {
    await Promise.all([...this.#specs.keys()].map((name) => this.start(name)));
  }

  /** Start a service and resolve once it listens; reject with its own words if it cannot. */
  start(name: string): Promise<void> {
    const spec = this.#specs.get(name);
    if (!spec) return Promise.reject(new Error(`no demo service named ${name}`));
    if (this.#children.has(name)) return Promise.resolve();
    const args = [
      '--name',
      spec.name,
      '--port',
      String(spec.port),
      ...spec.deps.flatMap((d) => ['--dep', d]),
    ];
    const crashAfter = this.#flapping.get(name);
    if (crashAfter !== undefined) args.push('--crash-after', String(crashAfter));
    const child = fork(APP, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    this.#children.set(name, child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code, signal) => {
        this.#children.delete(name);
        if (!this.#stopping) this.#onEvent(`${name} exited (${signal ?? `code ${code}`})`);
        reject(new Error(stderr.trim() || `${name} exited before it listened (code ${code})`));
      });
    });
  }

  async stop(name: string): Promise<void> {
    const child = this.#children.get(name);
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async restart(name: string): Promise<void> {
    await this.stop(name);
    await this.start(name);
  }

  /** From the next start on, the service dies `seconds` after it starts (undefined: stop that). */
  setFlapping(name: string, seconds: number | undefined): void {
    if (seconds === undefined) this.#flapping.delete(name);
    else this.#flapping.set(name, seconds);
  }

  /** Kill a service without the supervisor bringing it back: a crash. */
  crash(name: string): void {
    this.#children.get(name)?.kill('SIGKILL');
  }

  status(): { name: string; running: boolean; pid: number | null; port: number }[] {
    return [...this.#specs.values()].map((spec) => ({
      name: spec.name,
      running: this.#children.has(spec.name),
      pid: this.#children.get(spec.name)?.pid ?? null,
      port: spec.port,
    }));
  }

  pid(name: string): number | undefined {
    return this.#children.get(name)?.pid;
  }

  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#children.keys()].map((name) => this.stop(name)));
  }
}
