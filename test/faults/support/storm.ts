import type { IdShape, LoadMessage, WahaEvent, WahaLoad } from './waha-load';

/** The three deliveries of message `i` in the duplicate storm: both id shapes and both events,
 *  posted at once (WAHA sends `message` and `message.any` of one message, and retries them). */
export function stormDeliveries(i: number): Array<[WahaEvent, IdShape]> {
  return [
    ['message', 'prefixed'],
    ['message.any', i % 2 === 0 ? 'bare' : 'prefixed'],
    [i % 3 === 0 ? 'message' : 'message.any', 'bare'],
  ];
}

/** Sends every message three times concurrently; progress counts messages with all three answered. */
export async function sendStorm(
  load: WahaLoad,
  messages: LoadMessage[],
  onProgress: (done: number) => void,
): Promise<void> {
  load.messages.push(...messages);
  let done = 0;
  await Promise.all(
    messages.map(async (m, i) => {
      await Promise.all(stormDeliveries(i).map(([event, shape]) => load.deliver(m, event, shape)));
      onProgress(++done);
    }),
  );
}
