import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantService } from './application/tenant.service';
import { ApiKeyOrmEntity, TenantOrmEntity } from './infrastructure/tenant.orm-entity';

@Module({
  imports: [TypeOrmModule.forFeature([TenantOrmEntity, ApiKeyOrmEntity])],
  providers: [TenantService],
  exports: [TenantService],
})
export class TenantModule {}
