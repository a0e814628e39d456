import { qualifiedName, type ResourceType } from './resources.ts';

/** A metav1.Status, the body of every error the API server returns. */
export interface ApiStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

/** An error a handler throws; the server turns it into its Status response. */
export class ApiError extends Error {
  readonly status: ApiStatus;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: ApiStatus, retryAfterSeconds?: number) {
    super(status.message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): ApiStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function success(code = 200, details?: Record<string, unknown>): ApiStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code,
  };
}

const detailsOf = (type: ResourceType, name?: string) => ({
  ...(name === undefined ? {} : { name }),
  group: type.group,
  kind: type.name,
});

export const errors = {
  notFound: (type: ResourceType, name: string) =>
    new ApiError(
      failure(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, detailsOf(type, name)),
    ),
  alreadyExists: (type: ResourceType, name: string) =>
    new ApiError(
      failure(
        409,
        'AlreadyExists',
        `${qualifiedName(type)} "${name}" already exists`,
        detailsOf(type, name),
      ),
    ),
  conflict: (type: ResourceType, name: string) =>
    new ApiError(
      failure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        detailsOf(type, name),
      ),
    ),
  invalid: (type: ResourceType, name: string, fieldPath: string, problem: string) =>
    new ApiError(
      failure(
        422,
        'Invalid',
        `${type.kind}.${type.group || 'core'} "${name}" is invalid: ${fieldPath}: ${problem}`,
        {
          ...detailsOf(type, name),
          kind: type.kind,
          causes: [{ reason: 'FieldValueInvalid', message: problem, field: fieldPath }],
        },
      ),
    ),
  badRequest: (message: string) => new ApiError(failure(400, 'BadRequest', message)),
  unsupportedMediaType: (type: string) =>
    new ApiError(
      failure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (found ${type})`,
      ),
    ),
  methodNotAllowed: (message: string) => new ApiError(failure(405, 'MethodNotAllowed', message)),
  unauthorized: () => new ApiError(failure(401, 'Unauthorized', 'Unauthorized')),
  expired: (message: string) => new ApiError(failure(410, 'Expired', message)),
  pathNotFound: () =>
    new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource')),
};
