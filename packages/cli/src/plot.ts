/** One curve of {@link precisionRecallSvg}. */
export interface PlotCurve {
  readonly label: string;
  readonly recall: readonly number[];
  readonly precision: readonly number[];
}

const COLOURS = ['#d62728', '#1f77b4', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#7f7f7f'];

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A precision–recall plot as a standalone SVG document, recall on a log axis as in the
 * semantic-hashing papers' figures, precision from 0 to 1, one coloured line per curve.
 */
export function precisionRecallSvg(
  curves: readonly PlotCurve[],
  options: { title?: string; width?: number; height?: number } = {},
): string {
  const width = options.width ?? 720;
  const height = options.height ?? 480;
  const m = { left: 60, right: 190, top: 40, bottom: 50 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const recalls = curves.flatMap((c) => c.recall.filter((r) => r > 0));
  const lo = Math.log10(Math.min(...recalls, 1));
  const hi = 0;
  const span = hi - lo || 1;
  const x = (r: number) => m.left + ((Math.log10(r) - lo) / span) * w;
  const y = (p: number) => m.top + (1 - p) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title ?? 'Precision–recall curves')}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title)
    parts.push(
      `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
    );
  for (let p = 0; p <= 10; p += 2) {
    const yy = y(p / 10).toFixed(1);
    parts.push(
      `<line x1="${m.left}" x2="${m.left + w}" y1="${yy}" y2="${yy}" stroke="#ddd"/>`,
      `<text x="${m.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${(p / 10).toFixed(1)}</text>`,
    );
  }
  for (let e = Math.ceil(lo); e <= hi; e++) {
    const xx = x(10 ** e).toFixed(1);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${m.top}" y2="${m.top + h}" stroke="#ddd"/>`,
      `<text x="${xx}" y="${m.top + h + 18}" text-anchor="middle">${10 ** e >= 0.01 ? 10 ** e : `1e${e}`}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="black"/>`,
    `<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">recall (log scale)</text>`,
    `<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">precision</text>`,
  );
  curves.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const points = c.recall
      .map((r, k) => (r > 0 ? `${x(r).toFixed(1)},${y(c.precision[k]!).toFixed(1)}` : null))
      .filter((p) => p !== null)
      .join(' ');
    const ly = m.top + 10 + i * 20;
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      `<line x1="${m.left + w + 15}" x2="${m.left + w + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${m.left + w + 46}" y="${ly}" dominant-baseline="middle">${escapeXml(c.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
