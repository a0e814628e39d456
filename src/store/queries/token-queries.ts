import type { Kysely } from 'kysely';
import { tokenActor } from '../audit-vocabulary.ts';
import { epochMs } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import type { AuditActor, NewToken, StoredToken } from '../store.ts';
import { storedToken, tokenName, tokenRow } from '../token-rows.ts';
import { appendAuditIn } from './audit-queries.ts';

const TOKEN_COLUMNS = [
  'name',
  'role',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

export async function createToken(
  db: Kysely<StoreSchema>,
  token: NewToken,
  by: AuditActor,
): Promise<StoredToken> {
  const values = tokenRow(token);
  return db.transaction().execute(async (trx) => {
    // The unique name decides, even between two mend processes creating the same name at once.
    const inserted = await trx
      .insertInto('api_tokens')
      .values(values)
      .onConflict((conflict) => conflict.column('name').doNothing())
      .returning(TOKEN_COLUMNS)
      .executeTakeFirst();
    if (inserted === undefined) {
      const taken = await trx
        .selectFrom('api_tokens')
        .select(['revoked_at'])
        .where('name', '=', values.name)
        .executeTakeFirstOrThrow();
      throw new RangeError(
        taken.revoked_at === null
          ? `a token named ${values.name} exists already: choose another name (a name is never reused, even once its token is revoked)`
          : `a token named ${values.name} existed and was revoked: names are never reused, so ${tokenActor(values.name)} in the audit log always means one token; choose another name`,
      );
    }
    const stored = storedToken(inserted);
    await appendAuditIn(trx, {
      ...by,
      at: stored.createdAt,
      action: 'token.create',
      target: `token/${stored.name}`,
      params:
        stored.expiresAt === undefined
          ? { role: stored.role }
          : { role: stored.role, expiresAt: stored.expiresAt },
      result: 'ok',
    });
    return stored;
  });
}

export async function listTokens(db: Kysely<StoreSchema>): Promise<StoredToken[]> {
  const rows = await db.selectFrom('api_tokens').select(TOKEN_COLUMNS).orderBy('id').execute();
  return rows.map(storedToken);
}

export async function findToken(
  db: Kysely<StoreSchema>,
  hash: string,
): Promise<(StoredToken & { hash: string }) | undefined> {
  if (typeof hash !== 'string') throw new TypeError('hash must be a string');
  const row = await db
    .selectFrom('api_tokens')
    .select([...TOKEN_COLUMNS, 'hash'])
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...storedToken(row), hash: row.hash };
}

export async function revokeToken(
  db: Kysely<StoreSchema>,
  name: string,
  at: number,
  by: AuditActor,
): Promise<{ token: StoredToken; revoked: boolean }> {
  tokenName(name);
  epochMs('at', at);
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .returning(TOKEN_COLUMNS)
      .executeTakeFirst();
    if (updated === undefined) {
      const current = await trx
        .selectFrom('api_tokens')
        .select(TOKEN_COLUMNS)
        .where('name', '=', name)
        .executeTakeFirst();
      if (current === undefined) throw new RangeError(`no token named ${name}`);
      return { token: storedToken(current), revoked: false };
    }
    await appendAuditIn(trx, {
      ...by,
      at,
      action: 'token.revoke',
      target: `token/${name}`,
      params: {},
      result: 'ok',
    });
    return { token: storedToken(updated), revoked: true };
  });
}

export async function touchToken(db: Kysely<StoreSchema>, name: string, at: number): Promise<void> {
  tokenName(name);
  epochMs('at', at);
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: at })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
    .execute();
}
