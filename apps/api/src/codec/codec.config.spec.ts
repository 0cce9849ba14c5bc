import { codecConfig } from './codec.config';

describe('TEMPORAL_CODEC_CORS_ORIGINS', () => {
  const withEnv = (value: string | undefined) => {
    const saved = process.env.TEMPORAL_CODEC_CORS_ORIGINS;
    if (value === undefined) delete process.env.TEMPORAL_CODEC_CORS_ORIGINS;
    else process.env.TEMPORAL_CODEC_CORS_ORIGINS = value;
    try {
      return codecConfig();
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_CODEC_CORS_ORIGINS;
      else process.env.TEMPORAL_CODEC_CORS_ORIGINS = saved;
    }
  };

  it('takes a comma-separated list of origins; unset allows none', () => {
    expect(withEnv('http://localhost:8233, https://temporal.example.com').corsOrigins).toEqual([
      'http://localhost:8233',
      'https://temporal.example.com',
    ]);
    expect(withEnv(undefined).corsOrigins).toEqual([]);
  });

  it.each([
    'https://temporal.example.com/',
    'https://temporal.example.com/ui',
    'temporal.example.com',
    'ftp://temporal.example.com',
    '*',
  ])('rejects %s, naming the variable', (value) => {
    expect(() => withEnv(value)).toThrow(
      `TEMPORAL_CODEC_CORS_ORIGINS: "${value}" is not an origin like https://temporal.example.com`,
    );
  });
});
