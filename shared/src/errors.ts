/**
 * Domain errors: what went wrong in Nixport's terms. They never carry an
 * HTTP status; `registry-errors.ts` maps them to the wire.
 */

/** Base class so a mapper can tell domain failures from programming errors. */
export class NixportError extends Error {}

/** The image name does not fit the registry grammar or Nixport's rules. */
export class InvalidName extends NixportError {
  constructor(readonly name: string, reason: string) {
    super(`invalid repository name "${name}": ${reason}`);
  }
}

/** A reference is neither a valid tag nor a valid digest. */
export class InvalidReference extends NixportError {
  constructor(readonly reference: string) {
    super(`invalid tag or digest "${reference}"`);
  }
}

/** A digest in a path is malformed or uses an algorithm Nixport lacks. */
export class InvalidDigest extends NixportError {
  constructor(readonly digest: string) {
    super(`invalid digest "${digest}": expected sha256:<64 lower-case hex>`);
  }
}

/**
 * Some requested packages are not in the package set. The message names
 * each, with the set's close matches when it has any.
 */
export class PackagesNotFound extends NixportError {
  constructor(
    readonly packages: string[],
    readonly suggestions: Record<string, string[]> = {},
  ) {
    const named = packages.map((name) => {
      const near = suggestions[name] ?? [];
      return near.length > 0 ? `${name} (did you mean ${near.join(', ')}?)` : name;
    });
    super(`packages not found in the package set: ${named.join(', ')}`);
  }
}

/** The package set knows the packages but refuses to build them. */
export class PackagesRefused extends NixportError {
  constructor(readonly refusals: { name: string; reason: string }[]) {
    const list = refusals.map((r) => `${r.name} (${r.reason})`);
    super(`the package set refuses to build: ${list.join(', ')}`);
  }
}

/** The tag names no revision of the package source. */
export class TagNotFound extends NixportError {
  constructor(readonly tag: string, reason: string) {
    super(`tag "${tag}" not found: ${reason}`);
  }
}

/** No manifest is stored under this digest. */
export class ManifestNotFound extends NixportError {
  constructor(readonly digest: string) {
    super(`manifest ${digest} not found`);
  }
}

/** No blob is stored under this digest. */
export class BlobNotFound extends NixportError {
  constructor(readonly digest: string) {
    super(`blob ${digest} not found`);
  }
}

/** The requested byte range lies outside the blob. */
export class RangeNotSatisfiable extends NixportError {
  constructor(readonly size: number) {
    super(`requested range is outside the blob of ${size} bytes`);
  }
}

/**
 * The build ran and failed; `log` is its tail, for the status page.
 * `transient` failures (a download, a lock) may pass on a retry; the
 * others would fail the same way again.
 */
export class BuildFailed extends NixportError {
  constructor(
    reason: string,
    readonly log?: string,
    readonly transient = false,
  ) {
    super(`build failed: ${reason}`);
  }
}

/** No build is known under this key: never queued, or long forgotten. */
export class BuildNotFound extends NixportError {
  constructor(readonly buildKey: string) {
    super(`no build ${buildKey} is known`);
  }
}

/**
 * The caller stopped waiting; the build itself may still finish.
 * `statusPath` names the page that shows its progress.
 */
export class BuildTimedOut extends NixportError {
  constructor(readonly seconds: number, statusPath?: string) {
    super(
      `build did not finish within ${seconds} s; it goes on in the ` +
        'background, pull again later' +
        (statusPath ? ` (progress: ${statusPath})` : ''),
    );
  }
}

/** Redis or the store cannot be reached. */
export class DependencyUnavailable extends NixportError {
  constructor(readonly dependency: string, options?: { cause?: unknown }) {
    super(`${dependency} is unavailable`, options);
  }
}

/**
 * The registry is read-only; pushes and deletes are refused. `allow`
 * lists the methods the path does answer (HTTP's `Allow` on a 405).
 */
export class OperationUnsupported extends NixportError {
  constructor(what: string, readonly allow: string[] = []) {
    const [method = ''] = what.split(' ');
    const why = ['GET', 'HEAD'].includes(method)
      ? 'Nixport serves manifests, blobs, tags and referrers only'
      : 'Nixport builds images, it does not accept pushes';
    super(`${what} is not supported: ${why}`);
  }
}

/** A list request's `n` is not a whole number of zero or more. */
export class InvalidPagination extends NixportError {
  constructor(readonly n: string) {
    super(`invalid page size n=${JSON.stringify(n)}: expected a whole number >= 0`);
  }
}

/**
 * The request lacks credentials, or they do not grant it. `challenge` is
 * the `WWW-Authenticate` value that tells the client how to get some.
 */
export class AuthenticationRequired extends NixportError {
  constructor(reason: string, readonly challenge: string) {
    super(`authentication required: ${reason}`);
  }
}
