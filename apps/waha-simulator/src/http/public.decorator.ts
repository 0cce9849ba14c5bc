import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'wahaSimIsPublic';
/** A route WAHA serves without an API key (`/ping`, `/health`). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
