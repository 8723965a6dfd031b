import { pino, type Logger } from 'pino';

/** Field names shared by every service's log lines. */
export const LOG_FIELDS = {
  service: 'service',
  reqId: 'reqId',
  image: 'image',
  reference: 'reference',
  digest: 'digest',
  jobId: 'jobId',
  buildKey: 'buildKey',
  attempt: 'attempt',
} as const;

/**
 * A JSON logger. Authorization headers and anything named like a secret
 * are redacted wherever they appear.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { [LOG_FIELDS.service]: service },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.access_token',
        '*.tokenSecret',
        '*.users',
        '*.password',
        '*.secretKey',
        '*.token',
      ],
      censor: '[redacted]',
    },
  });
}

export type { Logger };
