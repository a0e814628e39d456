import { readFile } from 'node:fs/promises';
import { reportingFailures } from '../open-for-cli.ts';
import { DEFAULT_LISTEN } from '../options.ts';
import type { RegisterCommand } from './register-command.ts';

export const registerTail: RegisterCommand = (program) => {
  program
    .command('tail')
    .description(
      'Follow a running mend over its API: every decision and runbook step as it happens (GET /api/v1/stream). Reconnects where it stopped.',
    )
    .option('--url <url>', 'where mend serves its API', `http://${DEFAULT_LISTEN}`)
    .option('--token-file <path>', 'a file holding the API token (default: $MEND_TOKEN)')
    .option('--from-start', 'everything recorded, then what happens (default: from now)')
    .option('--json', 'one JSON event per line')
    .action((options) =>
      reportingFailures(async () => {
        const { followStream } = await import('../follow-stream.ts');
        const token = options.tokenFile
          ? (await readFile(options.tokenFile, 'utf8')).trim()
          : process.env.MEND_TOKEN;
        const controller = new AbortController();
        process.once('SIGINT', () => controller.abort());
        process.once('SIGTERM', () => controller.abort());
        await followStream({
          url: options.url,
          token,
          fromStart: options.fromStart === true,
          json: options.json === true,
          signal: controller.signal,
          write: (line) => process.stdout.write(line),
          warn: (line) => process.stderr.write(line),
        });
      }),
    );
};
