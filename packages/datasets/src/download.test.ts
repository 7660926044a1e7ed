import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labelCounts } from './dataset.js';
import { defaultCacheDir, downloadFile, downloadMnist } from './download.js';
import { encodeIdx } from './idx.js';
import type { MnistFiles } from './mnist.js';
import { loadFashionMnist, loadMnistDir, mnistDataDir } from './node.js';
import { fetchMnist } from './web.js';

/** Fixture files served by the local server, by URL path. */
const routes = new Map<string, Uint8Array>();
/** Paths whose response is cut off half-way: full Content-Length, half the body, then reset. */
const truncated = new Set<string>();
/** Paths whose response is cut off with no Content-Length (chunked), then reset. */
const truncatedChunked = new Set<string>();
const requests: string[] = [];

let server: Server;
let base: string;
let work: string;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (path === '/error/500') {
      res.writeHead(500, 'Internal Server Error').end('boom');
      return;
    }
    const body = routes.get(path);
    if (!body) {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    if (truncated.has(path)) {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      return;
    }
    if (truncatedChunked.has(path)) {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      return;
    }
    res.writeHead(200, {
      'content-length': body.length,
      'content-type': 'application/octet-stream',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = await mkdtemp(join(tmpdir(), 'deepbelief-download-'));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

beforeEach(() => {
  routes.clear();
  truncated.clear();
  truncatedChunked.clear();
  requests.length = 0;
});

let counter = 0;
async function freshDir(): Promise<string> {
  const dir = join(work, `d${counter++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

const payload = encodeIdx('uint8', [2, 2, 2], [0, 1, 2, 3, 250, 251, 252, 253]);

describe('downloadFile', () => {
  it('saves a file whose SHA-256 matches, leaving no temp file', async () => {
    routes.set('/f/x-idx3-ubyte', payload);
    const dir = await freshDir();
    const dest = join(dir, 'x-idx3-ubyte');
    await downloadFile(`${base}/f/x-idx3-ubyte`, dest, {
      checksum: { algorithm: 'sha256', digest: sha256(payload), of: 'file' },
    });
    expect(new Uint8Array(await readFile(dest))).toEqual(payload);
    expect(await readdir(dir)).toEqual(['x-idx3-ubyte']);
  });

  it('rejects a wrong checksum and writes nothing', async () => {
    routes.set('/f/x', payload);
    const dir = await freshDir();
    const wrong = sha256(new Uint8Array([1, 2, 3]));
    await expect(
      downloadFile(`${base}/f/x`, join(dir, 'x'), {
        checksum: { algorithm: 'sha256', digest: wrong, of: 'file' },
      }),
    ).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: `${base}/f/x: sha256 of the file bytes is ${sha256(payload)}, expected ${wrong} (corrupt or wrong file; it was not saved)`,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a response cut short before its Content-Length and writes nothing', async () => {
    const big = new Uint8Array(1 << 20).map((_, i) => i & 255);
    routes.set('/f/big', big);
    truncated.add('/f/big');
    const dir = await freshDir();
    const error = await downloadFile(`${base}/f/big`, join(dir, 'big'), {
      checksum: { algorithm: 'sha256', digest: sha256(big), of: 'file' },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TRUNCATED' });
    expect((error as Error).message).toMatch(new RegExp(`^${base}/f/big: `));
    expect((error as Error).message).toMatch(/of 1048576 bytes|Content-Length says 1048576/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('rejects a chunked response whose connection drops', async () => {
    routes.set('/f/chunked', new Uint8Array(100_000).fill(7));
    truncatedChunked.add('/f/chunked');
    const dir = await freshDir();
    await expect(downloadFile(`${base}/f/chunked`, join(dir, 'c'))).rejects.toMatchObject({
      code: 'TRUNCATED',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports HTTP errors with the status and URL', async () => {
    const dir = await freshDir();
    await expect(downloadFile(`${base}/nope`, join(dir, 'n'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `${base}/nope: HTTP 404 Not Found`,
    });
    await expect(downloadFile(`${base}/error/500`, join(dir, 'n'))).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: `${base}/error/500: HTTP 500 Internal Server Error`,
    });
  });

  it('reports an unreachable server as DOWNLOAD_FAILED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dir = await freshDir();
    await expect(downloadFile(`http://127.0.0.1:${port}/x`, join(dir, 'x'))).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringMatching(/request failed/),
    });
  });
});

