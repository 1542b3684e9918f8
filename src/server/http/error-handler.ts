import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody } from '../../protocol/error-body.js';
import { httpStatusFor } from '../../protocol/error-status.js';
import { isAppError } from '../../shared/app-error.js';

/** Every error answer is `{ code, message }` from the one catalog; internals are logged, not shown. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) {
      const status = httpStatusFor(error.code);
      if (status >= 500) request.log.error({ err: error }, error.message);
      const body: ErrorBody = {
        code: error.code,
        message: error.message,
        ...(error.hint ? { hint: error.hint } : {}),
        ...(error.details ? { details: { ...error.details } } : {}),
      };
      return reply.status(status).send(body);
    }
    if (
      error.validation ||
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
      error.statusCode === 400 ||
      error.statusCode === 415
    ) {
      return reply
        .status(error.statusCode ?? 400)
        .send({ code: 'INVALID_ARGUMENT', message: `invalid request: ${error.message}` });
    }
    if (error.statusCode === 413) {
      return reply
        .status(413)
        .send({ code: 'INVALID_ARGUMENT', message: 'request body too large' });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({
      code: 'INTERNAL',
      message: 'internal error; the server log has the details (request id in the log)',
    });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    });
  });
}
