/**
 * Writes each model package's `src/version.ts` from its package.json, the one source of
 * truth for the version recorded in the files it writes. `pnpm version-packages` runs it
 * after `changeset version`; a test in @deepbelief/cli fails if a file is out of date.
 *
 *   node scripts/sync-versions.ts   (or: pnpm sync-versions)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Package folder → name of its exported constant. */
export const VERSIONED_PACKAGES = {
  'model-format': 'MODEL_FORMAT_PACKAGE_VERSION',
  rbm: 'RBM_PACKAGE_VERSION',
  dbn: 'DBN_PACKAGE_VERSION',
  'wake-sleep': 'WAKE_SLEEP_PACKAGE_VERSION',
} as const;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The text `src/version.ts` of `folder` must hold. */
export function versionFile(folder: keyof typeof VERSIONED_PACKAGES): string {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', folder, 'package.json'), 'utf8')) as {
    version: string;
  };
  return `/** Version of this package, recorded in every file it writes. Generated from package.json by scripts/sync-versions.ts: do not edit. */\nexport const ${VERSIONED_PACKAGES[folder]} = '${pkg.version}';\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const folder of Object.keys(VERSIONED_PACKAGES) as (keyof typeof VERSIONED_PACKAGES)[]) {
    const path = join(root, 'packages', folder, 'src', 'version.ts');
    writeFileSync(path, versionFile(folder));
    console.log(`wrote ${path}`);
  }
}
