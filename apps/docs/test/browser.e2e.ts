/**
 * The built site in a real headless Chromium (Debian's `chromium` driven by playwright-core):
 * every page loads without console errors or failed requests, and the live demo trains —
 * its step counter advances, its canvases change and its reconstruction error falls — and the
 * generation demo's first picture is judged by a 3-nearest-neighbour vote over the 60,000 MNIST
 * training images (independent of the DBN): at least 90 % of its digits are their row's label.
 * Screenshots and the measured steps/s are written to `test-artifacts/`.
 *
 * Run `pnpm build` first, then `pnpm test:browser`. `CHROMIUM_PATH` overrides the browser.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend, Ops } from '@deepbelief/core';
import { loadMnist } from '@deepbelief/datasets';
import { NearestNeighbourClassifier, recognitionRate } from '@deepbelief/dbn';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GENERATION } from '../src/assets.js';
import { DEFAULT_CONFIG } from '../src/session.js';
import { readTiles } from '../src/tiles.js';
import { type StaticServer, serveStatic } from './static-server.js';

const docsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(docsRoot, '.vitepress', 'dist');
const artifacts = join(docsRoot, 'test-artifacts');
const screenshots = join(artifacts, 'screenshots');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Updates the demo must make on each backend before its canvases are compared. */
const DEMO_STEPS = Number(process.env.DEMO_STEPS ?? 400);
/** Pages photographed whole (the demo is photographed by its own test). */
const SCREENSHOT_PAGES = [
  'index.html',
  'guide/getting-started.html',
  'concepts/energy.html',
  'concepts/contrastive-divergence.html',
  'guides/mnist.html',
  'api/index.html',
  'api/@deepbelief/rbm/classes/RBMTrainer.html',
  'benchmarks.html',
  'demo/generate.html',
];

let server: StaticServer;
let context: BrowserContext;
let profile: string;

