import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { parseBooleanEnv } from '@app/shared';
import { ACK_BY_NAME } from '../../waha/types';

/** Query booleans: true/false/1/0/yes/no; anything else fails validation by name. */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => parseBooleanEnv(Array.isArray(value) ? value[0] : value));
const toArray = () =>
  Transform(({ value }: { value: unknown }) =>
    value === undefined ? undefined : Array.isArray(value) ? value : [value],
  );

export class SessionsQueryDto {
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  all?: boolean;
}

/** `GET /api/{session}/chats` (§2.2). */
export class ChatsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsIn(['conversationTimestamp', 'id', 'name'])
  sortBy?: 'conversationTimestamp' | 'id' | 'name';

  @IsOptional()
  @IsIn(['desc', 'asc'])
  sortOrder?: 'desc' | 'asc';

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  merge?: boolean;
}

/** `GET /api/{session}/chats/overview` (§2.3). */
export class ChatsOverviewQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  limit: number = 20;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @toArray()
  @IsArray()
  @IsString({ each: true })
  ids?: string[];

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  merge?: boolean;
}

export class OverviewPaginationDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  limit?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsBoolean()
  merge?: boolean;
}

export class OverviewFilterDto {
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  ids?: string[];
}

/** `POST /api/{session}/chats/overview` body (long id lists). */
export class ChatsOverviewBodyDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => OverviewPaginationDto)
  pagination?: OverviewPaginationDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => OverviewFilterDto)
  filter?: OverviewFilterDto;
}

/** `GET /api/{session}/chats/{chatId}/messages` (§2.4); the filter keys are literally `filter.timestamp.gte` etc. */
export class MessagesQueryDto {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  limit!: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;

  @IsOptional()
  @IsIn(['timestamp', 'messageTimestamp'])
  sortBy?: 'timestamp' | 'messageTimestamp';

  /** GOWS: anything but `asc` means newest first. */
  @IsOptional()
  @IsString()
  sortOrder?: string;

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  downloadMedia: boolean = true;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  'filter.timestamp.gte'?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  'filter.timestamp.lte'?: number;

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  'filter.fromMe'?: boolean;

  @IsOptional()
  @IsIn(Object.keys(ACK_BY_NAME))
  'filter.ack'?: keyof typeof ACK_BY_NAME;

  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  merge?: boolean;
}

export class MessageQueryDto {
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  downloadMedia: boolean = true;
}

/** `POST /api/sendText` body (`MessageTextRequest`, §2.7). */
export class SendTextDto {
  @IsString()
  @IsNotEmpty()
  session!: string;

  @IsString()
  @IsNotEmpty()
  chatId!: string;

  @IsString()
  @IsNotEmpty()
  text!: string;

  @IsOptional()
  @IsString()
  reply_to?: string | null;

  @IsOptional()
  @IsBoolean()
  linkPreview?: boolean;

  @IsOptional()
  @IsBoolean()
  linkPreviewHighQuality?: boolean;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  mentions?: string[];

  /** A pre-generated id (`GET /api/{session}/new-message-id`): bare upper-case hex raw id. */
  @IsOptional()
  @Matches(/^[0-9A-F]{8,64}$/, { message: 'id must be an upper-case hex message id' })
  id?: string;
}
