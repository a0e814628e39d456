import { errors } from './api-status.ts';
import { rfc3339Micro } from './time-format.ts';

export interface LogLine {
  at: number;
  text: string;
}

export interface LogQuery {
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

interface ContainerLog {
  current: LogLine[];
  previous?: LogLine[];
}

/**
 * What each container instance wrote, as the kubelet keeps it: the running (or last) instance
 * and the one before, which `kubectl logs --previous` reads, the key evidence after a crash.
 */
export class ContainerLogs {
  readonly #logs = new Map<string, ContainerLog>();

  /** A new instance of the container starts: the current log becomes the previous one. */
  startInstance(podUid: string, container: string): void {
    const key = `${podUid}/${container}`;
    const log = this.#logs.get(key);
    this.#logs.set(key, log ? { current: [], previous: log.current } : { current: [] });
  }

  append(podUid: string, container: string, lines: LogLine[]): void {
    const key = `${podUid}/${container}`;
    const log = this.#logs.get(key) ?? { current: [] };
    log.current.push(...lines);
    this.#logs.set(key, log);
  }

  forget(podUid: string): void {
    for (const key of this.#logs.keys()) if (key.startsWith(`${podUid}/`)) this.#logs.delete(key);
  }

  /** The log text a `pods/log` request answers, or the API server's 400 when there is none. */
  read(
    pod: { name: string; uid: string },
    container: string,
    query: LogQuery,
    now: number,
  ): string {
    const log = this.#logs.get(`${pod.uid}/${container}`);
    const lines = query.previous ? log?.previous : log?.current;
    if (!lines) {
      throw errors.badRequest(
        query.previous
          ? `previous terminated container "${container}" in pod "${pod.name}" not found`
          : `container "${container}" in pod "${pod.name}" is waiting to start: ContainerCreating`,
      );
    }
    let selected = lines;
    if (query.sinceSeconds !== undefined) {
      const since = now - query.sinceSeconds * 1000;
      selected = selected.filter((l) => l.at >= since);
    }
    if (query.tailLines !== undefined)
      selected = selected.slice(Math.max(0, selected.length - query.tailLines));
    let text = selected
      .map((l) => `${query.timestamps ? `${rfc3339Micro(l.at)} ` : ''}${l.text}\n`)
      .join('');
    if (query.limitBytes !== undefined)
      text = Buffer.from(text).subarray(0, query.limitBytes).toString();
    return text;
  }
}
