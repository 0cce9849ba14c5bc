import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { SimulatorService } from '../state/simulator.service';
import { SimulatorState, type StoredMessage } from '../state/simulator-state';
import { normalizeChatId } from '../waha/ids';
import { listChats, listSortedMessages, paginate } from '../waha/queries';
import { ACK_BY_NAME, type ChatSummary, type GowsChat, type WAMessage } from '../waha/types';
import {
  ChatsOverviewBodyDto,
  ChatsOverviewQueryDto,
  ChatsQueryDto,
  MessageQueryDto,
  MessagesQueryDto,
} from './dto/api.dto';

/** Chats, overview and history of the simulated session (§2.2-§2.5); every list is a bare JSON array. */
@Controller('api/:session/chats')
export class ChatsController {
  constructor(
    private readonly state: SimulatorState,
    private readonly simulator: SimulatorService,
  ) {}

  @Get()
  chats(@Param('session') session: string, @Query() query: ChatsQueryDto): GowsChat[] {
    this.state.requireWorking(session);
    return listChats(
      this.state.allChats().map((c) => this.state.gowsChat(c)),
      query,
    );
  }

  @Get('overview')
  overview(@Param('session') session: string, @Query() query: ChatsOverviewQueryDto): ChatSummary[] {
    this.state.requireWorking(session);
    return this.summaries(query.ids, query.limit, query.offset);
  }

  @Post('overview')
  @HttpCode(HttpStatus.CREATED)
  overviewByBody(@Param('session') session: string, @Body() body: ChatsOverviewBodyDto): ChatSummary[] {
    this.state.requireWorking(session);
    return this.summaries(body.filter?.ids, body.pagination?.limit ?? 20, body.pagination?.offset);
  }

  /** `chatId` arrives percent-decoded (`5511…%40c.us` is `5511…@c.us`); `merge` is accepted and has no
   *  effect (a stored twin stands for what it would add). */
  @Get(':chatId/messages')
  messages(
    @Param('session') session: string,
    @Param('chatId') chatId: string,
    @Query() query: MessagesQueryDto,
  ): WAMessage[] {
    this.state.requireWorking(session);
    const source: readonly StoredMessage[] =
      chatId === 'all'
        ? this.state.allSortedMessages()
        : this.state.sortedMessagesOf(normalizeChatId(chatId) ?? chatId);
    const page = listSortedMessages(source, {
      limit: query.limit,
      offset: query.offset,
      sortOrder: query.sortOrder,
      filter: {
        timestampGte: query['filter.timestamp.gte'],
        timestampLte: query['filter.timestamp.lte'],
        fromMe: query['filter.fromMe'],
        ack: query['filter.ack'] === undefined ? undefined : ACK_BY_NAME[query['filter.ack']],
      },
    });
    return page.map((m) => this.state.render(m, query.downloadMedia));
  }

  @Get(':chatId/messages/:messageId')
  message(
    @Param('session') session: string,
    @Param('chatId') chatId: string,
    @Param('messageId') messageId: string,
    @Query() query: MessageQueryDto,
  ): WAMessage {
    this.state.requireWorking(session);
    const stored = this.simulator.requireMessage(
      messageId,
      chatId === 'all' ? undefined : (normalizeChatId(chatId) ?? chatId),
    );
    return this.state.render(stored, query.downloadMedia);
  }

  /** Newest conversation first; `lastMessage` never carries downloaded media. */
  private summaries(ids: string[] | undefined, limit: number, offset: number | undefined): ChatSummary[] {
    const wanted = ids && ids.length > 0 ? new Set(ids.map((id) => normalizeChatId(id) ?? id)) : null;
    const rows = this.state
      .allChats()
      .filter((chat) => !wanted || wanted.has(chat.id))
      .map((chat) => {
        const latest = this.state.latestMessageOf(chat);
        const summary: ChatSummary = {
          id: chat.id,
          name: chat.name,
          picture: chat.picture,
          lastMessage: latest ? this.state.render(latest, false) : null,
          _chat: this.state.gowsChat(chat),
        };
        return { summary, time: summary._chat.conversationTimestamp, seq: latest?.seq ?? 0 };
      })
      .sort((a, b) => b.time - a.time || b.seq - a.seq);
    return paginate(rows, { limit, offset }).map((r) => r.summary);
  }
}
