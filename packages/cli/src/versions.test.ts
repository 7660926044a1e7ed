import { readFileSync } from 'node:fs';
import { DBN_PACKAGE_VERSION } from '@deepbelief/dbn';
import { MODEL_FORMAT_PACKAGE_VERSION } from '@deepbelief/model-format';
import { RBM_PACKAGE_VERSION } from '@deepbelief/rbm';
import { WAKE_SLEEP_PACKAGE_VERSION } from '@deepbelief/wake-sleep';
import { expect, it } from 'vitest';

const packageVersion = (folder: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../${folder}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

it('the versions recorded in model files are those of package.json (pnpm sync-versions writes them)', () => {
  expect({
    'model-format': MODEL_FORMAT_PACKAGE_VERSION,
    rbm: RBM_PACKAGE_VERSION,
    dbn: DBN_PACKAGE_VERSION,
    'wake-sleep': WAKE_SLEEP_PACKAGE_VERSION,
  }).toEqual({
    'model-format': packageVersion('model-format'),
    rbm: packageVersion('rbm'),
    dbn: packageVersion('dbn'),
    'wake-sleep': packageVersion('wake-sleep'),
  });
});
