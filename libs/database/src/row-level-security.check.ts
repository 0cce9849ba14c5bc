import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Says at start when the app's connection bypasses row-level security (a superuser or BYPASSRLS
 *  role, e.g. DATABASE_URL still naming postgres): the app works, but the second wall is down. */
@Injectable()
export class RowLevelSecurityCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows: { role: string; exempt: boolean }[] = await this.dataSource
      .query(`SELECT rolname AS role, rolsuper OR rolbypassrls AS exempt FROM pg_roles WHERE rolname = current_user`)
      .catch(() => []);
    const role = rows[0];
    if (role?.exempt) {
      this.logger.warn(
        `DATABASE_URL connects as ${role.role}, which bypasses row-level security: connect the apps as the application role (crm_app), see docs/row-level-security.md`,
      );
    }
  }
}
