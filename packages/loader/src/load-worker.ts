// The load thread (see load-thread.ts): runs one load and reports back to the thread that started it.
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { loadHere } from './load.js';
import { type FromLoadThread, type LoadWorkerData, serializeError, type ToLoadThread } from './load-thread.js';

const port = parentPort;
if (!port) throw new Error('load-worker.js runs as a worker thread of loadFile');
const data = workerData as LoadWorkerData;
const send = (m: FromLoadThread) => port.postMessage(m);

const controller = new AbortController();
if (data.aborted) controller.abort();

// Standard input, as the starting thread forwards it: one chunk per read.
let stdin: Readable | undefined;
if (data.stdin) {
  stdin = new Readable({ read: () => send({ t: 'pull' }) });
  // The reject file's same-file check looks at the descriptor; descriptors are the process's.
  if (data.stdinFd !== undefined) Object.assign(stdin, { fd: data.stdinFd });
}

port.on('message', (m: ToLoadThread) => {
  if (m.t === 'abort') controller.abort();
  else if (m.t === 'chunk') stdin?.push(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  else if (m.t === 'end') stdin?.push(null);
  else if (m.t === 'stdin-error' && stdin && !stdin.destroyed) stdin.destroy(new Error(m.message));
});

try {
  const summary = await loadHere({
    ...data.options,
    ...(stdin && { stdin }),
    signal: controller.signal,
    ...(data.progress && { onProgress: (p) => send({ t: 'progress', p }) }),
  });
  send({ t: 'done', summary });
} catch (error) {
  send({ t: 'error', error: serializeError(error) });
} finally {
  port.close();
}
