import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from './logger.ts';
import type { ServiceMetrics } from './metrics.ts';
import { toErrorResponse } from './registry-errors.ts';

/** Per-request state the middlewares below keep in `res.locals`. */
export interface RequestLocals {
  log: Logger;
  /** Route template for metrics and logs; handlers set it. */
  route: string;
}

type Request = IncomingMessage & { method?: string };

/** Paths every service serves; they are their own route templates. */
const SERVICE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
type Response = ServerResponse & { locals: Record<string, unknown> };

/**
 * Middleware that gives each request a child logger with its id and,
 * once the response is done, records it in metrics and writes the one
 * completion line: error level for 5xx, info otherwise.
 */
export function observeRequests(logger: Logger, metrics: ServiceMetrics) {
  return (req: Request, res: Response, next: () => void) => {
    const started = process.hrtime.bigint();
    const header = req.headers['x-request-id'];
    const reqId = typeof header === 'string' && header ? header : randomUUID();
    const locals = res.locals as unknown as RequestLocals;
    locals.log = logger.child({ reqId });
    const path = (req.url ?? '').split('?')[0]!;
    locals.route = SERVICE_ROUTES.has(path) ? path : 'other';

    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = req.method ?? 'GET';
      metrics.observeRequest(locals.route, method, res.statusCode, seconds);
      const fields = { method, route: locals.route, status: res.statusCode, seconds };
      if (res.statusCode >= 500) locals.log.error(fields, 'request failed');
      else locals.log.info(fields, 'request done');
    });
    next();
  };
}

/**
 * Error middleware: writes the OCI error envelope for anything a handler
 * threw. The error itself is logged only when it is the server's fault.
 */
export function writeRegistryError(
  error: unknown,
  req: Request,
  res: Response,
  _next: (error?: unknown) => void,
): void {
  const locals = res.locals as unknown as RequestLocals;
  const answer = toErrorResponse(error);
  if (answer.status >= 500) locals.log.error({ err: error }, 'request error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.statusCode = answer.status;
  if (req.method === 'HEAD') res.end();
  else res.end(JSON.stringify(answer.body));
}
