import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';

/**
 * A clean drain: once `close()` starts, every response carries `Connection: close`. Without
 * it a client holding a keep-alive connection would keep `close()` waiting until the
 * keep-alive timeout. (New connections are refused by fastify's `return503OnClosing` and the
 * closed listener; idle ones are closed by `forceCloseConnections: 'idle'`.)
 */
export const shutdownPlugin: FastifyPluginCallback = fp(
  (app, _options, done) => {
    let draining = false;
    app.addHook('preClose', (next) => {
      draining = true;
      next();
    });
    app.addHook('onSend', (_request, reply, payload, next) => {
      if (draining) reply.header('connection', 'close');
      next(null, payload);
    });
    done();
  },
  { name: 'stampede-lookup-shutdown' },
);
