import { readFileSync } from 'node:fs';

/**
 * mend's version, as its package.json says (read, not imported: the manifest is not source). Read
 * once per thread that loads this module: the CLI prints it, the probes send it as their
 * User-Agent (`mend-probe/VERSION`).
 */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** What HTTP and gRPC probes send as their User-Agent, like kubelet's `kube-probe/1.33`. */
export const PROBE_USER_AGENT = `mend-probe/${VERSION}`;
