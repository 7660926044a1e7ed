import { DatasetError } from './errors.js';

/** Options of {@link fetchBytes}. */
export interface FetchBytesOptions {
  /** The fetch to use; default the global `fetch` (browsers, Node ≥ 18). For tests and proxies. */
  fetch?: typeof globalThis.fetch;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Called after each received chunk with bytes so far and the total when the server said it. */
  onProgress?: (received: number, total: number | undefined) => void;
}

/**
 * GETs `url` into memory, checking that the body is complete: a connection that drops early,
 * or a body shorter than its `Content-Length`, is reported instead of returning partial data.
 *
 * @throws {DatasetError} `NOT_FOUND` for HTTP 404, `DOWNLOAD_FAILED` for other HTTP or network
 * failures, `TRUNCATED` when the body ends before its announced length. Messages name the URL.
 */
export async function fetchBytes(
  url: string,
  options: FetchBytesOptions = {},
): Promise<Uint8Array> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new DatasetError('DOWNLOAD_FAILED', url, 'no global fetch: pass options.fetch');
  }
  let response: Response;
  try {
    response = await fetchFn(url, options.signal ? { signal: options.signal } : {});
  } catch (cause) {
    throw new DatasetError('DOWNLOAD_FAILED', url, `request failed: ${describe(cause)}`, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new DatasetError(
      response.status === 404 ? 'NOT_FOUND' : 'DOWNLOAD_FAILED',
      url,
      `HTTP ${response.status} ${response.statusText}`.trim(),
    );
  }
  // With Content-Encoding the header counts encoded bytes, not the bytes we receive.
  const lengthHeader = response.headers.get('content-length');
  const total =
    lengthHeader !== null && !response.headers.get('content-encoding')
      ? Number(lengthHeader)
      : undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        options.onProgress?.(received, total);
      }
    } catch (cause) {
      if (options.signal?.aborted) {
        throw new DatasetError('DOWNLOAD_FAILED', url, 'download aborted', { cause });
      }
      throw new DatasetError(
        'TRUNCATED',
        url,
        `connection dropped after ${received}${total !== undefined ? ` of ${total}` : ''} bytes: ${describe(cause)}`,
        { cause },
      );
    }
  }
  if (total !== undefined && Number.isFinite(total) && received !== total) {
    throw new DatasetError(
      received < total ? 'TRUNCATED' : 'DOWNLOAD_FAILED',
      url,
      `received ${received} bytes but Content-Length says ${total}`,
    );
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : '';
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
