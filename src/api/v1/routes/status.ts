import { z } from 'zod';
import type { RegisterRoutes } from '../route-kit.ts';

const replicaSchema = z.strictObject({
  id: z.string().describe('the replica’s id: host-pid-suffix, new for every process'),
  host: z.string(),
  pid: z.int(),
  startedAt: z.int().describe('epoch ms'),
  heartbeatAt: z.int().describe('its last heartbeat, epoch ms (the database’s clock)'),
  heartbeatLagMs: z.int().describe('how long ago its last heartbeat was'),
  live: z.boolean().describe('its heartbeat is within the lease: it probes its share'),
  leader: z.boolean(),
  checks: z.int().describe('how many checks it probes (its share), as its last heartbeat said'),
  address: z.string().optional().describe('where its API listens'),
});

export const statusSchema = z.strictObject({
  mode: z
    .enum(['single', 'replicas'])
    .describe('single: one runner on the store; replicas: several on one PostgreSQL store'),
  pid: z.int().describe('the process that answered'),
  now: z.int().describe('the database’s clock, epoch ms'),
  leaseMs: z.int().describe('the lease: a replica whose heartbeat is older is gone'),
  leader: z
    .strictObject({
      id: z.string(),
      epoch: z.int().describe('the fencing token its writes carry'),
      acquiredAt: z.int(),
      expiresAt: z.int(),
    })
    .optional()
    .describe('absent: nobody leads now (between a leader gone and the next one)'),
  epoch: z.int().describe('the lease’s epoch now: +1 on every takeover'),
  replicas: z.array(replicaSchema),
});

/**
 * The replicas on this mend's store (docs/replicas.md): each one's heartbeat and its lag, its
 * share of the checks, the leader and its epoch. Any replica answers it, from the store.
 */
export const registerStatus: RegisterRoutes = (app, api) => {
  app.get(
    '/status',
    {
      config: { access: { permission: 'read' } },
      schema: {
        summary:
          'The replicas on the store, the leader and its epoch, each one’s check share and heartbeat lag',
        tags: ['meta'],
        response: { 200: statusSchema },
      },
    },
    () => api.status(),
  );
};
