import type { Command } from '../policy/index.ts';
import type { ActionPort, DispatchContext } from './action-port.ts';

/**
 * One ActionPort in front of the two that do the work: heals and previews go to the runbook executor, pages,
 * resolutions and approval requests to the notifiers.
 */
export function routeActions(ports: { heal: ActionPort; notify: ActionPort }): ActionPort {
  return {
    dispatch(command: Command, context: DispatchContext) {
      return command.kind === 'heal' || command.kind === 'preview'
        ? ports.heal.dispatch(command, context)
        : ports.notify.dispatch(command, context);
    },
  };
}
