import { HttpException } from '@nestjs/common';
import type { Denial } from '../auth/denial.js';

/** A refusal decided by the gateway's own rules, thrown from a controller. */
export class DenialException extends HttpException {
  constructor(readonly denial: Denial) {
    super(denial.message, denial.status);
  }
}
