import { listenOf, serveApi } from '../api/server.ts';
import type { Config } from '../config/config.ts';
import type { ListenAddress } from '../config/listen-address.ts';
import { type ControllerOptions, type RunningController, startController } from '../controller.ts';
import type { ControllerHandle, Served } from '../controller-handle.ts';
import type { Logger } from '../support/log.ts';
import { StartError } from '../support/start-error.ts';
import { terminalBlock } from '../support/terminal-text.ts';
import { EXIT_FAILURE } from './exit-codes.ts';

/** How `mend run` and `mend demo` serve the controller: the API server on HOST:PORT. */
export function serveOn(options: { listen?: ListenAddress; insecureApi?: boolean } = {}) {
  return async (controller: ControllerHandle, config: Config): Promise<Served> => {
    try {
      return await serveApi(controller, config, options);
    } catch (err) {
      const message = (err as Error).message;
      if (message.startsWith('Settings api')) throw new StartError(message);
      const listen = listenOf(options.listen, config.settings.api);
      throw new StartError(
        `cannot listen on ${listen.text}: ${message}; pass --listen HOST:PORT or set Settings api.listen`,
      );
    }
  };
}

/** Start, or print why not (config errors, store, port) and set exit code 1: never a stack trace. */
export async function startOrReport(
  options: ControllerOptions,
): Promise<RunningController | undefined> {
  try {
    return await startController(options);
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    process.stderr.write(`mend: ${terminalBlock(err.message)}\n`);
    process.exitCode = EXIT_FAILURE;
    return undefined;
  }
}

/** How long after the deadline a stop may still take (runbook steps being cut, notices) at most. */
export const STOP_GRACE_MS = 5000;

/**
 * SIGHUP reloads; SIGINT/SIGTERM stop within the deadline; a second one exits at once. A stop
 * that has not finished by the deadline plus STOP_GRACE_MS exits anyway, saying so: a part that
 * would not stop must not keep mend alive.
 */
export function handleProcessSignals(
  mend: RunningController,
  log: Logger,
  deadlineMs: number,
  hooks: { beforeStop?: () => Promise<void>; afterStop?: () => Promise<void> } = {},
): void {
  process.on('SIGHUP', () => void mend.reload());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn(`second ${signal}: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log.info(`${signal}: stopping (waiting up to ${deadlineMs / 1000} s for probes in flight)`);
    setTimeout(() => {
      log.error(
        `still stopping ${(deadlineMs + STOP_GRACE_MS) / 1000} s after ${signal}: exiting now`,
      );
      process.exit(EXIT_FAILURE);
    }, deadlineMs + STOP_GRACE_MS).unref();
    try {
      await hooks.beforeStop?.();
      await mend.stop(deadlineMs);
      log.info('stopped');
    } catch (err) {
      log.error(`stopped: ${(err as Error).message}`);
      process.exitCode = EXIT_FAILURE;
    } finally {
      await hooks.afterStop?.().catch((err: unknown) => {
        log.error({ err }, 'cannot finish after stopping');
        process.exitCode = EXIT_FAILURE;
      });
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
