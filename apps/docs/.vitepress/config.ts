import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DefaultTheme, defineConfig } from 'vitepress';

const apiSidebarFile = fileURLToPath(new URL('../api/typedoc-sidebar.json', import.meta.url));

/** The API sidebar TypeDoc wrote (scripts/build-api.ts), or a pointer to how to make it. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  if (!existsSync(apiSidebarFile)) {
    return [{ text: 'Run `pnpm api` to generate', link: '/guide/getting-started' }];
  }
  return JSON.parse(readFileSync(apiSidebarFile, 'utf8')) as DefaultTheme.SidebarItem[];
}

const concepts: DefaultTheme.SidebarItem[] = [
  { text: 'Energy and free energy', link: '/concepts/energy' },
  { text: 'Conditionals and Gibbs sampling', link: '/concepts/gibbs-sampling' },
  { text: 'CD-k and persistent CD', link: '/concepts/contrastive-divergence' },
  { text: 'Greedy stacking and the bound', link: '/concepts/greedy-stacking' },
  { text: 'The 2006 model with label units', link: '/concepts/label-units' },
  { text: 'Contrastive wake-sleep', link: '/concepts/wake-sleep' },
  { text: 'Unrolling and fine-tuning', link: '/concepts/unrolling' },
  { text: 'Deep autoencoders', link: '/concepts/autoencoders' },
  { text: 'Annealed importance sampling', link: '/concepts/ais' },
  { text: 'Semantic hashing', link: '/concepts/semantic-hashing' },
];

const guides: DefaultTheme.SidebarItem[] = [
  { text: 'Training on MNIST', link: '/guides/mnist' },
  { text: 'Reproducing the 2006 results', link: '/guides/reproducing-2006' },
  { text: 'Swapping backends', link: '/guides/backends' },
  { text: 'Model files and Python', link: '/guides/model-format' },
  { text: 'Checkpoints and resume', link: '/guides/checkpoints' },
  { text: 'The command line', link: '/guides/cli' },
];

const base = process.env.DOCS_BASE ?? '/';

export default defineConfig({
  title: 'deepbelief',
  description:
    'Restricted Boltzmann Machines and Deep Belief Networks in TypeScript, on any backend.',
  lang: 'en-GB',
  base,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: `${base}logo.svg` }]],
  cleanUrls: false,
  lastUpdated: false,
  markdown: { math: true },
  // Every internal link is checked at build time.
  ignoreDeadLinks: false,
  themeConfig: {
    logo: '/logo.svg',
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Concepts', link: '/concepts/energy' },
      { text: 'Guides', link: '/guides/mnist' },
      { text: 'API', link: '/api/' },
      {
        text: 'Demos',
        items: [
          { text: 'Train an RBM in the browser', link: '/demo/train' },
          { text: 'Generate digits with a DBN', link: '/demo/generate' },
        ],
      },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }],
      '/': [
        {
          text: 'Introduction',
          items: [
            { text: 'What is deepbelief?', link: '/' },
            { text: 'Getting started', link: '/guide/getting-started' },
          ],
        },
        { text: 'Concepts', items: concepts },
        { text: 'Guides', items: guides },
        {
          text: 'Demos',
          items: [
            { text: 'Train an RBM in the browser', link: '/demo/train' },
            { text: 'Generate digits with a DBN', link: '/demo/generate' },
          ],
        },
        {
          text: 'Project',
          items: [
            { text: 'API reference', link: '/api/' },
            { text: 'Benchmarks', link: '/benchmarks' },
            { text: 'Roadmap', link: '/roadmap' },
          ],
        },
      ],
    },
    outline: { level: [2, 3] },
    search: { provider: 'local' },
  },
  vite: {
    // Workspace packages resolve to their TypeScript sources, as in the tests.
    resolve: { conditions: ['deepbelief-source'] },
    ssr: { resolve: { conditions: ['deepbelief-source'] } },
    build: {
      chunkSizeWarningLimit: 2000,
      rollupOptions: {
        onwarn(warning, warn) {
          // zod's sources carry `@__PURE__` comments in places Rollup cannot use; harmless.
          if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
          warn(warning);
        },
      },
    },
  },
});
