/** The tenant-wide conversation defaults the Channel context falls back on. */
export abstract class TenantSessionDefaults {
  /** The tenant's default session timeout in seconds, or null when it sets none (or is unknown). */
  abstract defaultTimeoutSeconds(tenantId: string): Promise<number | null>;
}
