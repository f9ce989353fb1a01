import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

const CHARSET_RE = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;
const UTF8_RE = /^utf-?8$/i;

/** A 415 through the error handler, in the service's error shape. */
class UnsupportedCharsetError extends Error {
  override name = 'UnsupportedCharsetError';
  readonly code = 'UNSUPPORTED_CHARSET';
  readonly statusCode = 415;
}

/**
 * JSON bodies are UTF-8 (RFC 8259), and fastify's parser decodes every body as UTF-8 whatever
 * its `charset` says, so `charset=utf-16` would be read as mojibake or a misleading 400. A
 * body that declares any charset but UTF-8 is refused with a 415; one with no charset, or
 * `utf-8`, is parsed by fastify's own JSON parser as before (prototype poisoning refused).
 */
export const jsonCharsetPlugin: FastifyPluginCallback = fp(
  (app, _options, done) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, next) => {
      const match = CHARSET_RE.exec(request.headers['content-type'] ?? '');
      const charset = match ? (match[1] ?? match[2] ?? '') : 'utf-8';
      if (!UTF8_RE.test(charset)) {
        next(
          new UnsupportedCharsetError(
            `charset ${JSON.stringify(charset.slice(0, 40))} is not supported: send the JSON body in UTF-8`,
          ),
          undefined,
        );
        return;
      }
      parseJson(request, body as string, next);
    });
    done();
  },
  { name: 'stampede-lookup-json-charset' },
);
