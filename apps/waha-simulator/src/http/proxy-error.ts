import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';

const REASONS: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Temporarily Unavailable' };

/** A 502/503 as the reverse proxy in front of WAHA answers it: an nginx HTML page, not JSON, so a
 *  client that insists on a JSON error body is caught out like it would be in production. */
export class ProxyErrorException extends HttpException {
  constructor(status: 502 | 503) {
    const title = `${status} ${REASONS[status]}`;
    super(
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
      status,
    );
  }
}

@Catch(ProxyErrorException)
export class ProxyErrorFilter implements ExceptionFilter {
  catch(exception: ProxyErrorException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.status(exception.getStatus()).type('text/html').send(exception.getResponse());
  }
}
