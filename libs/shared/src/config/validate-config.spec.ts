import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { parseBooleanEnv, validateConfig } from './validate-config';

class SampleEnv {
  @Matches(/^postgres:\/\//, { message: 'SAMPLE_URL must be a postgres:// URL' })
  SAMPLE_URL!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  SAMPLE_SIZE: number = 5;

  @IsOptional()
  @Transform(({ obj, key }) => parseBooleanEnv(obj[key]))
  @IsBoolean()
  SAMPLE_FLAG: boolean = true;
}

describe('validateConfig', () => {
  it('converts numbers and booleans from env strings and keeps defaults', () => {
    expect(
      validateConfig(SampleEnv, { SAMPLE_URL: 'postgres://x', SAMPLE_SIZE: '7', SAMPLE_FLAG: 'false' }),
    ).toMatchObject({
      SAMPLE_URL: 'postgres://x',
      SAMPLE_SIZE: 7,
      SAMPLE_FLAG: false,
    });
    expect(validateConfig(SampleEnv, { SAMPLE_URL: 'postgres://x' })).toMatchObject({
      SAMPLE_SIZE: 5,
      SAMPLE_FLAG: true,
    });
  });

  it('names every bad or missing variable', () => {
    expect(() => validateConfig(SampleEnv, { SAMPLE_SIZE: '0', SAMPLE_FLAG: 'maybe' })).toThrow(
      /SAMPLE_URL: SAMPLE_URL must be a postgres:\/\/ URL[\s\S]*SAMPLE_SIZE: [\s\S]*SAMPLE_FLAG: /,
    );
  });
});
