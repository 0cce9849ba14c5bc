import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateConfig } from '@app/shared';

export class HistoryImportEnv {
  /** Messages asked per WAHA page. */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(1000)
  HISTORY_IMPORT_PAGE_SIZE: number = 200;

  /** Chats imported at once (child workflows running side by side). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  HISTORY_IMPORT_CONCURRENCY: number = 16;

  /** Chats a run starts before it continues as new (bounds its history). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  HISTORY_IMPORT_CHATS_PER_RUN: number = 200;

  /** How long one activity slice of a chat pages before it reports progress and is scheduled again. */
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(600_000)
  HISTORY_IMPORT_SLICE_MS: number = 20_000;

  /** Contacts consolidated per transaction. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  HISTORY_IMPORT_CONSOLIDATION_BATCH: number = 200;
}

export const historyImportConfig = registerAs('historyImport', () => {
  const env = validateConfig(HistoryImportEnv, process.env);
  return {
    pageSize: env.HISTORY_IMPORT_PAGE_SIZE,
    concurrency: env.HISTORY_IMPORT_CONCURRENCY,
    chatsPerRun: env.HISTORY_IMPORT_CHATS_PER_RUN,
    sliceMs: env.HISTORY_IMPORT_SLICE_MS,
    consolidationBatch: env.HISTORY_IMPORT_CONSOLIDATION_BATCH,
  };
});
export type HistoryImportConfig = ReturnType<typeof historyImportConfig>;
