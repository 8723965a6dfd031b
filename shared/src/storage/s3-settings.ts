/** Where and how the S3 store reaches its bucket. */
export interface S3Settings {
  /** The store's address as the services reach it. */
  endpoint: string;
  /** The store's address as registry clients reach it, for presigned URLs. */
  publicUrl: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** `http://host/bucket/key` rather than `http://bucket.host/key`. */
  pathStyle: boolean;
  /** Create the bucket at start when it is missing. */
  createBucket: boolean;
}

/** S3's bucket naming rules, in short: 3 to 63 of a-z, 0-9, `.` and `-`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Reads the `NIXPORT_S3_*` variables, adding one line to `problems` for
 * each missing or bad value. Called only when `NIXPORT_STORE=s3`.
 */
export function readS3Settings(env: NodeJS.ProcessEnv, problems: string[]): S3Settings {
  const address = (name: string) => {
    const raw = env[name];
    if (!raw) {
      problems.push(`${name} is required when NIXPORT_STORE=s3`);
      return '';
    }
    try {
      const url = new URL(raw);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/') {
        return raw;
      }
    } catch {
      // reported below
    }
    problems.push(`${name} must be an http or https URL with no path`);
    return '';
  };
  const required = (name: string) => {
    const raw = env[name];
    if (!raw) problems.push(`${name} is required when NIXPORT_STORE=s3`);
    return raw ?? '';
  };
  const flag = (name: string, fallback: boolean) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true' || raw === 'false') return raw === 'true';
    problems.push(`${name} must be true or false`);
    return fallback;
  };

  const endpoint = address('NIXPORT_S3_ENDPOINT');
  const bucket = env.NIXPORT_S3_BUCKET || 'nixport';
  if (!BUCKET_NAME.test(bucket)) {
    problems.push('NIXPORT_S3_BUCKET must be 3 to 63 of a-z, 0-9, . and -');
  }
  return {
    endpoint,
    publicUrl: env.NIXPORT_S3_PUBLIC_URL ? address('NIXPORT_S3_PUBLIC_URL') : endpoint,
    bucket,
    accessKey: required('NIXPORT_S3_ACCESS_KEY'),
    secretKey: required('NIXPORT_S3_SECRET_KEY'),
    region: env.NIXPORT_S3_REGION || 'us-east-1',
    pathStyle: flag('NIXPORT_S3_PATH_STYLE', true),
    createBucket: flag('NIXPORT_S3_CREATE_BUCKET', false),
  };
}
