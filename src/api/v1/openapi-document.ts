import { formatJson } from '../../config/format-json.ts';
import type { ApiContext, ControllerHandle } from '../../controller-handle.ts';
import { createMetrics } from '../../support/metrics.ts';
import { createServer } from '../server.ts';

/**
 * The OpenAPI document of /api/v1, built from the route schemas without a running controller
 * (for schema/openapi.json and the route matrix test): the server is assembled, never served,
 * and nothing here is ever called.
 */
export async function renderOpenApi(): Promise<string> {
  const notServing = () => {
    throw new Error('the OpenAPI document is rendered without a controller: nothing is served');
  };
  const api: ApiContext = {
    store: new Proxy({}, { get: notServing }) as ApiContext['store'],
    log: new Proxy({}, { get: notServing }) as ApiContext['log'],
    now: notServing,
    config: notServing,
    state: notServing,
    checks: notServing,
    request: notServing,
    ingestAlerts: notServing,
    ingestEvents: notServing,
    status: notServing,
  };
  const controller: ControllerHandle = {
    metrics: createMetrics(),
    log: api.log,
    api,
    pingStore: notServing,
    schedulerStats: notServing,
    pendingSignals: notServing,
  };
  const app = await createServer(controller, api);
  try {
    await app.ready();
    return formatJson(app.swagger());
  } finally {
    await app.close();
  }
}