function htmlPages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html') && e.name !== '404.html')
    .map((e) => relative(dist, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Records console errors, uncaught exceptions and failed requests of a page. */
function watchProblems(page: Page): { problems: string[] } {
  const state = { problems: [] as string[] };
  page.on('console', (m) => {
    if (m.type() === 'error') state.problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => state.problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Leaving a page cancels VitePress's prefetches of linked pages: not a failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    state.problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) state.problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return state;
}

const shot = (name: string) => join(screenshots, `${name.replace(/[/@]/g, '_')}.png`);

beforeAll(async () => {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`no built site at ${dist}: run \`pnpm --filter @deepbelief/docs build\` first`);
  }
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  rmSync(screenshots, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  server = await serveStatic(dist);
  profile = mkdtempSync(join(tmpdir(), 'deepbelief-docs-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('built docs site in headless Chromium', () => {
  it('loads every page without console errors or failed requests', async () => {
    const pages = htmlPages(dist);
    expect(pages.length).toBeGreaterThan(20);
    for (const required of [
      'index.html',
      'demo/train.html',
      'demo/generate.html',
      'api/index.html',
    ]) {
      expect(pages).toContain(required);
    }
    const page = await context.newPage();
    const watch = watchProblems(page);
    const failures: string[] = [];
    const hydrated = () =>
      page.waitForFunction(
        () => !!(document.querySelector('#app') as { __vue_app__?: unknown } | null)?.__vue_app__,
        undefined,
        { timeout: 15_000 },
      );
    for (const path of pages) {
      watch.problems.length = 0;
      try {
        await page.goto(`${server.url}/${path}`, { waitUntil: 'load' });
        await hydrated(); // VitePress mounts (hydrates) once the page's chunk has loaded
        const heading = await page.locator('h1').first().textContent({ timeout: 5000 });
        if (!heading?.trim()) watch.problems.push('no <h1> heading');
        if (path.startsWith('demo/train')) {
          await page.waitForSelector('.train-demo[data-state="ready"]', { timeout: 60_000 });
        }
        if (path.startsWith('demo/generate')) {
          await page.waitForSelector('.generate-demo[data-state="ready"]', { timeout: 60_000 });
          const generated = Number(
            await page.locator('.generate-demo').getAttribute('data-generated'),
          );
          if (!(generated >= 100)) watch.problems.push(`generated ${generated} digits, not 100`);
        }
        // Math is rendered to SVG at build time: every concept page shows some.
        if (path.startsWith('concepts/') && (await page.locator('mjx-container').count()) === 0) {
          watch.problems.push('concept page without rendered math');
        }
        if (SCREENSHOT_PAGES.includes(path)) {
          await page.screenshot({ path: shot(path), fullPage: true });
        }
      } catch (error) {
        watch.problems.push(`did not load: ${(error as Error).message.split('\n')[0]}`);
      }
      for (const p of watch.problems) failures.push(`${path}: ${p}`);
    }
    await page.close();
    writeFileSync(
      join(artifacts, 'pages.json'),
      `${JSON.stringify({ pages, failures }, null, 2)}\n`,
    );
    expect(failures).toEqual([]);
  }, 600_000);

  it('draws digits a 3-NN over the MNIST training images recognises as their row (≥ 90 %)', async () => {
    const page = await context.newPage();
    const watch = watchProblems(page);
    await page.goto(`${server.url}/demo/generate.html`, { waitUntil: 'networkidle' });
    const demo = page.locator('.generate-demo');
    const { perDigit, layout } = DEMO_GENERATION;
    const count = 10 * perDigit;
    // The page draws its first picture (every digit, default Gibbs steps) once the model loads.
    await page.waitForFunction(
      (n) => {
        const d = document.querySelector('.generate-demo');
        return (
          d?.getAttribute('data-state') === 'ready' && Number(d.getAttribute('data-generated')) >= n
        );
      },
      count,
      { timeout: 240_000, polling: 250 },
    );
    expect(await demo.getAttribute('data-generated')).toBe(String(count));
    const status = await page.locator('[data-testid="status"]').textContent();
    const image = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('canvas[data-testid="generated"]')!;
      return {
        width: c.width,
        rgba: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
      };
    });
    await page.screenshot({ path: shot('demo-generate-judged'), fullPage: true });
    const pixels = readTiles(image.rgba, image.width, count, layout);

    const ops = new Ops(createJsBackend());
    const train = await loadMnist({ split: 'train' });
    const judge = new NearestNeighbourClassifier(ops, train, train.labels!, { k: 3 });
    const intended = Array.from({ length: count }, (_, i) => Math.floor(i / perDigit));
    const report = recognitionRate(judge, pixels, intended);
    judge.dispose();
    const result = {
      recognised: report.recognised,
      total: report.total,
      rate: report.rate,
      perLabel: report.perLabel,
      gibbsSteps: DEMO_GENERATION.gibbsSteps,
      status,
      recogniser: '3-nearest-neighbour vote over the 60,000 MNIST training images',
    };
    writeFileSync(
      join(artifacts, 'generation-recognised.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log(`generation demo: ${report.recognised} of ${count} samples recognised (${status})`);
    expect(report.rate).toBeGreaterThanOrEqual(0.9);
    await page.close();
    expect(watch.problems).toEqual([]);
  }, 420_000);

  const measured: Record<string, unknown>[] = [];

  for (const backend of ['tfjs-wasm', 'js'] as const) {
    it(`trains the MNIST demo on ${backend}: steps advance, canvases change, error falls`, async () => {
      const page = await context.newPage();
      const watch = watchProblems(page);
      await page.goto(`${server.url}/demo/train.html`, { waitUntil: 'networkidle' });
      const demo = page.locator('.train-demo');
      await page.waitForSelector('.train-demo[data-state="ready"]', { timeout: 60_000 });
      if ((await demo.getAttribute('data-backend')) !== backend) {
        await page.selectOption('[data-testid="backend"]', backend);
        await page.waitForSelector(`.train-demo[data-state="ready"][data-backend="${backend}"]`, {
          timeout: 60_000,
        });
      }
      const canvases = ['filters', 'reconstructions', 'samples'];
      const pixels = () =>
        page.evaluate((ids) => {
          return ids.map((id) => {
            const c = document.querySelector<HTMLCanvasElement>(`canvas[data-testid="${id}"]`)!;
            const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
            let lit = 0;
            for (let i = 0; i < data.length; i += 4) if (data[i]! > 0) lit++;
            return { id, width: c.width, height: c.height, url: c.toDataURL(), lit };
          });
        }, canvases);
      const before = await pixels();
      for (const c of before) {
        expect(c.width, `${c.id} width`).toBeGreaterThan(28);
        expect(c.lit, `${c.id} is drawn`).toBeGreaterThan(0);
      }

      await page.click('[data-testid="start"]');
      await page.waitForSelector('.train-demo[data-state="running"]');
      await page.waitForFunction(
        (n) => Number(document.querySelector('.train-demo')?.getAttribute('data-steps')) >= n,
        DEMO_STEPS,
        { timeout: 240_000, polling: 200 },
      );
      await page.screenshot({ path: shot(`demo-train-${backend}-running`), fullPage: true });
      await page.click('[data-testid="stop"]');
      await page.waitForSelector('.train-demo[data-state="stopped"]');
      const after = await pixels();
      for (let i = 0; i < canvases.length; i++) {
        expect(after[i]!.url, `${canvases[i]} canvas changed`).not.toBe(before[i]!.url);
      }
      const read = async (name: string) => Number(await demo.getAttribute(name));
      const steps = await read('data-steps');
      const trainRate = await read('data-steps-per-second');
      const wallRate = await read('data-wall-steps-per-second');
      const error = await read('data-error');
      expect(steps).toBeGreaterThanOrEqual(DEMO_STEPS);
      expect(trainRate).toBeGreaterThan(0);
      // Mean squared reconstruction error per pixel: about 0.1 for the untrained model with
      // data-initialised visible biases, far lower once it has learned strokes.
      expect(error).toBeLessThan(0.05);
      await page.screenshot({ path: shot(`demo-train-${backend}`), fullPage: true });
      measured.push({
        backend,
        steps,
        trainStepsPerSecond: trainRate,
        wallStepsPerSecond: wallRate,
        reconstructionError: error,
        config: DEFAULT_CONFIG,
        userAgent: await page.evaluate(() => navigator.userAgent),
      });
      writeFileSync(
        join(artifacts, 'browser-steps-per-second.json'),
        `${JSON.stringify(measured, null, 2)}\n`,
      );
      await page.close();
      expect(watch.problems).toEqual([]);
    }, 300_000);
  }
});
