import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { StoreError } from '../store/store-error.ts';
import type { Logger } from '../support/log.ts';
import { closeRoutes } from './close-routes.ts';
import { PROBLEM_TYPE, problem, sendProblem } from './problem.ts';

/** What each part of a request is called in a 400's `issues`, as a client would say it. */
const PART: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

/**
 * Every error becomes a problem document: a 4xx says what was wrong with the request, a 5xx says
 * only that it failed and which request id to look for in mend's log (a response never carries a
 * stack or an internal message).
 */
export function answerErrorsAsProblems(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = PART[error.validationContext ?? ''] ?? error.validationContext ?? 'request';
      const issues = error.validation.map((issue) => ({
        in: part,
        path: issue.instancePath === '/' ? '' : issue.instancePath,
        message: issue.message ?? issue.keyword,
      }));
      return sendProblem(
        reply,
        400,
        `the request's ${part} is not valid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
        { issues },
      );
    }
    if (isResponseSerializationError(error)) {
      log.error(
        { err: error, reqId: request.id },
        `API response for ${request.url} broke its schema`,
      );
      return sendProblem(
        reply,
        500,
        `mend failed to answer; look for request ${request.id} in its log`,
      );
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(
          reply,
          413,
          `the body is larger than this route takes (${request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit} bytes)`,
          { limit: request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit },
        );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(
          reply,
          415,
          `send the body as application/json (found ${JSON.stringify(request.headers['content-type'] ?? '')})`,
        );
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(reply, 400, `the body is not valid JSON: ${error.message}`);
    }
    if ((error as unknown) instanceof StoreError) {
      // The store failing is an outage mend already reports (/readyz, a page): say it, not 500.
      reply.header('retry-after', '5');
      return sendProblem(
        reply,
        503,
        `the store cannot answer now (${(error as unknown as StoreError).kind}): try again later; /readyz says why`,
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, status, error.message);
    log.error(
      { err: error, reqId: request.id },
      `API request ${request.method} ${request.url} failed`,
    );
    return sendProblem(
      reply,
      500,
      `mend failed to answer; look for request ${request.id} in its log`,
    );
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const matches = closeRoutes(app, request.method, path);
    sendProblem(
      reply,
      404,
      matches.length
        ? `no route ${request.method} ${path}; close matches: ${matches.join(', ')}`
        : `no route ${request.method} ${path}; GET /api/v1/openapi.json lists every route`,
      { matches },
    );
  });
}

/**
 * Errors the router meets before any route (Fastify's `frameworkErrors`): a URL that does not
 * decode, a path parameter longer than the router takes. Answered as problems like the rest.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const path = (request.url.split('?')[0] ?? '').slice(0, 200);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(reply, 414, `a part of the path is longer than mend takes: ${path}...`);
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendProblem(reply, 400, `the path does not decode (bad percent-encoding): ${path}`);
  }
  return sendProblem(reply, 400, error.message);
}

/** A request the HTTP parser cannot read: a problem too, and the connection closed. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify(
    problem(
      status,
      status === 431 ? 'the request headers are too large' : 'the request is not valid HTTP/1.1',
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: ${PROBLEM_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
