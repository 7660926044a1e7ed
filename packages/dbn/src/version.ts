/** Version of this package, recorded in every file it writes. Generated from package.json by scripts/sync-versions.ts: do not edit. */
export const DBN_PACKAGE_VERSION = '0.1.0';
