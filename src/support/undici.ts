/**
 * undici, loaded on the first HTTP call that needs it: it takes longer to import than the rest of
 * the config loader, and `mend validate`, `mend incidents` or a config without HTTP steps and
 * notifiers never call it.
 */
let loading: Promise<typeof import('undici')> | undefined;

export function undici(): Promise<typeof import('undici')> {
  loading ??= import('undici');
  return loading;
}

export type UndiciResponse = Awaited<ReturnType<typeof import('undici')['request']>>;
