import type { Input } from '../policy/index.ts';

/**
 * The input as the decision record keeps it: a signal's evidence without the captured output
 * (bodies, command output). The signal itself is stored whole beside it; the engine never reads
 * output, so a replay of the journaled input decides exactly as the live one did.
 */
export function recordedInput(input: Input): Input {
  if (input.kind !== 'signal') return input;
  const evidence = input.signal.evidence.map(({ output: _output, ...observation }) => observation);
  return { ...input, signal: { ...input.signal, evidence } };
}
