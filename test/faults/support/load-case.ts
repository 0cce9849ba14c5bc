import { collectFigures, expectedAfterLoad, type Figures, printFigures, settled } from './checks';
import type { FaultChannel, FaultSystem } from './fault-system';
import { sleep } from './managed-process';
import type { FaultProfile } from './profile';
import { type LoadMessage, WahaLoad } from './waha-load';

export interface LoadCaseResult {
  figures: Figures;
  expected: Partial<Record<keyof Figures, number>>;
  load: WahaLoad;
  /** Seconds from the end of the fault until everything owed was stored and the outbox drained. */
  recoverySeconds: number;
}

export interface LoadCase {
  title: string;
  system: FaultSystem;
  channel: FaultChannel;
  /** Phones of this case's customers start with it, so cases sharing a database do not mix. */
  phonePrefix: string;
  profile: FaultProfile;
  messages?: LoadMessage[];
  /** Resolves when the fault is over (the component is back). */
  fault: () => Promise<void>;
  /** `middle` (default): once half of the messages have their answer; `start`: with the first message. */
  faultAt?: 'start' | 'middle';
  /** Sends the messages; default: one `message` delivery each. */
  send?: (load: WahaLoad, messages: LoadMessage[], onProgress: (done: number) => void) => Promise<void>;
}

/**
 * One fault case: the inbound load, the fault in its middle, then a bounded wait until the system
 * has caught up, and the figures, printed pass or fail. The caller asserts on the result.
 */
export async function runLoadCase(c: LoadCase): Promise<LoadCaseResult> {
  const messages = c.messages ?? WahaLoad.plan(c.profile.messages, c.profile.contacts, c.phonePrefix);
  const load = new WahaLoad({
    apiUrls: c.system.apiUrls,
    channel: c.channel,
    concurrency: c.profile.concurrency,
    retryDelayMs: c.profile.retryDelayMs,
    retries: c.profile.retries,
  });
  const started = Date.now();
  const caseStartedAt = new Date(started);
  let faultStartedAt = 0;
  let faultEndedAt = 0;
  let fault: Promise<void> | undefined;
  let faultError: unknown;
  const startFault = () => {
    faultStartedAt = Date.now();
    fault = c.fault().then(
      () => void (faultEndedAt = Date.now()),
      (err: unknown) => void ((faultError = err), (faultEndedAt = Date.now())),
    );
  };
  if (c.faultAt === 'start') startFault();
  const onProgress = (done: number) => {
    if (!fault && done >= Math.floor(messages.length / 2)) startFault();
  };
  const send = c.send ?? ((l, m, p) => l.sendAll(m, p));
  await send(load, messages, onProgress);
  const loadEndedAt = Date.now();
  await fault;
  if (faultError) throw faultError;

  // The bounded wait: until nothing owed is missing and the outbox is drained, or the deadline.
  let figures = await collectFigures(c.system, c.channel, c.phonePrefix, messages, caseStartedAt).catch(
    () => undefined,
  );
  const deadline = Date.now() + c.profile.recoveryDeadlineMs;
  while (!(figures && settled(figures)) && Date.now() < deadline) {
    await sleep(1_000);
    figures = await collectFigures(c.system, c.channel, c.phonePrefix, messages, caseStartedAt).catch(() => figures);
  }
  const recoveredAt = Date.now();
  // Once more after settling, so a late duplicate (a retry landing after the wait) is seen too.
  await sleep(2_000);
  figures = await collectFigures(c.system, c.channel, c.phonePrefix, messages, caseStartedAt);
  const recoverySeconds = Math.round((recoveredAt - (faultEndedAt || loadEndedAt)) / 100) / 10;
  const expected = {
    ...expectedAfterLoad(messages.length),
    contacts: figures['contacts expected (senders of stored messages)'],
  };
  const crashes = c.system.crashes();
  printFigures(`${c.title} [profile ${c.profile.name}, ${c.channel.mode} mode]`, figures, expected, {
    ...load.summary(),
    'load duration (s)': (loadEndedAt - started) / 1000,
    'fault started after (s)': (faultStartedAt - started) / 1000,
    'fault lasted (s)': (faultEndedAt - faultStartedAt) / 1000,
    'recovered after fault end (s)': settled(figures)
      ? recoverySeconds
      : `not within ${c.profile.recoveryDeadlineMs / 1000}`,
    'process exits nobody asked for':
      Object.entries(crashes)
        .map(([name, list]) => `${name}:${list.length}`)
        .join(' ') || 'none',
    'gave-up samples':
      messages
        .flatMap((m) => m.gaveUp)
        .slice(0, 3)
        .join(' | ') || 'none',
  });
  if (!settled(figures)) console.log(`process output (tail):\n${c.system.output()}`);
  return { figures, expected, load, recoverySeconds };
}

/** The figures a case asserts on, with the expected value of each (one toEqual shows every mismatch). */
export function comparable(result: LoadCaseResult): {
  actual: Record<string, number>;
  expected: Record<string, number>;
} {
  const actual: Record<string, number> = {};
  const expected: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.expected)) {
    actual[key] = result.figures[key as keyof Figures] as number;
    expected[key] = value as number;
  }
  actual['messages never answered 2xx'] = result.load.messages.filter((m) => !m.answered).length;
  expected['messages never answered 2xx'] = 0;
  // A delivery WAHA gave up on is a message lost had it been the only one (e.g. a bare id refused).
  actual['deliveries never answered 2xx'] = result.load.messages.reduce((n, m) => n + m.gaveUp.length, 0);
  expected['deliveries never answered 2xx'] = 0;
  return { actual, expected };
}
