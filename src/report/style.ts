// Colour and symbols only when they can be shown: a TTY, no NO_COLOR, no --no-color.
import { styleText } from 'node:util';
import type { Severity } from './types.js';

export interface Style {
  color: boolean;
  paint(format: Parameters<typeof styleText>[0], text: string): string;
  severity(sev: Severity, text?: string): string;
  ok(text: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const color = enabled && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && Boolean(process.stdout.isTTY);
  const paint = (format: Parameters<typeof styleText>[0], text: string) => (color ? styleText(format, text, { validateStream: false }) : text);
  return {
    color,
    paint,
    severity: (sev, text = sev.toUpperCase()) => paint(sev === 'error' ? ['red', 'bold'] : sev === 'warning' ? 'yellow' : 'cyan', text),
    ok: (text) => paint('green', text),
  };
}
