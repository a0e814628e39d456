import { generateToken, hashToken } from '../secrets/api-token.ts';
import type { Store } from '../store/store.ts';

/** The demo's viewer token's name: the store is fresh each run, so the name is free. */
export const DEMO_VIEWER = 'demo-viewer';

/**
 * A viewer token for the person watching the demo, printed with the dashboard's address so the
 * dashboard can be opened at once. Viewer: it reads everything and changes nothing.
 */
export async function createDemoViewerToken(store: Store, now: number): Promise<string> {
  const secret = generateToken();
  await store.createToken(
    { name: DEMO_VIEWER, role: 'viewer', hash: hashToken(secret), createdAt: now },
    { actor: 'controller' },
  );
  return secret;
}
