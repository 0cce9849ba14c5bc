import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock, SystemClock, UnitOfWork } from '@app/shared';
import { databaseConfig } from './database.config';
import { dataSourceOptions } from './data-source-options';
import { RowLevelSecurityCheck } from './row-level-security.check';
import { TransactionContext, TypeOrmUnitOfWork } from './transaction-context';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [ConfigModule.forFeature(databaseConfig)],
      inject: [databaseConfig.KEY],
      useFactory: (config: ConfigType<typeof databaseConfig>) => ({
        ...dataSourceOptions(config.url, config.poolSize),
        autoLoadEntities: true,
      }),
    }),
  ],
  providers: [
    TransactionContext,
    { provide: UnitOfWork, useClass: TypeOrmUnitOfWork },
    { provide: Clock, useClass: SystemClock },
    RowLevelSecurityCheck,
  ],
  exports: [TransactionContext, UnitOfWork, Clock],
})
export class DatabaseModule {}
