/**
 * V8 flags mend runs with (bin/mend.js re-executes itself with them; the benchmark passes them
 * too). V8 sizes the young generation from the machine's memory; on a 24 GiB host that is far
 * more than mend's short-lived garbage needs, and it shows up as RSS. Measured with 10,000 checks
 * at 1 s: 40 MiB less peak RSS, no change in probe lateness (bench/README.md).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
