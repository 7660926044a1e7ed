/**
 * Generates the API reference (`api/`, gitignored) from the TSDoc comments of every package in
 * `packages/`, with TypeDoc and typedoc-plugin-markdown, so the reference is rebuilt from the
 * code on every docs build and cannot drift from it. A package is picked up as soon as it has
 * a `package.json`, a `tsconfig.json` and `src/index.ts`; each public entry point in its
 * `exports` (e.g. `@deepbelief/core/testing`) becomes its own module page.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, type TypeDocOptions } from 'typedoc';

const docsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(docsRoot, '..', '..');
const out = join(docsRoot, 'api');

/** Directories of the workspace packages TypeDoc should document, in name order. */
export function documentedPackages(root = repoRoot): string[] {
  const dir = join(root, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(dir, d.name))
    .filter((p) => {
      const manifest = join(p, 'package.json');
      if (!existsSync(manifest) || !existsSync(join(p, 'tsconfig.json'))) return false;
      if (!existsSync(join(p, 'src', 'index.ts'))) return false;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean };
      return pkg.private !== true;
    })
    .sort();
}

async function main(): Promise<void> {
  const packages = documentedPackages();
  if (packages.length === 0)
    throw new Error(`no packages found under ${join(repoRoot, 'packages')}`);
  rmSync(out, { recursive: true, force: true });
  const options: Partial<TypeDocOptions> & Record<string, unknown> = {
    name: 'API reference',
    entryPoints: packages,
    entryPointStrategy: 'packages',
    packageOptions: {
      // Packages are half-written while others work on them; type errors belong to their
      // own typecheck, not to the docs build.
      skipErrorChecking: true,
      excludeInternal: true,
      excludePrivate: true,
      excludeExternals: true,
      readme: 'none',
    },
    plugin: ['typedoc-plugin-markdown', 'typedoc-vitepress-theme'],
    out,
    readme: 'none',
    excludeInternal: true,
    excludePrivate: true,
    // typedoc-plugin-markdown / typedoc-vitepress-theme
    docsRoot,
    entryFileName: 'index.md',
    hidePageTitle: false,
    useCodeBlocks: true,
    parametersFormat: 'table',
    interfacePropertiesFormat: 'table',
    classPropertiesFormat: 'table',
    enumMembersFormat: 'table',
    typeDeclarationFormat: 'table',
    // Zod-inferred option types would otherwise be expanded field by field in every signature.
    typeDeclarationVisibility: 'compact',
    sidebar: { autoConfiguration: true, format: 'vitepress', pretty: false, collapsed: true },
    logLevel: 'Info',
  };
  const app = await Application.bootstrapWithPlugins(options as Partial<TypeDocOptions>);
  const project = await app.convert();
  if (!project) throw new Error('TypeDoc could not convert the packages (see the log above)');
  await app.generateOutputs(project);
  if (app.logger.hasErrors()) throw new Error('TypeDoc reported errors (see the log above)');
  console.log(
    `build-api: ${packages.length} packages → ${out}: ${packages.map((p) => p.split('/').pop()).join(', ')}`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
