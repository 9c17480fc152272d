import { readFile } from 'node:fs/promises';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBodySchema } from '@downspin/protocol';
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { adminSecurity, jsonResponse } from './schemas.js';

/** The CA certificate is a few hundred bytes; anything bigger at that path is not ours. */
const MAX_CA_BYTES = 64 * 1024;

const caRoute = createRoute({
  method: 'get',
  path: '/admin/ca.pem',
  tags: ['forward mode'],
  summary: "The local CA's certificate (PEM) that forward mode signs intercepted hosts with, to trust in a test browser",
  description:
    'Only the certificate: the private key is never served. 404 `not_found` until forward mode has made the CA ' +
    '(`downspin start --intercept …`, or `downspin ca`).',
  security: adminSecurity,
  responses: {
    200: { description: 'The certificate, as an attachment (downspin-ca.pem)', content: { 'application/x-pem-file': { schema: z.string() } } },
    404: jsonResponse(ErrorBodySchema, 'No CA made yet'),
  },
});

/** `GET /admin/ca.pem` (API key), when the process knows where the CA lives. */
export function registerCaRoute(app: OpenAPIHono, { caCertificateFile }: { caCertificateFile: string | undefined }): void {
  app.openapi(caRoute, async (c) => {
    const pem = caCertificateFile === undefined ? undefined : await readFile(caCertificateFile, 'utf8').catch(() => undefined);
    // Only a certificate goes out, whatever sits at the path.
    if (pem === undefined || pem.length > MAX_CA_BYTES || !/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/.test(pem)) {
      throw new ApiError('not_found', { message: 'No CA certificate yet: forward mode makes it on first use (downspin start --intercept …, or downspin ca).' });
    }
    return c.body(pem, 200, {
      'content-type': 'application/x-pem-file',
      'content-disposition': 'attachment; filename="downspin-ca.pem"',
      'cache-control': 'no-store',
    });
  });
}