describe('downloadMnist against a local mirror', () => {
  // A tiny MNIST-format set with its own checksums, one of each kind.
  const trainImages = encodeIdx('uint8', [3, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const trainLabels = encodeIdx('uint8', [3], [1, 0, 9]);
  const testImages = encodeIdx('uint8', [1, 2, 2], [9, 9, 9, 9]);
  const testLabels = encodeIdx('uint8', [1], [4]);
  const gz = (b: Uint8Array) => new Uint8Array(gzipSync(b));
  const files: MnistFiles = {
    // SHA-256 of the decompressed bytes: verifies whether the mirror serves .gz or plain.
    trainImages: {
      name: 'train-images-idx3-ubyte',
      checksum: { algorithm: 'sha256', of: 'decompressed', digest: sha256(trainImages) },
    },
    trainLabels: {
      name: 'train-labels-idx1-ubyte',
      checksum: { algorithm: 'sha256', of: 'decompressed', digest: sha256(trainLabels) },
    },
    // MD5 of the served .gz file, as Fashion-MNIST publishes.
    testImages: {
      name: 't10k-images-idx3-ubyte',
      checksum: { algorithm: 'md5', of: 'file', digest: md5(gz(testImages)) },
    },
    testLabels: {
      name: 't10k-labels-idx1-ubyte',
      checksum: { algorithm: 'md5', of: 'file', digest: md5(gz(testLabels)) },
    },
  };

  function serveGoodMirror(prefix: string): void {
    routes.set(`${prefix}/train-images-idx3-ubyte`, trainImages); // plain only: .gz is a 404
    routes.set(`${prefix}/train-labels-idx1-ubyte.gz`, gz(trainLabels));
    routes.set(`${prefix}/t10k-images-idx3-ubyte.gz`, gz(testImages));
    routes.set(`${prefix}/t10k-labels-idx1-ubyte.gz`, gz(testLabels));
  }

  it('tries .gz then plain, verifies, caches, and does not download again', async () => {
    serveGoodMirror('/m');
    const cacheDir = await freshDir();
    const log: string[] = [];
    const dir = await downloadMnist({
      cacheDir,
      mirrors: [`${base}/m/`],
      files,
      log: (m) => log.push(m),
    });
    expect(dir).toBe(join(cacheDir, 'mnist'));
    expect((await readdir(dir)).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte.gz',
    ]);
    expect(requests).toContain('/m/train-images-idx3-ubyte.gz');
    expect(requests).toContain('/m/train-images-idx3-ubyte');
    const train = await loadMnistDir(dir, { split: 'train' });
    expect(Array.from(train.labels!)).toEqual([1, 0, 9]);
    const test = await loadMnistDir(dir, { split: 'test' });
    expect(Array.from(test.features)).toEqual([9, 9, 9, 9]);
    expect(log.filter((l) => l.startsWith('saved'))).toHaveLength(4);

    requests.length = 0;
    await downloadMnist({ cacheDir, mirrors: [`${base}/m/`], files });
    expect(requests).toEqual([]);
  });

  it('falls back to the next mirror when one fails, and keeps only verified bytes', async () => {
    serveGoodMirror('/good');
    // The first mirror serves a corrupted training-images file and is missing the rest.
    const corrupt = trainImages.slice();
    corrupt[20] = 99;
    routes.set('/bad/train-images-idx3-ubyte.gz', gz(corrupt));
    const cacheDir = await freshDir();
    const dir = await downloadMnist({
      cacheDir,
      mirrors: [`${base}/bad/`, `${base}/good/`],
      files,
      splits: ['train'],
    });
    expect(requests[0]).toBe('/bad/train-images-idx3-ubyte.gz');
    const train = await loadMnistDir(dir);
    expect(Array.from(train.features)).toEqual(Array.from(trainImages.subarray(16)));
  });

  it('fails with the real cause and every attempt listed when no mirror verifies', async () => {
    routes.set('/bad/train-images-idx3-ubyte.gz', gz(encodeIdx('uint8', [1, 1, 1], [1])));
    truncated.add('/cut/train-images-idx3-ubyte.gz');
    routes.set('/cut/train-images-idx3-ubyte.gz', gz(trainImages));
    const cacheDir = await freshDir();
    const error = await downloadMnist({
      cacheDir,
      mirrors: [`${base}/cut/`, `${base}/bad/`, `${base}/empty/`],
      files,
      splits: ['train'],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    const message = (error as Error).message;
    expect(message).toMatch(
      /^train-images-idx3-ubyte: could not download a verified copy from 3 mirror\(s\):/,
    );
    expect(message).toContain(`${base}/cut/train-images-idx3-ubyte.gz: connection dropped`);
    expect(message).toContain(
      `${base}/bad/train-images-idx3-ubyte.gz: sha256 of the decompressed bytes`,
    );
    expect(message).toContain(`${base}/empty/train-images-idx3-ubyte: HTTP 404`);
    expect(await readdir(join(cacheDir, 'mnist')).catch(() => [])).toEqual([]);
  });

  it('lets loadFashionMnist download into the cache on request (MD5 of the .gz)', async () => {
    serveGoodMirror('/fm');
    const cacheDir = await freshDir();
    const test = await loadFashionMnist({
      split: 'test',
      download: { cacheDir, mirrors: [`${base}/fm/`], files },
    });
    expect(test.name).toBe('fashion-mnist-test');
    expect(test.classNames?.[4]).toBe('Coat');
    expect(Array.from(test.labels!)).toEqual([4]);
    expect((await readdir(join(cacheDir, 'fashion-mnist'))).sort()).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ]);
  });

  it('verifies real MNIST against the default checksums (plain and gzip served)', async () => {
    const src = mnistDataDir();
    const read = async (name: string) => new Uint8Array(await readFile(join(src, name)));
    routes.set('/real/train-images-idx3-ubyte', await read('train-images-idx3-ubyte'));
    routes.set('/real/train-labels-idx1-ubyte.gz', gz(await read('train-labels-idx1-ubyte')));
    routes.set('/real/t10k-images-idx3-ubyte.gz', gz(await read('t10k-images-idx3-ubyte')));
    routes.set('/real/t10k-labels-idx1-ubyte', await read('t10k-labels-idx1-ubyte'));
    const cacheDir = await freshDir();
    const dir = await downloadMnist({ cacheDir, mirrors: [`${base}/real/`] });
    const train = await loadMnistDir(dir);
    expect(labelCounts(train)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    const test = await loadMnistDir(dir, { split: 'test' });
    expect(test.rows).toBe(10000);
  });

  it('fetchMnist (browser entry) fetches and verifies from URLs', async () => {
    serveGoodMirror('/web');
    const train = await fetchMnist({ baseUrl: `${base}/web`, files });
    expect(train.rows).toBe(3);
    expect(Array.from(train.labels!)).toEqual([1, 0, 9]);
    routes.set('/web/train-labels-idx1-ubyte.gz', gz(encodeIdx('uint8', [3], [1, 0, 8])));
    await expect(fetchMnist({ baseUrl: `${base}/web/`, files })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
  });
});

describe('defaultCacheDir', () => {
  it('prefers DEEPBELIEF_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ DEEPBELIEF_CACHE: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'deepbelief'));
    expect(defaultCacheDir({})).toMatch(/[/\\]\.cache[/\\]deepbelief$/);
  });
});

describe('writeFileAtomic leftovers', () => {
  it('ignores a stale .part file from an interrupted run', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'x.123.dead.part'), 'half');
    routes.set('/f/x', payload);
    await downloadFile(`${base}/f/x`, join(dir, 'x'));
    expect(new Uint8Array(await readFile(join(dir, 'x')))).toEqual(payload);
  });
});
