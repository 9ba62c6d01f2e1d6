// Adds the exit-code table to the root help (commands carry it in their description).
import { Help } from '@oclif/core';
import { EXIT_CODES_TEXT } from './base-command.js';

export default class KdiagHelp extends Help {
  public override formatRoot(): string {
    return `${super.formatRoot()}\n\n${this.section('EXIT CODES', EXIT_CODES_TEXT.replace(/^ {2}/gm, ''))}`;
  }
}
