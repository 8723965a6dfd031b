import {
  AuthenticationRequired,
  BlobNotFound,
  BuildFailed,
  BuildNotFound,
  BuildTimedOut,
  DependencyUnavailable,
  InvalidDigest,
  InvalidName,
  InvalidPagination,
  InvalidReference,
  ManifestNotFound,
  NixportError,
  OperationUnsupported,
  PackagesNotFound,
  PackagesRefused,
  RangeNotSatisfiable,
  TagNotFound,
} from './errors.ts';

/**
 * The error codes of the OCI distribution spec ("Error Codes") and their
 * statuses, plus four the reference registry (distribution) registers:
 * PAGINATION_NUMBER_INVALID (400), RANGE_INVALID (416), UNAVAILABLE (503)
 * and UNKNOWN (500). No other code may appear on the wire.
 */
export const ERROR_CODES = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 404,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  PAGINATION_NUMBER_INVALID: 400,
  RANGE_INVALID: 416,
  UNAVAILABLE: 503,
  UNKNOWN: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One entry of the OCI error envelope. */
export interface WireError {
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

/** What an HTTP layer needs to answer a failed request. */
export interface ErrorResponse {
  status: number;
  body: { errors: WireError[] };
  headers: Record<string, string>;
}

/** Seconds a client should wait before retrying after a 503. */
const RETRY_AFTER_SECONDS = '10';

/**
 * Maps any thrown value to the response a registry client understands.
 * Unknown errors become a generic 500 that reveals nothing internal; the
 * caller logs the original.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  const [code, detail] = classify(error);
  const message =
    error instanceof NixportError ? error.message : 'internal error';
  const headers: Record<string, string> = {};
  if (code === 'UNAVAILABLE') headers['Retry-After'] = RETRY_AFTER_SECONDS;
  if (error instanceof RangeNotSatisfiable) {
    headers['Content-Range'] = `bytes */${error.size}`;
  }
  if (error instanceof AuthenticationRequired) {
    headers['WWW-Authenticate'] = error.challenge;
  }
  // RFC 9110 §15.5.6: a 405 names the methods the resource allows.
  if (error instanceof OperationUnsupported) headers.Allow = error.allow.join(', ');
  const entry: WireError = { code, message };
  if (detail !== undefined) entry.detail = detail;
  return { status: ERROR_CODES[code], body: { errors: [entry] }, headers };
}

function classify(error: unknown): [ErrorCode, unknown?] {
  if (error instanceof InvalidName) return ['NAME_INVALID', { name: error.name }];
  if (error instanceof InvalidReference) {
    return ['MANIFEST_INVALID', { reference: error.reference }];
  }
  if (error instanceof InvalidDigest) return ['DIGEST_INVALID', { digest: error.digest }];
  if (error instanceof PackagesNotFound) {
    return ['MANIFEST_UNKNOWN', { packages: error.packages, suggestions: error.suggestions }];
  }
  if (error instanceof PackagesRefused) {
    return ['MANIFEST_UNKNOWN', { refused: error.refusals }];
  }
  if (error instanceof TagNotFound) return ['MANIFEST_UNKNOWN', { tag: error.tag }];
  // A build makes a manifest; the status page of an unknown one is its 404.
  if (error instanceof BuildNotFound) return ['MANIFEST_UNKNOWN', { buildKey: error.buildKey }];
  if (error instanceof ManifestNotFound) return ['MANIFEST_UNKNOWN', { digest: error.digest }];
  if (error instanceof BlobNotFound) return ['BLOB_UNKNOWN', { digest: error.digest }];
  if (error instanceof RangeNotSatisfiable) return ['RANGE_INVALID', { size: error.size }];
  if (error instanceof OperationUnsupported) return ['UNSUPPORTED'];
  if (error instanceof InvalidPagination) {
    return ['PAGINATION_NUMBER_INVALID', { n: error.n }];
  }
  if (error instanceof AuthenticationRequired) return ['UNAUTHORIZED'];
  if (error instanceof BuildTimedOut) return ['UNAVAILABLE', { seconds: error.seconds }];
  if (error instanceof DependencyUnavailable) return ['UNAVAILABLE'];
  if (error instanceof BuildFailed) return ['UNKNOWN'];
  return ['UNKNOWN'];
}
