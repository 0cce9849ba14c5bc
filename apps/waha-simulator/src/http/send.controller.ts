import { Body, Controller, Post } from '@nestjs/common';
import { SimulatorService } from '../state/simulator.service';
import { SendTextDto } from './dto/api.dto';

@Controller('api')
export class SendController {
  constructor(private readonly simulator: SimulatorService) {}

  /** 201 `{id: "true_<chatId>_<3EB0…>", _data: <sent message>}` (GOWS); events follow asynchronously (§2.7). */
  @Post('sendText')
  sendText(@Body() body: SendTextDto): { id: string; _data: Record<string, unknown> } {
    return this.simulator.sendText({ ...body });
  }
}
