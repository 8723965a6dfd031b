import { expect } from 'chai';
import { Redis } from 'ioredis';

import { startRedis, type TestRedis } from '../../../test/support/redis.ts';
import { PackedGroups } from '../src/packed-groups.ts';

describe('PackedGroups', () => {
  let server: TestRedis;
  let redis: Redis;

  before(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });

  after(async () => {
    await redis.quit();
    await server.stop();
  });

  describe('when builds recorded their layers', () => {
    it('answers every group touching the asked paths, once each', async () => {
      const groups = new PackedGroups(redis, 'packed-test');
      await groups.record([['/nix/store/b', '/nix/store/a'], ['/nix/store/c']]);
      await groups.record([['/nix/store/a', '/nix/store/b']]);

      const found = await groups.lookup(['/nix/store/a', '/nix/store/b', '/nix/store/x']);
      expect(found.packed).to.deep.equal([['/nix/store/a', '/nix/store/b']]);
      expect(await groups.lookup(['/nix/store/x'])).to.deep.equal({ packed: [], previous: [] });
    });

    it('answers earlier layer orders, newest first, up to a group it lacks', async () => {
      const groups = new PackedGroups(redis, 'order-test');
      await groups.record([['/nix/store/a'], ['/nix/store/b'], ['/nix/store/c']]);
      await groups.record([['/nix/store/a'], ['/nix/store/c']]);

      const found = await groups.lookup(['/nix/store/a', '/nix/store/c']);
      expect(found.previous).to.deep.equal([
        [['/nix/store/a'], ['/nix/store/c']],
        [['/nix/store/a']],
      ]);
    });
  });
});
