import { RE2JS } from 're2js';
import { z } from 'zod';
import { compileSafeRegex, RE2_SYNTAX, safeRegex } from '../../config/safe-regex.ts';
import { cutTokens } from '../../secrets/api-token.ts';
import { REDACTED } from '../../secrets/redactor.ts';
import type { ProbeResult } from '../observation.ts';
import { abortMessage } from './abort-message.ts';
import { boundedText } from './bounded-output.ts';
import { isLogCursor, LogFollower } from './log-follower.ts';
import { MatchWindow } from './log-window.ts';
import { defineProbeKind, type Probe, type ProbeContext } from './probe-kind.ts';

/** Matched lines kept as evidence, at most (the newest). */
const EVIDENCE_LINES = 20;
/** Bytes one probe run reads at most; the rest is read on the next runs (said in a warning). */
const MAX_READ_BYTES = 4 * 1024 * 1024;

export const logProbeSpec = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe(
        'The file to follow, by name, as `tail -F` does: rotation by rename, copy-truncate and deletion are followed. Relative to mend’s working directory.',
      ),
    pattern: z
      .string()
      .min(1)
      .describe(
        `A line matches when this regular expression matches somewhere in it (${RE2_SYNTAX}; matched in linear time).`,
      ),
    windowSeconds: z
      .int()
      .min(1)
      .max(24 * 3600)
      .default(60)
      .describe('The sliding window over which matched lines are counted, in seconds.'),
    threshold: z
      .int()
      .min(1)
      .default(1)
      .describe('The probe fails while at least this many lines matched within the window.'),
    redact: z
      .array(z.string().min(1))
      .default([])
      .describe(
        `More regular expressions (${RE2_SYNTAX}) whose matches are cut from the lines kept as evidence; mend tokens and \`password=\`, \`token:\`-style values are always cut.`,
      ),
    startAt: z
      .enum(['end', 'start'])
      .default('end')
      .describe(
        'Where the file is first read from, when mend has no cursor for it: `end` (lines written from now on, as `tail -F`) or `start` (the whole file, as `tail -n +1 -F`). A file that replaces it by rotation is always read from its start.',
      ),
    maxLineBytes: z
      .int()
      .min(64)
      .max(64 * 1024)
      .default(4096)
      .describe('A longer line is cut to this many bytes before it is matched and kept.'),
  })
  .superRefine((spec, ctx) => {
    const patterns: [(string | number)[], string][] = [[['pattern'], spec.pattern]];
    for (const [i, pattern] of spec.redact.entries()) patterns.push([['redact', i], pattern]);
    for (const [path, pattern] of patterns) {
      const compiled = compileSafeRegex(pattern);
      if ('error' in compiled) ctx.addIssue({ code: 'custom', path, message: compiled.error });
    }
  });

export type LogProbeSpec = z.output<typeof logProbeSpec>;

/**
 * Values that look like credentials, cut from every kept line whatever the config says: a log
 * line is the service's own text, and services log their connection strings.
 */
const CREDENTIAL =
  /((?:password|passwd|pwd|secret|token|api[_-]?key|authorization)["']?\s*[:=]\s*(?:bearer\s+|basic\s+)?)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi;
const URL_PASSWORD = /(\/\/[^/\s:@]+:)[^@\s/]+@/g;

export const logProbe = defineProbeKind({
  name: 'log',
  summary:
    'Follows a log file across rotation; fails while lines matching a pattern within a sliding window reach a threshold.',
  spec: logProbeSpec,
  // A verify after a heal judges what the service writes from then on, never the lines that
  // made the check fail; it passes once its rounds saw fewer matches than the threshold.
  forVerify: (spec) => ({ ...spec, startAt: 'end' as const }),
  prepare(spec, resume) {
    const pattern = safeRegex(spec.pattern);
    const extraCuts = spec.redact.map((p) => RE2JS.compile(p));
    const redact = (line: string): string => {
      let out = cutTokens(line)
        .replace(CREDENTIAL, `$1${REDACTED}`)
        .replace(URL_PASSWORD, `$1${REDACTED}@`);
      for (const cut of extraCuts) out = cut.matcher(out).replaceAll(REDACTED);
      return out;
    };
    const window = new MatchWindow(spec.windowSeconds, EVIDENCE_LINES);
    // Opened on the first run, not here: a reload prepares every check again and keeps the
    // probes of unchanged ones, so a prepared probe that never runs must hold no file open.
    let follower: LogFollower | undefined;
    let released = false;
    let running = false;
    const letGo = () => {
      const held = follower;
      follower = undefined;
      void held?.close();
    };
    const probe: Probe = async (ctx) => {
      if (released) return { ok: false, error: `the probe of ${spec.path} was released` };
      running = true;
      try {
        return await run(ctx);
      } finally {
        running = false;
        if (released) letGo();
      }
    };
    probe.release = () => {
      released = true;
      if (!running) letGo();
    };
    return probe;

    async function run(ctx: ProbeContext): Promise<ProbeResult> {
      if (ctx.signal.aborted)
        return { ok: false, error: abortMessage(ctx, 0, `before reading ${spec.path}`) };
      const started = performance.now();
      follower ??= new LogFollower(spec.path, {
        maxReadBytes: MAX_READ_BYTES,
        maxLineBytes: spec.maxLineBytes,
        resume: isLogCursor(resume) ? resume : undefined,
        startAt: spec.startAt,
      });
      let read: Awaited<ReturnType<LogFollower['read']>>;
      try {
        read = await follower.read(ctx.signal);
      } catch (err) {
        if (ctx.signal.aborted) {
          return {
            ok: false,
            error: abortMessage(ctx, performance.now() - started, `reading ${spec.path}`),
          };
        }
        // Unreadable (permissions, not a regular file): mend cannot see, which says nothing
        // about the service, so the result is discarded and the reason logged.
        const why = err instanceof Error ? err.message : String(err);
        return { ok: false, discarded: true, error: `cannot read ${spec.path}: ${why}` };
      }
      const now = Date.now();
      for (const line of read.lines) {
        if (pattern.test(line)) window.add(now, redact(line));
      }
      const matched = window.count(now);
      const cursor = read.cursor;
      const notes = [...read.notes];
      if (read.missing) notes.push(`${spec.path} does not exist (yet): waiting for it`);
      if (read.behind) notes.push(`${spec.path} grows faster than one run reads: behind`);
      const base = { status: matched, ...(cursor === undefined ? {} : { cursor }) };
      if (matched < spec.threshold) {
        return notes.length === 0
          ? { ok: true, ...base }
          : { ok: true, ...base, warning: notes.join('; ') };
      }
      const lines = window.recent();
      const last = lines.at(-1) ?? '';
      return {
        ok: false,
        ...base,
        error: `${matched} line(s) matched ${JSON.stringify(spec.pattern)} in the last ${spec.windowSeconds}s (threshold ${spec.threshold}); last: ${oneLine(last)}`,
        output: boundedText(Buffer.from(lines.join('\n'), 'utf8'), ctx.maxOutputBytes, false),
      };
    }
  },
});

function oneLine(line: string): string {
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
