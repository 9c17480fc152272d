/** Base64 of a SHA-256 digest: 32 bytes, 44 characters. */
const SPKI_SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Chromium launch arguments that make the browser trust certificates the
 * downspin proxy makes in forward mode, and nothing else: Chromium accepts
 * a chain holding a certificate whose public key has one of these SHA-256
 * hashes (the proxy sends its CA after each leaf). `spki` is what
 * `downspin ca` prints as the CA's SPKI sha256 (base64).
 *
 * Launch-wide, unlike Playwright's `ignoreHTTPSErrors`, which accepts any
 * certificate at all (an expired or wrong-host one too) and so would hide
 * the very TLS errors a staging app can have. The trade-off: it needs a
 * launch argument (Playwright's `launchOptions.args`, not per test), only
 * Chromium reads it, and a browser launched with it trusts the downspin CA
 * for every host while the CA's key is in the data dir.
 *
 * @example
 * use: { launchOptions: { args: trustDownspinCa(process.env.DOWNSPIN_CA_SPKI!) } }
 */
export function trustDownspinCa(...spki: string[]): string[] {
  for (const hash of spki) {
    if (!SPKI_SHA256_BASE64.test(hash)) {
      throw new Error(`downspin: "${hash}" is not a base64 SHA-256 SPKI hash (downspin ca prints it, e.g. 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=)`);
    }
  }
  return spki.length === 0 ? [] : [`--ignore-certificate-errors-spki-list=${spki.join(',')}`];
}
