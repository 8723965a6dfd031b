import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { expect } from 'chai';

const execFileAsync = promisify(execFile);
const BENCH = fileURLToPath(new URL('../../bench/pack.ts', import.meta.url));

describe('bench:pack', function () {
  // Builds the jq image from the offline set when the store lacks it.
  this.timeout(300_000);

  describe('when run on a small closure for one round', () => {
    let lines: string[];

    before(async () => {
      const { stdout } = await execFileAsync(process.execPath, [
        '--import', 'tsx', BENCH, '--packages', 'jq', '--rounds', '1',
      ]);
      lines = stdout.trim().split('\n');
    });

    it('prints both speeds, CPU times and sizes', () => {
      const size = String.raw`\d+\.\d MB/s, CPU \d+\.\d\d s, tar \d+\.\d MB, gzip \d+\.\d MB`;
      expect(lines.join('\n')).to.match(new RegExp(`^reference: median ${size}$`, 'm'));
      expect(lines.join('\n')).to.match(new RegExp(`^ours: +median ${size}$`, 'm'));
    });

    it('finds the same layer digest in every run', () => {
      expect(lines.join('\n')).to.match(/^ours: sha256:[0-9a-f]{64} in all 2 runs/m);
    });

    it('ends with the ratio of our speed to the pipeline speed', () => {
      expect(lines.at(-1)).to.match(/^ratio: \d+\.\d\d$/);
    });
  });
});
