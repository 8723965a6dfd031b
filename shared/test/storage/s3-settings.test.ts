import { expect } from 'chai';

import { ConfigError, loadConfig } from '@nixport/shared';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, 8081);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('the S3 store settings', () => {
  describe('when NIXPORT_STORE=s3 comes without its settings', () => {
    it('names every missing one', () => {
      expect(problems({ NIXPORT_STORE: 's3' })).to.deep.equal([
        'NIXPORT_S3_ENDPOINT is required when NIXPORT_STORE=s3',
        'NIXPORT_S3_ACCESS_KEY is required when NIXPORT_STORE=s3',
        'NIXPORT_S3_SECRET_KEY is required when NIXPORT_STORE=s3',
      ]);
    });
  });

  describe('when a value is malformed', () => {
    it('names it', () => {
      const found = problems({
        NIXPORT_STORE: 's3',
        NIXPORT_S3_ENDPOINT: 'minio:9000',
        NIXPORT_S3_ACCESS_KEY: 'a',
        NIXPORT_S3_SECRET_KEY: 'b',
        NIXPORT_S3_BUCKET: 'Bad_Bucket',
        NIXPORT_S3_PATH_STYLE: 'yes',
        NIXPORT_REDIRECT_SECONDS: '0',
      });
      expect(found).to.deep.equal([
        'NIXPORT_S3_ENDPOINT must be an http or https URL with no path',
        'NIXPORT_S3_BUCKET must be 3 to 63 of a-z, 0-9, . and -',
        'NIXPORT_S3_PATH_STYLE must be true or false',
        'NIXPORT_REDIRECT_SECONDS=0 must be a whole number from 1 to 604800',
      ]);
    });
  });

  describe('when redirect mode is asked of the filesystem store', () => {
    it('refuses, since only S3 can presign', () => {
      expect(problems({ NIXPORT_BLOB_MODE: 'redirect' })).to.deep.equal([
        'NIXPORT_BLOB_MODE=redirect needs NIXPORT_STORE=s3',
      ]);
    });
  });

  describe('when everything is given', () => {
    it('signs redirects for the public address', () => {
      const config = loadConfig({
        NIXPORT_STORE: 's3',
        NIXPORT_S3_ENDPOINT: 'http://minio:9000',
        NIXPORT_S3_PUBLIC_URL: 'https://s3.example.com',
        NIXPORT_S3_ACCESS_KEY: 'a',
        NIXPORT_S3_SECRET_KEY: 'b',
        NIXPORT_BLOB_MODE: 'redirect',
      }, 8081);
      expect(config.s3?.publicUrl).to.equal('https://s3.example.com');
      expect(config.s3?.bucket).to.equal('nixport');
      expect(config.blobMode).to.equal('redirect');
    });
  });
});
