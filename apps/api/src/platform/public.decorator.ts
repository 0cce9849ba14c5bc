import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';
/** Marks a route that needs no API key (health, metrics, WAHA webhooks with their own HMAC). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
