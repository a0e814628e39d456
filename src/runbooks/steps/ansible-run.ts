import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePlay, parsePlay, playError } from './ansible-results.ts';
import { spawnProcess } from './spawn-process.ts';
import type { StepContext, StepResult } from './step-kind.ts';

/** What one ansible-playbook run needs, rendered; `-e @FILE` is added here, with the file. */
export interface PlaybookRun {
  program: string;
  /** Everything after the program but the extra vars. */
  args: string[];
  /** The extra vars, written to a 0600 JSON file in a private directory, removed after. */
  vars: Record<string, unknown>;
  env: Record<string, string>;
  check: boolean;
}

/** The JSON document a play prints can be far larger than the output kept: read this much. */
const STDOUT_BYTES = 16 * 1024 * 1024;

/**
 * Runs ansible-playbook (argv, no shell) with its results as JSON on stdout, in a private
 * directory that holds the extra vars and Ansible's own home and temp files, so nothing of one
 * run is left behind or read by another; then reads the play's results per host.
 */
export async function runPlaybook(run: PlaybookRun, ctx: StepContext): Promise<StepResult> {
  const dir = await mkdtemp(join(tmpdir(), 'mend-ansible-')); // mode 0700
  try {
    const varsFile = join(dir, 'vars.json');
    await writeFile(varsFile, JSON.stringify(run.vars), { mode: 0o600, flag: 'wx' });
    await mkdir(join(dir, 'home'), { mode: 0o700 });
    const env = {
      ...run.env,
      ...ansibleEnv(dir),
    };
    const result = await spawnProcess(
      { argv: [run.program, ...run.args, '-e', `@${varsFile}`], env, cwd: dir },
      { signal: ctx.signal, maxOutputBytes: ctx.maxOutputBytes, stdoutBytes: STDOUT_BYTES },
    );
    const stderr = result.output.trim();
    if (result.error !== undefined) return { ok: false, error: result.error, output: stderr };
    if (result.code === null) {
      return { ok: false, status: result.signal ?? 'unknown', error: `killed by ${result.signal}` };
    }
    const play = parsePlay(result.stdout ?? '', run.check);
    if (typeof play === 'string') {
      // ansible-playbook stops before the play (a syntax error, a bad option) with words on stderr.
      const why = stderr.split('\n').find((line) => /ERROR|error/.test(line)) ?? stderr;
      return {
        ok: false,
        status: result.code,
        error: `ansible-playbook exited ${result.code} and ${play}${why ? `: ${oneLine(why)}` : ''}`,
        ...(stderr ? { output: stderr } : {}),
      };
    }
    const summary = describePlay(play);
    const output = stderr === '' ? summary : `${summary}\n\nstderr:\n${stderr}`;
    const failed = playError(play);
    const ok = result.code === 0 && failed === undefined;
    const error = failed ?? (ok ? undefined : `ansible-playbook exited ${result.code}`);
    return {
      ok,
      status: result.code,
      output: output.slice(0, ctx.maxOutputBytes),
      data: play,
      ...(error !== undefined ? { error } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The settings that make a run readable and private: the JSON callback on stdout, no colours,
 * no retry files, Ansible's home and local temp inside the run's own directory.
 */
function ansibleEnv(dir: string): Record<string, string> {
  return {
    ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    HOME: join(dir, 'home'),
    ANSIBLE_HOME: join(dir, 'home', '.ansible'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
