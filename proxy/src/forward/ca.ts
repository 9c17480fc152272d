import { createHash, createPrivateKey, webcrypto, X509Certificate as NodeCertificate } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256: signing a leaf takes well under a millisecond, off the event loop (WebCrypto jobs run on the thread pool). */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Leaf certificates kept; beyond it the least recently used is made again on its next tunnel. */
const MAX_LEAVES = 1000;

export interface CaFiles {
  dir: string;
  /** The CA certificate (PEM), to trust in a browser. */
  certPath: string;
  /** The CA private key (PEM, mode 0600): never served by any path. */
  keyPath: string;
}

/** Where the local CA lives in a data dir. */
export function caFiles(dataDir: string): CaFiles {
  const dir = path.join(dataDir, 'ca');
  return { dir, certPath: path.join(dir, 'downspin-ca.pem'), keyPath: path.join(dir, 'downspin-ca-key.pem') };
}

/** What `downspin ca` prints and a browser helper needs to trust the CA. */
export interface CaInfo {
  certPath: string;
  pem: string;
  /** base64 SHA-256 of the CA's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
  spkiSha256: string;
  /**
   * base64 SHA-256 of the SubjectPublicKeyInfo every leaf of this process
   * shares (a new key pair per process). Chromium matches either hash against
   * the chain; the CA's is the stable one.
   */
  leafSpkiSha256: string;
}

/**
 * The proxy's local certificate authority for TLS interception: made on
 * first use and kept in `<dataDir>/ca/`, so a browser trusts it once. One
 * leaf key pair serves every host (as mitmproxy does): only the certificate
 * differs per host, so a new host costs one signature, not a key generation.
 */
export class LocalCa {
  private readonly leaves = new Map<string, Promise<tls.SecureContext>>();

  private constructor(
    readonly info: CaInfo,
    private readonly caCert: x509.X509Certificate,
    private readonly caKey: webcrypto.CryptoKey,
    private readonly leafKeys: webcrypto.CryptoKeyPair,
    private readonly leafKeyPem: string,
  ) {}

  /** Loads the CA from the data dir, making it first when there is none. */
  static async open(dataDir: string): Promise<LocalCa> {
    const files = caFiles(dataDir);
    const { pem, keyPem } = await loadOrCreate(files);
    const caKey = await webcrypto.subtle.importKey('pkcs8', pemToDer(keyPem), ALGORITHM, false, ['sign']);
    const leafKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const leafKeyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey), 'PRIVATE KEY');
    const leafSpki = Buffer.from(await webcrypto.subtle.exportKey('spki', leafKeys.publicKey));
    const info: CaInfo = {
      certPath: files.certPath,
      pem,
      spkiSha256: spkiSha256(pem),
      leafSpkiSha256: createHash('sha256').update(leafSpki).digest('base64'),
    };
    return new LocalCa(info, new x509.X509Certificate(pem), caKey, leafKeys, leafKeyPem);
  }

  /** The TLS context presenting `host`'s leaf certificate and the CA (the chain), made once per host (bounded LRU). */
  contextFor(host: string): Promise<tls.SecureContext> {
    let context = this.leaves.get(host);
    if (context !== undefined) {
      // Most recently used last: the Map's order is the eviction order.
      this.leaves.delete(host);
      this.leaves.set(host, context);
      return context;
    }
    context = this.makeContext(host);
    // A failed signature is not cached: the next tunnel tries again.
    context.catch(() => this.leaves.delete(host));
    this.leaves.set(host, context);
    if (this.leaves.size > MAX_LEAVES) this.leaves.delete(this.leaves.keys().next().value!);
    return context;
  }

  /** Leaf certificates held now (tests). */
  get cachedLeaves(): number {
    return this.leaves.size;
  }

  private async makeContext(host: string): Promise<tls.SecureContext> {
    const now = Date.now();
    const isIp = /^[\d.]+$|:/.test(host);
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${host.replace(/[,+="\\<>;#]/g, '')}`,
      issuer: this.caCert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
      signingAlgorithm: ALGORITHM,
      publicKey: this.leafKeys.publicKey,
      signingKey: this.caKey,
      extensions: [
        new x509.SubjectAlternativeNameExtension([{ type: isIp ? 'ip' : 'dns', value: host }]),
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCert, false),
      ],
    });
    return tls.createSecureContext({ key: this.leafKeyPem, cert: `${leaf.toString('pem')}\n${this.info.pem}` });
  }
}

async function loadOrCreate(files: CaFiles): Promise<{ pem: string; keyPem: string }> {
  try {
    const [pem, keyPem] = await Promise.all([readFile(files.certPath, 'utf8'), readFile(files.keyPath, 'utf8')]);
    // The key file may have been copied with looser rights: it is a CA key every trusting browser believes.
    await chmod(files.keyPath, 0o600);
    return { pem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=downspin local CA (${new Date(now).toISOString().slice(0, 10)}), O=downspin`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 10 * 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = cert.toString('pem');
  const keyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  // The key first, 0600 from creation ('wx': never over a file another process just wrote).
  try {
    await writeFile(files.keyPath, keyPem, { mode: 0o600, flag: 'wx' });
    await writeFile(files.certPath, pem, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(`the local CA in ${files.dir} is incomplete or being made by another process: retry, or remove that directory to make a new CA`);
  }
  return { pem, keyPem };
}

function pemToDer(pem: string): ArrayBuffer {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
}

/** base64 SHA-256 of a certificate's SubjectPublicKeyInfo. */
export function spkiSha256(pem: string): string {
  const spki = new NodeCertificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function randomSerial(): string {
  // Positive (first bit clear), 16 bytes: unique per certificate as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}
