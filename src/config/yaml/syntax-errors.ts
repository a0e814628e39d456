import type { YAMLError } from 'yaml';
import { ConfigError } from '../config-error.ts';

type At = (offset: number) => { file: string; line: number; col: number };

const UNCLOSED = /^Flow (sequence|map) .*end with a ([\]}])$/;

/**
 * The parser's errors of one document, each placed where the mistake is rather than where the
 * parser gave up: an unclosed `[` or `{` at its opening (the parser notices it lines later), any
 * other at the first character written at or after its offset (the parser often points at the
 * end of the line before, or at the indentation). One error per line: a misplaced line makes the
 * parser say three things about it, and the first is the one that helps.
 */
export function syntaxErrors(
  errors: readonly YAMLError[],
  text: string,
  at: At,
  /** Where each flow collection of the document starts, by where it ends. */
  flowStarts: ReadonlyMap<number, number>,
): ConfigError[] {
  // A key that runs on to the next line is a line indented by mistake: the error goes to that
  // line, and what else the parser said about the key it made of the two lines goes with it.
  // (Not when the line has another error: then that one is the mistake.)
  const offsetsByLine = new Map<number, Set<number>>();
  for (const error of errors) {
    const line = at(firstWritten(text, error.pos[0])).line;
    offsetsByLine.set(line, (offsetsByLine.get(line) ?? new Set()).add(error.pos[0]));
  }
  const continued = new Map<number, number>();
  for (const error of errors) {
    const next = continuation(error, text);
    if (next === undefined) continue;
    const line = at(firstWritten(text, error.pos[0])).line;
    if (offsetsByLine.get(line)?.size === 1) continued.set(error.pos[0], next);
  }
  const placed = errors.flatMap((error) => {
    const offset = error.pos[0];
    const next = continued.get(offset);
    if (next === undefined) return [place(error, text, at, flowStarts)];
    if (error.code !== 'MULTILINE_IMPLICIT_KEY') return [];
    return [
      new ConfigError(
        at(next),
        '',
        'YAML: expected a new key at the indentation of the one above, or a value on the line above; found this line continuing the line above as one key (check its indentation)',
      ),
    ];
  });
  placed.sort((a, b) => a.line - b.line || a.col - b.col);
  return placed.filter((error, i) => i === 0 || placed[i - 1]!.line !== error.line);
}

function place(
  error: YAMLError,
  text: string,
  at: At,
  flowStarts: ReadonlyMap<number, number>,
): ConfigError {
  // The parser's own words, without the trailing "at line N, column M" it adds.
  const message = error.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  const offset = error.pos[0];
  const unclosed = UNCLOSED.exec(message);
  const opening = flowStarts.get(offset);
  if (unclosed && opening !== undefined) {
    const [, kind, close] = unclosed;
    const open = text[opening] ?? (close === ']' ? '[' : '{');
    const gaveUp = at(firstWritten(text, offset));
    return new ConfigError(
      at(opening),
      '',
      `YAML: expected a ${close} to close the flow ${kind} opened by this ${open}, found none (the parser gave up at line ${gaveUp.line}, column ${gaveUp.col})`,
    );
  }
  return new ConfigError(at(firstWritten(text, offset)), '', `YAML: ${message}`);
}

/** For a plain key written over two lines, where its second line starts. */
function continuation(error: YAMLError, text: string): number | undefined {
  if (error.code !== 'MULTILINE_IMPLICIT_KEY') return undefined;
  const offset = error.pos[0];
  if ('-[{?"\''.includes(text[offset] ?? '-')) return undefined;
  const newline = text.indexOf('\n', offset);
  if (newline === -1) return undefined;
  const next = firstWritten(text, newline);
  return next === newline ? undefined : next;
}

/** The offset of the first character at or after `offset` that is not a space or line break. */
function firstWritten(text: string, offset: number): number {
  let i = offset;
  while (
    i < text.length &&
    (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')
  )
    i++;
  return i < text.length ? i : offset;
}
