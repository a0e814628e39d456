import { z } from 'zod';

/** An absolute http(s) URL, checked at load so a typo is a config error, not a failed page. */
export const httpUrl = () =>
  z.string().refine(
    (text) => {
      try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'expected an absolute http:// or https:// URL' },
  );
