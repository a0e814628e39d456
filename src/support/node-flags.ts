import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * V8 flags mend runs with (bin/mend.js re-executes itself with them; the benchmark passes them
 * too). V8 sizes the young generation from the machine's memory; on a 24 GiB host that is far
 * more than mend's short-lived garbage needs, and it shows up as RSS. Measured with 10,000 checks
 * at 1 s: 40 MiB less peak RSS, no change in probe lateness (bench/README.md). --expose-gc lets
 * mend compact its heap after loading a config (compact-heap.ts). --heap-growing-percent=100 lets
 * the old generation grow to twice what the last full GC kept instead of up to about four times:
 * at 10,000 probes/s a probe worker promotes some MiB of short-lived probe garbage a second (the
 * probes in flight at each scavenge) and kept 34 MiB live but grew to 138 MiB between full GCs
 * (--trace-gc). Measured in back-to-back pairs at 10,000 checks: 349 -> 318 and 347 -> 279 MiB
 * peak RSS (bench/README.md).
 */
export const NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=8',
  '--expose-gc',
  '--heap-growing-percent=100',
];

/**
 * Environment mend runs with. Node's compile cache keeps the type-stripped sources too, so after
 * the first run neither the main thread nor a probe worker loads the TypeScript stripper (about
 * 18 MiB per thread, measured) and start-up is faster. MALLOC_ARENA_MAX=2: glibc gives each
 * thread that allocates its own malloc arena, and a probe worker allocates a socket's buffers
 * at thousands of connections a second; two arenas for all threads kept peak RSS at 10,000
 * checks 282 and 287 MiB against 292 and 293 MiB in interleaved pairs, CPU per probe unchanged
 * (bench/README.md). Either is the caller's to override.
 */
export function nodeEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache'),
    MALLOC_ARENA_MAX: '2',
    ...env,
  };
}
