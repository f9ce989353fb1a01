import type { Child } from './spawn.js';

// The parent is the post office of the queue: producers' rows go to the writer, its
// acknowledgements back to each producer, and news of the writer's death to everyone.
export function routeQueue(children: Map<number, Child>, n: number): void {
  const writer = children.get(n)!;
  let writerGone = false;
  const running = new Set<number>();
  const tell = (p: number, message: Record<string, JsonValue>) => {
    const child = children.get(p);
    if (child) void send(child, message);
  };
  const died = { type: 'nack', code: 'WRITER_DIED', message: 'the writer process died before acknowledging the row' };
  const writerDown = () => {
    if (writerGone) return;
    writerGone = true;
    for (const p of running) tell(p, died);
  };
  writer.then(writerDown, writerDown);
  (async () => {
    for await (const message of writer.getEachMessage()) {
      const m = message as { type?: string; rows?: [number, number][]; code?: string; message?: string };
      if (!Array.isArray(m.rows)) continue;
      const byProducer = new Map<number, number[]>();
      for (const [p, seq] of m.rows) byProducer.set(p, [...(byProducer.get(p) ?? []), seq]);
      for (const [p, seqs] of byProducer) {
        tell(
          p,
          m.type === 'acks'
            ? { type: 'ack', seqs }
            : { type: 'nack', seqs, code: m.code ?? '', message: m.message ?? '' },
        );
      }
    }
  })().catch(() => {});
  const producers: Promise<unknown>[] = [];
  for (let p = 0; p < n; p++) {
    const producer = children.get(p)!;
    running.add(p);
    producers.push(producer.then(() => running.delete(p)));
    (async () => {
      for await (const message of producer.getEachMessage()) {
        const seqs = ((message as { rows?: { seq: number }[] }).rows ?? []).map((r) => r.seq);
        if (writerGone || !(await send(writer, message as JsonValue))) tell(p, { ...died, seqs });
      }
    })().catch(() => {});
  }
  Promise.all(producers).then(
    () => {
      if (!writerGone) void send(writer, { type: 'done' });
    },
    () => {},
  );
}

// A child may be gone by the time a message is for it: execa then throws, sometimes synchronously.
async function send(child: Child, message: JsonValue): Promise<boolean> {
  try {
    await child.sendMessage(message);
    return true;
  } catch {
    return false;
  }
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
