import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { Config, RunbookConfig } from '../../config/config.ts';
import { didYouMean } from '../../config/suggest.ts';
import type { RunOutcome } from '../../runbooks/run.ts';
import { Redactor } from '../../secrets/redactor.ts';
import type { AuditEntry, Store } from '../../store/store.ts';
import { StartError } from '../../support/start-error.ts';
import { terminalLine } from '../../support/terminal-text.ts';
import { EXIT_FAILURE } from '../exit-codes.ts';
import { configOrFail, reportingFailures, storeOrFail } from '../open-for-cli.ts';
import { cliUserActor, dbOption } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

/** `--param k=v`, repeatable; the value is text, typed by the runbook's declaration. */
function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected NAME=VALUE, found "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

export const registerRunbook: RegisterCommand = (program) => {
  const runbook = program.command('runbook').description('Run a runbook by hand.');
  runbook
    .command('run')
    .description(
      'Run runbook NAME on a service now, showing each step live. Journaled like a heal, audited; exit 0 when verified, 1 otherwise.',
    )
    .argument('<name>', 'the Runbook')
    .requiredOption('--service <name>', 'the Service to act on')
    .option('--param <name=value>', 'a runbook param (repeatable)', collectParam, {})
    .option(
      '--dry-run',
      'validate the params and show what each step would run; run nothing but check modes (ansible --check --diff)',
    )
    .requiredOption('-c, --config <paths...>', 'config files or folders (*.yaml, *.yml)')
    .addOption(dbOption())
    .option('--run-id <id>', 'resume the run with this id (printed when a run is interrupted)')
    .action((name, options) =>
      reportingFailures(async () => {
        const config = await configOrFail(options.config);
        const found = config.runbooks.find((r) => r.name === name);
        if (!found) {
          const names = config.runbooks.map((r) => r.name);
          throw new StartError(
            `no runbook named ${JSON.stringify(name)}${didYouMean(name, names)}`,
          );
        }
        const service = config.services.find((s) => s.name === options.service);
        if (!service) {
          const names = config.services.map((s) => s.name);
          throw new StartError(
            `no service named ${JSON.stringify(options.service)}${didYouMean(options.service, names)}`,
          );
        }
        const runId =
          options.runId ??
          `cli:${service.name}:${name}:${Date.now()}-${randomBytes(3).toString('hex')}`;
        const store = await storeOrFail(options.db);
        // Recorded as the OS user who ran it, in the journal and the audit log.
        const actor = cliUserActor();
        // The audit log gets the params as the journal does: with the runbook's secrets cut.
        const { RunSecrets } = await import('../../runbooks/run-secrets.ts');
        const redactor = new Redactor((await RunSecrets.read(found, process.env)).values());
        const audit = (entry: AuditEntry) =>
          store.appendAudit({ ...entry, params: redactor.deep(entry.params) });
        try {
          const ok = options.dryRun
            ? await dryRun(found, service.name, options.param, runId, config, actor, audit)
            : await runNow(
                name,
                service.name,
                options.param,
                runId,
                config,
                store,
                actor,
                options.runId !== undefined,
                audit,
              );
          if (!ok) process.exitCode = EXIT_FAILURE;
        } finally {
          await store.close();
        }
      }),
    );
};

async function runNow(
  runbook: string,
  service: string,
  params: Record<string, string>,
  runId: string,
  config: Config,
  store: Store,
  actor: string,
  resuming: boolean,
  audit: (entry: AuditEntry) => Promise<unknown>,
): Promise<boolean> {
  const target = `runbook/${service}/${runbook}`;
  await audit({
    at: Date.now(),
    actor,
    action: 'runbook.run',
    target,
    params: { runId, params, ...(resuming ? { resuming } : {}) },
    result: 'ok',
  });
  process.stdout.write(`${terminalLine(`${resuming ? 'resuming run' : 'run'} ${runId}`)}\n`);
  const [{ createRunbookExecutor }, { formatRecord }, { createLogger }, { AccessCheck }] =
    await Promise.all([
      import('../../runbooks/executor.ts'),
      import('../../runbooks/live-view.ts'),
      import('../../support/log.ts'),
      import('../../kubernetes/access/access-check.ts'),
    ]);
  // The live view says everything; the executor's own log lines would repeat it.
  const log = createLogger({ level: 'silent', pretty: false });
  const executor = createRunbookExecutor({
    config: () => config,
    store,
    log,
    onRecord: (phase, payload) => process.stdout.write(formatRecord(phase, payload)),
    // As a heal: a Kubernetes permission the steps need and do not have refuses the run first.
    access: new AccessCheck({ log }),
  });
  // Ctrl-C cuts the step in flight; the journal keeps the run for --run-id to resume.
  const stop = () => void executor.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let outcome: RunOutcome | undefined;
  try {
    outcome = await executor.run({ runId, runbook, service, params, actor });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  await audit({
    at: Date.now(),
    actor,
    action: 'runbook.outcome',
    target,
    params: outcome ? { runId, ...outcome } : { runId, result: 'interrupted' },
    result: outcome?.result === 'succeeded' ? 'ok' : 'failed',
  });
  if (!outcome) {
    process.stdout.write(`\n${terminalLine(`INTERRUPTED: resume with --run-id ${runId}`)}\n`);
    return false;
  }
  return outcome.result === 'succeeded';
}

async function dryRun(
  runbook: RunbookConfig,
  service: string,
  params: Record<string, string>,
  runId: string,
  config: Config,
  actor: string,
  audit: (entry: AuditEntry) => Promise<unknown>,
): Promise<boolean> {
  const [{ planRun }, { summarizeStep }] = await Promise.all([
    import('../../runbooks/dry-run.ts'),
    import('../../runbooks/live-view.ts'),
  ]);
  const serviceConfig = config.services.find((s) => s.name === service);
  const plan = await planRun(runbook, { service, params, serviceConfig, runId });
  await audit({
    at: Date.now(),
    actor,
    action: 'runbook.dry-run',
    target: `runbook/${service}/${runbook.name}`,
    params: { runId, params, ...('errors' in plan ? { errors: plan.errors } : {}) },
    result: 'errors' in plan ? 'failed' : 'ok',
  });
  // Each line one line on the terminal: a param may hold a newline or an escape sequence.
  const say = (line: string) => process.stdout.write(`${terminalLine(line)}\n`);
  if ('errors' in plan) {
    say('params do not validate; nothing would run:');
    for (const error of plan.errors) say(`  ${error}`);
    return false;
  }
  say(`dry run of runbook ${runbook.name} on ${service}: nothing runs`);
  for (const step of plan.steps) {
    const what = step.command
      ? summarizeStep({ kind: step.kind, command: step.command })
      : `REFUSED: ${step.refused}`;
    say(`  ${step.section}[${step.index}] ${step.name}: ${what}`);
    // The exact values, with their boundaries: what the journal would record as the intent.
    if (step.command) say(`      ${JSON.stringify(step.command)}`);
    if (step.check) {
      say(`      check mode: ${step.check.ok ? 'ok' : `FAILED: ${step.check.error}`}`);
      for (const line of (step.check.output ?? '').split('\n')) say(`        ${line}`);
    }
  }
  return plan.steps.every((step) => step.refused === undefined && step.check?.ok !== false);
}
