import { Controller, Get, HttpException, HttpStatus, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SimulatorState } from '../state/simulator-state';
import { fileNotFoundBody } from '../waha/errors';

/** Media of downloaded messages: `/api/files/{session}/{rawId}.{ext}` (§2.8); expires like WAHA's files. */
@Controller('api/files')
export class FilesController {
  constructor(private readonly state: SimulatorState) {}

  @Get(':session/:file')
  file(@Param('session') session: string, @Param('file') fileName: string, @Res() res: Response): void {
    this.state.requireSession(session);
    const file = this.state.file(fileName);
    if (!file) throw new HttpException(fileNotFoundBody(fileName), HttpStatus.NOT_FOUND);
    res.status(200).type(file.mimetype).setHeader('Content-Length', String(file.bytes.length));
    res.end(file.bytes);
  }
}
