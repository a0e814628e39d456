import { type AuditAnchor, AuditChainVerifier, type AuditProblem } from './audit-chain.ts';
import type { AuditHead, Store } from './store.ts';

export type AuditVerification =
  | { ok: true; verified: number; head: AuditHead }
  | { ok: false; verified: number; head: AuditHead; problem: AuditProblem };

const PAGE = 1000;

/**
 * Walks the whole audit log in append order, a page at a time, and stops at the first row that
 * does not hold (audit-chain.ts says what is checked). `verified` counts the rows that held.
 */
export async function verifyAuditLog(
  store: Pick<Store, 'readAuditChain' | 'auditHead'>,
  anchor?: AuditAnchor,
): Promise<AuditVerification> {
  const verifier = new AuditChainVerifier(anchor);
  let afterId: number | undefined;
  for (;;) {
    const rows = await store.readAuditChain({
      limit: PAGE,
      ...(afterId === undefined ? {} : { afterId }),
    });
    for (const row of rows) {
      const problem = verifier.check(row);
      if (problem !== undefined) {
        return { ok: false, verified: verifier.verified, head: await store.auditHead(), problem };
      }
    }
    afterId = rows.at(-1)?.id ?? afterId;
    if (rows.length === PAGE) continue;
    // The head after the rows: a row appended meanwhile (the controller, another CLI) moved it
    // past the last row read, so read on until the rows reach it.
    const head = await store.auditHead();
    if (head.seq > verifier.verified && rows.length > 0) continue;
    const problem = verifier.finish(head);
    return problem === undefined
      ? { ok: true, verified: verifier.verified, head }
      : { ok: false, verified: verifier.verified, head, problem };
  }
}
