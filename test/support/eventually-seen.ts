import { eventually } from './nest';

/** `eventually` over a value looked at again and again: resolves with `pick(seen)` once it is
 *  defined; on timeout the error shows what the last look saw. */
export async function eventuallySeen<S, T>(
  look: () => Promise<S>,
  pick: (seen: S) => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let seen: S | undefined;
  return eventually(async () => pick((seen = await look())), timeoutMs, what).catch((err: Error) => {
    throw new Error(`${err.message}; last seen: ${JSON.stringify(seen)}`);
  });
}
