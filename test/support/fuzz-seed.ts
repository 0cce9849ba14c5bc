/**
 * The seed of property-based runs. CI runs one fixed seed so a red build is a regression, not a new
 * random find; elsewhere each run explores anew. `FUZZ_SEED=<n>` replays a reported failure.
 */
export function fuzzSeed(): number | undefined {
  if (process.env.FUZZ_SEED) return Number(process.env.FUZZ_SEED);
  return process.env.CI ? 20_261_202 : undefined;
}
