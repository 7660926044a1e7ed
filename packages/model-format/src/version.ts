/** Version of this package, recorded in every file it writes (kept equal to package.json by a test). */
export const MODEL_FORMAT_PACKAGE_VERSION = '0.1.0';
