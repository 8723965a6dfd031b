import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { packageName, popularityOf, storeName } from '../src/popularity.ts';
import { choosePopularity, loadPopularity } from '../src/popularity-source.ts';

const HASH = 'b124i9zm7c42aa4xzx6cw1yw7jnhpi3z';
const table = new Map([
  ['libc6', 21838],
  ['libgcc-s1', 6553],
  ['bash-5.2.15-2+b13', 3],
  ['perl', 5065],
]);

describe('popularityOf', () => {
  describe('when the table knows the package', () => {
    it('finds it by store name, then by package name', () => {
      expect(popularityOf(table, `/nix/store/${HASH}-bash-5.2.15-2+b13`)).to.equal(3);
      expect(popularityOf(table, `/nix/store/${HASH}-perl-5.36.0-7+deb12u4`)).to.equal(5065);
    });
  });

  describe('when the path holds a dependency cycle', () => {
    it('counts its most popular member', () => {
      expect(popularityOf(table, `/nix/store/${HASH}-libc6+libgcc-s1`)).to.equal(21838);
      expect(popularityOf(table, `/nix/store/${HASH}-perl+3-more`)).to.equal(5065);
    });
  });

  describe('when the table does not know the package', () => {
    it('answers undefined', () => {
      expect(popularityOf(table, `/nix/store/${HASH}-htop-3.2.2-2`)).to.equal(undefined);
    });
  });

  it('splits names as Nix does', () => {
    expect(storeName(`/nix/store/${HASH}-libgcc-s1-12.2.0-14`)).to.equal('libgcc-s1-12.2.0-14');
    expect(packageName('libgcc-s1-12.2.0-14')).to.equal('libgcc-s1');
    expect(packageName('git-1_2.39.5-0+deb12u3')).to.equal('git');
    expect(packageName('python3.11-minimal-3.11.2')).to.equal('python3.11-minimal');
  });
});

describe('loadPopularity', () => {
  let dir: string;
  let server: Server;
  let url: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nixport-popularity-'));
    server = createServer((req, res) => {
      res.statusCode = req.url === '/popularity.json' ? 200 : 404;
      res.end(JSON.stringify({ libc6: 7 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  });

  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('when given a file or a URL', () => {
    it('reads the counts', async () => {
      const file = join(dir, 'given.json');
      await writeFile(file, JSON.stringify({ libc6: 21838, htop: 1 }));
      expect((await loadPopularity(file)).get('libc6')).to.equal(21838);
      expect((await loadPopularity(`${url}/popularity.json`)).get('libc6')).to.equal(7);
    });
  });

  describe('when the location is unreadable or not a table of counts', () => {
    it('fails naming the location', async () => {
      const bad = join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ libc6: 'many' }));
      for (const location of [bad, join(dir, 'missing.json'), `${url}/gone`]) {
        const error = await loadPopularity(location).catch((e: Error) => e);
        expect((error as Error).message).to.contain(location);
      }
    });
  });

  describe('when NIXPORT_POPULARITY is unset', () => {
    it("uses the package set's popularity.json, or none", async () => {
      expect(await choosePopularity(undefined, dir)).to.deep.equal({});
      await writeFile(join(dir, 'popularity.json'), JSON.stringify({ bash: 2 }));
      const chosen = await choosePopularity(undefined, dir);
      expect(chosen.popularity?.get('bash')).to.equal(2);
    });
  });
});
