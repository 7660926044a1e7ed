import { DeepBeliefError } from '@deepbelief/core';

/**
 * What went wrong, as a stable machine-readable code (the message says it in words).
 *
 * - `EMPTY_FILE`: the input has no bytes / no rows.
 * - `BAD_MAGIC`: an IDX or NPY file does not start with its format's magic number.
 * - `UNSUPPORTED_DTYPE`: the element type is not one this reader handles.
 * - `BAD_HEADER`: a header is malformed (bad dimension count, unparsable NPY dict...).
 * - `TRUNCATED`: fewer bytes than the header promises (file or download cut short).
 * - `TRAILING_BYTES`: more bytes than the header promises.
 * - `SHAPE_MISMATCH`: arrays that must agree do not (images vs labels count, rows × cols...).
 * - `LABEL_OUT_OF_RANGE`: a label is negative, non-integer or ≥ the number of classes.
 * - `NOT_NUMERIC`: a CSV cell is not a finite decimal number.
 * - `RAGGED_ROW`: a CSV row has a different number of cells from the first row.
 * - `BAD_GZIP`: gzip data that does not decompress.
 * - `NOT_FOUND`: a file, directory or optional package is missing.
 * - `CHECKSUM_MISMATCH`: downloaded bytes do not match the expected digest.
 * - `DOWNLOAD_FAILED`: the HTTP request failed (status, network, every mirror tried).
 * - `BAD_OPTION`: an argument is out of range or inconsistent.
 * - `BAD_FORMAT`: a folder or listing is not laid out as the loader expects (a text corpus).
 */
export type DatasetErrorCode =
  | 'EMPTY_FILE'
  | 'BAD_MAGIC'
  | 'UNSUPPORTED_DTYPE'
  | 'BAD_HEADER'
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'SHAPE_MISMATCH'
  | 'LABEL_OUT_OF_RANGE'
  | 'NOT_NUMERIC'
  | 'RAGGED_ROW'
  | 'BAD_GZIP'
  | 'NOT_FOUND'
  | 'CHECKSUM_MISMATCH'
  | 'DOWNLOAD_FAILED'
  | 'BAD_OPTION'
  | 'BAD_FORMAT';

/**
 * Every error this package throws on purpose. The message starts with the file (or other
 * source) it concerns, then the problem; `code` tells problems apart without parsing text.
 */
export class DatasetError extends DeepBeliefError {
  override name = 'DatasetError';
  /** Which problem this is; see {@link DatasetErrorCode}. */
  readonly code: DatasetErrorCode;
  /** The file, URL or other source the error concerns (`'<memory>'` or a caller label). */
  readonly source: string;

  constructor(code: DatasetErrorCode, source: string, problem: string, options?: ErrorOptions) {
    super(`${source}: ${problem}`, options);
    this.code = code;
    this.source = source;
  }
}
