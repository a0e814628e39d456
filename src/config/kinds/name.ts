import { z } from 'zod';

/** A name as Kubernetes spells object names (RFC 1123 label): lowercase, digits, '-'. */
export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The name of a document, or of a check within a service. */
export const name = () =>
  z.string().max(63).regex(NAME_PATTERN, {
    error: 'expected a name of lowercase letters, digits and "-" (RFC 1123 label)',
  });
