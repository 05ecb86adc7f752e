import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { throwError } from 'rxjs';
import { toProblem } from './problem';

/**
 * The one exception filter. Over HTTP, every error (a handler's, a guard's, a pipe's, the body
 * parser's) becomes RFC 9457 problem details, mapped in `toProblem`. On the bus, errors pass
 * through unchanged: the transport classifies them (ack/nak/term) and request/reply answers
 * carry their `name` and `code` (Nest's default would flatten them to "Internal server error").
 */
@Catch()
export class TetherErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return throwError(() => exception);
    const res = host.switchToHttp().getResponse();
    const req = host.switchToHttp().getRequest();
    const problem = toProblem(exception, req?.originalUrl ?? req?.url);
    // The caller only learns "unexpected": the cause goes to the log (never request headers, which carry keys).
    if (problem.code === 'internal' || problem.code === 'upstream_error')
      this.logger.error(
        `${req?.method} ${req?.path}: ${(exception as Error)?.message ?? String(exception)}`,
        (exception as Error)?.stack,
      );
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(problem.status).type('application/problem+json').json(problem);
  }
}
