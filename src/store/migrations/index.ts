import type { Migration, MigrationProvider } from 'kysely/migration';
import { foundation } from './0001-foundation.ts';
import { decisions } from './0002-decisions.ts';
import { oneIncidentPerId } from './0003-one-incident-per-id.ts';
import { auditChainAndTokens } from './0004-audit-chain-and-tokens.ts';
import { operatorRequestKinds } from './0005-operator-request-kinds.ts';
import { alerts } from './0006-alerts.ts';
import { probeCursors } from './0007-probe-cursors.ts';
import { replicas } from './0008-replicas.ts';
import type { SqlDialect } from './sql-dialect.ts';

/** The Migrator's own tables, named for mend: the schema's version lives in them. */
export const MIGRATION_TABLE = 'mend_migration';
export const MIGRATION_LOCK_TABLE = 'mend_migration_lock';

/**
 * Every migration, from code rather than a folder (nothing to find at run time, and the type
 * checker sees them). Names sort in the order they run; a new one is one file plus one line here.
 */
export function storeMigrations(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-foundation': foundation(dialect),
        '0002-decisions': decisions(dialect),
        '0003-one-incident-per-id': oneIncidentPerId(),
        '0004-audit-chain-and-tokens': auditChainAndTokens(dialect),
        '0005-operator-request-kinds': operatorRequestKinds(dialect),
        '0006-alerts': alerts(),
        '0007-probe-cursors': probeCursors(),
        '0008-replicas': replicas(dialect),
      };
    },
  };
}
